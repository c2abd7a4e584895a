"""Everyday sentences with one learner's usage error each, made from hand-written templates.

The other synthetic sets inject errors into the revised sentences of the corpora, and those
are academic prose, news and students' argumentative essays: they seldom say "When I get
home, I will call you", "She has lived here since 2016" or "I like this song very much",
so the errors that live in such sentences were barely taught (docs/default-adapter.md,
"Usage errors": 12 training pairs put "will" in a clause of time). No corpus of everyday
English ships with the project, and none may be downloaded, so these sentences are built
from templates and short word lists written for this module; nothing in them comes from a
corpus or from the hand-written evaluation sets (a test checks the latter).

Each template gives both sides of a pair at once, the clean sentence and the learner's
one, rather than injecting into a finished sentence, because several of these errors
change more than one word ("She lives here since 2016" for "She has lived here since
2016"). The kinds (``KINDS``):

- ``duration``: the present for the present perfect of a state that lasts up to now, or
  "since" for "for" before a length of time;
- ``perfect-past``: the present perfect with a finished past time ("I have seen it last
  week");
- ``adverb-order``: an adverb between a verb and its object ("She speaks very well
  Italian"), or a frequency adverb after the verb ("He goes always");
- ``verb-pattern``: "explain me", "said me that", "made us to wait", "I am agree", "wants
  that I";
- ``verb-preposition``: the wrong or a missing preposition after a word that takes one
  ("depends of", "listen music", "good in", "afraid from", "married with");
- ``uncountable``: an uncountable noun made plural with its quantifier and verb made to
  agree ("many informations", "an advice", "the furnitures were");
- ``future-in-clause``: "will" in a clause of time or condition;
- ``clause-connector``: "but" after "although", "so" after "because".

Every pair is labelled fluency. The pool of pairs is made once from a fixed seed and split
by a hash of the clean sentence, so train, dev and test never share a sentence.
"""

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

KINDS: tuple[str, ...] = (
    "duration",
    "perfect-past",
    "adverb-order",
    "verb-pattern",
    "verb-preposition",
    "uncountable",
    "future-in-clause",
    "clause-connector",
)
# Of every hundred distinct clean sentences, how many go to dev and to test (by hash).
_DEV_SHARE, _TEST_SHARE = 10, 10
_POOL_SEED = 0
_TRIES_PER_KIND = 600  # draws per kind; duplicates are dropped, so each kind gives fewer

Pair = tuple[str, str, tuple[str, ...]]  # (noisy, clean, kinds), as the other sets


@dataclass(frozen=True)
class _Subject:
    text: str
    person: str  # "1s" (I), "3s" (he, she, a singular noun), "pl" (we, you, they, plurals)

    @property
    def third(self) -> bool:
        return self.person == "3s"

    def be(self) -> str:
        return {"1s": "am", "3s": "is", "pl": "are"}[self.person]

    def was(self) -> str:
        return "were" if self.person == "pl" else "was"

    def have(self) -> str:
        return "has" if self.third else "have"


_SUBJECTS = tuple(
    _Subject(text, person)
    for text, person in (
        ("I", "1s"),
        ("we", "pl"),
        ("you", "pl"),
        ("they", "pl"),
        ("he", "3s"),
        ("she", "3s"),
        ("my sister", "3s"),
        ("my uncle", "3s"),
        ("our neighbour", "3s"),
        ("my cousins", "pl"),
        ("my grandparents", "pl"),
        ("the twins", "pl"),
        ("our teacher", "3s"),
        ("my best friend", "3s"),
    )
)


@dataclass(frozen=True)
class _Verb:
    base: str
    third: str
    past: str
    participle: str

    def present(self, subject: _Subject) -> str:
        return self.third if subject.third else self.base


def _verb(forms: str) -> _Verb:
    """``"base third past participle"``."""
    return _Verb(*forms.split())


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


