"""Limits the running app enforces over HTTP: the size of an upload."""

import httpx
import pytest

from app import Settings, build_app, launch
from storage.store import Store
from storage.users import UserStore
from tests.support import free_port


@pytest.fixture(scope="module")
def served(itune_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("limits") / "app.db"
    settings = Settings(
        home=itune_home, db_url=f"sqlite:///{db}", dtype="float32", max_upload_mb=1, worker=False
    )
    store = Store.open(settings.database_url)
    blocks, _, _ = build_app(settings, store)
    port = free_port()
    launch(blocks, settings, UserStore(store.engine), server_port=port,
           prevent_thread_lock=True, quiet=True)  # fmt: skip
    yield f"http://127.0.0.1:{port}"
    blocks.close()
    store.close()


@pytest.mark.app
def test_an_upload_past_the_size_limit_is_refused(served):
    big = {"files": ("big.jsonl", b"x" * (1024 * 1024 + 10), "application/octet-stream")}
    refused = httpx.post(f"{served}/gradio_api/upload", files=big, timeout=30)
    assert refused.status_code == 413, refused.text
    small = {"files": ("small.jsonl", b'{"before_sent": "a"}\n', "application/octet-stream")}
    assert httpx.post(f"{served}/gradio_api/upload", files=small, timeout=30).status_code == 200
