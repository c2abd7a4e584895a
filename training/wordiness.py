"""Synthetic clarity pairs: wordy phrasing injected into concise sentences.

ITERATER's clarity revisions are the most varied of its intentions, and a 135M model
trained on them barely edits when a writer asks for clarity: "Due to the fact that the
budget was limited" and "It is important to note that the data ..." came back unchanged.
The style guides' first advice for clear prose is to cut such padding, so this module makes
``(wordy, concise)`` pairs from clean sentences (the revised side of a training split,
never dev or test): one wordy phrase each, in place of the plain word it pads, labelled
``clarity``. The model learns to undo exactly that change and leave the rest alone.

The paddings, each a rule of ``WORDY_RULES``:

- ``due-to-the-fact``: "because" -> "due to the fact that";
- ``in-order-to``: a "to" of purpose -> "in order to";
- ``despite-the-fact``: "although" -> "despite the fact that";
- ``in-the-event``: "If" opening a sentence or following a comma -> "In the event that";
- ``point-in-time``: "currently", "now" -> "at this point in time", "at the present time";
- ``able-to``: "can" after a pronoun -> "is / are / am able to";
- ``filler-opener``: "It is important to note that", "It should be noted that" or "It is
  worth mentioning that" put before the sentence;
- ``large-number``: "many" -> "a large number of", "most" -> "the majority of";
- ``nominalisation``: "we analyzed the" -> "we performed an analysis of the", "decided to"
  -> "made the decision to" and a few more;
- ``whether-or-not``: "whether" -> "whether or not";
- ``make-use-of``: "we use the" -> "we make use of the";
- ``redundancy``: "combined" -> "combined together", "each" -> "each and every", "the
  result" -> "the end result" and the like;
- ``prior-to``: "before the" -> "prior to the";
- ``proximity``: "near the" -> "in close proximity to the";
- ``with-regard-to``: "questions about the" -> "questions with regard to the".

No library pads English prose on purpose (the simplification corpora ship fixed pairs),
hence these rules, on the word helpers of ``training.learner_errors``.
"""

import random
from collections.abc import Callable, Iterable, Sequence

from itune_core.verb_forms import verb_lemmas
from training.learner_errors import (
    SUBJECT_PRONOUNS,
    corrupted_pairs,
    one_error,
    opener_changes,
    plural_noun,
    same_case,
)

WORDY_RULES: tuple[str, ...] = (
    "due-to-the-fact",
    "in-order-to",
    "despite-the-fact",
    "in-the-event",
    "point-in-time",
    "able-to",
    "filler-opener",
    "large-number",
    "nominalisation",
    "whether-or-not",
    "make-use-of",
    "redundancy",
    "prior-to",
    "proximity",
    "with-regard-to",
)

# (start, end, replacement) in the sentence's characters, as in ``training.learner_errors``.
_Change = tuple[int, int, str]

