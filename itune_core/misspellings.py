"""The misspelling guard: a misspelt word gets its spelling, not another word.

Asked for fluency, the model spells most misspelt words right ("recieve" -> "receive"),
but now and then it reads one as another word altogether: "I was late becouse the bus
didn't come" came back "I was late until the bus didn't come", "tommorow evening" "for
the next evening", "The wheather was terible" "The weather was difficult". Each answer
reads well and says something the writer did not. So an edit that replaces a word no
dictionary knows with words that are not its spelling is held back with its reason, and
the word's spelling is offered in its place ("becouse" -> "because").

A word is misspelt here when it is letters only, three or more, in lower case (a
capitalised word may be a name, at a piece's start too: "Porto is ..."), and neither
pyspellchecker's English word list, lemminflect's dictionary nor the American spelling of it
(``itune_core.varieties``) knows it. A contraction without its apostrophe ("dont") and a
known word with a regular ending added ("teached", "childs", "furnitures") are errors of
grammar, not of spelling: the model mends them with other words ("doesn't", "taught",
"children"), and they are left to it (a follow-up after the first dev scores).

The edit is held when its words before hold exactly one such word, its words after do
not keep it, none of them is one of the word's spellings within two letters (the
speller's candidates), and they are not like it either (difflib's ratio below 0.75
against the words after joined: "pretrained" -> "pre-trained" is a respelling); where the
speller has no spelling for the word, the edit stands. Under meaning-changed the writer
asked for other words, and the guard does not hold.

The model misspells a verb form now and then too: "It broaden the mind" came back "It
broades the mind" (bf16, the learner draft through the app). Where an edit puts a word no
dictionary knows in place of a verb, and the word begins with that verb (less its last two
letters) and ends in "s", "ed" or "ing", it gets the verb's own form with that ending
("broadens"; docs/default-adapter.md, "A verb form the model misspells").

The word list is the pyspellchecker package's (MIT), shipped in its wheel: nothing is
downloaded. Chosen on dev under a rule written before its scores (docs/default-adapter.md,
"A misspelt word made another word").
"""

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache, lru_cache

from spellchecker import SpellChecker

from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits
from itune_core.mechanics import CONTRACTIONS
from itune_core.varieties import american_spelling
from itune_core.verb_forms import (
    parts_of_speech,
    present_participle,
    present_third,
    simple_past,
    verb_lemmas,
)
from itune_core.words import WORD, words

REASON = "replaced a misspelt word with another word: its spelling is offered instead"
# Below this likeness to the words after, those words are no respelling of the word.
_LIKE = 0.75
_AROUND = " .,;:!?"  # what may stand around a one-word edit's word
_LETTERS = re.compile(r"[A-Za-z]{3,}")


@cache
def _speller() -> SpellChecker:
    return SpellChecker(language="en", distance=2)


def preload() -> None:
    """Read the speller's word list now (about 0.15 s) rather than in the first revision
    that changes a word."""
    _speller()


def _known(word: str) -> bool:
    return bool(_speller().known([word, american_spelling(word)]) or parts_of_speech(word))


def _stems(word: str) -> list[str]:
    """What ``word`` would be without an ending a learner may have put on it by rule
    ("teached": "teach", "childs": "child", "furnitures": "furniture")."""
    stems = []
    for ending, cuts in (("ed", (2, 1, 3)), ("es", (2, 1)), ("s", (1,)), ("ing", (3,))):
        if word.endswith(ending):
            stems += [word[:-cut] for cut in cuts]
    return [stem for stem in stems if len(stem) >= 3]


def misspelt(word: str) -> bool:
    """Whether ``word`` (as written) is one that no dictionary here knows, and no known
    word with a regular ending or a contraction without its apostrophe either: "teached",
    "childs" and "dont" are errors of grammar, which the model mends with other words."""
    low = word.lower()
    if not _LETTERS.fullmatch(word) or any(c.isupper() for c in word[1:]):
        return False
    if _known(low) or low in CONTRACTIONS:
        return False
    return not any(_known(stem) for stem in _stems(low))


