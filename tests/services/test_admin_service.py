"""The Admin service on a real temporary SQLite database: admins only, input checked before
anything is queued or kept, and the registry, runs and feedback as the stores hold them.
The training side is the real one (``submit_run``, ``load_jsonl``, ``export_feedback``):
none of them trains."""

import inspect
import json
from dataclasses import fields, replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from itune_core.edits import compute_edits
from itune_core.errors import UnknownIntention
from services.access import Access
from services.admin import DEFAULT_JOB, Admin
from services.errors import PermissionDenied
from storage.errors import InvalidState, RecordNotFound
from storage.evaluations import EvaluationStore
from storage.feedback import FeedbackStore
from storage.registry import NewAdapter, Registry
from storage.runs import RunStore
from storage.store import Store
from storage.users import UserStore
from training.data import load_jsonl
from training.feedback import export_feedback
from training.worker import submit_run

PASSWORD = "correct horse battery"
GOOD_LINES = [
    {"before_sent": "He go to school.", "after_sent": "He goes to school.", "labels": "fluency"},
    {
        "before_sent": "The result are good.",
        "after_sent": "The results are good.",
        "labels": "clarity",
    },
]


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


def _admin(store: Store, tmp_path: Path, access: Access) -> Admin:
    runs = RunStore(store.engine)
    feedback = FeedbackStore(store.engine)
    return Admin(
        access=access,
        runs=runs,
        registry=Registry(store.engine),
        evaluations=EvaluationStore(store.engine),
        feedback=feedback,
        uploads_dir=tmp_path / "uploads",
        exports_dir=tmp_path / "exports",
        submit_run=lambda job, by: submit_run(runs, job, by),
        export_feedback_to=lambda path: export_feedback(feedback, path),
        check_upload=lambda path: len(load_jsonl(path)),
    )


@pytest.fixture
def admin(store, tmp_path):
    users = UserStore(store.engine)
    users.create_user("ada", PASSWORD, is_admin=True)
    users.create_user("bob", PASSWORD)
    return _admin(store, tmp_path, Access(users, loopback=True))


@pytest.fixture
def local_admin(store, tmp_path):
    return _admin(store, tmp_path, Access(UserStore(store.engine), loopback=True))


def _adapter(admin: Admin, name: str):
    return admin.registry.register_adapter(
        NewAdapter(name=name, path=f"/runs/{name}", base_model="embedded", method="lora")
    )


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def _tables(store: Store) -> dict[str, int]:
    names = ("training_runs", "evaluations", "activations", "adapters", "run_steps", "run_logs")
    return {name: _count(store, name) for name in names}


def _write(path: Path, lines: list) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _calls(tmp_path: Path, adapter_id: int) -> dict:
    """One call of every public method (arguments that would succeed for an admin)."""
    upload = _write(tmp_path / "good.jsonl", GOOD_LINES)
    return {
        "start_training": ({**DEFAULT_JOB},),
        "feedback_job": (),
        "default_job": (),
        "upload_data": ("good.jsonl", str(upload)),
        "cancel_run": (1,),
        "list_runs": (),
        "run_detail": (1,),
        "evaluate": (),
        "list_evaluations": (),
        "cancel_evaluation": (1,),
        "list_adapters": (),
        "activate": (adapter_id,),
        "rollback": (),
        "serving": (),
        "delete_adapter": (adapter_id,),
        "activation_history": (),
        "feedback_stats": (),
        "compare_adapters": (adapter_id, adapter_id),
        "export_feedback": (),
    }


def _public_methods() -> set[str]:
    attributes = {f.name for f in fields(Admin)}
    return {
        name
        for name, member in inspect.getmembers(Admin, inspect.isfunction)
        if not name.startswith("_") and name not in attributes
    }


def test_every_public_method_is_in_the_refusal_test(tmp_path):
    assert set(_calls(tmp_path, 1)) == _public_methods()


@pytest.mark.parametrize("username", ["bob", None, "mallory"])
def test_every_admin_action_refuses_a_non_admin_and_changes_nothing(
    admin, store, tmp_path, username
):
    adapter = _adapter(admin, "a")
    admin.runs.enqueue_run({**DEFAULT_JOB}, created_by="ada")
    admin.evaluations.enqueue_evaluation(data="iterater-sent", baseline="copy")
    before = _tables(store)
    for name, args in _calls(tmp_path, adapter.id).items():
        with pytest.raises(PermissionDenied, match="admins only"):
            getattr(admin, name)(username, *args)
    assert _tables(store) == before
    assert not any((tmp_path / "uploads").glob("*")) and not (tmp_path / "exports").exists()


