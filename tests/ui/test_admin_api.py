"""The admin HTTP API over a real Gradio server with login (no model): an admin lists and
queues runs and uploads data; a writer who is not an admin is refused and changes nothing."""

import json

import gradio as gr
import pytest
from gradio_client import Client, handle_file

from services.access import Access
from services.admin import DEFAULT_JOB, Admin
from storage.evaluations import EvaluationStore
from storage.feedback import FeedbackStore
from storage.registry import NewAdapter, Registry
from storage.runs import RunStore
from storage.store import Store
from storage.users import UserStore
from tests.support import free_port
from training.data import load_jsonl
from training.feedback import export_feedback
from training.worker import submit_run
from ui.admin_api import register_admin_api

pytestmark = pytest.mark.app

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin-api")
    store = Store.open(f"sqlite:///{folder / 'itune.db'}")
    users = UserStore(store.engine)
    users.create_user("ada", PASSWORD, is_admin=True)
    users.create_user("bob", PASSWORD)
    access = Access(users, loopback=True)
    runs, feedback = RunStore(store.engine), FeedbackStore(store.engine)
    admin = Admin(
        access=access,
        runs=runs,
        registry=Registry(store.engine),
        evaluations=EvaluationStore(store.engine),
        feedback=feedback,
        uploads_dir=folder / "uploads",
        exports_dir=folder / "exports",
        submit_run=lambda job, by: submit_run(runs, job, by),
        export_feedback_to=lambda path: export_feedback(feedback, path),
        check_upload=lambda path: len(load_jsonl(path)),
    )
    with gr.Blocks() as blocks:
        register_admin_api(admin)
    port = free_port()
    blocks.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        auth=access.authenticate,
    )
    yield f"http://127.0.0.1:{port}/", admin, folder
    blocks.close()
    store.close()


@pytest.fixture(scope="module")
def ada(server):
    client = Client(server[0], auth=("ada", PASSWORD), verbose=False)
    yield client
    client.close()


@pytest.fixture(scope="module")
def bob(server):
    client = Client(server[0], auth=("bob", PASSWORD), verbose=False)
    yield client
    client.close()


def test_whoami_names_the_logged_in_user(ada, bob):
    assert ada.predict(api_name="/whoami") == {"user": "ada", "admin": True, "login_required": True}
    assert bob.predict(api_name="/whoami")["admin"] is False


def test_a_wrong_password_cannot_connect(server):
    with pytest.raises(Exception, match=r"(?i)login|credentials|auth"):
        Client(server[0], auth=("ada", "wrong password!"), verbose=False)


def test_an_admin_queues_a_job_and_sees_it_listed(server, ada):
    _, admin, _ = server
    run = ada.predict({**DEFAULT_JOB, "max_steps": 12.0}, api_name="/admin_start_training")
    assert run["status"] == "queued" and run["created_by"] == "ada"
    listed = ada.predict(50, api_name="/admin_runs")
    assert run["id"] in [r["id"] for r in listed]
    assert admin.runs.get_run(run["id"]).config["max_steps"] == 12
    detail = ada.predict(run["id"], 0, api_name="/admin_run")
    assert detail["run"]["id"] == run["id"] and detail["steps"] == []


def test_a_bad_job_comes_back_as_an_error_naming_the_field(server, ada):
    _, admin, _ = server
    before = len(admin.runs.list_runs(limit=1000))
    with pytest.raises(Exception, match="batch_size"):
        ada.predict({**DEFAULT_JOB, "batch_size": -1}, api_name="/admin_start_training")
    assert len(admin.runs.list_runs(limit=1000)) == before


def test_a_non_admin_is_refused_and_changes_nothing(server, bob):
    _, admin, _ = server
    adapter = admin.registry.register_adapter(
        NewAdapter(name="bobs-pick", path="/runs/x", base_model="embedded", method="lora")
    )
    runs_before = len(admin.runs.list_runs(limit=1000))
    with pytest.raises(Exception, match="admins only"):
        bob.predict(adapter.id, api_name="/admin_activate")
    with pytest.raises(Exception, match="admins only"):
        bob.predict({**DEFAULT_JOB}, api_name="/admin_start_training")
    with pytest.raises(Exception, match="admins only"):
        bob.predict(50, api_name="/admin_runs")
    assert admin.registry.active_adapter() is None
    assert admin.registry.activation_history() == []
    assert len(admin.runs.list_runs(limit=1000)) == runs_before


