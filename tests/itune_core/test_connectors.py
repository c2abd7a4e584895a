"""The connector guard: under fluency alone, an edit that drops a connector is held back
with its reason; doubled connectors may be made single; other intentions are untouched."""

from hypothesis import given
from hypothesis import strategies as st

from itune_core.connectors import CONNECTORS, guard_connectors
from itune_core.reviser import ReviseSettings, accept_answer

DRAFT = "However, travel can also be expensive, and its not always easy to plan."
FIXED = "However, travel can also be expensive, and it's not always easy to plan."


def test_a_dropped_connector_is_held_back_and_the_grammar_fix_kept():
    answer = "However, travel can be expensive, and it's not always easy to plan."
    offered, held = guard_connectors(DRAFT, answer, ["fluency"])
    assert offered == FIXED
    assert [(h.before, h.after) for h in held] == [("also ", "")]
    assert "drops the connector 'also'" in held[0].reason


def test_every_dropped_connector_is_held_and_other_deletions_pass():
    offered, held = guard_connectors(DRAFT, "Travel can be expensive.", ["fluency"])
    assert offered == "However, travel can also be expensive."
    assert ["however" in h.reason or "also" in h.reason for h in held] == [True, True]


def test_fixes_that_are_not_connector_losses_pass():
    for source, answer in [
        ("It is good but but slow.", "It is good but slow."),  # doubled made single
        ("It is bigger then both.", "It is bigger than both."),  # then is not on the list
        ("He go there because he like it.", "He goes there because he likes it."),
        ("Also it rains.", "It also rains."),  # moved, not dropped
        ("It rains, however.", "However, it rains."),
    ]:
        assert guard_connectors(source, answer, ["fluency"]) == (answer, ()), source


def test_a_connector_said_twice_may_lose_one_of_its_pair():
    for source, answer in [
        (
            "Although the hotel was old, but the rooms were clean.",
            "Although the hotel was old, the rooms were clean.",
        ),
        ("Though he trained hard, but he lost.", "He trained hard, but he lost."),
        ("Because it rained, so we stayed in.", "It rained, so we stayed in."),
    ]:
        assert guard_connectors(source, answer, ["fluency"]) == (answer, ()), source
    # both of the pair dropped: the link itself is gone, so the edits are held back
    source = "Although the hotel was old, but the rooms were clean."
    offered, held = guard_connectors(
        source, "The hotel was old, the rooms were clean.", ["fluency"]
    )
    assert offered == source and len(held) == 2


def test_other_intentions_may_change_connectors():
    answer = "Travel can be expensive, and it's not always easy to plan."
    for intentions in (["clarity"], ["coherence"], ["fluency", "style"], ["meaning-changed"]):
        assert guard_connectors(DRAFT, answer, intentions) == (answer, ())


def test_the_reviser_applies_it_and_it_can_be_switched_off():
    answer = "However, travel can be expensive, and it's not always easy to plan."
    guarded = accept_answer(answer, DRAFT, False, ["fluency"], ReviseSettings())
    assert guarded.text == FIXED and len(guarded.held) == 1
    off = ReviseSettings(connector_guard=False)
    assert accept_answer(answer, DRAFT, False, ["fluency"], off).text == answer


WORDS = ["the", "plan", "works", "it", "rains", ",", ".", "so", *sorted(CONNECTORS)[:8]]


@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
)
def test_under_fluency_no_connector_of_the_source_is_ever_lost(source_words, answer_words):
    source, answer = " ".join(source_words), " ".join(answer_words)
    offered, held = guard_connectors(source, answer, ["fluency"])
    assert (offered == answer) == (not held)
    repeated = {w for w in source_words if source_words.count(w) > 1}
    pairs = {"but": {"although", "though"}, "although": {"but"}, "because": {"so"}}
    for word in CONNECTORS & set(source_words) - repeated:
        # one of "although ... but" may go where the sentence keeps the other
        said_twice = pairs.get(word, set()) & set(source_words) & set(offered.split())
        assert word in offered.split() or said_twice, (source, answer, offered)
