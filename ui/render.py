"""HTML for the Revise tab: a text with its edits inline, coloured by intention.

Every piece of user or model text goes through ``html.escape``: a draft holding tags is
shown as text, never rendered.
"""

import html
from collections.abc import Mapping, Sequence

from itune_core.edits import Edit
from itune_core.intentions import INTENTIONS

COLOURS = {
    "clarity": "#2563eb",
    "fluency": "#16a34a",
    "coherence": "#9333ea",
    "style": "#d97706",
    "meaning-changed": "#dc2626",
    None: "#6b7280",
}

CSS = "\n".join(
    [
        ".itune-text { white-space: pre-wrap; line-height: 1.9; font-size: 1.05em; }",
        ".itune-edit { border-bottom: 2px solid var(--c); border-radius: 3px; padding: 0 2px; }",
        ".itune-edit del { color: #9ca3af; }",
        ".itune-edit ins { text-decoration: none; background: color-mix(in srgb, var(--c) 18%,"
        " transparent); }",
        ".itune-edit sup { color: var(--c); font-weight: 600; margin-left: 1px; }",
        ".itune-edit.rejected ins { display: none; }",
        ".itune-edit.rejected del { color: inherit; text-decoration: none; }",
        ".itune-edit.rejected { border-bottom-style: dotted; opacity: 0.7; }",
        ".itune-edit.accepted { border-bottom-width: 3px; }",
        ".itune-edit.suggested ins { background: none; color: #6b7280; font-style: italic; }",
        ".itune-edit.suggested del { color: inherit; text-decoration: none; }",
        ".itune-edit.suggested { border-bottom-style: dashed; }",
        ".itune-legend span { margin-right: 12px; font-size: 0.9em; }",
        ".itune-legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;"
        " margin-right: 4px; background: var(--c); }",
    ]
)


def _label(edit: Edit) -> str:
    if edit.intention is None:
        return "unlabelled"
    if edit.confidence is None:
        return edit.intention
    return f"{edit.intention} ({edit.confidence:.0%})"


def legend() -> str:
    """A colour key for the intentions."""
    items = "".join(
        f'<span style="--c:{COLOURS[name]}"><i></i>{html.escape(name)}</span>'
        for name in INTENTIONS
    )
    return f'<div class="itune-legend">{items}</div>'


def edit_span(position: int, edit: Edit, status: str = "pending") -> str:
    """One edit as ``before -> after`` with its number, coloured by intention."""
    colour = COLOURS.get(edit.intention, COLOURS[None])
    before = f"<del>{html.escape(edit.before)}</del>" if edit.before else ""
    after = f"<ins>{html.escape(edit.after)}</ins>" if edit.after else ""
    title = html.escape(f"#{position + 1} {_label(edit)} · {status}", quote=True)
    return (
        f'<span class="itune-edit {status}" style="--c:{colour}" title="{title}">'
        f"{before}{after}<sup>{position + 1}</sup></span>"
    )


def inline_html(source: str, edits: Sequence[Edit], statuses: Mapping[int, str]) -> str:
    """The source with every edit shown in place.

    Args:
        source: the text the edits were computed on.
        edits: its edits, in position order.
        statuses: ``accepted`` / ``rejected`` / ``suggested`` (a held-back edit not yet
            accepted: shown beside the words it would replace) per edit position (others
            are pending).

    Returns:
        An HTML fragment; all text escaped.
    """
    parts, pos = [], 0
    # Suggestions come after the offered edits in a revision; the text is shown in order.
    for k, edit in sorted(enumerate(edits), key=lambda item: item[1].start_char_pos):
        parts.append(html.escape(source[pos : edit.start_char_pos]))
        parts.append(edit_span(k, edit, statuses.get(k, "pending")))
        pos = edit.end_char_pos
    parts.append(html.escape(source[pos:]))
    return f'<div class="itune-text">{"".join(parts)}</div>'


def plain_html(text: str) -> str:
    """Text shown as it is (used while a revision streams in)."""
    return f'<div class="itune-text">{html.escape(text)}</div>'


def edit_row_html(position: int, edit: Edit, status: str) -> str:
    """The label of one edit in the review list."""
    mark = {"accepted": "✓ ", "rejected": "✗ "}.get(status, "")
    return (
        f'<div class="itune-text">{mark}{edit_span(position, edit, "pending")}'
        f" <small>{html.escape(_label(edit))}</small></div>"
    )