def test_local_mode_may_do_admin_actions_recorded_as_local(local_admin):
    run = local_admin.start_training(None, {**DEFAULT_JOB})
    assert run["created_by"] == "local"
    assert [r["id"] for r in local_admin.list_runs(None)] == [run["id"]]


def test_start_training_queues_the_job_with_who_started_it(admin):
    form = {**DEFAULT_JOB, "max_steps": "40", "stage1_steps": 20.0, "lr": "0.002", "name": " "}
    run = admin.start_training("ada", form)
    stored = admin.runs.get_run(run["id"])
    assert (stored.status, stored.created_by) == ("queued", "ada")
    assert stored.config["max_steps"] == 40 and stored.config["stage1_steps"] == 20
    assert stored.config["lr"] == 0.002 and "name" not in stored.config
    assert run["status"] == "queued" and run["name"] == f"intention-tuning-run{run['id']}"
    json.dumps(run)  # the API returns it as it is


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "nope"}, "method"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_steps": 2.5}, "max_steps"),
        ({"warmup": 3}, "warmup"),
        ({"data": "missing.jsonl"}, "missing.jsonl"),
        ({"data": "corpus.csv"}, "data"),
    ],
)
def test_a_bad_job_is_refused_naming_the_field_and_queues_nothing(admin, store, change, field):
    with pytest.raises(ValueError, match=field):
        admin.start_training("ada", {**DEFAULT_JOB, **change})
    assert _count(store, "training_runs") == 0


def test_feedback_job_is_the_default_job_on_feedback_and_can_be_queued(admin):
    job = admin.feedback_job("ada")
    assert job == {**DEFAULT_JOB, "data": "feedback"}
    assert admin.start_training("ada", job)["data"] == "feedback"


def test_an_upload_is_kept_and_can_be_trained_on(admin, tmp_path):
    source = _write(tmp_path / "gradio-tmp-123", GOOD_LINES)
    kept = admin.upload_data("ada", "my data.jsonl", str(source))
    assert kept["rows"] == 2 and kept["name"] == "my data.jsonl"
    path = Path(kept["data"])
    assert path.parent == (tmp_path / "uploads").resolve() and path.suffix == ".jsonl"
    assert " " not in path.name and path.read_bytes() == source.read_bytes()
    run = admin.start_training("ada", {**DEFAULT_JOB, "data": kept["data"]})
    assert run["data"] == kept["data"]


def test_a_bad_upload_names_line_and_field_and_keeps_nothing(admin, tmp_path):
    bad = _write(tmp_path / "tmp", [GOOD_LINES[0], {"before_sent": "No after here."}])
    with pytest.raises(ValueError, match=r"bad\.jsonl line 2.*after_sent") as err:
        admin.upload_data("ada", "bad.jsonl", str(bad))
    assert "uploads" not in str(err.value)
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.parametrize(
    ("filename", "message"), [("notes.csv", "jsonl"), ("empty.jsonl", "empty")]
)
def test_an_upload_of_the_wrong_kind_keeps_nothing(admin, tmp_path, filename, message):
    source = _write(tmp_path / "tmp", GOOD_LINES if filename.endswith("csv") else [])
    with pytest.raises(ValueError, match=message):
        admin.upload_data("ada", filename, str(source))
    assert not any((tmp_path / "uploads").glob("*"))


def test_activate_rollback_and_delete_change_the_active_adapter(admin):
    a, b = _adapter(admin, "a"), _adapter(admin, "b")
    assert admin.activate("ada", a.id) == {"active": "a", "adapter_id": a.id, "intentions": []}
    assert admin.activate("ada", b.id)["active"] == "b"
    assert admin.registry.active_adapter().id == b.id
    assert admin.rollback("ada") == {"active": "a", "adapter_id": a.id, "intentions": []}
    assert admin.registry.active_adapter().id == a.id
    with pytest.raises(InvalidState, match="active"):
        admin.delete_adapter("ada", a.id)
    assert admin.delete_adapter("ada", b.id)["deleted"] is True
    assert [x["name"] for x in admin.list_adapters("ada")] == ["a"]
    assert [x["name"] for x in admin.list_adapters("ada", include_deleted=True)] == ["b", "a"]
    assert admin.activate("ada", None)["active"] is None
    assert admin.registry.active_adapter() is None
    history = admin.activation_history("ada")
    assert [(h["action"], h["adapter"], h["by_user"]) for h in history] == [
        ("activate", None, "ada"),
        ("rollback", "a", "ada"),
        ("activate", "b", "ada"),
        ("activate", "a", "ada"),
    ]


