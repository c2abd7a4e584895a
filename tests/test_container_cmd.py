"""The Docker image's command line, run here with the image's environment (no Docker engine
runs on the test machines). ENV, WORKDIR, CMD and HEALTHCHECK are read from the Dockerfile
itself, so the test and the image cannot drift apart; /data (the image's volume) is
re-rooted in a temporary folder."""

import http.cookiejar
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
# The image's interpreter and where it lives: this machine's stand in for them.
IMAGE_ONLY = {"PATH", "VIRTUAL_ENV"}
STARTUP_S = 180  # importing torch and Gradio on a busy 2-core machine

pytestmark = pytest.mark.app


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    found, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # comments may also sit between continuation lines
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, arguments = (current + stripped).partition(" ")
        found.append((keyword.upper(), arguments.strip()))
        current = ""
    return found


def last(keyword: str) -> str:
    values = [arguments for k, arguments in instructions() if k == keyword]
    assert values, f"the Dockerfile has no {keyword}"
    return values[-1]  # as in Docker, the last one counts


def image_env() -> dict[str, str]:
    """Every variable the Dockerfile's ENV lines set (NAME=value form only)."""
    env = {}
    for keyword, arguments in instructions():
        if keyword == "ENV":
            for pair in shlex.split(arguments):
                name, sep, value = pair.partition("=")
                assert sep, f"ENV {pair!r}: write ENV NAME=value"
                env[name] = value
    return env


def local_path(value: str, data: Path) -> str:
    """A path of the image, as it is in this test: /app is this checkout, /data is ``data``."""
    workdir = last("WORKDIR")
    value = re.sub(rf"^{re.escape(workdir)}(?=/|$)", str(ROOT), value)
    return re.sub(r"^/data(?=/|$)", str(data), value)


def container_env(data: Path, **overrides: str) -> dict[str, str]:
    """This process's environment less any ITUNE_/GRADIO_ settings, plus the image's ENV."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ITUNE_", "GRADIO_"))}
    for name, value in image_env().items():
        if name not in IMAGE_ONLY:
            env[name] = local_path(value, data)
    return {**env, **overrides}


def exec_form(arguments: str, data: Path) -> list[str]:
    """A JSON-array command of the image, runnable here: our Python for the image's."""
    argv = json.loads(arguments)
    assert argv[0] == "python", f"expected a python command, got {argv}"
    return [sys.executable, *(local_path(arg, data) for arg in argv[1:])]


def test_image_env_binds_every_address_and_holds_no_password():
    env = image_env()
    assert env["GRADIO_SERVER_NAME"] == "0.0.0.0"
    assert env["ITUNE_HOME"] == "/data"
    assert not {"ITUNE_ADMIN_PASSWORD", "ITUNE_ADMIN_USER"} & env.keys()


def test_command_refuses_to_serve_without_an_admin_password(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run(
        exec_form(last("CMD"), data),
        cwd=ROOT,
        env=container_env(data),
        capture_output=True,
        text=True,
        timeout=STARTUP_S,
    )
    assert done.returncode != 0
    assert "ITUNE_ADMIN_PASSWORD" in done.stderr


@pytest.fixture(scope="module")
def container(itune_home, tmp_path_factory):
    """The image's command running with its environment, an admin password and a free
    port; yields ``(base_url, env)``. The whole process group (the app and its training
    worker) is stopped at the end."""
    tmp_path = tmp_path_factory.mktemp("container")
    data = tmp_path / "data"
    data.mkdir()
    # The embedded model, converted once per session, instead of a fresh conversion.
    (data / "models").symlink_to(itune_home / "models", target_is_directory=True)
    env = container_env(
        data, ITUNE_ADMIN_PASSWORD="container-secret-1", GRADIO_SERVER_PORT=str(free_port())
    )
    log = (tmp_path / "app.log").open("w")
    process = subprocess.Popen(
        exec_form(last("CMD"), data),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as under tini -g
    )
    base = f"http://127.0.0.1:{env['GRADIO_SERVER_PORT']}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, (tmp_path / "app.log").read_text()
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "app.log").read_text()
                time.sleep(0.5)
        yield base, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def status_of(opener, url: str, data: bytes | None = None) -> int:
    try:
        with opener.open(url, data=data, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_page_answers_and_the_healthcheck_passes(container):
    base, env = container
    assert status_of(urllib.request.build_opener(), base + "/") == 200
    _, _, healthcheck = last("HEALTHCHECK").partition("CMD ")
    done = subprocess.run(
        exec_form(healthcheck, Path(env["ITUNE_HOME"])), cwd=ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr


def test_healthcheck_fails_when_nothing_answers(tmp_path):
    _, _, healthcheck = last("HEALTHCHECK").partition("CMD ")
    env = container_env(tmp_path, GRADIO_SERVER_PORT=str(free_port()))
    done = subprocess.run(exec_form(healthcheck, tmp_path), cwd=ROOT, env=env, capture_output=True)
    assert done.returncode == 1


def test_api_refuses_requests_without_a_login(container):
    base, _ = container
    anonymous = urllib.request.build_opener()
    assert status_of(anonymous, base + "/config") == 401
    assert status_of(anonymous, base + "/gradio_api/info") == 401


def test_admin_from_the_environment_logs_in(container):
    base, env = container
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    wrong = urllib.parse.urlencode({"username": "admin", "password": "not-it-at-all"})
    assert status_of(browser, base + "/login", wrong.encode()) == 400
    right = urllib.parse.urlencode({"username": "admin", "password": env["ITUNE_ADMIN_PASSWORD"]})
    assert status_of(browser, base + "/login", right.encode()) == 200
    assert status_of(browser, base + "/config") == 200