def test_an_admin_activates_and_rolls_back(server, ada):
    _, admin, _ = server
    adapter = admin.registry.register_adapter(
        NewAdapter(name="shipped", path="/runs/y", base_model="embedded", method="lora")
    )
    assert ada.predict(adapter.id, api_name="/admin_activate")["active"] == "shipped"
    listed = ada.predict(False, api_name="/admin_adapters")
    assert [a["name"] for a in listed if a["active"]] == ["shipped"]
    assert admin.registry.active_adapter().name == "shipped"
    back = ada.predict(api_name="/admin_rollback")
    assert back == {"active": None, "adapter_id": None, "intentions": []}
    assert admin.registry.active_adapter() is None
    # One intention set gets its own adapter; the default stays the base model.
    scoped = ada.predict(adapter.id, ["style", "fluency"], api_name="/admin_activate")
    assert scoped == {
        "active": "shipped",
        "adapter_id": adapter.id,
        "intentions": ["fluency", "style"],
    }
    serving = ada.predict(api_name="/admin_serving")
    assert [(s["intentions"], s["adapter"] and s["adapter"]["name"]) for s in serving] == [
        ([], None),
        (["fluency", "style"], "shipped"),
    ]
    assert admin.registry.active_adapter(["fluency", "style"]).name == "shipped"
    assert ada.predict(["fluency", "style"], api_name="/admin_rollback")["active"] is None
    assert admin.registry.active_adapter(["fluency", "style"]) is None


def test_an_admin_uploads_a_file_to_train_on(server, ada, tmp_path):
    _, _, folder = server
    good = tmp_path / "mine.jsonl"
    line = {"before_sent": "He go home.", "after_sent": "He goes home.", "labels": "fluency"}
    good.write_text(json.dumps(line) + "\n")
    kept = ada.predict("", handle_file(str(good)), api_name="/admin_upload_data")
    assert kept["rows"] == 1 and kept["name"] == "mine.jsonl"
    assert kept["data"].startswith(str((folder / "uploads").resolve()))
    run = ada.predict({**DEFAULT_JOB, "data": kept["data"]}, api_name="/admin_start_training")
    assert run["data"] == kept["data"]


def test_a_bad_upload_is_refused_and_kept_nowhere(server, ada, tmp_path):
    _, _, folder = server
    before = sorted((folder / "uploads").glob("*")) if (folder / "uploads").exists() else []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"before_sent": "x", "after_sent": "y", "labels": "grammar"}\n')
    with pytest.raises(Exception, match="line 1"):
        ada.predict("bad.jsonl", handle_file(str(bad)), api_name="/admin_upload_data")
    after = sorted((folder / "uploads").glob("*")) if (folder / "uploads").exists() else []
    assert after == before


def test_a_server_path_is_not_taken_for_an_upload(ada, tmp_path):
    secret = tmp_path / "secret.jsonl"
    secret.write_text("{}\n")
    with pytest.raises(Exception, match="uploaded file"):
        ada.predict("x.jsonl", {"path": str(secret)}, api_name="/admin_upload_data")


def test_an_admin_queues_an_evaluation_and_sees_it_listed(ada):
    queued = ada.predict(None, "copy", "iterater-sent", "test", 5, api_name="/admin_evaluate")
    assert (queued["subject"], queued["limit"], queued["status"]) == ("baseline: copy", 5, "queued")
    listed = ada.predict(50, api_name="/admin_evaluations")
    assert queued["id"] in [e["id"] for e in listed]


def test_an_admin_compares_two_adapters_acceptance(server, ada, bob):
    _, admin, _ = server
    for name in ("cmp-a", "cmp-b"):
        admin.registry.register_adapter(
            NewAdapter(name=name, path=f"/runs/{name}", base_model="embedded", method="lora")
        )
    both = ada.predict("cmp-a", "cmp-b", api_name="/admin_compare_adapters")
    assert (both["a"]["name"], both["b"]["name"]) == ("cmp-a", "cmp-b")
    assert both["a"]["overall"] == {"key": "cmp-a", "accepted": 0, "rejected": 0, "rate": None}
    assert both["a"]["by_intention"] == []
    with pytest.raises(Exception, match="no registered adapter"):
        ada.predict("cmp-a", "nobody", api_name="/admin_compare_adapters")
    with pytest.raises(Exception, match="admins only"):
        bob.predict("cmp-a", "cmp-b", api_name="/admin_compare_adapters")


def test_an_unknown_parent_comes_back_as_an_error_and_queues_nothing(server, ada):
    _, admin, _ = server
    before = len(admin.runs.list_runs(limit=1000))
    with pytest.raises(Exception, match="parent"):
        ada.predict({**DEFAULT_JOB, "parent": "nobody"}, api_name="/admin_start_training")
    assert len(admin.runs.list_runs(limit=1000)) == before
