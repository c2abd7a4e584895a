"""open_engine: SQLite connections set up for a web app with several threads and writers."""

import os
import sqlite3
import stat
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from storage.store import Store, open_engine


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


def test_a_new_database_file_is_private_to_the_service_user(tmp_path):
    path = tmp_path / "data" / "itune.db"
    old = os.umask(0o022)  # the usual umask, which leaves new files world-readable
    try:
        store = Store.open(f"sqlite:///{path}")
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_feedback_export_is_private_to_the_service_user(tmp_path):
    from training.feedback import export_feedback

    class Accepted:
        def accepted_edits(self, intentions=None):
            from itune_core.edits import compute_edits
            from storage.feedback import AcceptedEdit

            (edit,) = compute_edits("He go home.", "He goes home.", "fluency")
            return [AcceptedEdit(1, 0, "He go home.", edit, None, datetime.now(UTC))]

    old = os.umask(0o022)
    try:
        export = export_feedback(Accepted(), tmp_path / "exports" / "feedback.jsonl")
    finally:
        os.umask(old)
    assert stat.S_IMODE(export.path.stat().st_mode) == 0o600