def test_an_intention_set_gets_its_own_adapter_and_the_serving_list_shows_it(admin):
    a, b = _adapter(admin, "a"), _adapter(admin, "b")
    admin.activate("ada", a.id)
    done = admin.activate("ada", b.id, ["coherence"])
    assert done == {"active": "b", "adapter_id": b.id, "intentions": ["coherence"]}
    assert [(s["intentions"], s["adapter"]["name"]) for s in admin.serving("ada")] == [
        ([], "a"),
        (["coherence"], "b"),
    ]
    assert {x["name"]: x["active_for"] for x in admin.list_adapters("ada")} == {
        "b": [["coherence"]],
        "a": [[]],
    }
    assert admin.activation_history("ada")[0]["intentions"] == ["coherence"]
    with pytest.raises(UnknownIntention):
        admin.activate("ada", a.id, ["tone"])
    assert admin.rollback("ada", "coherence")["active"] is None
    assert admin.registry.active_adapter(["coherence"]) is None
    assert admin.registry.active_adapter().id == a.id


def test_activating_an_unknown_adapter_is_refused(admin):
    with pytest.raises(RecordNotFound):
        admin.activate("ada", 99)
    assert admin.registry.active_adapter() is None


def test_run_detail_returns_the_recorded_steps_and_new_log_lines(admin):
    run_id = admin.start_training("ada", {**DEFAULT_JOB})["id"]
    runs = admin.runs
    runs.claim_next_run(worker_pid=1)
    runs.record_step(
        run_id,
        stage=1,
        step=1,
        loss=2.5,
        selected=[0, 2],
        norms={0: 1.5, 1: 0.5, 2: 2.0},
        progress=0.25,
        total_steps=4,
    )
    runs.append_log(run_id, "first")
    runs.record_step(
        run_id,
        stage=1,
        step=2,
        loss=float("nan"),
        selected=[1],
        norms={0: 0.1, 1: 3.0, 2: 0.2},
        progress=0.5,
    )
    runs.append_log(run_id, "second")
    detail = admin.run_detail("ada", run_id)
    assert detail["steps"] == [
        {
            "stage": 1,
            "step": 1,
            "loss": 2.5,
            "selected": [0, 2],
            "norms": {"0": 1.5, "1": 0.5, "2": 2.0},
        },
        {
            "stage": 1,
            "step": 2,
            "loss": None,
            "selected": [1],
            "norms": {"0": 0.1, "1": 3.0, "2": 0.2},
        },
    ]
    assert [line["line"] for line in detail["logs"]] == ["first", "second"]
    assert detail["run"]["progress"] == 0.5 and detail["run"]["total_steps"] == 4
    assert detail["run"]["status"] == "running" and detail["selection"] is None
    newer = admin.run_detail("ada", run_id, after_log_id=detail["logs"][0]["id"])
    assert [line["line"] for line in newer["logs"]] == ["second"]
    json.dumps(detail, allow_nan=False)


def test_a_finished_run_shows_its_selection_and_its_adapter(admin, tmp_path):
    run_id = admin.start_training("ada", {**DEFAULT_JOB, "name": "it-small"})["id"]
    admin.runs.claim_next_run(worker_pid=1)
    folder = tmp_path / "run-1"
    folder.mkdir()
    selection = {
        "num_blocks": 4,
        "method": "intention-tuning",
        "s_gen": [1, 3],
        "adapter_blocks": [1, 3],
        "stage1": {"G": [2, 9, 1, 7], "s_pre": [1, 3], "history": [{"step": 1}]},
        "alignment_ratio": 0.75,
        "stage2": {"G": [0, 6, 0, 6], "dynamic": False},
    }
    (folder / "selection.json").write_text(json.dumps(selection))
    adapter = NewAdapter(name="it-small", path=str(folder), base_model="embedded", method="lora")
    admin.runs.complete_run(run_id, str(folder), adapter)
    detail = admin.run_detail("ada", run_id)
    assert detail["selection"]["G"] == [2, 9, 1, 7]
    assert detail["selection"]["s_gen"] == [1, 3]
    assert detail["selection"]["alignment_ratio"] == 0.75
    assert detail["selection"]["G_stage2"] == [0, 6, 0, 6]
    [listed] = admin.list_runs("ada")
    assert (listed["status"], listed["adapter"], listed["progress"]) == (
        "succeeded",
        "it-small",
        1.0,
    )


def test_cancel_ends_a_queued_run(admin):
    run = admin.start_training("ada", {**DEFAULT_JOB})
    cancelled = admin.cancel_run("ada", run["id"])
    assert cancelled["status"] == "cancelled" and cancelled["cancel_requested"]
    with pytest.raises(InvalidState):
        admin.cancel_run("ada", run["id"])


