"""Everyday prose: the texts the built-in fluency specialist serves.

The fluency specialist (docs/default-adapter.md, "Everyday prose") mends errors of
everyday English that step 4 leaves ("I am agree", "explain me", "since five years"), but
on news and arXiv sentences it also writes articles into headlines and lists ("Location
of" -> "The location of"). So a request for fluency alone goes to it only where the text
reads as everyday prose, and to step 4 elsewhere.

Two marks of the formal prose of papers, encyclopaedias and the news tell it apart, both
read from the text alone, so a writer's request is routed the same way each time:

- long sentences: more than ``MAX_WORDS_PER_SENTENCE`` words a sentence on average;
- proper names and acronyms: more than ``MAX_NAMES_PER_SENTENCE`` a sentence on average,
  counting each word that starts with a capital letter and is not the first word of its
  sentence, the pronoun "I" ("I'm", "I've"), or a day or a month.

Both thresholds were chosen on the dev sets, after both adapters' answers were known:
they send 29 of the 115 ITERATER-sent requests for fluency alone, and every hand-written
learner sentence, to the specialist.
"""

import re

from itune_core.facts import CALENDAR
from itune_core.segment import split_pieces

MAX_WORDS_PER_SENTENCE = 20
MAX_NAMES_PER_SENTENCE = 2

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PRONOUN_I = re.compile(r"I(?:['’][a-z]+)?")


def _names(sentence: str) -> int:
    """Words of ``sentence`` after its first that start with a capital letter, "I" aside."""
    words = _WORD.findall(sentence)[1:]
    return sum(
        word[0].isupper()
        and not _PRONOUN_I.fullmatch(word)
        and word.lower().removesuffix("s") not in CALENDAR
        for word in words
    )


def is_everyday(text: str) -> bool:
    """Whether ``text`` reads as everyday prose: short sentences with few proper names.

    A text with no words is not (there is nothing to route on)."""
    sentences = [text[start:end] for start, end in split_pieces(text)]
    sentences = [s for s in sentences if _WORD.search(s)]
    if not sentences:
        return False
    words = sum(len(s.split()) for s in sentences)
    names = sum(_names(s) for s in sentences)
    short = words <= MAX_WORDS_PER_SENTENCE * len(sentences)
    return short and names <= MAX_NAMES_PER_SENTENCE * len(sentences)
