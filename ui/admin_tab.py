"""The Admin tab (admins only): train, follow runs, evaluate, the adapter registry, feedback.

Layout and short handlers over ``ui.admin.Admin``, which checks on every call that the
caller is an admin (``ui.build_ui`` also hides the tab from everyone else). All that is
shown is read from the database, so a reloaded page shows the live run. Handlers pass the
logged-in name (``request.username``; None without login) and turn domain errors and
ValueError into ``gr.Error`` with the message. The events are private: the same actions
are public as ``ui.admin_api``'s endpoints.
"""

import html
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from itune_core.errors import ItuneError
from itune_core.intentions import INTENTIONS
from ui import plots
from ui.admin import BASELINES, DATASETS, DEFAULT_JOB, METHODS, SPLITS, Admin

DATASET_LABELS = {
    "iterater-sent": "IteraTeR (sentences)",
    "iterater-doc": "IteraTeR (documents)",
    "argrewrite": "ArgRewrite",
    "feedback": "Feedback logged in the app",
}
METHOD_LABELS = {
    "intention-tuning": "Intention-Tuning",
    "lora": "LoRA",
    "dora": "DoRA",
    "ir-tuning": "IR-Tuning (gen)",
}
BASELINE_LABELS = {"copy": "copy (the source unchanged)", "zero-shot": "zero-shot (base model)"}
RUN_COLUMNS = ["id", "name", "status", "method", "data", "progress", "step"]
RUN_COLUMNS += ["created (UTC)", "by", "adapter"]
EVAL_COLUMNS = ["id", "subject", "data", "split", "n / limit", "SARI", "SARI t2t", "GLEU"]
EVAL_COLUMNS += ["Update-R", "F1", "status"]
ADAPTER_COLUMNS = ["active", "id", "name", "method", "base model", "S_gen", "data hash"]
ADAPTER_COLUMNS += ["feedback", "hyper-parameters", "metrics", "acceptance", "created (UTC)"]
HISTORY_COLUMNS = ["when (UTC)", "action", "adapter", "for", "by"]
ACCEPTANCE_COLUMNS = ["group", "accepted", "rejected", "rate"]
# The hyper-parameters the registry table shows, with their short names there.
KEY_HYPERPARAMETERS = {
    "max_steps": "steps",
    "stage1_steps": "stage I",
    "batch_size": "batch",
    "lr": "lr",
    "max_length": "len",
}
LOG_LINES = 200  # the log tail kept in the page
BASE = "base"  # the registry picker's value for "no adapter"
ACTIVE_STATUSES = ("queued", "running")


def block_ranges(blocks) -> str:
    """Blocks as compact ranges with their count: ``0-3, 7, 9-10 (7 blocks)``."""
    ordered = sorted({int(b) for b in blocks})
    if not ordered:
        return "none"
    spans: list[list[int]] = []
    for b in ordered:
        if spans and b == spans[-1][1] + 1:
            spans[-1][1] = b
        else:
            spans.append([b, b])
    text = ", ".join(f"{a}-{z}" if z > a else str(a) for a, z in spans)
    return f"{text} ({len(ordered)} block{'s' if len(ordered) != 1 else ''})"


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (ItuneError, ValueError) as err:
        raise gr.Error(str(err)) from err


# --- values for the tables and texts --------------------------------------------------------


def _when(value: str | None) -> str:
    return (value or "").replace("T", " ")[:19]


