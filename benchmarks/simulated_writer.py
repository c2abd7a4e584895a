"""A simulated careful writer: decides one suggested edit against the human revision of
the same text, as the feedback-loop benchmark (``benchmarks/loop.py``) needs.

The writer knows what the text should become (the corpus's human revision) and judges an
edit by its words, compared as tokens the way ``itune_core.edits`` splits text (words with
inner apostrophes, or one punctuation mark), case kept:

- the words the edit **adds** (tokens of ``after`` not in ``before``, counted) are
  *wanted* when the human revision has more of each than the source text has;
- the words the edit **removes** (tokens of ``before`` not in ``after``, counted) are
  *wanted gone* when the human revision has fewer of each than the source has.

The decision, in this order:

1. the edit changes no token (only spacing): reject, ``unnecessary``;
2. every added word wanted and every removed word wanted gone: **accept** (the edit moves
   the text toward the human revision);
3. it changes a fact (a number, a date, a name: ``itune_core.facts.changed_facts`` on
   the source with only this edit applied) or a negation (not, no, never, ...-n't) that
   the human revision did not: reject, ``meaning-changed``;
4. none of the removed words is wanted gone (the human kept the original words there,
   including a pure insertion the human did not make): reject, ``unnecessary``;
5. otherwise the human changed these words too, but not into these: the writer takes the
   model's wording for a wrong fix there: reject, ``ungrammatical``.

Pure functions only; no model, no app.

    decide_edit("He go home.", "go", "goes", "He goes home.")   # Decision(True, None)
"""

import re
from collections import Counter
from dataclasses import dataclass

from itune_core.facts import changed_facts

ACCEPT = "accept"
REJECT = "reject"
UNNECESSARY = "unnecessary"
MEANING_CHANGED = "meaning-changed"
UNGRAMMATICAL = "ungrammatical"

# The tokenization of itune_core.edits (and itune_core.facts).
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_NEGATIONS = frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither", "nor"})


@dataclass(frozen=True)
class Decision:
    """One edit's verdict: ``accepted``, and with a rejection its ``reason`` (one of the
    app's reasons: ``unnecessary``, ``meaning-changed``, ``ungrammatical``)."""

    accepted: bool
    reason: str | None = None

    @property
    def decision(self) -> str:
        """``accept`` or ``reject``, as the app's ``/decide`` takes it."""
        return ACCEPT if self.accepted else REJECT


def tokens(text: str) -> Counter:
    """The text's tokens, counted."""
    return Counter(m.group() for m in _TOKEN.finditer(text))


def _negations(counts: Counter) -> Counter:
    return Counter(
        {
            t.lower(): n
            for t, n in counts.items()
            if t.lower() in _NEGATIONS or t.lower().endswith("n't") or t.lower().endswith("n’t")
        }
    )


def _applied(source: str, before: str, after: str, span: tuple[int, int] | None) -> str:
    """The source with only this edit applied (at ``span`` when given and it matches,
    else at the first occurrence of ``before``; a pure insertion without a span goes at
    the end)."""
    if span is not None and source[span[0] : span[1]] == before:
        return source[: span[0]] + after + source[span[1] :]
    if before and before in source:
        return source.replace(before, after, 1)
    return f"{source} {after}" if after else source


def decide_edit(
    source: str,
    before: str,
    after: str,
    human: str,
    span: tuple[int, int] | None = None,
) -> Decision:
    """The careful writer's verdict on one edit (the rules are the module's docstring).

    Args:
        source: the text the edit was suggested on.
        before, after: the edit's text before and after (``""`` for an insertion or a
            deletion), as the app's revision lists them.
        human: the human revision of ``source`` (what the writer wants it to become).
        span: the edit's ``(start_char_pos, end_char_pos)`` in ``source``, which places it
            for the fact check (names are told from words by their place in a sentence).
    """
    old, new = tokens(before), tokens(after)
    added, removed = new - old, old - new
    if not added and not removed:
        return Decision(False, UNNECESSARY)
    have, want = tokens(source), tokens(human)
    added_wanted = all(want[t] > have[t] for t in added)
    removed_wanted = [want[t] < have[t] for t in removed]
    if added_wanted and all(removed_wanted):
        return Decision(True)
    edited = _applied(source, before, after, span)
    lost, gained = changed_facts(source, edited)
    human_lost, human_gained = changed_facts(source, human)
    facts_changed = bool(set(lost) - set(human_lost) or set(gained) - set(human_gained))
    negation_changed = _negations(tokens(edited)) != _negations(have) and _negations(
        tokens(edited)
    ) != _negations(want)
    if facts_changed or negation_changed:
        return Decision(False, MEANING_CHANGED)
    if not any(removed_wanted):
        return Decision(False, UNNECESSARY)
    return Decision(False, UNGRAMMATICAL)
