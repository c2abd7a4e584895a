"""The package: the ``itune`` command hands its arguments to the project's commands, and the
wheel built from this checkout carries the code and the files it reads at run time, so an
installed copy, run from elsewhere, finds its migrations and the built-in adapter."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

import itune
from storage.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("serve", "train", "evaluate", "worker", "users")
# Top-level folders of the repository that are not installed: their Python files are run
# from a checkout (or, for docker/, inside the image).
NOT_SHIPPED = ("tests", "benchmarks", "scripts", "docker", "docs")


# --- the dispatcher -----------------------------------------------------------------------


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, list[str] | None]]:
    """Every command's entry point replaced by a recorder that returns 7."""
    from storage import users
    from training import cli, worker

    seen: list[tuple[str, list[str] | None]] = []

    def recorder(name):
        def main(argv=None, prog=None):
            seen.append((name, argv) if prog is None else (name, argv, prog))
            return 7

        return main

    monkeypatch.setattr(cli, "main", recorder("training"))
    monkeypatch.setattr(worker, "main", recorder("training.worker"))
    monkeypatch.setattr(users, "main", recorder("storage.users"))
    # A stand-in module: the real app.py would import torch only to be replaced.
    monkeypatch.setitem(sys.modules, "app", types.SimpleNamespace(main=recorder("app")))
    return seen


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve"], ("app", None)),
        (["train", "--method", "lora", "--max-steps", "3"],
         ("training", ["train", "--method", "lora", "--max-steps", "3"], "itune")),
        (["evaluate", "runs/a", "--limit", "5"],
         ("training", ["evaluate", "runs/a", "--limit", "5"], "itune")),
        (["worker", "--once", "--poll", "2"],
         ("training.worker", ["--once", "--poll", "2"], "itune worker")),
        (["users", "add", "ada", "--admin"],
         ("storage.users", ["add", "ada", "--admin"], "itune users")),
        (["users", "--help"], ("storage.users", ["--help"], "itune users")),
    ],
)  # fmt: skip
def test_each_command_gets_the_arguments_after_its_name(calls, argv, expected):
    assert itune.main(argv) == 7  # the command's exit status is itune's
    assert calls == [expected]


def test_serve_refuses_arguments_since_its_settings_come_from_the_environment(calls, capsys):
    assert itune.main(["serve", "--port", "80"]) == 2
    assert calls == []
    assert "ITUNE_" in capsys.readouterr().err


def test_unknown_command_exits_2_naming_the_commands(calls, capsys):
    assert itune.main(["trian", "--method", "lora"]) == 2
    assert calls == []
    err = capsys.readouterr().err
    assert "unknown command 'trian'" in err
    assert all(name in err for name in COMMANDS)


def test_no_command_exits_2(calls, capsys):
    assert itune.main([]) == 2
    assert "a command is required" in capsys.readouterr().err


