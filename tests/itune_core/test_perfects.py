"""Time up to now: "since" before a length becomes "for", and a present verb before a time
that runs up to now takes the present perfect; a "since" that gives a reason, a past, a
modal, a question and a phrase that is no subject stay."""

from hypothesis import given
from hypothesis import strategies as st

from itune_core.mechanics import fix_mechanics
from itune_core.perfects import mend_perfects


def test_a_present_before_a_time_up_to_now_takes_the_present_perfect():
    for text, expected in [
        ("I am living in London since three years and I like it.",
         "I have been living in London for three years and I like it."),
        ("She works in this company since 2018.", "She has worked in this company since 2018."),
        ("We know each other since we were children.",
         "We have known each other since we were children."),
        ("My parents are married since 1995.", "My parents have been married since 1995."),
        ("Maria and Carlos are married since 2015.",
         "Maria and Carlos have been married since 2015."),
        ("It is raining since this morning.", "It has been raining since this morning."),
        ("Tom plays the guitar since he was twelve.",
         "Tom has played the guitar since he was twelve."),
        ("My older sister works here since 2019.", "My older sister has worked here since 2019."),
        ("My friends live in Rome since May.", "My friends have lived in Rome since May."),
        ("She is still waiting since Monday.", "She has still been waiting since Monday."),
        ("I know her since ages.", "I have known her for ages."),
    ]:  # fmt: skip
        assert mend_perfects(text) == expected, text


def test_the_first_time_takes_the_present_perfect():
    for text, expected in [
        ("It is the first time I am in London.", "It is the first time I have been in London."),
        ("This is the first time I eat sushi.", "This is the first time I have eaten sushi."),
        ("It's the first time she visits us.", "It's the first time she has visited us."),
    ]:  # fmt: skip
        assert mend_perfects(text) == expected, text
    for text in [
        "It was the first time I saw the sea.",
        "It is the first time I have seen it.",
        "That is the first time I saw a car.",  # a past: not "have sawn"
    ]:
        assert mend_perfects(text) == text, text


def test_a_length_the_writer_put_after_since_counts_where_the_answer_made_it_for():
    source = "He is waiting for the bus since half an hour."
    answer = "He is waiting for the bus for half an hour."
    assert mend_perfects(answer, source) == "He has been waiting for the bus for half an hour."
    assert mend_perfects(answer) == answer  # "for" alone may be a plan: "I am staying for a week"
    assert mend_perfects("I am staying here for a week.", source) == "I am staying here for a week."


def test_reasons_pasts_perfects_questions_and_no_subjects_stay():
    for text in [
        "Since he is ill, he is staying at home today.",  # a piece opening with "Since"
        "The method is popular since it is simple.",  # a reason
        "They fail to discriminate the answers since they equally consider all tokens.",
        "The nature of it is not clear since Socrates was known for his restraint.",
        "I have lived here since 2015.",
        "It was raining since the morning.",
        "I can swim since I was five.",
        "Do you live here since 2010?",
        'They would be "the first major cuts by either government since 1996".',
        "He left two years ago, since then I live alone.",
        "I lived there since two years ago.",
        "I saw him since Monday.",  # a past: not "have sawn"
    ]:
        assert mend_perfects(text) == text, text


def test_only_fluency_asks_for_it_and_a_second_time_changes_nothing():
    text = "We know each other since 2010."
    assert fix_mechanics(text, ["fluency"]) == "We have known each other since 2010."
    assert fix_mechanics(text, ["clarity"]) == text


_WORDS = ["I", "she", "my", "sister", "parents", "is", "are", "am", "live", "lives",
          "working", "here", "since", "for", "two", "years", "2010", "he", "was", "ill", "May",
          ",", "."]  # fmt: skip


@given(st.lists(st.sampled_from(_WORDS), max_size=12))
def test_it_only_adds_have_has_been_and_participles_and_a_second_time_nothing(words):
    text = " ".join(words)
    mended = mend_perfects(text)
    assert mend_perfects(mended) == mended
    added = set(mended.split()) - set(words)
    assert added <= {"have", "has", "been", "lived", "for"}, (text, mended)


def test_never_been_takes_have_and_never_was_before_the_present_perfect():
    for text, expected in [
        ("We never been to Japan.", "We have never been to Japan."),
        ("He never been abroad.", "He has never been abroad."),
        ("I never was in Canada before.", "I have never been in Canada before."),
        ("She never was on a plane before.", "She has never been on a plane before."),
    ]:
        assert mend_perfects(text) == expected, text
    for text in ["He never was a good student.", "I was never late for work."]:
        assert mend_perfects(text) == text, text
