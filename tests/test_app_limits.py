"""Limits the running app enforces over HTTP: the size of an upload."""

import time
from contextlib import contextmanager

import httpx
import pytest

from app import Settings, build_app, launch
from storage.store import Store
from storage.users import UserStore
from tests.support import free_port


@contextmanager
def _served(itune_home, db, users=(), **settings):
    """The app launched in this process on a fresh database with ``users`` (name,
    password, is_admin); yields its URL."""
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", worker=False, **settings
    )
    store = Store.open(settings.database_url)
    for name, password, is_admin in users:
        UserStore(store.engine).create_user(name, password, is_admin=is_admin)
    blocks, _, _ = build_app(settings, store)
    port = free_port()
    launch(blocks, settings, UserStore(store.engine), server_port=port,
           prevent_thread_lock=True, quiet=True)  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        blocks.close()
        store.close()


@pytest.fixture(scope="module")
def served(itune_home, tmp_path_factory):
    with _served(itune_home, tmp_path_factory.mktemp("limits") / "app.db", max_upload_mb=1) as url:
        yield url


@pytest.mark.app
def test_an_upload_past_the_size_limit_is_refused(served):
    big = {"files": ("big.jsonl", b"x" * (1024 * 1024 + 10), "application/octet-stream")}
    refused = httpx.post(f"{served}/gradio_api/upload", files=big, timeout=30)
    assert refused.status_code == 413, refused.text
    small = {"files": ("small.jsonl", b'{"before_sent": "a"}\n', "application/octet-stream")}
    assert httpx.post(f"{served}/gradio_api/upload", files=small, timeout=30).status_code == 200


@pytest.mark.app
@pytest.mark.parametrize("path", ["/config", "/gradio_api/info"])
def test_with_no_users_only_loopback_host_names_are_answered(served, path):
    port = served.rsplit(":", 1)[1]
    for host in ("rebind.attacker.example", f"rebind.attacker.example:{port}", "10.0.0.5"):
        refused = httpx.get(f"{served}{path}", headers={"Host": host}, timeout=30)
        assert refused.status_code == 403, (host, refused.status_code)
        assert "only on localhost" in refused.json()["detail"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        assert httpx.get(f"{served}{path}", headers={"Host": host}, timeout=30).status_code == 200


@pytest.mark.app
def test_a_request_from_a_foreign_origin_is_refused_before_any_handler(served):
    port = served.rsplit(":", 1)[1]
    join = {"data": ["He go home.", ["fluency"]], "fn_index": 0, "session_hash": "x1"}
    for origin in ("https://evil.example", "null", f"http://127.0.0.1:{int(port) + 1}"):
        refused = httpx.post(
            f"{served}/gradio_api/queue/join", json=join, headers={"Origin": origin}, timeout=30
        )
        assert refused.status_code == 403, origin
        assert "cross-origin request" in refused.json()["detail"]
    own = httpx.get(f"{served}/config", headers={"Origin": served}, timeout=30)
    assert own.status_code == 200


@pytest.fixture(scope="module")
def served_with_login(itune_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("login") / "app.db"
    with _served(itune_home, db, users=[("ada", "ada-password", True)]) as url:
        yield url


@pytest.mark.app
def test_wrong_passwords_slow_down_with_a_clear_message_and_the_owner_gets_back_in(
    served_with_login,
):
    def login(password):
        return httpx.post(
            f"{served_with_login}/login",
            data={"username": "ada", "password": password},
            timeout=30,
        )

    codes = [login("guess").status_code for _ in range(6)]
    assert codes[:5] == [400] * 5 and codes[5] == 429
    refused = login("ada-password")  # even the right password waits its turn
    assert refused.status_code == 429
    assert "too many failed logins for this account" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) <= 2
    time.sleep(int(refused.headers["retry-after"]) + 0.2)
    assert login("ada-password").status_code == 200
