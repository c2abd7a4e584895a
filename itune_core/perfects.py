"""Time up to now: a length of time runs "for", and a state or an action that runs up to
now, or happens for the first time, takes the present perfect.

Learners carry the present of their own language into English: "I am living in London
since three years" came back from the model unchanged, and so did "We know each other
since we were children". Both errors have one right form, so ``mend_perfects`` makes it
whenever fluency is asked:

- "since" before a length of time becomes "for": "since two years" -> "for two years",
  "since half an hour" -> "for half an hour" (not "since two years ago");
- in a clause that holds such a length where the writer wrote "since" (whether the
  answer kept "since" or already made it "for"), or "since"
  before a point in time ("since 2018", "since last summer", "since we were children"),
  a verb in the present right after its subject takes the present perfect:
  "am/is/are" + "-ing" -> "have/has been" + "-ing", "am/is/are" otherwise -> "have/has
  been", a simple present -> "have/has" and its past participle ("know" -> "have
  known", "works" -> "has worked").

A subject is a subject pronoun, a capitalised name, or a determiner, perhaps an
adjective, and a noun in the verb's number ("my parents live", "my older sister works";
not "the first major cuts", where "cuts" is no verb). "since" names a point in time
before words with no verb ("2018", "last summer") or before a subject pronoun and a
past ("we were children"); before a verb in the present, or another subject, it gives a
reason, or may, and is left ("Since he is ill", "... since they equally consider", "...
since Socrates was known for"). Left alone too: a piece opening with "Since"; a clause
with a modal, "do", "does", a past, or "have" in any form ("have lived", "I have a
car"); a question. Where the clause holds "am", "is" or "are", only that verb is made
perfect (in "The bus stops are closed", "stops" is no verb).

"It is (This is) the first (second, third, only) time" before a subject pronoun and a
verb in the present makes that verb present perfect too: "It is the first time I am in
London" -> "... I have been in London", "This is the first time I eat sushi" -> "... I
have eaten sushi" ("It was the first time I saw the sea" stays).

A subject pronoun, "never" and "been" take "have" or "has" ("We never been to Japan", the
model's as well as the writer's, -> "We have never been"), and "never was/were" with
"before" ending the sentence is "have/has never been" ("I never was in Canada before" -> "I
have never been in Canada before"; "He never was a good student" stays).

Chosen on dev under rules written before their scores (docs/default-adapter.md, "Time up
to now, and five fixed constructions", "Collocations and verb patterns", and "'sorry for
answer you', and 'I never was ... before'").
"""

import re

from itune_core.verb_forms import parts_of_speech, past_participle, verb_lemmas
from itune_core.words import MODALS, PLURALS_WITHOUT_S

_NUMBERS = (
    r"\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|a few|a couple of|few|several|many|some|half an|half a"
)
_UNITS = r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century|ages"
# "since" before a length of time: "since three years", "since a long time".
_LENGTH = (
    r"(?:(?:" + _NUMBERS + r")\s+(?:(?:more|long|whole)\s+)?(?:" + _UNITS + r")"
    r"|a\s+long\s+time|ages)"
)
_SINCE_LENGTH = re.compile(r"\b([Ss])ince(\s+" + _LENGTH + r")\b(?!\s+ago\b)")
# "for" before a length of time, as the model may have written it for "since".
_FOR_LENGTH = re.compile(r"\b[Ff]or\s+(" + _LENGTH + r")\b")
# Where a clause ends, before or after the verb: punctuation and the words that open
# another clause.
_BOUNDARY = re.compile(
    r"[,;:.!?()\"]|\b(?:and|but|or|because|so|when|while|if|that|which|who|where|although"
    r"|though|until|after|before)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_PRONOUNS = {"i": "have", "you": "have", "we": "have", "they": "have", "he": "has",
             "she": "has", "it": "has"}  # fmt: skip
_DETERMINERS = frozenset(
    ("my", "your", "his", "her", "our", "their", "its", "the", "this", "that", "these",
     "those", "a", "an")
)  # fmt: skip
_BE = {"am": "have", "is": "has", "are": "have"}
_ADVERBS = frozenset(("not", "never", "still", "already", "always", "also", "just", "really"))
# A clause with any of these is left as it is.
_BLOCKERS = MODALS | {"do", "does", "did", "don't", "doesn't", "didn't", "was", "were", "had",
                       "has", "have", "been"}  # fmt: skip


