"""How the default adapter was chosen (dev) and how it scores (test), beside copy and
zero-shot, with every SARI variant, GLEU, unchanged outputs and fact-changing outputs.

Two stages, each resumable (a report already written is not scored again):

    # dev: the budget curve (snapshots of one run), decoding, the fact guard, the
    # confidence threshold (min edit margin)
    python benchmarks/default_adapter.py dev --run runs/default-adapter
    # test, once, for the chosen adapter (ITERATER-sent and ITERATER-doc test splits)
    python benchmarks/default_adapter.py test --adapter adapters/itune-default
    # dev: finished adapters side by side (a retrained candidate against the shipped one)
    python benchmarks/default_adapter.py compare --adapters adapters/itune-default runs/new
    # dev, from the dev reports above (no model): could keeping edits for some
    # intentions only (each intention: every edit, a margin, or none) clear both bars?
    python benchmarks/default_adapter.py frontier --run runs/default-adapter
    # dev, from the same reports (no model): what the connector guard changes
    python benchmarks/default_adapter.py connectors --run runs/default-adapter
    # ... and the deletion guard, on the reports compare wrote for these adapters
    python benchmarks/default_adapter.py deletions --adapters adapters/itune-default
    # ... the tense, spelling-variety, literal, negation and person guards the same way
    # (tenses, varieties, literals, negations, persons)

``--run`` is a training output folder with ``snapshots/step-N`` (``--snapshot-every``);
its snapshots and its final adapter are scored on ITERATER-sent dev and on the synthetic
learner-error dev pairs (``training.learner_errors``: errors injected into dev's clean
sentences, never seen in training). Results go to ``benchmarks/results/default_adapter_
{dev,test}.{json,md}``; the per-example reports stay under ``--work``.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see quality.py)

import argparse
import datetime
import json
import platform
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.paired import compare as paired_compare  # noqa: E402
from benchmarks.paired import outputs_as_reference, read_report  # noqa: E402
from benchmarks.paired import table as paired_table  # noqa: E402
from benchmarks.record import suffix, write  # noqa: E402
from itune_core.bundle import AdapterBundle  # noqa: E402
from itune_core.connectors import guard_connectors  # noqa: E402
from itune_core.deletions import guard_clauses, guard_deletions  # noqa: E402
from itune_core.literals import guard_literals  # noqa: E402
from itune_core.metrics.revisions import (  # noqa: E402
    example_statistics,
    scores_from_statistics,
)
from itune_core.negations import guard_negations  # noqa: E402
from itune_core.persons import guard_persons  # noqa: E402
from itune_core.reviser import ReviseSettings  # noqa: E402
from itune_core.tenses import guard_tenses  # noqa: E402
from itune_core.varieties import guard_varieties  # noqa: E402
from storage.environment import home_folder  # noqa: E402
from training.data import SYNTHETIC_SETS  # noqa: E402
from training.evaluate import EvalConfig, EvalProgressBars, evaluate, write_report  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
# Hand-written learner sentences, one kind of error each (a few with none), with their fixes.
LEARNER_SENTENCES = ROOT / "benchmarks" / "learner_sentences.jsonl"
# Hand-written learner sentences with two to four errors of different kinds each.
LEARNER_MIXED = ROOT / "benchmarks" / "learner_mixed.jsonl"
METRIC_KEYS = ("sari", "sari_iterater", "gleu")
# Published ITERATER-sent test anchors under the ITERATER scorer (Du et al., ACL 2022).
ANCHORS = (
    ("BART-large (406M parameters, 8 beams; Du et al. 2022)", 37.28),
    ("PEGASUS-large (568M parameters; Du et al. 2022)", 37.11),
)


def report_key(split: str, data: str, name: str) -> str:
    """The file name (without ``.json``) of one row's report under ``--work``; a data file
    is named by its stem."""
    if data.endswith((".jsonl", ".json")):
        data = Path(data).stem
    return f"{split}-{data}-{name}".replace(" ", "_").replace(",", "").replace(".", "p")


def _score(work: Path, name: str, config: EvalConfig) -> dict[str, Any]:
    """The report of one evaluation, from ``work`` when it was written before with the same
    adapter."""
    path = work / f"{name}.json"
    if path.is_file():
        report = json.loads(path.read_text(encoding="utf-8"))
        if _same_adapter(report, config):
            return report
        print(f"{name}: its adapter was replaced since; scoring it again", flush=True)
    print(f"scoring {name}", flush=True)
    report = evaluate(config, home=home_folder(), progress=EvalProgressBars())
    write_report(report, path)
    return report


def _same_adapter(report: dict[str, Any], config: EvalConfig) -> bool:
    """Whether ``report`` was made with the adapter now in ``config.adapter``. Reports are
    named after the adapter's folder, and a folder such as ``adapters/itune-default`` gets a
    new adapter when one ships: the lineage's creation time tells the two apart (a snapshot
    has no lineage of its own, and a run's snapshots are never replaced)."""
    lineage = AdapterBundle.read(config.adapter).lineage if config.adapter else None
    if lineage is None:
        return True
    return (report.get("lineage") or {}).get("created") == lineage.get("created")


