"""Synthetic fluency pairs: common learner errors injected into clean sentences.

ITERATER-sent holds about 1,000 fluency revisions, mostly typos in academic prose; a
writer whose English is a second language makes other errors (agreement, articles,
their/there, prepositions, verb forms) that the corpus barely shows a 135M model. This
module makes ``(erroneous, clean)`` pairs from sentences that are already clean (the
revised side of the training split only, never dev or test), labelled ``fluency``, so
the model learns to undo exactly those errors and to leave the rest of a sentence alone.

Every rule works on the words of a sentence (``\\w+`` runs, with the text between them
kept as it was) and produces a change a grammar checker would flag; a sentence gets one
to three errors from different rules. Deterministic for a given seed.

No library injects learner errors into English text (the grammatical-error-correction
corpora ship fixed pairs, under licences we cannot use here), hence these rules.
"""

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from itune_core.verb_forms import parts_of_speech, verb_lemmas

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")

# Pairs a learner confuses; each direction is an error.
_CONFUSIONS: dict[str, tuple[str, ...]] = {
    "their": ("there", "they're"),
    "there": ("their",),
    "its": ("it's",),
    "it's": ("its",),
    "your": ("you're",),
    "than": ("then",),
    "then": ("than",),
    "too": ("to",),
    "whose": ("who's",),
    "lose": ("loose",),
    "affect": ("effect",),
    "effect": ("affect",),
}
_AGREEMENT: dict[str, str] = {
    "is": "are",
    "are": "is",
    "was": "were",
    "were": "was",
    "has": "have",
    "have": "has",
    "does": "do",
    "do": "does",
    "doesn't": "don't",
    "don't": "doesn't",
    "this": "these",
    "these": "this",
    "many": "much",
    "much": "many",
    "fewer": "less",
}
_PREPOSITIONS = ("in", "on", "at", "to", "for", "of", "with", "from", "by", "about")
_IRREGULAR_PAST = {
    "went": "goed",
    "made": "maked",
    "took": "taked",
    "wrote": "writed",
    "gave": "gived",
    "found": "finded",
    "began": "beginned",
    "thought": "thinked",
    "brought": "bringed",
    "chose": "choosed",
    "knew": "knowed",
    "saw": "seed",
    "came": "comed",
    "became": "becomed",
    "built": "builded",
    "taught": "teached",
    "held": "holded",
    "led": "leaded",
    "ran": "runned",
    "won": "winned",
}
_IRREGULAR_PLURAL = {
    "people": "peoples",
    "children": "childs",
    "men": "mans",
    "women": "womans",
    "data": "datas",
    "information": "informations",
    "research": "researches",
    "advice": "advices",
    "equipment": "equipments",
    "knowledge": "knowledges",
}
_QUANTIFIERS = {
    "many",
    "several",
    "few",
    "two",
    "three",
    "four",
    "five",
    "both",
    "various",
    "these",
    "those",
    "multiple",
    "numerous",
}
_THIRD_PERSON = {"he", "she", "it", "this", "that", "everyone", "nobody", "someone"}
_PLURAL_PRONOUNS = {"i", "you", "we", "they", "people", "children", "students", "users"}
# Words ending in -s that are not third-person verbs or plurals.
_NOT_INFLECTED = {
    "is",
    "was",
    "has",
    "does",
    "this",
    "thus",
    "its",
    "his",
    "us",
    "as",
    "yes",
    "less",
    "across",
    "always",
    "perhaps",
    "whereas",
    "process",
    "analysis",
    "basis",
    "class",
    "access",
    "success",
    "business",
    "focus",
    "status",
    "bus",
    "gas",
    "plus",
    "news",
    "series",
    "species",
    "various",
    "previous",
    "numerous",
}
_VOWEL_SOUND_EXCEPTIONS = ("uni", "use", "eu", "one", "hour", "honest", "honour", "honor")

RULES: tuple[str, ...] = (
    "confusion",
    "agreement",
    "article",
    "preposition",
    "verb-form",
    "plural",
    "spelling",
)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()


def _words(text: str) -> list[_Word]:
    return [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def same_case(template: str, word: str) -> str:
    """``word`` with a capital first letter where ``template`` has one."""
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def plural_noun(word: _Word) -> bool:
    """Whether ``word`` looks like a plural noun in lower case ("people", "users", not
    "class")."""
    lower = word.lower
    return word.text.islower() and (
        lower == "people" or (lower.endswith("s") and not lower.endswith("ss") and len(lower) > 3)
    )


SUBJECT_PRONOUNS = frozenset(("i", "we", "you", "they", "he", "she", "it"))

# A candidate change: (start, end, replacement) in the sentence's characters.
_Change = tuple[int, int, str]

# Words a sentence may open with that stay right in lower case after a phrase is put
# before them ("It is important to note that the ...", "Basically, we ...").
LOWERABLE_OPENERS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "the this these those we our in it there a an most many some such each all both "
        "for on at with they their its one no several"
    ).split()
)


def opener_changes(
    words: Sequence[_Word], rng: random.Random, phrases: Sequence[str], share: float
) -> list[_Change]:
    """One of ``phrases`` put before the sentence, its first word lowered, in a ``share``
    of the sentences whose first word is one of ``LOWERABLE_OPENERS``; else none. Such an
    opener fits almost any sentence, hence the share."""
    if not words or words[0].start != 0 or words[0].lower not in LOWERABLE_OPENERS:
        return []
    if rng.random() >= share:
        return []
    first = words[0]
    return [(0, first.end, rng.choice(phrases) + first.text.lower())]


