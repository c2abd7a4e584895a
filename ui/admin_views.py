"""What the Admin tab shows: the service's JSON (``services.admin.Admin``) turned into table
rows, picker choices, status texts and a job from the Train form. Pure functions without
Gradio, so the tab's layout and handlers (``ui.admin_tab``) stay short.
"""

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from storage.run_status import ACTIVE
from training.config import SETTINGS
from training.vocabulary import Baseline, DataSetName, Method

# The Train form's fields in the order of its widgets (and of ``AdminHandlers.start``'s
# arguments): TrainConfig fields (their label, kind and default come from their Setting,
# ``training.config``) and ``name``, the adapter's registry name. A new field here needs a
# Setting with a ``label`` and nothing else; the job keys are these names.
TRAIN_FORM: tuple[str, ...] = ("model", "data", "method", "max_steps", "stage1_steps")
TRAIN_FORM += ("batch_size", "lr", "max_length", "name", "edit_weight")
TRAIN_FORM += ("replay_data", "replay_limit", "feedback_negatives")
# Fields only a job on the writers' feedback gives (the worker builds its data with them).
FEEDBACK_FIELDS: tuple[str, ...] = ("replay_data", "replay_limit", "feedback_negatives")
# The data sets a feedback run may replay (labelled with the app's intentions).
REPLAY_DATA: tuple[DataSetName, ...] = (DataSetName.ITERATER_SENT, DataSetName.ITERATER_DOC)
DATASET_LABELS = {
    DataSetName.ITERATER_SENT: "IteraTeR (sentences)",
    DataSetName.ITERATER_DOC: "IteraTeR (documents)",
    DataSetName.ARGREWRITE: "ArgRewrite",
    DataSetName.FEEDBACK: "Feedback logged in the app",
}
METHOD_LABELS = {
    Method.INTENTION_TUNING: "Intention-Tuning",
    Method.LORA: "LoRA",
    Method.DORA: "DoRA",
    Method.IR_TUNING: "IR-Tuning (gen)",
}
BASELINE_LABELS = {
    Baseline.COPY: "copy (the source unchanged)",
    Baseline.ZERO_SHOT: "zero-shot (base model)",
}
RUN_COLUMNS = ["id", "name", "status", "method", "data", "progress", "step"]
RUN_COLUMNS += ["created (UTC)", "by", "adapter"]
EVAL_COLUMNS = ["id", "subject", "data", "split", "n / limit", "SARI", "SARI (ITERATER)"]
EVAL_COLUMNS += ["SARI t2t", "GLEU"]
EVAL_COLUMNS += ["Update-R", "F1", "status"]
ADAPTER_COLUMNS = ["active", "id", "name", "method", "base model", "S_gen", "data hash"]
ADAPTER_COLUMNS += ["feedback", "hyper-parameters", "metrics", "acceptance", "created (UTC)"]
ADAPTER_COLUMNS += ["parent"]
COMPARE_COLUMNS = ["intention", "A accepted", "A rejected", "A rate"]
COMPARE_COLUMNS += ["B accepted", "B rejected", "B rate"]
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


# --- values for the tables and texts --------------------------------------------------------


def when_text(value: str | None) -> str:
    return (value or "").replace("T", " ")[:19]


