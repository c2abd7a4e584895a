"""The Admin tab's handlers over a real ``Admin`` on a temporary SQLite database, and the
tab inside ``build_ui``: shown to admins only.

The training side is faked as ``app.py`` injects it: queueing without a TrainConfig check,
an upload check that names the line and field, an export that writes one row.
"""

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from itune_core.edits import compute_edits
from services.access import ADMINS_ONLY, Access
from services.admin import Admin
from storage.evaluations import EvaluationStore
from storage.feedback import FeedbackStore
from storage.registry import NewAdapter, Registry
from storage.runs import RunStore
from storage.store import Store
from storage.users import UserStore
from ui import build_ui
from ui.admin_tab import AdminHandlers, build_admin_tab
from ui.plots import STAGES

PASSWORD = "correct horse battery"
ADA, BOB = gr.Request(username="ada"), gr.Request(username="bob")
# model, data, method, max_steps, stage1_steps, batch_size, lr, max_length, name
FORM = ("embedded", "iterater-sent", "intention-tuning", 20, 10, 4, 0.001, 128, "first")
SKIP = gr.skip()
EXPORTED = '{"before_sent": "He go.", "after_sent": "He goes.", "labels": "fluency"}\n'


def _check_upload(path: Path) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        for field in ("before_sent", "after_sent"):
            if field not in json.loads(line):
                raise ValueError(f"{path} line {number}: missing field {field!r}")
    return len(lines)


def _export(path: Path) -> SimpleNamespace:
    path.write_text(EXPORTED, encoding="utf-8")
    return SimpleNamespace(path=path, rows=1, revision_ids=(1,))


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield store
    store.close()


def _admin(store: Store, tmp_path: Path, users: UserStore) -> Admin:
    runs = RunStore(store.engine)
    return Admin(
        access=Access(users, loopback=True),
        runs=runs,
        registry=Registry(store.engine),
        evaluations=EvaluationStore(store.engine),
        feedback=FeedbackStore(store.engine),
        uploads_dir=tmp_path / "uploads",
        exports_dir=tmp_path / "exports",
        submit_run=lambda job, by: runs.enqueue_run(job, created_by=by),
        export_feedback_to=_export,
        check_upload=_check_upload,
    )


@pytest.fixture
def admin(store, tmp_path):
    users = UserStore(store.engine)
    users.create_user("ada", PASSWORD, is_admin=True)
    users.create_user("bob", PASSWORD)
    return _admin(store, tmp_path, users)


@pytest.fixture
def h(admin):
    return AdminHandlers(admin)


def _adapter(admin: Admin, name: str) -> int:
    adapter = NewAdapter(name=name, path=f"/runs/{name}", base_model="embedded", method="lora")
    return admin.registry.register_adapter(adapter).id


def _finished_run(admin: Admin, folder: Path) -> int:
    """A run of 3 Stage-I and 4 Stage-II steps over 4 blocks, with its selection.json."""
    job = {"method": "intention-tuning", "data": "iterater-sent", "name": "it-1"}
    run_id = admin.runs.enqueue_run(job, created_by="ada")
    admin.runs.claim_next_run(worker_pid=1)
    admin.runs.append_log(run_id, "Stage I: 3 steps")
    for stage, count, chosen in ((1, 3, [0, 2]), (2, 4, [2, 3])):
        for step in range(1, count + 1):
            norms = {b: 0.1 * (b + 1) for b in range(4)}
            admin.runs.record_step(
                run_id, stage=stage, step=step, loss=2.0 / step, selected=chosen, norms=norms,
                progress=0.5, total_steps=7,
            )  # fmt: skip
    out = folder / f"run-{run_id}"
    out.mkdir()
    selection = {
        "num_blocks": 4,
        "s_gen": [2, 3],
        "alignment_ratio": 0.5,
        "stage1": {"G": [3, 0, 3, 0]},
        "stage2": {"G": [0, 0, 4, 4]},
    }
    (out / "selection.json").write_text(json.dumps(selection))
    adapter = NewAdapter(name="it-1", path=str(out), base_model="embedded", method="lora")
    admin.runs.complete_run(run_id, str(out), adapter)
    return run_id


def _plot(value) -> dict:
    return json.loads(value.plot)


# --- Train ----------------------------------------------------------------------------------