# --- duration: the present perfect of what has lasted up to now -------------------------
_STATES = (
    (_verb("live lives lived lived"), "in a flat near the harbour"),
    (_verb("work works worked worked"), "at the post office"),
    (_verb("know knows knew known"), "the owner of the bakery"),
    (_verb("teach teaches taught taught"), "at the music school"),
    (_verb("play plays played played"), "in a local football team"),
    (_verb("study studies studied studied"), "Portuguese"),
    (_verb("drive drives drove driven"), "a small green van"),
    (_verb("have has had had"), "a grey cat called Pepper"),
    (_verb("own owns owned owned"), "a little shop in the old town"),
    (_verb("sing sings sang sung"), "in the church choir"),
    (_verb("collect collects collected collected"), "old coins"),
    (_verb("use uses used used"), "the same phone"),
)
_ONGOING = (  # the present continuous for the present perfect continuous
    (_verb("wait waits waited waited"), "for a reply from the council"),
    (_verb("learn learns learned learned"), "to swim"),
    (_verb("look looks looked looked"), "for a cheaper flat"),
    (_verb("try tries tried tried"), "to fix the washing machine"),
    (_verb("save saves saved saved"), "for a new bicycle"),
)
_SINCE = (
    "since 2016",
    "since last spring",
    "since March",
    "since the summer",
    "since 2009",
    "since the start of the year",
)
_FOR = ("for six months", "for two years", "for a long time", "for three weeks", "for ages")
_FOR_NUMBERED = ("for six months", "for two years", "for three weeks", "for eight years")


def _ing(verb: _Verb) -> str:
    base = verb.base
    return (base[:-1] if base.endswith("e") and base != "be" else base) + "ing"


