"""Ablations behind the quality table on ITERATER-sent: is the gap between
Intention-Tuning and LoRA larger than seed noise, does a longer Stage I help, and do
weighting the edited tokens in training or insisting on an edit in decoding help?

Four parts, at the budget and learning rates of ``benchmarks/quality.py`` (run that first:
its ``benchmarks/results/quality.json`` gives the rates; its seed-0 run folders under
``--work`` are reused, not trained again):

1. ``seeds``: LoRA and Intention-Tuning trained with seeds ``--seeds`` (data order,
   initialisation), each scored on the whole test split. Per method the mean, sample
   standard deviation and range; per seed the Intention-Tuning minus LoRA difference; and
   whether Intention-Tuning's mean SARI beats LoRA's by more than the seeds' spread.
   ``--partial`` trains nothing and writes this part from the runs finished so far,
   naming the ones still missing (for a long run going on beside it).
2. ``stage1``: Intention-Tuning with a longer Stage I (``--stage1-steps``, default 4x the
   table's), the same Stage II; scored on the dev examples of the table and on test,
   with its predictor's macro-F1 and S_gen next to the table's run.
3. ``edit-beams``: the seed-0 LoRA and Intention-Tuning runs decoded again with
   ``--edit-beams K``: pieces the greedy answer left unchanged are decoded with K beams
   and the best answer that changes them is taken. Dev and test.
4. ``edit-weight``: LoRA and Intention-Tuning trained with the target tokens that depart
   from the source weighted ``--edit-weight`` times in the Stage-II loss (``python -m
   training train --edit-weight``), otherwise as the table. Dev and test.

Each part is scored on test for the record; none of them changes the main table, whose
choices were made on dev. Resumable like the table (finished runs and written reports are
reused), and parts may run in separate processes at once: each saves only its own part
into the results file. Results: ``benchmarks/results/quality_ablations.{json,md}``.

    nohup python benchmarks/quality_ablations.py > runs/quality-ablations.log 2>&1 &
    python benchmarks/quality_ablations.py --parts seeds --partial

``--max-steps N`` runs the parts at N Stage-II steps instead of the table's (a real budget:
402 steps are one epoch of ITERATER-sent train at batch 8), with the table's learning rates,
into run folders named for the budget and results of their own,
``benchmarks/results/quality_ablations_steps{N}.{json,md}``:

    nohup python benchmarks/quality_ablations.py --parts seeds --max-steps 402 \
        > runs/quality-steps402.log 2>&1 &

``--recipe CONFIG`` runs the seeds part at a training recipe's budget instead: every run is
``python -m training train --config CONFIG --method M --seed N``, so LoRA and
Intention-Tuning get the recipe's data, steps, learning rate, warm-up and edit weight (the
recipe of the built-in adapter's first step, ``training/configs/intention-tuning-default.yaml``,
is about two epochs over ITERATER-sent and synthetic learner pairs), into run folders
``WORK/recipe/{stem}/{method}-seed{N}`` and results
``benchmarks/results/quality_ablations_recipe-{stem}.{json,md}``; scored on
ITERATER-sent test and on all of ITERATER-doc test. At that recipe one run takes two to
two and a half hours on two cores, so the part is meant to be run again session after
session (each run resumes from its checkpoints) and written with ``--partial`` between.
A run scored and committed in the results file is not trained again when its folder is
gone with the machine that trained it: its recorded row stands (``recorded_rows``).

    nohup python benchmarks/quality_ablations.py --parts seeds \
        --recipe training/configs/intention-tuning-default.yaml > runs/quality-recipe.log 2>&1 &

At a recipe a fifth part, ``baselines``, trains LoRA's two variants of the main table,
DoRA and IR-Tuning-gen, with the recipe and the first of ``--seeds`` (one seed each: each
run costs as much as a seeds run, DoRA half as much again), scored like the seeds part's
runs and written with ``--partial`` in the same way; both resume from their checkpoints.
The main table's own baselines are ``benchmarks/quality.py``'s, so the part is refused
without ``--recipe``.

    nohup python benchmarks/quality_ablations.py --parts baselines \
        --recipe training/configs/intention-tuning-default.yaml > runs/quality-recipe.log 2>&1 &

About 2.5 h on two busy CPU cores for the defaults (two seeds more of two methods, one
Stage I of 240 steps, two beam decodings of dev and test).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as in benchmarks/quality.py

import argparse
import datetime
import json
import shlex
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial as partial_call
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.quality import (  # noqa: E402
    BUDGETS,
    NAMES,
    RESULTS,
    Budget,
    eval_config,
    log,
    lr_name,
    row,
    score,
    train,
    trained,
)
from benchmarks.record import machine_facts  # noqa: E402
from training.config import TrainConfig, read_yaml  # noqa: E402
from training.evaluate import EvalConfig  # noqa: E402

DATA = "iterater-sent"
DOC_DATA = "iterater-doc"  # also scored at a recipe: the app revises documents too
PARTS = ("seeds", "stage1", "edit-beams", "edit-weight")  # the default --parts
RECIPE_PARTS = ("seeds", "baselines")  # the parts that run at a recipe
BASELINES = ("ir-tuning", "dora")  # the main table's LoRA variants (the quicker first)
METRICS = (("sari", "SARI (EASSE)"), ("sari_t2t", "SARI (t2t)"), ("gleu", "GLEU"))
# The seeds part also carries ITERATER's own SARI (its runs are newer than the other parts').
SEED_METRICS = (*METRICS[:1], ("sari_iterater", "SARI (ITERATER)"), *METRICS[1:])


def _rates(results: Path) -> dict[str, float]:
    path = results / "quality.json"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run python benchmarks/quality.py first")
    block = json.loads(path.read_text())["datasets"].get(DATA)
    if block is None:
        raise SystemExit(f"{path} has no {DATA} block: run python benchmarks/quality.py first")
    return {m: s["chosen_lr"] for m, s in block["lr_search"].items()}


def _other_steps(budget: Budget) -> int | None:
    """The budget's Stage-II steps where they are not the table's (None where they are)."""
    return None if budget.max_steps == BUDGETS[DATA].max_steps else budget.max_steps


def _results_name(budget: Budget) -> str:
    """``quality_ablations``, or ``quality_ablations_steps{N}`` at another budget."""
    steps = _other_steps(budget)
    return "quality_ablations" + (f"_steps{steps}" if steps is not None else "")


def _run_folder(
    work: Path,
    method: str,
    lr: float,
    seed: int = 0,
    stage1: int | None = None,
    edit_weight: float = 1.0,
    steps: int | None = None,
) -> Path:
    # Seed 0 at the table's budget is the table's own run folder; ``steps``: another budget.
    name = f"{method}-lr{lr_name(lr)}"
    name += f"-steps{steps}" if steps is not None else ""
    name += f"-seed{seed}" if seed else ""
    name += f"-stage1x{stage1}" if stage1 is not None else ""
    name += f"-editw{edit_weight:g}" if edit_weight != 1.0 else ""
    return work / DATA / name


# What a finished run must share with the recipe to count as its run (and, for
# Intention-Tuning, its Stage I steps).
RECIPE_CHECKED = (
    "data", "max_steps", "batch_size", "lr", "warmup_steps", "edit_weight", "max_length",
)  # fmt: skip


def _recipe(path: Path) -> TrainConfig:
    """The training recipe at ``path`` (a ``training/configs`` YAML file)."""
    try:
        data = read_yaml(path)
        data.setdefault("output", "-")  # not used: each run is given a folder of its own
        config = TrainConfig.from_dict(data)
    except (ValueError, TypeError) as err:
        raise SystemExit(f"--recipe {path}: {err}") from None
    if config.max_steps is None:
        raise SystemExit(f"--recipe {path}: the recipe must set max_steps")
    return config


def _recipe_budget(config: TrainConfig) -> Budget:
    """The table's budget with the recipe's steps, batch, length and learning rate."""
    return replace(
        BUDGETS[DATA],
        max_steps=config.max_steps,
        stage1_steps=config.stage1_budget,
        batch_size=config.batch_size,
        max_length=config.max_length,
        lrs=(config.lr,),
    )


def _recipe_folder(work: Path, recipe: Path, method: str, seed: int) -> Path:
    return work / "recipe" / recipe.stem / f"{method}-seed{seed}"


def train_recipe(recipe: Path, method: str, seed: int, folder: Path, home: Path) -> Path:
    """A finished run of ``method`` at the recipe with ``seed`` in ``folder``."""
    config = _recipe(recipe).to_dict() | {"method": method, "seed": seed}
    keys = (*RECIPE_CHECKED, "method", "seed")
    keys += ("stage1_steps",) if method == "intention-tuning" else ()
    arguments = ["--config", str(recipe), "--method", method, "--seed", str(seed)]
    return trained(folder, {k: config[k] for k in keys}, arguments, home)


def recorded_rows(
    results: dict[str, Any], header: dict[str, Any], part_name: str = "seeds"
) -> dict[tuple, dict]:
    """The rows of part ``part_name`` (seeds or baselines) that ``results`` (this recipe's
    results file as committed) already holds, by (method, seed), when it was written for
    the same budget and recipe.

    A run folder does not outlive the machine it was trained on, but its scores do, in the
    results file: a row recorded there is kept rather than trained again (two to three
    hours a run here). Each row says when it was recorded."""
    keys = ("data", "budget", "recipe")
    same = all(results.get(k) == json.loads(json.dumps(header[k])) for k in keys)  # as stored
    part = results.get("parts", {}).get(part_name)
    if not same or part is None:
        return {}
    when = part.get("run", {}).get("date")
    return {(r["method"], r["seed"]): {"recorded": when} | r for r in part["rows"]}


def _scored_at(report: Path) -> str:
    """When the run's test report was written (UTC)."""
    stamp = datetime.datetime.fromtimestamp(report.stat().st_mtime, datetime.UTC)
    return stamp.isoformat(timespec="seconds")


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "mean": statistics.fmean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else None,
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n_runs": len(rows), "seeds": [r["seed"] for r in rows]}
    for key, _ in (*SEED_METRICS, ("update_r", "")):
        out[key] = _stats([r[key] for r in rows])
    if rows and all("doc" in r for r in rows):  # runs at a recipe: ITERATER-doc test too
        out["doc"] = {key: _stats([r["doc"][key] for r in rows]) for key, _ in SEED_METRICS}
    return out


