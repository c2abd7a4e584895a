"""Synthetic style pairs: casual wording injected into formal sentences.

ITERATER has few style revisions (100 in train, most of them a single word swapped for
another of the same register), and a 135M model trained on them never edits when a writer
asks for style: "The model doesn't work well", "We got a lot of good results" and "The new
method is way better" came back unchanged. What a writer of a report, an essay or a paper
most often wants from a style pass is the formal register, so this module makes ``(casual,
formal)`` pairs from clean sentences (the revised side of a training split, never dev or
test): one casual turn each, in place of the formal wording it stands for, labelled
``style``. The model learns to undo exactly that change and leave the rest alone.

The turns, each a rule of ``INFORMAL_RULES``:

- ``contraction``: "do not" -> "don't", "it is" -> "it's", "cannot" -> "can't" and the
  other full forms of ``CONTRACTIONS`` (in a ``CONTRACTION_SHARE`` of the sentences that
  hold one);
- ``intensifier``: "very" -> "really", "pretty" or "super" before a word it grades;
- ``a-lot``: "many" before a plural noun -> "a lot of", "lots of" or "tons of"; "much"
  before a comparative -> "way" or "a lot";
- ``phrasal-verb``: "investigated the" -> "looked into the", "obtained" -> "got",
  "eliminate" -> "get rid of", "determined that" -> "figured out that" and the like;
- ``casual-word``: "children" -> "kids", "excellent" -> "awesome", "perhaps" -> "maybe",
  "slightly" -> "a bit", "somewhat" -> "kind of" and a few more;
- ``but-opener``: "However, " opening a sentence -> "But ";
- ``and-stuff``: "etc." -> "and stuff", "and so on" -> "and stuff like that";
- ``casual-opener``: "Basically, ", "Honestly, " or "Well, " put before the sentence (in
  an ``OPENER_SHARE`` of those it fits).

Sentences that already hold a casual turn are not used, so no pair teaches the model to
keep one. No library turns formal English casual on purpose, hence these rules, on the word
helpers of ``training.learner_errors``.
"""

import random
import re
from collections.abc import Callable, Iterable, Sequence

from training.learner_errors import (
    SUBJECT_PRONOUNS,
    corrupted_pairs,
    one_error,
    opener_changes,
    plural_noun,
    same_case,
)

INFORMAL_RULES: tuple[str, ...] = (
    "contraction",
    "intensifier",
    "a-lot",
    "phrasal-verb",
    "casual-word",
    "but-opener",
    "and-stuff",
    "casual-opener",
)