@lru_cache(maxsize=4096)
def _candidates(word: str) -> tuple[str, ...]:
    """The known spellings of ``word`` within two letters, the commonest first (two
    letters away the search takes most of a second for a long word, so it is kept)."""
    speller = _speller()
    found = speller.candidates(word) or set()
    return tuple(sorted(found, key=lambda w: (-speller.word_usage_frequency(w), w)))


def mends_spelling(before: str, after: str) -> bool:
    """Whether an edit from ``before`` to ``after`` only spells a word right: ``before`` is
    one lower-case misspelt word (``misspelt``), ``after`` one of its spellings within two
    letters ("bussinessman" -> "businessman"), each with any spaces and stops around it."""
    word, spelled = before.strip(_AROUND), after.strip(_AROUND)
    if not word.islower() or not misspelt(word) or not spelled:
        return False
    return spelled in _candidates(word)


def _spelling(word: str, after: str) -> str | None:
    """The spelling to offer for the misspelt ``word`` where ``after`` (what the model
    put in its place) is no spelling of it; None where ``after`` is one, or the speller
    has none."""
    said = words(after)
    candidates = _candidates(word)
    if word in said or set(candidates) & set(said) or not candidates:
        return None
    joined = re.sub(r"[\s\-]", "", after.lower())
    if difflib.SequenceMatcher(a=word, b=joined).ratio() >= _LIKE:
        return None
    return candidates[0]


def _inflection(word: str, before: str) -> str | None:
    """The right form of a verb in ``before`` where ``word`` (a word no dictionary knows,
    in the model's answer) is a misspelt form of it: the same beginning, less the verb's
    last two letters, and an ending of "s", "ed" or "ing" ("broades" for "broaden":
    "broadens"); None otherwise."""
    for verb in words(before):
        if len(verb) < 4 or not verb_lemmas(verb, ("VB", "VBP")) or verb == word:
            continue
        if not word.startswith(verb[:-2]):
            continue
        if word.endswith("ing"):
            return present_participle(verb)
        if word.endswith("ed"):
            return simple_past(verb)
        if word.endswith("s"):
            return present_third(verb)
    return None


def _mend_inflections(edit: Edit) -> Edit:
    """``edit`` with each misspelt verb form the model put in it (``_inflection``) made
    right."""
    after = edit.after
    for match in reversed(list(WORD.finditer(after))):
        word = match.group()
        if not (word.islower() and _LETTERS.fullmatch(word)) or _known(word):
            continue  # a word the dictionary knows, or no word of letters
        right = _inflection(word, edit.before)
        if right is not None and right != word:
            after = after[: match.start()] + right + after[match.end() :]
    return edit if after == edit.after else replace(edit, after=after)


def guard_misspellings(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every edit that makes a misspelt word of ``source`` another word
    held back, and the word's spelling offered in its place; a verb form the model
    misspelt in its own words gets the verb's right form (``_inflection``).

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the answer for it (after the other guards).
        intentions: what the writer asked for; under meaning-changed nothing is held.

    Returns:
        The text to offer and the held edits with their reason, in text order.
    """
    if source == revised or "meaning-changed" in intentions:
        return revised, ()
    edits = [_mend_inflections(e) for e in compute_edits(source, revised)]
    offered, held = [], []
    for edit in edits:
        found = [
            m for m in WORD.finditer(edit.before) if m.group().islower() and misspelt(m.group())
        ]
        spelling = _spelling(found[0].group(), edit.after) if len(found) == 1 else None
        if spelling is None:
            offered.append(edit)
            continue
        word = found[0]
        after = edit.before[: word.start()] + spelling + edit.before[word.end() :]
        offered.append(replace(edit, after=after, type="R"))
        held.append(HeldEdit(edit.before, edit.after, REASON))
    return apply_edits(source, offered), tuple(held)
