"""The reviser's input checks and output cleaning (no model needed)."""

import pytest

from itune_core.errors import InvalidText
from itune_core.reviser import (
    Answer,
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
    assert accept_answer(answer, SOURCE, False, ["fluency"], ReviseSettings()) == Answer(
        "We trained on 16GB of text in 2020!"
    )


def test_a_cut_off_or_unrelated_answer_keeps_the_piece():
    settings = ReviseSettings()
    cut_off = accept_answer(SOURCE + " And more", SOURCE, True, ["fluency"], settings)
    assert cut_off == Answer(SOURCE, discarded=True)
    unrelated = "Bananas are yellow and sweet fruit."
    assert accept_answer(unrelated, SOURCE, False, ["fluency"], settings) == Answer(
        SOURCE, discarded=True
    )


def test_the_fact_guard_holds_back_a_changed_number_unless_facts_may_change():
    answer = "We trained on 16GB of text in 2021."
    guarded = accept_answer(answer, SOURCE, False, ["clarity"], ReviseSettings())
    assert (guarded.text, guarded.discarded) == (SOURCE, False)
    assert [(h.before, h.after, h.by) for h in guarded.held] == [("2020", "2021", "fact")]
    exempt = accept_answer(answer, SOURCE, False, ["meaning-changed"], ReviseSettings())
    assert exempt.text == answer
    unguarded = ReviseSettings(fact_guard=False)
    assert accept_answer(answer, SOURCE, False, ["clarity"], unguarded) == Answer(answer)


def _scorer(preferences: dict[str, float]):
    """A scorer that gives each text a fixed log-probability (0 for unknown texts)."""
    return lambda answers: [preferences.get(a, 0.0) for a in answers]


def test_edits_the_model_is_unsure_of_are_left_out_given_a_scorer():
    source = "He go to school and he like it."
    answer = "He goes to school and he likes it."
    # Undoing "goes" costs 3 nats (sure); undoing "likes" costs 0.2 (unsure).
    scorer = _scorer(
        {
            answer: -10.0,
            "He go to school and he likes it.": -13.0,
            "He goes to school and he like it.": -10.2,
            source: -15.0,  # what is left reads better than the sentence as written
        }
    )
    offered = accept_answer(answer, source, False, ["fluency"], ReviseSettings(), scorer)
    assert offered.text == "He goes to school and he like it."
    assert [h.by for h in offered.unsure] == ["margin"]  # what held it back, for the feedback
    assert [(h.before, h.after) for h in offered.unsure] == [("like", "likes")]
    assert "0.20 nats" in offered.unsure[0].reason
    off = ReviseSettings(min_edit_margin=None)
    assert accept_answer(answer, source, False, ["fluency"], off, scorer) == Answer(answer)
    assert accept_answer(answer, source, False, ["fluency"], ReviseSettings()) == Answer(answer)


def test_every_guard_setting_switches_a_guard_the_answer_goes_through():
    import dataclasses

    from itune_core.reviser import _GUARDS

    settings = {f.name for f in dataclasses.fields(ReviseSettings) if f.name.endswith("_guard")}
    assert settings == {name for name, _ in _GUARDS}
    assert len(_GUARDS) == len(settings)
