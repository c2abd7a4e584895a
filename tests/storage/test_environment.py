"""The one reading of ITUNE_HOME and ITUNE_DB_URL that every entry point shares."""

from pathlib import Path

from storage.environment import database_url, home_folder


def test_the_home_folder_is_the_flag_then_the_variable_then_the_cache():
    assert home_folder("/srv/itune", env={"ITUNE_HOME": "/data"}) == Path("/srv/itune")
    assert home_folder(None, env={"ITUNE_HOME": " /data "}) == Path("/data")
    assert home_folder(None, env={"ITUNE_HOME": "  "}) == Path.home() / ".cache" / "itune"
    assert home_folder("~/x", env={}) == Path.home() / "x"


def test_the_database_is_the_flag_then_the_variable_then_the_file_in_the_home():
    env = {"ITUNE_DB_URL": "postgresql+psycopg://u@h/db", "ITUNE_HOME": "/data"}
    assert database_url("sqlite:////tmp/a.db", env=env) == "sqlite:////tmp/a.db"
    assert database_url(None, env=env) == "postgresql+psycopg://u@h/db"
    assert database_url(None, env={"ITUNE_HOME": "/data"}) == "sqlite:////data/itune.db"
    assert database_url(None, Path("/srv"), env={}) == "sqlite:////srv/itune.db"


def test_the_app_and_the_command_line_tools_agree(monkeypatch, tmp_path):
    from app import Settings

    monkeypatch.setenv("ITUNE_HOME", str(tmp_path))
    monkeypatch.delenv("ITUNE_DB_URL", raising=False)
    settings = Settings.from_env({"ITUNE_HOME": str(tmp_path)})
    assert settings.home == home_folder() == tmp_path
    assert settings.database_url == database_url() == f"sqlite:///{tmp_path / 'itune.db'}"