def seeds_part(seeds, rows: dict[str, list[dict[str, Any]]], missing: list[str]):
    """The seeds part from the rows finished so far (``rows[method]``, each with its seed):
    per method the summary, per seed that both methods finished the difference, and the
    verdict on SARI once every run is in."""
    by_seed = {m: {r["seed"]: r for r in rs} for m, rs in rows.items()}
    both = [s for s in seeds if all(s in by_seed[m] for m in rows)]
    differences = [
        {"seed": s}
        | {
            key: by_seed["intention-tuning"][s][key] - by_seed["lora"][s][key]
            for key, _ in SEED_METRICS
        }
        for s in both
    ]
    summary = {m: _summary(rs) for m, rs in rows.items() if rs}
    verdict = None
    if not missing:
        it, lora = summary["intention-tuning"]["sari"], summary["lora"]["sari"]
        verdict = {
            "difference": it["mean"] - lora["mean"],
            "beyond_spread": it["min"] > lora["max"] or it["max"] < lora["min"],
        }
    return {
        "seeds": list(seeds),
        "summary": summary,
        "differences": differences,
        "verdict": verdict,
        "missing": missing,
        "min_edit_margin": EvalConfig.min_edit_margin,
        "rows": [r for rs in rows.values() for r in rs],
    }