def test_evaluations_are_queued_and_listed_with_their_scores(admin):
    adapter = _adapter(admin, "a")
    first = admin.evaluate("ada", baseline="copy", limit="20")
    second = admin.evaluate("ada", adapter_id=adapter.id, data="iterater-doc", baseline="")
    assert (first["subject"], first["limit"], first["status"]) == ("baseline: copy", 20, "queued")
    assert (second["subject"], second["data"]) == ("a", "iterater-doc")
    claimed = admin.evaluations.claim_next_evaluation(worker_pid=1)
    report = {
        "metrics": {
            "sari": 40.0,
            "sari_iterater": 36.0,
            "sari_t2t": 38.5,
            "gleu": 70.1,
            "update_r": 12.0,
            "n": 20,
        },
        "prediction": {"macro_f1": 0.5},
    }
    admin.evaluations.finish_evaluation(claimed.id, "succeeded", report=report)
    listed = {e["id"]: e for e in admin.list_evaluations("ada")}
    done = listed[first["id"]]
    keys = ("sari", "sari_iterater", "sari_t2t", "gleu", "update_r", "f1")
    assert tuple(done[k] for k in keys) == (
        40.0,
        36.0,
        38.5,
        70.1,
        12.0,
        0.5,
    )
    assert listed[second["id"]]["sari"] is None and listed[second["id"]]["status"] == "queued"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "either an adapter or a baseline"),
        ({"baseline": "copy", "adapter_id": 1}, "either an adapter or a baseline"),
        ({"baseline": "oracle"}, "baseline must be one of"),
        ({"baseline": "copy", "split": "val"}, "split"),
        ({"baseline": "copy", "limit": 0}, "limit"),
        ({"baseline": "copy", "data": "feedback"}, "feedback"),
    ],
)
def test_a_bad_evaluation_is_refused_and_queues_nothing(admin, store, kwargs, message):
    _adapter(admin, "a")
    with pytest.raises(ValueError, match=message):
        admin.evaluate("ada", **kwargs)
    assert _count(store, "evaluations") == 0


def _accepted_revision(store: Store) -> int:
    source, revised = (
        "He go to school . The result are good.",
        "He goes to school. The results are good.",
    )
    edits = [
        replace(e, intention="fluency", confidence=0.9) for e in compute_edits(source, revised)
    ]
    revision_id = store.record_revision(
        source=source,
        revised=revised,
        intentions=["fluency"],
        edits=edits,
        model="embedded",
        adapter="a",
        latency_ms=1.0,
    )
    store.record_decision(revision_id, 0, "accept")
    store.record_decision(revision_id, 1, "reject", reason="unnecessary")
    return revision_id


def test_feedback_stats_count_the_decisions(admin, store):
    _accepted_revision(store)
    stats = admin.feedback_stats("ada")
    assert (stats["revisions"], stats["overall"]["accepted"], stats["overall"]["rejected"]) == (
        1,
        1,
        1,
    )
    assert stats["overall"]["rate"] == 0.5
    assert [(a["key"], a["accepted"]) for a in stats["by_adapter"]] == [("a", 1)]
    assert [a["key"] for a in stats["by_intention"]] == ["fluency"]


def test_export_writes_a_new_file_of_the_accepted_edits(admin, store, tmp_path):
    revision_id = _accepted_revision(store)
    export = admin.export_feedback("ada")
    path = Path(export["file"])
    assert path.parent == (tmp_path / "exports").resolve() and path.suffix == ".jsonl"
    assert (export["rows"], export["revisions"], export["revision_ids"]) == (1, 1, [revision_id])
    assert len(load_jsonl(path)) == 1
    assert admin.export_feedback("ada")["file"] != export["file"]


def test_export_with_nothing_accepted_says_so(admin, tmp_path):
    with pytest.raises(ValueError, match="no accepted"):
        admin.export_feedback("ada")
    assert not any((tmp_path / "exports").glob("*.jsonl"))


# --- parents and comparisons ----------------------------------------------------------------


def _bundle(folder: Path, method: str) -> Path:
    """The files of a finished run's folder (empty weights: nothing loads them here)."""
    folder.mkdir(parents=True)
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (folder / name).write_text("{}")
    (folder / "lineage.json").write_text(json.dumps({"method": method, "base_model": "m"}))
    (folder / "metrics.json").write_text("{}")
    return folder


