"""The verb after "do", a modal or "to" is bare: "didn't came" -> "come", "Did you saw"
-> "see", "She can speaks" -> "speak", "want to went" -> "go"; a modal or verb of
wishing the model dropped is put back; what only looks like them stays."""

from hypothesis import given
from hypothesis import strategies as st

from itune_core.auxiliaries import mend_auxiliaries
from itune_core.mechanics import fix_mechanics


def test_the_verb_after_do_a_modal_or_to_is_made_bare():
    for text, expected in [
        ("He said so, but he didn't came.", "He said so, but he didn't come."),
        ("I didn't knew the answer.", "I didn't know the answer."),
        ("She doesn't wants to go.", "She doesn't want to go."),
        ("We didn't had time.", "We didn't have time."),
        ("They don't really likes it.", "They don't really like it."),
        ("My brother did not went there.", "My brother did not go there."),
        ("He didn’t saw it.", "He didn’t see it."),  # a curly apostrophe; "saw" read as a past
        ("He didn't used to smoke.", "He didn't use to smoke."),
        ("Did you saw the message?", "Did you see the message?"),
        ("Why did they changed it?", "Why did they change it?"),
        ("Does she knows him?", "Does she know him?"),
        ("She can speaks four languages.", "She can speak four languages."),
        ("He must studies more.", "He must study more."),
        ("I will went to the doctor.", "I will go to the doctor."),
        ("We can't goes out.", "We can't go out."),
        ("They could not came.", "They could not come."),
        ("I'll went home.", "I'll go home."),
        ("I want to went to the beach.", "I want to go to the beach."),
        ("She decided to took the train.", "She decided to take the train."),
        ("I need to bought a phone.", "I need to buy a phone."),
    ]:  # fmt: skip
        assert mend_auxiliaries(text) == expected, text


def test_what_only_looks_like_them_stays():
    for text in [
        "I didn't lay the table.",  # "lay" is a bare verb too
        "Why don't books help?",  # a question: "books" is the subject
        "Didn't you know?",
        "The work we did they liked a lot.",  # "did" ends a relative clause
        "The first thing I did was call my mother.",
        "They did what they could.",
        "You should tried it.",  # may mean "should have tried"
        "The will was read after the funeral.",  # "will" is a noun
        "Free will matters.",
        "We were going to saw the planks.",  # "saw" after "to" is the verb "saw"
        "Flour is used to make bread.",
        "He didn't was there.",  # a form of "be" is left to the model
        "She wanted to know why.",
    ]:
        assert mend_auxiliaries(text) == text, text


def test_a_modal_or_verb_of_wishing_the_model_dropped_is_put_back():
    assert mend_auxiliaries(
        "I went to the doctor tomorrow.", "I will went to the doctor tomorrow."
    ) == ("I will go to the doctor tomorrow.")
    assert mend_auxiliaries("I went to the beach.", "I want to went to the beach.") == (
        "I want to go to the beach."
    )
    assert (
        mend_auxiliaries("She speaks French.", "She can speaks French.") == "She can speak French."
    )
    # not without the writer's piece, where the writer wrote it so, or where it is not one place
    assert mend_auxiliaries("I went to the doctor.") == "I went to the doctor."
    assert mend_auxiliaries("I went home.", "I went home.") == "I went home."
    assert mend_auxiliaries("I went in. I went out.", "I will went in.") == "I went in. I went out."
    # a negative modal dropped is the negation guard's to hold back
    assert mend_auxiliaries("He came.", "He couldn't came.") == "He came."


def test_only_fluency_asks_for_them():
    text = "He didn't came."
    assert fix_mechanics(text, ["fluency"]) == "He didn't come."
    assert fix_mechanics(text, ["clarity"]) == text


_WORDS = ["I", "he", "She", "didn't", "did", "Did", "not", "can", "will", "want", "to",
          "went", "came", "speaks", "lay", "saw", "tried", "was", "the", "table", "home", ",",
          "."]  # fmt: skip
_NEW = {"go", "come", "speak", "see", "try", "do", "Go", "Come", "Speak", "See", "Try", "Do"}


@given(st.lists(st.sampled_from(_WORDS), max_size=12))
def test_it_only_makes_verbs_bare_and_a_second_time_nothing(words):
    text = " ".join(words)
    mended = mend_auxiliaries(text)
    assert mend_auxiliaries(mended) == mended, (text, mended)
    assert len(mended.split()) == len(words), (text, mended)
    assert set(mended.split()) - set(words) <= _NEW, (text, mended)
