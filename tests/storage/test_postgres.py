"""The store on PostgreSQL: what the parametrized tests' SQLite runs cannot show."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage import migrate
from storage.store import Store, open_engine

ROOT = Path(__file__).resolve().parents[2]


def test_alembic_cli_migrates_a_postgresql_database_named_by_itune_db_url(
    postgres_server, tmp_path
):
    url = postgres_server.fresh_url()
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "storage" / "alembic.ini")]
    subprocess.run(
        [*alembic, "upgrade", "head"],
        cwd=tmp_path,
        env={**os.environ, "ITUNE_DB_URL": url},
        check=True,
        capture_output=True,
    )
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    engine = open_engine(url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    engine.dispose()


def test_times_read_back_in_utc_whatever_the_server_time_zone(postgres_server, sample_args):
    # PostgreSQL hands timestamps back in the session's time zone; records promise UTC.
    store = Store.open(postgres_server.fresh_url(timezone="Asia/Tokyo"))
    before = datetime.now(UTC)
    revision_id = store.record_revision(**sample_args)
    store.record_decision(revision_id, 0, "accept")
    after = datetime.now(UTC)
    stored = store.get_revision(revision_id)
    store.close()
    for moment in (stored.created_at, stored.decisions[0].created_at):
        assert moment.tzinfo == UTC
        assert before <= moment <= after


def test_a_server_left_by_a_killed_run_is_stopped_by_the_next():
    """A pytest killed with -9 leaves its server running: the next run stops it."""
    import shutil
    import tempfile

    # Not tmp_path: the server's user must be able to enter the folder.
    tmp_path = Path(tempfile.mkdtemp(prefix="itune-orphan-test-"))

    from tests.storage.conftest import OWNER_FILE, _server_account, postgres_bindir, stop_orphans

    bindir, account = postgres_bindir(), _server_account()
    folder = tmp_path / "itune-pg-orphan"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (folder / OWNER_FILE).write_text(dead)
    data = folder / "data"
    if account:
        shutil.chown(tmp_path, account["user"], account["group"])
        shutil.chown(folder, account["user"], account["group"])
    run = dict(cwd=folder, capture_output=True, check=True, **account)
    subprocess.run([bindir / "initdb", "-D", data, "-U", "itune", "--auth=trust", "--no-sync"],
                   **run)  # fmt: skip
    options = f"-c listen_addresses='' -k {folder} -c fsync=off"
    subprocess.run([bindir / "pg_ctl", "-D", data, "-o", options, "-w", "start",
                    "-l", folder / "log"], **run)  # fmt: skip
    pid = int((data / "postmaster.pid").read_text().split()[0])
    live = tmp_path / "itune-pg-live"  # a run still going is left alone
    live.mkdir()
    (live / OWNER_FILE).write_text(str(os.getpid()))
    assert stop_orphans(bindir, account, base=tmp_path) == [folder]
    assert not folder.exists() and live.exists()
    stat = Path(f"/proc/{pid}/stat")
    # Gone, or a zombie waiting for a parent that does not reap (a container's init).
    assert not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z"
    shutil.rmtree(tmp_path, ignore_errors=True)
