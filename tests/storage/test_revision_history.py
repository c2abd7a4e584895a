"""list_revisions: a writer's history, newest first, with counts of current decisions."""

import pytest


def test_revisions_are_listed_newest_first(store, record_sample):
    ids = [record_sample() for _ in range(3)]
    assert [s.id for s in store.list_revisions()] == ids[::-1]


def test_list_filters_by_session(store, record_sample):
    mine = [record_sample(session_id="mine"), record_sample(session_id="mine")]
    record_sample(session_id="theirs")
    assert [s.id for s in store.list_revisions(session_id="mine")] == mine[::-1]


def test_list_filters_by_user(store, record_sample):
    grace = record_sample(user="grace")
    record_sample(user="ada")
    assert [s.id for s in store.list_revisions(user="grace")] == [grace]


def test_list_stops_at_the_limit(store, record_sample):
    ids = [record_sample() for _ in range(4)]
    assert [s.id for s in store.list_revisions(limit=2)] == ids[:-3:-1]


def test_list_counts_edits_and_current_decisions(store, revision_id):
    store.record_decision(revision_id, 0, "accept")
    store.record_decision(revision_id, 1, "accept")
    store.record_decision(revision_id, 1, "reject")  # replaces the accept above
    store.record_decision(revision_id, 2, "reject")
    store.record_rating(revision_id, 3)
    [summary] = store.list_revisions()
    assert (summary.edit_count, summary.accepted_count, summary.rejected_count) == (5, 1, 2)
    assert (summary.intentions, summary.rating) == (("clarity", "fluency"), 3)


def test_list_previews_the_source_on_one_short_line(store, record_sample):
    record_sample(source="A  long\nsource " * 20, edits=[])
    [summary] = store.list_revisions()
    assert summary.source_preview.startswith("A long source A long")
    assert len(summary.source_preview) <= 80
    assert summary.source_preview.endswith("…")


def test_list_of_an_empty_store_is_empty(store):
    assert store.list_revisions() == []


def test_list_rejects_a_limit_below_one(store):
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        store.list_revisions(limit=0)