def test_a_job_names_its_parent_by_id_or_name_and_trains_from_its_folder(admin, tmp_path):
    folder = _bundle(tmp_path / "round-0", "lora")
    parent = admin.registry.register_adapter(
        NewAdapter(name="round-0", path=str(folder), base_model="m", method="lora")
    )
    for ref in (parent.id, "round-0", str(parent.id)):
        run = admin.start_training("ada", {**DEFAULT_JOB, "method": "lora", "parent": ref})
        stored = admin.runs.get_run(run["id"]).config
        assert (stored["parent"], stored["init_from"]) == (parent.id, str(folder))
    with pytest.raises(ValueError, match=r"init_from: .* method 'lora', not 'dora'"):
        admin.start_training("ada", {**DEFAULT_JOB, "method": "dora", "parent": "round-0"})
    with pytest.raises(ValueError, match=r"init_from: .* is not an adapter bundle"):
        admin.start_training("ada", {**DEFAULT_JOB, "init_from": str(tmp_path)})


@pytest.mark.parametrize("ref", ["nobody", 99])
def test_an_unknown_parent_is_refused_before_queueing(admin, store, ref):
    with pytest.raises(ValueError, match="parent"):
        admin.start_training("ada", {**DEFAULT_JOB, "parent": ref})
    assert _count(store, "training_runs") == 0


def test_a_deleted_parent_is_refused(admin, store):
    parent = _adapter(admin, "gone")
    admin.delete_adapter("ada", parent.id)
    with pytest.raises(ValueError, match="deleted"):
        admin.start_training("ada", {**DEFAULT_JOB, "parent": "gone"})
    assert _count(store, "training_runs") == 0


def test_feedback_fields_are_refused_on_other_data(admin, store):
    for extra in ({"feedback_negatives": True}, {"replay_data": "iterater-sent"}):
        with pytest.raises(ValueError, match="only a job on data: feedback"):
            admin.start_training("ada", {**DEFAULT_JOB, **extra})
    with pytest.raises(ValueError, match="replay_data"):
        admin.start_training(
            "ada", {**DEFAULT_JOB, "data": "feedback", "replay_data": "argrewrite"}
        )
    assert _count(store, "training_runs") == 0
    job = {**DEFAULT_JOB, "data": "feedback", "replay_data": "iterater-sent", "replay_limit": "50"}
    run = admin.start_training("ada", {**job, "feedback_negatives": True})
    stored = admin.runs.get_run(run["id"]).config
    assert (stored["replay_limit"], stored["feedback_negatives"]) == (50, True)


def test_the_registry_view_shows_the_parent_and_the_feedback_it_used(admin):
    parent = _adapter(admin, "round-0")
    admin.registry.register_adapter(
        NewAdapter(
            name="round-1",
            path="/runs/round-1",
            base_model="embedded",
            method="lora",
            feedback_revision_ids=(3, 4),
            parent_id=parent.id,
        )
    )
    views = {a["name"]: a for a in admin.list_adapters("ada")}
    assert (views["round-1"]["parent_id"], views["round-1"]["parent"]) == (parent.id, "round-0")
    assert views["round-1"]["feedback_revisions"] == 2
    assert views["round-0"]["parent"] is None and views["round-0"]["feedback_revisions"] == 0


def _revision_with(store: Store, adapter: str, decisions: list[str]) -> None:
    source, revised = "He go to school . It are red .", "He goes to school. It is red."
    edits = [replace(e, intention="fluency") for e in compute_edits(source, revised)]
    revision_id = store.record_revision(
        source=source,
        revised=revised,
        intentions=["fluency"],
        edits=edits[: len(decisions)],
        model="m",
        adapter=adapter,
        latency_ms=1.0,
    )
    for position, decision in enumerate(decisions):
        store.record_decision(revision_id, position, decision)


def test_compare_adapters_puts_two_adapters_acceptance_side_by_side(admin, store):
    a, b = _adapter(admin, "round-0"), _adapter(admin, "round-1")
    _revision_with(store, "round-0", ["accept", "reject"])
    _revision_with(store, "round-1", ["accept", "accept"])
    both = admin.compare_adapters("ada", a.id, "round-1")
    assert (both["a"]["name"], both["b"]["adapter_id"]) == ("round-0", b.id)
    assert both["a"]["overall"] == {"key": "round-0", "accepted": 1, "rejected": 1, "rate": 0.5}
    assert both["b"]["overall"]["rate"] == 1.0
    assert both["b"]["by_intention"] == [
        {"key": "fluency", "accepted": 2, "rejected": 0, "rate": 1.0}
    ]
    json.dumps(both)
    with pytest.raises(ValueError, match="b: no registered adapter"):
        admin.compare_adapters("ada", a.id, "nobody")
