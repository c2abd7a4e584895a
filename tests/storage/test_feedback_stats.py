"""Feedback counts: acceptance per intention and per adapter from current decisions, and the
accepted edits that an export is made of."""

import pytest

from storage.feedback import FeedbackStore


@pytest.fixture
def feedback(store):
    return FeedbackStore(store.engine)


def test_stats_count_current_decisions_per_intention(store, feedback, revision_id):
    # sample edits: 0 clarity, 1 fluency, 2 fluency, 3 style, 4 unlabelled
    store.record_decision(revision_id, 0, "reject")
    store.record_decision(revision_id, 0, "accept")
    store.record_decision(revision_id, 1, "accept")
    store.record_decision(revision_id, 2, "reject")
    store.record_decision(revision_id, 4, "reject")
    stats = feedback.feedback_stats()
    rows = {a.key: (a.accepted, a.rejected) for a in stats.by_intention}
    assert rows == {"clarity": (1, 0), "fluency": (1, 1), None: (0, 1)}
    assert (stats.overall.accepted, stats.overall.rejected) == (2, 2)
    assert (stats.revisions, stats.edits) == (1, 5)


def test_stats_per_adapter_keep_the_base_model_apart(store, feedback, record_sample):
    with_adapter, base = record_sample(), record_sample(adapter=None)
    store.record_decisions(with_adapter, None, "accept")
    store.record_decision(base, 0, "reject")
    rows = {a.key: (a.accepted, a.rejected, a.rate) for a in feedback.feedback_stats().by_adapter}
    assert rows == {"fluency-lora": (5, 0, 1.0), None: (0, 1, 0.0)}


def test_accepted_edits_are_only_those_currently_accepted(store, feedback, revision_id):
    store.record_decision(revision_id, 1, "accept")
    store.record_decision(revision_id, 3, "accept")
    store.record_decision(revision_id, 3, "reject")
    accepted = feedback.accepted_edits()
    assert [(a.revision_id, a.position, a.edit.intention) for a in accepted] == [
        (revision_id, 1, "fluency")
    ]


def test_empty_database_has_no_rates(feedback):
    stats = feedback.feedback_stats()
    assert stats.overall.rate is None and stats.by_intention == ()


def test_one_adapters_acceptance_counts_only_its_revisions_per_intention(
    store, feedback, record_sample
):
    mine, base = record_sample(), record_sample(adapter=None)
    store.record_decision(mine, 0, "accept")  # clarity
    store.record_decision(mine, 1, "reject", reason="unnecessary")  # fluency
    store.record_decision(mine, 2, "accept")  # fluency
    store.record_decisions(base, None, "accept")
    overall, by_intention = feedback.adapter_acceptance("fluency-lora")
    assert (overall.key, overall.accepted, overall.rejected) == ("fluency-lora", 2, 1)
    assert [(a.key, a.accepted, a.rejected) for a in by_intention] == [
        ("clarity", 1, 0),
        ("fluency", 1, 1),
    ]
    assert feedback.adapter_acceptance("nobody")[0].rate is None
    assert feedback.adapter_acceptance(None)[0].accepted == 5


def test_rejected_edits_carry_their_reason_and_can_be_filtered_by_it(store, feedback, revision_id):
    store.record_decision(revision_id, 1, "reject", reason="unnecessary")
    store.record_decision(revision_id, 2, "reject", reason="other")
    store.record_decision(revision_id, 3, "reject")
    store.record_decision(revision_id, 3, "accept")  # no longer rejected
    found = feedback.rejected_edits()
    assert [(r.position, r.reason) for r in found] == [(1, "unnecessary"), (2, "other")]
    assert [r.position for r in feedback.rejected_edits(reasons=["unnecessary"])] == [1]


def test_an_accepted_suggestion_is_feedback_like_any_accepted_edit(store, feedback, sample_args):
    from itune_core.edits import apply_edits
    from itune_core.suggestions import Suggestion

    offered, held = sample_args["edits"][:4], sample_args["edits"][4]
    revision_id = store.record_revision(
        **{**sample_args, "edits": offered, "revised": apply_edits(sample_args["source"], offered)},
        suggestions=[Suggestion(held, "the model was unsure (margin 0.20 nats)", "margin")],
    )
    assert feedback.accepted_edits() == []  # a suggestion nobody took is no feedback
    assert (feedback.feedback_stats().suggestions, feedback.feedback_stats().taken.decided) == (
        1,
        0,
    )
    store.record_decision(revision_id, 4, "accept")
    store.record_decision(revision_id, 0, "reject")
    (accepted,) = feedback.accepted_edits()
    assert (accepted.position, accepted.edit) == (4, held)
    stats = feedback.feedback_stats()
    assert (stats.edits, stats.suggestions) == (5, 1)
    assert (stats.taken.key, stats.taken.accepted, stats.taken.rejected) == ("suggestions", 1, 0)
    assert [(a.key, a.accepted, a.rejected) for a in stats.taken_by] == [("margin", 1, 0)]
    assert (stats.overall.accepted, stats.overall.rejected) == (1, 1)
