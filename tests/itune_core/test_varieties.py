"""The spelling-variety guard: an edit that only respells words in the other variety of
English (British / American) is held back under every intention; any other edit passes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itune_core.reviser import ReviseSettings, accept_answer
from itune_core.varieties import american_spelling, guard_varieties, same_word

TWO_SPELLINGS = [
    ("organise", "organize"),
    ("apologised", "apologized"),
    ("organisation", "organization"),
    ("finalising", "finalizing"),
    ("analyse", "analyze"),
    ("colour", "color"),
    ("behaviour", "behavior"),
    ("neighbourhood", "neighborhood"),
    ("favourite", "favorite"),
    ("centre", "center"),
    ("centred", "centered"),
    ("fibres", "fibers"),
    ("travelled", "traveled"),
    ("counsellor", "counselor"),
    ("catalogue", "catalog"),
    ("dialogues", "dialogs"),
    ("programme", "program"),
    ("defence", "defense"),
    ("licences", "licenses"),
    ("practises", "practices"),
    ("grey", "gray"),
    ("Colour", "Color"),
    ("CENTRE", "CENTER"),
]

# Everyday pairs that look alike and are different words (or one a misspelling): a fix
# between them is not a change of variety.
DIFFERENT_WORDS = [
    ("four", "for"),
    ("our", "or"),
    ("hour", "hor"),
    ("filled", "filed"),
    ("called", "caled"),
    ("advise", "advize"),
    ("advice", "advise"),
    ("exercise", "exercize"),
    ("surprise", "surprize"),
    ("devise", "device"),
    ("prise", "prize"),
    ("timbre", "timber"),
    ("their", "there"),
    ("then", "than"),
    ("lose", "loose"),
    ("its", "it's"),
    ("colour", "Color"),  # the case changed too
    ("colour", "colour"),
    ("iphone", "iPhone"),  # a change of case alone
]


@pytest.mark.parametrize(("british", "american"), TWO_SPELLINGS)
def test_the_two_spellings_of_a_word_are_one_word_either_way(british, american):
    assert same_word(british, american) and same_word(american, british)
    assert american_spelling(american.lower()) == american.lower()


@pytest.mark.parametrize(("a", "b"), DIFFERENT_WORDS)
def test_words_that_only_look_alike_are_not_one_word(a, b):
    assert not same_word(a, b) and not same_word(b, a)


def test_only_the_respelling_is_held_back_when_nothing_else_changes_the_word():
    def offered(source, answer):
        return guard_varieties(source, answer, ["fluency"])[0]

    assert offered("organise the programme", "organize the program") == "organise the programme"
    # "programs" is another word's plural there: only "organize" is a respelling
    assert offered("organise the programme", "organize the programs") == ("organise the programs")
    assert offered("colour,", "color") == "colour"  # the comma dropped passes
    assert offered("has organise", "have organized") == "have organized"
    assert guard_varieties("colour", "colour", ["fluency"]) == ("colour", ())


def test_a_respelled_word_is_held_back_and_the_grammar_fix_beside_it_kept():
    source = "I apologise for the delay, we has finalise the plan."
    answer = "I apologize for the delay, we have finalized the plan."
    offered, held = guard_varieties(source, answer, ["fluency"])
    assert offered == "I apologise for the delay, we have finalized the plan."
    assert [(h.before, h.after) for h in held] == [("apologise", "apologize")]
    assert "other variety" in held[0].reason


def test_it_holds_under_every_intention_and_either_way_round():
    source, answer = "The colour of the centre.", "The color of the center."
    for intentions in (["fluency"], ["style"], ["clarity", "coherence"], ["meaning-changed"]):
        offered, held = guard_varieties(source, answer, intentions)
        assert offered == source and len(held) == 2
    assert guard_varieties(answer, source, ["fluency"])[0] == answer


def test_fixes_that_only_look_like_respellings_pass():
    for source, answer in [
        ("I need four advices.", "I need four pieces of advice."),
        ("Their is a problem.", "There is a problem."),
        ("We have four hour.", "We have four hours."),
        ("The box is filed with toys.", "The box is filled with toys."),
        ("I will advize you.", "I will advise you."),
        ("I bought an iphone.", "I bought an iPhone."),
    ]:
        assert guard_varieties(source, answer, ["fluency"]) == (answer, ()), source


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    source = "Anyone who practises regularly will improve."
    answer = "Anyone who practices regularly will improve."
    guarded = accept_answer(answer, source, False, ["fluency"], ReviseSettings())
    assert guarded.text == source and len(guarded.held) == 1
    off = ReviseSettings(variety_guard=False)
    assert accept_answer(answer, source, False, ["fluency"], off).text == answer


PLAIN = ["the", "team", "will", "plan", "it", "today", "and", "we", "go", "home"]
OTHER = {"plan": "plans", "go": "goes", "team": "teams", "today": "tomorrow"}


@given(
    st.lists(st.sampled_from(PLAIN + [b for b, _ in TWO_SPELLINGS]), min_size=1, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_respelling_alone_never_reaches_the_writer(words, swap):
    american = dict(TWO_SPELLINGS)
    source = " ".join(words) + "."
    answer = (
        " ".join(
            american.get(w, w) if s else w for w, s in zip(words, swap[: len(words)], strict=True)
        )
        + "."
    )
    assert guard_varieties(source, answer, ["fluency"])[0] == source


@given(
    st.lists(st.sampled_from(PLAIN + [b for b, _ in TWO_SPELLINGS]), min_size=1, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_an_answer_that_respells_nothing_passes_whole(words, change):
    source = " ".join(words) + "."
    answer = (
        " ".join(
            OTHER.get(w, w) if c else w for w, c in zip(words, change[: len(words)], strict=True)
        )
        + "."
    )
    assert guard_varieties(source, answer, ["fluency"]) == (answer, ())