_BE = {"i": "am", "we": "are", "you": "are", "they": "are", "he": "is", "she": "is", "it": "is"}
# Words that open a noun phrase (an object, or what a preposition governs).
_OBJECT_STARTS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "the a an this these that those our their its his her my your each all both two "
        "three several some many such"
    ).split()
)
# Participles after which "to" + verb says what something is for ("used to compute").
_PURPOSE_PARTICIPLES = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "used designed developed proposed introduced added applied built created employed "
        "adopted conducted performed collected modified extended chosen selected trained"
    ).split()
)
_FILLERS = (
    "It is important to note that ",
    "It should be noted that ",
    "It is worth mentioning that ",
)
# "now" that does not mean "at present" ("from now on", "three months now").
_NOT_BEFORE_NOW = frozenset(
    ("right", "until", "by", "from", "just", "ago", "days", "weeks", "months", "years", "decades")
)
_NOT_AFTER_MANY = frozenset(("how", "so", "too", "as", "very", "the", "of", "in"))
# Which of a light verb's three forms stands for a verb's form ("analyzed" -> "performed").
_LIGHT_VERB = {"base": 0, "third": 1, "past": 2}
_NOMINALISATIONS: dict[str, tuple[str, tuple[str, str, str], str]] = {
    # form of the verb: (form name, light verb's base / third person / past, noun phrase)
    **{
        word: (form, ("perform", "performs", "performed"), "an analysis of")
        for word, form in (
            ("analyze", "base"),
            ("analyse", "base"),
            ("analyzes", "third"),
            ("analyses", "third"),
            ("analyzed", "past"),
            ("analysed", "past"),
        )
    },
    **{
        word: (form, ("conduct", "conducts", "conducted"), "an investigation of")
        for word, form in (
            ("investigate", "base"),
            ("investigates", "third"),
            ("investigated", "past"),
        )
    },
    **{
        word: (form, ("carry out", "carries out", "carried out"), "an evaluation of")
        for word, form in (("evaluate", "base"), ("evaluates", "third"), ("evaluated", "past"))
    },
    **{
        word: (form, ("make", "makes", "made"), "a comparison of")
        for word, form in (("compare", "base"), ("compares", "third"), ("compared", "past"))
    },
    **{
        word: (form, ("give", "gives", "gave"), "a description of")
        for word, form in (("describe", "base"), ("describes", "third"), ("described", "past"))
    },
}
_DECIDE = {
    "decide": "make the decision",
    "decides": "makes the decision",
    "decided": "made the decision",
}
_USE = {"use": "make use of", "uses": "makes use of", "used": "made use of"}
_TOGETHER = frozenset(("combine", "combined", "combines", "merge", "merged", "merges"))
_REDUNDANT_NOUNS = {
    "result": "end result",
    "results": "end results",
    "outcome": "final outcome",
    "consensus": "general consensus",
    "history": "past history",
    "plans": "future plans",
}
_DEFINITE = frozenset(("the", "our", "their", "its", "his", "her"))  # never "a end result"
_DETERMINERS = _DEFINITE | {"a", "an"}
# Nouns whose "about" a writer pads into "with regard to" ("questions about the schedule").
_ABOUT_NOUNS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "question questions information concern concerns details discussion debate knowledge "
        "decision decisions comments data findings doubts uncertainty policy advice"
    ).split()
)
# The share of sentences ``filler-opener`` pads: it fits most sentences, so left alone it
# would make most pairs and crowd out the rest.
FILLER_SHARE = 0.2


def _neighbours(words: Sequence, i: int) -> tuple[str, str]:
    """The lower-case words before and after word ``i`` ("" at either end)."""
    before = words[i - 1].lower if i else ""
    return before, words[i + 1].lower if i + 1 < len(words) else ""


def _next_is(words: Sequence, i: int, allowed: frozenset[str]) -> bool:
    return i + 1 < len(words) and words[i + 1].lower in allowed


def _due_to_the_fact(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, same_case(w.text, "due to the fact that"))
        for i, w in enumerate(words[:-1])
        if w.lower == "because" and words[i + 1].lower != "of"
    ]


def _in_order_to(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        if w.lower != "to" or not words[i + 1].text.islower() or words[i + 1].lower == "be":
            continue
        opens = i == 0 or text[: w.start].rstrip().endswith(",")
        after_purpose = i > 0 and words[i - 1].lower in _PURPOSE_PARTICIPLES and i > 1
        if (opens or after_purpose) and _is_verb(words[i + 1].lower):
            changes.append((w.start, w.end, same_case(w.text, "in order to")))
    return changes


def _is_verb(word: str) -> bool:
    """Whether ``word`` is a verb's base form ("test", not "tests" or "data")."""
    return word in verb_lemmas(word, ("VB",))


def _despite_the_fact(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, same_case(w.text, "despite the fact that"))
        for i, w in enumerate(words)
        if w.lower in ("although", "though")
        and (i == 0 or words[i - 1].lower not in ("even", "as"))
    ]