def _score(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def data_name(data: str | None) -> str:
    """A data set's name, or an uploaded file's name without its folder."""
    return data if not data or data in tuple(DataSetName) else Path(data).name


def code_text(text: Any) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def run_rows(runs: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.list_runs`` as rows of RUN_COLUMNS."""
    rows = []
    for r in runs:
        status = r["status"]
        if r.get("cancel_requested") and status in ACTIVE:
            status += " (cancelling)"
        step = f"{r['step']} / {r['total_steps']}" if r.get("total_steps") else str(r["step"])
        rows.append(
            [
                r["id"],
                r["name"],
                status,
                r["method"] or "",
                data_name(r["data"]),
                f"{r['progress'] or 0:.0%}",
                step,
                when_text(r["created_at"]),
                r["created_by"] or "",
                r.get("adapter") or "",
            ]
        )
    return rows


def run_choices(runs: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """The run picker's choices (labels that do not change while a run goes on)."""
    return [(f"#{r['id']} {r['name']} · {data_name(r['data'])}", r["id"]) for r in runs]


def run_status_html(run: Mapping[str, Any] | None) -> str:
    """A run's status line with a progress bar (all text escaped)."""
    if run is None:
        return "<p>No run picked. Start one in <b>Train</b>.</p>"
    progress = float(run.get("progress") or 0.0)
    total = run.get("total_steps")
    step = f"step {run['step']} / {total}" if total else f"step {run['step']}"
    status = run["status"]
    if run.get("cancel_requested") and status in ACTIVE:
        status += ", cancel requested"
    head = (
        f"<b>#{run['id']} {html.escape(run['name'])}</b> — {html.escape(status)} · {step}"
        f" · {progress:.0%} · {html.escape(str(run['method']))} on"
        f" {html.escape(data_name(run['data']))}"
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
        if run["status"] in ACTIVE:
            return "S_gen and the alignment ratio appear when the run has finished."
        return f"No selection recorded (the run {run['status']})."
    parts = [f"**S_gen** = {block_ranges(selection.get('s_gen') or [])}"]
    if selection.get("alignment_ratio") is not None:
        parts.append(f"**alignment ratio** {selection['alignment_ratio']:.2f}")
    if selection.get("adapter_blocks") is not None:
        parts.append(f"adapter blocks {list(selection['adapter_blocks'])}")
    if selection.get("sgen_rule"):
        parts.append(f"rule {code_text(selection['sgen_rule'])}")
    return " · ".join(parts)


def evaluation_rows(evaluations: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.list_evaluations`` as rows of EVAL_COLUMNS."""
    rows = []
    for e in evaluations:
        size = e.get("examples") or e.get("limit") or "all"
        status = e["status"] + (f": {e['error'][:120]}" if e.get("error") else "")
        keys = ("sari", "sari_iterater", "sari_t2t", "gleu", "update_r", "f1")
        scores = [_score(e.get(k)) for k in keys]
        row = [e["id"], e["subject"], data_name(e["data"]), e["split"], size]
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
        acceptance = f"{rate_text(a['acceptance_rate'])} of {decided}" if decided else "—"
        rows.append(
            [
                _serving_cell(a),
                a["id"],
                a["name"] + (" (built-in)" if (a.get("lineage") or {}).get("builtin") else ""),
                a["method"],
                a["base_model"],
                block_ranges(a.get("s_gen") or []),
                (a.get("data_hash") or "")[:12],
                len(a.get("feedback_revision_ids") or []),
                _hyperparameters(a.get("hyperparameters") or {}),
                _metrics(a.get("metrics") or {}),
                acceptance,
                when_text(a["created_at"]),
                parent_text(a),
            ]
        )
    return rows


def parent_text(adapter: Mapping[str, Any]) -> str:
    """The registry table's parent cell: the adapter it was trained from, or nothing."""
    if adapter.get("parent_id") is None:
        return ""
    return f"{adapter.get('parent') or 'adapter'} (#{adapter['parent_id']})"


def comparison_rows(comparison: Mapping[str, Any]) -> list[list]:
    """``Admin.compare_adapters`` as rows of COMPARE_COLUMNS: overall first, then each
    intention either adapter has decisions on."""
    a, b = comparison["a"], comparison["b"]

    def cells(group: Mapping[str, Any] | None) -> list:
        if group is None:
            return [0, 0, rate_text(None)]
        return [group["accepted"], group["rejected"], rate_text(group["rate"])]

    rows = [["overall", *cells(a["overall"]), *cells(b["overall"])]]
    by_a = {g["key"]: g for g in a["by_intention"]}
    by_b = {g["key"]: g for g in b["by_intention"]}
    keys = sorted(set(by_a) | set(by_b), key=lambda k: (k is None, k or ""))
    rows += [[k or "(none)", *cells(by_a.get(k)), *cells(by_b.get(k))] for k in keys]
    return rows


def replay_choices() -> list[tuple[str, str]]:
    """The Train form's replay picker: none, or a data set labelled with the intentions."""
    return [("none", "")] + [(DATASET_LABELS[d], d.value) for d in REPLAY_DATA]


def scope_text(scope: Sequence[str]) -> str:
    return ", ".join(scope) if scope else "every intention set"


def _serving_cell(adapter: Mapping[str, Any]) -> str:
    scopes = adapter.get("active_for") or []
    if scopes:
        return "● serving " + "; ".join(scope_text(s) for s in scopes)
    return "deleted" if adapter.get("deleted") else ""


def _serving_what(adapter: Mapping[str, Any] | None) -> str:
    if adapter is None:
        return "the base model (no adapter)"
    return (
        f"adapter {code_text(adapter['name'])} (#{adapter['id']}, {adapter['method']} on "
        f"{code_text(adapter['base_model'])})"
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
            " (`ITUNE_ADAPTER`), until an admin activates one; where that is the built-in"
            " adapter, requests for clarity alone go to its clarity specialist"
            " (`itune-default-clarity`), requests for style alone to its style specialist"
            " (`itune-default-style`) and requests for fluency alone about everyday prose"
            " (short sentences, few names) to its fluency specialist"
            " (`itune-default-fluency`), which also revises first, in the built-in adapter's"
            " place, requests for fluency among others about everyday prose; the first two"
            " also revise again, each for its intention alone, what was revised for several"
            " intentions among which its own"
        ]
    lines += [
        f"- for {scope_text(s['intentions'])} only: {_serving_what(s['adapter'])}"
        for s in serving
        if s["intentions"]
    ]
    return "\n".join(lines)


def history_rows(events: Sequence[Mapping[str, Any]]) -> list[list]:
    """``Admin.activation_history`` as rows of HISTORY_COLUMNS."""
    return [
        [
            when_text(e["created_at"]),
            e["action"],
            e["adapter"] or "base model",
            scope_text(e.get("intentions") or []),
            e["by_user"] or "",
        ]
        for e in events
    ]


def acceptance_rows(groups: Sequence[Mapping[str, Any]]) -> list[list]:
    """Acceptance groups (per intention or adapter) as rows of ACCEPTANCE_COLUMNS."""
    return [
        [g["key"] or "(none)", g["accepted"], g["rejected"], rate_text(g["rate"])] for g in groups
    ]


def data_choices(upload: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """The Train form's data sets, with a kept upload (``Admin.upload_data``) last."""
    choices = [(DATASET_LABELS.get(name, name), name.value) for name in DataSetName]
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
        (f"baseline: {BASELINE_LABELS.get(b, b)}", f"baseline:{b}") for b in Baseline
    ]


def job_from_form(*values: Any) -> dict[str, Any]:
    """The Train form (its values in ``TRAIN_FORM`` order; missing last ones: empty) as a
    job for ``Admin.start_training``: empty fields left out, so their defaults apply; a
    field the method does not use left out (Stage-I steps only for Intention-Tuning); a
    field marked ``omit_default`` left out at its default (an edit weight of 1); the
    feedback fields (``FEEDBACK_FIELDS``) left out unless the data is the feedback."""
    if len(values) > len(TRAIN_FORM):
        raise TypeError(f"the Train form has {len(TRAIN_FORM)} fields, got {len(values)} values")
    form = dict(zip(TRAIN_FORM, values, strict=False))
    job = {}
    for key, value in form.items():
        if key in FEEDBACK_FIELDS and form.get("data") != DataSetName.FEEDBACK:
            continue  # only a run on the feedback uses them
        setting = SETTINGS.get(key)
        if setting is not None and not setting.used_by(form.get("method")):
            continue
        if setting is not None and setting.omit_default and value == setting.default:
            continue
        if value is not None and value != "":
            job[key] = value
    return job
