"""Limits the running app enforces over HTTP: uploads, foreign origins and host names,
login attempts, and the queue (model work waits in its own lane)."""

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
    password, is_admin); yields its URL and its ``gr.Blocks``."""
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
        yield f"http://127.0.0.1:{port}", blocks
    finally:
        blocks.close()
        store.close()


@pytest.fixture(scope="module")
def served(itune_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("limits") / "app.db"
    with _served(itune_home, db, max_upload_mb=1) as (url, _):
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
    with _served(itune_home, db, users=[("ada", "ada-password", True)]) as (url, _):
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


def _until(condition, what, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.app
def test_waiting_model_work_is_bounded_and_never_refuses_a_cheap_call(itune_home, tmp_path):
    from gradio_client import Client
    from gradio_client.utils import QueueError

    # One revision decodes at a time and two may wait for the model: a lane of 2.
    db = tmp_path / "app.db"
    with _served(itune_home, db, queue_size=2, max_batch=1) as (url, blocks):
        queue = blocks._queue

        def decoding() -> bool:  # the first revision holds the model's one place
            lane = queue.event_queue_per_concurrency_id.get("model")
            return lane is not None and lane.current_concurrency == 1

        def waiting() -> int:  # revisions waiting for the model
            return len(queue.event_queue_per_concurrency_id["model"].queue)

        client = Client(url, verbose=False)
        long_text = "\n".join(f"He go to the school number {i} every days." for i in range(15))
        running = client.submit(long_text, ["fluency"], api_name="/revise")
        _until(decoding, "the first revision to run")
        queued = [client.submit("She go home.", ["fluency"], api_name="/revise") for _ in "ab"]
        _until(lambda: waiting() == 2, "two revisions to wait")

        # A third waiting revision is refused, with a message that says why ...
        fn_index = next(i for i, fn in blocks.fns.items() if fn.api_name == "revise")
        join = {"data": [], "fn_index": fn_index, "session_hash": "over-the-bound"}
        refused = httpx.post(f"{url}/gradio_api/queue/join", json=join, timeout=30)
        assert refused.status_code == 503
        assert "2 revisions are waiting for the model" in refused.json()["detail"]
        with pytest.raises(QueueError):
            client.submit("He go out.", ["fluency"], api_name="/revise").result(timeout=60)

        # ... while the calls that need no model answer at once, an admin's too.
        assert decoding() and waiting() == 2
        assert client.predict(api_name="/whoami")["admin"] is True
        assert isinstance(client.predict(False, api_name="/admin_adapters"), list)
        assert decoding() and not running.done()

        # Nothing admitted is lost: every waiting revision is made and stored.
        views = [job.result(timeout=600) for job in (running, *queued)]
        assert all(view[0]["revision_id"] for view in views)
        assert waiting() == 0


@pytest.mark.app
def test_one_writer_cannot_fill_the_model_s_queue_for_everyone(itune_home, tmp_path):
    from gradio_client import Client

    users = [("ada", "ada-password", False), ("wes", "wes-password", False)]
    with _served(itune_home, tmp_path / "app.db", users, queue_size=4, max_batch=1) as (
        url,
        blocks,
    ):
        lanes = blocks._queue.event_queue_per_concurrency_id
        ada = Client(url, auth=("ada", "ada-password"), verbose=False)
        long_text = "\n".join(f"He go to the school number {i} every days." for i in range(15))
        jobs = [ada.submit(long_text, ["fluency"], api_name="/revise")]
        _until(lambda: "model" in lanes and lanes["model"].current_concurrency == 1, "a run")
        jobs += [ada.submit("She go home.", ["fluency"], api_name="/revise") for _ in "ab"]
        _until(lambda: len(lanes["model"].queue) == 2, "ada's two revisions to wait")

        # A third from ada, even from another tab, is refused and says why ...
        with httpx.Client(base_url=url, timeout=30) as browser:
            login = browser.post("/login", data={"username": "ada", "password": "ada-password"})
            assert login.status_code == 200
            fn_index = next(i for i, fn in blocks.fns.items() if fn.api_name == "revise")
            join = {"data": [], "fn_index": fn_index, "session_hash": "ada-other-tab"}
            refused = browser.post("/gradio_api/queue/join", json=join)
        assert refused.status_code == 503
        assert "You already have 2 revisions waiting" in refused.json()["detail"]

        # ... while another writer's revision waits its turn and is made.
        wes = Client(url, auth=("wes", "wes-password"), verbose=False)
        jobs.append(wes.submit("They was late.", ["fluency"], api_name="/revise"))
        _until(lambda: len(lanes["model"].queue) == 3, "wes's revision to wait")
        views = [job.result(timeout=600)[0] for job in jobs]
        assert [v["user"] for v in views] == ["ada", "ada", "ada", "wes"]