def _confusion(words: Sequence[_Word], text: str) -> list[_Change]:
    return [
        (w.start, w.end, same_case(w.text, alt))
        for w in words
        for alt in _CONFUSIONS.get(w.lower, ())
    ]


def _agreement(words: Sequence[_Word], text: str) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words):
        if w.lower in _AGREEMENT:
            changes.append((w.start, w.end, same_case(w.text, _AGREEMENT[w.lower])))
        elif i > 0 and len(w.text) > 3 and w.text.islower():
            before = words[i - 1].lower
            if before in _THIRD_PERSON and w.lower.endswith("s") and w.lower not in _NOT_INFLECTED:
                stem = w.text[:-2] if w.lower.endswith(("ches", "shes", "sses")) else w.text[:-1]
                changes.append((w.start, w.end, stem))
            elif before in _PLURAL_PRONOUNS and not w.lower.endswith(("s", "ed", "ing", "ly")):
                changes.append((w.start, w.end, w.text + "s"))
    return changes


def _article(words: Sequence[_Word], text: str) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w.lower in ("the", "a", "an") and nxt is not None:
            # Drop the article (and the space after it).
            end = nxt.start
            if w.text[0].isupper():
                changes.append((w.start, nxt.start + 1, nxt.text[0].upper()))
            else:
                changes.append((w.start, end, ""))
            if w.lower in ("a", "an"):
                wrong = "an" if w.lower == "a" else "a"
                changes.append((w.start, w.end, same_case(w.text, wrong)))
        elif w.lower == "an" and nxt is not None:
            changes.append((w.start, w.end, same_case(w.text, "a")))
    return changes


def _preposition(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for w in words:
        if w.lower in _PREPOSITIONS and w.text.islower():
            other = rng.choice([p for p in _PREPOSITIONS if p != w.lower])
            changes.append((w.start, w.end, other))
    return changes


def _verb_form(words: Sequence[_Word], text: str) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words):
        lower = w.lower
        if lower in _IRREGULAR_PAST:
            changes.append((w.start, w.end, same_case(w.text, _IRREGULAR_PAST[lower])))
        elif i > 0 and words[i - 1].lower == "to" and w.text.islower() and len(lower) > 2:
            if not lower.endswith(("ing", "ed", "s", "e")) and lower not in _PREPOSITIONS:
                changes.append((w.start, w.end, w.text + "ing"))
        elif (
            lower.endswith("ed")
            and len(lower) > 5
            and i > 0
            and words[i - 1].lower in ("has", "have", "had", "was", "were", "been", "be")
        ):
            stem = w.text[:-1] if lower.endswith("ied") else w.text[:-2]
            changes.append((w.start, w.end, stem))
    return changes


def _plural(words: Sequence[_Word], text: str) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words):
        lower = w.lower
        if lower in _IRREGULAR_PLURAL:
            changes.append((w.start, w.end, same_case(w.text, _IRREGULAR_PLURAL[lower])))
        elif (
            i > 0
            and words[i - 1].lower in _QUANTIFIERS
            and lower.endswith("s")
            and not lower.endswith("ss")
            and lower not in _NOT_INFLECTED
            and len(lower) > 3
            and w.text.islower()
        ):
            singular = w.text[:-3] + "y" if lower.endswith("ies") else w.text[:-1]
            changes.append((w.start, w.end, singular))
    return changes


def _spelling(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for w in words:
        if len(w.text) < 6 or not w.text.isalpha() or not w.text.islower():
            continue
        k = rng.randrange(1, len(w.text) - 2)
        s = w.text
        variants = (
            s[:k] + s[k + 1] + s[k] + s[k + 2 :],  # swapped letters
            s[:k] + s[k + 1 :],  # dropped letter
            s[:k] + s[k] + s[k:],  # doubled letter
        )
        variant = rng.choice([v for v in variants if v != s] or [s[:k] + s[k + 1 :]])
        changes.append((w.start, w.end, variant))
    return changes


def _candidates(rule: str, words: Sequence[_Word], text: str, rng: random.Random):
    if rule in _SEEDED_RULES:
        return _SEEDED_RULES[rule](words, text, rng)
    return RULE_FUNCTIONS[rule](words, text)


def inject_errors(
    sentence: str, rng: random.Random, max_errors: int = 3
) -> tuple[str, tuple[str, ...]]:
    """``sentence`` with one to ``max_errors`` learner errors, and the rules applied.

    Changes never overlap, and each comes from a different rule. Returns the sentence
    unchanged and ``()`` when no rule applies.
    """
    words = _words(sentence)
    wanted = rng.randint(1, max_errors)
    rules = list(RULES)
    rng.shuffle(rules)
    chosen: list[tuple[_Change, str]] = []
    for rule in rules:
        if len(chosen) == wanted:
            break
        options = [
            c
            for c in _candidates(rule, words, sentence, rng)
            if all(c[1] <= s or c[0] >= e for (s, e, _), _r in chosen)
            and sentence[c[0] : c[1]] != c[2]
        ]
        if options:
            chosen.append((rng.choice(options), rule))
    text = sentence
    for (start, end, replacement), _rule in sorted(chosen, key=lambda c: -c[0][0]):
        text = text[:start] + replacement + text[end:]
    return text, tuple(rule for _c, rule in chosen)


# Contractions, each from the full form a clean sentence may hold; "it is" first, since
# "its" for "it's" is the one whose wrong form is itself a word, so only the context tells.
_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("it is", "it's"),
    ("is not", "isn't"),
    ("are not", "aren't"),
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("cannot", "can't"),
    ("will not", "won't"),
    ("they are", "they're"),
    ("you are", "you're"),
    ("that is", "that's"),
    ("there is", "there's"),
)
_CONTRACTED = {short for _full, short in _CONTRACTIONS}


