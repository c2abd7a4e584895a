"""English verb forms: which verbs a word is a given form of, which parts of speech a
word can be, and the forms of verbs and adjectives.

The answers come from lemminflect's dictionary of English inflections (a table of forms
shipped with the package, no model); a word it does not know is no verb here. The tense
guard (``itune_core.tenses``) asks which verbs a word is a present or a past form of, the
tense harmony (``itune_core.harmony``) that and a verb's simple past, the mechanical fixes
(``itune_core.mechanics``) which forms can follow "I" and whether a word is known, the
comparatives (``itune_core.comparatives``) an adjective's "-er" and "-est" forms, the
collocations (``itune_core.collocations``) every form of the verbs of going, the same form
of the verb English uses where a learner chose another ("lost the bus": "missed"), and
whether a word is a comparative, the deletion guard (``itune_core.deletions``) every form
of "return" and "repeat", the fixed constructions (``itune_core.constructions``) a noun's
plural, and the synthetic learner errors (``training.learner_errors``) which verb a word
is the third-person or the -ing form of, and whether it can also be a noun: all read the
tables through this module only.
"""

from collections.abc import Iterable
from functools import lru_cache

import lemminflect


def verb_lemmas(word: str, tags: Iterable[str]) -> tuple[str, ...]:
    """The verbs (lemmas, in lemminflect's order) that ``word`` is a form of under one of
    the Penn ``tags`` ("VBZ": "goes" of "go"; "VBD": "went" of "go")."""
    return _verb_lemmas(word, tuple(tags))


@lru_cache(maxsize=16384)
def _verb_lemmas(word: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for lemma in lemminflect.getAllLemmas(word, upos="VERB").get("VERB", ()):
        forms = lemminflect.getAllInflections(lemma, upos="VERB")
        if any(word in forms.get(tag, ()) for tag in tags):
            found.append(lemma)
    return tuple(found)


@lru_cache(maxsize=16384)
def parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech (Universal tags: "VERB", "NOUN", "ADJ"...) the dictionary knows
    ``word`` as a form of ("lives": VERB and NOUN); empty for a word it does not know."""
    return frozenset(lemminflect.getAllLemmas(word))


@lru_cache(maxsize=4096)
def simple_past(lemma: str) -> str | None:
    """The simple past of the verb ``lemma`` ("feel": "felt"), or None where the dictionary
    has none."""
    forms = lemminflect.getInflection(lemma, tag="VBD")
    return forms[0] if forms else None


def verb_forms(lemma: str) -> frozenset[str]:
    """Every form of the verb ``lemma`` ("speak": "speak", "speaks", "spoke", "spoken",
    "speaking")."""
    forms = lemminflect.getAllInflections(lemma, upos="VERB")
    return frozenset(form for tag_forms in forms.values() for form in tag_forms) | {lemma}


def forms_pattern(lemmas: Iterable[str]) -> str:
    """A regular-expression alternation of every form of the verbs ``lemmas``, longest
    first ("go", "come": "coming|comes|going|came|come|gone|goes|went|go")."""
    forms = {form for lemma in lemmas for form in verb_forms(lemma)}
    return "|".join(sorted(forms, key=lambda form: (-len(form), form)))


@lru_cache(maxsize=4096)
def present_participle(lemma: str) -> str:
    """The -ing form of the verb ``lemma`` ("study": "studying")."""
    return lemminflect.getInflection(lemma, tag="VBG")[0]


@lru_cache(maxsize=4096)
def past_participle(lemma: str) -> str | None:
    """The past participle of the verb ``lemma`` ("know": "known"), or None where the
    dictionary has none."""
    forms = lemminflect.getInflection(lemma, tag="VBN")
    return forms[0] if forms else None


@lru_cache(maxsize=1024)
def adjective_forms(adjective: str) -> tuple[str, str]:
    """The comparative and the superlative of ``adjective`` ("big": "bigger", "biggest"),
    the dictionary's first of each (for a word it does not know, its spelling rules')."""
    comparative = lemminflect.getInflection(adjective, tag="JJR")
    superlative = lemminflect.getInflection(adjective, tag="JJS")
    return comparative[0], superlative[0]


@lru_cache(maxsize=4096)
def present_third(lemma: str) -> str:
    """The third-person present of the verb ``lemma`` ("rain": "rains", "go": "goes")."""
    return lemminflect.getInflection(lemma, tag="VBZ")[0]


@lru_cache(maxsize=4096)
def same_form(word: str, lemma: str, participle: bool = False) -> str:
    """``word``, a form of some verb, as the same form of the verb ``lemma`` ("robbed",
    "steal": "stole"; "done", "make": "made"). A simple past that can also be a participle
    ("robbed", "made") becomes the participle where ``participle`` says that it is one
    ("have robbed": "stolen"); a word the dictionary knows as no verb form gets ``lemma``."""
    word = word.lower()
    tags = {
        tag
        for source in lemminflect.getAllLemmas(word, upos="VERB").get("VERB", ())
        for tag, forms in lemminflect.getAllInflections(source, upos="VERB").items()
        if word in forms
    }
    if "VBG" in tags:
        return present_participle(lemma)
    if "VBZ" in tags:
        return present_third(lemma)
    if ("VBN" in tags and "VBD" not in tags) or ("VBD" in tags and participle):
        return past_participle(lemma) or lemma
    if "VBD" in tags:
        return simple_past(lemma) or lemma
    return lemma


@lru_cache(maxsize=4096)
def is_comparative(word: str) -> bool:
    """Whether the dictionary knows ``word`` as an adjective's comparative ("quieter" of
    "quiet", "better" of "good")."""
    lemmas = lemminflect.getAllLemmas(word).get("ADJ", ())
    return any(word != lem and word in lemminflect.getInflection(lem, tag="JJR") for lem in lemmas)


def noun_plural(noun: str) -> str | None:
    """The plural of the singular noun ``noun`` ("friend": "friends", "city": "cities"),
    or None where the dictionary knows it as no singular noun ("friends", "quickly")."""
    if noun not in lemminflect.getAllLemmas(noun).get("NOUN", ()):
        return None
    plural = lemminflect.getInflection(noun, tag="NNS")
    return plural[0] if plural and plural[0] != noun else None