def test_start_queues_the_form_and_picks_the_new_run(h, admin):
    message, picker, choices = h.start(*FORM, request=ADA)
    [run] = admin.list_runs("ada")
    assert run["created_by"] == "ada" and run["name"] == "first"
    config = run["config"]
    assert (config["max_steps"], config["stage1_steps"], config["batch_size"]) == (20, 10, 4)
    assert (config["lr"], config["max_length"], config["model"]) == (0.001, 128, "embedded")
    assert f"#{run['id']}" in message
    assert picker.value == run["id"] and choices == [(f"#{run['id']} first · iterater-sent", 1)]


def test_a_lora_job_leaves_stage_one_steps_and_an_empty_name_out(h, admin):
    h.start("embedded", "iterater-sent", "lora", 20, 10, 4, 0.001, 128, "", request=ADA)
    config = admin.list_runs("ada")[0]["config"]
    assert config["method"] == "lora"
    assert "stage1_steps" not in config and "name" not in config
    assert "edit_weight" not in config  # the default weight is left to the config


def test_an_edit_weight_from_the_form_reaches_the_run(h, admin):
    h.start(*FORM, 3.0, request=ADA)
    assert admin.list_runs("ada")[0]["config"]["edit_weight"] == 3.0


def test_a_bad_job_is_a_gr_error_and_queues_nothing(h, admin):
    form = list(FORM)
    form[1] = "notes.csv"
    with pytest.raises(gr.Error, match="data must be one of"):
        h.start(*form, request=ADA)
    assert admin.list_runs("ada") == []


def test_an_upload_is_kept_and_picked_as_the_data_to_train_on(h, admin, tmp_path):
    # Gradio hands the handler its temporary copy, named as the uploader's file.
    upload = tmp_path / "gradio" / "mine.jsonl"
    upload.parent.mkdir()
    upload.write_text(EXPORTED * 2, encoding="utf-8")
    data, message = h.upload(str(upload), ADA)
    kept = Path(data.value)
    assert kept.parent == (tmp_path / "uploads").resolve() and kept.read_text() == EXPORTED * 2
    assert data.choices[-1] == ("upload: mine.jsonl (2 rows)", data.value)
    assert "2 revisions" in message
    form = list(FORM)
    form[1] = data.value
    h.start(*form, request=ADA)
    assert admin.list_runs("ada")[0]["data"] == data.value


def test_a_malformed_upload_names_the_line_and_field_and_keeps_nothing(h, tmp_path):
    upload = tmp_path / "bad.jsonl"
    upload.write_text(EXPORTED + '{"before_sent": "x"}\n', encoding="utf-8")
    with pytest.raises(gr.Error, match=r"bad\.jsonl line 2: missing field 'after_sent'"):
        h.upload(str(upload), ADA)
    assert list((tmp_path / "uploads").iterdir()) == []


# --- Runs -----------------------------------------------------------------------------------


def test_the_runs_table_lists_a_queued_run_and_picks_the_newest(h):
    h.start(*FORM, request=ADA)
    h.start("embedded", "argrewrite", "dora", 5, None, 2, 0.01, 64, "second", request=ADA)
    rows, picker, choices, status, *_ = h.tick(None, [], {}, ADA)
    assert [row[:5] for row in rows] == [
        [2, "second", "queued", "dora", "argrewrite"],
        [1, "first", "queued", "intention-tuning", "iterater-sent"],
    ]
    assert picker.value == 2 and [value for _, value in choices] == [2, 1]
    assert "#2 second" in status and "queued" in status


def test_a_tick_leaves_the_picker_alone_until_a_run_is_added(h):
    h.start(*FORM, request=ADA)
    _, _, choices, *view = h.tick(None, [], {}, ADA)
    _, picker, same, *_ = h.tick(1, choices, view[-1], ADA)
    assert picker == SKIP and same == choices
    h.start(*FORM, request=ADA)
    _, picker, _, *_ = h.tick(1, choices, view[-1], ADA)
    assert picker.value == 1 and [value for _, value in picker.choices] == [2, 1]