@dataclass
class _Scoring:
    """How a part scores its runs: on ITERATER-sent test (and, with ``doc``, all of
    ITERATER-doc test) as served; ``recorded`` rows stand for runs whose folder holds no
    scores; with ``partial``, runs neither scored nor recorded are named in ``missing``."""

    home: Path
    test: Callable[..., Any]
    partial: bool
    recorded: dict[tuple, dict]
    doc: bool
    missing: list[str] = field(default_factory=list)

    def row(
        self, method: str, seed: int, lr: float, folder: Path, train_it: Callable[[], Path]
    ) -> dict[str, Any] | None:
        """The run's row, scored in ``folder`` after ``train_it()`` has trained it (unless
        finished); its recorded row where the folder holds no scores; with ``partial``,
        None where neither is there."""
        paths = [folder / "eval-test.json"] + ([folder / "eval-test-doc.json"] if self.doc else [])
        scored = all(p.is_file() for p in paths)
        if not scored and (method, seed) in self.recorded:
            log(f"{NAMES[method]} seed {seed}: scored already, as recorded")
            return self.recorded[method, seed]
        if self.partial and not scored:
            self.missing.append(f"{NAMES[method]} seed {seed}")
            return None
        if self.partial:
            reports = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
        else:
            run = train_it()
            reports = [score(self.test(adapter=str(run)), paths[0], self.home)]
            if self.doc:
                on_doc = replace(self.test(adapter=str(run)), data=DOC_DATA, limit=None)
                reports.append(score(on_doc, paths[1], self.home))
        line = row(DATA, method, reports[0], lr) | {"seed": seed}
        line["recorded"] = _scored_at(paths[0])
        if self.doc:
            line["doc"] = {k: reports[1]["metrics"][k] for k, _ in SEED_METRICS}
        return line