def contract(sentence: str) -> str:
    """``sentence`` with its first full form (in ``_CONTRACTIONS`` order) contracted, as a
    less formal writer puts it; unchanged when it already holds a contraction or has no
    full form. The first letter's case is kept."""
    if any(w.lower in _CONTRACTED for w in _words(sentence)):
        return sentence
    for full, short in _CONTRACTIONS:
        match = re.search(rf"\b{full}\b", sentence, flags=re.IGNORECASE)
        if match:
            short = same_case(match.group(), short)
            return sentence[: match.start()] + short + sentence[match.end() :]
    return sentence


def drop_apostrophe(sentence: str, rng: random.Random) -> str:
    """``sentence`` with the apostrophe of one contraction dropped ("it's" -> "its",
    "don't" -> "dont"); "it's" is chosen whenever the sentence holds it. Unchanged when
    it holds none."""
    found = [w for w in _words(sentence) if w.lower in _CONTRACTED]
    if not found:
        return sentence
    its = [w for w in found if w.lower == "it's"]
    w = its[0] if its else rng.choice(found)
    return sentence[: w.start] + w.text.replace("'", "") + sentence[w.end :]


def apostrophe_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(apostrophe dropped, clean, ("apostrophe",))`` triples, one per
    distinct usable sentence that holds a contraction or a full form to contract (the
    clean side is the contracted sentence). A rule apart from ``RULES``, so the pairs of
    ``make_pairs`` stay as they were: academic prose seldom contracts, so those pairs
    never teach that "its not" is "it's not"."""

    def apostrophe(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
        clean = contract(sentence)
        return drop_apostrophe(clean, rng), clean, ("apostrophe",)

    return corrupted_pairs(sentences, count, seed, apostrophe)


# Words that follow "we" or "they" without being a present-tense verb: modals, adverbs,
# past forms that look like base forms.
_NOT_BASE_VERBS = frozenset(
    (  # noqa: SIM905 (a list of 120 words reads better as one string)
        "can could will would shall should may might must cannot also then still now often only "
        "first thus therefore just all both each always never usually further hence are were "
        "was am be had did not and or to in on at of for with as so because here there mainly "
        "even however generally simply rather actually already again finally instead indeed "
        "really certainly particularly typically currently previously later second third "
        "either neither nor found made said took gave went came saw knew thought got felt told "
        "became began brought left kept held ran wrote chose lost built bought won met paid sent "
        "spent led stood understood taught put set cut let read hit hurt cost"
    ).split()
)
_PLURAL_SUBJECT = re.compile(r"\b(we|they) ([a-z]+)\b(?!-)", flags=re.IGNORECASE)
_SINGULAR_PRONOUNS = ("he", "she", "it")


def third_person(verb: str) -> str:
    """The third-person singular present of a base-form ``verb`` ("have" -> "has",
    "go" -> "goes", "carry" -> "carries", "propose" -> "proposes")."""
    if verb == "have":
        return "has"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def singular_subject(sentence: str, rng: random.Random) -> tuple[str, str] | None:
    """``(verb without its -s, clean)`` for a sentence whose first "we" or "they" is
    followed by a present-tense verb: that subject becomes "he", "she" or "it" (drawn from
    ``rng``, the case kept) and the clean side inflects the verb ("We propose" -> clean "She
    proposes", noisy "She propose"). None when the sentence has no such subject."""
    for match in _PLURAL_SUBJECT.finditer(sentence):
        subject, verb = match.group(1), match.group(2)
        if verb in _NOT_BASE_VERBS or len(verb) < 2 or verb.endswith(("s", "ed", "ing", "ly")):
            continue
        pronoun = same_case(subject, rng.choice(_SINGULAR_PRONOUNS))
        head, tail = sentence[: match.start()], sentence[match.end() :]
        return f"{head}{pronoun} {verb}{tail}", f"{head}{pronoun} {third_person(verb)}{tail}"
    return None


def agreement_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(verb without its -s, clean, ("third-person",))`` triples, one per
    distinct usable sentence with a "we" or "they" subject to make singular
    (``singular_subject``). The third-person -s is the commonest learner error, but the
    corpora seldom put "he", "she" or "it" before a verb (about 60 train sentences), so the
    ``agreement`` rule of ``make_pairs`` drops it in a few dozen pairs only; a rule apart
    from ``RULES``, so those pairs stay as they were."""

    def third(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
        found = singular_subject(sentence, rng)
        if found is None:
            return sentence, sentence, ()
        return found[0], found[1], ("third-person",)

    return corrupted_pairs(sentences, count, seed, third)


def usable(sentence: str) -> bool:
    """Whether a sentence is a fair clean source: prose of 6-60 words, no markup."""
    words = _WORD.findall(sentence)
    if not 6 <= len(words) <= 60 or len(sentence) > 400:
        return False
    if any(mark in sentence for mark in ("%", "\\", "{", "}", "http", "<", ">", "=", "@")):
        return False
    return sentence[:1].isupper() and sentence.rstrip()[-1:] in ".!?"


def make_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(erroneous, clean, rules)`` triples from distinct usable sentences.

    Each clean sentence is used once at most; the order follows a seeded shuffle.
    """

    def errors(clean: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
        noisy, rules = inject_errors(clean, rng)
        return noisy, clean, rules

    return corrupted_pairs(sentences, count, seed, errors)


def corrupted_pairs(
    sentences: Iterable[str],
    count: int,
    seed: int,
    corrupt: Callable[[str, random.Random], tuple[str, str, tuple[str, ...]]],
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``corrupt(sentence, rng)`` triples ``(noisy, clean, rules)`` from
    distinct usable sentences in a seeded shuffle, those where ``noisy`` differs kept."""
    rng = random.Random(seed)
    pool = sorted({s.strip() for s in sentences if usable(s.strip())})
    rng.shuffle(pool)
    pairs = []
    for sentence in pool:
        if len(pairs) == count:
            break
        noisy, clean, rules = corrupt(sentence, rng)
        if rules and noisy != clean:
            pairs.append((noisy, clean, rules))
    return pairs


# The rules by name (the tests reach one rule at a time through these): those that look
# only at the words, and those that also draw from the sentence's random generator.
RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "confusion": _confusion,
    "agreement": _agreement,
    "article": _article,
    "verb-form": _verb_form,
    "plural": _plural,
}
_SEEDED_RULES: dict[str, Callable[..., list[_Change]]] = {
    "preposition": _preposition,
    "spelling": _spelling,
}


# --- More learner errors (``more_error_pairs``) -------------------------------------------
# Errors the rules above never make, found by trying the built-in adapter on hand-written
# learner sentences: present tense after a past-time marker, a lowercase sentence start or
# "i", a dropped "is", "more better", a modal's verb inflected, a gerund left bare, and the
# misspellings learners make most. A table apart from ``RULES``, so the pairs of
# ``make_pairs`` stay as they were.

_PAST_TO_BASE = {
    "went": "go",
    "made": "make",
    "took": "take",
    "wrote": "write",
    "gave": "give",
    "found": "find",
    "began": "begin",
    "thought": "think",
    "brought": "bring",
    "chose": "choose",
    "knew": "know",
    "saw": "see",
    "came": "come",
    "became": "become",
    "built": "build",
    "taught": "teach",
    "held": "hold",
    "ran": "run",
    "won": "win",
    "told": "tell",
    "got": "get",
    "felt": "feel",
    "left": "leave",
    "kept": "keep",
    "lost": "lose",
    "bought": "buy",
    "met": "meet",
    "paid": "pay",
    "sent": "send",
    "spent": "spend",
    "understood": "understand",
    "said": "say",
    "had": "have",
    "did": "do",
    "wanted": "want",
    "used": "use",
    "tried": "try",
    "decided": "decide",
    "started": "start",
    "worked": "work",
    "lived": "live",
    "visited": "visit",
    "played": "play",
    "studied": "study",
    "changed": "change",
    "showed": "show",
    "proposed": "propose",
    "introduced": "introduce",
    "developed": "develop",
    "published": "publish",
    "released": "release",
    "collected": "collect",
    "conducted": "conduct",
    "created": "create",
    "asked": "ask",
    "needed": "need",
    "helped": "help",
    "moved": "move",
    "learned": "learn",
    "looked": "look",
}
# Past forms that are never participles, so any subject may stand before them.
_SIMPLE_PAST_ONLY = frozenset(
    ("went", "took", "wrote", "gave", "began", "knew", "saw", "came", "became", "ran", "won")
)
_AUXILIARIES = frozenset(("had", "has", "have", "was", "were", "be", "been", "is", "are", "to"))
_SUBJECTS = frozenset(("i", "we", "he", "she", "they", "you", "it", "people", "students"))
_PAST_MARKER = re.compile(
    r"\b(ago|yesterday|last (?:year|week|month|time|night|summer|winter|decade)|"
    r"in (?:19|20)\d\d|when (?:i|we|he|she|they) (?:was|were))\b",
    flags=re.IGNORECASE,
)
# Common first words of a sentence, lowercased when a time marker is put before it.
_OPENING_WORDS = _SUBJECTS | frozenset(
    ("the", "this", "these", "our", "my", "in", "after", "then", "a", "an", "as", "at", "on")
)
# Put before a sentence that opens with a subject and a past verb but names no time.
_PAST_OPENERS = ("Last year, ", "Two years ago, ", "Yesterday, ", "Last week, ", "In 2019, ")
_ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "able", "ible", "al", "ic", "ant", "ent", "ary")
_AFTER_BE = frozenset(
    (  # noqa: SIM905 (word lists read better as one string)
        "very so too quite really also not more less important difficult easy necessary possible "
        "clear useful available different similar able hard good bad happy sure true likely "
        "unclear simple common"
    ).split()
)
_COMPARATIVES = {
    "better": "good",
    "worse": "bad",
    "larger": "large",
    "smaller": "small",
    "higher": "high",
    "lower": "low",
    "faster": "fast",
    "slower": "slow",
    "easier": "easy",
    "harder": "hard",
    "greater": "great",
    "shorter": "short",
    "bigger": "big",
    "stronger": "strong",
    "weaker": "weak",
    "simpler": "simple",
    "cheaper": "cheap",
    "wider": "wide",
    "deeper": "deep",
    "closer": "close",
    "safer": "safe",
    "richer": "rich",
}
# Names a learner may write in lowercase ("in london", "on monday", "speak english").
_PROPER_WORDS = frozenset(
    (  # noqa: SIM905
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
        "June July August September October November December English French German Spanish "
        "Chinese Japanese Italian Arabic American British European Asian African Europe Asia "
        "Africa America London Paris Berlin China Japan India France Germany Spain Italy "
        "Internet Christmas"
    ).split()
)
_MODALS = frozenset(("can", "could", "will", "would", "should", "must", "may", "might"))
_GERUND_AFTER = frozenset(("of", "for", "about", "before", "after", "without", "by"))
# Single words only: "a lot" to "alot" spans two words and is made in `_misspelling`.
_MISSPELLINGS = {
    "received": "recieved",
    "receive": "recieve",
    "definitely": "definately",
    "separate": "seperate",
    "occurred": "occured",
    "until": "untill",
    "which": "wich",
    "believe": "beleive",
    "government": "goverment",
    "environment": "enviroment",
    "necessary": "neccessary",
    "beginning": "begining",
    "tomorrow": "tommorow",
    "truly": "truely",
    "argument": "arguement",
    "existence": "existance",
    "independent": "independant",
    "referred": "refered",
    "successful": "succesful",
    "address": "adress",
    "apparently": "apparantly",
    "experience": "experiance",
    "foreign": "foriegn",
    "friend": "freind",
    "friends": "freinds",
    "immediately": "immediatly",
    "knowledge": "knowlege",
    "achieve": "acheive",
    "business": "buisness",
    "completely": "completly",
    "different": "diffrent",
    "especially": "especialy",
    "finally": "finaly",
    "really": "realy",
    "because": "becuase",
    "people": "poeple",
    "probably": "probaly",
    "recommend": "reccomend",
    "relevant": "relevent",
    "similar": "similiar",
    "though": "tho",
    "through": "thru",
    "usually": "usualy",
    "writing": "writting",
    "grammar": "grammer",
    "interesting": "intresting",
    "important": "importent",
    "government's": "goverment's",
    "their": "thier",
    "weird": "wierd",
    "science": "sience",
    "opinion": "oppinion",
    "students": "studens",
    "beautiful": "beautifull",
    "easily": "easilly",
    "whether": "wether",
}

MORE_RULES: tuple[str, ...] = (
    "tense",
    "capitals",
    "missing-be",
    "comparative",
    "modal",
    "bare-gerund",
    "misspelling",
    "since",
)


def _tense(sentence: str, rng: random.Random) -> tuple[str, str] | None:
    """``(present, clean)`` for a sentence whose subject-led past verbs a learner puts in
    the present beside a past-time marker ("Yesterday I go"). The clean side is the
    sentence, with a marker put before it when it names no time and opens with a common
    word ("We proposed" -> "Last year, we proposed"); None otherwise."""
    words = _words(sentence)
    changes = [
        (w.start, w.end, _PAST_TO_BASE[w.lower])
        for i, w in enumerate(words)
        if i > 0
        and w.text.islower()
        and w.lower in _PAST_TO_BASE
        and (
            words[i - 1].lower in _SUBJECTS
            or (w.lower in _SIMPLE_PAST_ONLY and words[i - 1].lower not in _AUXILIARIES)
        )
        and not (w.lower == "had" and i + 1 < len(words) and words[i + 1].lower.endswith("ed"))
    ]
    if not changes:
        return None
    clean = sentence
    if not _PAST_MARKER.search(sentence):
        if words[0].lower not in _OPENING_WORDS or sentence[:1].islower():
            return None  # a name may open it: left as it is, with no marker put before
        opener = rng.choice(_PAST_OPENERS)
        clean = opener + (sentence if words[0].text == "I" else sentence[0].lower() + sentence[1:])
        changes = [(s + len(opener), e + len(opener), new) for s, e, new in changes]
    noisy = clean
    for start, end, new in sorted(changes, key=lambda c: -c[0]):
        noisy = noisy[:start] + new + noisy[end:]
    return noisy, clean


def _capitals(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.start + 1, w.text[0].lower())
        for i, w in enumerate(words)
        if w.text == "I"
        or (i == 0 and w.text[:1].isupper() and w.text[1:].islower())
        or (i > 0 and w.text in _PROPER_WORDS)
    ]


def _missing_be(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[1:-1], start=1):
        nxt = words[i + 1].lower
        if w.lower in ("is", "are", "am") and w.text.islower() and text[w.end] == " ":
            if nxt in _AFTER_BE or (nxt.endswith(_ADJECTIVE_ENDINGS) and len(nxt) > 5):
                changes.append((w.start, w.end + 1, ""))
        elif w.lower in ("do", "does") and nxt == "not" and words[i - 1].lower in _SUBJECTS:
            changes.append((w.start, w.end + 1, ""))
    return changes


def _comparative(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, "more " + rng.choice((w.text, _COMPARATIVES[w.lower])))
        for i, w in enumerate(words)
        if w.lower in _COMPARATIVES
        and w.text.islower()
        and not (i > 0 and words[i - 1].lower in ("more", "no", "much", "far", "even"))
    ]


def _modal(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    return [
        (w.start, w.end, third_person(w.text))
        for i, w in enumerate(words)
        if i > 0
        and words[i - 1].lower in _MODALS
        and w.text.islower()
        and w.text.isalpha()
        and len(w.text) > 2
        and w.lower not in _NOT_BASE_VERBS
        and w.lower not in ("not", "be", "have")
        and not w.lower.endswith(("s", "ed", "ing", "ly"))
    ]


def _bare_gerund(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    known = {w.lower for w in words}
    changes: list[_Change] = []
    for i, w in enumerate(words[1:], start=1):
        lower = w.lower
        if words[i - 1].lower in _GERUND_AFTER and lower.endswith("ing") and len(lower) > 6:
            stem = w.text[:-3]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            elif stem + "e" in known or stem.endswith(("at", "iv", "ur", "uc", "ag", "ov", "ak")):
                stem += "e"
            changes.append((w.start, w.end, stem))
    return changes


def _misspelling(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes = [(w.start, w.end, _MISSPELLINGS[w.lower]) for w in words if w.text in _MISSPELLINGS]
    changes += [(m.start(), m.end(), "alot") for m in re.finditer(r"\ba lot\b", text)]
    return changes


_DURATION = re.compile(
    r"\bfor (?=(?:a few|several|many|two|three|four|five|ten|\d+) "
    r"(?:seconds|minutes|hours|days|weeks|months|years|decades)\b)"
)


def _since(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    return [(m.start(), m.start() + 3, "since") for m in _DURATION.finditer(text)]


# The rules of ``MORE_RULES`` but ``tense`` (which may change the clean side), each taking
# a sentence's words, its text and its random generator.
MORE_RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "capitals": _capitals,
    "comparative": _comparative,
    "missing-be": _missing_be,
    "modal": _modal,
    "bare-gerund": _bare_gerund,
    "misspelling": _misspelling,
    "since": _since,
}


def inject_more_errors(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """``(noisy, clean, rules)``: the first rule of ``MORE_RULES`` but ``capitals`` that
    applies, in a seeded order, and a second error from another rule half the time.
    ``capitals`` applies to almost every sentence, so it comes first in three sentences of
    ten where nothing else applies and is otherwise only ever the second error. ``tense``
    may change the clean side (a time marker put before it); ``noisy == clean`` when
    nothing applies."""
    rules = [rule for rule in MORE_RULES if rule != "capitals"]
    rng.shuffle(rules)
    second = rng.random() < 0.5
    capitals_first = rng.random() < 0.3
    clean, noisy, applied = sentence, sentence, []
    for rule in [*rules, "capitals"]:
        if len(applied) == 1 + second:
            break
        if rule == "capitals" and not applied and not capitals_first:
            break
        if rule == "tense":
            found = None if applied else _tense(sentence, rng)  # it rewrites the clean side
            if found is not None:
                noisy, clean = found
                applied.append(rule)
            continue
        options = MORE_RULE_FUNCTIONS[rule](_words(noisy), noisy, rng)
        options = [c for c in options if noisy[c[0] : c[1]] != c[2]]
        if options:
            start, end, new = rng.choice(options)
            noisy = noisy[:start] + new + noisy[end:]
            applied.append(rule)
    return noisy, clean, tuple(applied)


def more_error_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(noisy, clean, rules)`` triples of ``inject_more_errors``, one per
    distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, inject_more_errors)


def inject_mixed_errors(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """``(noisy, clean, rules)``: the errors of ``inject_more_errors`` and then one or two
    of ``inject_errors`` on top, as a learner's sentence mixes several kinds ("Last week i
    meet my teacher and she tell me"). ``noisy == clean`` unless both kinds apply."""
    noisy, clean, more = inject_more_errors(sentence, rng)
    if not more:
        return sentence, sentence, ()
    mixed, classic = inject_errors(noisy, rng, max_errors=2)
    if not classic:
        return sentence, sentence, ()
    return mixed, clean, more + classic


def mixed_error_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(noisy, clean, rules)`` triples of ``inject_mixed_errors``, one per
    distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, inject_mixed_errors)


# --- Grammar errors the built-in adapter still leaves (``grammar_error_pairs``) ------------
# Found by reading step 4's answers on the hand-written learner sentences: the verb's -s
# dropped away from its subject ("he wakes up and go", "she always get", "who live"), a
# doubled comparative or superlative ("more bigger", "most biggest"), "am" or "are" put
# before a verb ("I am agree"), the bare verb after the preposition "to" ("look forward to
# meet"), "since" for "for" a duration, and "loose" for "lose". The corpora seldom hold the
# sentences these need, so each rule looks for the widest form of its pattern.

GRAMMAR_RULES: tuple[str, ...] = (
    "agreement-later",
    "double-comparative",
    "be-before-verb",
    "to-bare-verb",
    "since",
    "loose",
)
# Words after which a verb's -s belongs to a subject further back: adverbs of frequency
# and manner, a coordinating "and"/"or", a relative pronoun.
_LATER_CUES = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "always often usually also sometimes never rarely seldom still only generally "
        "typically frequently normally mostly mainly then and or who which"
    ).split()
)
_SUPERLATIVES = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "largest smallest highest lowest fastest easiest greatest shortest longest biggest "
        "strongest simplest oldest newest latest earliest closest richest"
    ).split()
)
_BE_FOR = {"i": "am", "we": "are", "they": "are", "you": "are"}
# "to" before a gerund is a preposition ("look forward to meeting", "committed to
# improving", "in addition to being"): the infinitive's "to" takes the bare verb.
_TO_GERUND = re.compile(r"\b[a-z]+ to ([a-z]{2,}ing)\b")
_LOSE = {"lose": "loose", "losing": "loosing"}
_OBJECT_STARTS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "a an the to it them him her his their its this these those our my your some many "
        "more no all each every several any"
    ).split()
)


