"""The spelling-variety guard: a revision keeps the writer's English.

British and American English spell many words differently ("organise" and "organize",
"colour" and "color", "travelled" and "traveled", "centre" and "center"), and both are
right. A model trained mostly on American text sometimes "fixes" a British spelling:
"I apologise for the delay" came back as "I apologize", "anyone who practises" as
"practices", "finalise the plan" as "finalize". Such an edit corrects nothing and, in a
British text, makes it inconsistent, so an edit that only swaps words for their spelling
in the other variety is held back with its reason, like the fact guard's, under every
intention (no intention asks for another variety).

Two spellings are of one word when they come to the same American form
(``american_spelling``): the regular patterns (-ise/-ize, -yse/-yze, -our/-or, -tre/-ter
and -bre/-ber, a doubled l before -ed, -ing and -er in the verbs that double it, -ogue/-og)
and a table of the words that follow none of them ("defence", "practise", "grey",
"programme", ...). The patterns are written so that no two everyday words meet: "-ise" is
left alone in the words that are spelled so in both varieties ("advise", "exercise",
"surprise"), "-our" needs three letters before it ("four" and "for", "our" and "or" stay
apart), and a doubled l is single only in the verbs listed ("filled" and "filed" stay
apart). Only the respelling is undone: the answer's other edits stay, and a word that
changes in any other way as well ("organise" -> "organized", "colour" -> "Color") is no
respelling.
"""

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

from itune_core.edits import HeldEdit

# Words whose two spellings follow none of the patterns, British -> American.
_TABLE = {
    "aeroplane": "airplane",
    "ageing": "aging",
    "aluminium": "aluminum",
    "anaemia": "anemia",
    "anaemic": "anemic",
    "anaesthetic": "anesthetic",
    "cheque": "check",
    "cosy": "cozy",
    "defence": "defense",
    "diarrhoea": "diarrhea",
    "encyclopaedia": "encyclopedia",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "foetus": "fetus",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "grey": "gray",
    "haemoglobin": "hemoglobin",
    "instalment": "installment",
    "jewellery": "jewelry",
    "judgement": "judgment",
    "kerb": "curb",
    "leukaemia": "leukemia",
    "licence": "license",
    "manoeuvre": "maneuver",
    "meagre": "meager",
    "mould": "mold",
    "moustache": "mustache",
    "odour": "odor",
    "oestrogen": "estrogen",
    "offence": "offense",
    "paediatric": "pediatric",
    "paediatrician": "pediatrician",
    "plough": "plow",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
    "pretence": "pretense",
    "programme": "program",
    "pyjamas": "pajamas",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "skilful": "skillful",
    "storey": "story",
    "tyre": "tire",
    "wilful": "willful",
}

# Spelled with -ise in both varieties: the pattern leaves words that start so alone.
_ISE_BOTH = (
    "advertis", "advis", "apprais", "aris", "chastis", "circumcis", "compris", "compromis",
    "concis", "cruis", "despis", "devis", "disguis", "enterpris", "excis", "exercis",
    "expertis", "franchis", "improvis", "incis", "merchandis", "otherwis", "paradis",
    "pois", "prais", "precis", "premis", "promis", "rais", "revis", "supervis", "surmis",
    "surpris", "televis", "treatis", "bruis", "nois", "likewis", "clockwis", "repris",
    "demis", "porpois", "tortois", "turquois", "sunris", "upris", "enfranchis", "chemis",
)  # fmt: skip
_ISE = re.compile(r"^([a-z]{3,})is(e|ed|es|ing|er|ers|ation|ations|able)$")
_YSE = re.compile(r"^([a-z]{2,})ys(e|ed|es|ing|er|ers)$")
# -our with at least three letters before it, and what may follow it.
_OUR = re.compile(r"^([a-z]{3,})our(|s|ed|ing|ite|ites|able|ful|less|hood|hoods|er|ers)$")
_OUR_BOTH = frozenset(
    ("detour", "contour", "devour", "velour", "paramour", "troubadour", "downpour", "amour")
)
_TRE = re.compile(r"^([a-z]{2,}[tb])re(s|d)?$")
_TRE_BOTH = frozenset(("timbre", "macabre", "lucre", "genre", "acre", "ogre"))
# The verbs that double their final l before -ed, -ing and -er in British spelling only.
_DOUBLE_L = re.compile(
    r"^(travel|cancel|label|model|fuel|level|signal|channel|tunnel|marvel|quarrel|counsel"
    r"|total|dial|equal|jewel|rival|duel|pedal|shovel|funnel|panel|parcel|libel|grovel"
    r"|revel|swivel|unravel|bevel|chisel|enamel|gravel|pummel|spiral|initial|cudgel"
    r"|snorkel|yodel)l(ed|ing|er|ers|or|ors)$"
)
_OGUE = re.compile(r"^(catalog|dialog|analog|monolog|prolog|epilog|travelog)ue(s?)$")


