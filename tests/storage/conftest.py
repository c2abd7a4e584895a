"""Fixtures for the storage tests: a migrated store on a fresh database, a sample revision
recorded in it, and a snapshot of what a failed call must leave unchanged.

Every test that uses ``db_url`` (and so ``store``) runs twice: on a temporary SQLite file
and in a fresh schema of a throwaway PostgreSQL server that this file starts once per
session with ``initdb`` and ``pg_ctl`` (Debian package ``postgresql``; ``.ci/run`` installs
it). Modules named ``test_sqlite_*.py`` test SQLite itself and run on SQLite only.
"""

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from glob import glob
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from itune_core.edits import compute_edits
from storage.store import Store

SOURCE = "The cat sat on teh mat . It was happy"
REVISED = "The big cat sat on the mat. It was very happy."
BACKENDS = ("sqlite", "postgresql")
PG_USER = "itune"
PG_INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found, and the storage tests run on a "
    "real PostgreSQL server as well as SQLite. Install them: `apt-get install postgresql` "
    "(Debian/Ubuntu; `.ci/run` does this), `brew install postgresql` (macOS), or put the "
    "folder holding initdb on PATH."
)


def postgres_bindir() -> Path | None:
    """The folder holding the server's initdb and pg_ctl, or None if there is none.

    Looks where ``pg_config --bindir`` says, then in Debian's /usr/lib/postgresql/*/bin
    (newest first), then next to an ``initdb`` on PATH.
    """
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        # Debian's pg_config comes with libpq-dev and names the bin folder even when the
        # server package is missing, so every candidate is checked for the programs.
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))

    def major(folder: Path) -> int:
        return int(folder.parent.name) if folder.parent.name.isdigit() else 0

    candidates += sorted(map(Path, glob("/usr/lib/postgresql/*/bin")), key=major, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _server_account() -> dict:
    """subprocess arguments that run the server as a non-root user when we are root:
    postgres refuses to start as root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):  # the Debian package creates "postgres"
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    pytest.fail("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL")


@dataclass
class PostgresServer:
    """A running throwaway PostgreSQL cluster, reached over a Unix socket in ``socket_dir``."""

    socket_dir: Path
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def url(self, schema: str | None = None, **settings: str) -> str:
        """The SQLAlchemy URL (psycopg 3 driver) of the cluster's ``postgres`` database:
        ``schema`` first on the search path when given, and any server ``settings`` (such
        as ``timezone="Asia/Tokyo"``) set on every connection."""
        if schema:
            settings = {"search_path": schema, **settings}
        options = "%20".join(f"-c{name}%3D{value}" for name, value in settings.items())
        url = f"postgresql+psycopg://{PG_USER}@/postgres?host={self.socket_dir}"
        return f"{url}&options={options}" if options else url

    def fresh_url(self, **settings: str) -> str:
        """The URL of a new, empty schema (to the store, a database of its own), with any
        server ``settings`` as in ``url``."""
        # A schema, not a database: CREATE DATABASE copies ~8 MB and takes a quarter of a
        # second per test; a schema is instant, and tables, types and Alembic's version
        # table all land in the first schema on the search path.
        name = f"test_{next(self._ids)}"
        admin = sa.create_engine(self.url(), poolclass=NullPool)
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        finally:
            admin.dispose()
        return self.url(name, **settings)


def _run_or_fail(argv: list, what: str, log: Path | None = None, **kwargs) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        server_log = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}{server_log}")


OWNER_FILE = "owner.pid"  # the pytest process that started the server in this folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_orphans(bindir: Path, account: dict, base: Path | None = None) -> list[Path]:
    """Stop and delete the servers of earlier runs whose pytest is gone (killed with -9,
    it never reached its clean-up); returns their folders."""
    stopped = []
    for folder in Path(base or tempfile.gettempdir()).glob("itune-pg-*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or still being set up by a live run
        if _alive(owner):
            continue
        data = folder / "data"
        if (data / "postmaster.pid").exists():
            stop = [bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
            subprocess.run(stop, capture_output=True, cwd=folder, **account)
        shutil.rmtree(folder, ignore_errors=True)
        stopped.append(folder)
    return stopped


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own for the whole session, stopped and deleted at the end.

    Fails (never skips) with how to install the server when its programs are missing.
    """
    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail(PG_INSTALL_HINT)
    account = _server_account()
    stop_orphans(bindir, account)
    # Not pytest's tmp_path: its base folder is private to the user running pytest, and the
    # server may run as another user. A short path also keeps the socket's name under the
    # 107-byte limit of Unix socket paths.
    folder = Path(tempfile.mkdtemp(prefix="itune-pg-"))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    data, log = folder / "data", folder / "server.log"
    run = dict(cwd=folder, **account)  # cwd: the server's user may not enter ours
    try:
        if account:
            os.chown(folder, account["user"], account["group"])
        initdb = [bindir / "initdb", "-D", data, "-U", PG_USER, "--auth=trust"]
        _run_or_fail([*initdb, "-E", "UTF8", "--no-locale", "--no-sync"], "initdb", **run)
        # A Unix socket only, so no TCP port can collide with another run on this machine;
        # durability off, since the cluster is thrown away and tests run faster without it.
        options = (
            f"-c listen_addresses='' -k {folder} -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200"
        )
        start = [bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60"]
        _run_or_fail([*start, "start"], "pg_ctl start", log, **run)
        yield PostgresServer(socket_dir=folder)
    finally:
        if (data / "postmaster.pid").exists():  # also after a start that timed out
            stop = [bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
            subprocess.run(stop, capture_output=True, **run)
        shutil.rmtree(folder, ignore_errors=True)


def pytest_generate_tests(metafunc):
    """Run every test that needs a database once per back end."""
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.path.name.startswith("test_sqlite_")
        metafunc.parametrize("backend", ["sqlite"] if sqlite_only else BACKENDS)


@pytest.fixture
def db_url(request, backend, tmp_path) -> str:
    """The URL of a fresh, empty database on ``backend`` (not migrated yet)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'itune.db'}"
    return request.getfixturevalue("postgres_server").fresh_url()


def sample_edits():
    """The five edits from SOURCE to REVISED, labelled with varied intentions."""
    labels = [("clarity", 0.9), ("fluency", 0.8), ("fluency", None), ("style", 0.55), (None, None)]
    edits = compute_edits(SOURCE, REVISED)
    return [
        replace(edit, intention=intention, confidence=confidence)
        for edit, (intention, confidence) in zip(edits, labels, strict=True)
    ]


@pytest.fixture
def store(db_url):
    store = Store.open(db_url)
    yield store
    store.close()


@pytest.fixture
def sample_args():
    """The arguments of record_revision for the sample revision (five edits)."""
    return dict(
        source=SOURCE,
        revised=REVISED,
        intentions=["clarity", "fluency"],
        edits=sample_edits(),
        model="SmolLM2-135M-Instruct",
        adapter="fluency-lora",
        latency_ms=123.5,
        generated_tokens=17,
        session_id="session-a",
        user="ada",
    )


@pytest.fixture
def record_sample(store, sample_args):
    """Record the sample revision, with any argument overridden; returns its id."""

    def record(**overrides) -> int:
        return store.record_revision(**{**sample_args, **overrides})

    return record


@pytest.fixture
def revision_id(record_sample):
    return record_sample()


@pytest.fixture
def count_rows(store):
    def count(table: str) -> int:
        with store.engine.connect() as connection:
            return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))

    return count


@pytest.fixture
def snapshot(store):
    """Everything a failed call must leave as it was: every row of every table."""

    def take() -> dict[str, list]:
        with store.engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
                for table in ("revisions", "edits", "decisions")
            }

    return take


# The columns of the revision tables as migration 0001 made them: a test of a later
# migration writes and compares these, as a database of that time held them (the store's
# models describe the newest schema, which an old database lacks).
OLD_COLUMNS = {
    "revisions": (
        "id, created_at, session_id, user_name, source_text, intentions, model_name,"
        " adapter_name, revised_text, latency_ms, generated_tokens, final_text, rating,"
        " rated_at, parent_id"
    ),
    "edits": (
        'id, revision_id, position, type, "before", "after", start_char_pos, end_char_pos,'
        " intention, confidence"
    ),
    "decisions": "id, edit_id, decision, reason, note, created_at",
}


def write_old_revision(engine, args: dict) -> int:
    """The sample revision (``sample_args``) written in the columns of migration 0001, with
    its second edit rejected as unnecessary; returns its id."""
    import json
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with engine.begin() as connection:
        revision_id = connection.execute(
            sa.text(
                "INSERT INTO revisions (created_at, session_id, user_name, source_text,"
                " intentions, model_name, adapter_name, revised_text, latency_ms,"
                " generated_tokens, final_text) VALUES (:now, :session, :user, :source,"
                " :intentions, :model, :adapter, :revised, :latency, :tokens, :revised)"
                " RETURNING id"
            ),
            {
                "now": now,
                "session": args["session_id"],
                "user": args["user"],
                "source": args["source"],
                "intentions": json.dumps(args["intentions"]),
                "model": args["model"],
                "adapter": args["adapter"],
                "revised": args["revised"],
                "latency": args["latency_ms"],
                "tokens": args["generated_tokens"],
            },
        ).scalar_one()
        edit_ids = [
            connection.execute(
                sa.text(
                    'INSERT INTO edits (revision_id, position, type, "before", "after",'
                    " start_char_pos, end_char_pos, intention, confidence) VALUES (:r, :k,"
                    " :type, :before, :after, :start, :end, :intention, :confidence)"
                    " RETURNING id"
                ),
                {
                    "r": revision_id,
                    "k": k,
                    "type": e.type,
                    "before": e.before,
                    "after": e.after,
                    "start": e.start_char_pos,
                    "end": e.end_char_pos,
                    "intention": e.intention,
                    "confidence": e.confidence,
                },
            ).scalar_one()
            for k, e in enumerate(args["edits"])
        ]
        connection.execute(
            sa.text(
                "INSERT INTO decisions (edit_id, decision, reason, created_at)"
                " VALUES (:e, 'reject', 'unnecessary', :now)"
            ),
            {"e": edit_ids[1], "now": now},
        )
    return revision_id
