"""Held-back edits a writer may still take, each placed in the source.

The guards and the confidence threshold undo some of the model's edits and say why
(``HeldEdit``: the words and the reason, no place). A writer who wants one anyway ("This
finding suggest" where "suggests" was left out as unsure, "organize" held back as a
respelling) should take it with one click rather than type it. For that it needs a place
in the source that sits beside the edits offered: ``suggestions`` diffs the piece as
offered against the model's own answer, keeps each undone edit that lies wholly between
two offered edits (never touching one, so any set of offered edits and suggestions applies
cleanly to the source), moves it into the source's characters and gives it the reason it
was held back with. An undone edit with no such reason (the tense context's fixes replace
words of the answer) or that touches an offered edit (part of a longer edit the guard cut)
is not suggested; the writer still reads it, and its reason, in the status line.

Pure functions; the reviser calls them once per piece.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from itune_core.edits import Edit, HeldEdit, compute_edits


@dataclass(frozen=True)
class Suggestion:
    """An edit the writer is shown but that is not applied unless they accept it.

    ``edit`` is in the characters of the text it was computed on; ``reason`` why it was
    held back (a guard's, or the model's margin), and ``by`` what held it back.
    """

    edit: Edit
    reason: str
    by: str | None = None


def suggestions(
    piece: str, offered: str, proposed: str | None, held: Sequence[HeldEdit]
) -> tuple[Suggestion, ...]:
    """The held-back edits of one piece that can be offered beside its edits.

    Args:
        piece: the source piece.
        offered: the piece as offered (the model's answer less what was held back).
        proposed: the model's answer as cleaned, before any guard (None: discarded).
        held: what the guards and the confidence threshold held back, with reasons.

    Returns:
        Suggestions in text order, in ``piece``'s characters; none touches an edit of
        ``compute_edits(piece, offered)`` or another suggestion.
    """
    if proposed is None or not held or proposed == offered:
        return ()
    # Where each offered edit lies in the offered text, and how far it moves what follows.
    spans, shift = [], 0
    for edit in compute_edits(piece, offered):
        start = edit.start_char_pos + shift
        spans.append((start, start + len(edit.after), shift + len(edit.after) - len(edit.before)))
        shift = spans[-1][2]
    unused = list(held)
    found: list[Suggestion] = []
    for undone in compute_edits(offered, proposed):
        a, b = undone.start_char_pos, undone.end_char_pos
        if any(a <= end and start <= b for start, end, _ in spans):
            continue  # it touches an offered edit: not a separate edit of the source
        moved = 0  # the shift of the last offered edit before it
        for _, end, after_it in spans:
            if end < a:
                moved = after_it
        s0, s1 = a - moved, b - moved
        named = _named(undone, unused)
        if named is None or piece[s0:s1] != undone.before:
            continue
        edit = Edit(undone.type, undone.before, undone.after, s0, s1)
        if found and found[-1].edit.end_char_pos >= s0:
            continue  # two insertions at one place: keep the first
        found.append(Suggestion(edit, named.reason, named.by))
    return tuple(found)


def _within(part: Edit | HeldEdit, whole: Edit | HeldEdit) -> bool:
    """Whether both sides of ``part`` are words found in the same sides of ``whole``."""
    return bool(part.before.strip() and part.after.strip()) and (
        part.before in whole.before and part.after in whole.after
    )


def _named(edit: Edit, unused: list[HeldEdit]) -> HeldEdit | None:
    """The held-back edit that ``edit`` undoes (taken from ``unused``)."""
    for exact in (True, False):
        for k, held in enumerate(unused):
            if exact:
                same = (held.before, held.after) == (edit.before, edit.after)
            else:  # a guard names a whole literal or a part of a longer edit (words
                # on both sides: an empty side would be found in anything)
                same = _within(held, edit) or _within(edit, held)
            if same:
                return unused.pop(k)
    return None
