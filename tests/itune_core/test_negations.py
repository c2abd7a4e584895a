"""The negation guard: an edit that drops or adds a negation, turning a clause around, is
held back unless meaning-changed was asked for; learners' negation fixes pass."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itune_core.negations import guard_negations, negations
from itune_core.reviser import ReviseSettings, accept_answer


@pytest.mark.parametrize(
    ("source", "answer", "offered"),
    [
        (
            "The method is not slower than the baseline.",
            "The method is slower than the baseline.",
            "The method is not slower than the baseline.",
        ),
        ("We can't reproduce the result.", "We can reproduce the result.", None),
        ("It never rains here.", "It rains here.", None),
        ("Teh method works well.", "The method does not work well.", "The method works well."),
        (
            "Nothing was found in teh data.",
            "Something was found in the data.",
            "Nothing was found in the data.",
        ),
    ],
)
def test_an_edit_that_turns_a_clause_around_is_held_back(source, answer, offered):
    got, held = guard_negations(source, answer, ["clarity"])
    assert got == (source if offered is None else offered)
    assert held and all("negation" in h.reason for h in held)


@pytest.mark.parametrize(
    ("source", "answer"),
    [
        ("He dont like coffee.", "He doesn't like coffee."),
        ("She doesn't know.", "She does not know."),
        ("We can not go.", "We cannot go."),
        ("I don't know nothing about it.", "I don't know anything about it."),
        ("I not like it.", "I do not like it."),
        ("I have no money.", "I don't have any money."),
        ("It is not only fast but also cheap.", "It is fast and cheap."),
        ("He go to school.", "He goes to school."),
    ],
)
def test_learners_negation_fixes_pass(source, answer):
    assert guard_negations(source, answer, ["fluency"]) == (answer, ())


def test_meaning_changed_may_turn_a_clause_around():
    source, answer = "The method is not slower.", "The method is slower."
    assert guard_negations(source, answer, ["clarity", "meaning-changed"]) == (answer, ())


def test_negations_are_counted_with_and_without_apostrophes():
    assert negations(["dont", "can't", "isn’t", "never", "cannot", "nor"]) == 6
    assert negations(["not", "only"]) == 0
    assert negations(["not"], following="only") == 0
    assert negations(["note", "knot", "nothingness", "now"]) == 0


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    source = "The results are not significant."
    answer = "The results are significant."
    guarded = accept_answer(answer, source, False, ["style"], ReviseSettings())
    assert guarded.text == source and len(guarded.held) == 1
    off = ReviseSettings(negation_guard=False)
    assert accept_answer(answer, source, False, ["style"], off).text == answer


WORDS = ["the", "data", "is", "are", "good", "we", "see", "it", ",", "."]
NEG = ["not", "never", "no", "don't", "cannot"]


@given(
    st.lists(st.sampled_from(WORDS + NEG), min_size=1, max_size=12),
    st.lists(st.sampled_from(WORDS + NEG), min_size=1, max_size=12),
)
def test_what_is_offered_never_loses_every_negation_of_a_sentence_that_had_one(src, ans):
    """A sentence that denies something still denies something once guarded (unless the
    answer is the source itself)."""
    source, answer = " ".join(src), " ".join(ans)
    offered, _ = guard_negations(source, answer, ["fluency"])
    if negations([w.lower() for w in src]) > 0:
        assert negations(offered.lower().split()) > 0