def test_a_finished_run_shows_its_loss_norms_g_selection_and_log(h, admin, tmp_path):
    run_id = _finished_run(admin, tmp_path)
    status, loss, norms, g, selection, log, cancel, _ = h.show_run(run_id, {}, ADA)
    assert "succeeded" in status and "step 7 / 7" in status and "it-1" in status
    assert len(_plot(loss)["datasets"]["points"]) == 7
    heatmap = _plot(norms)["datasets"]
    assert len(heatmap["cells"]) == 7 * 4
    assert {(p["block"], p["stage"]) for p in heatmap["selected"]} == {
        (0, STAGES[1]),
        (2, STAGES[1]),
        (2, STAGES[2]),
        (3, STAGES[2]),
    }
    assert [bar["role"] for bar in _plot(g)["datasets"]["bars"]] == ["other"] * 2 + ["S_gen"] * 2
    assert "**S_gen** = 2-3 (2 blocks)" in selection and "**alignment ratio** 0.50" in selection
    assert log.endswith("Stage I: 3 steps")
    assert cancel.interactive is False


def test_each_tick_fetches_new_log_lines_and_redraws_only_after_new_steps(h, admin):
    run_id = admin.runs.enqueue_run({"method": "lora", "data": "iterater-sent"}, "ada")
    admin.runs.claim_next_run(worker_pid=1)

    def step(k: int) -> None:
        admin.runs.record_step(
            run_id, stage=2, step=k, loss=1.0, selected=[0], norms={0: 1.0}, progress=k / 9
        )

    step(1)
    admin.runs.append_log(run_id, "first line")
    first = h.show_run(run_id, {}, ADA)
    admin.runs.append_log(run_id, "second line")
    second = h.show_run(run_id, first[-1], ADA)
    assert second[1:4] == (SKIP, SKIP, SKIP)  # no new step: the plots stay as they are
    assert [line[10:] for line in second[5].splitlines()] == ["first line", "second line"]
    assert second[6].interactive is True  # a running run can be cancelled
    step(2)
    third = h.show_run(run_id, second[-1], ADA)
    assert len(_plot(third[1])["datasets"]["points"]) == 2
    assert third[5] == second[5]


def test_cancel_cancels_the_picked_queued_run(h, admin):
    h.start(*FORM, request=ADA)
    button = h.cancel(1, ADA)
    assert button.interactive is False
    assert admin.list_runs("ada")[0]["status"] == "cancelled"
    with pytest.raises(gr.Error, match="cancelled"):
        h.cancel(1, ADA)


# --- Evaluate -------------------------------------------------------------------------------


def test_evaluate_offers_adapters_and_baselines_and_lists_what_it_queued(h, admin):
    _adapter(admin, "a1")
    subject, rows = h.open_evaluate(None, ADA)
    values = [value for _, value in subject.choices]
    assert values == ["adapter:1", "baseline:copy", "baseline:zero-shot"] and rows == []
    message, rows = h.evaluate("baseline:copy", "iterater-sent", "test", 0, ADA)
    assert "#1" in message
    assert rows == [[1, "baseline: copy", "iterater-sent", "test", "all"] + [""] * 6 + ["queued"]]
    _, rows = h.evaluate("adapter:1", "iterater-sent", "dev", 25, ADA)
    assert rows[0][:5] == [2, "a1", "iterater-sent", "dev", 25]


def test_the_evaluation_table_shows_the_scores_once_done(h, admin):
    evaluation_id = admin.evaluations.enqueue_evaluation(data="iterater-sent", baseline="copy")
    report = {
        "metrics": {
            "n": 100,
            "sari": 37.4,
            "sari_iterater": 31.2,
            "sari_t2t": 33.1,
            "gleu": 62.0,
            "update_r": 12.5,
        },
        "prediction": {"macro_f1": 0.58},
    }
    admin.evaluations.finish_evaluation(evaluation_id, "succeeded", report=report)
    [row] = h.evaluations(ADA)
    assert row[4:] == [100, "37.40", "31.20", "33.10", "62.00", "12.50", "0.58", "succeeded"]


def test_evaluate_without_a_subject_is_a_gr_error(h):
    with pytest.raises(gr.Error, match="pick an adapter or a baseline"):
        h.evaluate(None, "iterater-sent", "test", 0, ADA)


# --- Registry -------------------------------------------------------------------------------


def test_activate_changes_the_serving_now_line(h, admin):
    _adapter(admin, "a1")
    _, picker, serving, history = h.registry(None, ADA)
    assert "ITUNE_ADAPTER" in serving and "itune-default-clarity" in serving and history == []
    assert "revise again, each for its intention alone" in serving and "everyday prose" in serving
    assert "itune-default-style" in serving and "itune-default-fluency" in serving
    assert [value for _, value in picker.choices] == ["base", "1"]
    table, _, serving, history = h.activate("1", [], ADA)
    assert serving.startswith("**Serving now:** adapter `a1` (#1")
    assert table[0][:3] == ["● serving every intention set", 1, "a1"]
    assert [row[1:] for row in history] == [["activate", "a1", "every intention set", "ada"]]
    _, _, serving, _ = h.activate("base", [], ADA)
    assert serving == "**Serving now:** the base model (no adapter)"


