"""Splitting a document into the pieces the reviser revises one at a time.

Pieces are sentences within paragraphs. Each piece is a (start, end) span of the text
with no surrounding whitespace, so joining the pieces' revisions with the original
whitespace between them rebuilds the document exactly when nothing changes.
"""

import re

# A sentence ends at . ! ? (or …), possibly followed by closing quotes or brackets, when
# whitespace follows; a line break always ends a piece. The run of stops is taken whole,
# from its first stop and without giving any back: otherwise a long run with no
# whitespace after it ("??????...") is tried again from each of its stops, which made
# splitting quadratic in the run's length (20,000 question marks took 5 seconds).
_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)|\n")
# An ending that a lowercase word may continue: a trailing-off ellipsis ("I waited... and
# waited"), or a quotation or bracket closed after its own stop ('"Why?" she asked').
# After a bare stop, a lowercase word is a new sentence with a lowercase start (learners
# write "i went home. then i ate"), so it still splits there.
_CONTINUABLE = re.compile(r"(?:\.{3,}|…+)[\"'”’)\]]*|[.!?…]+[\"'”’)\]]+")
_NEXT_WORD = re.compile(r"[ \t]*(\w)")
# A list item's number ("1. The first step"), which alone is no sentence.
_ENUMERATOR = re.compile(r"\s*\d{1,3}\.")
# An initial ("J. Smith") or initials with dots ("U.S.", "p.m."), less the last dot.
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
# Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "cf", "al", "fig", "eq", "no", "dr", "mr", "mrs", "ms",
    "prof", "st", "jr", "sr", "approx", "resp", "sec", "ch", "vol", "pp",
}  # fmt: skip


_LOOKBACK = 32  # longer than any abbreviation; a longer word before the dot is none


def _is_abbreviation(text: str, dot: int) -> bool:
    # Only the characters just before the dot: searching all of text[:dot] made
    # splitting quadratic in the text's length.
    word = re.search(r"([\w.]+)$", text[max(0, dot - _LOOKBACK) : dot])
    if word is None:
        return False
    token = word.group(1).lower().rstrip(".")
    return token in _ABBREVIATIONS or _INITIALS.fullmatch(token) is not None


def _continued(text: str, end: re.Match) -> bool:
    """Whether the sentence goes on after ``end``: a continuable ending followed, on the
    same line, by a word that starts in lowercase."""
    if _CONTINUABLE.fullmatch(end.group()) is None:
        return False
    word = _NEXT_WORD.match(text, end.end())
    return word is not None and word.group(1).islower()


def split_pieces(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, in order, without surrounding whitespace.

    Args:
        text: a sentence, a paragraph or a document of several paragraphs.

    Returns:
        ``(start, end)`` character spans; ``text[start:end]`` is never empty or padded.
    """
    spans, start = [], 0
    for match in _END.finditer(text):
        if match.group() != "\n" and (
            (match.group()[0] == "." and _is_abbreviation(text, match.start()))
            or _continued(text, match)
            or _ENUMERATOR.fullmatch(text, start, match.end()) is not None
        ):
            continue
        end = match.end() if match.group() != "\n" else match.start()
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))
    pieces = []
    for a, b in spans:
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            a += len(chunk) - len(chunk.lstrip())
            pieces.append((a, a + len(stripped)))
    return pieces
