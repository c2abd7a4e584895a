"""Migration 0002 on a database that holds 0001 data: the new tables appear, the revisions,
edits and decisions already there stay as they were, and the store still reads them."""

import sqlalchemy as sa

from storage import migrate
from storage.store import Store, open_engine
from tests.storage.conftest import OLD_COLUMNS, write_old_revision


def _rows(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f"SELECT {columns} FROM {table} ORDER BY id")).all()
            for table, columns in OLD_COLUMNS.items()
        }


def test_0002_keeps_the_data_written_under_0001(db_url, sample_args):
    engine = open_engine(db_url)
    migrate.upgrade(engine, "0001")
    revision_id = write_old_revision(engine, sample_args)
    before = _rows(engine)
    assert "users" not in sa.inspect(engine).get_table_names()

    migrate.upgrade(engine)

    assert _rows(engine) == before
    assert {"users", "training_runs", "adapters"} <= set(sa.inspect(engine).get_table_names())
    assert Store(engine).get_revision(revision_id).decisions[1].reason == "unnecessary"
