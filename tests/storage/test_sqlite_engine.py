"""open_engine: SQLite connections set up for a web app with several threads and writers."""

import sqlite3

import pytest
import sqlalchemy as sa

from storage.store import open_engine


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000), ("synchronous", 1)],
)
def test_sqlite_pragma_is_set_on_every_new_connection(db_url, pragma, expected):
    engine = open_engine(db_url)
    with engine.connect() as first, engine.connect() as second:
        assert first.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
        assert second.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_wal_mode_is_kept_in_the_file(store, tmp_path):
    # Any other reader of the file (a backup script, the sqlite3 shell) sees WAL too.
    with sqlite3.connect(tmp_path / "itune.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_engine_creates_the_missing_parent_folder(tmp_path):
    path = tmp_path / "data-local" / "nested" / "itune.db"
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    assert path.exists()


def test_foreign_keys_are_enforced(store):
    insert = sa.text(
        "INSERT INTO edits (revision_id, position, type, before, after, start_char_pos,"
        " end_char_pos) VALUES (999, 0, 'A', '', 'x', 0, 0)"
    )
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
        connection.execute(insert)
