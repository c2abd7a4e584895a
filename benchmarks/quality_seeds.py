"""LoRA against Intention-Tuning over three seeds, at the quality table's budget.

``benchmarks/quality.py`` trains every method once (seed 0). This trains LoRA and
Intention-Tuning again with seeds 0, 1 and 2 (``--seeds``), at the learning rate each chose
on dev there and the same budget (both read from ``benchmarks/results/quality.json``), and
scores every run on the whole ITERATER-sent test split, as the quality table does. It
reports each seed, the mean and the spread (min-max), and whether Intention-Tuning's mean
beats LoRA's by more than the seeds' spread.

Resumable: runs go one at a time, the methods alternating, into ``--work``; a finished
run is not trained again and a written report is not scored again. ``--report`` writes the
results from the runs finished so far (partial while the rest go on). About 20 minutes a
run on two idle CPU cores, 2 hours in all:

    nohup python benchmarks/quality_seeds.py > runs/quality-seeds.log 2>&1 &
    python benchmarks/quality_seeds.py --report

Writes ``benchmarks/results/quality_seeds.{json,md}``.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see quality.py)

import argparse
import datetime
import json
import shlex
import statistics
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.quality import (  # noqa: E402
    NAMES,
    RESULTS,
    Budget,
    eval_config,
    lr_name,
    machine,
    row,
    score,
    train,
)
from training.evaluate import EvalConfig  # noqa: E402

DATA = "iterater-sent"
METHODS = ("lora", "intention-tuning")
FIGURES = ("sari", "sari_iterater", "sari_t2t", "gleu", "unchanged_outputs", "train_seconds")


def chosen(results: Path) -> tuple[Budget, dict[str, float]]:
    """The quality table's ITERATER-sent budget and the learning rates chosen on dev."""
    path = results / "quality.json"
    if not path.is_file():
        raise SystemExit(f"error: {path} is missing: run benchmarks/quality.py first")
    block = json.loads(path.read_text(encoding="utf-8"))["datasets"].get(DATA)
    if block is None:
        raise SystemExit(f"error: {path} has no {DATA} results: run benchmarks/quality.py")
    budget = dict(block["budget"])
    budget["lrs"] = tuple(budget["lrs"])
    lrs = {m: block["lr_search"][m]["chosen_lr"] for m in METHODS}
    return Budget(**budget), lrs


def run_folder(work: Path, method: str, lr: float, seed: int) -> Path:
    return work / DATA / f"{method}-lr{lr_name(lr)}-seed{seed}"


def summary(rows: list[dict[str, Any]], seeds: list[int]) -> dict[str, Any]:
    """Per method: the mean and min-max of each figure over its finished seeds; and the
    verdict on SARI when both methods have every seed."""
    out: dict[str, Any] = {}
    for method in METHODS:
        mine = [r for r in rows if r["method"] == method]
        if not mine:
            continue
        out[method] = {
            "seeds": [r["seed"] for r in mine],
            **{
                f: {
                    "mean": statistics.mean(r[f] for r in mine),
                    "min": min(r[f] for r in mine),
                    "max": max(r[f] for r in mine),
                }
                for f in FIGURES
                if all(r.get(f) is not None for r in mine)
            },
        }
    complete = all(sorted(out.get(m, {}).get("seeds", [])) == sorted(seeds) for m in METHODS)
    if complete:
        it, lora = out["intention-tuning"]["sari"], out["lora"]["sari"]
        out["verdict"] = {
            "difference": it["mean"] - lora["mean"],
            "beats": it["mean"] > lora["mean"],
            "beyond_spread": it["min"] > lora["max"],
        }
    return out