def _a_time(after: str) -> bool:
    """Whether the words after "since" name a time rather than give a reason: words with
    no verb ("2018", "last summer", "primary school"), or a subject pronoun and a verb in
    the past ("we were children"). A clause with a verb in the present ("he is ill", "they
    equally consider") or another subject ("Socrates was known for ...") gives a reason,
    or may."""
    words = [w.lower() for w in _WORD.findall(after) if w != "May"]  # the month, not the modal
    if words and words[0] in _PRONOUNS:
        rest = [w for w in words[1:] if w not in _ADVERBS and not w.endswith("ly")]
        past = bool(rest) and (rest[0] in ("was", "were", "had") or verb_lemmas(rest[0], ("VBD",)))
        return bool(past)
    return not any(
        w in ("am", "is", "are", "was", "were", "has", "have", "had", "does", "do", "did")
        or w in MODALS
        or verb_lemmas(w, ("VBZ", "VBD"))
        for w in words
    )


def _subject_end(words: list[str], verb: int) -> str | None:
    """What subject ends right before ``words[verb]``: for a pronoun, the auxiliary it
    takes ("have" or "has"); "name" or "phrase" for a name or a noun phrase, whose verb
    decides; None where no subject stands there."""
    if verb == 0:
        return None
    before = words[verb - 1]
    if before.lower() in _PRONOUNS:
        return _PRONOUNS[before.lower()]
    if before[0].isupper() and before.lower() not in _DETERMINERS:
        return "name"
    if verb >= 2 and words[verb - 2].lower() in _DETERMINERS:
        return "phrase"  # "my sister"
    adjective = verb >= 3 and parts_of_speech(words[verb - 2].lower()) == {"ADJ"}
    if adjective and words[verb - 3].lower() in _DETERMINERS:
        return "phrase"  # "my older sister"; not "the first major cuts"
    return None


def _agrees(noun: str, third: bool) -> bool:
    """Whether ``noun``, the last word of a subject phrase, is a noun in the number of a
    verb in its -s form (``third``) or its plain form: "my sister works", "my parents
    live"; not "the first major cuts", where "first" is no plural and "major" no verb."""
    if "NOUN" not in parts_of_speech(noun):
        return False
    plural = noun in PLURALS_WITHOUT_S or (noun.endswith("s") and not noun.endswith("ss"))
    return plural != third


def _perfect(clause: str) -> str:
    """``clause`` (the words before "since"/"for" in one clause) with its present verb
    made present perfect, or ``clause`` itself."""
    matches = list(_WORD.finditer(clause))
    words = [m.group(0) for m in matches]
    if any(w.lower() in _BLOCKERS for w in words):
        return clause
    has_be = any(w.lower() in _BE for w in words)
    for i, word in enumerate(words):
        low = word.lower()
        subject = _subject_end(words, i)
        if subject is None or (has_be and low not in _BE):
            continue
        if low in _BE:
            aux = _PRONOUNS.get(words[i - 1].lower(), _BE[low])
            span = matches[i]
            rest = clause[span.end() :]
            adverb = re.match(r"(\s+(?:" + "|".join(_ADVERBS) + r"))?", rest).group(0)
            cut = span.end() + len(adverb)
            return clause[: span.start()] + aux + adverb + " been" + clause[cut:]
        third = verb_lemmas(low, ("VBZ",))
        plain = verb_lemmas(low, ("VBP",)) if subject != "name" else ()
        if not (third or plain) or low in _ADVERBS:
            continue
        if verb_lemmas(low, ("VBD",)):
            return clause  # a past ("I saw him since ...": "saw" is also "to saw"): left
        if subject == "phrase" and not _agrees(words[i - 1].lower(), bool(third)):
            continue
        lemma = (third or plain)[0]
        participle = past_participle(lemma)
        if participle is None:
            return clause
        aux = "has" if third else "have"
        if subject in ("have", "has"):
            if (aux == "has") != (subject == "has"):
                return clause  # the verb does not agree with its pronoun: leave it
            aux = subject
        span = matches[i]
        return clause[: span.start()] + f"{aux} {participle}" + clause[span.end() :]
    return clause