def _verb_lemma(word: str, tag: str) -> str | None:
    """The first verb whose ``tag`` form (Penn tag) ``word`` is, or None."""
    return next(iter(verb_lemmas(word, (tag,))), None)


def _agreement_later(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[1:], start=1):
        if words[i - 1].lower not in _LATER_CUES or not w.text.islower() or len(w.text) < 4:
            continue
        if w.lower in ("is", "has", "does", "was") or not w.lower.endswith("s"):
            continue
        lemma = _verb_lemma(w.lower, "VBZ")
        if lemma is None or lemma in ("be", "have", "do"):
            continue
        # "eggs and bottles of water": after "and" or "or", a word that may be a plural
        # noun counts as a verb only before what starts an object ("and shares its
        # waters"); after an adverb or "who"/"which" it is one ("who lives in").
        after = words[i + 1].lower if i + 1 < len(words) else ""
        coordinated = words[i - 1].lower in ("and", "or")
        noun = "NOUN" in parts_of_speech(w.lower)
        if coordinated and noun and after not in _OBJECT_STARTS:
            continue
        if text[words[i - 1].end : w.start] == " ":
            changes.append((w.start, w.end, lemma))
    return changes


def _double_comparative(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    """Doubled comparatives and superlatives: "smaller" -> "more smaller", "the biggest"
    -> "the most biggest" ("better" and "worse" are left to ``_comparative``)."""
    changes: list[_Change] = []
    for i, w in enumerate(words[1:], start=1):
        before = words[i - 1].lower
        if not w.text.islower() or before in ("more", "most"):
            continue
        comparative = w.lower in _COMPARATIVES and w.lower not in ("better", "worse")
        if comparative and before != "the":
            changes.append((w.start, w.end, "more " + w.text))
        elif w.lower in _SUPERLATIVES and before == "the":
            changes.append((w.start, w.end, "most " + w.text))
    return changes


def _be_before_verb(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[:-1]):
        nxt = words[i + 1]
        if w.lower not in _BE_FOR or not nxt.text.islower() or text[w.end : nxt.start] != " ":
            continue
        if nxt.lower in _NOT_BASE_VERBS or nxt.lower in _MODALS or len(nxt.text) < 3:
            continue
        if nxt.lower in ("have", "do", "need", "dare") or _verb_lemma(nxt.lower, "VBP") is None:
            continue
        if parts_of_speech(nxt.lower) - {"VERB"}:
            continue  # "we report" could be read as a noun after "are"; verbs only
        changes.append((nxt.start, nxt.start, _BE_FOR[w.lower] + " "))
    return changes


def _to_bare_verb(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for match in _TO_GERUND.finditer(text):
        lemma = _verb_lemma(match.group(1), "VBG")
        if lemma is not None:
            changes.append((match.start(1), match.end(1), lemma))
    return changes


def _loose(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    return [(w.start, w.end, _LOSE[w.lower]) for w in words if w.text in _LOSE]


GRAMMAR_RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "agreement-later": _agreement_later,
    "double-comparative": _double_comparative,
    "be-before-verb": _be_before_verb,
    "to-bare-verb": _to_bare_verb,
    "since": _since,
    "loose": _loose,
}


def one_error(
    sentence: str,
    rng: random.Random,
    functions: dict[str, Callable[..., list[_Change]]],
    common: str,
) -> tuple[str, str, tuple[str, ...]]:
    """``(noisy, clean, rules)``: one error of the first rule of ``functions`` that
    applies, the rules in a seeded order; the rarer rules (all but ``common``) are tried
    first, so the common one does not crowd them out. ``noisy == clean`` when nothing
    applies."""
    rare = [rule for rule in functions if rule != common]
    rng.shuffle(rare)
    for rule in [*rare, common]:
        options = functions[rule](_words(sentence), sentence, rng)
        options = [c for c in options if sentence[c[0] : c[1]] != c[2]]
        if options:
            start, end, new = rng.choice(options)
            return sentence[:start] + new + sentence[end:], sentence, (rule,)
    return sentence, sentence, ()


def inject_grammar_errors(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """One error of ``GRAMMAR_RULES`` (``one_error``; ``agreement-later`` is the common
    rule)."""
    return one_error(sentence, rng, GRAMMAR_RULE_FUNCTIONS, "agreement-later")


def grammar_error_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(noisy, clean, rules)`` triples of ``inject_grammar_errors``, one
    per distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, inject_grammar_errors)


# --- Usage errors (``usage_error_pairs``) -----------------------------------------------
# Errors of word usage rather than of form, among those teachers of English list first and
# none of the sets above makes: an uncountable noun given a plural ("informations",
# "researches"), "will" in a clause of time or condition ("If we will use ..."), a second
# connector after "although" or "because" ("Although it rains, but ..."), a preposition
# after a verb that takes none ("discuss about", "emphasize on", "enter into"), a present
# participle for the past one after "be" or "feel" ("I am interesting in"), and "most of"
# before a bare plural ("most of people").

USAGE_RULES: tuple[str, ...] = (
    "uncountable",
    "future-in-clause",
    "clause-connector",
    "extra-preposition",
    "participle-adjective",
    "most-of",
)
_UNCOUNTABLE = {
    "information": "informations",
    "research": "researches",
    "evidence": "evidences",
    "knowledge": "knowledges",
    "advice": "advices",
    "feedback": "feedbacks",
    "equipment": "equipments",
    "software": "softwares",
    "furniture": "furnitures",
    "homework": "homeworks",
    "luggage": "luggages",
    "progress": "progresses",
}
# Words before which "research" or "progress" is a verb ("we research", "to progress").
_VERB_CUES = frozenset(("i", "we", "you", "they", "to", "will", "can", "could", "may", "should"))
_CLAUSE_OPENERS = frozenset(("if", "when", "once", "until", "before", "after", "unless"))
# A verb's preposition learners add, by the verb's forms.
_EXTRA_PREPOSITION = {
    **dict.fromkeys(("discuss", "discussed", "discusses", "discussing"), "about"),
    **dict.fromkeys(("mention", "mentioned", "mentions", "mentioning"), "about"),
    **dict.fromkeys(
        ("emphasize", "emphasized", "emphasizes", "emphasise", "emphasised", "emphasises"), "on"
    ),
    **dict.fromkeys(("enter", "entered", "enters", "entering"), "into"),
    **dict.fromkeys(("reach", "reached", "reaches", "reaching"), "to"),
    **dict.fromkeys(("lacks", "lacked", "lacking"), "of"),
    **dict.fromkeys(("affect", "affected", "affects", "affecting"), "on"),
}
_PREPOSITION_OBJECTS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "the this these that those a an our their its his her my your some many how what "
        "whether several all each"
    ).split()
)
_FEELING_VERBS = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "am is are was were be been being feel feels felt get gets got become became"
    ).split()
)
_PARTICIPLES = frozenset(
    (  # noqa: SIM905 (a list of words reads better as one string)
        "interested bored excited tired confused surprised disappointed satisfied "
        "frustrated amazed worried annoyed embarrassed exhausted fascinated"
    ).split()
)
_DEGREE = frozenset(("very", "so", "really", "quite", "more", "less", "too", "extremely"))


