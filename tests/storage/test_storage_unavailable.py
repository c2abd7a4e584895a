"""A database that is locked past the wait, or out of reach, raises ``StorageUnavailable``
with a one-line message, writes nothing, and serves again once the fault is gone; errors
of the call itself are not dressed up as unavailability."""

import socket
import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from storage.errors import StorageUnavailable
from storage.store import UNAVAILABLE_MESSAGE, Store, open_engine


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_one_line_unavailable(err: pytest.ExceptionInfo, detail: str) -> None:
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{UNAVAILABLE_MESSAGE} (") and detail in message, message


def test_a_sqlite_file_locked_past_the_busy_timeout_writes_nothing_then_recovers(
    tmp_path, sample_args
):
    db = tmp_path / "itune.db"
    store = Store.open(f"sqlite:///{db}")
    revision_id = store.record_revision(**sample_args)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageUnavailable) as err:
            store.record_decision(revision_id, 0, "reject", final_text="changed")
        assert_one_line_unavailable(err, "database is locked")
        assert store.get_revision(revision_id).decisions == {}  # WAL: reads go on
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.record_decision(revision_id, 0, "reject", final_text="changed")
    after = store.get_revision(revision_id)
    assert after.decisions[0].decision == "reject" and after.final_text == "changed"
    store.close()


def test_a_postgres_table_locked_past_the_lock_timeout_writes_nothing_then_recovers(
    postgres_server, sample_args
):
    url = postgres_server.fresh_url(lock_timeout="300ms")
    store = Store.open(url)
    revision_id = store.record_revision(**sample_args)
    holder = sa.create_engine(url, poolclass=NullPool)
    with holder.connect() as connection:
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql("LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StorageUnavailable) as err:
            store.record_decision(revision_id, 0, "accept", final_text="changed")
        assert_one_line_unavailable(err, "lock timeout")
        connection.exec_driver_sql("ROLLBACK")
    holder.dispose()
    assert store.get_revision(revision_id).final_text == sample_args["revised"]
    store.record_decision(revision_id, 0, "accept", final_text="changed")
    assert store.get_revision(revision_id).final_text == "changed"
    store.close()


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        (lambda _: f"postgresql+psycopg://itune@127.0.0.1:{closed_port()}/itune", "refused"),
        (lambda tmp: f"postgresql+psycopg://itune@/itune?host={tmp / 'no-such-dir'}", "failed"),
        (lambda tmp: f"sqlite:///{tmp / 'a-file' / 'data' / 'itune.db'}", "Not a directory"),
    ],
    ids=["postgres-closed-port", "postgres-missing-socket", "sqlite-under-a-file"],
)
def test_an_unreachable_database_is_a_one_line_error(tmp_path, url, detail):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StorageUnavailable) as err:
        Store.open(url(tmp_path))
    assert_one_line_unavailable(err, detail)


def test_the_error_is_still_a_sqlalchemy_error_for_code_that_catches_those():
    engine = open_engine(f"postgresql+psycopg://itune@127.0.0.1:{closed_port()}/itune")
    with pytest.raises(SQLAlchemyError) as err:
        engine.connect()
    assert isinstance(err.value, StorageUnavailable)
    engine.dispose()


def test_a_mistake_in_the_statement_is_not_called_unavailable(store):
    with store.engine.connect() as connection, pytest.raises(SQLAlchemyError) as err:
        connection.exec_driver_sql("SELECT * FROM no_such_table")
    assert not isinstance(err.value, StorageUnavailable)


def test_a_postgres_connection_lost_in_a_restart_is_replaced_unnoticed(
    postgres_server, sample_args
):
    # Named, so that only this store's connections are ended on the shared server.
    store = Store.open(postgres_server.fresh_url(application_name="itune-restarted"))
    revision_id = store.record_revision(**sample_args)
    admin = sa.create_engine(postgres_server.url(), poolclass=NullPool)
    with admin.begin() as connection:  # what a server restart does to the pooled ones
        killed = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'itune-restarted'"
            )
        ).scalar()
    admin.dispose()
    assert killed >= 1
    assert store.get_revision(revision_id).source == sample_args["source"]
    store.close()