def _row(name: str, data: str, report: dict[str, Any]) -> dict[str, Any]:
    m, outputs = report["metrics"], report.get("outputs") or {}
    generation = report.get("generation") or {}
    return {
        "name": name,
        "data": Path(data).stem if data.endswith((".jsonl", ".json")) else data,
        "split": report["data"]["split"],
        "n": m["n"],
        "sari": m["sari"],
        "sari_iterater": m["sari_iterater"],
        "sari_t2t": m["sari_t2t"],
        "gleu": m["gleu"],
        "update_r": m["update_r"],
        "unchanged": outputs.get("unchanged"),
        "as_reference": outputs_as_reference(report.get("examples") or []),
        "fact_changing": outputs.get("fact_changing"),
        "fact_changing_unguarded": outputs.get("fact_changing_unguarded"),
        "held_edits": outputs.get("held_edits"),
        "unsure_edits": outputs.get("unsure_edits"),
        "min_edit_margin": generation.get("min_edit_margin"),
        "generation_seconds": (report.get("timing") or {}).get("generation_seconds"),
        "decoding": generation.get("decoding"),
        "by_intention": {
            k: {"sari": v["sari"], "sari_iterater": v["sari_iterater"], "gleu": v["gleu"]}
            for k, v in (m.get("by_intention") or {}).items()
        },
    }