def _uncountable(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words):
        before = words[i - 1].lower if i else ""
        if w.lower in _UNCOUNTABLE and before not in _VERB_CUES and before not in ("a", "an"):
            changes.append((w.start, w.end, same_case(w.text, _UNCOUNTABLE[w.lower])))
    return changes


def _future_in_clause(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    """ "If we use" -> "If we will use": a clause of time or condition that opens the
    sentence or follows a comma (where "if" cannot mean "whether"), with a pronoun subject
    and a present verb."""
    changes: list[_Change] = []
    for i, w in enumerate(words[:-2]):
        subject, verb = words[i + 1], words[i + 2]
        opens = i == 0 or text[: w.start].rstrip().endswith(",")
        if w.lower not in _CLAUSE_OPENERS or subject.lower not in SUBJECT_PRONOUNS or not opens:
            continue
        if not verb.text.islower() or text[subject.end : verb.start] != " ":
            continue
        if verb.lower in ("is", "are", "am"):
            new = "will be"
        elif verb.lower in ("has", "have"):
            new = "will have"
        elif subject.lower in ("he", "she", "it"):
            lemma = _verb_lemma(verb.lower, "VBZ")
            new = f"will {lemma}" if lemma and lemma not in ("be", "have", "do") else ""
        else:
            plain = _verb_lemma(verb.lower, "VBP") and not parts_of_speech(verb.lower) - {"VERB"}
            new = f"will {verb.text}" if plain and verb.lower not in _MODALS else ""
        if new:
            changes.append((verb.start, verb.end, new))
    return changes


def _clause_connector(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    """ "Although it rains, we go" -> "Although it rains, but we go"; "Because ..., so"."""
    opener = next((o for o in ("Although ", "Though ", "Even though ", "Because ") if
                   text.startswith(o)), None)  # fmt: skip
    comma = text.find(", ") if opener else -1
    if comma < len(opener or "") + 8 or not text[comma + 2 : comma + 3].islower():
        return []
    connector = "so " if opener == "Because " else "but "
    return [(comma + 2, comma + 2, connector)]


def _extra_preposition(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[:-1]):
        nxt = words[i + 1]
        if w.lower not in _EXTRA_PREPOSITION or nxt.lower not in _PREPOSITION_OBJECTS:
            continue
        if i and words[i - 1].lower in ("the", "a", "an", "its", "their", "our"):
            continue  # a noun: "within the reach of", "the affect"
        if _EXTRA_PREPOSITION[w.lower] == "into" and nxt.lower not in ("the", "a", "an"):
            continue
        if text[w.end : nxt.start] == " ":
            changes.append((nxt.start, nxt.start, _EXTRA_PREPOSITION[w.lower] + " "))
    return changes


def _participle_adjective(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[1:], start=1):
        before = words[i - 1].lower
        if before in _DEGREE and i > 1:
            before = words[i - 2].lower
        if w.lower in _PARTICIPLES and before in _FEELING_VERBS:
            stem = w.text[:-3] + "y" if w.lower.endswith("ied") else w.text[:-2]
            changes.append((w.start, w.end, stem + "ing"))
    return changes


def _most_of(words: Sequence[_Word], text: str, rng: random.Random) -> list[_Change]:
    changes: list[_Change] = []
    for i, w in enumerate(words[:-1]):
        nxt = words[i + 1]
        if w.lower != "most" or (i and words[i - 1].lower in ("the", "at", "a")):
            continue
        plural = nxt.lower == "people" or (
            nxt.lower.endswith("s") and not nxt.lower.endswith("ss") and len(nxt.text) > 3
        )
        if plural and nxt.text.islower() and "NOUN" in parts_of_speech(nxt.lower):
            changes.append((nxt.start, nxt.start, "of "))
    return changes


USAGE_RULE_FUNCTIONS: dict[str, Callable[..., list[_Change]]] = {
    "uncountable": _uncountable,
    "future-in-clause": _future_in_clause,
    "clause-connector": _clause_connector,
    "extra-preposition": _extra_preposition,
    "participle-adjective": _participle_adjective,
    "most-of": _most_of,
}


def inject_usage_errors(sentence: str, rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    """One error of ``USAGE_RULES`` (``one_error``; ``uncountable`` is the common rule)."""
    return one_error(sentence, rng, USAGE_RULE_FUNCTIONS, "uncountable")


def usage_error_pairs(
    sentences: Iterable[str], count: int, seed: int
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Up to ``count`` ``(noisy, clean, rules)`` triples of ``inject_usage_errors``, one
    per distinct usable sentence."""
    return corrupted_pairs(sentences, count, seed, inject_usage_errors)
