"""Everyday prose (itune_core/register.py): what sends a request for fluency alone to the
built-in fluency specialist."""

from hypothesis import given
from hypothesis import strategies as st

from itune_core.register import MAX_NAMES_PER_SENTENCE, MAX_WORDS_PER_SENTENCE, is_everyday


def test_short_sentences_with_few_names_are_everyday_prose():
    assert is_everyday("I am agree with you.")
    assert is_everyday("Yesterday I meet my friend Maria in London. We eats pizza.")
    # the pronoun "I", and days and months, are capitalised but are not names
    assert is_everyday("On Monday I'm going to visit my aunt, and in May I've exams.")
    assert is_everyday(
        "Their is many reason why peoples likes to travel. It broaden the mind and you meets "
        "new friend. However, travel can also be expensive, and its not always easy to plan."
    )


def test_names_and_acronyms_make_formal_prose():
    assert not is_everyday("Simon Adkin of the BBC met Leicestershire County Council.")
    # two a sentence are allowed, three are not
    assert is_everyday("My uncle was born in Mexico. He speaks Spanish and English.")
    assert not is_everyday("He speaks Spanish, English and French at home.")


def test_long_sentences_make_formal_prose():
    words = ["word"] * (MAX_WORDS_PER_SENTENCE - 1)
    assert is_everyday("The " + " ".join(words) + ".")  # at the limit
    assert not is_everyday("The " + " ".join([*words, "word"]) + ".")
    # counted on average over the sentences: one long sentence among short ones passes
    assert is_everyday("The " + " ".join([*words, "word"]) + ". I agree. We go.")


def test_a_text_with_no_words_is_not_everyday_prose():
    for text in ("", "   ", "...", "1999 2000.", "\n\n"):
        assert not is_everyday(text)


@given(
    st.lists(st.sampled_from(["cat", "dog", "runs", "I", "and", "."]), max_size=80),
    st.lists(st.booleans(), min_size=80, max_size=80),
)
def test_a_name_in_place_of_a_word_never_makes_prose_everyday(words, capitalise):
    # the same words with some nouns given capitals: as many sentences, and no fewer names
    nouns = ("cat", "dog")
    named = [
        w.capitalize() if c and w in nouns else w
        for w, c in zip(words, capitalise[: len(words)], strict=True)
    ]
    text, variant = " ".join(words), " ".join(named)
    assert isinstance(is_everyday(text), bool)
    if not is_everyday(text):
        assert not is_everyday(variant)
    if is_everyday(variant):
        assert is_everyday(text)


def test_the_thresholds_are_positive():
    assert MAX_WORDS_PER_SENTENCE > 0 and MAX_NAMES_PER_SENTENCE > 0
