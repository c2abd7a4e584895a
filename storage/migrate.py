"""Bring a database's schema up to date by running the Alembic migrations from code.

The app and the training recipes call ``upgrade(engine)`` on start; operators can run the
same migrations with ``alembic -c storage/alembic.ini upgrade head`` (see that file).
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
        if connection.dialect.name == "sqlite":
            # pysqlite runs DDL outside any transaction unless one is open; BEGIN IMMEDIATE
            # makes the whole upgrade atomic and makes a second process starting at the same
            # moment wait (busy_timeout) and then find the schema already at head.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
