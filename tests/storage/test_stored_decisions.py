"""Decisions on edits: append-only history, the latest one current, validated before
anything is written, saved together with the final text, and durable across restarts."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from itune_core.errors import InvalidDecision
from storage.errors import RecordNotFound
from storage.records import Decision
from storage.store import Store


def test_decision_reads_back_as_the_current_decision(store, revision_id):
    recorded = store.record_decision(revision_id, 1, "accept")
    assert store.get_revision(revision_id).decisions == {1: recorded}


def test_rejection_keeps_its_reason_and_note(store, revision_id):
    store.record_decision(revision_id, 0, "reject", reason="unnecessary", note="keep it short")
    decision = store.get_revision(revision_id).decisions[0]
    assert (decision.decision, decision.reason, decision.note) == (
        "reject",
        "unnecessary",
        "keep it short",
    )


def test_latest_decision_wins(store, revision_id):
    store.record_decision(revision_id, 2, "accept")
    store.record_decision(revision_id, 2, "reject", reason="ungrammatical")
    store.record_decision(revision_id, 2, "accept", note="on second thought")
    decision = store.get_revision(revision_id).decisions[2]
    assert (decision.decision, decision.note) == ("accept", "on second thought")


def test_every_decision_is_kept_in_the_history(store, revision_id, count_rows):
    store.record_decision(revision_id, 2, "accept")
    store.record_decision(revision_id, 2, "reject")
    store.record_decision(revision_id, 3, "accept")
    assert count_rows("decisions") == 3


def test_undecided_edits_have_no_decision(store, revision_id):
    store.record_decision(revision_id, 4, "reject")
    assert set(store.get_revision(revision_id).decisions) == {4}


def test_decision_saves_the_final_text_it_leaves(store, revision_id):
    store.record_decision(revision_id, 0, "reject", final_text="The cat sat on the mat.")
    assert store.get_revision(revision_id).final_text == "The cat sat on the mat."


def test_decision_and_final_text_are_written_together_or_not_at_all(store, revision_id, snapshot):
    # Fail the second write statement of the transaction, whichever of the two it is.
    writes = []

    def fail_second_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes.append(statement)
            if len(writes) == 2:
                raise RuntimeError("disk full")

    before = snapshot()
    sa.event.listen(store.engine, "before_cursor_execute", fail_second_write)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            store.record_decision(revision_id, 0, "reject", final_text="changed")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", fail_second_write)
    assert len(writes) == 2
    assert snapshot() == before


def test_note_of_2000_characters_is_accepted(store, revision_id):
    store.record_decision(revision_id, 0, "accept", note="x" * 2000)
    assert len(store.get_revision(revision_id).decisions[0].note) == 2000


@pytest.mark.parametrize(
    ("decision", "reason", "note", "message"),
    [
        ("maybe", None, None, "decision must be one of accept, reject, got 'maybe'"),
        ("Accept", None, None, "decision must be one of accept, reject"),
        ("reject", "too-long", None, "reason must be one of .*got 'too-long'"),
        ("accept", "unnecessary", None, "a reason is only allowed when rejecting"),
        ("reject", None, "x" * 2001, "note must be at most 2000 characters, got 2001"),
    ],
)
def test_bad_decision_raises_and_writes_nothing(
    store, revision_id, snapshot, decision, reason, note, message
):
    before = snapshot()
    with pytest.raises(InvalidDecision, match=message):
        store.record_decision(revision_id, 0, decision, reason, note, final_text="changed")
    assert snapshot() == before


def test_decision_on_unknown_revision_raises_and_writes_nothing(store, revision_id, snapshot):
    before = snapshot()
    with pytest.raises(
        RecordNotFound, match=re.escape("revision 99 does not exist (asked for edit 0)")
    ):
        store.record_decision(99, 0, "accept")
    assert snapshot() == before


def test_decision_on_unknown_position_raises_and_writes_nothing(store, revision_id, snapshot):
    before = snapshot()
    message = re.escape(f"revision {revision_id} has no edit at position 5 (it has 5 edits)")
    with pytest.raises(RecordNotFound, match=message):
        store.record_decision(revision_id, 5, "accept", final_text="changed")
    assert snapshot() == before


def test_accept_all_decides_every_edit(store, revision_id):
    recorded = store.record_decisions(revision_id, None, "accept")
    decisions = store.get_revision(revision_id).decisions
    assert [d.position for d in recorded] == [0, 1, 2, 3, 4]
    assert {p: d.decision for p, d in decisions.items()} == dict.fromkeys(range(5), "accept")


def test_decisions_on_some_edits_leave_the_others_as_they_were(store, revision_id):
    store.record_decision(revision_id, 0, "accept")
    store.record_decisions(revision_id, [3, 1, 3], "reject")
    decisions = store.get_revision(revision_id).decisions
    assert {p: d.decision for p, d in decisions.items()} == {
        0: "accept",
        1: "reject",
        3: "reject",
    }


def test_repeated_positions_are_decided_once(store, revision_id, count_rows):
    recorded = store.record_decisions(revision_id, [3, 1, 3], "reject")
    assert [d.position for d in recorded] == [3, 1]
    assert count_rows("decisions") == 2


def test_reject_all_saves_the_final_text(store, revision_id, sample_args):
    store.record_decisions(revision_id, None, "reject", final_text=sample_args["source"])
    assert store.get_revision(revision_id).final_text == sample_args["source"]


def test_decisions_with_one_unknown_position_write_nothing(store, revision_id, snapshot):
    before = snapshot()
    with pytest.raises(
        RecordNotFound, match=re.escape("no edit at position(s) 7, 9 (it has 5 edits)")
    ):
        store.record_decisions(revision_id, [0, 7, 1, 9], "accept", final_text="changed")
    assert snapshot() == before


def test_bad_decision_for_all_edits_writes_nothing(store, revision_id, snapshot):
    before = snapshot()
    with pytest.raises(InvalidDecision):
        store.record_decisions(revision_id, None, "accept-all", final_text="changed")
    assert snapshot() == before


def test_decisions_on_unknown_revision_raise(store):
    with pytest.raises(RecordNotFound, match="revision 42 does not exist"):
        store.record_decisions(42, None, "accept")


def test_decision_survives_a_restart(store, db_url, revision_id):
    recorded = store.record_decision(revision_id, 3, "reject", reason="wrong-intention")
    # A second store on the same file, with the first never closed, as after a crash.
    reopened = Store.open(db_url)
    try:
        assert reopened.get_revision(revision_id).decisions == {3: recorded}
    finally:
        reopened.close()


def test_recorded_decision_is_a_plain_record(store, revision_id):
    recorded = store.record_decision(revision_id, 0, "accept")
    assert type(recorded) is Decision
    assert recorded.created_at.tzinfo is not None


def test_decisions_from_many_threads_all_land(store, revision_id, count_rows):
    # The web app serves several requests at once, each on its own pooled connection.
    def decide(worker: int) -> None:
        for step in range(10):
            store.record_decision(revision_id, (worker + step) % 5, "accept", final_text="t")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(decide, range(4)))
    assert count_rows("decisions") == 40