def test_help_lists_every_command_on_a_line_of_its_own(capsys):
    assert itune.main(["--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in COMMANDS:
        described = [line for line in lines if line.split()[:1] == [name]]
        assert len(described) == 1, name
        assert len(described[0].split()) > 2, f"{name} has no description"


def test_the_commands_other_than_serve_do_not_import_gradio():
    script = (
        "import contextlib, sys, itune\n"
        "for name in ('train', 'evaluate', 'worker', 'users'):\n"
        "    with contextlib.suppress(SystemExit):\n"
        "        itune.main([name, '--help'])\n"
        "print('gradio' in sys.modules, 'app' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    *helps, imported = done.stdout.splitlines()
    for prog in ("itune train", "itune evaluate", "itune worker", "itune users"):
        assert any(line.startswith(f"usage: {prog}") for line in helps), prog
    assert imported == "False False"


# --- the wheel ------------------------------------------------------------------------------


def _checkout_files() -> list[str]:
    """The files a build may see: tracked or new, not ignored (no caches, no .venv)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout, so the build leaves no build/ or
    *.egg-info behind in the repository."""
    tmp = tmp_path_factory.mktemp("build")
    source = tmp / "source"
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    before = sorted(os.listdir(ROOT))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp / "dist",
         source],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(os.listdir(ROOT)) == before
    (built,) = (tmp / "dist").glob("itune_studio-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_holds_every_python_file_of_the_shipped_packages(wheel_names):
    shipped = [
        name
        for name in _checkout_files()
        if name.endswith(".py") and "/" in name and name.split("/")[0] not in NOT_SHIPPED
    ]
    assert "storage/migrations/versions/0001_initial_schema.py" in shipped
    missing = sorted(set(shipped) - wheel_names)
    # A new package goes into pyproject.toml's [tool.setuptools] packages.
    assert not missing, f"not in the wheel (see pyproject.toml's packages): {missing}"
    assert {"app.py", "itune.py"} <= wheel_names


def test_wheel_holds_migrations_configs_corpora_and_the_builtin_adapter(wheel_names):
    expected = {
        "storage/alembic.ini",
        "storage/migrations/script.py.mako",
        "training/configs/intention-tuning-default.yaml",
        "training/corpora/SHA256SUMS",
    }
    specialists = ("itune-default-clarity", "itune-default-style", "itune-default-fluency")
    for name in ("itune-default", *specialists):
        adapter = ROOT / "adapters" / name
        for path in adapter.rglob("*"):
            if path.is_file():
                expected.add(f"itune_adapters/{name}/{path.relative_to(adapter).as_posix()}")
    for config in (ROOT / "training" / "configs").glob("*.yaml"):
        expected.add(f"training/configs/{config.name}")
    assert "itune_adapters/itune-default/predictor/predictor.json" in expected
    assert "itune_adapters/itune-default-clarity/adapter_model.safetensors" in expected
    assert "itune_adapters/itune-default-style/adapter_model.safetensors" in expected
    assert "itune_adapters/itune-default-fluency/adapter_model.safetensors" in expected
    assert sorted(expected - wheel_names) == []
    assert not [name for name in wheel_names if "__pycache__" in name or name.endswith(".pyc")]


def test_wheel_declares_the_itune_console_script(wheel, wheel_names):
    (entry_points,) = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "itune = itune:main" in text


# --- the installed copy ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The wheel installed into a folder of its own (its dependencies are this venv's),
    with the environment to run it from anywhere but the checkout."""
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--no-deps",
         "--no-index", "--target", site, wheel],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ITUNE_"))}
    env.update(PYTHONPATH=str(site), ITUNE_HOME=str(site.parent / "home"))
    return site, env


def _run(command: list, installed, cwd: Path) -> subprocess.CompletedProcess:
    _, env = installed
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def test_installed_itune_answers_help_outside_the_checkout(installed, tmp_path):
    site, _ = installed
    done = _run([site / "bin" / "itune", "--help"], installed, tmp_path)
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in COMMANDS)


def test_installed_users_command_migrates_a_new_database(installed, tmp_path):
    site, _ = installed
    db = tmp_path / "itune.db"
    done = _run([site / "bin" / "itune", "users", "--db", f"sqlite:///{db}", "list"], installed,
                tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_installed_app_finds_its_migrations_and_the_builtin_adapter(installed, tmp_path):
    site, _ = installed
    script = (
        "import json, app, storage.migrate\n"
        "print(json.dumps({'app': app.__file__, 'adapter': str(app.default_adapter('embedded')),"
        " 'migrations': str(storage.migrate.MIGRATIONS)}))\n"
    )
    done = _run([sys.executable, "-c", script], installed, tmp_path)
    assert done.returncode == 0, done.stderr
    paths = {key: Path(value) for key, value in json.loads(done.stdout).items()}
    assert all(path.is_relative_to(site) for path in paths.values()), paths
    assert (paths["adapter"] / "adapter_config.json").is_file()
    assert (paths["adapter"] / "predictor" / "predictor.json").is_file()
    assert (paths["migrations"] / "env.py").is_file()