# (start, end, replacement) in the sentence's characters, as in ``training.learner_errors``.
_Change = tuple[int, int, str]

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# Full forms and their contractions; a sentence holding any contraction is not used.
CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("is not", "isn't"),
    ("are not", "aren't"),
    ("was not", "wasn't"),
    ("were not", "weren't"),
    ("has not", "hasn't"),
    ("have not", "haven't"),
    ("cannot", "can't"),
    ("could not", "couldn't"),
    ("would not", "wouldn't"),
    ("should not", "shouldn't"),
    ("will not", "won't"),
    ("it is", "it's"),
    ("that is", "that's"),
    ("there is", "there's"),
    ("we are", "we're"),
    ("they are", "they're"),
    ("you are", "you're"),
    ("i am", "I'm"),
)
# The casual words this module writes: a sentence holding one is not a formal source.
_CASUAL = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "really pretty super lots tons way kids kid awesome tough maybe bit kinda sorta "
        "stuff basically honestly well okay ok guys gonna wanna got get gets getting"
    ).split()
)
# A word's "'s" is a possessive, but after these it is "is" or "has" contracted.
_PRONOUN_S = frozenset(
    f"{word}'s" for word in ("it", "that", "there", "what", "he", "she", "who", "here", "let")
)
# Words after which a verb's past form is a participle or an adjective, not a past tense.
_BE_HAVE = frozenset(
    "is are was were be been being am has have had having".split()  # noqa: SIM905
)
_NOT_BEFORE_PAST = _BE_HAVE | frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "the a an this that these those by of newly well its their our his her"
    ).split()
)
_MODALS = frozenset(("can", "could", "will", "would", "should", "may", "might", "must", "to"))
# Words that open a noun phrase (an object).
_OBJECT_STARTS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "the a an this these that those our their its his her my your each all both two "
        "three several some many such any new more"
    ).split()
)
# A formal verb's (base, third person, past) and the casual phrasal verb's same three forms;
# ``_PHRASAL_NEXT`` says which words may follow (an object, or a clause for "determined").
_PHRASAL: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("investigate", "investigates", "investigated"): ("look into", "looks into", "looked into"),
    ("examine", "examines", "examined"): ("check out", "checks out", "checked out"),
    ("obtain", "obtains", "obtained"): ("get", "gets", "got"),
    ("receive", "receives", "received"): ("get", "gets", "got"),
    ("eliminate", "eliminates", "eliminated"): ("get rid of", "gets rid of", "got rid of"),
    ("devise", "devises", "devised"): ("come up with", "comes up with", "came up with"),
    ("postpone", "postpones", "postponed"): ("put off", "puts off", "put off"),
    ("tolerate", "tolerates", "tolerated"): ("put up with", "puts up with", "put up with"),
    ("determine", "determines", "determined"): ("figure out", "figures out", "figured out"),
    ("discover", "discovers", "discovered"): ("find out", "finds out", "found out"),
    ("contact", "contacts", "contacted"): (
        "get in touch with",
        "gets in touch with",
        "got in touch with",
    ),
}
_CLAUSE_VERBS = frozenset(("determine", "discover"))  # "figured out that", not "... the"
_CLAUSE_STARTS = frozenset(("that", "how", "what", "whether", "why", "which", "when"))
_PHRASAL_FORMS: dict[str, tuple[int, tuple[str, str, str], tuple[str, str, str]]] = {
    form: (n, formal, casual)
    for formal, casual in _PHRASAL.items()
    for n, form in enumerate(formal)
}
# Single words and their casual stand-ins (several: one drawn per change).
_CASUAL_WORDS: dict[str, tuple[str, ...]] = {
    "children": ("kids",),
    "child": ("kid",),
    "excellent": ("awesome", "great"),
    "difficult": ("tough",),
    "perhaps": ("maybe",),
    "slightly": ("a bit",),
    "somewhat": ("kind of", "sort of", "a bit"),
    "numerous": ("tons of", "loads of"),
    "acceptable": ("okay",),
}
_INTENSIFIERS = ("really", "pretty", "super")
_NOT_BEFORE_VERY = frozenset(("the", "this", "that", "his", "her", "its", "their", "our", "at"))
# "very" before these is not an intensifier a casual writer swaps ("the very same").
_NOT_GRADED = frozenset(("much", "many", "few", "little", "own", "same", "first", "last"))
_COMPARATIVES = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "more less better worse larger smaller higher lower faster slower greater easier "
        "harder longer shorter stronger weaker bigger"
    ).split()
)
_NOT_AFTER_MANY = frozenset(("how", "so", "too", "as", "very", "the", "of", "in", "not"))
_OPENERS = ("Basically, ", "Honestly, ", "Well, ")
# The share of sentences ``contraction`` turns: academic prose is full of "is not" and "it
# is", so left alone contractions would make almost half of the pairs.
CONTRACTION_SHARE = 0.5
# The share of sentences ``casual-opener`` turns: it fits most sentences, so left alone it
# would make most pairs and crowd out the rest.
OPENER_SHARE = 0.2


def _plural_noun(word) -> bool:
    return plural_noun(word) or word.text == "children"