def _score(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _data_name(data: str | None) -> str:
    """A data set's name, or an uploaded file's name without its folder."""
    return data if data in DATASETS or not data else Path(data).name


def _code(text: Any) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def run_rows(runs: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.list_runs`` as rows of RUN_COLUMNS."""
    rows = []
    for r in runs:
        status = r["status"]
        if r.get("cancel_requested") and status in ACTIVE_STATUSES:
            status += " (cancelling)"
        step = f"{r['step']} / {r['total_steps']}" if r.get("total_steps") else str(r["step"])
        rows.append(
            [
                r["id"],
                r["name"],
                status,
                r["method"] or "",
                _data_name(r["data"]),
                f"{r['progress'] or 0:.0%}",
                step,
                _when(r["created_at"]),
                r["created_by"] or "",
                r.get("adapter") or "",
            ]
        )
    return rows


def run_choices(runs: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """The run picker's choices (labels that do not change while a run goes on)."""
    return [(f"#{r['id']} {r['name']} · {_data_name(r['data'])}", r["id"]) for r in runs]


def run_status_html(run: Mapping[str, Any] | None) -> str:
    """A run's status line with a progress bar (all text escaped)."""
    if run is None:
        return "<p>No run picked. Start one in <b>Train</b>.</p>"
    progress = float(run.get("progress") or 0.0)
    total = run.get("total_steps")
    step = f"step {run['step']} / {total}" if total else f"step {run['step']}"
    status = run["status"]
    if run.get("cancel_requested") and status in ACTIVE_STATUSES:
        status += ", cancel requested"
    head = (
        f"<b>#{run['id']} {html.escape(run['name'])}</b> — {html.escape(status)} · {step}"
        f" · {progress:.0%} · {html.escape(str(run['method']))} on"
        f" {html.escape(_data_name(run['data']))}"
    )
    if run.get("adapter"):
        head += f" · adapter <code>{html.escape(run['adapter'])}</code>"
    error = f"<p><b>error:</b> {html.escape(run['error'])}</p>" if run.get("error") else ""
    bar = (
        '<div style="height:8px;border-radius:4px;margin:6px 0;'
        'background:var(--neutral-200, #e5e7eb)"><div style="height:8px;border-radius:4px;'
        f'width:{progress:.1%};background:var(--color-accent, #f97316)"></div></div>'
    )
    return f"<div>{head}</div>{bar}{error}"


def selection_text(selection: Mapping[str, Any] | None, run: Mapping[str, Any] | None) -> str:
    """S_gen and the alignment ratio of a finished run, or why there are none yet."""
    if run is None:
        return ""
    if not selection:
        if run["status"] in ACTIVE_STATUSES:
            return "S_gen and the alignment ratio appear when the run has finished."
        return f"No selection recorded (the run {run['status']})."
    parts = [f"**S_gen** = {block_ranges(selection.get('s_gen') or [])}"]
    if selection.get("alignment_ratio") is not None:
        parts.append(f"**alignment ratio** {selection['alignment_ratio']:.2f}")
    if selection.get("adapter_blocks") is not None:
        parts.append(f"adapter blocks {list(selection['adapter_blocks'])}")
    if selection.get("sgen_rule"):
        parts.append(f"rule {_code(selection['sgen_rule'])}")
    return " · ".join(parts)


def evaluation_rows(evaluations: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.list_evaluations`` as rows of EVAL_COLUMNS."""
    rows = []
    for e in evaluations:
        size = e.get("examples") or e.get("limit") or "all"
        status = e["status"] + (f": {e['error'][:120]}" if e.get("error") else "")
        scores = [_score(e.get(k)) for k in ("sari", "sari_t2t", "gleu", "update_r", "f1")]
        row = [e["id"], e["subject"], _data_name(e["data"]), e["split"], size]
        rows.append([*row, *scores, status])
    return rows


def _hyperparameters(values: Mapping[str, Any]) -> str:
    def text(value: Any) -> str:
        return f"{value:g}" if isinstance(value, int | float) else str(value)

    shown = [(short, values.get(key)) for key, short in KEY_HYPERPARAMETERS.items()]
    return ", ".join(f"{short} {text(value)}" for short, value in shown if value is not None)


def _metrics(metrics: Mapping[str, Any]) -> str:
    parts = [f"{k} {_score(metrics[k])}" for k in ("sari", "gleu", "update_r") if k in metrics]
    stage2 = metrics.get("stage2") or {}
    if stage2.get("loss_last") is not None:
        parts.append(f"loss {_score(stage2['loss_last'], 3)}")
    if metrics.get("total_seconds") is not None:
        parts.append(f"{metrics['total_seconds']:.0f} s")
    return ", ".join(parts)


def adapter_rows(adapters: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.list_adapters`` as rows of ADAPTER_COLUMNS, with their lineage."""
    rows = []
    for a in adapters:
        decided = (a["accepted"] or 0) + (a["rejected"] or 0)
        acceptance = f"{_rate(a['acceptance_rate'])} of {decided}" if decided else "—"
        rows.append(
            [
                _serving_cell(a),
                a["id"],
                a["name"],
                a["method"],
                a["base_model"],
                block_ranges(a.get("s_gen") or []),
                (a.get("data_hash") or "")[:12],
                len(a.get("feedback_revision_ids") or []),
                _hyperparameters(a.get("hyperparameters") or {}),
                _metrics(a.get("metrics") or {}),
                acceptance,
                _when(a["created_at"]),
            ]
        )
    return rows


def _scope_text(scope: Sequence[str]) -> str:
    return ", ".join(scope) if scope else "every intention set"


def _serving_cell(adapter: Mapping[str, Any]) -> str:
    scopes = adapter.get("active_for") or []
    if scopes:
        return "● serving " + "; ".join(_scope_text(s) for s in scopes)
    return "deleted" if adapter.get("deleted") else ""


def _serving_what(adapter: Mapping[str, Any] | None) -> str:
    if adapter is None:
        return "the base model (no adapter)"
    return (
        f"adapter {_code(adapter['name'])} (#{adapter['id']}, {adapter['method']} on "
        f"{_code(adapter['base_model'])})"
    )


def serving_text(serving: Sequence[Mapping[str, Any]]) -> str:
    """Which adapter new revisions use (``Admin.serving``): the default, then each
    intention set that has an adapter (or the base model) of its own."""
    default = next((s for s in serving if not s["intentions"]), None)
    if default is not None:
        lines = [f"**Serving now:** {_serving_what(default['adapter'])}"]
    else:
        lines = [
            "**Serving now:** the base model, or the adapter the server was started with"
            " (`ITUNE_ADAPTER`), until an admin activates one"
        ]
    lines += [
        f"- for {_scope_text(s['intentions'])} only: {_serving_what(s['adapter'])}"
        for s in serving
        if s["intentions"]
    ]
    return "\n".join(lines)


def history_rows(events: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.activation_history`` as rows of HISTORY_COLUMNS."""
    return [
        [
            _when(e["created_at"]),
            e["action"],
            e["adapter"] or "base model",
            _scope_text(e.get("intentions") or []),
            e["by_user"] or "",
        ]
        for e in events
    ]


def acceptance_rows(groups: Sequence[Mapping[str, Any]]) -> list[list]:
    """Acceptance groups (per intention or adapter) as rows of ACCEPTANCE_COLUMNS."""
    return [[g["key"] or "(none)", g["accepted"], g["rejected"], _rate(g["rate"])] for g in groups]


def data_choices(upload: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """The Train form's data sets, with a kept upload (``Admin.upload_data``) last."""
    choices = [(DATASET_LABELS.get(name, name), name) for name in DATASETS]
    if upload:
        rows = f"{upload['rows']} row{'s' if upload['rows'] != 1 else ''}"
        choices.append((f"upload: {upload['name']} ({rows})", upload["data"]))
    return choices


def registry_choices(adapters: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The registry picker's choices: the base model, then every live adapter."""
    live = [a for a in adapters if not a.get("deleted")]
    return [("base model (no adapter)", BASE)] + [
        (f"{a['name']} (#{a['id']})", str(a["id"])) for a in live
    ]


def subject_choices(adapters: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """What Evaluate can score: every live adapter, then the baselines."""
    live = [a for a in adapters if not a.get("deleted")]
    return [(f"adapter: {a['name']} (#{a['id']})", f"adapter:{a['id']}") for a in live] + [
        (f"baseline: {BASELINE_LABELS.get(b, b)}", f"baseline:{b}") for b in BASELINES
    ]


def job_from_form(model, data, method, max_steps, stage1_steps, batch_size, lr, max_length, name):
    """The Train form as a job for ``Admin.start_training`` (empty fields left out, so
    their defaults apply; Stage-I steps only for Intention-Tuning)."""
    job = {
        "name": name,
        "model": model,
        "data": data,
        "method": method,
        "max_steps": max_steps,
        "batch_size": batch_size,
        "lr": lr,
        "max_length": max_length,
    }
    if method == "intention-tuning":
        job["stage1_steps"] = stage1_steps
    return {k: v for k, v in job.items() if v is not None and v != ""}


def form_values(job: Mapping[str, Any]) -> tuple:
    """The Train form's values for a job (model, data, method, max_steps, stage1_steps,
    batch_size, lr, max_length, name)."""
    return (
        job.get("model", "embedded"),
        job.get("data"),
        job.get("method"),
        job.get("max_steps"),
        gr.Number(value=job.get("stage1_steps"), visible=job.get("method") == "intention-tuning"),
        job.get("batch_size"),
        job.get("lr"),
        job.get("max_length"),
        job.get("name", ""),
    )


# --- handlers -------------------------------------------------------------------------------


class AdminHandlers:
    """The tab's event handlers over one ``Admin``; each checks nothing itself (Admin does)
    and returns values for the outputs ``build_admin_tab`` wires it to."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    # Train
    def start(
        self,
        model,
        data,
        method,
        max_steps,
        stage1_steps,
        batch_size,
        lr,
        max_length,
        name,
        request: gr.Request,
    ):
        """Queue the form's job. Returns (message, run picker, run choices)."""
        form = (model, data, method, max_steps, stage1_steps, batch_size, lr, max_length, name)
        run = _call(self.admin.start_training, _user(request), job_from_form(*form))
        choices = run_choices(_call(self.admin.list_runs, _user(request)))
        message = (
            f"Queued run **#{run['id']}** {_code(run['name'])}: {run['method']} on"
            f" {_code(_data_name(run['data']))}. Follow it in **Runs**."
        )
        return message, gr.Dropdown(choices=choices, value=run["id"]), choices

    def upload(self, file: str | None, request: gr.Request):
        """Keep an uploaded .jsonl and pick it as the data. Returns (data, message)."""
        if not file:
            return gr.Dropdown(choices=data_choices()), ""
        kept = _call(self.admin.upload_data, _user(request), Path(file).name, file)
        message = f"Kept {_code(kept['name'])}: {kept['rows']} revisions, picked as the data."
        return gr.Dropdown(choices=data_choices(kept), value=kept["data"]), message

    # Runs
    def refresh_runs(self, picked, choices, request: gr.Request):
        """Returns (table rows, run picker, run choices, the run to show)."""
        runs = _call(self.admin.list_runs, _user(request))
        fresh = run_choices(runs)
        ids = [r["id"] for r in runs]
        value = picked if picked in ids else (ids[0] if ids else None)
        same = fresh == (choices or []) and value == picked
        picker = gr.skip() if same else gr.Dropdown(choices=fresh, value=value)
        return run_rows(runs), picker, fresh, value

    def show_run(self, run_id, seen, request: gr.Request):
        """A run's status, plots, selection and log tail. ``seen`` (what the page shows)
        lets each tick fetch only new log lines and redraw plots only on new steps.
        Returns (status, loss, norms, G, selection text, log, cancel button, seen)."""
        if run_id is None:
            empty = (plots.loss_figure([]), plots.norms_heatmap([]), plots.g_bars(None))
            figures = [plots.to_plot(spec) for spec in empty]
            return run_status_html(None), *figures, "", "", gr.Button(interactive=False), {}
        same = bool(seen) and seen.get("run_id") == run_id
        after = seen["log_id"] if same else 0
        detail = _call(self.admin.run_detail, _user(request), run_id, after)
        run, steps, selection = detail["run"], detail["steps"], detail["selection"]
        lines = (seen["lines"] if same else []) + [
            f"{_when(log['time'])[11:]}  {log['line']}" for log in detail["logs"]
        ]
        shape = (len(steps), run["status"], selection is not None)
        redraw = not same or tuple(seen["shape"]) != shape
        figures = (
            (
                plots.to_plot(plots.loss_figure(steps)),
                plots.to_plot(plots.norms_heatmap(steps)),
                plots.to_plot(plots.g_bars(selection)),
            )
            if redraw
            else (gr.skip(), gr.skip(), gr.skip())
        )
        log_id = detail["logs"][-1]["id"] if detail["logs"] else after
        cancellable = run["status"] in ACTIVE_STATUSES and not run["cancel_requested"]
        seen = {"run_id": run_id, "log_id": log_id, "lines": lines[-LOG_LINES:], "shape": shape}
        return (
            run_status_html(run),
            *figures,
            selection_text(selection, run),
            "\n".join(seen["lines"]),
            gr.Button(interactive=cancellable),
            seen,
        )

    def tick(self, picked, choices, seen, request: gr.Request):
        """The runs table and the picked run, both at once (the timer's one event)."""
        rows, picker, fresh, value = self.refresh_runs(picked, choices, request)
        return rows, picker, fresh, *self.show_run(value, seen, request)

    def cancel(self, run_id, request: gr.Request):
        """Cancel the picked run. Returns the Cancel button (disabled)."""
        if run_id is None:
            raise gr.Error("pick a run to cancel")
        run = _call(self.admin.cancel_run, _user(request), run_id)
        if run["status"] == "cancelled":
            gr.Info(f"Run #{run['id']} cancelled.")
        else:
            gr.Info(f"Cancel requested: run #{run['id']} stops at its next step.")
        return gr.Button(interactive=False)

    # Evaluate
    def evaluations(self, request: gr.Request) -> list[list]:
        """The evaluations table's rows, newest first."""
        return evaluation_rows(_call(self.admin.list_evaluations, _user(request)))

    def open_evaluate(self, subject, request: gr.Request):
        """Returns (subject picker with the registered adapters, evaluations table)."""
        choices = subject_choices(_call(self.admin.list_adapters, _user(request)))
        value = subject if subject in [v for _, v in choices] else None
        return gr.Dropdown(choices=choices, value=value), self.evaluations(request)

    def evaluate(self, subject, data, split, limit, request: gr.Request):
        """Queue an evaluation. Returns (message, evaluations table)."""
        kind, _, ref = (subject or "").partition(":")
        if kind not in ("adapter", "baseline"):
            raise gr.Error("pick an adapter or a baseline to evaluate")
        evaluation = _call(
            self.admin.evaluate,
            _user(request),
            adapter_id=int(ref) if kind == "adapter" else None,
            baseline=ref if kind == "baseline" else None,
            data=data,
            split=split,
            limit=limit or None,  # 0: every example
        )
        message = f"Queued evaluation **#{evaluation['id']}** of {_code(evaluation['subject'])}."
        return message, self.evaluations(request)

    # Registry
    def registry(self, picked, request: gr.Request):
        """Returns (adapters table, picker, serving-now line, activation history)."""
        user = _user(request)
        adapters = _call(self.admin.list_adapters, user, True)
        history = _call(self.admin.activation_history, user)
        serving = _call(self.admin.serving, user)
        choices = registry_choices(adapters)
        value = picked if picked in [v for _, v in choices] else None
        picker = gr.Dropdown(choices=choices, value=value)
        return (
            adapter_rows(adapters),
            picker,
            serving_text(serving),
            history_rows(history),
        )

    def activate(self, picked, scope, request: gr.Request):
        """Activate the picked adapter (or the base model) for the picked intention set
        (none: every set without its own). Returns the registry view."""
        if not picked:
            raise gr.Error("pick an adapter (or the base model) to activate")
        adapter_id = None if picked == BASE else int(picked)
        done = _call(self.admin.activate, _user(request), adapter_id, scope or None)
        gr.Info(
            f"New revisions for {_scope_text(done['intentions'])} use "
            f"{done['active'] or 'the base model'}."
        )
        return self.registry(picked, request)

    def rollback(self, picked, scope, request: gr.Request):
        """Go back to the adapter active before for the picked intention set. Returns the
        registry view."""
        done = _call(self.admin.rollback, _user(request), scope or None)
        gr.Info(
            f"Rolled back: new revisions for {_scope_text(done['intentions'])} use "
            f"{done['active'] or 'the base model'}."
        )
        return self.registry(picked, request)

    def delete(self, picked, request: gr.Request):
        """Delete the picked adapter from the registry. Returns the registry view."""
        if not picked or picked == BASE:
            raise gr.Error("pick an adapter to delete")
        deleted = _call(self.admin.delete_adapter, _user(request), int(picked))
        gr.Info(f"Deleted {deleted['name']} from the registry (its files stay on disk).")
        return self.registry(None, request)

    # Feedback
    def feedback(self, request: gr.Request):
        """Returns (summary, per-intention rows, per-adapter rows, acceptance plot)."""
        stats = _call(self.admin.feedback_stats, _user(request))
        overall = stats["overall"]
        summary = (
            f"**{stats['revisions']}** revisions · **{stats['edits']}** edits · overall"
            f" **{overall['accepted']}** accepted, **{overall['rejected']}** rejected"
            f" ({_rate(overall['rate'])} accepted)"
        )
        chart = plots.acceptance_bars(stats["by_intention"], "Decisions per intention")
        return (
            summary,
            acceptance_rows(stats["by_intention"]),
            acceptance_rows(stats["by_adapter"]),
            plots.to_plot(chart),
        )

    def export(self, request: gr.Request):
        """Export the accepted edits. Returns (a copy of the file to download, message)."""
        export = _call(self.admin.export_feedback, _user(request))
        # Gradio serves files from the working and temporary folders only (unless the
        # launch names others); the export stays where Admin wrote it, a copy is served.
        source = Path(export["file"])
        copy = Path(tempfile.mkdtemp(prefix="itune-export-")) / source.name
        shutil.copyfile(source, copy)
        message = (
            f"Exported **{export['rows']}** rows from {export['revisions']} revisions"
            f" to {_code(source)}."
        )
        return gr.File(value=str(copy), visible=True), message

    def train_from_feedback(self, request: gr.Request):
        """The Train form filled with the feedback job, and the Train sub-tab selected."""
        job = _call(self.admin.feedback_job, _user(request))
        message = (
            "Form filled to train on the writers' feedback: check it, then **Start training**."
        )
        return (*form_values(job), message, gr.Tabs(selected="train"))


# --- layout ---------------------------------------------------------------------------------


def _timers(subtab: str | None) -> tuple:
    """The runs and evaluations timers: each ticks only while its sub-tab is open."""
    return gr.Timer(active=subtab == "runs"), gr.Timer(active=subtab == "evaluate")


def _open_subtab(name: str) -> tuple:
    return (name, *_timers(name))


def build_admin_tab(admin: Admin) -> dict[str, Any]:
    """Declare the Admin tab's content inside an open ``gr.Tab`` and wire its events.

    Returns:
        ``tabs`` (the sub-tabs), ``subtab`` (State: the open sub-tab's id), ``timers``,
        ``on_show(subtab)`` / ``on_hide()`` (timer updates for when the Admin tab is
        opened or left) and ``handlers`` (the ``AdminHandlers``).
    """
    h = AdminHandlers(admin)
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    subtab = gr.State("train")
    runs_timer, evals_timer = gr.Timer(2.0, active=False), gr.Timer(3.0, active=False)
    timers = [runs_timer, evals_timer]
    tabs_by_name = {}

    with gr.Tabs(selected="train") as tabs:
        with gr.Tab("Train", id="train") as tabs_by_name["train"]:
            with gr.Row():
                with gr.Column():
                    model = gr.Textbox(
                        value=DEFAULT_JOB["model"],
                        label="Base model",
                        info="embedded (SmolLM2-135M-Instruct), a local folder or a hub id",
                    )
                    data = gr.Dropdown(data_choices(), value=DEFAULT_JOB["data"], label="Data set")
                    upload = gr.File(
                        label="…or upload IteraTeR JSONL", file_types=[".jsonl"], height=110
                    )
                    method = gr.Dropdown(
                        [(METHOD_LABELS.get(m, m), m) for m in METHODS],
                        value=DEFAULT_JOB["method"],
                        label="Method",
                    )
                    name = gr.Textbox(label="Adapter name (optional)", placeholder="auto")
                with gr.Column():
                    max_steps = gr.Number(
                        DEFAULT_JOB["max_steps"], label="Max steps (Stage II)", precision=0
                    )
                    stage1_steps = gr.Number(
                        DEFAULT_JOB["stage1_steps"], label="Stage-I steps", precision=0
                    )
                    batch_size = gr.Number(
                        DEFAULT_JOB["batch_size"], label="Batch size", precision=0
                    )
                    lr = gr.Number(DEFAULT_JOB["lr"], label="Learning rate", step=1e-4)
                    max_length = gr.Number(
                        DEFAULT_JOB["max_length"], label="Max length (tokens)", precision=0
                    )
            start = gr.Button("Start training", variant="primary")
            train_status = gr.Markdown()
        with gr.Tab("Runs", id="runs") as tabs_by_name["runs"]:
            runs_table = gr.Dataframe(headers=RUN_COLUMNS, interactive=False, max_height=260)
            with gr.Row():
                run_pick = gr.Dropdown([], value=None, label="Run", scale=4)
                cancel = gr.Button("Cancel run", variant="stop", interactive=False, scale=1)
            run_status = gr.HTML(run_status_html(None))
            with gr.Row():
                loss_plot = gr.Plot(label="Loss", show_label=False)
                g_plot = gr.Plot(label="G", show_label=False)
            norms_plot = gr.Plot(label="Gradient norms", show_label=False)
            selection = gr.Markdown()
            log = gr.Textbox(label="Log (latest lines)", lines=10, max_lines=10, autoscroll=True)
        with gr.Tab("Evaluate", id="evaluate") as tabs_by_name["evaluate"]:
            with gr.Row():
                subject = gr.Dropdown([], value=None, label="Adapter or baseline", scale=3)
                eval_data = gr.Dropdown(
                    [(DATASET_LABELS[d], d) for d in DATASETS if d != "feedback"],
                    value="iterater-sent",
                    label="Data set",
                    scale=2,
                )
                split = gr.Dropdown(list(SPLITS), value="test", label="Split", scale=1)
                limit = gr.Number(0, label="Limit (0: all)", precision=0, minimum=0, scale=1)
            evaluate = gr.Button("Evaluate", variant="primary")
            eval_status = gr.Markdown()
            eval_table = gr.Dataframe(headers=EVAL_COLUMNS, interactive=False, max_height=400)
        with gr.Tab("Registry", id="registry") as tabs_by_name["registry"]:
            serving = gr.Markdown()
            adapters_table = gr.Dataframe(headers=ADAPTER_COLUMNS, interactive=False)
            with gr.Row():
                adapter_pick = gr.Dropdown([], value=None, label="Adapter", scale=3)
                scope_pick = gr.CheckboxGroup(
                    list(INTENTIONS),
                    value=[],
                    label="For the intention set (none ticked: every set without its own)",
                    scale=4,
                )
                activate = gr.Button("Activate", variant="primary", scale=1)
                rollback = gr.Button("Roll back", scale=1)
                delete = gr.Button("Delete", variant="stop", scale=1)
            gr.Markdown("Activation history (newest first)")
            history_table = gr.Dataframe(headers=HISTORY_COLUMNS, interactive=False)
        with gr.Tab("Feedback", id="feedback") as tabs_by_name["feedback"]:
            feedback_summary = gr.Markdown()
            with gr.Row():
                by_intention = gr.Dataframe(
                    headers=ACCEPTANCE_COLUMNS, interactive=False, label="Per intention"
                )
                by_adapter = gr.Dataframe(
                    headers=ACCEPTANCE_COLUMNS, interactive=False, label="Per adapter"
                )
            feedback_plot = gr.Plot(show_label=False)
            with gr.Row():
                export = gr.Button("Export JSONL")
                train_feedback = gr.Button("Train from feedback", variant="primary")
            export_file = gr.File(label="Export (IteraTeR JSONL)", interactive=False, visible=False)
            export_status = gr.Markdown()

    form = [model, data, method, max_steps, stage1_steps, batch_size, lr, max_length, name]
    run_state, seen = gr.State([]), gr.State({})
    run_view = [run_status, loss_plot, norms_plot, g_plot, selection, log, cancel, seen]
    tick_outputs = [runs_table, run_pick, run_state, *run_view]
    registry_outputs = [adapters_table, adapter_pick, serving, history_table]
    feedback_outputs = [feedback_summary, by_intention, by_adapter, feedback_plot]

    for tab_name, tab in tabs_by_name.items():
        tab.select(partial(_open_subtab, tab_name), None, [subtab, *timers], **quiet)
    # Train
    method.change(
        lambda m: gr.Number(visible=m == "intention-tuning"), method, stage1_steps, **quiet
    )
    upload.upload(h.upload, upload, [data, train_status], **private)
    start.click(h.start, form, [train_status, run_pick, run_state], **private)
    # Runs
    for trigger in (tabs_by_name["runs"].select, runs_timer.tick):
        trigger(h.tick, [run_pick, run_state, seen], tick_outputs, **quiet)
    run_pick.input(h.show_run, [run_pick, seen], run_view, **private)
    cancel.click(h.cancel, run_pick, cancel, **private).then(
        h.tick, [run_pick, run_state, seen], tick_outputs, **quiet
    )
    # Evaluate
    tabs_by_name["evaluate"].select(h.open_evaluate, subject, [subject, eval_table], **private)
    evals_timer.tick(h.evaluations, None, eval_table, **quiet)
    evaluate.click(
        h.evaluate, [subject, eval_data, split, limit], [eval_status, eval_table], **private
    )
    # Registry
    tabs_by_name["registry"].select(h.registry, adapter_pick, registry_outputs, **private)
    activate.click(h.activate, [adapter_pick, scope_pick], registry_outputs, **private)
    rollback.click(h.rollback, [adapter_pick, scope_pick], registry_outputs, **private)
    delete.click(h.delete, adapter_pick, registry_outputs, **private)
    # Feedback
    tabs_by_name["feedback"].select(h.feedback, None, feedback_outputs, **private)
    export.click(h.export, None, [export_file, export_status], **private)
    train_feedback.click(h.train_from_feedback, None, [*form, train_status, tabs], **private)

    return {
        "tabs": tabs,
        "subtab": subtab,
        "timers": timers,
        "on_show": _timers,
        "on_hide": partial(_timers, None),
        "handlers": h,
    }