def test_an_intention_set_s_own_adapter_is_listed_under_the_default(h, admin):
    _adapter(admin, "a1")
    _adapter(admin, "a2")
    h.activate("1", [], ADA)
    table, _, serving, history = h.activate("2", ["style", "fluency"], ADA)
    assert serving.splitlines() == [
        "**Serving now:** adapter `a1` (#1, lora on `embedded`)",
        "- for fluency, style only: adapter `a2` (#2, lora on `embedded`)",
    ]
    assert {row[2]: row[0] for row in table} == {
        "a1": "● serving every intention set",
        "a2": "● serving fluency, style",
    }
    assert history[0][1:4] == ["activate", "a2", "fluency, style"]
    _, _, serving, _ = h.rollback(None, ["fluency", "style"], ADA)
    assert serving.splitlines()[1] == "- for fluency, style only: the base model (no adapter)"


def test_rollback_goes_back_to_the_adapter_active_before(h, admin):
    _adapter(admin, "a1")
    _adapter(admin, "a2")
    h.activate("1", [], ADA)
    h.activate("2", [], ADA)
    _, _, serving, history = h.rollback("2", [], ADA)
    assert "`a1`" in serving and history[0][1:3] == ["rollback", "a1"]


def test_the_registry_shows_an_adapters_lineage(h, admin):
    _adapter(admin, "a1")
    adapter = NewAdapter(
        name="it-2",
        path="/runs/it-2",
        base_model="embedded",
        method="intention-tuning",
        s_gen=(2, 3),
        lineage={"hyperparameters": {"max_steps": 40, "lr": 0.001, "batch_size": 8}},
        metrics={"total_seconds": 12.0, "stage2": {"loss_last": 0.5}},
        data_hash="0123456789abcdef",
        feedback_revision_ids=(4, 5, 6),
    )
    admin.registry.register_adapter(adapter)
    table, *_ = h.registry(None, ADA)
    assert table[0][1:11] == [
        2,
        "it-2",
        "intention-tuning",
        "embedded",
        "2-3 (2 blocks)",
        "0123456789ab",
        3,
        "steps 40, batch 8, lr 0.001",
        "loss 0.500, 12 s",
        "—",
    ]


def test_deleting_the_active_adapter_is_a_gr_error_and_an_idle_one_goes(h, admin):
    _adapter(admin, "a1")
    _adapter(admin, "a2")
    h.activate("1", [], ADA)
    with pytest.raises(gr.Error, match="active"):
        h.delete("1", ADA)
    table, picker, _, _ = h.delete("2", ADA)
    assert [row[0] for row in table if row[1] == 2] == ["deleted"]
    assert [value for _, value in picker.choices] == ["base", "1"]


# --- Feedback -------------------------------------------------------------------------------


def test_feedback_counts_acceptance_per_intention_and_per_adapter(h, store):
    edits = compute_edits("He go to school yesterday .", "He went to school yesterday.")
    edits = [replace(e, intention="fluency" if k else "clarity") for k, e in enumerate(edits)]
    revision_id = store.record_revision(
        source="He go to school yesterday .",
        revised="He went to school yesterday.",
        intentions=["fluency"],
        edits=edits,
        model="m",
        adapter="a1",
        latency_ms=1.0,
    )
    for position in range(len(edits)):
        store.record_decision(revision_id, position, "reject" if position == 0 else "accept")
    summary, by_intention, by_adapter, chart = h.feedback(ADA)
    accepted = len(edits) - 1
    assert f"**1** revisions · **{len(edits)}** edits" in summary
    assert ["clarity", 0, 1, "0%"] in by_intention and [
        "fluency",
        accepted,
        0,
        "100%",
    ] in by_intention
    assert by_adapter == [["a1", accepted, 1, f"{accepted / len(edits):.0%}"]]
    assert {bar["key"] for bar in _plot(chart)["datasets"]["bars"]} == {"clarity", "fluency"}


