"""The Alembic migrations: they build the schema the models describe, on a fresh file,
from code and from the alembic CLI."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage import migrate
from storage.models import Base
from storage.store import open_engine

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "revisions",
    "edits",
    "decisions",
    "users",
    "training_runs",
    "run_steps",
    "run_logs",
    "adapters",
    "activations",
    "evaluations",
}


def head_revision() -> str:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_creates_the_tables_on_a_fresh_file(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_upgrade_stamps_the_latest_migration(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine)
    assert current_revision(engine) == head_revision() == "0003"


def test_upgrade_again_keeps_the_data(store, revision_id):
    migrate.upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    assert store.get_revision(revision_id).id == revision_id


def test_migrated_schema_matches_the_models(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_drops_the_tables(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    assert current_revision(engine) is None


def test_alembic_cli_migrates_the_database_named_by_itune_db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli' / 'itune.db'}"
    env = {**os.environ, "ITUNE_DB_URL": url}
    # Run from elsewhere, as an operator would, to show the ini finds its own folder.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(ROOT / "storage" / "alembic.ini"),
            "upgrade",
            "head",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    assert current_revision(open_engine(url)) == head_revision()