def _f(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| data | system | n | SARI (EASSE) | SARI (ITERATER) | SARI (t2t) | GLEU | "
        "outputs = input | outputs = reference | fact-changing (guarded / unguarded) | "
        "edits held back | edits left out as unsure |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        facts = f"{r['fact_changing']} / {r['fact_changing_unguarded']}"
        if r["fact_changing_unguarded"] is None:
            facts = str(r["fact_changing"])
        lines.append(
            f"| {r['data']} | {r['name']} | {r['n']} | {_f(r['sari'])} | "
            f"{_f(r['sari_iterater'])} | {_f(r['sari_t2t'])} | {_f(r['gleu'])} | "
            f"{r['unchanged']}/{r['n']} | {r['as_reference']}/{r['n']} | {facts} | "
            f"{'–' if r['held_edits'] is None else r['held_edits']} | "
            f"{'–' if r.get('unsure_edits') is None else r['unsure_edits']} |"
        )
    return lines


def _write(
    stage: str,
    rows: list[dict[str, Any]],
    header: list[str],
    argv: list[str],
    footer: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    command = "python benchmarks/default_adapter.py " + shlex.join(argv)
    meta = {
        "command": command,
        "date": now,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    (RESULTS / f"default_adapter_{stage}.json").write_text(
        json.dumps({**meta, "rows": rows, **(extra or {})}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [f"# Default adapter: {stage}", "", f"`{command}` ({now}, {meta['machine']})", ""]
    lines += header + _table(rows)
    if stage == "test":
        lines += ["", "Published ITERATER-sent test anchors (ITERATER scorer):", ""]
        lines += [f"- {name}: {value}" for name, value in ANCHORS]
    lines += footer or []
    text = "\n".join(lines) + "\n"
    (RESULTS / f"default_adapter_{stage}.md").write_text(text, encoding="utf-8")
    print(text)


def _final_steps(run: Path) -> int | None:
    """The Stage-II steps of the run in ``run`` (None for an adapter averaged from several
    runs, or a folder that is not there)."""
    if not AdapterBundle.is_finished(run):
        return None
    return (AdapterBundle.read(run).require_records()[1].get("stage2") or {}).get("steps")


def _final_name(run: Path) -> str:
    """The report name of the run's final adapter with every edit kept; the ``dev`` stage
    writes it and ``frontier`` reads it."""
    steps = _final_steps(run)
    return f"{run.name} final" + ("" if steps is None else f" (step {steps})")


def run_dev(args: argparse.Namespace, argv: list[str]) -> None:
    run = Path(args.run)
    # Every edit kept (min_edit_margin None), except in the rows that choose the margin.
    targets: list[tuple[str, dict[str, Any]]] = [
        ("copy", {"baseline": "copy", "min_edit_margin": None}),
        ("zero-shot", {"baseline": "zero-shot", "min_edit_margin": None}),
    ]
    final_steps = _final_steps(run)
    for step, snapshot in AdapterBundle.read(run).snapshots().items():
        if step == final_steps:
            continue  # the final adapter itself, scored below
        targets.append(
            (f"{run.name} {snapshot.name}", {"adapter": str(snapshot), "min_edit_margin": None})
        )
    final = {"adapter": str(run), "min_edit_margin": None}
    targets.append((_final_name(run), final))
    targets += [
        (f"{run.name} final, min edit margin {m:g}", {**final, "min_edit_margin": m})
        for m in args.margins
    ]
    beam_targets = [
        (f"{run.name} final, edit beams {beams}", {**final, "edit_beams": beams})
        for beams in args.edit_beams
    ]
    rows = []
    for data in args.data:
        # Beam decoding costs several greedy passes: on the first data set only.
        for name, options in targets + (beam_targets if data == args.data[0] else []):
            key = report_key("dev", data, name)
            config = EvalConfig(
                data=data, split="dev", model="embedded", limit=args.limit, **options
            )
            rows.append(_row(name, data, _score(args.work, key, config)))
    header = [
        "Chosen on dev: each snapshot of one run is the same training stopped at that many "
        'Stage-II steps (the budget curve). Every row keeps every edit but the "min edit '
        'margin" rows, which leave out the edits the model is unsure of (margin in nats at '
        "most that, `itune_core/confidence.py`). Learner-error pairs are synthetic: errors "
        "injected into dev's clean sentences.",
        "",
    ]
    _write("dev" + (f"_{args.suffix}" if args.suffix else ""), rows, header, argv)


def _served_targets(
    adapters: list[str], margin: float, served_only: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """Copy, zero-shot, and each adapter with every edit and as served (``margin``); with
    ``served_only``, each adapter as served and nothing else."""
    targets: list[tuple[str, dict[str, Any]]] = []
    if not served_only:
        targets += [
            ("copy", {"baseline": "copy", "min_edit_margin": None}),
            ("zero-shot", {"baseline": "zero-shot", "min_edit_margin": None}),
        ]
    for adapter in adapters:
        name = Path(adapter).name
        if not served_only:
            targets.append((name, {"adapter": adapter, "min_edit_margin": None}))
        targets.append(
            (
                f"{name}, min edit margin {margin:g} (served)",
                {"adapter": adapter, "min_edit_margin": margin},
            )
        )
    return targets


def _score_targets(
    work: Path,
    split: str,
    datasets: list[str],
    targets: list[tuple[str, dict[str, Any]]],
    limits: dict[str, int | None],
) -> list[dict[str, Any]]:
    """Every target scored on every data set of ``split`` (reports reused from ``work``)."""
    rows = []
    for data in datasets:
        for name, options in targets:
            key = report_key(split, data, name).removesuffix("_(served)")
            config = EvalConfig(
                data=data, split=split, model="embedded", limit=limits.get(data), **options
            )
            rows.append(_row(name, data, _score(work, key, config)))
    return rows


def run_test(args: argparse.Namespace, argv: list[str]) -> None:
    targets = _served_targets([args.adapter], args.margin, args.served_only)
    rows = _score_targets(args.work, "test", args.data, targets, {"iterater-doc": args.doc_limit})
    kept = (
        "as served only: the edits the model is unsure of left out"
        if args.served_only
        else "every edit kept, and (the last row of each data set, what the app serves) the "
        "edits the model is unsure of left out"
    )
    header = [f"Scored once on the test splits, greedy, as the app revises: {kept}.", ""]
    _write("test" + (f"_{args.suffix}" if args.suffix else ""), rows, header, argv)


def run_compare(args: argparse.Namespace, argv: list[str]) -> None:
    """Finished adapters side by side on dev (a retrained candidate against the shipped
    one), each with every edit and as served, beside copy and zero-shot."""
    targets = _served_targets(args.adapters, args.margin, args.served_only)
    rows = _score_targets(args.work, "dev", args.data, targets, {})
    header = [
        "Adapters compared on dev, greedy as the app revises: "
        + ("as served only" if args.served_only else "every edit kept, and as served")
        + " (the edits the model is unsure of left out). Every system is behind the fact and "
        "connector guards. The learner-error sets are synthetic (`training/learner_errors.py`): "
        "`learner-errors` injects them into ITERATER's dev sentences, `essay-errors` into the "
        "ArgRewrite dev writers' essays, `apostrophes` drops one apostrophe of a contraction, "
        "`agreement` leaves a third-person verb without its -s, `more-errors` makes the errors "
        "the others never make (tense, capitals, a dropped *is*, *more better*, misspellings...), "
        "`mixed-errors` puts errors of both kinds in one sentence, `grammar-errors` makes "
        "those step 4 still left (a verb's -s away from its subject, *more bigger*, *I am "
        "agree*, *look forward to meet*, *since* for *for*, *loose*), `usage-errors` errors "
        "of word usage (*informations*, *if it will rain*, *although ..., but*, *discuss "
        "about*, *interesting* for *interested*, *most of people*), and `wordiness`, labelled "
        "clarity, one wordy phrase in place of the plain word (*due to the fact that* for "
        "*because*, *in order to*, *is able to*...; `training/wordiness.py`). "
        "`learner_sentences` and `learner_mixed` are not synthetic: hand-written learner "
        "sentences with one kind of error each (`benchmarks/learner_sentences.jsonl`, a few "
        "with none) and with two to four kinds each (`benchmarks/learner_mixed.jsonl`).",
        "",
    ]
    pairs = paired_rows(args.work, args.data, [name for name, _ in targets if "(served)" in name])
    footer = []
    if pairs:
        footer = [
            "",
            f"Each adapter as served against {Path(args.adapters[0]).name} as served, on the "
            f"same examples: the paired bootstrap ({PAIRED_SAMPLES} resamples of the examples, "
            "`benchmarks/paired.py`), so a difference can be read against how much the "
            "choice of examples moves it.",
            "",
            paired_table(pairs, PAIRED_SAMPLES),
        ]
    stage = "compare" + (f"_{args.suffix}" if args.suffix else "")
    _write(stage, rows, header, argv, footer, {"paired": pairs})


PAIRED_SAMPLES = 1000


def paired_rows(work: Path, datasets: list[str], served: list[str]) -> list[dict[str, Any]]:
    """The paired bootstrap of each served adapter after the first against the first, on
    every data set, from the dev reports under ``work``."""
    pairs = []
    for data in datasets:
        paths = [
            work / f"{report_key('dev', data, name).removesuffix('_(served)')}.json"
            for name in served
        ]
        for path in paths[1:]:
            pairs.append(
                paired_compare(read_report(paths[0]), read_report(path), PAIRED_SAMPLES, seed=0)
            )
    return pairs


def _policy_rows(
    work: Path, run: Path, data: str, margins: list[float]
) -> tuple[list[str], dict[str, list[Any]], list[str]]:
    """Each dev example's statistics under every choice a per-intention policy can make
    ("copy", "every edit", "margin M"), read from the dev reports; and each example's
    (first) gold intention."""
    choices = {"copy": "copy", "every edit": _final_name(run)}
    choices |= {f"margin {m:g}": f"{run.name} final, min edit margin {m:g}" for m in margins}
    stats, intentions = {}, None
    for choice, name in choices.items():
        key = report_key("dev", data, name)
        path = work / f"{key}.json"
        if not path.is_file():
            raise SystemExit(f"error: {path} is missing: run the dev stage first")
        examples = json.loads(path.read_text(encoding="utf-8"))["examples"]
        labels = [e["labels"][0] for e in examples]
        if intentions is not None and labels != intentions:
            raise SystemExit(f"error: {path} has other examples than the copy report")
        intentions = labels
        stats[choice] = [
            example_statistics(
                e["before"],
                e["output"],
                [e["reference"]] if isinstance(e["reference"], str) else list(e["reference"]),
            )
            for e in examples
        ]
    return list(choices), stats, intentions or []


def run_frontier(args: argparse.Namespace, argv: list[str]) -> None:
    """Every per-intention policy on dev, scored from the dev reports: the frontier of
    SARI against GLEU, and whether any policy beats zero-shot on SARI and copy on GLEU."""
    import itertools

    choices, stats, intentions = _policy_rows(args.work, Path(args.run), args.data, args.margins)
    labels = sorted(set(intentions))
    copy = scores_from_statistics(stats["copy"])
    zero_key = f"dev-{args.data}-zero-shot"
    zero = json.loads((args.work / f"{zero_key}.json").read_text(encoding="utf-8"))["metrics"]
    held = _held_choices(args.hold, labels, choices)
    if args.no_copy:
        choices = [c for c in choices if c != "copy"]
    free = [label for label in labels if label not in held]
    policies = []
    for combo in itertools.product(choices, repeat=len(free)):
        policy = {label: held.get(label) for label in labels} | dict(zip(free, combo, strict=True))
        chosen = [stats[policy[label]][i] for i, label in enumerate(intentions)]
        scores = scores_from_statistics(chosen)
        policies.append((scores["sari"], scores["gleu"], policy))
    frontier = [p for p in policies if not any(q[0] >= p[0] and q[1] > p[1] for q in policies)]
    frontier.sort(key=lambda p: -p[0])
    seen: set[tuple[float, float]] = set()  # policies that score alike: the first listed
    frontier = [p for p in frontier if (p[0], p[1]) not in seen and not seen.add((p[0], p[1]))]
    both = [p for p in policies if p[0] > zero["sari"] and p[1] > copy["gleu"]]
    rows = [{"sari": sari, "gleu": gleu, "policy": policy} for sari, gleu, policy in frontier]
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    command = "python benchmarks/default_adapter.py " + shlex.join(argv)
    lines = [
        "# Default adapter: keeping edits per intention (dev)",
        "",
        f"`{command}` ({now}; no model runs: the dev reports of the `dev` stage)",
        "",
        f"{args.data} dev, {len(intentions)} examples. A policy chooses, for each gold "
        f"intention, what the writer is offered: {', '.join(choices)} (the edits whose "
        "margin is at most M left out)"
        + "".join(f"; {label} always {choice}" for label, choice in held.items())
        + ". All "
        f"{len(policies)} policies were scored; the table is their frontier (no other "
        "policy has both a higher SARI and a higher GLEU; of policies that score alike, "
        "one). Bars on dev: zero-shot's SARI "
        f"(EASSE) {zero['sari']:.2f}, copy's GLEU {copy['gleu']:.2f}.",
        "",
        "| SARI (EASSE) | GLEU | " + " | ".join(labels) + " |",
        "|---:|---:|" + "---|" * len(labels),
    ]
    lines += [
        f"| {r['sari']:.2f} | {r['gleu']:.2f} | "
        + " | ".join(r["policy"][label] for label in labels)
        + " |"
        for r in rows
    ]
    verdict = (
        f"**{len(both)}** of {len(policies)} policies beat both bars on dev."
        if both
        else "**No** policy beats both bars on dev: "
        + (
            f"above copy's GLEU the best SARI is "
            f"{max(p[0] for p in policies if p[1] > copy['gleu']):.2f}, below zero-shot's "
            f"{zero['sari']:.2f}."
            if any(p[1] > copy["gleu"] for p in policies)
            else "none is above copy's GLEU."
        )
    )
    lines += ["", verdict]
    meta = {"command": command, "date": now, "bars": {"sari": zero["sari"], "gleu": copy["gleu"]}}
    if args.within is not None:
        pick = _pick(policies, stats, intentions, args.within)
        meta["pick"] = pick
        lines += ["", _pick_line(pick, labels, args.within)]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "default_adapter_frontier" + (f"_{args.suffix}" if args.suffix else "")
    (args.out / f"{stem}.json").write_text(
        json.dumps({**meta, "policies": len(policies), "frontier": rows}, indent=2) + "\n",
        encoding="utf-8",
    )
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)


def _held_choices(holds: list[str], labels: list[str], choices: list[str]) -> dict[str, str]:
    """``--hold INTENTION=CHOICE`` values as intention -> choice, checked."""
    held = {}
    for hold in holds:
        label, _, choice = hold.partition("=")
        if label not in labels or choice not in choices:
            raise SystemExit(
                f"error: --hold {hold!r}: an intention of {labels} and a choice of {choices}"
            )
        held[label] = choice
    return held


def _pick(
    policies: list[tuple[float, float, dict[str, str]]],
    stats: dict[str, list[Any]],
    intentions: list[str],
    within: float,
) -> dict[str, Any]:
    """The policy with the highest GLEU among those at most ``within`` SARI below the
    served one (the app's margin for every intention), the higher SARI breaking ties."""
    served = f"margin {ReviseSettings.min_edit_margin:g}"
    base = scores_from_statistics([stats[served][i] for i in range(len(intentions))])
    near = [p for p in policies if p[0] >= base["sari"] - within]
    sari, gleu, policy = max(near, key=lambda p: (round(p[1], 6), p[0]))
    return {
        "policy": policy,
        "sari": sari,
        "gleu": gleu,
        "served": {"sari": base["sari"], "gleu": base["gleu"]},
        "delta": {"sari": sari - base["sari"], "gleu": gleu - base["gleu"]},
    }


def _pick_line(pick: dict[str, Any], labels: list[str], within: float) -> str:
    policy = ", ".join(f"{label} {pick['policy'][label]}" for label in labels)
    return (
        f"**Picked** (the highest GLEU at most {within:g} SARI below the served policy, "
        f"{pick['served']['sari']:.2f} / {pick['served']['gleu']:.2f}): {policy}: "
        f"SARI {pick['sari']:.2f} ({pick['delta']['sari']:+.2f}), GLEU {pick['gleu']:.2f} "
        f"({pick['delta']['gleu']:+.2f})."
    )


# The guards whose effect on dev can be read off the dev reports: stage -> (name, guard).
GUARDS = {
    "connectors": ("connector", guard_connectors),
    "deletions": ("deletion", guard_deletions),
    "clauses": ("clause", guard_clauses),
    "tenses": ("tense", guard_tenses),
    "varieties": ("spelling-variety", guard_varieties),
    "literals": ("literal", guard_literals),
    "negations": ("negation", guard_negations),
    "persons": ("person", guard_persons),
}


def _guard_systems(args: argparse.Namespace) -> dict[str, str]:
    """Row label -> report name: the ``dev`` stage's systems of ``--run``, each adapter
    of ``--adapters`` as ``compare`` served it, or zero-shot alone (``--zero-shot``)."""
    if args.zero_shot:
        return {"zero-shot": "zero-shot"}
    if args.adapters:
        margin = f"{ReviseSettings.min_edit_margin:g}"
        return {
            f"{Path(a).name}, served": f"{Path(a).name}, min edit margin {margin}"
            for a in args.adapters
        }
    run = Path(args.run).name
    return {
        "zero-shot": "zero-shot",
        "adapter, every edit": f"{run} final",
        "adapter, served (margin 0.5)": f"{run} final, min edit margin 0.5",
    }


def run_guard(args: argparse.Namespace, argv: list[str]) -> None:
    """A guard on dev, from dev reports written without it: each system's outputs with
    the guard applied to each example (under its gold intentions), scored before and
    after, and every edit it holds back."""
    name, guard = GUARDS[args.stage]
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    command = "python benchmarks/default_adapter.py " + shlex.join(argv)
    rows, held_rows = [], []
    for data in args.data:
        for system, report in _guard_systems(args).items():
            path = args.work / f"{report_key('dev', data, report)}.json"
            if not path.is_file():
                raise SystemExit(f"error: {path} is missing: run the dev or compare stage first")
            examples = json.loads(path.read_text(encoding="utf-8"))["examples"]
            before, after, held = [], [], 0
            for e in examples:
                refs = [e["reference"]] if isinstance(e["reference"], str) else e["reference"]
                offered, found = guard(e["before"], e["output"], e["labels"])
                held += len(found)
                held_rows += [(data, system, h.before, h.after) for h in found]
                before.append(example_statistics(e["before"], e["output"], list(refs)))
                after.append(example_statistics(e["before"], offered, list(refs)))
            b, a = scores_from_statistics(before), scores_from_statistics(after)
            rows.append({"data": data, "system": system, "held": held, "before": b, "after": a})
    lines = [
        f"# The {name} guard on dev",
        "",
        f"`{command}` ({now}; no model runs: dev reports written without the guard, the "
        "guard applied to each example's output, under its gold intentions)",
        "",
        "| dev set | system | edits held back | SARI (EASSE) | SARI (ITERATER) | GLEU |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = [f"{r['before'][k]:.2f} → {r['after'][k]:.2f}" for k in METRIC_KEYS]
        lines.append(f"| {r['data']} | {r['system']} | {r['held']} | " + " | ".join(cells) + " |")
    lines += ["", "Held back:", ""]
    lines += [f"- {d}, {s}: `{b}` → `{a}`" for d, s, b, a in held_rows] or ["- none"]
    record = {"command": command, "date": now, "rows": rows}
    stem = f"default_adapter_{args.stage}" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, "\n".join(lines) + "\n"))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "default-adapter-eval")
    stages = parser.add_subparsers(dest="stage", required=True)
    dev = stages.add_parser("dev", help="the budget curve and decoding on dev")
    dev.add_argument("--run", required=True, help="a training output with snapshots/")
    dev.add_argument("--data", nargs="+", default=["iterater-sent", "learner-errors"])
    dev.add_argument("--edit-beams", type=int, nargs="*", default=[4])
    dev.add_argument(
        "--margins",
        type=float,
        nargs="*",
        default=[0.0, 0.5, 1.0, 2.0],
        help="min edit margins (nats) tried on the final adapter",
    )
    dev.add_argument("--limit", type=int, default=None, help="first N dev examples")
    frontier = stages.add_parser(
        "frontier", help="per-intention policies on dev, from the dev reports (no model)"
    )
    frontier.add_argument("--run", required=True, help="the run the dev stage scored")
    frontier.add_argument("--data", default="iterater-sent")
    frontier.add_argument("--margins", type=float, nargs="*", default=[0.0, 0.5, 1.0, 2.0])
    frontier.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    frontier.add_argument(
        "--no-copy", action="store_true", help="no intention is answered with the input"
    )
    frontier.add_argument(
        "--hold",
        action="append",
        default=[],
        metavar="INTENTION=CHOICE",
        help='one intention kept at one choice, e.g. "fluency=margin 0.5" (repeatable)',
    )
    frontier.add_argument(
        "--within",
        type=float,
        help="pick the highest-GLEU policy at most this much SARI below the served one",
    )
    test = stages.add_parser("test", help="the chosen adapter on the test splits, once")
    for stage in (dev, frontier, test):
        stage.add_argument(
            "--suffix",
            default="",
            type=suffix,
            help="results written as default_adapter_STAGE_SUFFIX.{md,json} (keeps earlier ones)",
        )
    test.add_argument("--adapter", default=str(ROOT / "adapters" / "itune-default"))
    test.add_argument("--data", nargs="+", default=["iterater-sent", "iterater-doc"])
    test.add_argument(
        "--margin",
        type=float,
        default=ReviseSettings.min_edit_margin,
        help="the served min edit margin (nats); the default is the app's",
    )
    test.add_argument(
        "--doc-limit",
        type=int,
        default=20,
        help="first N ITERATER-doc test documents (the quality table's 20; 0: all)",
    )
    test.add_argument(
        "--served-only",
        action="store_true",
        help="the adapter as served only: no copy, zero-shot or every-edit rows",
    )
    compare = stages.add_parser("compare", help="finished adapters side by side on dev")
    compare.add_argument("--adapters", nargs="+", required=True, help="adapter folders")
    compare.add_argument(
        "--data",
        nargs="+",
        default=["iterater-sent", *SYNTHETIC_SETS, str(LEARNER_SENTENCES), str(LEARNER_MIXED)],
    )
    compare.add_argument(
        "--margin",
        type=float,
        default=ReviseSettings.min_edit_margin,
        help="the served min edit margin (nats); the default is the app's",
    )
    compare.add_argument(
        "--served-only",
        action="store_true",
        help="each adapter as served only: no copy, zero-shot or every-edit rows (half "
        "of the decoding or less)",
    )
    compare.add_argument(
        "--suffix",
        default="",
        type=suffix,
        help="results written as default_adapter_compare_SUFFIX.{md,json} (keeps earlier ones)",
    )
    for stage, (name, _) in GUARDS.items():
        guard = stages.add_parser(
            stage, help=f"the {name} guard on dev, from dev reports written without it (no model)"
        )
        systems = guard.add_mutually_exclusive_group(required=True)
        systems.add_argument("--run", help="the run the dev stage scored")
        systems.add_argument("--adapters", nargs="+", help="the adapters compare served")
        systems.add_argument(
            "--zero-shot",
            action="store_true",
            help="zero-shot alone (reports written by `python -m training evaluate --baseline "
            "zero-shot --split dev --output WORK/dev-DATA-zero-shot.json`)",
        )
        guard.add_argument("--data", nargs="+", default=["iterater-sent", "learner-errors"])
        guard.add_argument("--out", type=Path, default=RESULTS, help="results folder")
        guard.add_argument(
            "--suffix",
            default="",
            type=suffix,
            help=f"results written as default_adapter_{stage}_SUFFIX.{{md,json}}",
        )
    args = parser.parse_args(argv)
    if getattr(args, "doc_limit", None) == 0:
        args.doc_limit = None
    args.work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stage = {"dev": run_dev, "test": run_test, "frontier": run_frontier}
    stage |= {"compare": run_compare} | dict.fromkeys(GUARDS, run_guard)
    stage[args.stage](args, argv)


if __name__ == "__main__":
    main()
