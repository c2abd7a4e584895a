"""The training-run queue: atomic claims, steps and progress, cancel, stale-run recovery."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from storage.errors import InvalidState, RecordNotFound
from storage.runs import RunStore
from storage.store import Store

CONFIG = {"method": "lora", "data": "iterater-sent", "max_steps": 3}


@pytest.fixture
def runs(store):
    return RunStore(store.engine)


def _step(runs, run_id, step, progress=0.5):
    return runs.record_step(
        run_id,
        stage=2,
        step=step,
        loss=1.5,
        selected=[0, 2],
        norms={0: 0.25, 2: 0.5},
        progress=progress,
        total_steps=2,
    )


def test_enqueued_run_is_queued_with_its_config(runs):
    run = runs.get_run(runs.enqueue_run(CONFIG, created_by="ada"))
    assert (run.status, run.config, run.created_by, run.progress) == ("queued", CONFIG, "ada", 0.0)


def test_claim_takes_the_oldest_queued_run_and_marks_it_running(runs):
    first, second = runs.enqueue_run(CONFIG), runs.enqueue_run(CONFIG)
    claimed = runs.claim_next_run(worker_pid=4242)
    assert (claimed.id, claimed.status, claimed.worker_pid) == (first, "running", 4242)
    assert runs.claim_next_run(worker_pid=4243).id == second
    assert runs.claim_next_run(worker_pid=4244) is None


def test_two_claimers_never_get_the_same_run(db_url):
    stores = [Store.open(db_url) for _ in range(4)]
    queues = [RunStore(s.engine) for s in stores]
    ids = {queues[0].enqueue_run(CONFIG) for _ in range(12)}

    def drain(queue):
        got = []
        while (run := queue.claim_next_run(worker_pid=1)) is not None:
            got.append(run.id)
        return got

    with ThreadPoolExecutor(4) as pool:
        claimed = [run_id for got in pool.map(drain, queues) for run_id in got]
    assert sorted(claimed) == sorted(ids)  # every run once, none twice
    for s in stores:
        s.close()


def test_steps_are_stored_in_order_with_progress(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(1)
    _step(runs, run_id, 1, 0.5)
    _step(runs, run_id, 2, 1.0)
    steps = runs.run_steps(run_id)
    assert [(s.stage, s.step, s.selected) for s in steps] == [(2, 1, (0, 2)), (2, 2, (0, 2))]
    assert steps[0].norms == {"0": 0.25, "2": 0.5}
    run = runs.get_run(run_id)
    assert (run.step, run.progress, run.total_steps) == (2, 1.0, 2)


def test_diverged_loss_is_stored_as_null(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(1)
    runs.record_step(run_id, stage=2, step=1, loss=float("nan"), selected=[], norms={}, progress=0)
    assert runs.run_steps(run_id)[0].loss is None


def test_cancelling_a_queued_run_ends_it_at_once(runs):
    run_id = runs.enqueue_run(CONFIG)
    assert runs.request_cancel(run_id).status == "cancelled"
    assert runs.claim_next_run(1) is None


def test_cancelling_a_running_run_is_seen_at_the_next_step(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(1)
    assert _step(runs, run_id, 1) is False
    assert runs.request_cancel(run_id).status == "running"
    assert _step(runs, run_id, 2) is True
    assert runs.finish_run(run_id, "cancelled").status == "cancelled"


def test_a_finished_run_cannot_be_cancelled_or_finished_again(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(1)
    runs.finish_run(run_id, "failed", error="boom")
    with pytest.raises(InvalidState, match="already failed"):
        runs.request_cancel(run_id)
    with pytest.raises(InvalidState):
        runs.finish_run(run_id, "succeeded")


def test_a_failed_run_keeps_its_error_in_the_log(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(1)
    runs.append_log(run_id, "Stage II: 3 steps")
    runs.finish_run(run_id, "failed", error="DataError: bad line 3")
    assert runs.get_run(run_id).error == "DataError: bad line 3"
    assert [line.line for line in runs.run_logs(run_id)] == [
        "Stage II: 3 steps",
        "error: DataError: bad line 3",
    ]


def test_log_lines_after_an_id_are_only_the_newer_ones(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.append_log(run_id, "one")
    first = runs.run_logs(run_id)[0].id
    runs.append_log(run_id, "two")
    assert [line.line for line in runs.run_logs(run_id, after_id=first)] == ["two"]


def test_unknown_run_is_reported(runs):
    with pytest.raises(RecordNotFound, match="training run 99"):
        runs.get_run(99)


def test_run_of_a_dead_worker_is_marked_failed(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(worker_pid=999_999)
    failed = runs.fail_stale_runs(stale_after=timedelta(hours=1), is_alive=lambda pid: False)
    assert failed == [run_id]
    run = runs.get_run(run_id)
    assert run.status == "failed" and "died" in run.error


def test_silent_run_is_marked_failed_and_a_live_one_is_kept(runs):
    run_id = runs.enqueue_run(CONFIG)
    runs.claim_next_run(worker_pid=1)
    assert runs.fail_stale_runs(stale_after=timedelta(hours=1), is_alive=lambda pid: True) == []
    assert runs.get_run(run_id).status == "running"
    assert runs.fail_stale_runs(stale_after=timedelta(seconds=-1)) == [run_id]
    assert "no heartbeat" in runs.get_run(run_id).error
