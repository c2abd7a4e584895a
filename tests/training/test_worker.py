"""``python -m training.worker`` end to end on a tiny Llama: a queued run trains in the
worker process, its steps land in the database, its adapter is registered but not
activated; a cancelled run ends cancelled and changes nothing; a dead worker's run is
marked failed; a queued evaluation gets its report."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from itune_core.edits import compute_edits
from services.admin_records import adapter_view
from storage.evaluations import EvaluationStore
from storage.registry import NewAdapter, Registry
from storage.runs import RunStore
from storage.store import Store
from training.worker import Worker, check_job, submit_run

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good .", "The results are good.", "fluency"),
    ("We use a method that is new.", "We use a new method.", "clarity"),
    ("It rains. So we stay home.", "It rains, so we stay home.", "coherence"),
]


@pytest.fixture(scope="module")
def tiny_model(save_tiny_llama) -> Path:
    """A 2-block Llama saved with the embedded model's tokenizer (and chat template)."""
    return save_tiny_llama(2)


@pytest.fixture
def data_file(tmp_path) -> Path:
    path = tmp_path / "revisions.jsonl"
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in SENTENCES]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


def _job(tiny_model, data_file, **extra) -> dict:
    return {
        "method": "intention-tuning",
        "data": str(data_file),
        "model": str(tiny_model),
        "max_steps": 2,
        "batch_size": 2,
        "max_length": 96,
        "cpu": True,
        **extra,
    }


def _worker(db, tmp_path, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "training.worker",
            "--db",
            str(db.engine.url),
            "--runs-dir",
            str(tmp_path / "runs"),
            "--home",
            str(tmp_path / "home"),
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _registered_and_active(db) -> tuple[Registry, int]:
    registry = Registry(db.engine)
    live = registry.register_adapter(
        NewAdapter(name="live", path="/nowhere/live", base_model="m", method="lora")
    )
    registry.activate(live.id, by_user="ada")
    return registry, live.id


def _accepted_feedback(db) -> list[int]:
    """A revision per sentence pair, every edit labelled and accepted by the writer."""
    ids = []
    for before, after, label in SENTENCES:
        revision_id = db.record_revision(
            source=before,
            revised=after,
            intentions=[label],
            edits=compute_edits(before, after, intention=label),
            model="m",
            latency_ms=1.0,
        )
        db.record_decisions(revision_id, None, "accept")
        ids.append(revision_id)
    return ids


def _objects_with_a_path(value) -> list:
    if isinstance(value, dict):
        found = [value] if isinstance(value.get("path"), str) else []
        return found + [o for v in value.values() for o in _objects_with_a_path(v)]
    if isinstance(value, list | tuple):
        return [o for v in value for o in _objects_with_a_path(v)]
    return []


def test_worker_trains_a_queued_run_and_registers_its_adapter(db, tmp_path, tiny_model, data_file):
    runs = RunStore(db.engine)
    registry, live = _registered_and_active(db)
    feedback_ids = _accepted_feedback(db)
    job = _job(tiny_model, "feedback", name="tiny-it")  # train from the writers' feedback
    run_id = submit_run(runs, job, created_by="ada")
    evaluation_id = EvaluationStore(db.engine).enqueue_evaluation(
        baseline="copy", data=str(data_file), split="train"
    )

    worker = _worker(db, tmp_path, "--once")
    out, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, out

    run = runs.get_run(run_id)
    assert run.status == "succeeded", (run.error, out)
    assert run.progress == 1.0 and run.step == 4
    folder = Path(run.output_dir)
    logged = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    steps = runs.run_steps(run_id)
    assert [(s.stage, s.step) for s in steps] == [(e["stage"], e["step"]) for e in logged]
    assert [(s.stage, s.step) for s in steps] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert [s.loss for s in steps] == pytest.approx([e["loss"] for e in logged])
    assert any("Stage II" in line.line for line in runs.run_logs(run_id))

    adapter = registry.get_adapter_by_name("tiny-it")
    lineage = json.loads((folder / "lineage.json").read_text())
    assert adapter.run_id == run_id and adapter.path == str(folder)
    assert adapter.data_hash == lineage["data"]["sha256"]
    assert adapter.feedback_revision_ids == tuple(feedback_ids)
    edits = sum(len(compute_edits(before, after)) for before, after, _ in SENTENCES)
    assert lineage["data"]["examples"] == edits  # one line per accepted edit
    assert list(adapter.s_gen) == lineage["s_gen"]
    assert not adapter.active and registry.active_adapter().id == live

    evaluation = EvaluationStore(db.engine).get_evaluation(evaluation_id)
    assert evaluation.status == "succeeded", evaluation.error
    assert evaluation.report["metrics"]["n"] == len(SENTENCES)
    assert "examples" not in evaluation.report


def test_cancelled_run_ends_cancelled_and_changes_nothing(db, tmp_path, tiny_model, data_file):
    runs = RunStore(db.engine)
    registry, live = _registered_and_active(db)
    run_id = submit_run(runs, _job(tiny_model, data_file, method="lora", max_steps=5000))
    worker = _worker(db, tmp_path, "--once")
    try:
        deadline = time.monotonic() + 180
        while not runs.run_steps(run_id):
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.2)
        runs.request_cancel(run_id)
        out, _ = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, out
    run = runs.get_run(run_id)
    assert run.status == "cancelled"
    assert len(runs.run_steps(run_id)) < 5000
    assert not (tmp_path / "runs" / f"run-{run_id}").exists()
    assert [a.name for a in registry.list_adapters()] == ["live"]
    assert registry.active_adapter().id == live