def markdown(record: dict[str, Any]) -> str:
    s, m = record["settings"], record["machine"]
    b = s["budget"]
    lines = [
        "# LoRA and Intention-Tuning over seeds (ITERATER-sent test)",
        "",
        f"`{record['command']}` ({record['date']}; {m['cpu']}, {m['cpu_count']} CPUs, "
        f"torch {m['torch']})",
        "",
        f"The quality table's budget: {b['max_steps']} Stage-II steps at batch "
        f"{b['batch_size']}, max length {b['max_length']} tokens; Intention-Tuning also "
        f"{b['stage1_steps']} Stage-I steps. Learning rates as chosen on dev there: "
        + ", ".join(f"{NAMES[m]} {lr:g}" for m, lr in s["lrs"].items())
        + f". Seeds {', '.join(map(str, s['seeds']))}; every run scored on all "
        "ITERATER-sent test examples as the app serves them (the fact guard, min edit "
        f"margin {s.get('min_edit_margin')}), so the seed-0 rows differ from the quality "
        "table's, which kept every edit.",
        "",
        "| method | seed | SARI (EASSE) | SARI (ITERATER) | SARI (t2t) | GLEU | outputs = input "
        "| train (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in record["rows"]:
        lines.append(
            f"| {NAMES[r['method']]} | {r['seed']} | {r['sari']:.2f} | "
            f"{r['sari_iterater']:.2f} | {r['sari_t2t']:.2f} | {r['gleu']:.2f} | "
            f"{r['unchanged_outputs']}/{r['n']} | {r['train_seconds']:.0f} |"
        )
    lines += [
        "",
        "| method | seeds | SARI (EASSE) mean (min-max) | SARI (ITERATER) | GLEU |",
        "|---|---|---:|---:|---:|",
    ]
    for method, fig in record["summary"].items():
        if method == "verdict":
            continue
        cells = [
            f"{fig[f]['mean']:.2f} ({fig[f]['min']:.2f}-{fig[f]['max']:.2f})"
            for f in ("sari", "sari_iterater", "gleu")
        ]
        seeds = ", ".join(map(str, fig["seeds"]))
        lines.append(f"| {NAMES[method]} | {seeds} | " + " | ".join(cells) + " |")
    verdict = record["summary"].get("verdict")
    lines.append("")
    if verdict is None:
        missing = ", ".join(record.get("missing") or []) or "some runs"
        lines.append(
            f"**Partial:** not finished yet: {missing}. Run the same command again to finish them."
        )
    else:
        beats = "beats" if verdict["beats"] else "does **not** beat"
        spread = (
            "by more than the seeds' spread"
            if verdict["beyond_spread"]
            else "within the seeds' spread"
        )
        lines.append(
            f"Intention-Tuning {beats} LoRA on mean SARI (EASSE) at this budget: "
            f"{verdict['difference']:+.2f}, {spread}."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "quality-seeds")
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the results go")
    parser.add_argument(
        "--report", action="store_true", help="write what has finished so far, run nothing"
    )
    args = parser.parse_args(argv)
    budget, lrs = chosen(args.results)
    rows, missing = [], []
    for seed in args.seeds:
        for method in METHODS:
            folder = run_folder(args.work, method, lrs[method], seed)
            report_path = folder / "eval-test.json"
            if args.report:
                if not report_path.is_file():
                    missing.append(f"{NAMES[method]} seed {seed}")
                    continue
                report = json.loads(report_path.read_text(encoding="utf-8"))
            else:
                run = train(DATA, method, lrs[method], budget, folder, args.home, seed=seed)
                config = eval_config(DATA, budget, "test", adapter=str(run))
                report = score(config, report_path, args.home)
            rows.append(row(DATA, method, report, lrs[method]) | {"seed": seed})
    command = [a for a in argv if a != "--report"]
    record = {
        "command": "python benchmarks/quality_seeds.py " + shlex.join(command),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "settings": {
            "seeds": args.seeds,
            "lrs": lrs,
            "budget": asdict(budget),
            "min_edit_margin": EvalConfig.min_edit_margin,
        },
        "rows": [{k: v for k, v in r.items() if k != "by_intention"} for r in rows],
        "summary": summary(rows, args.seeds),
        "missing": missing,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "quality_seeds.json").write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(record)
    (args.results / "quality_seeds.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
