"""The verb after "do", a modal or "to" is bare, mended whenever fluency is asked.

Learners carry the tense or the "-s" onto the verb that "do", a modal or "to" already
governs: "he didn't came", "She doesn't wants", "Did you saw", "She can speaks", "I want to
went". The model mends most of these, but not always: "he didn't came" kept "came" once
the margin left the model's "come" out as unsure. Each has one right form, the bare verb:

- after "didn't", "doesn't", "don't", "did not", "does not" or "do not" (perhaps one
  adverb between: ``_ADVERBS``), where a word that is not a question word stands before
  the auxiliary ("My father didn't came" -> "come"; "Why don't books help?" stays);
- after "Did", "Does" or "Do" opening a sentence or after a question word, and a subject
  pronoun ("Did you saw" -> "see", "Why did they changed" -> "change"; "The work we did
  they liked" stays);
- after a subject pronoun and a modal, perhaps "not", where the word is an "-s" form or an
  irregular simple past ("She can speaks" -> "speak", "I will went" -> "go"); a regular
  "-ed" form is left ("You should tried" may mean "should have tried");
- after "to" following a verb of wanting, needing, planning or having to (``_WISHING``),
  where the word is an irregular simple past ("want to went" -> "go", "decided to took"
  -> "take").

Where the model kept the writer's wrong form and dropped the modal or the verb of wishing
instead ("I will went to the doctor tomorrow" came back "I went to the doctor tomorrow",
"I want to went" "I went"), which turns a plan into a past event, the writer's words are
put back with the bare verb ("I will go"): a subject pronoun and the writer's form, found
once in the answer and not in the writer's piece, are read as the modal dropped (not a
negative modal: the negation guard holds those).

The word must be the simple past or the "-s" form of a verb and the bare form of none
("I didn't lay the table" stays), except "saw" and "found" after "do" and a modal, whose
other readings are rare there ("didn't saw" -> "see"); forms of "be" are left.

Chosen on dev under a rule written before its scores (docs/default-adapter.md, "A verb
after 'do', a modal or 'to', and four fixed phrases").
"""

import re

from itune_core.verb_forms import verb_forms, verb_lemmas
from itune_core.words import MODALS, keep_case

_ADVERBS = r"(?:really|even|ever|always|actually|just|usually|often)"
_ADVERB = r"(?:\s+" + _ADVERBS + r")?"
_SUBJECT = r"(?:I|you|he|she|it|we|they)"
_WORD = r"([A-Za-z]+)\b"
_QUESTION_WORDS = frozenset(("how", "why", "what", "where", "when", "who", "which", "whom"))
# Bare verbs whose simple-past reading is the usual one after "do" or a modal.
_PAST_FIRST = {"saw": "see", "found": "find"}
_WISHING = frozenset(
    form
    for lemma in ("want", "need", "like", "hope", "plan", "decide", "try", "have")
    for form in verb_forms(lemma)
) | {"going"}

_DO_NOT = re.compile(
    r"\b((?:did|does|do)n['’]t|(?:did|does|do)\s+not)(" + _ADVERB + r")\s+" + _WORD,
    re.IGNORECASE,
)
_DO_SUBJECT = re.compile(
    r"\b(did|does|do)(\s+" + _SUBJECT + _ADVERB + r")\s+" + _WORD, re.IGNORECASE
)
_MODAL_FORMS = "|".join(
    sorted(MODALS | {"can't", "cannot", "couldn't", "won't", "wouldn't", "shouldn't", "mustn't"})
).replace("'", "['’]")
_MODAL = re.compile(
    r"\b(" + _SUBJECT + r"\s+(?:" + _MODAL_FORMS + r")(?:\s+not)?" + _ADVERB + r"|"
    + _SUBJECT + r"['’]ll" + _ADVERB + r")\s+" + _WORD,
    re.IGNORECASE,
)  # fmt: skip
_TO = re.compile(r"\b([A-Za-z]+)\s+to\s+" + _WORD)
# The writer's subject, modal (not a negative one) or verb of wishing and "to", and verb.
_AUXILIARY = re.compile(
    r"\b(" + _SUBJECT + r")\s+((?:" + "|".join(sorted(MODALS)) + r")|[A-Za-z]+\s+to)\s+" + _WORD,
    re.IGNORECASE,
)


