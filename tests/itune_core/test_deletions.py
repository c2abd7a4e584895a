"""The deletion guard: under fluency alone, an edit that deletes three words or more is
held back with its reason; shorter deletions, moved phrases, replacements and other
intentions pass; the grammar fixes beside a held deletion are kept."""

import re

from hypothesis import given
from hypothesis import strategies as st

from itune_core.deletions import MIN_WORDS, guard_deletions
from itune_core.edits import compute_edits
from itune_core.reviser import ReviseSettings, accept_answer

SOURCE = "I wants to thank you for you help last week."
CUT = "I want to thank you last week."


def test_a_deleted_phrase_is_held_back_and_the_fix_beside_it_kept():
    offered, held = guard_deletions(SOURCE, CUT, ["fluency"])
    assert offered == "I want to thank you for you help last week."
    assert [(h.before.strip(), h.after) for h in held] == [("for you help", "")]
    assert "deletes 'for you help'" in held[0].reason


def test_short_deletions_moves_and_replacements_pass():
    for source, answer in [
        ("He was very very tired.", "He was tired."),  # two words
        ("He left while he was drunk.", "He left while drunk."),
        ("I like very much this song.", "I like this song very much."),  # moved
        ("At this point in time we go.", "Now we go."),  # replaced: words in their place
        ("The the the result is good.", "The result is good."),  # a doubled word, twice
    ]:
        assert guard_deletions(source, answer, ["fluency"]) == (answer, ()), source


def test_other_intentions_may_cut_phrases():
    for intentions in (["clarity"], ["fluency", "clarity"], ["style"], ["meaning-changed"]):
        assert guard_deletions(SOURCE, CUT, intentions) == (CUT, ())


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    guarded = accept_answer(CUT, SOURCE, False, ["fluency"], ReviseSettings())
    assert guarded.text == "I want to thank you for you help last week."
    assert len(guarded.held) == 1
    off = ReviseSettings(deletion_guard=False)
    assert accept_answer(CUT, SOURCE, False, ["fluency"], off).text == CUT


WORDS = ["the", "plan", "works", "it", "rains", "we", "go", "home", ",", "."]
_WORD = re.compile(r"\w+")


@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14),
)
def test_under_fluency_no_offered_edit_deletes_a_phrase(source_words, answer_words):
    source, answer = " ".join(source_words), " ".join(answer_words)
    offered, held = guard_deletions(source, answer, ["fluency"])
    assert (offered == answer) == (not held)
    assert guard_deletions(source, offered, ["fluency"]) == (offered, ())  # nothing left
    for edit in compute_edits(source, offered):
        if not _WORD.findall(edit.after):
            lost = [w for w in _WORD.findall(edit.before) if w not in offered.split()]
            assert len(lost) < MIN_WORDS, (source, answer, offered)