def test_feedback_says_how_often_writers_take_what_was_held_back(h, store):
    from itune_core.suggestions import Suggestion

    source, revised = "He go to school on 5 May .", "He went to school on 5 May ."
    offered = compute_edits(source, revised)
    held = compute_edits(source, "He go to school on 6 May .")
    revision_id = store.record_revision(
        source=source,
        revised=revised,
        intentions=["fluency"],
        edits=offered,
        model="m",
        latency_ms=1.0,
        suggestions=[Suggestion(held[0], "changes the fact '5'", "fact")],
    )
    summary, *_ = h.feedback(ADA)
    assert "**1** were held back and offered as suggestions: **0** taken, **0** rejected" in summary
    store.record_decision(revision_id, len(offered), "accept")
    summary, *_ = h.feedback(ADA)
    assert (
        "suggestions: **1** taken, **0** rejected (by what held them back: fact 1 taken" in summary
    )


def test_export_offers_a_copy_of_the_export_to_download(h, tmp_path):
    file, message = h.export(ADA)
    assert file.visible is True and file.value["orig_name"].startswith("feedback-")
    assert Path(file.value["path"]).read_text(encoding="utf-8") == EXPORTED
    [kept] = (tmp_path / "exports").iterdir()
    assert kept.name == file.value["orig_name"] and "**1** rows" in message


def test_train_from_feedback_fills_the_form_and_opens_train(h):
    values = h.train_from_feedback(ADA)
    model, data, method, max_steps, stage1, batch_size, lr, max_length, name, weight = values[:10]
    message, tabs = values[-2:]  # after the feedback fields (left empty)
    assert weight == 1.0
    assert (model, data, method) == ("embedded", "feedback", "intention-tuning")
    assert (max_steps, batch_size, lr, max_length) == (30, 8, 1e-3, 256)
    assert stage1.value == 15 and stage1.visible is True
    assert name == "" and tabs.selected == "train" and "feedback" in message


# --- admins only ----------------------------------------------------------------------------


def _every_handler(h: AdminHandlers, request, upload: str) -> dict:
    return {
        "start": lambda: h.start(*FORM, request=request),
        "upload": lambda: h.upload(upload, request),
        "refresh_runs": lambda: h.refresh_runs(None, [], request),
        "tick": lambda: h.tick(None, [], {}, request),
        "show_run": lambda: h.show_run(1, {}, request),
        "cancel": lambda: h.cancel(1, request),
        "evaluations": lambda: h.evaluations(request),
        "open_evaluate": lambda: h.open_evaluate(None, request),
        "evaluate": lambda: h.evaluate("baseline:copy", "iterater-sent", "test", 0, request),
        "registry": lambda: h.registry(None, request),
        "activate": lambda: h.activate("1", [], request),
        "rollback": lambda: h.rollback(None, [], request),
        "delete": lambda: h.delete("1", request),
        "feedback": lambda: h.feedback(request),
        "compare_pickers": lambda: h.compare_pickers(None, None, request),
        "compare": lambda: h.compare("1", "1", request),
        "export": lambda: h.export(request),
        "train_from_feedback": lambda: h.train_from_feedback(request),
    }


def _refusal(call) -> str:
    """The gr.Error message a call raises (or what it did instead)."""
    try:
        call()
    except gr.Error as err:
        return err.message
    return "no error"


@pytest.mark.parametrize("request_", [BOB, gr.Request(), gr.Request(username="mallory")])
def test_every_handler_refuses_a_non_admin_with_a_gr_error(h, admin, tmp_path, request_):
    _adapter(admin, "a1")
    h.start(*FORM, request=ADA)
    upload = tmp_path / "mine.jsonl"
    upload.write_text(EXPORTED, encoding="utf-8")
    calls = _every_handler(h, request_, str(upload))
    assert set(calls) == {n for n in vars(AdminHandlers) if not n.startswith("_")}
    assert {name: _refusal(call) for name, call in calls.items()} == dict.fromkeys(
        calls, ADMINS_ONLY
    )
    assert [r["status"] for r in admin.list_runs("ada")] == ["queued"]
    assert admin.list_evaluations("ada") == [] and admin.activation_history("ada") == []
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "exports").exists()


# --- the tab in the page --------------------------------------------------------------------