def _contraction(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    if rng.random() >= CONTRACTION_SHARE:
        return []
    changes = []
    for full, short in CONTRACTIONS:
        for match in re.finditer(rf"\b{full}\b", text, flags=re.IGNORECASE):
            if full == "it is" and text[match.end() :].lstrip()[:1] in (".", ",", ""):
                continue  # "as it is." stays full even in speech
            changes.append((match.start(), match.end(), same_case(match.group(), short)))
    return changes


def _intensifier(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        before = words[i - 1].lower if i else ""
        nxt = words[i + 1]
        grades = nxt.text.islower() and nxt.lower not in _NOT_GRADED
        if w.lower == "very" and before not in _NOT_BEFORE_VERY and grades:
            changes.append((w.start, w.end, same_case(w.text, rng.choice(_INTENSIFIERS))))
    return changes


def _a_lot(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[:-1]):
        before = words[i - 1].lower if i else ""
        if before in _NOT_AFTER_MANY:
            continue
        if w.lower == "many" and _plural_noun(words[i + 1]):
            phrase = rng.choice(("a lot of", "lots of", "tons of"))
            changes.append((w.start, w.end, same_case(w.text, phrase)))
        elif w.lower == "much" and words[i + 1].lower in _COMPARATIVES and i:
            changes.append((w.start, w.end, rng.choice(("way", "a lot"))))
    return changes


def _phrasal_verb(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words[1:-1], start=1):
        if w.lower not in _PHRASAL_FORMS or not w.text.islower():
            continue
        n, formal, casual = _PHRASAL_FORMS[w.lower]
        before, after = words[i - 1].lower, words[i + 1].lower
        wanted = _CLAUSE_STARTS if formal[0] in _CLAUSE_VERBS else _OBJECT_STARTS
        if after not in wanted:
            continue
        two_before = words[i - 2].lower if i > 1 else ""
        past = before not in _NOT_BEFORE_PAST and two_before not in _BE_HAVE  # "was soon found"
        fits = (
            (n == 0 and before in SUBJECT_PRONOUNS - {"he", "she", "it"} | _MODALS)
            or (n == 1 and before in ("he", "she", "it"))
            or (n == 2 and past)
        )
        if formal[0] in _CLAUSE_VERBS and before not in SUBJECT_PRONOUNS:
            continue  # "will determine whether" decides; only "we determined" finds out
        if fits:
            changes.append((w.start, w.end, casual[n]))
    return changes


def _casual_word(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = []
    for i, w in enumerate(words):
        if w.lower not in _CASUAL_WORDS or not (w.text.islower() or w.start == 0):
            continue
        casual = same_case(w.text, rng.choice(_CASUAL_WORDS[w.lower]))
        article = words[i - 1] if i else None
        if article is not None and article.lower in ("a", "an"):  # "an excellent" -> "a great"
            new = "an" if casual[:1].lower() in "aeiou" else "a"
            changes.append((article.start, w.end, f"{same_case(article.text, new)} {casual}"))
        else:
            changes.append((w.start, w.end, casual))
    return changes


def _but_opener(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    match = re.match(r"However,\s*", text)
    if not match or len(words) < 3 or not words[1].text.islower():
        return []
    return [(0, match.end(), "But ")]


def _and_stuff(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    changes = [
        (m.start(), m.end(), " and stuff" + ("." if not text[m.end() :].strip() else ""))
        for m in re.finditer(r",? etc\.", text)  # the period that ended the sentence stays
    ]
    return changes + [
        (m.start(), m.end(), "and stuff like that") for m in re.finditer(r"\band so on\b", text)
    ]


def _casual_opener(words: Sequence, text: str, rng: random.Random) -> list[_Change]:
    return opener_changes(words, rng, _OPENERS, OPENER_SHARE)


INFORMAL_RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "contraction": _contraction,
    "intensifier": _intensifier,
    "a-lot": _a_lot,
    "phrasal-verb": _phrasal_verb,
    "casual-word": _casual_word,
    "but-opener": _but_opener,
    "and-stuff": _and_stuff,
    "casual-opener": _casual_opener,
}


def is_formal(sentence: str) -> bool:
    """Whether ``sentence`` holds none of the casual turns this module writes (no
    contraction, no "really", "kids", "got"...), so it is a fair formal source."""
    for word in _WORD.findall(sentence.lower()):
        if word in _CASUAL or ("'" in word and (word in _PRONOUN_S or not word.endswith("'s"))):
            return False
    return not re.search(r"\b(a lot|and stuff)\b", sentence, flags=re.IGNORECASE)


def casual_sentence(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """``(casual, formal, rules)``: one casual turn of ``INFORMAL_RULES``, the rarer rules
    tried first (``one_error``); ``casual-opener``, which fits most sentences, comes last
    and turns only an ``OPENER_SHARE`` of those it fits. ``casual == formal`` when nothing
    applies or the sentence is already casual."""
    if not is_formal(sentence):
        return sentence, sentence, ()
    return one_error(sentence, rng, INFORMAL_RULE_FUNCTIONS, "casual-opener")


def informal_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(casual, formal, rules)`` triples of ``casual_sentence``, one per
    distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, casual_sentence)