def _duration(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    if rng.random() < 0.3:
        verb, rest = rng.choice(_ONGOING)
        when = rng.choice(_SINCE + _FOR)
        clean = f"{subject.text} {subject.have()} been {_ing(verb)} {rest} {when}."
        noisy = f"{subject.text} {subject.be()} {_ing(verb)} {rest} {when}."
        return _sentence(noisy), _sentence(clean), ("duration",)
    verb, rest = rng.choice(_STATES)
    form = rng.random()
    if form < 0.25:  # "since" for "for" before a length of time, the perfect kept
        when = rng.choice(_FOR_NUMBERED)
        clean = f"{subject.text} {subject.have()} {verb.participle} {rest} {when}."
        noisy = f"{subject.text} {subject.have()} {verb.participle} {rest} since {when[4:]}."
    else:
        numbered = form < 0.45  # both errors: the present and "since" for "for"
        when = rng.choice(_FOR_NUMBERED if numbered else _SINCE + _FOR)
        said = f"since {when[4:]}" if numbered else when
        clean = f"{subject.text} {subject.have()} {verb.participle} {rest} {when}."
        noisy = f"{subject.text} {verb.present(subject)} {rest} {said}."
    return _sentence(noisy), _sentence(clean), ("duration",)


# --- perfect-past: a finished past time takes the simple past ---------------------------
_EVENTS = (
    (_verb("visit visits visited visited"), "the castle on the hill"),
    (_verb("meet meets met met"), "her new colleagues"),
    (_verb("see sees saw seen"), "a fox in the garden"),
    (_verb("buy buys bought bought"), "a second-hand piano"),
    (_verb("lose loses lost lost"), "the keys to the garage"),
    (_verb("go goes went gone"), "to a wedding in the mountains"),
    (_verb("write writes wrote written"), "a complaint to the landlord"),
    (_verb("eat eats ate eaten"), "at the new noodle bar"),
    (_verb("break breaks broke broken"), "the glass jug"),
    (_verb("forget forgets forgot forgotten"), "the password for the wifi"),
    (_verb("find finds found found"), "a purse on the pavement"),
    (_verb("take takes took taken"), "hundreds of photos of the lake"),
    (_verb("win wins won won"), "a cooking competition"),
    (_verb("paint paints painted painted"), "the kitchen yellow"),
    (_verb("sell sells sold sold"), "the old sofa"),
)
_PAST_TIMES = (
    "last weekend",
    "yesterday",
    "three days ago",
    "in 2017",
    "last Christmas",
    "on Friday",
    "a month ago",
    "two summers ago",
)


def _perfect_past(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    verb, rest = rng.choice(_EVENTS)
    when = rng.choice(_PAST_TIMES)
    perfect = f"{subject.have()} {verb.participle} {rest}"
    if rng.random() < 0.3:  # the time first: "Last weekend we have visited ..."
        clean = f"{_sentence(when)}, {subject.text} {verb.past} {rest}."
        noisy = f"{_sentence(when)}, {subject.text} {perfect}."
    else:
        clean = _sentence(f"{subject.text} {verb.past} {rest} {when}.")
        noisy = _sentence(f"{subject.text} {perfect} {when}.")
    return noisy, clean, ("perfect-past",)


# --- adverb-order ------------------------------------------------------------------------
_LIKED = (
    (_verb("like likes liked liked"), "the new bakery"),
    (_verb("love loves loved loved"), "walking by the sea"),
    (_verb("enjoy enjoys enjoyed enjoyed"), "cooking for friends"),
    (_verb("miss misses missed missed"), "the food of my home town"),
    (_verb("like likes liked liked"), "their second album"),
    (_verb("love loves loved loved"), "old black-and-white films"),
)
_SKILLS = (
    (_verb("speak speaks spoke spoken"), "Greek"),
    (_verb("play plays played played"), "the violin"),
    (_verb("cook cooks cooked cooked"), "rice"),
    (_verb("draw draws drew drawn"), "horses"),
    (_verb("know knows knew known"), "the city"),
    (_verb("sing sings sang sung"), "old folk songs"),
)
_HABITS = (
    (_verb("go goes went gone"), "to the gym after work"),
    (_verb("eat eats ate eaten"), "lunch at their desk"),
    (_verb("take takes took taken"), "the bus to the office"),
    (_verb("read reads read read"), "the news on their phone"),
    (_verb("forget forgets forgot forgotten"), "to lock the back door"),
    (_verb("walk walks walked walked"), "the dog before breakfast"),
)
_FREQUENCY = ("always", "usually", "often", "sometimes", "never", "rarely")
_ROUTINES = (
    (_verb("drink drinks drank drunk"), "green tea"),
    (_verb("check checks checked checked"), "the post"),
    (_verb("water waters watered watered"), "the plants"),
    (_verb("practise practises practised practised"), "the trumpet"),
    (_verb("phone phones phoned phoned"), "their mother"),
)
_DAILY = ("every day", "every morning", "every evening", "twice a week")


def _adverb_order(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    form = rng.randrange(4)
    if form == 0:
        verb, thing = rng.choice(_LIKED)
        how = rng.choice(("very much", "a lot"))
    elif form == 1:
        verb, thing = rng.choice(_SKILLS)
        how = rng.choice(("very well", "quite well", "really well"))
    elif form == 2:
        verb, rest = rng.choice(_HABITS)
        how = rng.choice(_FREQUENCY)
        rest = rest.replace("their", _possessive(subject))
        clean = f"{subject.text} {how} {verb.present(subject)} {rest}."
        noisy = f"{subject.text} {verb.present(subject)} {how} {rest}."
        return _sentence(noisy), _sentence(clean), ("adverb-order",)
    else:
        verb, thing = rng.choice(_ROUTINES)
        thing = thing.replace("their", _possessive(subject))
        how = rng.choice(_DAILY)
    said = verb.present(subject)
    clean = f"{subject.text} {said} {thing} {how}."
    noisy = f"{subject.text} {said} {how} {thing}."
    return _sentence(noisy), _sentence(clean), ("adverb-order",)


def _possessive(subject: _Subject) -> str:
    fixed = {"I": "my", "we": "our", "you": "your", "he": "his", "she": "her"}
    if subject.text in fixed:
        return fixed[subject.text]
    female = subject.text in ("my sister",)
    return "their" if subject.person == "pl" else ("her" if female else "his")


# --- verb-pattern ------------------------------------------------------------------------
_EXPLAINED = (
    "the new timetable",
    "the rules of the competition",
    "the safety instructions",
    "the difference between the two plans",
    "the menu",
)
_EXPLAINED_HOW = (
    "how the ticket machine works",
    "why the meeting was moved",
    "where the nearest pharmacy is",
    "what the doctor said",
)
_TOLD = (
    "the library was closed for repairs",
    "the bus would be late",
    "the tickets were sold out",
    "he had found a new job",
    "the parcel had arrived",
)
_MADE = (
    ("made", "us", "wait in the corridor"),
    ("let", "me", "use their kitchen"),
    ("made", "him", "apologise to the waiter"),
    ("let", "us", "park in front of the house"),
    ("made", "me", "repeat the whole exercise"),
    ("let", "them", "stay up late"),
)
_AGREED = (
    "with the new rules",
    "with what the manager said",
    "with my brother about this",
    "that the prices are too high",
    "with this decision",
)
_WANTED = (
    "help with the garden",
    "bring some chairs",
    "call the landlord",
    "stay for dinner",
    "check the report",
)


def _verb_pattern(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    form = rng.randrange(5)
    if form == 0:
        if rng.random() < 0.5:
            thing = rng.choice(_EXPLAINED)
            clean, noisy = (
                f"Can you explain {thing} to me?",
                f"Can you explain me {thing}?",
            )
        else:
            how = rng.choice(_EXPLAINED_HOW)
            who = rng.choice(("me", "us"))
            clean = f"{subject.text} explained to {who} {how}."
            noisy = f"{subject.text} explained {who} {how}."
    elif form == 1:
        that = rng.choice(_TOLD)
        who = rng.choice(("me", "us"))
        clean = f"{subject.text} told {who} that {that}."
        noisy = f"{subject.text} said {who} that {that}."
    elif form == 2:
        verb, whom, what = rng.choice(_MADE)
        clean = f"{subject.text} {verb} {whom} {what}."
        noisy = f"{subject.text} {verb} {whom} to {what}."
    elif form == 3:
        what = rng.choice(_AGREED)
        agree = "agrees" if subject.third else "agree"
        clean = f"{subject.text} {agree} {what}."
        noisy = f"{subject.text} {subject.be()} agree {what}."
    else:
        what = rng.choice(_WANTED)
        want = "wants" if subject.third else "want"
        whom = "me" if subject.text != "I" else "you"
        said = "I" if whom == "me" else "you"
        clean = f"{subject.text} {want} {whom} to {what}."
        noisy = f"{subject.text} {want} that {said} {what}."
    return _sentence(noisy), _sentence(clean), ("verb-pattern",)


# --- verb-preposition -----------------------------------------------------------------
# (the right phrase, the learner's, what follows), each written for a subject.
_PREPOSITIONS = (
    ("{be} good at", "{be} good in", ("chess", "maths", "remembering names", "tennis")),
    ("{be} afraid of", "{be} afraid from", ("spiders", "the dark", "deep water", "flying")),
    ("{be} married to", "{be} married with", ("a nurse", "a musician", "a farmer")),
    ("{be} interested in", "{be} interested about", ("old cars", "local history", "yoga")),
    ("{be} proud of", "{be} proud for", ("the garden", "their daughter", "the new kitchen")),
    ("{listen} to", "{listen}", ("the radio", "podcasts", "jazz", "the news")),
    ("arrived at", "arrived to", ("the hotel", "the station", "the stadium")),
    ("{wait} for", "{wait}", ("the plumber", "a taxi", "the results")),
    ("{depend} on", "{depend} of", ("the weather", "the traffic", "their parents")),
)
_LISTEN = _verb("listen listens listened listened")
_WAIT = _verb("wait waits waited waited")
_DEPEND = _verb("depend depends depended depended")


def _verb_preposition(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    right, wrong, objects = rng.choice(_PREPOSITIONS)
    thing = rng.choice(objects).replace("their", _possessive(subject))
    if "{depend}" in right:  # a thing depends on something
        subject = _Subject(rng.choice(("the price", "the plan", "the date", "everything")), "3s")
    forms = {
        "be": subject.be(),
        "listen": _LISTEN.present(subject),
        "wait": f"{subject.be()} waiting" if rng.random() < 0.5 else _WAIT.present(subject),
        "depend": _DEPEND.present(subject),
    }
    clean = f"{subject.text} {right.format(**forms)} {thing}."
    noisy = f"{subject.text} {wrong.format(**forms)} {thing}."
    return _sentence(noisy), _sentence(clean), ("verb-preposition",)


# --- uncountable -------------------------------------------------------------------------
_UNCOUNTABLE = (  # (noun, where, what a person does with it)
    ("information", ("about the opening hours", "on the website"), ("gave me", "needed", "have")),
    ("advice", ("about my application", "from a lawyer"), ("gave me", "asked for", "needed")),
    ("homework", ("for Monday", "in the holidays"), ("gave us", "have")),
    ("furniture", ("in the spare room", "for the new office"), ("bought", "sold", "have")),
    ("equipment", ("for the camping trip", "in the school lab"), ("bought", "needed", "have")),
    ("luggage", ("for a weekend away", "on the coach"), ("carried", "have")),
    ("knowledge", ("of local plants", "about engines"), ("have",)),
    ("feedback", ("from the customers", "on the first chapter"), ("got", "asked for", "have")),
    ("evidence", ("of the damage", "against the company"), ("found", "collected")),
    ("music", ("at the wedding", "from the seventies"), ("played", "recorded")),
    ("rubbish", ("in the park", "on the beach"), ("picked up", "collected")),
)
_BASE_OF = {"found": "find", "collected": "collect", "played": "play", "recorded": "record",
            "picked up": "pick up", "bought": "buy", "sold": "sell", "carried": "carry",
            "got": "get", "needed": "need", "asked for": "ask for", "gave me": "give you",
            "gave us": "give you"}  # fmt: skip
# (clean quantifier, learner's), as a learner makes the noun's plural agree.
_QUANTIFIERS = (
    ("a lot of", "a lot of"),
    ("much", "many"),
    ("too much", "too many"),
    ("so much", "so many"),
    ("some", "some"),
    ("a little", "a few"),
    ("enough", "enough"),
)


def _uncountable(rng: random.Random) -> Pair:
    noun, contexts, verbs = rng.choice(_UNCOUNTABLE)
    where = rng.choice(contexts)
    plural = noun + ("es" if noun.endswith(("sh", "ch")) else "s")
    form = rng.randrange(4)
    if form == 0:  # "There are many informations"
        clean_q, noisy_q = rng.choice([q for q in _QUANTIFIERS if q[0] != "much"])
        if clean_q in ("a little", "enough") or rng.random() < 0.5:
            clean = f"There is {clean_q} {noun} {where}."
        else:
            clean = f"There is {clean_q} useful {noun} {where}."
        noisy = clean.replace("There is", "There are", 1).replace(f"{clean_q} ", f"{noisy_q} ", 1)
        noisy = noisy.replace(f" {noun} ", f" {plural} ", 1)
    elif form == 1:  # "She gave me an advice"
        subject = rng.choice(_SUBJECTS)
        verb = rng.choice([v for v in verbs if v != "have"] or ["found"])
        pieces = ("some", "a piece of") if noun in ("advice", "information") else ("some",)
        clean_q, noisy_q = rng.choice(((rng.choice(pieces), "a"), ("any", "any")))
        if clean_q == "any":
            clean = f"{subject.text} did not get any {noun} {where}."
            noisy = f"{subject.text} did not get any {plural} {where}."
        else:
            article = "an" if noun[0] in "aeiou" and noisy_q == "a" else noisy_q
            clean = f"{subject.text} {verb} {clean_q} {noun} {where}."
            noisy = f"{subject.text} {verb} {article} {noun} {where}."
    elif form == 2:  # "The furnitures were old"
        said = rng.choice(("very useful", "too expensive", "hard to find", "a surprise"))
        tense = rng.random() < 0.5
        clean = f"The {noun} {where} {'was' if tense else 'is'} {said}."
        noisy = f"The {plural} {where} {'were' if tense else 'are'} {said}."
    elif "have" in verbs:  # "We have too many homeworks"
        subject = rng.choice(_SUBJECTS)
        clean_q, noisy_q = rng.choice(_QUANTIFIERS[1:5])
        clean = f"{subject.text} {subject.have()} {clean_q} {noun} {where}."
        noisy = f"{subject.text} {subject.have()} {noisy_q} {plural} {where}."
    else:  # "How many evidences did they find"
        verb = rng.choice(verbs)
        clean = f"How much {noun} did they {_BASE_OF.get(verb, verb)} {where}?"
        noisy = f"How many {plural} did they {_BASE_OF.get(verb, verb)} {where}?"
    return _sentence(noisy), _sentence(clean), ("uncountable",)


# --- future-in-clause ------------------------------------------------------------------
_OPENERS = ("when", "if", "as soon as", "before", "after", "once", "until", "unless")
_CONDITIONS = (  # (verb, rest): what happens in the clause, in the present
    (_verb("get gets got got"), "back from the trip"),
    (_verb("finish finishes finished finished"), "this course"),
    (_verb("find finds found found"), "a cheaper flat"),
    (_verb("have has had had"), "more free time"),
    (_verb("feel feels felt felt"), "better"),
    (_verb("arrive arrives arrived arrived"), "at the airport"),
    (_verb("hear hears heard heard"), "from the bank"),
    (_verb("save saves saved saved"), "enough money"),
    (_verb("pass passes passed passed"), "the driving test"),
    (_verb("move moves moved moved"), "to the new house"),
)
_RESULTS = (
    "I will let you know",
    "we will have a party",
    "I will send you the photos",
    "my parents will be very happy",
    "we will talk about it again",
    "I will need a new passport",
    "you will get a message",
    "everything will be easier",
)
_UNTIL_RESULTS = ("I will stay here", "we will keep the room", "nothing will change")


def _future_in_clause(rng: random.Random) -> Pair:
    subject = rng.choice(_SUBJECTS)
    verb, rest = rng.choice(_CONDITIONS)
    opener = rng.choice(_OPENERS)
    result = rng.choice(_UNTIL_RESULTS if opener in ("until", "unless") else _RESULTS)
    present = f"{subject.text} {verb.present(subject)} {rest}"
    future = f"{subject.text} will {verb.base} {rest}"
    if rng.random() < 0.5:
        clean = _sentence(f"{opener} {present}, {result}.")
        noisy = _sentence(f"{opener} {future}, {result}.")
    else:
        clean = _sentence(f"{result} {opener} {present}.")
        noisy = _sentence(f"{result} {opener} {future}.")
    return noisy, clean, ("future-in-clause",)


# --- clause-connector ------------------------------------------------------------------
_CONTRASTS = (
    ("the film was very long", "nobody left before the end"),
    ("the tickets were cheap", "the hall was half empty"),
    ("she was very busy", "she answered all my messages"),
    ("we left home early", "we missed the first ferry"),
    ("he had a bad cold", "he played the whole match"),
    ("the flat was small", "it had a lovely balcony"),
    ("I set two alarms", "I overslept"),
    ("the restaurant was full", "the waiter found us a table"),
    ("the team trained every day", "they lost the final"),
    ("the road was narrow", "the lorry got through"),
    ("the museum was crowded", "we saw every room"),
    ("my brother is younger than me", "he is much taller"),
    ("the soup looked strange", "it tasted wonderful"),
    ("we had a map", "we got lost twice"),
    ("the hotel was old", "the rooms were clean and bright"),
    ("he apologised", "she was still angry"),
    ("the bus was late", "I got to work on time"),
    ("the garden is tiny", "we grow our own tomatoes"),
)
_REASONS = (
    ("the lift was broken", "we took the stairs"),
    ("it was my birthday", "my friends took me out for dinner"),
    ("the gallery was closed", "we went to the market instead"),
    ("I missed the last tram", "I walked home"),
    ("the milk smelled sour", "I poured it away"),
    ("she felt dizzy", "she sat down for a while"),
    ("the road was icy", "we drove very slowly"),
    ("my laptop stopped working", "I wrote the letter by hand"),
    ("he forgot his keys", "he waited in the car"),
    ("the shop had a sale", "we bought two coats"),
    ("the baby was asleep", "we whispered all evening"),
    ("the printer was out of ink", "I sent the form by email"),
    ("our flight was cancelled", "we spent the night at the airport"),
    ("the water was too cold", "nobody went swimming"),
    ("I had a headache", "I went to bed early"),
    ("the bakery was closed", "we had cereal for breakfast"),
    ("my cousin speaks Dutch", "she helped us at the market"),
    ("the concert ended late", "we took a taxi home"),
)


def _clause_connector(rng: random.Random) -> Pair:
    if rng.random() < 0.5:
        opener, (first, second), connector = (
            rng.choice(("Although", "Though", "Even though")),
            rng.choice(_CONTRASTS),
            "but",
        )
    else:
        opener, (first, second), connector = (
            rng.choice(("Because", "Because", "As")),
            rng.choice(_REASONS),
            "so",
        )
    clean = f"{opener} {first}, {second}."
    noisy = f"{opener} {first}, {connector} {second}."
    return noisy, clean, ("clause-connector",)


_MAKERS: dict[str, Callable[[random.Random], Pair]] = {
    "duration": _duration,
    "perfect-past": _perfect_past,
    "adverb-order": _adverb_order,
    "verb-pattern": _verb_pattern,
    "verb-preposition": _verb_preposition,
    "uncountable": _uncountable,
    "future-in-clause": _future_in_clause,
    "clause-connector": _clause_connector,
}


def split_of(clean: str) -> str:
    """The split a clean sentence belongs to, by a hash of its text."""
    bucket = int(hashlib.sha256(clean.encode()).hexdigest(), 16) % 100
    return (
        "dev" if bucket < _DEV_SHARE else "test" if bucket < _DEV_SHARE + _TEST_SHARE else "train"
    )


def everyday_pairs(split: str, per_kind: int) -> list[Pair]:
    """Up to ``per_kind`` ``(noisy, clean, kinds)`` pairs of each kind of ``KINDS`` whose
    clean sentence falls in ``split``, each clean sentence once, in a fixed order."""
    pairs: list[Pair] = []
    for kind in KINDS:
        rng = random.Random(f"{_POOL_SEED}/{kind}")
        seen: set[str] = set()
        here: list[Pair] = []
        for _ in range(_TRIES_PER_KIND):
            noisy, clean, kinds = _MAKERS[kind](rng)
            if clean in seen or noisy == clean:
                continue
            seen.add(clean)
            if split_of(clean) == split and len(here) < per_kind:
                here.append((noisy, clean, kinds))
        pairs += here
    return pairs
