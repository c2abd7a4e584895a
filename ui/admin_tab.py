"""The Admin tab (admins only): train, follow runs, evaluate, the adapter registry, feedback.

Layout and short handlers over ``services.admin.Admin``, which checks on every call that the
caller is an admin (``ui.build_ui`` also hides the tab from everyone else). All that is
shown is read from the database, so a reloaded page shows the live run. Handlers pass the
logged-in name (``request.username``; None without login) and turn domain errors and
ValueError into ``gr.Error`` with the message. The events are private: the same actions
are public as ``ui.admin_api``'s endpoints.
"""

import shutil
import tempfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from itune_core.intentions import INTENTIONS
from services.admin import DEFAULT_JOB, Admin
from storage.run_status import ACTIVE, RunStatus
from training.config import SETTINGS
from training.vocabulary import DataSetName, Split
from ui import plots
from ui.admin_views import (
    ACCEPTANCE_COLUMNS,
    ADAPTER_COLUMNS,
    BASE,
    COMPARE_COLUMNS,
    DATASET_LABELS,
    EVAL_COLUMNS,
    HISTORY_COLUMNS,
    LOG_LINES,
    METHOD_LABELS,
    RUN_COLUMNS,
    TRAIN_FORM,
    acceptance_rows,
    adapter_rows,
    code_text,
    comparison_rows,
    data_choices,
    data_name,
    evaluation_rows,
    history_rows,
    job_from_form,
    rate_text,
    registry_choices,
    replay_choices,
    run_choices,
    run_rows,
    run_status_html,
    scope_text,
    selection_text,
    serving_text,
    subject_choices,
    when_text,
)
from ui.errors import call


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


# Presentation a Train form number may add to what its Setting gives (label, kind).
NUMBER_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "lr": {"step": 1e-4},
    "edit_weight": {
        "info": "loss weight of the tokens where a revision departs from its source; 3 gave"
        " +2 SARI, -1 GLEU on ITERATER-sent (docs/benchmarks.md)",
        "minimum": 1,
        "step": 0.5,
    },
}


def _widget_class(name: str) -> type:
    """The Gradio component of a Train form field (``ui.admin_views.TRAIN_FORM``)."""
    setting = SETTINGS.get(name)
    if setting is None:  # the adapter's name
        return gr.Textbox
    if setting.number_kind is not None:
        return gr.Number
    if setting.kind is bool:
        return gr.Checkbox
    return gr.Dropdown if setting.choices is not None or name == "data" else gr.Textbox


def _shown(name: str, method: Any, **props: Any):
    """A field's widget update: shown only when ``method`` uses it (``Setting.methods``)."""
    setting = SETTINGS.get(name)
    visible = setting is None or setting.used_by(method)
    return _widget_class(name)(visible=visible, **props)


def _method_fields() -> list[str]:
    """The Train form's fields that only some methods use (shown only for them)."""
    return [n for n in TRAIN_FORM if n in SETTINGS and SETTINGS[n].methods is not None]


def form_values(job: Mapping[str, Any]) -> tuple:
    """The Train form's values for a job, in ``TRAIN_FORM`` order (a field the job does
    not give shows its config default; one its method does not use is hidden)."""
    values = []
    for name in TRAIN_FORM:
        setting = SETTINGS.get(name)
        value = job.get(name, "" if setting is None else setting.default)
        if name in _method_fields():
            value = _shown(name, job.get("method"), value=value)
        values.append(value)
    return tuple(values)


# --- handlers -------------------------------------------------------------------------------


