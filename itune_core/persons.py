"""The person guard: a revision keeps who does what.

An edit that puts "I" where the sentence said "he" reads as well as the sentence did and
tells of someone else: "He said me that he was tired" came back as "He said I was tired",
which fixes "said me" by making the writer the one who was tired. So, unless the writer
asked for ``meaning-changed``, an edit that takes away a pronoun of one grammatical person
(first, second or third) and brings in one of another is held back with its reason, like
the fact guard's.

Pronouns are counted by person in two ways, and an edit is held back when either count
loses one person and gains another:

- every form but the possessive determiners ("I", "me", "mine", "myself"; "we", "us",
  ...; "you", ...; "he", "him", "she", "her", "it", "they", "them", ...): "told him" ->
  "told me";
- subject forms only ("I", "we", "you", "he", "she", "it", "they"): "me that he" -> "I"
  keeps a first-person pronoun and drops a third, but its subject is now "I".

What is not held back:

- a pronoun's case mended: "Him and me went" -> "He and I went" (the same persons);
- a pronoun swapped within a person: "it" -> "they" for a plural ("the results ... it
  shows"), "his or her" -> "their", "I" -> "we" (number and gender are not who), but for
  one swap that is: "they" or "them" made "he", "she", "him" or "her". "My brother have
  two childs and they lives in London" came back as "... and he lives in London", which
  mends the verb by making the brother the one who lives there; a third-person plural
  made singular names one person where the sentence named several, so it is held back
  too (the other way, "he or she" -> "they", passes: it names the same person). So is
  the possessive made singular, "their" made "his" or "her": "lives with her husband and
  their two childs" came back as "... and her two children", which makes the children
  hers alone;
- a pronoun put in place of a noun or a noun in place of a pronoun: "it" -> "the
  method", "our model" -> "it" (no person is brought in where another went: "my", "our",
  "his", "its" and "their" say whose a thing is, and are not counted as persons);
- an edit where the sentence keeps its count of each person, the change split over two
  edits;
- anything when meaning-changed was asked for.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from itune_core.edits import Edit, HeldEdit, compute_edits, hold_back
from itune_core.words import SUBJECT_PRONOUNS

_WORD = re.compile(r"\w+")
_PERSON = {
    **dict.fromkeys(("i", "me", "mine", "myself", "we", "us", "ours", "ourselves"), 1),
    **dict.fromkeys(("you", "yours", "yourself", "yourselves"), 2),
    **dict.fromkeys(("he", "him", "himself", "she", "her", "hers", "herself"), 3),
    **dict.fromkeys(("it", "itself", "they", "them", "theirs", "themselves"), 3),
}  # possessive determiners ("my", "our", "his", "its") name whose, not who: not counted
_SEVERAL = frozenset(("they", "them", "themselves", "their", "theirs"))
_ONE = frozenset(("he", "him", "himself", "his", "she", "her", "hers", "herself"))
REASON = "puts another person in place of one the sentence named: it would tell of someone else"
NARROWING_REASON = (
    "puts one person where the sentence named several ('they' or 'their' made 'he', 'she', "
    "'his' or 'her'): it would tell of someone else"
)


def person_counts(text: str) -> tuple[Counter, Counter]:
    """Pronouns per person in ``text``: over every form, and over subject forms only."""
    words = [w.lower() for w in _WORD.findall(text)]
    return (
        Counter(_PERSON[w] for w in words if w in _PERSON),
        Counter(_PERSON[w] for w in words if w in SUBJECT_PRONOUNS),
    )


def _swaps(before: Iterable[Counter], after: Iterable[Counter]) -> bool:
    """Whether, in either count, one person loses a pronoun and another gains one."""
    # A Counter difference keeps the positive counts only: what one side has more of.
    return any(b - a and a - b for b, a in zip(before, after, strict=True))


def swaps_person(edit: Edit) -> bool:
    """Whether ``edit`` takes away a pronoun of one person and brings in one of another."""
    return _swaps(person_counts(edit.before), person_counts(edit.after))


def _several_and_one(text: str) -> tuple[int, int]:
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(w in _SEVERAL for w in words), sum(w in _ONE for w in words)


def narrows_person(before: str, after: str) -> bool:
    """Whether ``after`` has fewer of "they", "them", "their" and their other forms than
    ``before`` and more of "he", "she", "him", "his", "her" and theirs: several people
    made one."""
    (several_before, one_before), (several_after, one_after) = map(
        _several_and_one, (before, after)
    )
    return several_after < several_before and one_after > one_before


def guard_persons(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every edit that changes whom a pronoun names undone, and the
    edits held back.

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the answer for it.
        intentions: what the writer asked for; ``meaning-changed`` lifts the guard.

    Returns:
        The text to offer (``revised`` itself when nothing was held back) and the held
        edits with their reasons, in text order.
    """
    if "meaning-changed" in intentions or source == revised:
        return revised, ()
    same = person_counts(source) == person_counts(revised)
    if same and not narrows_person(source, revised):
        return revised, ()  # every person kept, whatever the edits moved
    edits = compute_edits(source, revised)
    held = {
        i: REASON if swaps_person(e) else NARROWING_REASON
        for i, e in enumerate(edits)
        if swaps_person(e) or narrows_person(e.before, e.after)
    }
    if not held:
        return revised, ()
    return hold_back(source, edits, held)