def test_run_of_a_dead_worker_is_failed_when_a_worker_starts(db, tmp_path):
    runs = RunStore(db.engine)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    run_id = runs.enqueue_run({"method": "lora", "data": "x.jsonl"})
    runs.claim_next_run(worker_pid=int(gone.stdout))
    worker = Worker(db.engine, tmp_path / "runs", tmp_path / "home")
    assert worker.recover(timedelta(hours=1)) == [run_id]
    assert runs.get_run(run_id).status == "failed"


def test_a_bad_job_is_refused_before_it_is_queued(db):
    runs = RunStore(db.engine)
    with pytest.raises(ValueError, match="batch_size"):
        submit_run(runs, {"method": "lora", "data": "iterater-sent", "batch_size": 0})
    with pytest.raises(ValueError, match="unknown config keys: colour"):
        check_job({"method": "lora", "data": "iterater-sent", "colour": "red"})
    with pytest.raises(ValueError, match="edit_weight"):
        submit_run(runs, {"method": "lora", "data": "iterater-sent", "edit_weight": 0.5})
    assert runs.list_runs() == []
    assert check_job({"method": "lora", "data": "iterater-sent", "edit_weight": 3.0})


@pytest.mark.parametrize(
    ("key", "value"),
    [("max_steps", 10**9), ("batch_size", 10**6), ("max_length", 10**7), ("epochs", 10**5),
     ("stage1_steps", 10**9), ("lr", 50.0), ("edit_weight", 1e9)],
)  # fmt: skip
def test_a_job_past_sane_sizes_is_refused_with_the_limit(db, key, value):
    runs = RunStore(db.engine)
    with pytest.raises(ValueError, match=f"{key} must be at most"):
        submit_run(runs, {"method": "intention-tuning", "data": "iterater-sent", key: value})
    assert runs.list_runs() == []


def test_a_feedback_job_is_accepted():
    assert check_job({"method": "lora", "data": "feedback", "name": "fb"})["data"] == "feedback"


def test_a_feedback_run_from_a_registered_parent_replays_data_and_learns_rejections(
    db, tmp_path, tiny_model, data_file
):
    """In process: a parent trained by the worker, then a child on the feedback named by
    the parent's name, with replayed data and rejected edits as negatives."""
    runs, registry = RunStore(db.engine), Registry(db.engine)
    worker = Worker(db.engine, (tmp_path / "runs").resolve(), tmp_path / "home")
    parent_run = submit_run(runs, _job(tiny_model, data_file, method="lora", name="round-0"))
    assert worker.run_next() and runs.get_run(parent_run).status == "succeeded"
    parent = registry.get_adapter_by_name("round-0")
    assert parent.parent_id is None

    accepted = _accepted_feedback(db)
    source, revised = "The result are good .", "The results are good."
    rejected = db.record_revision(
        source=source,
        revised=revised,
        intentions=["fluency"],
        edits=compute_edits(source, revised, intention="fluency"),
        model="m",
        adapter="round-0",
        latency_ms=1.0,
    )
    db.record_decision(rejected, 0, "reject", reason="unnecessary")
    job = _job(tiny_model, "feedback", method="lora", name="round-1", parent="round-0")
    job.update(replay_data="iterater-sent", replay_limit=3, feedback_negatives=True)
    child_run = submit_run(runs, job)
    assert worker.run_next()
    run = runs.get_run(child_run)
    assert run.status == "succeeded", run.error

    child = registry.get_adapter_by_name("round-1")
    assert (child.parent_id, child.parent_name) == (parent.id, "round-0")
    assert child.lineage["parent"]["folder"] == str(Path(parent.path).resolve())
    # The registry's answers go to API clients, and gradio_client downloads any object
    # with a "path" as a file (the server refuses: the client fails).
    assert not _objects_with_a_path(adapter_view(child))
    assert set(child.feedback_revision_ids) == {*accepted, rejected}
    lines = (tmp_path / "runs" / f"run-{child_run}-feedback.jsonl").read_text().splitlines()
    kinds = [json.loads(line)["doc_id"].split("-")[:2] for line in lines]
    assert kinds.count(["feedback", "rejected"]) == 1
    assert sum(k[0] == "replay" for k in kinds) == 3
    log = [line.line for line in runs.run_logs(child_run)]
    assert any("1 rejected edits" in line and "3 replayed" in line for line in log)


def test_feedback_keys_and_parents_are_checked_before_queueing(db, tmp_path):
    with pytest.raises(ValueError, match="only a job on data: feedback"):
        check_job({"method": "lora", "data": "iterater-sent", "feedback_negatives": True})
    with pytest.raises(ValueError, match="replay_limit needs replay_data"):
        check_job({"method": "lora", "data": "feedback", "replay_limit": 3})
    with pytest.raises(ValueError, match="parent must be"):
        check_job({"method": "lora", "data": "feedback", "parent": True})
    with pytest.raises(ValueError, match="init_from"):
        check_job({"method": "lora", "data": "feedback", "init_from": str(tmp_path)})
    assert check_job({"method": "lora", "data": "feedback", "parent": "round-0"})["parent"]
