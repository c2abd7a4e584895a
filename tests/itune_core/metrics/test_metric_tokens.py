import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itune_core.metrics.tokens import ngram_counts, tokenize_13a


def test_13a_splits_punctuation_but_not_apostrophes_or_inner_hyphens():
    assert tokenize_13a("It's a well-known cat!") == "It's a well-known cat !"


def test_13a_keeps_numbers_with_inner_stops_and_commas_whole():
    assert tokenize_13a("Pay 1,000.50 now.") == "Pay 1,000.50 now ."


def test_13a_splits_a_hyphen_after_a_digit():
    assert tokenize_13a("pages 3-4") == "pages 3 - 4"


def test_13a_splits_brackets_and_a_final_stop():
    assert tokenize_13a("Hello, world (approx.)") == "Hello , world ( approx . )"


def test_13a_unescapes_html_entities():
    assert tokenize_13a("&quot;a&quot; &amp; b") == '" a " & b'


def test_13a_lowercases_only_when_asked():
    assert tokenize_13a("The Cat", lowercase=True) == "the cat"
    assert tokenize_13a("The Cat") == "The Cat"


def test_13a_of_blank_text_is_empty():
    assert tokenize_13a(" \n ") == ""


def _mteval_13a(line: str) -> str:
    """The mteval-v13a regexes verbatim, as the oracle for the faster implementation."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    line = f" {line} "
    line = re.sub(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])", r" \1 ", line)
    line = re.sub(r"([^0-9])([\.,])", r"\1 \2 ", line)
    line = re.sub(r"([\.,])([^0-9])", r" \1 \2", line)
    line = re.sub(r"([0-9])(-)", r"\1 \2 ", line)
    return " ".join(line.split())


@given(st.text(alphabet="ab1 .,-'\"!?()[]{}/:;@#$%^_`~|\\+*=<>\n", max_size=40))
def test_13a_matches_the_mteval_regexes(text):
    assert tokenize_13a(text) == _mteval_13a(text)


def test_ngram_counts_counts_repeats():
    assert ngram_counts(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}


def test_ngram_counts_of_a_short_sequence_is_empty():
    assert ngram_counts(["a", "b"], 3) == {}


def test_ngram_order_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        ngram_counts(["a"], 0)