def _bare(word: str, *, regular_pasts: bool, thirds: bool, past_first: bool) -> str | None:
    """The bare verb that ``word`` is the simple past (a regular "-ed" one only with
    ``regular_pasts``) or, with ``thirds``, the "-s" form of; None where it is none of
    these, a bare verb too (but ``_PAST_FIRST`` with ``past_first``), or a form of "be"."""
    low = word.lower()
    if past_first and low in _PAST_FIRST:
        return keep_case(word, _PAST_FIRST[low])
    if verb_lemmas(low, ("VB", "VBP")):
        return None
    lemmas = () if low.endswith("ed") and not regular_pasts else verb_lemmas(low, ("VBD",))
    if not lemmas and thirds:
        lemmas = verb_lemmas(low, ("VBZ",))
    if not lemmas or lemmas[0] == "be":
        return None
    return keep_case(word, lemmas[0])


def _before(text: str, start: int) -> str:
    """The word just before ``start`` in ``text``, lower-case ("" at a sentence's start)."""
    head = text[:start].rstrip()
    if not head or head[-1] in '.!?:;,"“(':
        return ""
    return head.split()[-1].lower()


def _mend(match: re.Match, bare: str | None) -> str:
    whole, word = match.group(0), match.group(match.lastindex)
    return whole if bare is None else whole[: len(whole) - len(word)] + bare


def _put_back(text: str, source: str) -> str:
    """``text`` with the writer's modal or verb of wishing put back where the model kept
    the writer's wrong verb form and dropped what governed it ("I will went" answered "I
    went" -> "I will go")."""
    for match in _AUXILIARY.finditer(source):
        subject, auxiliary, word = match.groups()
        if auxiliary.lower().endswith(" to"):
            if auxiliary.split()[0].lower() not in _WISHING:
                continue
            bare = _bare(word, regular_pasts=False, thirds=False, past_first=False)
        else:
            bare = _bare(word, regular_pasts=False, thirds=True, past_first=True)
        dropped = re.compile(r"\b" + re.escape(subject) + r"\s+" + re.escape(word) + r"\b")
        if bare is None or dropped.search(source) or len(dropped.findall(text)) != 1:
            continue
        text = dropped.sub(f"{subject} {auxiliary} {bare}", text)
    return text


def mend_auxiliaries(text: str, source: str | None = None) -> str:
    """``text`` with the verb after "do", a modal or "to" made bare where the rules above
    say so; ``source``, the writer's piece where ``text`` is the model's answer to it, lets
    a modal or verb of wishing that the model dropped be put back."""
    if source:
        text = _put_back(text, source)

    def do_not(match: re.Match) -> str:
        before = _before(match.string, match.start())
        if not before or before in _QUESTION_WORDS:
            return match.group(0)
        word = match.group(match.lastindex)
        return _mend(match, _bare(word, regular_pasts=True, thirds=True, past_first=True))

    def do_subject(match: re.Match) -> str:
        do = match.group(1)
        before = _before(match.string, match.start())
        if not (do[0].isupper() or before in _QUESTION_WORDS):
            return match.group(0)
        word = match.group(match.lastindex)
        return _mend(match, _bare(word, regular_pasts=True, thirds=True, past_first=True))

    def modal(match: re.Match) -> str:
        word = match.group(match.lastindex)
        return _mend(match, _bare(word, regular_pasts=False, thirds=True, past_first=True))

    def to(match: re.Match) -> str:
        if match.group(1).lower() not in _WISHING:
            return match.group(0)
        word = match.group(match.lastindex)
        return _mend(match, _bare(word, regular_pasts=False, thirds=False, past_first=False))

    text = _DO_NOT.sub(do_not, text)
    text = _DO_SUBJECT.sub(do_subject, text)
    text = _MODAL.sub(modal, text)
    return _TO.sub(to, text)
