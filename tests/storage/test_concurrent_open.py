"""Several processes opening one fresh database at the same moment (the app and its
training worker start together): each gets the migrated schema, none fails."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import store as store_module
from storage.store import open_engine

ROOT = Path(__file__).resolve().parents[2]
# Says "ready" once imported, then opens the store when told to go: the opens coincide.
OPEN_ON_GO = """
import sys
from storage.store import Store
print("ready", flush=True)
sys.stdin.readline()
Store.open(sys.argv[1]).close()
"""


def test_processes_opening_a_fresh_database_at_once_all_get_the_schema(db_url):
    # Processes, not threads: Alembic's `op` and `context` are module-wide proxies.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_ON_GO, db_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        assert process.stdout.readline() == "ready\n"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], "\n".join(outputs)
    engine = open_engine(db_url)
    assert "revisions" in sa.inspect(engine).get_table_names()
    engine.dispose()


def _locked_error(code: int) -> sa.exc.OperationalError:
    original = sqlite3.OperationalError("database is locked")
    original.sqlite_errorcode = code
    return sa.exc.OperationalError("PRAGMA journal_mode=WAL", {}, original)


def test_opening_waits_while_another_process_holds_the_lock_and_no_longer(monkeypatch, tmp_path):
    tries = []

    def upgrade(engine):
        tries.append(1)
        if len(tries) < 3:
            raise _locked_error(5)  # SQLITE_BUSY: another process is migrating

    monkeypatch.setattr(store_module.migrate, "upgrade", upgrade)
    monkeypatch.setattr(store_module.time, "sleep", lambda s: None)
    store_module.Store.open(f"sqlite:///{tmp_path / 'a.db'}").close()
    assert len(tries) == 3

    def broken(engine):
        raise _locked_error(10)  # SQLITE_IOERR: not a lock, not worth waiting for

    monkeypatch.setattr(store_module.migrate, "upgrade", broken)
    with pytest.raises(sa.exc.OperationalError):
        store_module.Store.open(f"sqlite:///{tmp_path / 'b.db'}")
