"""Edit actions between a source text and its revision, in the IteraTeR format.

The diff works on words and punctuation (``difflib`` over tokens, whitespace kept apart).
Each non-matching run of tokens becomes one edit whose span lies strictly between two
tokens that both texts share, so edits never overlap and any subset of them can be applied
on its own: the text around every edit then reads locally like either the source or the
revision, which keeps words from gluing together or doubling spaces.

Whitespace is trimmed from the ends of each edit where source and revision agree, so
inserting a word shows as ``A '' -> 'big '`` rather than ``R ' ' -> ' big '``. An edit's
``before`` is always ``source[start_char_pos:end_char_pos]``.
"""

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from itune_core.segment import split_pieces

# A word (letters, digits, underscores, inner apostrophes) or one punctuation character.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")

EDIT_TYPES = ("A", "D", "R")


@dataclass(frozen=True)
class Edit:
    """One edit action: replace ``source[start_char_pos:end_char_pos]`` by ``after``.

    ``type`` is ``A`` (add: only ``after`` has words or punctuation), ``D`` (delete: only
    ``before`` has) or ``R`` (replace, including whitespace-only changes).
    ``intention`` is the intention the edit carries and ``confidence`` how sure the
    labeller was (None when it was not predicted).
    """

    type: str
    before: str
    after: str
    start_char_pos: int
    end_char_pos: int
    intention: str | None = None
    confidence: float | None = None

    def __post_init__(self) -> None:
        if self.type not in EDIT_TYPES:
            raise ValueError(f"Edit.type must be one of {EDIT_TYPES}, got {self.type!r}")
        if not 0 <= self.start_char_pos <= self.end_char_pos:
            raise ValueError(
                f"Edit span must satisfy 0 <= start <= end, got "
                f"({self.start_char_pos}, {self.end_char_pos})"
            )

    def to_dict(self) -> dict:
        """The edit as a JSON-ready dict with IteraTeR's field names."""
        return {
            "type": self.type,
            "before": self.before,
            "after": self.after,
            "start_char_pos": self.start_char_pos,
            "end_char_pos": self.end_char_pos,
            "intention": self.intention,
            "confidence": self.confidence,
        }


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def _gap(spans: Sequence[tuple[int, int]], i: int, text_len: int) -> tuple[int, int]:
    """Character range from the end of token i-1 to the start of token i (text ends
    standing in for missing tokens)."""
    start = spans[i - 1][1] if i > 0 else 0
    end = spans[i][0] if i < len(spans) else text_len
    return start, end


def _trimmed(source: str, revision: str, s0: int, s1: int, r0: int, r1: int):
    """Shrink source[s0:s1] -> revision[r0:r1] by whitespace both ends share."""
    while s0 < s1 and r0 < r1 and source[s0] == revision[r0] and source[s0].isspace():
        s0, r0 = s0 + 1, r0 + 1
    while s0 < s1 and r0 < r1 and source[s1 - 1] == revision[r1 - 1] and source[s1 - 1].isspace():
        s1, r1 = s1 - 1, r1 - 1
    return s0, s1, r0, r1


def _make_edit(source: str, revision: str, s0: int, s1: int, r0: int, r1: int, intention):
    s0, s1, r0, r1 = _trimmed(source, revision, s0, s1, r0, r1)
    before, after = source[s0:s1], revision[r0:r1]
    if before == after:
        return None
    has_before, has_after = bool(_TOKEN.search(before)), bool(_TOKEN.search(after))
    if has_after and not has_before:
        kind = "A"
    elif has_before and not has_after:
        kind = "D"
    else:  # both carry words, or only whitespace changed
        kind = "R"
    return Edit(kind, before, after, s0, s1, intention)


def compute_edits(source: str, revision: str, intention: str | None = None) -> list[Edit]:
    """Diff two texts into non-overlapping edit actions, ordered by position.

    Args:
        source: the text before revision.
        revision: the text after revision.
        intention: the intention every edit is labelled with (None: unlabelled).

    Returns:
        Edits whose application to ``source`` gives exactly ``revision``.
    """
    src, rev = _spans(source), _spans(revision)
    src_tokens = [source[a:b] for a, b in src]
    rev_tokens = [revision[a:b] for a, b in rev]
    matcher = difflib.SequenceMatcher(a=src_tokens, b=rev_tokens, autojunk=False)
    edits: list[Edit] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            # Whitespace between two shared tokens may still differ; so may the text's
            # leading and trailing whitespace when the block touches both texts' ends.
            first = i1 if (i1, j1) == (0, 0) else i1 + 1
            last = i2 if (i2, j2) == (len(src), len(rev)) else i2 - 1
            for i in range(first, last + 1):
                s0, s1 = _gap(src, i, len(source))
                r0, r1 = _gap(rev, j1 + i - i1, len(revision))
                edit = _make_edit(source, revision, s0, s1, r0, r1, intention)
                if edit is not None:
                    edits.append(edit)
            continue
        # The edit runs from the end of the shared token before to the start of the shared
        # token after, so it owns the whitespace around the changed tokens.
        s0 = src[i1 - 1][1] if i1 > 0 else 0
        s1 = src[i2][0] if i2 < len(src) else len(source)
        r0 = rev[j1 - 1][1] if j1 > 0 else 0
        r1 = rev[j2][0] if j2 < len(rev) else len(revision)
        edit = _make_edit(source, revision, s0, s1, r0, r1, intention)
        if edit is not None:
            edits.append(edit)
    if not src and not rev and source != revision:
        edit = _make_edit(source, revision, 0, len(source), 0, len(revision), intention)
        edits = [edit] if edit is not None else []
    return edits


