"""Tokens and n-grams: the units SARI and GLEU count.

``tokenize_13a`` is the "13a" tokenizer of mteval-v13a.pl as sacreBLEU ships it (the
default of sacreBLEU, EASSE and Hugging Face's ``sari``), written here from its published
rules so that nothing is fetched or installed at run time:

1. drop ``<skipped>``, join lines hyphenated at a line end (``-\\n``), turn the remaining
   line breaks into spaces, and unescape ``&quot; &amp; &lt; &gt;``;
2. pad the line with a space on each side and put spaces around every ASCII symbol except
   the apostrophe, the hyphen, the full stop and the comma;
3. split off a full stop or comma unless it sits between two digits (``3.5`` and ``1,000``
   stay whole) and a hyphen that follows a digit;
4. collapse runs of whitespace to one space and strip the ends.

Lowercasing, where a metric wants it, happens before tokenizing (as EASSE and Hugging Face
do).
"""

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

# Step 2: ASCII symbols in the ranges { | } ~, [ \ ] ^ _ `, space ! " # $ % &, ( ) * +,
# : ; < = > ? @, and /; the apostrophe, hyphen, full stop, comma and digits are left out.
# Each is padded with spaces by str.translate, much faster than mteval's regex and the same.
_SYMBOLS = "{|}~[\\]^_`" + ' !"#$%&' + "()*+" + ":;<=>?@" + "/"
_PAD_SYMBOLS = str.maketrans({char: f" {char} " for char in _SYMBOLS})
# Step 3, in mteval's order; [0-9] is ASCII digits only, as in the Perl original.
_STOP_AFTER_NON_DIGIT = re.compile(r"([^0-9])([\.,])")
_STOP_BEFORE_NON_DIGIT = re.compile(r"([\.,])([^0-9])")
_DASH_AFTER_DIGIT = re.compile(r"([0-9])(-)")

_ENTITIES = (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"))


# Cached: every metric tokenizes the same sources and references again (sacreBLEU caches too).
@lru_cache(maxsize=2**16)
def tokenize_13a(text: str, lowercase: bool = False) -> str:
    """Tokenize ``text`` with the 13a rules (see the module docstring).

    Args:
        text: one segment (a sentence or a document) of raw text.
        lowercase: lowercase the text first.

    Returns:
        The tokens joined by single spaces, without leading or trailing space; ``""`` when
        the text has no tokens.
    """
    if lowercase:
        text = text.lower()
    text = text.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    text = f" {text} ".translate(_PAD_SYMBOLS)
    if "." in text or "," in text:
        text = _STOP_AFTER_NON_DIGIT.sub(r"\1 \2 ", text)
        text = _STOP_BEFORE_NON_DIGIT.sub(r" \1 \2", text)
    if "-" in text:
        text = _DASH_AFTER_DIGIT.sub(r"\1 \2 ", text)
    return " ".join(text.split())


def ngram_counts(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """How often each n-gram of order ``n`` occurs in ``tokens``.

    Args:
        tokens: the tokens of one segment.
        n: the n-gram order, at least 1.

    Returns:
        A counter keyed by n-grams as tuples of tokens; empty when ``len(tokens) < n``.

    Raises:
        ValueError: ``n`` is below 1.
    """
    if n < 1:
        raise ValueError(f"n-gram order must be at least 1, got {n}")
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))
