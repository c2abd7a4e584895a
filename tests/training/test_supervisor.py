"""The app's training worker child: restarted after it dies, and a run it was training
when killed is marked failed without touching the active adapter."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.registry import NewAdapter, Registry
from storage.runs import RunStore
from storage.store import Store
from training.supervisor import WorkerSupervisor
from training.worker import submit_run

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def db(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


@pytest.fixture
def data_file(tmp_path) -> Path:
    path = tmp_path / "revisions.jsonl"
    rows = [
        {
            "before_sent": "He go to school.",
            "after_sent": "He goes to school.",
            "labels": "fluency",
        },
        {"before_sent": "It are good .", "after_sent": "It is good.", "labels": "fluency"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_killed_worker_is_restarted_and_its_run_marked_failed(
    db, tmp_path, save_tiny_llama, data_file
):
    registry = Registry(db.engine)
    live = registry.register_adapter(
        NewAdapter(name="live", path=str(tmp_path / "live"), base_model="m", method="lora")
    )
    registry.activate(live.id, by_user="admin")
    runs = RunStore(db.engine)
    job = {
        "method": "lora",
        "data": str(data_file),
        "model": str(save_tiny_llama(2)),
        "max_steps": 100_000,  # still training when it is killed
        "batch_size": 2,
        "max_length": 64,
        "cpu": True,
    }
    run_id = submit_run(runs, job, created_by="admin")
    supervisor = WorkerSupervisor(
        str(db.engine.url), tmp_path / "runs", tmp_path / "home", restart_delay=0.2
    ).start()
    try:
        wait_for(lambda: runs.get_run(run_id).step >= 1, what="the run's first step")
        first = supervisor.pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: supervisor.pid not in (None, first), what="a new worker")
        run = wait_for(
            lambda: (r := runs.get_run(run_id)).status == "failed" and r, what="the run failed"
        )
        assert supervisor.restarts == 1
        assert "worker" in (run.error or "").lower()
        assert registry.active_adapter().id == live.id
        assert registry.get_adapter_by_name("lora-run1") is None
    finally:
        supervisor.stop()
    assert supervisor.pid is None, "stopping the app stops its worker"


PARENT = """
import sys, time
from pathlib import Path
from training.supervisor import WorkerSupervisor

supervisor = WorkerSupervisor(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])).start()
while supervisor.pid is None:
    time.sleep(0.05)
print(supervisor.pid, flush=True)
time.sleep(600)
"""


def test_the_worker_stops_when_the_app_is_killed(db, tmp_path):
    app = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(db.engine.url), str(tmp_path / "runs"), str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker_pid = int(app.stdout.readline())
        assert alive(worker_pid)
        os.kill(app.pid, signal.SIGKILL)  # no chance to stop its child
        app.wait()
        wait_for(lambda: not alive(worker_pid), timeout=60, what="the orphaned worker to stop")
    finally:
        app.kill()
        app.wait()


def alive(pid: int) -> bool:
    """Running (a zombie, exited but not yet reaped by its new parent, counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_the_database_url_reaches_the_worker_through_its_environment_not_its_arguments(
    tmp_path, monkeypatch
):
    url = "postgresql+psycopg://itune:hunter2@db.internal/itune"
    seen = {}

    class Started:
        pid = 4242

        def __init__(self, args, **kwargs):
            seen["args"], seen["env"] = args, kwargs.get("env") or {}

    monkeypatch.setattr(subprocess, "Popen", Started)
    WorkerSupervisor(url, tmp_path / "runs", tmp_path)._spawn()
    assert not any("hunter2" in arg for arg in seen["args"])
    assert seen["env"]["ITUNE_DB_URL"] == url


def test_the_worker_gets_the_app_s_settings_for_it_on_top_of_the_app_s_environment(
    tmp_path, monkeypatch
):
    seen = {}

    class Started:
        pid = 4242

        def __init__(self, args, **kwargs):
            seen["env"] = kwargs.get("env") or {}

    monkeypatch.setattr(subprocess, "Popen", Started)
    monkeypatch.setenv("GOMP_SPINCOUNT", "10000")
    monkeypatch.setenv("ITUNE_MAX_BATCH", "8")
    overrides = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}
    WorkerSupervisor("sqlite://", tmp_path / "runs", tmp_path, env=overrides)._spawn()
    assert seen["env"]["OMP_WAIT_POLICY"] == "PASSIVE"
    assert seen["env"]["GOMP_SPINCOUNT"] == "0"
    assert seen["env"]["ITUNE_MAX_BATCH"] == "8"  # the rest as the app has it