def run_seeds(
    seeds,
    budget: Budget,
    rates,
    work: Path,
    home: Path,
    test,
    partial: bool = False,
    recipe: Path | None = None,
    recorded: dict[tuple, dict] | None = None,
) -> dict[str, Any]:
    """The seeds part: each method and seed trained (unless finished) and scored on test;
    with ``partial``, only the runs scored already. A run not scored in its folder (gone with
    its machine, or trained but not scored) whose row is in ``recorded`` (see
    ``recorded_rows``) keeps that row: to score such a run again, remove its row first."""
    rows: dict[str, list[dict[str, Any]]] = {"lora": [], "intention-tuning": []}
    # At a recipe every run is also scored on all of ITERATER-doc test.
    scoring = _Scoring(home, test, partial, recorded or {}, doc=recipe is not None)
    for seed in seeds:
        for method in rows:
            lr = rates[method]
            if recipe is not None:
                folder = _recipe_folder(work, recipe, method, seed)
                train_it = partial_call(train_recipe, recipe, method, seed, folder, home)
            else:
                folder = _run_folder(work, method, lr, seed, steps=_other_steps(budget))
                train_it = partial_call(train, DATA, method, lr, budget, folder, home, seed=seed)
            line = scoring.row(method, seed, lr, folder, train_it)
            if line is not None:
                rows[method].append(line)
    part = seeds_part(seeds, rows, scoring.missing)
    return part | ({"recipe": recipe.stem} if recipe is not None else {})


def run_baselines(
    seed: int,
    lr: float,
    work: Path,
    home: Path,
    test,
    recipe: Path,
    partial: bool = False,
    recorded: dict[tuple, dict] | None = None,
) -> dict[str, Any]:
    """The baselines part at a recipe: DoRA and IR-Tuning-gen trained with the recipe and
    ``seed`` (unless finished) and scored as the seeds part's runs are (``run_seeds``)."""
    rows: list[dict[str, Any]] = []
    scoring = _Scoring(home, test, partial, recorded or {}, doc=True)
    for method in BASELINES:
        folder = _recipe_folder(work, recipe, method, seed)
        train_it = partial_call(train_recipe, recipe, method, seed, folder, home)
        line = scoring.row(method, seed, lr, folder, train_it)
        if line is not None:
            rows.append(line)
    return {
        "seed": seed,
        "rows": rows,
        "missing": scoring.missing,
        "min_edit_margin": EvalConfig.min_edit_margin,
        "recipe": recipe.stem,
    }


def run_stage1(steps: int, budget: Budget, rates, work: Path, home: Path, dev, test):
    lr = rates["intention-tuning"]
    longer = replace(budget, stage1_steps=steps)
    out = {"stage1_steps": {"table": budget.stage1_steps, "longer": steps}, "rows": []}
    for label, b, folder in (
        ("table", budget, _run_folder(work, "intention-tuning", lr, steps=_other_steps(budget))),
        (
            "longer",
            longer,
            _run_folder(work, "intention-tuning", lr, stage1=steps, steps=_other_steps(budget)),
        ),
    ):
        run = train(DATA, "intention-tuning", lr, b, folder, home)
        dev_report = score(dev(adapter=str(run)), run / "eval-dev.json", home)
        report = score(test(adapter=str(run)), run / "eval-test.json", home)
        out["rows"].append(
            row(DATA, "intention-tuning", report, lr)
            | {
                "variant": label,
                "stage1_steps": b.stage1_steps,
                "dev": {k: dev_report["metrics"][k] for k, _ in METRICS},
                "dev_prediction_macro_f1": (dev_report.get("prediction") or {}).get("macro_f1"),
            }
        )
    return out