def _first_time(match: re.Match) -> str:
    """The match of ``_FIRST_TIME`` with its verb made present perfect, or itself."""
    lead, subject, verb = match.groups()
    low = verb.lower()
    aux = _PRONOUNS[subject.lower()]
    if low in _BE:
        return f"{lead}{subject} {aux} been"
    lemmas = verb_lemmas(low, ("VBZ",) if aux == "has" else ("VBP",))
    participle = past_participle(lemmas[0]) if lemmas else None
    if participle is None or low in _BLOCKERS or verb_lemmas(low, ("VBD",)):
        # a past: "the first time I saw" ("saw" is also the present of "to saw")
        return match.group(0)
    return f"{lead}{subject} {aux} {participle}"


def _clause_start(text: str, end: int) -> int:
    """Where the clause that ends at ``end`` begins."""
    start = 0
    for match in _BOUNDARY.finditer(text, 0, end):
        start = match.end()
    return start


def _lengths(text: str) -> set[str]:
    """The lengths of time that follow "since" in ``text`` ("three years")."""
    return {" ".join(m.group(2).split()).lower() for m in _SINCE_LENGTH.finditer(text)}


# "It is the first time I am here": the verb after it takes the present perfect.
_FIRST_TIME = re.compile(
    r"(\b(?:[Ii]t|[Tt]his|[Tt]hat)(?:\s+is|['’]s)\s+(?:the|my|our|his|her|their)\s+(?:first"
    r"|second|third|only)\s+time\s+(?:that\s+)?)(I|you|we|they|he|she|it)\s+([a-z]+)\b"
)


# "I never was in Canada before", and the model's "I never been": "have never been".
_NEVER_BEEN = re.compile(r"\b(I|you|he|she|it|we|they)\s+never\s+been\b", re.IGNORECASE)
_NEVER_WAS = re.compile(
    r"\b(I|you|he|she|it|we|they)\s+never\s+(?:was|were)\b(?=[^,;.!?]*\bbefore\s*[,;.!?]?\s*$)",
    re.IGNORECASE,
)
_HAVE_OF = {"he": "has", "she": "has", "it": "has"}


def _never_been(match: re.Match) -> str:
    subject = match.group(1)
    return f"{subject} {_HAVE_OF.get(subject.lower(), 'have')} never been"


def mend_perfects(text: str, source: str | None = None) -> str:
    """``text`` with "since" before a length made "for", and a present verb before a
    time that runs up to now made present perfect. ``source``, the writer's own words
    where ``text`` is the model's answer to them, adds the lengths the writer put after
    "since" that the answer already put after "for" ("He is waiting for the bus since
    half an hour" answered "... for half an hour")."""
    text = _FIRST_TIME.sub(_first_time, text)
    text = _NEVER_WAS.sub(_never_been, text)
    text = _NEVER_BEEN.sub(_never_been, text)
    lengths = _lengths(source) if source else set()
    if "?" in text or not (lengths or re.search(r"\bsince\b", text, re.IGNORECASE)):
        return text
    markers = [
        m.start()
        for m in _FOR_LENGTH.finditer(text)
        if m.start() > 0 and " ".join(m.group(1).split()).lower() in lengths
    ]

    def to_for(match: re.Match) -> str:
        return ("F" if match.group(1) == "S" else "f") + "or" + match.group(2)

    # Where each "since" stands, and whether it gives a time (a length, or a point).
    for match in re.finditer(r"\bsince\b", text, re.IGNORECASE):
        if match.start() == 0 or not text[: match.start()].strip():
            continue
        after = text[match.end() :]
        boundary = _BOUNDARY.search(after)
        after = after[: boundary.start()] if boundary else after
        if _SINCE_LENGTH.match(text, match.start()) or _a_time(after):
            markers.append(match.start())
    out = text
    for at in sorted(set(markers), reverse=True):
        start = _clause_start(out, at)
        out = out[:start] + _perfect(out[start:at]) + out[at:]
    return _SINCE_LENGTH.sub(to_for, out)
