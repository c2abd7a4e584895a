"""Where the project's data lives, from the environment: the one place that reads it.

Every entry point (the app, ``python -m training``, the worker, ``python -m
storage.users``, the benchmarks) resolves its home folder and database the same way:

- ``ITUNE_HOME``: the data folder (converted models, the SQLite database, training runs,
  exports); default ``~/.cache/itune``. A ``--home`` flag wins over it.
- ``ITUNE_DB_URL``: the database (any SQLAlchemy URL); default the SQLite file
  ``itune.db`` in the home folder. A ``--db`` flag wins over it.
"""

import os
from collections.abc import Mapping
from pathlib import Path

HOME_VARIABLE = "ITUNE_HOME"
DB_URL_VARIABLE = "ITUNE_DB_URL"
DATABASE_FILE = "itune.db"


def _value(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def home_folder(flag: Path | str | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The data folder: ``flag`` (``--home``), else ``$ITUNE_HOME``, else ``~/.cache/itune``."""
    if flag is not None and str(flag).strip():
        return Path(flag).expanduser()
    value = _value(env, HOME_VARIABLE)
    return Path(value).expanduser() if value else Path.home() / ".cache" / "itune"


def database_url(
    flag: str | None = None, home: Path | None = None, env: Mapping[str, str] = os.environ
) -> str:
    """The database: ``flag`` (``--db``), else ``$ITUNE_DB_URL``, else the SQLite file in
    ``home`` (default: ``home_folder()``)."""
    if flag is not None and flag.strip():
        return flag.strip()
    value = _value(env, DB_URL_VARIABLE)
    if value:
        return value
    folder = home if home is not None else home_folder(env=env)
    return f"sqlite:///{folder / DATABASE_FILE}"
