"""Faults tried from outside: the app killed with SIGKILL during a burst of decisions, a
locked or unreachable database, a corrupt adapter made active, a full queue.

Nothing acknowledged is lost, the database stays sound, every fault gets a one-line
message rather than a traceback, and the app keeps serving once the fault is gone.
The kill and start-up tests run ``python app.py`` as a child process (no training worker);
the others drive one in-process app, with a queue of one, over HTTP with gradio_client.
Killing the training worker is tests/training/test_supervisor.py's job.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError
from safetensors.torch import save_file
from torch import zeros

from itune_core.edits import compute_edits
from storage.registry import NewAdapter, Registry
from storage.store import Store
from tests.support import free_port

pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parents[1]
STARTUP_S = 240  # importing torch and Gradio on a busy 2-core machine
UNAVAILABLE = "the database is busy or unreachable; nothing was saved — try again"
SOURCE = "The cat sat on teh mat . It was happy and it go home yesterday"
REVISED = "The big cat sat on the mat. It was very happy and it went home yesterday."


def rows(db: Path, sql: str, *args) -> list[tuple]:
    with closing(sqlite3.connect(db)) as connection:  # sqlite3's own `with` leaves it open
        return connection.execute(sql, args).fetchall()


def record_revisions(store: Store, count: int) -> list[int]:
    """``count`` revisions of SOURCE with its edits, recorded without the model."""
    edits = compute_edits(SOURCE, REVISED, "fluency")
    return [
        store.record_revision(
            source=SOURCE,
            revised=REVISED,
            intentions=["fluency"],
            edits=edits,
            model="smollm2-135m-instruct",
            latency_ms=1.0,
        )
        for _ in range(count)
    ]


# --- the app as a child process --------------------------------------------------------


def app_env(home: Path, db_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ITUNE_", "GRADIO_"))}
    return {
        **env,
        "ITUNE_HOME": str(home),
        "ITUNE_DB_URL": db_url,
        "ITUNE_WORKER": "0",
        "GRADIO_SERVER_PORT": str(port),
    }


@contextmanager
def app_process(home: Path, db: Path, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """``python app.py`` on the SQLite file ``db``, serving; yields (process, base URL).
    Stopped with SIGTERM at the end unless the test killed it already."""
    port = free_port()
    with log.open("a") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=app_env(home, f"sqlite:///{db}", port),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill takes all of it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        yield process, base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def app_home(itune_home, tmp_path) -> Path:
    """An ITUNE_HOME of its own whose models/ is the session's converted embedded model."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(itune_home / "models", target_is_directory=True)
    return home


class DecisionBurst:
    """Threads, each with its own client and its own revision, sending /decide calls back
    to back; every call carries a unique note, kept once the call has returned."""

    def __init__(self, base: str, revision_ids: list[int], edits: int):
        self.clients = [Client(base + "/", verbose=False) for _ in revision_ids]
        self.revision_ids, self.edits = revision_ids, edits
        self.sent: set[str] = set()
        self.acknowledged: list[str] = []
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._send, args=(k,), daemon=True)
            for k in range(len(revision_ids))
        ]

    def _send(self, k: int) -> None:
        for i in range(100_000):
            note = f"thread {k} call {i}"
            decision = "accept" if (i // self.edits) % 2 == 0 else "reject"
            with self._lock:
                self.sent.add(note)
            job = self.clients[k].submit(
                self.revision_ids[k], i % self.edits, decision, None, note, api_name="/decide"
            )
            try:
                job.result(timeout=60)
            except Exception as err:  # the app is gone: this thread is done
                with self._lock:
                    self.failures.append(err)
                return
            with self._lock:
                self.acknowledged.append(note)

    def start(self) -> "DecisionBurst":
        for thread in self.threads:
            thread.start()
        return self

    def wait_for(self, acknowledged: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < acknowledged:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} acknowledged"
            assert not self.failures, self.failures
            time.sleep(0.05)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=90)
            assert not thread.is_alive(), "a client hung after the app was killed"