class AdminHandlers:
    """The tab's event handlers over one ``Admin``; each checks nothing itself (Admin does)
    and returns values for the outputs ``build_admin_tab`` wires it to."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    # Train
    def start(self, *values, request: gr.Request = None):
        """Queue the form's job (``values`` in ``TRAIN_FORM`` order; missing last ones:
        empty). Returns (message, run picker, run choices)."""
        run = call(self.admin.start_training, _user(request), job_from_form(*values))
        choices = run_choices(call(self.admin.list_runs, _user(request)))
        message = (
            f"Queued run **#{run['id']}** {code_text(run['name'])}: {run['method']} on"
            f" {code_text(data_name(run['data']))}. Follow it in **Runs**."
        )
        return message, gr.Dropdown(choices=choices, value=run["id"]), choices

    def upload(self, file: str | None, request: gr.Request):
        """Keep an uploaded .jsonl and pick it as the data. Returns (data, message)."""
        if not file:
            return gr.Dropdown(choices=data_choices()), ""
        kept = call(self.admin.upload_data, _user(request), Path(file).name, file)
        message = f"Kept {code_text(kept['name'])}: {kept['rows']} revisions, picked as the data."
        return gr.Dropdown(choices=data_choices(kept), value=kept["data"]), message

    # Runs
    def refresh_runs(self, picked, choices, request: gr.Request):
        """Returns (table rows, run picker, run choices, the run to show)."""
        runs = call(self.admin.list_runs, _user(request))
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
        detail = call(self.admin.run_detail, _user(request), run_id, after)
        run, steps, selection = detail["run"], detail["steps"], detail["selection"]
        lines = (seen["lines"] if same else []) + [
            f"{when_text(log['time'])[11:]}  {log['line']}" for log in detail["logs"]
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
        cancellable = run["status"] in ACTIVE and not run["cancel_requested"]
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
        run = call(self.admin.cancel_run, _user(request), run_id)
        if run["status"] == RunStatus.CANCELLED:
            gr.Info(f"Run #{run['id']} cancelled.")
        else:
            gr.Info(f"Cancel requested: run #{run['id']} stops at its next step.")
        return gr.Button(interactive=False)

    # Evaluate
    def evaluations(self, request: gr.Request) -> list[list]:
        """The evaluations table's rows, newest first."""
        return evaluation_rows(call(self.admin.list_evaluations, _user(request)))

    def open_evaluate(self, subject, request: gr.Request):
        """Returns (subject picker with the registered adapters, evaluations table)."""
        choices = subject_choices(call(self.admin.list_adapters, _user(request)))
        value = subject if subject in [v for _, v in choices] else None
        return gr.Dropdown(choices=choices, value=value), self.evaluations(request)

    def evaluate(self, subject, data, split, limit, request: gr.Request):
        """Queue an evaluation. Returns (message, evaluations table)."""
        kind, _, ref = (subject or "").partition(":")
        if kind not in ("adapter", "baseline"):
            raise gr.Error("pick an adapter or a baseline to evaluate")
        evaluation = call(
            self.admin.evaluate,
            _user(request),
            adapter_id=int(ref) if kind == "adapter" else None,
            baseline=ref if kind == "baseline" else None,
            data=data,
            split=split,
            limit=limit or None,  # 0: every example
        )
        message = (
            f"Queued evaluation **#{evaluation['id']}** of {code_text(evaluation['subject'])}."
        )
        return message, self.evaluations(request)

    # Registry
    def registry(self, picked, request: gr.Request):
        """Returns (adapters table, picker, serving-now line, activation history)."""
        user = _user(request)
        adapters = call(self.admin.list_adapters, user, True)
        history = call(self.admin.activation_history, user)
        serving = call(self.admin.serving, user)
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
        done = call(self.admin.activate, _user(request), adapter_id, scope or None)
        gr.Info(
            f"New revisions for {scope_text(done['intentions'])} use "
            f"{done['active'] or 'the base model'}."
        )
        return self.registry(picked, request)

    def rollback(self, picked, scope, request: gr.Request):
        """Go back to the adapter active before for the picked intention set. Returns the
        registry view."""
        done = call(self.admin.rollback, _user(request), scope or None)
        gr.Info(
            f"Rolled back: new revisions for {scope_text(done['intentions'])} use "
            f"{done['active'] or 'the base model'}."
        )
        return self.registry(picked, request)

    def delete(self, picked, request: gr.Request):
        """Delete the picked adapter from the registry. Returns the registry view."""
        if not picked or picked == BASE:
            raise gr.Error("pick an adapter to delete")
        deleted = call(self.admin.delete_adapter, _user(request), int(picked))
        gr.Info(f"Deleted {deleted['name']} from the registry (its files stay on disk).")
        return self.registry(None, request)

    # Feedback
    def feedback(self, request: gr.Request):
        """Returns (summary, per-intention rows, per-adapter rows, acceptance plot)."""
        stats = call(self.admin.feedback_stats, _user(request))
        overall = stats["overall"]
        summary = (
            f"**{stats['revisions']}** revisions · **{stats['edits']}** edits · overall"
            f" **{overall['accepted']}** accepted, **{overall['rejected']}** rejected"
            f" ({rate_text(overall['rate'])} accepted)"
        )
        if stats["suggestions"]:
            taken = stats["suggestions_taken"]
            by = "; ".join(
                f"{g['key'] or 'not recorded'} {g['accepted']} taken, {g['rejected']} rejected"
                for g in stats["suggestions_taken_by"]
            )
            summary += (
                f"\n\nOf the edits, **{stats['suggestions']}** were held back and offered as"
                f" suggestions: **{taken['accepted']}** taken, **{taken['rejected']}** rejected"
                f"{f' (by what held them back: {by})' if by else ''}. A guard that writers"
                " overrule often may hold back too much."
            )
        chart = plots.acceptance_bars(stats["by_intention"], "Decisions per intention")
        return (
            summary,
            acceptance_rows(stats["by_intention"]),
            acceptance_rows(stats["by_adapter"]),
            plots.to_plot(chart),
        )

    def compare_pickers(self, a, b, request: gr.Request):
        """The two adapter pickers of the comparison, with the live adapters."""
        adapters = call(self.admin.list_adapters, _user(request))
        choices = [(f"{x['name']} (#{x['id']})", str(x["id"])) for x in adapters]
        values = [v for _, v in choices]
        return (
            gr.Dropdown(choices=choices, value=a if a in values else None),
            gr.Dropdown(choices=choices, value=b if b in values else None),
        )

    def compare(self, a, b, request: gr.Request):
        """Two adapters' acceptance side by side. Returns the comparison table's rows."""
        if not a or not b:
            raise gr.Error("pick two adapters to compare")
        return comparison_rows(call(self.admin.compare_adapters, _user(request), a, b))

    def export(self, request: gr.Request):
        """Export the accepted edits. Returns (a copy of the file to download, message)."""
        export = call(self.admin.export_feedback, _user(request))
        # Gradio serves files from the working and temporary folders only (unless the
        # launch names others); the export stays where Admin wrote it, a copy is served.
        source = Path(export["file"])
        copy = Path(tempfile.mkdtemp(prefix="itune-export-")) / source.name
        shutil.copyfile(source, copy)
        message = (
            f"Exported **{export['rows']}** rows from {export['revisions']} revisions"
            f" to {code_text(source)}."
        )
        return gr.File(value=str(copy), visible=True), message

    def train_from_feedback(self, request: gr.Request):
        """The Train form filled with the feedback job, and the Train sub-tab selected."""
        job = call(self.admin.feedback_job, _user(request))
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


