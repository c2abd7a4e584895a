"""Uncountable nouns: "advice", "furniture" and their kind are never counted.

The model mends a learner's counted uncountable by half: "The shop sells many furnitures"
came back "many furniture", "How many luggages" "How many luggage", and "He gave me an
advice" as written. For the nouns of ``UNCOUNTABLE``, which English does not count,
``mend_uncountables`` makes the rest of the fix:

- the plural becomes the noun ("advices" -> "advice");
- "many" before it (one word at most between) becomes "a lot of", and "too many", "so
  many", "how many" become "too much", "so much", "how much";
- "a" or "an" before it (one word at most between, and a degree adverb before that word:
  "a very good news for you" -> "some very good news") becomes "some".

The last two only where the noun ends its phrase, followed by punctuation, the end, or one
of ``_PHRASE_ENDS`` (a preposition, a function word or an auxiliary: "advice about",
"luggage can"): before another noun it names a kind of thing ("a knowledge graph", "a
feedback loop": the only such phrases ITERATER's 4,018 sentences hold) and is left alone.
The mechanical fixes (``itune_core.mechanics``) call this, when fluency is asked; chosen
on dev under a rule written before its scores (docs/default-adapter.md, "Uncountable
nouns").
"""

import re

from itune_core.words import keep_case

UNCOUNTABLE = (
    "advice", "furniture", "luggage", "baggage", "information", "homework", "equipment",
    "knowledge", "evidence", "feedback", "traffic", "progress", "scenery", "machinery",
    "jewellery", "jewelry", "garbage", "rubbish", "housework", "accommodation", "news",
)  # fmt: skip

# Words that may follow a noun which ends its phrase.
_PHRASE_ENDS = frozenset(
    ("about", "after", "against", "among", "around", "at", "before", "behind", "between",
     "by", "during", "for", "from", "in", "into", "of", "on", "over", "since", "through",
     "to", "under", "until", "with", "without", "and", "or", "but", "so", "because", "if",
     "when", "that", "which", "who", "is", "was", "are", "were", "has", "had", "have",
     "can", "could", "will", "would", "should", "may", "might", "must", "did", "does",
     "do", "this", "these", "the", "here", "there", "today", "now", "yesterday")
)  # fmt: skip

# Between "a" and the noun, these measure it: "a little advice", "a bit of" stay.
_MEASURES = frozenset(("little", "lot", "bit", "piece", "great", "good-sized"))

_NOUNS = "|".join(UNCOUNTABLE)
_PLURAL = re.compile(rf"\b({_NOUNS})s\b", re.IGNORECASE)
# "many" / "a" / "an", at most one word (and a degree adverb before it), the noun, and
# what follows it.
_COUNTED = re.compile(
    rf"\b(?:(too|so|how)\s+)?(many|an?)(\s+)((?:(?:very|really|quite)\s+)?(?:[A-Za-z-]+\s+)?)"
    rf"({_NOUNS})\b"
    r"(?=(\s*[^\w\s]|\s*$|\s+([A-Za-z']+)))",
    re.IGNORECASE,
)


def _counted(match: re.Match) -> str:
    degree, quantifier, space, between, noun = match.group(1, 2, 3, 4, 5)
    following = match.group(7)
    if following is not None and following.lower() not in _PHRASE_ENDS:
        return match.group(0)  # "a knowledge graph": the noun names a kind of thing
    if between.strip().lower() in UNCOUNTABLE or between.strip().lower() in _MEASURES:
        return match.group(0)  # "a little information" counts nothing
    if quantifier.lower() == "many":
        if degree:
            return f"{degree} much{space}{between}{noun}"
        return f"{keep_case(quantifier, 'a lot of')}{space}{between}{noun}"
    if degree:
        return match.group(0)
    return f"{keep_case(quantifier, 'some')}{space}{between}{noun}"


def mend_uncountables(text: str) -> str:
    """``text`` with the nouns of ``UNCOUNTABLE`` no longer counted: plurals made the
    noun, "many" made "a lot of" (or "much"), "a"/"an" made "some" where the noun ends its
    phrase."""
    text = _PLURAL.sub(lambda m: m.group(1), text)
    return _COUNTED.sub(_counted, text)