def run_edit_beams(beams: int, budget: Budget, rates, work: Path, home: Path, dev, test):
    out: dict[str, Any] = {"edit_beams": beams, "rows": []}
    for method in ("lora", "intention-tuning"):
        run = train(
            DATA,
            method,
            rates[method],
            budget,
            _run_folder(work, method, rates[method], steps=_other_steps(budget)),
            home,
        )
        for decoding, k in (("greedy", 0), (f"{beams} edit beams", beams)):
            suffix = f"-beams{k}" if k else ""
            dev_report = score(
                dev(adapter=str(run), edit_beams=k), run / f"eval-dev{suffix}.json", home
            )
            report = score(
                test(adapter=str(run), edit_beams=k), run / f"eval-test{suffix}.json", home
            )
            out["rows"].append(
                row(DATA, method, report, rates[method])
                | {
                    "decoding": decoding,
                    "edit_beams": k,
                    "alternative_pieces": report["generation"].get("alternative_pieces", 0),
                    "dev": {key: dev_report["metrics"][key] for key, _ in METRICS},
                }
            )
    return out


def run_edit_weight(weight: float, budget: Budget, rates, work: Path, home: Path, dev, test):
    out: dict[str, Any] = {"edit_weight": weight, "rows": []}
    for method in ("lora", "intention-tuning"):
        lr = rates[method]
        for w in (1.0, weight):
            folder = _run_folder(work, method, lr, edit_weight=w, steps=_other_steps(budget))
            run = train(DATA, method, lr, budget, folder, home, edit_weight=w)
            dev_report = score(dev(adapter=str(run)), run / "eval-dev.json", home)
            report = score(test(adapter=str(run)), run / "eval-test.json", home)
            out["rows"].append(
                row(DATA, method, report, lr)
                | {"edit_weight": w, "dev": {k: dev_report["metrics"][k] for k, _ in METRICS}}
            )
    return out


# --- tables ----------------------------------------------------------------------------------


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _seeds_line(method: str, seeds: list[int], stats: dict[str, Any]) -> str:
    """One method's row of a seeds table: each metric's mean ± sd (range), SARI per seed."""
    cells = [
        f"{stats[k]['mean']:.2f} ± {_f(stats[k]['sd'])} "
        f"({stats[k]['min']:.2f}-{stats[k]['max']:.2f})"
        for k, _ in SEED_METRICS
    ]
    per_seed = ", ".join(f"{v:.2f}" for v in stats["sari"]["values"])
    shown = ", ".join(map(str, seeds))
    return f"| {NAMES[method]} | {shown} | " + " | ".join(cells) + f" | {per_seed} |"


def seeds_markdown(part: dict[str, Any]) -> list[str]:
    header = [
        "| method | seeds | "
        + " | ".join(f"{t} mean ± sd (range)" for _, t in SEED_METRICS)
        + " | SARI per seed |",
        "|---|---|" + "---:|" * (len(SEED_METRICS) + 1),
    ]
    lines = [
        f"### Seeds {', '.join(map(str, part['seeds']))}: LoRA and Intention-Tuning, test",
        "",
        "Scored as the app serves them: the fact guard on, edits kept only with a "
        f"margin of {part['min_edit_margin']:g} nats"
        + (
            "."
            if part.get("recipe")
            else " (so seed 0 differs from the main table, which kept every edit)."
        ),
        "",
        *header,
    ]
    for method, s in part["summary"].items():
        lines.append(_seeds_line(method, s["seeds"], s))
    dated = [r for r in part.get("rows", []) if r.get("recorded")]
    if dated:
        lines += [
            "",
            "Scored by (UTC): "
            + "; ".join(f"{NAMES[r['method']]} seed {r['seed']} {r['recorded']}" for r in dated)
            + ".",
        ]
    docs = {m: s for m, s in part["summary"].items() if "doc" in s}
    if docs:
        lines += ["", "The same runs on all of ITERATER-doc test, as served:", "", *header]
        lines += [_seeds_line(m, s["seeds"], s["doc"]) for m, s in docs.items()]
    lines += ["", "Intention-Tuning minus LoRA, per seed:", ""]
    lines += [
        "| seed | " + " | ".join(t for _, t in SEED_METRICS) + " |",
        "|---:|" + "---:|" * len(SEED_METRICS),
    ]
    for d in part["differences"]:
        lines.append(
            f"| {d['seed']} | " + " | ".join(f"{d[k]:+.2f}" for k, _ in SEED_METRICS) + " |"
        )
    wins = {k: sum(d[k] > 0 for d in part["differences"]) for k, _ in SEED_METRICS}
    n = len(part["differences"])
    lines += [
        "",
        "Intention-Tuning ahead of LoRA in "
        + ", ".join(f"{wins[k]}/{n} seeds on {t}" for k, t in SEED_METRICS)
        + ".",
    ]
    if part.get("missing"):
        lines += [
            "",
            f"**Partial:** not finished yet: {', '.join(part['missing'])}. Run the seeds "
            "part again without `--partial` to finish them.",
        ]
    verdict = part.get("verdict")
    if verdict is not None:
        ahead = "beats" if verdict["difference"] > 0 else "does **not** beat"
        spread = (
            "by more than the seeds' spread (the two ranges do not overlap)"
            if verdict["beyond_spread"]
            else "within the seeds' spread (the two ranges overlap)"
        )
        lines += [
            "",
            f"Intention-Tuning {ahead} LoRA on mean SARI (EASSE) at this budget: "
            f"{verdict['difference']:+.2f}, {spread}.",
        ]
    return lines


