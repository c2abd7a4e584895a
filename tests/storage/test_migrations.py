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

from itune_core.suggestions import Suggestion
from storage import migrate
from storage.models import Base
from storage.store import Store, open_engine
from tests.storage.conftest import write_old_revision

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
    assert current_revision(engine) == head_revision() == "0006"


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


def _adapter_columns(engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("adapters")}


def _insert_old_adapter(engine) -> int:
    """An adapter as 0003's code wrote it (no parent), active, so other tables refer to it."""
    with engine.begin() as connection:
        adapter_id = connection.execute(
            sa.text(
                "INSERT INTO adapters (name, path, base_model, method, s_gen, lineage, "
                "metrics, feedback_revision_ids, created_at) VALUES ('old', '/runs/old', "
                "'m', 'lora', '[]', '{}', '{}', '[]', CURRENT_TIMESTAMP) RETURNING id"
            )
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO activations (adapter_id, action, created_at, scope) "
                "VALUES (:a, 'activate', CURRENT_TIMESTAMP, '')"
            ),
            {"a": adapter_id},
        )
    return adapter_id


def test_0004_adds_the_parent_and_keeps_the_adapters(db_url):
    from storage.registry import NewAdapter, Registry

    engine = open_engine(db_url)
    migrate.upgrade(engine, "0003")
    assert "parent_id" not in _adapter_columns(engine)
    old = _insert_old_adapter(engine)
    migrate.upgrade(engine)
    registry = Registry(engine)
    assert registry.get_adapter(old).parent_id is None
    assert registry.active_adapter().id == old
    child = registry.register_adapter(
        NewAdapter(name="child", path="/runs/child", base_model="m", method="lora", parent_id=old)
    )
    assert (child.parent_id, child.parent_name) == (old, "old")


def test_0004_downgrades_to_0003_keeping_the_adapters(db_url):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0003")
    old = _insert_old_adapter(engine)
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        migrate.lock_for_migration(connection)  # one transaction, as the alembic CLI runs it
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert current_revision(engine) == "0003"
    assert "parent_id" not in _adapter_columns(engine)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT name FROM adapters WHERE id = :i"), {"i": old})


def _edit_columns(engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("edits")}


def test_0005_adds_the_held_reason_and_keeps_the_edits(db_url, sample_args):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0004")
    assert "held_reason" not in _edit_columns(engine)
    old = write_old_revision(engine, sample_args)
    migrate.upgrade(engine)
    store = Store(engine)
    revision = store.get_revision(old)
    # Every edit written before is offered, as it was: applied unless rejected.
    assert revision.held == {}
    assert revision.edits == tuple(sample_args["edits"])
    assert revision.decisions[1].decision == "reject"
    kept = [e for k, e in enumerate(sample_args["edits"]) if k != 1]
    assert revision.applied() == kept


def test_0006_adds_what_held_an_edit_back_and_downgrades_to_0005(db_url, sample_args):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0005")
    assert "held_by" not in _edit_columns(engine)
    old = write_old_revision(engine, sample_args)
    migrate.upgrade(engine)
    assert "held_by" in _edit_columns(engine)
    assert Store(engine).get_revision(old).edits == tuple(sample_args["edits"])
    config = migrate.alembic_config()
    with engine.begin() as connection:
        migrate.lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert "held_by" not in _edit_columns(engine)


def test_0005_downgrades_to_0004_keeping_the_edits(db_url, sample_args):
    engine = open_engine(db_url)
    migrate.upgrade(engine)
    args = {**sample_args, "edits": sample_args["edits"][:3]}
    held = Suggestion(sample_args["edits"][3], "the model was unsure (margin 0.20 nats)")
    revision_id = Store(engine).record_revision(**args, suggestions=[held])
    config = migrate.alembic_config()
    with engine.begin() as connection:
        migrate.lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert current_revision(engine) == "0004"
    assert "held_reason" not in _edit_columns(engine)
    with engine.connect() as connection:
        count = connection.scalar(
            sa.text("SELECT count(*) FROM edits WHERE revision_id = :r"), {"r": revision_id}
        )
    assert count == 4