def test_kill_9_during_a_burst_of_decisions_loses_no_acknowledged_one(app_home, tmp_path):
    db, log = tmp_path / "itune.db", tmp_path / "app.log"
    store = Store.open(f"sqlite:///{db}")
    revision_ids = record_revisions(store, 4)
    edits = len(store.get_revision(revision_ids[0]).edits)
    store.close()

    with app_process(app_home, db, log) as (process, base):
        burst = DecisionBurst(base, revision_ids, edits).start()
        burst.wait_for(acknowledged=40, timeout=120)
        os.killpg(process.pid, signal.SIGKILL)  # mid-burst: calls are in flight
        process.wait()
        burst.join()
    assert len(burst.failures) == len(revision_ids)  # every thread had a call cut off
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    with app_process(app_home, db, log) as (_, base):
        stored = {note for (note,) in rows(db, "SELECT note FROM decisions")}
        lost = set(burst.acknowledged) - stored
        assert not lost, f"{len(lost)} of {len(burst.acknowledged)} acknowledged lost"
        assert stored <= burst.sent
        client = Client(base + "/", verbose=False)
        for revision_id in revision_ids:
            view = client.predict(revision_id, api_name="/get_revision")
            latest = dict(
                rows(
                    db,
                    "SELECT e.position, d.decision FROM decisions d JOIN edits e "
                    "ON e.id = d.edit_id WHERE d.id IN (SELECT max(d2.id) FROM decisions d2 "
                    "JOIN edits e2 ON e2.id = d2.edit_id WHERE e2.revision_id = ? "
                    "GROUP BY d2.edit_id)",
                    revision_id,
                )
            )
            statuses = {e["position"]: e["status"] for e in view["edits"]}
            assert statuses == {
                k: {"accept": "accepted", "reject": "rejected"}.get(latest.get(k), "pending")
                for k in range(edits)
            }
            final = rows(db, "SELECT final_text FROM revisions WHERE id=?", revision_id)
            assert final == [(view["final_text"],)]
        client.close()


