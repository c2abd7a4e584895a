"""The tense guard: a revision keeps when things happen.

Asked to fix a learner's present tense, a small model sometimes moves the sentence into
the past instead: "My mother cook dinner every evening" came back as "My mother cooked
dinner every evening", and "My brother very tall" as "My brother was very tall". Both read
well and both say something the writer did not: that it happened once, or no longer
holds. When a time in the past is nowhere in the piece, an edit that puts a present-tense
verb into the past, or inserts a bare "was" or "were", is held back with its reason, like
the fact guard's edits, unless the writer asked for meaning-changed.

A piece tells of the past, and such edits pass, when it names a past time ("yesterday",
"two years ago", "last week", "in 2019", "previously"...) or already holds a verb in the
simple past ("went", "was", "decided", "didn't"): "Yesterday I go to the market" may become
"went", and "When I was young I play football" "played". A form that only looks like a
past, right after an auxiliary, a linking verb or a determiner ("She is married", "I feel
tired", "the proposed method"), does not count: "My sister is married and live in Lisbon"
keeps "live" out of the past. The same test opens tense context (``itune_core.context``).

What is not held back:

- an edit that fixes a misspelled past form ("recieved" -> "received"): nothing in the
  piece was in the present;
- forms that are the same in the present and the past ("read", "put", "cut");
- a participle after an auxiliary ("we have cover" -> "we have covered", "can never be
  attain" -> "be attained", "it close" -> "it's closed"), and an adjective after a
  linking verb ("It makes me feel relax" -> "feel relaxed", "You look tire" -> "look
  tired"; docs/default-adapter.md, "'would like that you send', 'in few seconds'");
- anything when meaning-changed was asked for.

Verb forms come from ``itune_core.verb_forms`` (lemminflect's dictionary of English
inflections); a word it does not know is no verb here.
"""

import re
from collections.abc import Sequence
from functools import lru_cache

from itune_core.edits import HeldEdit, apply_edits, compute_edits, hold_back
from itune_core.verb_forms import verb_lemmas

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_PRESENT_TAGS = ("VB", "VBP", "VBZ")
# Before a participle ("have covered", "can be attained", "has not been"), up to two
# words back (an adverb or "not" between).
_AUXILIARIES = frozenset(
    ("have", "has", "had", "having", "be", "been", "being", "is", "are", "am", "was", "were")
)
_AUXILIARY_REACH = 2
_CONTRACTED = ("'s", "'re", "'ve", "'m", "'d")
# The dictionary's pasts of "can", "will", "shall" and "may".
_MODAL_PASTS = frozenset(("could", "would", "should", "might"))
# Inserted with no verb replaced: the copula a learner drops ("She very happy").
_PAST_COPULAS = frozenset(("was", "were"))
_PAST_TIME = re.compile(
    r"\b(?:yesterday|ago|last\s+(?:year|week|month|night|time|summer|winter|spring|autumn|"
    r"fall|weekend|decade|century|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"in\s+(?:1[0-9]|20)\d\d|earlier|previously|formerly|once\s+upon|in\s+the\s+past|"
    r"back\s+then|at\s+that\s+time)\b",
    flags=re.IGNORECASE,
)


# After these (up to two words back) a form that looks like a past is an adjective:
# "I feel tired", "it seems finished".
_LINKING = frozenset(
    ("feel", "feels", "seem", "seems", "look", "looks", "get", "gets", "become", "becomes")
)
# Right after these, too: "the proposed method", "my married sister".
_DETERMINERS = frozenset(
    ("the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its",
     "our", "their", "some", "many", "every", "each", "no")
)  # fmt: skip


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=8192)
def _tenses(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """The verbs (lemmas) ``word`` can only be the simple past of, and those it is a
    present form of."""
    present = frozenset(verb_lemmas(word, _PRESENT_TAGS))
    return frozenset(verb_lemmas(word, ("VBD",))) - present, present


def preload() -> None:
    """Read lemminflect's tables now (about 0.4 s) rather than in the first revision that
    changes a word."""
    _tenses("was")


def _auxiliary(word: str) -> bool:
    """Whether ``word`` is an auxiliary or ends in one ("it's", "we've", "they're")."""
    return word in _AUXILIARIES or word.replace("’", "'").endswith(_CONTRACTED)


def tells_the_past(text: str, *, modal_pasts: bool = True) -> bool:
    """Whether ``text`` names a past time or tells something in the simple past: a verb
    that can only be a past form ("went", "didn't"), not an adjective or participle right
    after an auxiliary, a linking verb or a determiner ("is tired", "has finished", "feel
    bored", "the proposed method"). Edits into the past pass the guard where it does, and
    it opens tense context (``itune_core.context``). With ``modal_pasts`` False, "could",
    "would", "should" and "might" tell nothing: more often a request, a wish or advice
    ("Could you tell me", "I would like") than a past, as the tense harmony reads them."""
    if _PAST_TIME.search(text):
        return True
    words = _words(text)
    for k, word in enumerate(words):
        base = word[:-3] if word.endswith(("n't", "n’t")) else word
        if not _tenses(base)[0] or (not modal_pasts and base in _MODAL_PASTS):
            continue
        lead = words[max(0, k - _AUXILIARY_REACH) : k]
        if any(_auxiliary(w) or w in _LINKING for w in lead):
            continue
        if lead and lead[-1] in _DETERMINERS:
            continue
        return True
    return False


def into_the_past(before: str, after: str, lead: str = "") -> str | None:
    """The past form an edit from ``before`` to ``after`` puts a present-tense verb into
    (or the "was"/"were" it inserts), else None. ``lead`` is the text before the edit: a
    form right after an auxiliary ("have cover" -> "have covered", "be attained") is a
    participle, and one right after a linking verb ("feel relaxed") an adjective, not a
    past tense."""
    old = _words(before)
    present = {lemma for w in old for lemma in _tenses(w)[1]}
    new = _words(after)
    context = _words(lead)[-_AUXILIARY_REACH:] + new
    for k, word in enumerate(new):
        if word in old:
            continue
        at = len(context) - len(new) + k
        lead = context[max(0, at - _AUXILIARY_REACH) : at]
        if any(_auxiliary(w) or w in _LINKING for w in lead):
            continue  # a participle ("have covered") or an adjective ("feel relaxed")
        if _tenses(word)[0] & present or (not old and word in _PAST_COPULAS):
            return word
    return None


def guard_tenses(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` (the answer for the piece ``source``) with every edit that puts the
    piece into the past undone, unless ``intentions`` holds meaning-changed or the piece
    is already about the past; returns the text to offer and the held edits with their
    reasons, in text order, as the other guards do."""
    if "meaning-changed" in intentions or source == revised or tells_the_past(source):
        return revised, ()
    edits = compute_edits(source, revised)
    held: dict[int, str] = {}
    for i, edit in enumerate(edits):
        # the text the writer reads before the edit: an auxiliary another edit deletes
        # ("is my" -> "my was") makes no participle of what follows
        kept = [e for j, e in enumerate(edits[:i]) if j not in held]
        past = into_the_past(
            edit.before, edit.after, apply_edits(source[: edit.start_char_pos], kept)
        )
        if past is not None:
            held[i] = (
                f"puts the sentence into the past ({past!r}): it names no past time, and a "
                "revision keeps when things happen"
            )
    return hold_back(source, edits, held) if held else (revised, ())
