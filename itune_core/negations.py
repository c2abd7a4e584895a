"""The negation guard: a revision keeps what its sentence affirms and what it denies.

An edit that drops a "not" or adds one reads as well as the sentence did and says the
opposite: "the method is not slower than the baseline" -> "the method is slower than the
baseline". So, unless the writer asked for ``meaning-changed``, an edit that removes a
negation with none left just before it, or adds one where the clause had none, is held
back with its reason, like the fact guard's.

A negation is "not" (but the "not" of "not only", which denies nothing), "no", "never",
"none", "nobody", "nothing", "nowhere", "neither", "nor", "cannot", and a verb ending in
"n't", with its apostrophe or without it as learners write it ("dont", "cant").

What is not held back:

- a contraction opened or closed: "doesn't" -> "does not", "can not" -> "cannot" (the
  edit keeps its count of negations);
- a double negative made single: "I don't know nothing" -> "I don't know anything" (a
  negation is still there, in the four words before the edit);
- a negation that moves: "I not like it" -> "I do not like it", "I have no money" -> "I
  don't have any money" (the sentence keeps as many negations as it had);
- anything when meaning-changed was asked for.
"""

from collections.abc import Sequence

from itune_core.edits import Edit, HeldEdit, compute_edits, hold_back
from itune_core.words import words

_NEGATIONS = frozenset(
    ("not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor",
     "cannot", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant",
     "couldnt", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "wont", "aint", "mustnt",
     "neednt")
)  # fmt: skip
# How many words before an edit still deny what the edit's words say.
_REACH = 4


def negations(words: Sequence[str], following: str | None = None) -> int:
    """How many of ``words`` (lower case) are negations; ``following`` is the word after
    them, for a "not" at the end ("not" + "only" is none)."""
    count = 0
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else following
        if word == "not" and after == "only":
            continue
        count += word in _NEGATIONS or word.endswith(("n't", "n’t"))
    return count


def _reason(source: str, edit: Edit) -> str | None:
    """Why ``edit`` (of ``source``) turns the clause around, or None when it does not."""
    next_word = (words(source[edit.end_char_pos :])[:1] or [None])[0]
    before = negations(words(edit.before), next_word)
    after = negations(words(edit.after), next_word)
    if before == after:
        return None
    # A negation within reach before the edit, in the text the writer will see.
    left = negations(words(source[: edit.start_char_pos])[-_REACH:], None)
    if before > after and left == 0:
        return "drops a negation: the sentence would say the opposite"
    if after > before and left == 0 and before == 0:
        return "adds a negation: the sentence would say the opposite"
    return None


def guard_negations(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every edit that turns a clause from denying to affirming (or back)
    undone, and the edits held back.

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
    if negations(words(source)) == negations(words(revised)):
        return revised, ()  # negations reworded or moved ("no money" -> "don't ... any")
    edits = compute_edits(source, revised)
    held = {i: why for i, e in enumerate(edits) if (why := _reason(source, e))}
    if not held:
        return revised, ()
    return hold_back(source, edits, held)
