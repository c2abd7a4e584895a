"""The adverb guard: a fluency fix keeps what the writer said about degree and frequency.

Asked for fluency, a small model sometimes fixes an error and drops an adverb with it:
"the exam was very dificult" came back as "the exam was difficult", "she always get high
marks" as "she gets high marks". The error is mended, but "very" and "always" said
something, and a fluency edit fixes how a sentence reads, not what it says. So when
fluency is all the writer asked for, an edit that puts words in place of others, has
fewer words after than before, and loses one of ``ADVERBS`` at the beginning or the end of
its text keeps the adverb: only the adverb's deletion is held back, with its reason, and
the rest of the edit is offered ("very dificult" -> "difficult" is offered as "very
difficult", "always get" -> "gets" as "always gets").

What is not held back:

- a deletion with nothing in its place ("She drinks always tea in the morning" -> "She
  drinks tea every morning"): putting the adverb back there reads worse than either
  ("She drinks always tea every morning"), and "not only in" -> "in" would keep "only"
  without "not". The deletion guard (``itune_core.deletions``) holds such a deletion
  whole where it drops a word of meaning ("tastes very good" -> "tastes good"), but not
  an adverb of frequency;
- an edit that loses an adverb in its middle, or two of them;
- an adverb that reappears elsewhere in the answer (moved: "She drinks always tea" ->
  "She always drinks tea"), and an edit any other word of which does (putting it back
  would say that word twice);
- a one-for-one swap ("According still officials" -> "According to officials", where the
  adverb was a slip for a preposition: the two such fluency revisions of ITERATER-sent's
  854 do that), but for an article put in the adverb's place: "My best friend is very good
  person" came back "is a good person", and the article goes in before the adverb instead
  ("is a very good person"), the swap held back;
- anything when the writer also asked for clarity, coherence, style or meaning-changed:
  cutting "very" is then part of the request.

"also" is the connector guard's (``itune_core.connectors``); "not" and "never" are the
negation guard's as well, which holds them under every request. The rule was chosen on
dev under a rule written before its scores and narrowed to replacements by a follow-up
(docs/default-adapter.md, "Adverbs kept").
"""

from collections import Counter
from collections.abc import Sequence

from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits
from itune_core.intentions import fluency_alone
from itune_core.words import WORD, words

# Adverbs of degree, frequency and focus: what they say is part of the sentence's meaning.
ADVERBS = frozenset(
    (
        "very",
        "always",
        "never",
        "often",
        "usually",
        "sometimes",
        "rarely",
        "seldom",
        "really",
        "only",
        "still",
        "already",
        "just",
        "even",
        "too",
        "almost",
        "quite",
        "again",
        "ever",
    )
)


# An article a model puts in the place of an adverb ("very" -> "a") belongs before it.
_ARTICLES = (["a"], ["an"], ["the"])


def _reason(what: str) -> str:
    return f"drops {what}: a fluency edit keeps what the writer says about how much or how often"


def _part(before: str, after: str, start: int) -> Edit:
    kind = "D" if not after.strip() else "A" if not before.strip() else "R"
    return Edit(kind, before, after, start, start + len(before))


def _split(edit: Edit, lost: Counter) -> tuple[Edit, HeldEdit] | None:
    """The part of ``edit`` to offer and the adverb's deletion to hold back, where the
    edit replaces words, shortens the text and loses one of ``ADVERBS`` at either end of
    its text; None where it does not."""
    before, after = words(edit.before), words(edit.after)
    if len(before) == 1 and before[0] in ADVERBS and lost[before[0]] and after in _ARTICLES:
        # "is very good person" -> "is a good person": the article goes in before the adverb
        held = HeldEdit(edit.before.strip(), edit.after.strip(), _reason(repr(edit.before.strip())))
        start = edit.start_char_pos
        return Edit("A", "", f"{edit.after.strip()} ", start, start), held
    gone = {w for w in before if w in ADVERBS and lost[w] > 0 and w not in after}
    if not gone or len(after) >= len(before) or (Counter(before) - Counter(after)) - lost:
        return None  # no adverb lost, nothing shortened, or a word of it moved elsewhere
    if len(gone) != 1 or not after:
        return None  # a deletion, or more than one adverb: the model's answer stands
    found = list(WORD.finditer(edit.before))
    first, last = found[0], found[-1]
    start = edit.start_char_pos
    if first.group().lower() in gone:
        # "very dificult" -> "difficult": "very " stays, "dificult" -> "difficult" is offered
        cut = len(edit.before) - len(edit.before[first.end() :].lstrip())
        held = HeldEdit(edit.before[:cut].strip(), "", _reason(repr(first.group())))
        return _part(edit.before[cut:], edit.after, start + cut), held
    if last.group().lower() in gone:
        cut = len(edit.before[: last.start()].rstrip())
        held = HeldEdit(edit.before[cut:].strip(), "", _reason(repr(last.group())))
        return _part(edit.before[:cut], edit.after, start), held
    return None


def guard_adverbs(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` (the answer for the piece ``source``, after the guards before it) with
    the adverb of ``ADVERBS`` put back that a replacement drops at either end while
    shortening the text, when ``intentions`` is fluency alone: the adverb's deletion is
    held back and the rest of the replacement offered; returns the text to offer and the
    held edits with their reasons, in text order, as ``guard_deletions`` does."""
    if not fluency_alone(intentions) or source == revised:
        return revised, ()
    lost = Counter(words(source)) - Counter(words(revised))
    if not any(w in ADVERBS for w in lost):
        return revised, ()
    offered: list[Edit] = []
    held: list[HeldEdit] = []
    for edit in compute_edits(source, revised):
        split = _split(edit, lost)
        if split is None:
            offered.append(edit)
            continue
        part, why = split
        offered.append(part)
        held.append(why)
    return (apply_edits(source, offered), tuple(held)) if held else (revised, ())
