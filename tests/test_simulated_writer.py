"""The simulated careful writer of the feedback-loop benchmark: which edits it accepts and
why it rejects the rest."""

import pytest

from benchmarks.simulated_writer import (
    MEANING_CHANGED,
    UNGRAMMATICAL,
    UNNECESSARY,
    Decision,
    decide_edit,
)

SOURCE = "He go to school yesterday and buyed a apple."
HUMAN = "He went to school yesterday and bought an apple."


@pytest.mark.parametrize(
    ("before", "after"),
    [("go", "went"), ("buyed", "bought"), ("a", "an"), ("buyed a", "bought an")],
)
def test_an_edit_toward_the_human_revision_is_accepted(before, after):
    assert decide_edit(SOURCE, before, after, HUMAN) == Decision(True)
    assert decide_edit(SOURCE, before, after, HUMAN).decision == "accept"


def test_an_insertion_and_a_deletion_the_human_made_are_accepted():
    source, human = "We use new method.", "We use a new method."
    assert decide_edit(source, "", "a ", human, span=(7, 7)).accepted
    source, human = "It is very very good.", "It is very good."
    assert decide_edit(source, "very ", "", human, span=(6, 11)).accepted


def test_deleting_words_the_human_kept_is_unnecessary():
    decision = decide_edit(SOURCE, "yesterday ", "", HUMAN, span=(16, 26))
    assert decision == Decision(False, UNNECESSARY)
    assert decision.decision == "reject"


def test_an_insertion_the_human_did_not_make_is_unnecessary():
    assert decide_edit(SOURCE, "", " really", HUMAN) == Decision(False, UNNECESSARY)


def test_rewording_words_the_human_kept_is_unnecessary():
    assert decide_edit(SOURCE, "school", "college", HUMAN) == Decision(False, UNNECESSARY)


def test_a_wrong_fix_where_the_human_changed_the_words_is_ungrammatical():
    assert decide_edit(SOURCE, "go", "goes", HUMAN) == Decision(False, UNGRAMMATICAL)
    # Half right: "an" is wanted but "big" is not.
    assert decide_edit(SOURCE, "a", "an big", HUMAN) == Decision(False, UNGRAMMATICAL)


def test_changing_a_number_or_a_name_is_meaning_changed():
    source = "The model was trained on 16 GB of text by Google in 2019."
    human = "The model was trained on 16 GB of text by Google in 2019 ."
    span = (source.index("16"), source.index("16") + 2)
    assert decide_edit(source, "16", "160", human, span=span) == Decision(False, MEANING_CHANGED)
    span = (source.index("Google"), source.index("Google") + 6)
    assert decide_edit(source, "Google", "Meta", human, span=span) == Decision(
        False, MEANING_CHANGED
    )


def test_a_fact_the_human_changed_is_accepted_only_as_the_human_changed_it():
    source, human = "It was released in 2018.", "It was released in 2019."
    span = (source.index("2018"), source.index("2018") + 4)
    assert decide_edit(source, "2018", "2019", human, span=span).accepted
    assert decide_edit(source, "2018", "2020", human, span=span) == Decision(False, MEANING_CHANGED)


def test_adding_or_dropping_a_negation_is_meaning_changed():
    source, human = "The method works well.", "The method works very well."
    assert decide_edit(source, "works", "does not work", human) == Decision(False, MEANING_CHANGED)
    source, human = "It is not easy.", "It is not simple."
    assert decide_edit(source, "not ", "", human, span=(6, 10)) == Decision(False, MEANING_CHANGED)


def test_an_edit_that_only_moves_spaces_is_unnecessary():
    assert decide_edit("a , b", " ,", ",", "a, b") == Decision(False, UNNECESSARY)


def test_counts_matter_a_word_the_source_already_has_is_not_wanted_again():
    source, human = "the cat saw the dog.", "the cat saw the dog."
    assert decide_edit(source, "", "the ", human, span=(0, 0)) == Decision(False, UNNECESSARY)
