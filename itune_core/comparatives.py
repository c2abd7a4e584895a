"""Comparatives: "more old" is "older", "the most big" is "the biggest".

Learners build the comparative and the superlative of a short adjective with "more" and
"most", or with both at once: "Their house is more bigger than ours, but it is more old",
"the most biggest building", which the model mended by half ("the most big building").
``mend_comparatives`` makes the rest of the fix:

- "more" or "most" before a comparative or superlative form of ``ADJECTIVES`` goes
  ("more bigger" -> "bigger", "most biggest" -> "biggest", "more better" -> "better");
- "more" before one of ``ADJECTIVES`` followed by "than", punctuation or the end becomes
  its comparative ("is more old." -> "is older.", "more cheap than" -> "cheaper than");
- "the most" before one of them becomes "the" and its superlative ("the most big
  building" -> "the biggest building").

The list is closed: short, common adjectives whose "-er" and "-est" forms are the only
usual ones (not "fun", "clean", "simple", "quiet", "late"). "more fast food" and "most
old people" name a quantity and stay. The forms come from lemminflect's tables
(``itune_core.verb_forms``). The mechanical fixes (``itune_core.mechanics``) call this,
when fluency is asked; chosen on dev under a rule written before its scores
(docs/default-adapter.md, "Comparatives").
"""

import re
from functools import cache

from itune_core.verb_forms import adjective_forms

ADJECTIVES = (
    "big", "small", "old", "young", "tall", "short", "long", "fast", "slow", "cheap", "high",
    "low", "hot", "cold", "warm", "cool", "nice", "large", "hard", "easy", "happy", "good",
    "bad", "busy", "early", "strong", "weak", "rich", "poor", "dark", "bright", "quick",
    "safe", "thin", "wide", "new", "great",
)  # fmt: skip


@cache
def _forms() -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Each adjective's comparative and superlative, and all those forms together."""
    comparative = {a: adjective_forms(a)[0] for a in ADJECTIVES}
    superlative = {a: adjective_forms(a)[1] for a in ADJECTIVES}
    return comparative, superlative, set(comparative.values()) | set(superlative.values())


_DOUBLE = re.compile(r"\b(?:more|most)\s+([a-z]+)\b", re.IGNORECASE)
_MORE = re.compile(
    r"\bmore\s+(" + "|".join(ADJECTIVES) + r")\b(?=\s+than\b|\s*[^\w\s]|\s*$)", re.IGNORECASE
)
_THE_MOST = re.compile(r"\b(the)\s+most\s+(" + "|".join(ADJECTIVES) + r")\b", re.IGNORECASE)


def mend_comparatives(text: str) -> str:
    """``text`` with the comparatives and superlatives of ``ADJECTIVES`` built with
    "more"/"most" made with their own forms."""
    comparative, superlative, formed = _forms()
    text = _DOUBLE.sub(lambda m: m.group(1) if m.group(1).lower() in formed else m.group(0), text)
    text = _MORE.sub(lambda m: comparative[m.group(1).lower()], text)
    return _THE_MOST.sub(lambda m: f"{m.group(1)} {superlative[m.group(2).lower()]}", text)
