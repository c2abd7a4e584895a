"""Alembic environment of the storage schema.

Run from code by ``storage.migrate.upgrade(engine)``, which passes its connection in
``config.attributes["connection"]``; or by operators from the command line:

    ITUNE_DB_URL=sqlite:///data-local/itune.db alembic -c storage/alembic.ini upgrade head
"""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from storage.migrate import lock_for_migration
from storage.models import Base
from storage.store import open_engine

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    # The one place in storage that reads the environment: this file is the entry point of
    # the alembic CLI, which has no app.py to choose the database for it.
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ITUNE_DB_URL")
    if not url:
        raise SystemExit("set ITUNE_DB_URL (or sqlalchemy.url in the alembic config)")
    return url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_offline() -> None:
    """Write the SQL to stdout (``alembic ... upgrade head --sql``) instead of running it."""
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = open_engine(_database_url())
    try:
        with engine.begin() as connection:
            lock_for_migration(connection)  # as in storage.migrate.upgrade
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
