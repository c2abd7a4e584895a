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
