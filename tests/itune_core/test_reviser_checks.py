"""The reviser's input checks and output cleaning (no model needed)."""

import pytest

from itune_core.errors import InvalidText
from itune_core.reviser import (
    ReviseSettings,
    accept_answer,
    check_text,
    clean_output,
    word_similarity,
)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_or_blank_text_is_refused(text):
    with pytest.raises(InvalidText, match="empty"):
        check_text(text, 100)


def test_text_over_the_limit_is_refused_with_both_sizes():
    with pytest.raises(InvalidText, match="101 characters; the limit is 100"):
        check_text("a" * 101, 100)


def test_non_string_text_is_refused():
    with pytest.raises(InvalidText, match="string"):
        check_text(None, 100)


def test_text_with_a_nul_character_is_refused():
    with pytest.raises(InvalidText, match="NUL"):
        check_text("A cat\x00 sat.", 100)
    assert check_text("Tabs\tand\nnewlines are fine.", 100)


def test_preamble_and_quotes_are_stripped():
    assert clean_output('Here is the revised text: "He went home."', "He go home.") == (
        "He went home."
    )


def test_quotes_the_source_had_are_kept():
    assert clean_output('"Go," she said.', '"Go," she say.') == '"Go," she said.'


def test_empty_output_leaves_the_piece_unchanged():
    assert clean_output("  \n", "Keep me.") == "Keep me."


def test_settings_reject_a_bad_value_naming_the_field():
    with pytest.raises(ValueError, match="max_new_tokens"):
        ReviseSettings(max_new_tokens=0)


def test_word_similarity_is_one_for_equal_texts_and_low_for_unrelated_ones():
    assert word_similarity("He went home.", "He went home.") == 1.0
    assert word_similarity("He went home.", "Bananas are yellow fruit") < 0.2
    assert word_similarity("", "") == 1.0


# --- what goes into the text for one piece (the app and evaluation share it) ---------------

SOURCE = "We trained on 16GB of text in 2020."


def test_an_answer_is_cleaned_and_offered():
    answer = 'Here is the revised text: "We trained on 16GB of text in 2020!"'
    assert accept_answer(answer, SOURCE, False, ["fluency"], ReviseSettings()) == (
        "We trained on 16GB of text in 2020!",
        False,
        (),
    )


def test_a_cut_off_or_unrelated_answer_keeps_the_piece():
    settings = ReviseSettings()
    assert accept_answer(SOURCE + " And more", SOURCE, True, ["fluency"], settings)[:2] == (
        SOURCE,
        True,
    )
    unrelated = "Bananas are yellow and sweet fruit."
    assert accept_answer(unrelated, SOURCE, False, ["fluency"], settings)[:2] == (SOURCE, True)


def test_the_fact_guard_holds_back_a_changed_number_unless_facts_may_change():
    answer = "We trained on 16GB of text in 2021."
    offered, discarded, held = accept_answer(answer, SOURCE, False, ["clarity"], ReviseSettings())
    assert (offered, discarded) == (SOURCE, False)
    assert [(h.before, h.after) for h in held] == [("2020", "2021")]
    assert accept_answer(answer, SOURCE, False, ["meaning-changed"], ReviseSettings())[0] == answer
    unguarded = ReviseSettings(fact_guard=False)
    assert accept_answer(answer, SOURCE, False, ["clarity"], unguarded) == (answer, False, ())
