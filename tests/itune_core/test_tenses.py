"""The tense guard: an edit that puts a piece naming no past time into the past is held
back with its reason; pieces about the past, present-tense fixes, misspelled past forms
and meaning-changed requests pass; the fixes beside a held edit are kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itune_core.edits import apply_edits, compute_edits
from itune_core.reviser import ReviseSettings, accept_answer
from itune_core.tenses import guard_tenses, into_the_past, tells_the_past


def test_a_present_verb_put_into_the_past_is_held_back():
    offered, held = guard_tenses(
        "My mother cook dinner every evening.",
        "My mother cooked dinner every evening.",
        ["fluency"],
    )
    assert offered == "My mother cook dinner every evening."
    assert [(h.before, h.after) for h in held] == [("cook", "cooked")]
    assert "into the past ('cooked')" in held[0].reason


def test_an_inserted_was_is_held_back_and_the_fix_beside_it_kept():
    offered, held = guard_tenses(
        "my brother very tall and he play football.",
        "My brother was very tall and he plays football.",
        ["fluency"],
    )
    assert offered == "My brother very tall and he plays football."
    assert [h.after.strip() for h in held] == ["was"]


def test_present_fixes_pieces_about_the_past_and_misspelled_past_forms_pass():
    for source, answer in [
        ("He go home every day.", "He goes home every day."),
        ("She very happy.", "She is very happy."),
        ("Their is many reason.", "There are many reasons."),
        ("Yesterday I go to the market.", "Yesterday I went to the market."),
        ("Two years ago we live in Madrid.", "Two years ago we lived in Madrid."),
        ("In 2019 she start a company.", "In 2019 she started a company."),
        ("When I was young I play football.", "When I was young I played football."),
        ("I recieved your letter.", "I received your letter."),  # no present verb undone
        ("Please read it now.", "Please read it."),  # the same form in both tenses
        ("We have cover the task.", "We have covered the task."),  # participles
        ("It can never be attain.", "It can never be attained."),
        ("It may have seem far away.", "It may have seemed far away."),
        ("It has not change much.", "It has not changed much."),
        ("The shop close at eight.", "The shop's closed at eight."),
        ("It makes me feel relax.", "It makes me feel relaxed."),  # adjectives
        ("You look tire today.", "You look tired today."),
        ("He seems interest in it.", "He seems interested in it."),
    ]:
        assert guard_tenses(source, answer, ["fluency"]) == (answer, ()), source


def test_an_adjective_after_a_linking_verb_passes_and_a_verb_beside_it_is_still_held():
    source = "I feel tire and I cook every day."
    offered, held = guard_tenses(source, "I feel tired and I cooked every day.", ["fluency"])
    assert offered == "I feel tired and I cook every day."
    assert [(h.before, h.after) for h in held] == [("cook", "cooked")]


def test_an_adjective_that_looks_like_a_past_does_not_let_a_verb_into_the_past():
    source = "My sister is married and she live in Lisbon."
    offered, held = guard_tenses(
        source, "My sister is married and she lived in Lisbon.", ["fluency"]
    )
    assert offered == source
    assert [(h.before, h.after) for h in held] == [("live", "lived")]
    fixed = "My sister is married and she lives in Lisbon."
    assert guard_tenses(source, fixed, ["fluency"]) == (fixed, ())


def test_meaning_changed_may_move_the_time_and_other_intentions_may_not():
    source, answer = "The museum open at nine.", "The museum opened at nine."
    assert guard_tenses(source, answer, ["meaning-changed"]) == (answer, ())
    assert guard_tenses(source, answer, ["fluency", "meaning-changed"]) == (answer, ())
    for intentions in (["fluency"], ["clarity"], ["style", "coherence"]):
        assert guard_tenses(source, answer, intentions)[0] == source


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    source, answer = (
        "My mother cook dinner every evening.",
        "My mother cooked dinner every evening.",
    )
    guarded = accept_answer(answer, source, False, ["fluency"], ReviseSettings())
    assert guarded.text == source and len(guarded.held) == 1
    off = ReviseSettings(tense_guard=False)
    assert accept_answer(answer, source, False, ["fluency"], off).text == answer


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("Last Friday I went to the cinema.", True),
        ("This morning my alarm didn't ring.", True),  # "did" in "didn't"
        ("We proposed a method.", True),
        ("The model was trained on news.", True),
        ("The students are tired after the exam.", False),  # an adjective after "are"
        ("I feel bored.", False),
        ("The proposed method works.", False),  # a participle after "the"
        ("The method is used widely.", False),
        ("He has finished his work.", False),  # a present perfect
        ("I go to school every day.", False),
    ],
)
def test_what_tells_the_past_is_a_past_time_or_a_verb_in_the_simple_past(text, past):
    assert tells_the_past(text) is past


def test_what_counts_as_past():
    assert tells_the_past("We met last week.") and tells_the_past("I saw it")
    assert tells_the_past("It was previously used.")
    assert not tells_the_past("I go to school every day.")
    assert not tells_the_past("Please read the lastest news.")  # "last" alone is no time
    assert into_the_past("is", "was") == "was"
    assert into_the_past("are", "were") == "were"
    assert into_the_past("", " was ") == "was"
    assert into_the_past("goes", "went") == "went"
    assert into_the_past("go", "goes") is None
    assert into_the_past("recieved", "received") is None
    assert into_the_past("", " did ") is None  # a question's "do" is not a time
    assert into_the_past("cover", "covered", "Overall, we have ") is None
    assert into_the_past("cover", "covered", "Overall, we ") == "covered"


WORDS = ["my", "mother", "cook", "cooks", "cooked", "is", "was", "tall", "we", "go", "went"]
WORDS += ["every", "day", ".", ",", "yesterday"]


@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
)
def test_no_offered_edit_moves_a_present_piece_into_the_past(source_words, answer_words):
    source, answer = " ".join(source_words), " ".join(answer_words)
    offered, held = guard_tenses(source, answer, ["fluency"])
    assert (offered == answer) == (not held)
    assert guard_tenses(source, offered, ["fluency"]) == (offered, ())  # nothing left
    if not tells_the_past(source):
        edits = compute_edits(source, offered)
        for i, edit in enumerate(edits):
            # read after what the writer is offered before the edit, auxiliaries included
            lead = apply_edits(source[: edit.start_char_pos], edits[:i])
            assert into_the_past(edit.before, edit.after, lead) is None, (source, answer, offered)
    else:
        assert offered == answer


def test_preload_reads_the_tables_before_any_revision():
    from itune_core.tenses import _tenses, preload

    preload()
    assert _tenses.cache_info().currsize >= 1
    assert _tenses("was")[0] == {"be"}


def test_an_auxiliary_another_edit_deletes_makes_no_participle():
    # the guard once read the source before the inserted "was": "is" let it pass
    offered, held = guard_tenses("is my", "my was", ["fluency"])
    assert offered == "my" and [h.after.strip() for h in held] == ["was"]
    assert guard_tenses("we have cover it", "we have covered it", ["fluency"]) == (
        "we have covered it",
        (),
    )