def _form_widget(name: str):
    """One Train form field's widget, from its Setting (label, kind, default; a text
    field's help as its info), the data sets and methods with their labels."""
    setting = SETTINGS.get(name)
    if setting is None:
        return gr.Textbox(label="Adapter name (optional)", placeholder="auto")
    value = DEFAULT_JOB.get(name, setting.default)
    label = setting.label or name
    shown = {"visible": setting.used_by(DEFAULT_JOB["method"])}
    if name == "data":
        return gr.Dropdown(data_choices(), value=value, label=label, **shown)
    if name == "replay_data":
        return gr.Dropdown(replay_choices(), value=value or "", label=label, **shown)
    kind = _widget_class(name)
    if kind is gr.Number:
        precision = 0 if setting.number_kind is int else None
        options = NUMBER_OPTIONS.get(name, {})
        return gr.Number(value, label=label, precision=precision, **shown, **options)
    if kind is gr.Dropdown:
        choices = [(METHOD_LABELS.get(c, c.value), c.value) for c in setting.choices]
        return gr.Dropdown(choices, value=value, label=label, **shown)
    if kind is gr.Checkbox:
        return gr.Checkbox(value, label=label, info=setting.help, **shown)
    return gr.Textbox(value=value, label=label, info=setting.help, **shown)


