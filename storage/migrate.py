"""Bring a database's schema up to date by running the Alembic migrations from code.

The app and the training recipes call ``upgrade(engine)`` on start; operators can run the
same migrations with ``alembic -c storage/alembic.ini upgrade head`` (see that file).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant will do: the key of the PostgreSQL advisory lock that migrations hold.
_PG_MIGRATION_LOCK = 0x17_7E_00_01


def alembic_config() -> Config:
    """An Alembic config pointing at this package's migrations, with no ini file needed."""
    config = Config()
    # Config values go through configparser interpolation, so a '%' in the path is escaped.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision``, in one transaction.

    Args:
        engine: the database to migrate (from ``storage.store.open_engine``).
        revision: the Alembic revision to reach; the latest by default.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: a migration step failed; nothing was applied.
    """
    config = alembic_config()
    with engine.begin() as connection:
        lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def lock_for_migration(connection: Connection) -> None:
    """Make the migration in ``connection``'s open transaction the only one at a time.

    A second process starting at the same moment (the app and its training worker) then
    waits, and finds the schema already at head instead of creating it a second time.
    """
    if connection.dialect.name == "sqlite":
        # pysqlite runs DDL outside any transaction unless one is open; BEGIN IMMEDIATE
        # makes the whole upgrade atomic and takes the write lock (waits: busy_timeout).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        # DDL is transactional here, but two transactions would both see no
        # alembic_version table and both create it; the lock is released at commit.
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
        )
