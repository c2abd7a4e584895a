"""``python -m storage.users``: creates users from a password on stdin, with clear errors."""

import subprocess
import sys
from pathlib import Path

from storage.store import Store
from storage.users import UserStore

ROOT = Path(__file__).resolve().parents[2]


def _users(db_url: str, *args: str, password: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "storage.users", "--db", db_url, *args],
        input=password,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_add_admin_from_stdin_creates_a_user_who_can_log_in(db_url):
    done = _users(db_url, "add", "ada", "--admin", "--password-stdin", password="lovelace1\n")
    assert done.returncode == 0, done.stderr
    assert "created admin ada" in done.stdout
    user = UserStore(Store.open(db_url).engine).authenticate("ada", "lovelace1")
    assert user is not None and user.is_admin


def test_duplicate_name_fails_with_one_line(db_url):
    _users(db_url, "add", "ada", "--password-stdin", password="lovelace1\n")
    done = _users(db_url, "add", "ada", "--password-stdin", password="lovelace2\n")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: a user named 'ada' already exists"


def test_short_password_is_refused_and_nothing_is_written(db_url):
    done = _users(db_url, "add", "ada", "--password-stdin", password="short\n")
    assert done.returncode == 1
    assert "too short" in done.stderr
    assert not UserStore(Store.open(db_url).engine).has_users()


def test_empty_password_is_refused(db_url):
    done = _users(db_url, "add", "ada", "--password-stdin", password="\n")
    assert done.returncode == 1
    assert "empty" in done.stderr