def piecewise_edits(
    text: str,
    spans: Sequence[tuple[int, int]],
    revised_pieces: Sequence[str],
    intention: str | None = None,
) -> list[Edit]:
    """The edits of a text revised piece by piece: each changed piece diffed on its own
    and its edits moved to the piece's place; what lies between pieces is unchanged.

    ``compute_edits`` over a whole text costs time cubic in its repeats (difflib on one
    sentence pasted many times: about 27 s at 20,000 characters); piece by piece it is
    linear in the pieces, and unchanged pieces cost nothing.

    Args:
        text: the source text.
        spans: the pieces' (start, end) in ``text``, in order, not overlapping.
        revised_pieces: each piece's revision.
        intention: the intention every edit is labelled with.

    Returns:
        Edits, ordered by position, whose application to ``text`` replaces every piece
        by its revision.

    Raises:
        ValueError: spans and revisions differ in number.
    """
    edits: list[Edit] = []
    for (a, b), revised in zip(spans, revised_pieces, strict=True):
        if revised != text[a:b]:
            edits += shift_edits(compute_edits(text[a:b], revised, intention), a)
    return edits


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply a subset of the edits computed for ``source``.

    Args:
        source: the text the edits were computed on.
        edits: any subset of those edits, in any order.

    Returns:
        The source with those edits applied.

    Raises:
        ValueError: two edits overlap, or an edit does not match the source.
    """
    ordered = sorted(edits, key=lambda e: (e.start_char_pos, e.end_char_pos))
    out, pos = [], 0
    for edit in ordered:
        if edit.start_char_pos < pos:
            raise ValueError(f"overlapping edits at character {edit.start_char_pos}")
        if source[edit.start_char_pos : edit.end_char_pos] != edit.before:
            raise ValueError(
                f"edit at {edit.start_char_pos}-{edit.end_char_pos} does not match the source"
            )
        out.append(source[pos : edit.start_char_pos])
        out.append(edit.after)
        pos = edit.end_char_pos
    out.append(source[pos:])
    return "".join(out)


@dataclass(frozen=True)
class HeldEdit:
    """An edit that was not offered (a guard held it back, or the model was unsure of it),
    and why; ``by`` names what held it back (a guard, e.g. ``fact``, or ``margin``) where
    the reviser knows it."""

    before: str
    after: str
    reason: str
    by: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        return {"before": self.before, "after": self.after, "reason": self.reason}


def hold_back(
    source: str, edits: Sequence[Edit], reasons: Mapping[int, str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``source`` with every edit applied but those in ``reasons`` (by index), and those
    held edits with their reasons, in text order. The one way the guards and the
    confidence threshold undo edits."""
    offered = apply_edits(source, [e for i, e in enumerate(edits) if i not in reasons])
    held = tuple(HeldEdit(edits[i].before, edits[i].after, reasons[i]) for i in sorted(reasons))
    return offered, held


def touch(a: Edit, b: Edit) -> bool:
    """Whether two edits of one text overlap or meet (an insertion at the other's edge
    included): applying both could not keep both as written."""
    return a.start_char_pos <= b.end_char_pos and b.start_char_pos <= a.end_char_pos


def edits_in_sentences(source: str, edits: Sequence[Edit]) -> list[tuple[str, str]]:
    """Each edit as IteraTeR's sentence-level data shows edits (how both labellers read
    them): the sentence(s) of ``source`` around it, and the same with only it applied."""
    pieces = split_pieces(source) or [(0, len(source))]
    pairs = []
    for edit in edits:
        a, b = _sentence_around(pieces, edit.start_char_pos, edit.end_char_pos)
        context = source[a:b]
        local = replace(edit, start_char_pos=edit.start_char_pos - a,
                        end_char_pos=edit.end_char_pos - a)  # fmt: skip
        pairs.append((context, apply_edits(context, [local])))
    return pairs


def _sentence_around(pieces: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The span of the sentences that an edit [start, end) touches."""
    touching = [(a, b) for a, b in pieces if a <= end and start <= b]
    if not touching:  # an edit in the whitespace between sentences
        return min(start, pieces[0][0]), max(end, pieces[-1][1])
    return min(touching[0][0], start), max(touching[-1][1], end)


def with_intention(edits: Iterable[Edit], intention: str | None, confidence=None) -> list[Edit]:
    """The same edits relabelled with one intention (and confidence)."""
    return [replace(e, intention=intention, confidence=confidence) for e in edits]


def shift_edits(edits: Iterable[Edit], offset: int) -> list[Edit]:
    """The same edits with their character offsets moved by ``offset``."""
    return [
        replace(e, start_char_pos=e.start_char_pos + offset, end_char_pos=e.end_char_pos + offset)
        for e in edits
    ]