def test_the_tab_has_five_sub_tabs_and_its_timers_tick_only_where_needed(admin):
    with gr.Blocks():
        with gr.Tab("Admin"):
            parts = build_admin_tab(admin)
    assert [tab.id for tab in parts["tabs"].children] == [
        "train",
        "runs",
        "evaluate",
        "registry",
        "feedback",
    ]
    assert [timer.active for timer in parts["timers"]] == [False, False]
    assert [timer.active for timer in parts["on_show"]("runs")] == [True, False]
    assert [timer.active for timer in parts["on_show"]("evaluate")] == [False, True]
    assert [timer.active for timer in parts["on_hide"]()] == [False, False]


def _on_load(blocks: gr.Blocks):
    [found] = [f.fn for f in blocks.fns.values() if f.name == "on_load"]
    return found


def _tab_labels(blocks: gr.Blocks) -> list[str]:
    return [b.label for b in blocks.blocks.values() if isinstance(b, gr.Tab)]


def test_build_ui_shows_the_admin_tab_to_admins_only_and_names_the_user(admin):
    # The Studio is not called while the page is declared, only by the Revise handlers.
    blocks = build_ui(SimpleNamespace(), admin=admin)
    assert _tab_labels(blocks)[:3] == ["Revise", "History", "Admin"]
    tab, line = _on_load(blocks)(ADA)
    assert tab.visible is True
    assert "Signed in as <code>ada</code>" in line and '<a href="logout">Log out</a>' in line
    tab, line = _on_load(blocks)(BOB)
    assert tab.visible is False and "<code>bob</code>" in line


def test_build_ui_in_local_mode_shows_the_admin_tab_without_a_login_line(store, tmp_path):
    blocks = build_ui(SimpleNamespace(), admin=_admin(store, tmp_path, UserStore(store.engine)))
    tab, line = _on_load(blocks)(gr.Request())
    assert tab.visible is True and line == ""


def test_build_ui_without_admin_has_no_admin_tab():
    blocks = build_ui(SimpleNamespace())
    assert "Admin" not in _tab_labels(blocks)
    assert not [f for f in blocks.fns.values() if f.name == "on_load"]


def test_block_ranges_name_runs_of_blocks():
    from ui.admin_views import block_ranges

    assert block_ranges([3, 1, 2, 7, 9, 8, 12]) == "1-3, 7-9, 12 (7 blocks)"
    assert block_ranges([5]) == "5 (1 block)" and block_ranges([]) == "none"


def test_the_registry_shows_each_adapters_parent(h, admin):
    parent = _adapter(admin, "round-0")
    admin.registry.register_adapter(
        NewAdapter(name="round-1", path="/runs/r1", base_model="m", method="lora", parent_id=parent)
    )
    table, *_ = h.registry(None, ADA)
    assert [(row[2], row[-1]) for row in table] == [("round-1", "round-0 (#1)"), ("round-0", "")]


def test_compare_shows_two_adapters_acceptance_per_intention(h, admin, store):
    _adapter(admin, "a1")
    _adapter(admin, "a2")
    edits = compute_edits("He go to school yesterday .", "He went to school yesterday.")
    edits = [replace(e, intention="fluency") for e in edits]
    revision_id = store.record_revision(
        source="He go to school yesterday .",
        revised="He went to school yesterday.",
        intentions=["fluency"],
        edits=edits[:1],
        model="m",
        adapter="a1",
        latency_ms=1.0,
    )
    store.record_decision(revision_id, 0, "accept")
    a, b = h.compare_pickers("1", "9", ADA)
    assert [v for _, v in a.choices] == ["2", "1"] and (a.value, b.value) == ("1", None)
    rows = h.compare("1", "2", ADA)
    assert rows == [["overall", 1, 0, "100%", 0, 0, "—"], ["fluency", 1, 0, "100%", 0, 0, "—"]]
    with pytest.raises(gr.Error, match="pick two"):
        h.compare("1", None, ADA)


def test_the_feedback_fields_go_into_a_job_on_the_feedback_only():
    from ui.admin_views import TRAIN_FORM, job_from_form

    values = dict.fromkeys(TRAIN_FORM, "")
    values.update(method="lora", replay_data="iterater-sent", feedback_negatives=True)
    job = job_from_form(*(values[name] for name in TRAIN_FORM))
    assert not {"replay_data", "feedback_negatives"} & set(job)
    values["data"] = "feedback"
    job = job_from_form(*(values[name] for name in TRAIN_FORM))
    assert (job["replay_data"], job["feedback_negatives"]) == ("iterater-sent", True)
