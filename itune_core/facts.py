"""The fact guard: edits that would change a number, a date or a name are held back.

A small model asked to polish a sentence sometimes rewrites what it says: "a base scale
dataset (16GB) and a large scale dataset (160GB)" came back with "base" and "large"
swapped, and a writer who accepts that publishes a wrong number. Unless the writer asked
for ``meaning-changed``, no edit may alter the facts of a sentence, so the reviser checks
every piece's answer before it offers it:

- **fact tokens** are the words that carry facts: any token with a digit (numbers,
  years, quantities such as ``16GB``), number words (``three``, ``million``), month and
  weekday names, acronyms (two or more capitals) and capitalised words that do not start
  a sentence (names);
- an edit that **drops or alters** a fact token (it is in the piece, nowhere in the
  answer, compared case-insensitively so "world cup" -> "World Cup" is fine) or
  **introduces** one (in the answer, nowhere in the piece) is held back;
- an edit that **moves** a word across a fact token (the word is deleted in one edit and
  inserted in another, with a fact token between the two) is held back, together with its
  partner: that is how "base" and "large" trade places around "16GB";
- an edit that puts **"for" before a year** where the sentence had another word keeps the
  year but makes a point in time a length of time: "are married since 2015" came back as
  "have been married for 2015", and "stayed with our cousins in 2020" as "... for 2020".
  No human revision of ITERATER-sent train or dev does that (docs/default-adapter.md, "A
  year made a length of time").

Held-back edits are undone (any subset of edits applies cleanly, see ``itune_core.edits``)
and reported with their reason, so the writer sees what was not offered and why. The
check works on one sentence at a time; it is conservative (a harmless "16GB" -> "16 GB"
is held back too), which is the side a writer can afford to err on.
"""

import re
from collections import Counter
from collections.abc import Sequence

from itune_core.edits import Edit, HeldEdit, compute_edits, hold_back

# The tokenization of itune_core.edits: words with inner apostrophes, or one punctuation mark.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SENTENCE_END = {".", "!", "?", ":", ";", '"', "“", "(", "[", "-", "—", "–"}
_NUMBER_WORDS = _wordset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred thousand million billion trillion dozen "
    "half twice thrice first second third fourth fifth percent"
)
# Month and weekday names: capitalised in English, yet words of every register.
CALENDAR = _wordset(
    "january february march april may june july august september october november "
    "december monday tuesday wednesday thursday friday saturday sunday"
)
# Capitalised words that carry no fact of their own wherever they stand.
_NOT_NAMES = frozenset({"i", "i'm", "i've", "i'd", "i'll"})
# "for" before a year (1000-2099): a length of time where a year is a point in time. A
# year ends its phrase (punctuation, the end, or a word that starts another); a number
# before a noun ("for 2000 people") is a quantity, not a year.
_FOR_YEAR = re.compile(
    r"\bfor\s+(?:1\d{3}|20\d{2})(?=\s*(?:[^\w\s]|$)|\s+(?:and|but|or|so|when|while|because"
    r"|until|before|after|in|at|on|to|with|the|a|an|we|i|he|she|they|it|you)\b)",
    re.IGNORECASE,
)
# Words whose move across a fact is not worth holding back (function words).
_LIGHT = _wordset(
    "a an the of to in on at for by with from and or but as is are was were be been "
    "it its this that these those"
)

GUARD_EXEMPT = "meaning-changed"


def _tokens(text: str) -> list[re.Match]:
    return list(_TOKEN.finditer(text))


def _is_fact(tokens: Sequence[re.Match], i: int) -> bool:
    word = tokens[i].group()
    lower = word.lower()
    if any(ch.isdigit() for ch in word):
        return True
    if lower in _NUMBER_WORDS or (lower in CALENDAR and word[0].isupper()):
        return True
    if not word[:1].isalpha() or lower in _NOT_NAMES:
        return False
    if sum(ch.isupper() for ch in word) >= 2 and word.upper() == word:
        return True  # an acronym
    if word[0].isupper():
        starts_sentence = i == 0 or tokens[i - 1].group() in _SENTENCE_END
        return not starts_sentence
    return False


def fact_tokens(text: str) -> list[str]:
    """The fact-bearing tokens of ``text``, in order (see the module docstring)."""
    tokens = _tokens(text)
    return [tokens[i].group() for i in range(len(tokens)) if _is_fact(tokens, i)]