@lru_cache(maxsize=16384)
def american_spelling(word: str) -> str:
    """``word`` (lower case) in American spelling: itself when it has no other spelling
    here, or when it is American already."""
    if word in _TABLE:
        return _TABLE[word]
    if word.endswith("s") and word[:-1] in _TABLE:  # a plural or a third person
        return _TABLE[word[:-1]] + "s"
    if (m := _ISE.match(word)) and not word.startswith(_ISE_BOTH):
        return f"{m[1]}iz{m[2]}"
    if m := _YSE.match(word):
        return f"{m[1]}yz{m[2]}"
    if (m := _OUR.match(word)) and not any(word.startswith(w) for w in _OUR_BOTH):
        return f"{m[1]}or{m[2]}"
    if (m := _TRE.match(word)) and m[1] + "re" not in _TRE_BOTH:
        suffix = {None: "", "s": "s", "d": "ed"}[m[2]]
        return f"{m[1]}er{suffix}"
    if m := _DOUBLE_L.match(word):
        return m[1] + m[2]
    if m := _OGUE.match(word):
        return m[1] + m[2]
    return word


def same_word(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are two spellings of one word, one British and one
    American (case kept alike: "Colour" and "Color", not "colour" and "Color"; and a
    change of case alone, "iphone" and "iPhone", is no respelling)."""
    return a.lower() != b.lower() and a.isalpha() and b.isalpha() and _key(a) == _key(b)


def _case(word: str) -> str:
    return "upper" if word.isupper() else "title" if word[:1].isupper() else "lower"


_TOKENS = re.compile(r"\w+|[^\w\s]|\s+")
REASON = "only spells a word the other variety's way (British / American): both are right"


def _key(token: str) -> str:
    """What a token is matched on: a word by its American spelling and its case."""
    if not token.isalpha():
        return token
    return f"{_case(token)}:{american_spelling(token.lower())}"


def guard_varieties(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every word it only respells in the other variety spelled as in
    ``source`` again, and those respellings, held back.

    The two texts are aligned on their words' American spellings, so a respelled word
    lines up with the word it respells even where the answer changes other words around
    it (a plain diff can pair a repeated word with the wrong one); the other edits of
    the answer are kept as they are.

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the answer for it (after the other guards).
        intentions: what the writer asked for; the guard holds under every intention.

    Returns:
        The text to offer (``revised`` itself when nothing was held back) and the held
        respellings with their reason, in text order.
    """
    del intentions  # no intention asks for the other variety
    if source == revised:
        return revised, ()
    a, b = _TOKENS.findall(source), _TOKENS.findall(revised)
    matcher = difflib.SequenceMatcher(a=[_key(t) for t in a], b=[_key(t) for t in b],
                                      autojunk=False)  # fmt: skip
    offered = list(b)
    held = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            if same_word(a[i], b[j]):
                offered[j] = a[i]
                held.append(HeldEdit(a[i], b[j], REASON))
    if not held:
        return revised, ()
    return "".join(offered), tuple(held)