def _show_for_method(method: Any):
    """Show the Train form's method-only fields for the methods that use them."""
    updates = tuple(_shown(name, method) for name in _method_fields())
    return updates[0] if len(updates) == 1 else updates


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
            widgets: dict[str, Any] = {}
            with gr.Row():
                with gr.Column():
                    for field in TRAIN_FORM:
                        if _widget_class(field) is not gr.Number:
                            widgets[field] = _form_widget(field)
                        if field == "data":
                            upload = gr.File(
                                label="…or upload IteraTeR JSONL", file_types=[".jsonl"], height=110
                            )
                with gr.Column():
                    for field in TRAIN_FORM:
                        if _widget_class(field) is gr.Number:
                            widgets[field] = _form_widget(field)
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
                    [
                        (DATASET_LABELS[d], d.value)
                        for d in DataSetName
                        if d != DataSetName.FEEDBACK
                    ],
                    value=DataSetName.ITERATER_SENT.value,
                    label="Data set",
                    scale=2,
                )
                split = gr.Dropdown(
                    [s.value for s in Split], value=Split.TEST.value, label="Split", scale=1
                )
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
                compare_a = gr.Dropdown([], value=None, label="Adapter A", scale=2)
                compare_b = gr.Dropdown([], value=None, label="Adapter B", scale=2)
                compare = gr.Button("Compare", scale=1)
            compare_table = gr.Dataframe(
                headers=COMPARE_COLUMNS, interactive=False, label="Acceptance, A beside B"
            )
            with gr.Row():
                export = gr.Button("Export JSONL")
                train_feedback = gr.Button("Train from feedback", variant="primary")
            export_file = gr.File(label="Export (IteraTeR JSONL)", interactive=False, visible=False)
            export_status = gr.Markdown()

    form = [widgets[field] for field in TRAIN_FORM]
    data, method = widgets["data"], widgets["method"]
    method_fields = [widgets[field] for field in _method_fields()]
    run_state, seen = gr.State([]), gr.State({})
    run_view = [run_status, loss_plot, norms_plot, g_plot, selection, log, cancel, seen]
    tick_outputs = [runs_table, run_pick, run_state, *run_view]
    registry_outputs = [adapters_table, adapter_pick, serving, history_table]
    feedback_outputs = [feedback_summary, by_intention, by_adapter, feedback_plot]

    for tab_name, tab in tabs_by_name.items():
        tab.select(partial(_open_subtab, tab_name), None, [subtab, *timers], **quiet)
    # Train
    method.change(_show_for_method, method, method_fields, **quiet)
    upload.upload(h.upload, upload, [data, train_status], **private)

    def start_form(request: gr.Request, *values):
        # Gradio passes the request only to a positional parameter.
        return h.start(*values, request=request)

    start.click(start_form, form, [train_status, run_pick, run_state], **private)
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
    tabs_by_name["feedback"].select(
        h.compare_pickers, [compare_a, compare_b], [compare_a, compare_b], **quiet
    )
    compare.click(h.compare, [compare_a, compare_b], compare_table, **private)
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