def changed_facts(source: str, revised: str) -> tuple[list[str], list[str]]:
    """(fact tokens of ``source`` that ``revised`` lacks, fact tokens ``revised`` adds).

    Tokens compare case-insensitively against every token of the other text, so a
    capitalisation fix does not count, and a count matters: "2 and 2" -> "2" loses one.
    """
    source_all = Counter(m.group().lower() for m in _tokens(source))
    revised_all = Counter(m.group().lower() for m in _tokens(revised))
    source_facts = Counter(t.lower() for t in fact_tokens(source))
    revised_facts = Counter(t.lower() for t in fact_tokens(revised))
    lost = source_facts - revised_all
    gained = revised_facts - source_all
    return sorted(lost.elements()), sorted(gained.elements())


def changes_facts(source: str, revised: str) -> bool:
    """Whether ``revised`` drops, alters or adds a fact token of ``source``."""
    lost, gained = changed_facts(source, revised)
    return bool(lost or gained)


def _words(text: str) -> set[str]:
    return {m.group().lower() for m in _tokens(text) if m.group()[:1].isalpha()}


def _moves(source: str, edits: Sequence[Edit]) -> dict[int, str]:
    """Edits that move a content word across a fact token: index -> reason."""
    tokens = _tokens(source)
    fact_positions = [tokens[i].start() for i in range(len(tokens)) if _is_fact(tokens, i)]
    held: dict[int, str] = {}
    for i, removing in enumerate(edits):
        gone = _words(removing.before) - _words(removing.after) - _LIGHT
        for j, adding in enumerate(edits):
            if i == j:
                continue
            moved = gone & (_words(adding.after) - _words(adding.before))
            if not moved:
                continue
            low = min(removing.end_char_pos, adding.end_char_pos)
            high = max(removing.start_char_pos, adding.start_char_pos)
            crossed = [source[p:].split(None, 1)[0] for p in fact_positions if low <= p < high]
            if crossed:
                word = sorted(moved)[0]
                reason = f"moves {word!r} past {crossed[0].strip('.,;:()')!r}"
                held.setdefault(i, reason)
                held.setdefault(j, reason)
    return held


def years_made_lengths(source: str, edits: Sequence[Edit]) -> dict[int, str]:
    """Edits that put "for" before a year where the piece had another word ("since 2015"
    -> "for 2015", "planned in 2030" -> "planned for 2030"): index -> reason. Each edit is
    read with the few characters of the piece that follow it, where the year usually
    stands."""
    held: dict[int, str] = {}
    for i, edit in enumerate(edits):
        after = source[edit.end_char_pos : edit.end_char_pos + 16]
        made = _FOR_YEAR.findall(edit.after + after)
        if len(made) > len(_FOR_YEAR.findall(edit.before + after)):
            held[i] = f"puts 'for' before a year ({made[0]!r}): it would say another thing of it"
    return held


def guard_facts(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every fact-changing edit undone, and the edits held back.

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the model's answer for it.
        intentions: what the writer asked for; with ``meaning-changed`` among them nothing
            is held back (changing facts is then the point).

    Returns:
        The text to offer (``revised`` itself when nothing was held back) and the held
        edits with their reasons, in text order.
    """
    if GUARD_EXEMPT in intentions or source == revised:
        return revised, ()
    lost, gained = changed_facts(source, revised)
    edits = compute_edits(source, revised)
    held: dict[int, str] = {}
    if lost or gained:
        lost_set, gained_set = set(lost), set(gained)
        for i, edit in enumerate(edits):
            dropped = sorted({m.group().lower() for m in _tokens(edit.before)} & lost_set)
            added = sorted({m.group().lower() for m in _tokens(edit.after)} & gained_set)
            if dropped:
                held[i] = f"changes the fact {_original(edit.before, dropped[0])!r}"
            elif added:
                held[i] = f"introduces {_original(edit.after, added[0])!r}"
    for i, reason in _moves(source, edits).items():
        held.setdefault(i, reason)
    for i, reason in years_made_lengths(source, edits).items():
        held.setdefault(i, reason)
    if not held:
        return revised, ()
    offered = hold_back(source, edits, held)[0]
    if changes_facts(source, offered):
        # Undoing some edits can still leave a fact moved or doubled (the diff may pair a
        # dropped fact with one it copied elsewhere): hold every edit that touches one.
        facts = {t.lower() for t in fact_tokens(source) + fact_tokens(revised)}
        for i, edit in enumerate(edits):
            touched = {m.group().lower() for m in _tokens(edit.before + " " + edit.after)}
            if touched & facts:
                held.setdefault(i, "moves a fact token")
        offered = hold_back(source, edits, held)[0]
        if changes_facts(source, offered):  # not seen; the safe answer is the piece
            held = {i: held.get(i, "part of a fact change") for i in range(len(edits))}
    return hold_back(source, edits, held)


def _original(text: str, lowered: str) -> str:
    for match in _tokens(text):
        if match.group().lower() == lowered:
            return match.group()
    return lowered