def _whole(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _scores(scores: dict[str, Any]) -> str:
    return " / ".join(_f(scores[k]) for k in ("sari", "sari_iterater", "gleu"))


def baselines_markdown(part: dict[str, Any]) -> list[str]:
    lines = [
        f"### DoRA and IR-Tuning-gen at the recipe, seed {part['seed']}, test",
        "",
        "Scored as the app serves them: the fact guard on, edits kept only with a margin of "
        f"{part['min_edit_margin']:g} nats. One seed each: set them beside the seeds part's "
        "means and ranges.",
        "",
        "| method | ITERATER-sent test: SARI (EASSE) / SARI (ITERATER) / GLEU | ITERATER-doc "
        "test: SARI (EASSE) / SARI (ITERATER) / GLEU | outputs = input | fact-changing | "
        "train (s) | peak MiB | trainable | scored (UTC) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in part["rows"]:
        seconds, peak = (_whole(r.get(k)) for k in ("train_seconds", "peak_memory_mb"))
        trainable = r.get("trainable_params")
        params = "–" if trainable is None else f"{trainable / 1e6:.2f} M"
        lines.append(
            f"| {NAMES[r['method']]} | {_scores(r)} | {_scores(r['doc'])} | "
            f"{r['unchanged_outputs']}/{r['n']} | {r['fact_changing_outputs']} | {seconds} | "
            f"{peak} | {params} | {r.get('recorded') or '–'} |"
        )
    if part.get("missing"):
        lines += [
            "",
            f"**Partial:** not finished yet: {', '.join(part['missing'])}. Run the "
            "baselines part again without `--partial` to finish them.",
        ]
    return lines


def stage1_markdown(part: dict[str, Any]) -> list[str]:
    lines = [
        f"### Stage I of {part['stage1_steps']['longer']} steps instead of "
        f"{part['stage1_steps']['table']} (Intention-Tuning, same Stage II)",
        "",
        "| Stage-I steps | dev SARI | dev GLEU | test SARI (EASSE) | test SARI (t2t) | test GLEU "
        "| pred. macro-F1 (test) | \\|S_gen\\| | train (s) | outputs = input |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in part["rows"]:
        f1 = r["prediction_macro_f1"]
        lines.append(
            f"| {r['stage1_steps']} | {_f(r['dev']['sari'])} | {_f(r['dev']['gleu'])} | "
            f"{_f(r['sari'])} | {_f(r['sari_t2t'])} | {_f(r['gleu'])} | "
            f"{'–' if f1 is None else f'{f1:.3f}'} | {r['s_gen_size']} | "
            f"{r['train_seconds']:,.0f} | {r['unchanged_outputs']}/{r['n']} |"
        )
    return lines


def beams_markdown(part: dict[str, Any]) -> list[str]:
    lines = [
        f"### Insisting on an edit: {part['edit_beams']} beams where greedy changed nothing",
        "",
        "| method | decoding | dev SARI | dev GLEU | test SARI (EASSE) | test SARI (t2t) | "
        "test GLEU | Update-R | pieces re-decoded and changed | outputs = input |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in part["rows"]:
        lines.append(
            f"| {NAMES[r['method']]} | {r['decoding']} | {_f(r['dev']['sari'])} | "
            f"{_f(r['dev']['gleu'])} | {_f(r['sari'])} | {_f(r['sari_t2t'])} | "
            f"{_f(r['gleu'])} | {_f(r['update_r'])} | {r['alternative_pieces']} | "
            f"{r['unchanged_outputs']}/{r['n']} |"
        )
    return lines


def weight_markdown(part: dict[str, Any]) -> list[str]:
    lines = [
        f"### Edited tokens weighted {part['edit_weight']:g}x in the Stage-II loss",
        "",
        "| method | edit weight | dev SARI | dev GLEU | test SARI (EASSE) | test SARI (t2t) | "
        "test GLEU | Update-R | train (s) | outputs = input |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in part["rows"]:
        lines.append(
            f"| {NAMES[r['method']]} | {r['edit_weight']:g} | {_f(r['dev']['sari'])} | "
            f"{_f(r['dev']['gleu'])} | {_f(r['sari'])} | {_f(r['sari_t2t'])} | "
            f"{_f(r['gleu'])} | {_f(r['update_r'])} | {r['train_seconds']:,.0f} | "
            f"{r['unchanged_outputs']}/{r['n']} |"
        )
    return lines


def _budget_line(results: dict[str, Any]) -> str:
    b, recipe = results["budget"], results.get("recipe")
    if recipe:
        return (
            f"Budget: the training recipe `{recipe['path']}` for every method: data "
            f"`{recipe['data']}`, {b['max_steps']} Stage-II steps at batch {b['batch_size']}, "
            f"max length {b['max_length']}, learning rate {lr_name(b['lrs'][0])} after "
            f"{recipe['warmup_steps']} warm-up steps, edited tokens weighted "
            f"{recipe['edit_weight']:g}x; Intention-Tuning {b['stage1_steps']} Stage-I steps. "
            "Test: all of ITERATER-sent's and ITERATER-doc's. Nothing here changes the main "
            "table."
        )
    return (
        (
            "Budget as the main table (`benchmarks/results/quality.md`): "
            if b["max_steps"] == BUDGETS[DATA].max_steps
            else "Budget: the main table's (`benchmarks/results/quality.md`) but "
        )
        + f"{b['max_steps']} Stage-II steps at batch {b['batch_size']}, max length "
        f"{b['max_length']}; "
        f"Intention-Tuning {b['stage1_steps']} Stage-I steps; learning rates "
        + ", ".join(f"{NAMES[k]} {lr_name(v)}" for k, v in results["rates"].items())
        + f". Dev: the first {b['dev_limit']} dev examples; test: all of it. Nothing here "
        "changes the main table."
    )


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Quality ablations on ITERATER-sent",
        "",
        f"Machine: {m['cpu']}, {m['cpu_count']} cores, torch {m['torch']} "
        f"({m['gpu'] or 'CPU only'})  ",
        _budget_line(results),
    ]
    renderers = {
        "seeds": seeds_markdown,
        "stage1": stage1_markdown,
        "edit-beams": beams_markdown,
        "edit-weight": weight_markdown,
        "baselines": baselines_markdown,
    }
    for name in (*PARTS, "baselines"):
        if name in results["parts"]:
            part = results["parts"][name]
            table = renderers[name](part)
            run = part["run"]
            lines += ["", table[0], "", f"`{run['command']}` ({run['date']})", *table[1:]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma list of " + ", ".join(PARTS)
    )
    parser.add_argument("--seeds", default="0,1,2", help="comma list of seeds")
    parser.add_argument("--partial", action="store_true",
                        help="seeds, baselines: train nothing, report finished runs")  # fmt: skip
    parser.add_argument("--stage1-steps", type=int, help="default: 4x the table's")
    parser.add_argument("--edit-beams", type=int, default=4)
    parser.add_argument("--edit-weight", type=float, default=3.0)
    parser.add_argument("--max-steps", type=int,
                        help="Stage-II steps (default: the table's; 402: one epoch)")  # fmt: skip
    parser.add_argument("--recipe", type=Path,
                        help="seeds or baselines part at a training config's budget")  # fmt: skip
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "quality",
                        help="run folders (the table's seed-0 runs are reused)")  # fmt: skip
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home",
                        help="ITUNE_HOME: the converted embedded model")  # fmt: skip
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--tables-only", action="store_true",
                        help="rewrite quality_ablations.md from its JSON and print it")  # fmt: skip
    args = parser.parse_args()
    budget = BUDGETS[DATA]
    if args.max_steps is not None:
        if args.max_steps < 1:
            raise SystemExit("--max-steps must be positive")
        budget = replace(budget, max_steps=args.max_steps)
    name = _results_name(budget)
    recipe = None
    if args.recipe is not None:
        if args.max_steps is not None:
            raise SystemExit("--recipe sets the steps: leave out --max-steps")
        config = _recipe(args.recipe)
        budget = _recipe_budget(config)
        name = f"quality_ablations_recipe-{args.recipe.stem}"
        shown = args.recipe.resolve()
        recipe = {
            "path": str(shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown),
            "data": config.data,
            "warmup_steps": config.warmup_steps,
            "edit_weight": config.edit_weight,
        }
    path = args.results / f"{name}.json"
    if args.tables_only:
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run the ablations first")
        results = json.loads(path.read_text())
        (args.results / f"{name}.md").write_text(markdown(results), encoding="utf-8")
        print(markdown(results))
        return
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - {*PARTS, *RECIPE_PARTS})
    if unknown:
        raise SystemExit(f"unknown parts {unknown}: choose from {', '.join(PARTS)}, baselines")
    if args.edit_beams < 2:
        raise SystemExit("--edit-beams must be at least 2")
    if not args.edit_weight > 1.0:
        raise SystemExit("--edit-weight must be above 1")
    if recipe is not None and not set(parts) <= set(RECIPE_PARTS):
        raise SystemExit("--recipe runs the seeds and baselines parts only")
    if recipe is None and "baselines" in parts:
        raise SystemExit(
            "the baselines part runs at a recipe (--recipe CONFIG); the main table's "
            "baselines are python benchmarks/quality.py's"
        )
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if recipe is not None:
        rates = {"lora": budget.lrs[0], "intention-tuning": budget.lrs[0]}
    else:
        rates = _rates(args.results)

    def dev(**target: Any) -> EvalConfig:
        return eval_config(DATA, budget, "dev", **target)

    def test(**target: Any) -> EvalConfig:
        return eval_config(DATA, budget, "test", **target)

    header = {
        "data": DATA,
        "budget": asdict(budget),
        "rates": rates,
        "command": "python benchmarks/quality_ablations.py " + shlex.join(sys.argv[1:]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
    } | ({"recipe": recipe} if recipe is not None else {})
    results: dict[str, Any] = {"parts": {}}
    recorded: dict[str, dict[tuple, dict]] = {}
    if recipe is not None and path.is_file():
        committed = json.loads(path.read_text(encoding="utf-8"))
        recorded = {p: recorded_rows(committed, header, p) for p in RECIPE_PARTS}
    for part in parts:
        log(f"ablation: {part}")
        where = (budget, rates, args.work, args.home)
        if part == "seeds":
            done = run_seeds(
                seeds, *where, test, partial=args.partial, recipe=args.recipe,
                recorded=recorded.get("seeds"),
            )  # fmt: skip
        elif part == "baselines":
            done = run_baselines(
                seeds[0], budget.lrs[0], args.work, args.home, test, args.recipe,
                partial=args.partial, recorded=recorded.get("baselines"),
            )  # fmt: skip
        elif part == "stage1":
            done = run_stage1(args.stage1_steps or 4 * budget.stage1_steps, *where, dev, test)
        elif part == "edit-beams":
            done = run_edit_beams(args.edit_beams, *where, dev, test)
        else:
            done = run_edit_weight(args.edit_weight, *where, dev, test)
        # Saved after each part, merged into what the file holds now (another process
        # may have saved other parts meanwhile), so a stopped run keeps what it finished.
        results = json.loads(path.read_text()) if path.is_file() else {"parts": {}}
        results |= header
        results["parts"][part] = done | {"run": {k: header[k] for k in ("command", "date")}}
        args.results.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (args.results / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
