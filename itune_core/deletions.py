"""The deletion and clause guards: a revision keeps what the sentence says.

Asked for fluency, a small model sometimes deletes a whole phrase: "I wants to thank you
for you help last week" came back as "I want to thank you last week", and "to focus the
majority of their attention on driving" as "to focus on driving". A fluency edit fixes how
a sentence reads, not what it says, so when fluency is all the writer asked for, an edit
that deletes ``MIN_WORDS`` words or more with nothing in their place is held back, with
its reason, like the fact and connector guards' edits.

``MIN_WORDS`` is 3, from the dev sets: in their 586 sentences revised for fluency alone
(ITERATER-sent, the synthetic ``mixed-errors`` and the hand-written learner sentences)
the human revisions delete one word at a time 31 times, two words twice ("while he was
drunk" -> "while drunk", and a moved "this song"), and three or more never, while each of
the six deletions of three words or more that the built-in adapter made there lost
something the sentence said ("with welfare and charity", "the majority of their
attention", "to this sector").

A replacement that loses ``MIN_WORDS`` words more than it brings in is held back too: "My
friend works at a bank in the city since three years" came back as "My friend has worked
at a bank for three years", "in the city since" made "for". A word brought in is one the
edit's own text did not hold. Of the 854 ITERATER-sent train and dev revisions for fluency
alone, one human edit does that ("In addition to the 23-year-old male, an" -> "An", which
drops a fact), and no reference of the learner sets does (docs/default-adapter.md, "A
phrase lost inside a replacement").

What is not held back:

- words that reappear elsewhere in the answer (a phrase moved, "I like very much this
  song" -> "I like this song very much"): only words the answer loses count;
- a replacement that loses fewer than ``MIN_WORDS`` words more than it brings in ("since
  five years" -> "for five years", "In order to" -> "To"): the other guards and the
  confidence threshold judge those;
- anything when the writer also asked for clarity, coherence, style or meaning-changed:
  cutting words is then part of the request (clarity revisions often shorten).

The clause guard (``guard_clauses``) holds under every request but meaning-changed. Asked
for clarity, the clarity specialist turned "It broadens the mind and you meet a new
friend." into "You meet a new friend.": one of two joined parts went, whole. Padding is
never joined to a sentence by "and", "but", "or" or "yet", so an edit that loses such a
conjunction together with at least ``MIN_WORDS`` other words more than it brings in (a
word brought in is one the edit's own text did not hold: "you meets" -> "You meet a"
brings in "meet" and "a") is held back with its reason. It was chosen on dev under a rule
written before its scores (docs/default-adapter.md, "Dropped clauses").
"""

from collections import Counter
from collections.abc import Sequence

from itune_core.edits import HeldEdit, compute_edits, hold_back
from itune_core.intentions import fluency_alone
from itune_core.words import words

MIN_WORDS = 3

# What joins two parts of a sentence as equals; losing one with a part drops that part.
CONJUNCTIONS = frozenset(("and", "but", "or", "yet"))


def guard_deletions(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` (the answer for the piece ``source``, after the fact and connector
    guards) with every edit that deletes ``MIN_WORDS`` words or more, or replaces words
    and loses ``MIN_WORDS`` more than it brings in, undone when ``intentions`` is fluency
    alone; returns the text to offer and the held edits with
    their reasons, in text order, as ``guard_connectors`` does."""
    if not fluency_alone(intentions) or source == revised:
        return revised, ()
    lost = Counter(words(source)) - Counter(words(revised))
    edits = compute_edits(source, revised)
    held: dict[int, str] = {}
    for i, edit in enumerate(edits):
        gone = sum((Counter(words(edit.before)) & lost).values())
        brought = sum((Counter(words(edit.after)) - Counter(words(edit.before))).values())
        if gone - brought < MIN_WORDS:
            continue
        what = f"deletes {edit.before.strip()!r}"
        if edit.after.strip():
            what = f"replaces {edit.before.strip()!r} with {edit.after.strip()!r}"
        held[i] = f"{what}: a fluency edit fixes how the sentence reads, not what it says"
    return hold_back(source, edits, held) if held else (revised, ())


def _clause_reason(before: str, after: str, lost: Counter) -> str | None:
    """Why the edit ``before`` -> ``after`` drops one of two joined parts, or None."""
    gone = Counter(words(before)) & lost
    joined = [w for w in gone if w in CONJUNCTIONS]
    others = sum(n for w, n in gone.items() if w not in CONJUNCTIONS)
    brought = sum((Counter(words(after)) - Counter(words(before))).values())
    if not joined or others - brought < MIN_WORDS:
        return None
    cut = f"cuts {before.strip()!r}" + (f" to {after.strip()!r}" if after.strip() else "")
    return f"{cut}: one of two joined parts of the sentence goes, and what it says with it"


def guard_clauses(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` (the answer for the piece ``source``) with every edit undone that loses
    a coordinating conjunction and at least ``MIN_WORDS`` other words more than it brings
    in, unless meaning-changed was asked for; returns the text to offer and the held edits
    with their reasons, in text order, as ``guard_deletions`` does."""
    if "meaning-changed" in intentions or source == revised:
        return revised, ()
    lost = Counter(words(source)) - Counter(words(revised))
    if not any(w in CONJUNCTIONS for w in lost):
        return revised, ()
    edits = compute_edits(source, revised)
    held = {i: why for i, e in enumerate(edits) if (why := _clause_reason(e.before, e.after, lost))}
    return hold_back(source, edits, held) if held else (revised, ())
