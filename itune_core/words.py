"""Words as the guards and the fixes read them: one pattern for a word, its lower-case
list, and a replacement written in the case of the word it replaces.

Several guards (deletions, adverbs, negations, connectors) compare the words of a piece
and of an answer, and several fixes (mechanics, uncountables, tenses, constructions,
collocations) put a word in another's place; they share these so that they agree on
what a word is ("don't" is one, "state-of-the-art" four) and on keeping a capital.
"""

import re

# Languages a learner names ("for study English", "has a good English").
LANGUAGES = frozenset(
    ("English", "Spanish", "French", "German", "Italian", "Portuguese", "Chinese", "Japanese",
     "Korean", "Russian", "Arabic", "Turkish", "Polish", "Dutch", "Greek", "Hindi")
)  # fmt: skip
# Plural nouns that do not end in "s".
PLURALS_WITHOUT_S = frozenset(("people", "children", "men", "women", "police"))
# The subject pronouns, in lower case.
SUBJECT_PRONOUNS = frozenset(("i", "you", "he", "she", "it", "we", "they"))
# The modal verbs: no "-s", no "do" before them, a bare verb after.
MODALS = frozenset(("can", "could", "will", "would", "shall", "should", "may", "might", "must"))
# A word: letters or digits, with an apostrophe inside ("don't", "writer’s").
WORD = re.compile(r"\w+(?:['’]\w+)*")


def words(text: str) -> list[str]:
    """The words of ``text``, in lower case."""
    return [w.lower() for w in WORD.findall(text)]


def keep_case(like: str, word: str) -> str:
    """``word`` with a capital first letter where ``like`` has one ("Its" -> "It's")."""
    return word[0].upper() + word[1:] if like[:1].isupper() else word
