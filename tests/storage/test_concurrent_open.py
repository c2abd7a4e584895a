"""Several processes opening one fresh database at the same moment (the app and its
training worker start together): each gets the migrated schema, none fails."""

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

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
