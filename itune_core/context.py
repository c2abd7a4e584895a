"""Tense context: the time an earlier sentence names, for the sentences after it.

The reviser revises each sentence alone. A learner's story that names its time once and
slips into the present after it ("Last night we went to a concert. The band play very
well.") cannot be fixed that way: the second sentence alone names no past time, so the
model does not propose "played", and the tense guard (``itune_core.tenses``) would hold it
back if it did.

So a sentence that tells of the past (``tells_the_past``: a past time or a verb in the
simple past, not "is tired" or "the proposed method") opens a *window* over the sentences
of its paragraph that follow it: at most ``MAX_FOLLOWING``, up to the first that itself
tells of the past, names the present ("now", "today", "these days"...) or starts a new line.
The window is revised as one more piece, with the same intentions and guards, and of its
answer only the edits inside a later sentence that put a verb into the past
(``into_the_past``) are used: each replaces the edits of that sentence's own answer it
touches and joins the others. The rest of the window's answer is dropped, since whole
paragraphs revise worse than sentences elsewhere (academic documents, articles a learner
draft needs).

Pure functions; the reviser and evaluation decode the windows beside the sentences.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits, shift_edits, touch
from itune_core.tenses import into_the_past, tells_the_past

MAX_FOLLOWING = 2  # later sentences one window takes in
_PRESENT_TIME = re.compile(
    r"\b(?:now|today|nowadays|currently|these\s+days|at\s+the\s+moment|at\s+present)\b",
    flags=re.IGNORECASE,
)


@dataclass(frozen=True)
class Window:
    """Pieces ``first`` (it tells of the past) to ``last`` (inclusive) of a text, in one
    paragraph."""

    first: int
    last: int

    def span(self, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
        """The window's characters in the text the pieces' ``spans`` index."""
        return spans[self.first][0], spans[self.last][1]

    def later(self) -> range:
        """The pieces whose answers the window may add to."""
        return range(self.first + 1, self.last + 1)


def names_the_present(text: str) -> bool:
    """Whether ``text`` names the present ("now", "today", "at the moment"...)."""
    return _PRESENT_TIME.search(text) is not None


def tense_windows(text: str, spans: Sequence[tuple[int, int]]) -> list[Window]:
    """The windows of ``text`` split into pieces at ``spans`` (see the module docstring),
    in text order, none overlapping."""
    windows: list[Window] = []
    k = 0
    while k < len(spans):
        if not tells_the_past(text[slice(*spans[k])]):
            k += 1
            continue
        last = k
        while last + 1 < len(spans) and last - k < MAX_FOLLOWING:
            gap = text[spans[last][1] : spans[last + 1][0]]
            following = text[slice(*spans[last + 1])]
            if "\n" in gap or tells_the_past(following) or names_the_present(following):
                break
            last += 1
        if last > k:
            windows.append(Window(k, last))
        k = last + 1
    return windows


def tense_fixes(source: str, answer: str) -> list[Edit]:
    """The edits from ``source`` to ``answer`` that put a verb into the past."""
    return [
        edit
        for edit in compute_edits(source, answer)
        if into_the_past(edit.before, edit.after, source[: edit.start_char_pos]) is not None
    ]


@dataclass(frozen=True)
class Fixed:
    """A later piece's answer with a window's tense fixes in it, and those fixes (offsets in
    the piece)."""

    text: str
    fixes: tuple[Edit, ...]

    def keep(self, held: Sequence[HeldEdit]) -> tuple[HeldEdit, ...]:
        """``held`` (edits the piece's own answer held back or left out) less those the
        fixes put in after all: the writer is not told an edit was held back that the text
        shows."""
        made = {(f.before, f.after) for f in self.fixes}
        return tuple(h for h in held if (h.before, h.after) not in made)


def with_tense_context(
    text: str,
    spans: Sequence[tuple[int, int]],
    window: Window,
    window_answer: str,
    answers: Mapping[int, str],
) -> dict[int, Fixed]:
    """The answers of ``window``'s later pieces with the window answer's tense fixes in
    them, for the pieces it fixes.

    Args:
        text: the text the pieces come from.
        spans: its pieces' spans.
        window: one of its ``tense_windows``.
        window_answer: the answer for the window's text, as offered (after the guards).
        answers: later pieces' own answers, as offered, by piece index (a piece not in
            it is left out).

    Returns:
        The new answer of each piece of ``answers`` that a fix falls inside, by index.
    """
    start, end = window.span(spans)
    fixes = tense_fixes(text[start:end], window_answer)
    merged: dict[int, Fixed] = {}
    for k in window.later():
        a, b = spans[k][0] - start, spans[k][1] - start
        inside = [e for e in fixes if a <= e.start_char_pos and e.end_char_pos <= b]
        if not inside or k not in answers:
            continue
        piece = text[slice(*spans[k])]
        mine = shift_edits(inside, -a)
        own = [e for e in compute_edits(piece, answers[k]) if not any(touch(e, m) for m in mine)]
        merged[k] = Fixed(apply_edits(piece, [*own, *mine]), tuple(mine))
    return merged
