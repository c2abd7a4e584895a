"""The whole loop through the HTTP API, as a researcher and a writer would drive it: the
writer revises and decides, the admin trains on that feedback in the worker, finds the run
in the registry, activates it, and the writer's next revision is made by it; no restart.
A writer's call to an admin action is refused and changes nothing."""

import sqlite3
import time

import httpx
import pytest
from gradio_client import Client

from tests.support import ADMIN, WRITER, served_with_users

pytestmark = [pytest.mark.app, pytest.mark.real_model]


@pytest.fixture(scope="module")
def app_url(itune_home, tmp_path_factory):
    with served_with_users(itune_home, tmp_path_factory, "loop") as served:
        yield served


def rows(db, sql, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def wait_for_run(admin: Client, run_id: int, timeout: float = 900.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = admin.predict(run_id, 0, api_name="/admin_run")["run"]
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run
        time.sleep(2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def test_a_login_is_required(app_url):
    url, _ = app_url
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain error on 401
        Client(url, verbose=False).predict("He go to school.", ["fluency"], api_name="/revise")


def test_a_writer_cannot_call_admin_actions(app_url):
    url, db = app_url
    writer = Client(url, auth=WRITER, verbose=False)
    job = {"method": "lora", "data": "iterater-sent", "max_steps": 1}
    with pytest.raises(Exception, match="admin"):
        writer.predict(job, api_name="/admin_start_training")
    with pytest.raises(Exception, match="admin"):
        writer.predict(None, api_name="/admin_activate")
    assert rows(db, "SELECT count(*) FROM training_runs") == [(0,)]
    assert rows(db, "SELECT count(*) FROM activations") == [(0,)]
    assert writer.predict(api_name="/whoami")["admin"] is False


def _log_in(client: httpx.Client, who: tuple[str, str]) -> httpx.Client:
    answer = client.post("login", data={"username": who[0], "password": who[1]})
    assert answer.status_code == 200, answer.text
    return client


def test_only_an_admin_may_upload_files(app_url, tmp_path):
    url, _ = app_url
    files = {"files": ("data.jsonl", b'{"before_sent": "a", "after_sent": "b"}\n')}
    with httpx.Client(base_url=url, timeout=30) as nobody:
        assert nobody.post("gradio_api/upload", files=files).status_code in (401, 403)
    with httpx.Client(base_url=url, timeout=30) as writer:
        _log_in(writer, WRITER)
        refused = writer.post("gradio_api/upload", files=files)
        assert refused.status_code == 403 and "admins" in refused.json()["detail"]
        assert writer.get("gradio_api/info").status_code == 200  # the writer is logged in
    with httpx.Client(base_url=url, timeout=30) as admin:
        _log_in(admin, ADMIN)
        kept = admin.post("gradio_api/upload", files=files)
        assert kept.status_code == 200 and len(kept.json()) == 1


def test_feedback_trains_an_adapter_that_serves_after_activation(app_url):
    url, db = app_url
    writer = Client(url, auth=WRITER, verbose=False)
    admin = Client(url, auth=ADMIN, verbose=False)
    # The writer's feedback: two revisions by the base model, every edit accepted.
    made = []
    for text, intention in [
        ("He go to school yesterday and he buyed a apple.", "fluency"),
        ("The results was good , and we was happy about it .", "clarity"),
    ]:
        view = writer.predict(text, [intention], api_name="/revise")[0]
        assert view["adapter"] is None and view["user"] == WRITER[0]
        assert view["edits"], f"the base model should change {text!r}"
        writer.predict(view["revision_id"], "accept", None, api_name="/decide_all")
        made.append(view["revision_id"])

    job = admin.predict(api_name="/admin_feedback_job")
    assert job["data"] == "feedback"
    job.update(name="from-feedback", max_steps=3, stage1_steps=2, batch_size=2, max_length=128)
    run = admin.predict(job, api_name="/admin_start_training")
    assert run["status"] == "queued" and run["created_by"] == ADMIN[0]
    finished = wait_for_run(admin, run["id"])
    assert finished["status"] == "succeeded", finished["error"]

    detail = admin.predict(run["id"], 0, api_name="/admin_run")
    assert len(detail["steps"]) == 2 + 3, "Stage I and Stage II steps are stored"
    adapters = admin.predict(False, api_name="/admin_adapters")
    (adapter,) = [a for a in adapters if a["name"] == "from-feedback"]
    assert sorted(adapter["feedback_revision_ids"]) == sorted(made)
    assert adapter["active"] is False, "a finished run is never activated by itself"

    # Still the base model until the admin activates the new adapter: no restart between.
    assert (
        writer.predict("She dont like apple.", ["fluency"], api_name="/revise")[0]["adapter"]
        is None
    )
    assert admin.predict(adapter["id"], api_name="/admin_activate")["active"] == "from-feedback"
    view = writer.predict("She dont like apple.", ["fluency"], api_name="/revise")[0]
    assert view["adapter"] == "from-feedback"
    assert rows(db, "SELECT adapter_name FROM revisions WHERE id=?", view["revision_id"]) == [
        ("from-feedback",)
    ]
    assert admin.predict(api_name="/admin_rollback")["active"] is None
    view = writer.predict("She dont like apple.", ["fluency"], api_name="/revise")[0]
    assert view["adapter"] is None
