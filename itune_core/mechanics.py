"""Mechanical fixes: what every grammar checker mends, made whenever fluency is asked.

The model leaves a few errors that need no judgement: "and i like it" kept its "i",
"gives us alot of homework" kept "alot", "she is a engineer" kept "a". A writer who asks
for fluency expects those mended, so ``fix_mechanics`` makes three fixes in the text
offered (or in the piece, where the model's answer was discarded):

- the pronoun "i" becomes "I": a lower-case "i" standing alone before a verb form that
  goes with "I" ("i think", "i went", "i can"; not "i ranges", which names a variable),
  one of ``_PRONOUN_ADVERBS`` ("i really"), or written "i'm", "i've", "i'll", "i'd";
- "alot" becomes "a lot";
- "a" before a word that begins with a, e, i or o becomes "an", and "an" before one that
  begins with a consonant other than h or x becomes "a". Left alone: words whose sound
  does not follow their first letter (``_NOT_BY_LETTER``: "a one-way", "a European"),
  "u" and "h" words both ways ("a university", "an hour"), words in capitals or with
  digits ("an NGO", "an mp3"), words of one letter and function words ("a and b" names a
  variable), and an article joined to the word before it ("a.k.a").

ITERATER-sent (4,018 rows) holds no pronoun "i" and no "alot"; the article rule would
change two of its sentences, both rightly ("a intensive", "an punitive"). The rules were
chosen on dev under a rule written before their scores (docs/default-adapter.md,
"Mechanical fixes").
"""

import re
from collections.abc import Sequence

from itune_core.verb_forms import verb_lemmas

# Adverbs that stand between "I" and its verb.
_PRONOUN_ADVERBS = frozenset(
    (
        "really",
        "also",
        "always",
        "never",
        "often",
        "usually",
        "sometimes",
        "just",
        "still",
        "already",
        "even",
        "only",
        "don't",
        "didn't",
        "can't",
        "won't",
        "wasn't",
        "haven't",
        "hadn't",
        "couldn't",
        "wouldn't",
        "shouldn't",
    )
)
_MODALS = frozenset(("can", "could", "will", "would", "shall", "should", "may", "might", "must"))
# The forms of a verb that follow "I": base ("I go"), present ("I am") and past ("I went").
_PRONOUN_TAGS = ("VB", "VBP", "VBD")

# Words that follow no article: after "a" or "an" they mean a letter or a variable.
_FUNCTION_WORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "with",
    )
)
# Beginnings whose sound is not their first letter's ("a one-way", "a European").
_NOT_BY_LETTER = ("one", "once", "eu", "ewe", "uni", "use", "usu", "ur", "ouija")

_PRONOUN = re.compile(r"(?<![\w.\-'’])i(?=(['’](?:m|ve|ll|d)\b)|\s+([A-Za-z]+(?:['’]t)?)\b)")
_ALOT = re.compile(r"(?<![\w'’])([Aa])lot\b")
_ARTICLE = re.compile(r"(?<![\w.\-'’])([Aa]n?)(\s+)([A-Za-z][\w'’-]*)")


def _follows_i(word: str) -> bool:
    """Whether ``word`` (lower case) can follow the pronoun "I"."""
    if word in _PRONOUN_ADVERBS or word in _MODALS:
        return True
    return word not in ("is", "has", "does") and bool(verb_lemmas(word, _PRONOUN_TAGS))


def _pronoun(match: re.Match) -> str:
    contracted, following = match.group(1), match.group(2)
    return "I" if contracted or _follows_i(following.lower().replace("’", "'")) else "i"


def _article(match: re.Match) -> str:
    article, space, word = match.groups()
    low = word.lower()
    if (
        len(word) < 2
        or low in _FUNCTION_WORDS
        or any(c.isdigit() for c in word)
        or any(c.isupper() for c in word[1:])
        or low.startswith(_NOT_BY_LETTER)
    ):
        return match.group(0)
    vowel = low[0] in "aeio"
    consonant = low[0] not in "aeiouhx"
    if article.lower() == "a" and vowel:
        article += "n"
    elif article.lower() == "an" and consonant:
        article = article[0]
    return f"{article}{space}{word}"


def fix_mechanics(text: str, intentions: Sequence[str]) -> str:
    """``text`` with the pronoun "i", "alot" and "a"/"an" mended when ``intentions``
    include fluency; ``text`` itself otherwise."""
    if "fluency" not in intentions:
        return text
    text = _PRONOUN.sub(_pronoun, text)
    text = _ALOT.sub(lambda m: f"{m.group(1)} lot", text)
    return _ARTICLE.sub(_article, text)