@pytest.mark.parametrize("where", ["postgresql, closed port", "sqlite, under a file"])
def test_starting_on_an_unreachable_database_exits_with_one_line(app_home, tmp_path, where):
    if where.startswith("postgresql"):
        url = f"postgresql+psycopg://itune@127.0.0.1:{free_port()}/itune"
    else:
        # Not a read-only folder: the tests may run as root, who can write anywhere.
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        url = f"sqlite:///{blocker / 'data' / 'itune.db'}"
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=app_env(app_home, url, free_port()),
        capture_output=True,
        text=True,
        timeout=STARTUP_S,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {UNAVAILABLE} ("), done.stderr
    assert done.stderr.rstrip().endswith(errors[0])  # the last word, alone on its line


# --- one app in-process, with a queue of one -------------------------------------------


@pytest.fixture(scope="module")
def running(itune_home, tmp_path_factory):
    """The app in-process on the embedded model with ITUNE_QUEUE_SIZE=1 and no batching
    (one revision runs at a time, so the queue of one fills whatever the timing: with
    batching, 32 revisions run at once and five would wait only by a race); yields
    ``(base URL, client, studio, database file)``."""
    from app import Settings, build_app

    db = tmp_path_factory.mktemp("faults") / "app.db"
    settings = Settings(
        home=itune_home,
        db_url=f"sqlite:///{db}",
        dtype="float32",
        max_chars=2000,
        queue_size=1,
        max_batch=1,
        server_port=0,
    )
    blocks, studio, slot = build_app(settings)
    port = free_port()
    blocks.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    slot.get(timeout=180)
    base = f"http://127.0.0.1:{port}"
    client = Client(base + "/", verbose=False)
    yield base, client, studio, db
    client.close()
    blocks.close()


def counts(db: Path) -> tuple[int, int, int]:
    """How many revisions, edits and decisions the database holds."""
    return tuple(
        rows(db, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("revisions", "edits", "decisions")
    )


@contextmanager
def exclusive_lock(db: Path) -> Iterator[None]:
    """Another connection holding the SQLite file's write lock (longer than the app's 5 s
    busy timeout, as long as the block runs)."""
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def test_a_locked_database_refuses_a_decision_with_a_message_then_recovers(running):
    _, client, studio, db = running
    (revision_id,) = record_revisions(studio.store, 1)
    before = counts(db)
    with exclusive_lock(db):
        with pytest.raises(AppError, match=UNAVAILABLE):
            client.predict(revision_id, 0, "reject", "unnecessary", None, api_name="/decide")
        assert counts(db) == before  # WAL: reading goes on under the writer's lock
    view = client.predict(revision_id, 0, "reject", "unnecessary", None, api_name="/decide")
    assert view["edits"][0]["status"] == "rejected"
    assert counts(db) == (before[0], before[1], before[2] + 1)


def test_a_locked_database_refuses_a_revision_and_stores_none_of_it(running):
    _, client, _, db = running
    before = counts(db)
    with exclusive_lock(db):
        with pytest.raises(AppError, match=UNAVAILABLE):
            client.predict("He go to school.", ["fluency"], api_name="/revise")
    assert counts(db) == before  # no revision row, no orphan edits


@contextmanager
def locked_out(db: Path, store: Store) -> Iterator[None]:
    """Another connection holding the SQLite file for itself: WAL's exclusive locking
    mode, in which no one else may even read."""
    store.engine.dispose()  # the app's idle connections would keep the lock from being taken
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.close()  # releases every lock it held


def test_a_database_locked_even_for_reading_gives_messages_then_recovers(running):
    _, client, studio, db = running
    (revision_id,) = record_revisions(studio.store, 1)
    with locked_out(db, studio.store):
        with pytest.raises(AppError, match=UNAVAILABLE):
            client.predict(revision_id, api_name="/get_revision")
        with pytest.raises(AppError, match=UNAVAILABLE):
            client.predict(50, api_name="/history")
    assert client.predict(revision_id, api_name="/get_revision")["revision_id"] == revision_id
    assert client.predict(50, api_name="/history")[0]["revision_id"] == revision_id


def write_adapter(folder: Path, fault: str) -> Path:
    """A LoRA adapter folder broken in one way: ``truncated`` weights or a ``bad config``."""
    folder.mkdir(parents=True)
    weights = folder / "adapter_model.safetensors"
    name = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
    save_file({name: zeros(4, 576)}, str(weights))
    config = '{"peft_type": "LORA", "r": 4, "target_modules": ["q_proj"]}'
    if fault == "truncated":
        weights.write_bytes(weights.read_bytes()[:40])  # cut inside the header
    else:
        config = config[:-10]
    (folder / "adapter_config.json").write_text(config)
    return folder


@pytest.mark.parametrize("fault", ["truncated", "bad config"])
def test_a_corrupt_active_adapter_is_named_and_the_base_model_serves_again(
    running, tmp_path, fault
):
    _, client, studio, db = running
    name = f"broken-{fault.replace(' ', '-')}"
    registry = Registry(studio.store.engine)
    adapter = registry.register_adapter(
        NewAdapter(
            name=name,
            path=str(write_adapter(tmp_path / name, fault)),
            base_model="smollm2-135m-instruct",
            method="lora",
        )
    )
    registry.activate(adapter.id, by_user="admin")
    before = counts(db)
    with pytest.raises(AppError, match=f"adapter '{name}' cannot be served"):
        client.predict("He go to school.", ["fluency"], api_name="/revise")
    assert counts(db) == before

    registry.activate(None, by_user="admin")  # the admin puts the base model back
    view = client.predict("He go to school.", ["fluency"], api_name="/revise")[0]
    assert view["adapter"] is None
    assert rows(db, "SELECT adapter_name FROM revisions WHERE id=?", view["revision_id"]) == [
        (None,)
    ]


def test_a_full_queue_refuses_the_extra_revisions_and_serves_the_rest(running):
    base, _, _, db = running
    texts = [f"Request {k}: he go to school." for k in range(5)]
    clients = [Client(base + "/", verbose=False) for _ in texts]
    start = threading.Barrier(len(texts))
    results: dict[int, object] = {}

    def send(k: int) -> None:
        start.wait()
        try:
            results[k] = clients[k].predict(texts[k], ["fluency"], api_name="/revise")[0]
        except Exception as err:  # kept and checked below
            results[k] = err

    threads = [threading.Thread(target=send, args=(k,)) for k in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for each in clients:
        each.close()

    served = {k: r for k, r in results.items() if isinstance(r, dict)}
    refused = {k: r for k, r in results.items() if isinstance(r, QueueError)}
    assert len(served) + len(refused) == len(texts), results  # no other outcome
    assert served and refused, results
    assert all("Queue is full" in str(err) for err in refused.values())
    stored = rows(
        db,
        f"SELECT id, source_text FROM revisions WHERE source_text IN ({','.join('?' * 5)})",
        *texts,
    )
    assert sorted(stored) == sorted((v["revision_id"], texts[k]) for k, v in served.items())
