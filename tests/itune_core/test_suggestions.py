"""Held-back edits placed in the source as suggestions (``itune_core.suggestions``)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from itune_core.edits import HeldEdit, apply_edits, compute_edits, hold_back, touch
from itune_core.facts import guard_facts
from itune_core.literals import guard_literals
from itune_core.suggestions import suggestions

UNSURE = "the model was unsure (margin 0.31 nats)"


def test_an_edit_left_out_as_unsure_can_be_taken_beside_the_one_kept():
    piece = "These finding suggest that the big model is faster."
    proposed = "This finding suggests that the large model is faster."
    offered = "This finding suggest that the big model is faster."  # two edits left out
    held = [HeldEdit("suggest", "suggests", UNSURE, "margin"), HeldEdit("big", "large", "another")]
    found = suggestions(piece, offered, proposed, held)
    assert [(s.edit.before, s.edit.after, s.reason, s.by) for s in found] == [
        ("suggest", "suggests", UNSURE, "margin"),
        ("big", "large", "another", None),
    ]
    offered_edits = compute_edits(piece, offered)
    # in the source's characters, beside the offered edit: any set of them applies
    assert apply_edits(piece, [*offered_edits, found[0].edit]) == (
        "This finding suggests that the big model is faster."
    )
    assert apply_edits(piece, [*offered_edits, *(s.edit for s in found)]) == proposed
    assert (
        apply_edits(piece, [found[1].edit])
        == "These finding suggest that the large model is faster."
    )


def test_nothing_is_suggested_without_a_reason_or_an_answer():
    piece, proposed = "He go home.", "He goes home."
    assert suggestions(piece, piece, proposed, []) == ()
    assert suggestions(piece, piece, None, [HeldEdit("go", "goes", UNSURE)]) == ()
    # an undone edit no reason names (the tense context's words) is not offered
    assert suggestions(piece, piece, proposed, [HeldEdit("home", "house", UNSURE)]) == ()


def test_an_undone_edit_that_touches_an_offered_one_is_not_suggested():
    # what was held back meets an edit still offered, with no shared word between them:
    # in the source they would be one edit, so it cannot be taken alone
    piece, offered, proposed = "It costs 5 dollars.", "It cost 5 dollars.", "It costing 5 dollars."
    assert suggestions(piece, offered, proposed, [HeldEdit("cost", "costing", "r")]) == ()
    # a whole edit held back, apart from the one offered, is
    piece, proposed = "It costs about 5 dollars.", "It cost about 50 dollars."
    offered, held = guard_facts(piece, proposed, ["fluency"])
    assert offered == "It cost about 5 dollars."
    (found,) = suggestions(piece, offered, proposed, held)
    assert (found.edit.before, found.edit.after) == ("5", "50")
    assert not touch(found.edit, compute_edits(piece, offered)[0])


def test_a_literal_the_guard_kept_is_suggested_with_its_reason():
    piece = "Call it before you calls save_reslts()."
    proposed = "Call it before you call save_results()."
    offered, held = guard_literals(piece, proposed, ["fluency"])
    assert offered == "Call it before you call save_reslts()."
    (found,) = suggestions(piece, offered, proposed, held)
    assert (found.edit.before, found.edit.after) == ("save_reslts", "save_results")
    assert found.reason == held[0].reason
    assert apply_edits(piece, [*compute_edits(piece, offered), found.edit]) == proposed


WORDS = ["the", "a", "cat", "dog", "sat", "sits", "on", "mat", "16", "Paris", ",", "."]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=10),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=10),
    st.sets(st.integers(0, 9)),
)
def test_offered_edits_and_suggestions_apply_together_in_any_choice(source, answer, undo):
    piece, proposed = " ".join(source), " ".join(answer)
    edits = compute_edits(piece, proposed)
    reasons = {i: f"held {i}" for i in undo if i < len(edits)}
    offered, held = hold_back(piece, edits, reasons)
    found = suggestions(piece, offered, proposed, held)
    offered_edits = compute_edits(piece, offered)
    every = [*offered_edits, *(s.edit for s in found)]
    assert len({s.reason for s in found}) == len(found)  # one held edit, one suggestion
    for s in found:
        assert piece[s.edit.start_char_pos : s.edit.end_char_pos] == s.edit.before
        assert not any(touch(s.edit, o) for o in offered_edits)
        # each alone, and each beside every offered edit
        apply_edits(piece, [s.edit])
        apply_edits(piece, [*offered_edits, s.edit])
    apply_edits(piece, every)
    if len(found) == len(held):  # every held edit placed: together they give the answer
        assert apply_edits(piece, every) == proposed


def test_a_held_insertion_names_no_other_edit():
    # an empty side is found in any text: "" in "go" and "e" in "went" say nothing
    found = suggestions("We go home.", "We go home.", "We went home.", [HeldEdit("", "e", "r")])
    assert found == ()