def _in_the_event(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        opens = i == 0 or text[: w.start].rstrip().endswith(",")
        if (
            w.lower == "if"
            and opens
            and words[i + 1].lower not in ("so", "not", "any", "necessary")
        ):
            changes.append((w.start, w.end, same_case(w.text, "in the event that")))
    return changes


def _point_in_time(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words):
        before, after = _neighbours(words, i)
        if w.lower == "currently" or (
            w.lower == "now" and before not in _NOT_BEFORE_NOW
            and after not in ("that", "on")
        ):  # fmt: skip
            phrase = rng.choice(("at this point in time", "at the present time"))
            changes.append((w.start, w.end, same_case(w.text, phrase)))
    return changes


def _able_to(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[1:-1], start=1):
        subject, verb = words[i - 1].lower, words[i + 1]
        fits = subject in SUBJECT_PRONOUNS and verb.text.islower() and _is_verb(verb.lower)
        if w.lower == "can" and fits and verb.lower not in ("not", "be", "also", "only"):
            changes.append((w.start, w.end, f"{_BE[subject]} able to"))
    return changes


def _filler_opener(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return opener_changes(words, rng, _FILLERS, FILLER_SHARE)


def _large_number(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        before = words[i - 1].lower if i else ""
        if before in _NOT_AFTER_MANY or before == "at" or not plural_noun(words[i + 1]):
            continue
        if w.lower == "many":
            changes.append((w.start, w.end, same_case(w.text, "a large number of")))
        elif w.lower == "most":
            changes.append((w.start, w.end, same_case(w.text, "the majority of")))
    return changes


def _nominalisation(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[1:-1], start=1):
        before, after = words[i - 1].lower, words[i + 1].lower
        if w.lower in _NOMINALISATIONS and after in _OBJECT_STARTS:
            form, light, noun = _NOMINALISATIONS[w.lower]
            fits = (
                (form == "base" and before in ("i", "we", "you", "they", "to"))
                or (form == "third" and before in ("he", "she", "it"))
                or (form == "past" and before in SUBJECT_PRONOUNS)
            )
            if fits:
                changes.append((w.start, w.end, f"{light[_LIGHT_VERB[form]]} {noun}"))
        elif w.lower in _DECIDE and after == "to" and before in SUBJECT_PRONOUNS | {"to"}:
            changes.append((w.start, w.end, _DECIDE[w.lower]))
    return changes


def _whether_or_not(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        if w.lower == "whether" and "or" not in {x.lower for x in words[i + 1 :]}:
            changes.append((w.start, w.end, same_case(w.text, "whether or not")))
    return changes


def _make_use_of(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[1:-1], start=1):
        before = words[i - 1].lower
        after_subject = before in SUBJECT_PRONOUNS or (before == "to" and w.lower == "use")
        if w.lower in _USE and after_subject and _next_is(words, i, _OBJECT_STARTS):
            changes.append((w.start, w.end, _USE[w.lower]))
    return changes


def _redundancy(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words):
        before, nxt = _neighbours(words, i)
        if w.lower in _TOGETHER and w.text.islower() and nxt != "together":
            changes.append((w.start, w.end, w.text + " together"))
        elif w.lower == "each" and nxt not in ("other", "of", "and", ""):
            changes.append((w.start, w.end, same_case(w.text, "each and every")))
        elif w.lower in _REDUNDANT_NOUNS and before in _DEFINITE and w.text.islower():
            changes.append((w.start, w.end, _REDUNDANT_NOUNS[w.lower]))
    return changes


def _prior_to(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, same_case(w.text, "prior to"))
        for i, w in enumerate(words[:-1])
        if w.lower == "before" and words[i + 1].lower in ("the", "a", "an", "this", "their", "our")
    ]


def _proximity(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, "in close proximity to")
        for i, w in enumerate(words[1:-1], start=1)
        if w.text == "near" and words[i + 1].lower in ("the", "a", "an", "our", "their", "its")
    ]


def _with_regard_to(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[1:-2], start=1):
        if w.lower != "about" or words[i - 1].lower not in _ABOUT_NOUNS:
            continue
        if words[i + 1].lower in _DETERMINERS and words[i + 2].lower not in ("same", "other"):
            changes.append((w.start, w.end, "with regard to"))
    return changes


WORDY_RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "due-to-the-fact": _due_to_the_fact,
    "in-order-to": _in_order_to,
    "despite-the-fact": _despite_the_fact,
    "in-the-event": _in_the_event,
    "point-in-time": _point_in_time,
    "able-to": _able_to,
    "filler-opener": _filler_opener,
    "large-number": _large_number,
    "nominalisation": _nominalisation,
    "whether-or-not": _whether_or_not,
    "make-use-of": _make_use_of,
    "redundancy": _redundancy,
    "prior-to": _prior_to,
    "proximity": _proximity,
    "with-regard-to": _with_regard_to,
}


def pad_sentence(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """``(wordy, concise, rules)``: one padding of ``WORDY_RULES``, the rarer rules tried
    first (``one_error``); ``filler-opener``, which fits most sentences, comes last and
    pads only a ``FILLER_SHARE`` of those it fits. ``wordy == concise`` when nothing
    applies."""
    return one_error(sentence, rng, WORDY_RULE_FUNCTIONS, "filler-opener")


def wordy_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(wordy, concise, rules)`` triples of ``pad_sentence``, one per
    distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, pad_sentence)
