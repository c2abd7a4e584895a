"""Revision quality of every method at one budget: copy, zero-shot, LoRA, DoRA,
IR-Tuning-gen and Intention-Tuning on the embedded SmolLM2-135M-Instruct.

For one data set per call (ITERATER-sent by default; ``--data iterater-doc``):

1. Every trained method is trained with ``python -m training train`` in a subprocess, each
   into its own run folder under ``--work``, with the same Stage-II data (the train split),
   steps, batch and sequence length. Intention-Tuning also runs its Stage I
   (``--stage1-steps``), which counts in its training time.
2. The learning rate is chosen on the dev split: LoRA and Intention-Tuning are trained at
   each rate of ``--lrs`` and scored on the first ``--dev-limit`` dev examples; the rate
   with the higher SARI (EASSE variant; GLEU breaks ties) is kept. DoRA and IR-Tuning-gen,
   LoRA variants, take LoRA's rate (two more dev searches would not fit the budget).
   ITERATER-doc, whose documents cost several times more per step, reuses the rates
   chosen on ITERATER-sent's dev split (run ITERATER-sent first; ``--lrs`` searches anew).
3. The test split (``--test-limit``: its first N examples; default all) is scored once
   per method with ``training.evaluate`` (the app's prompt, pieces, stops and cleaning;
   batched, greedy; the gold intentions), and intention prediction where there is a
   predictor (Intention-Tuning's Stage I).

Resumable: a finished run folder is not trained again and a written
report is not scored again, so a stopped benchmark picks up where it was. Results of each
data set are merged into ``benchmarks/results/quality.json`` (one row per method and data
set; the dev search; per-intention scores; budget, command, date, machine) and
``quality.md`` (the tables), and the tables are printed.

Run from the repository root (ITERATER-sent about an hour on two idle CPU cores, twice
that when other jobs share them; ITERATER-doc about 40 minutes on idle cores):

    nohup python benchmarks/quality.py > runs/quality-sent.log 2>&1 &
    nohup python benchmarks/quality.py --data iterater-doc > runs/quality-doc.log 2>&1 &
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads: see below

import argparse
import datetime
import json
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import machine_facts  # noqa: E402
from itune_core.bundle import AdapterBundle  # noqa: E402
from training.evaluate import EvalConfig, EvalProgressBars, evaluate, write_report  # noqa: E402

# OMP_WAIT_POLICY=PASSIVE: on a CPU shared with other jobs, OpenMP threads that spin while
# waiting made decoding 3x slower (measured: 0.27 s -> 0.084 s per step at batch 16); the
# app sets the same policy. Training is the other way round: its subprocesses get
# OMP_WAIT_POLICY=ACTIVE, as 30 LoRA steps at the built-in adapter's recipe took a median
# 2.80 s a step with spinning threads against 3.34 s passive (0.84x; two rounds each,
# alternated, 2026-12-05 00:19-00:30 on the idle 2-core AVX-512 AMD EPYC).
TRAIN_OMP_WAIT_POLICY = "ACTIVE"

RESULTS = ROOT / "benchmarks" / "results"
METHODS = ("copy", "zero-shot", "lora", "dora", "ir-tuning", "intention-tuning")
NAMES = {
    "copy": "copy",
    "zero-shot": "zero-shot",
    "lora": "LoRA",
    "dora": "DoRA",
    "ir-tuning": "IR-Tuning-gen",
    "intention-tuning": "Intention-Tuning",
}
TUNED = ("lora", "intention-tuning")  # learning rate chosen on dev
LR_OF = {"dora": "lora", "ir-tuning": "lora"}  # LoRA variants take LoRA's rate
# The paper's SARI for Intention-Tuning (7-14B models on GPU), docs/method.md.
PAPER_SARI = {"iterater-sent": 42.1, "iterater-doc": 48.77}


@dataclass(frozen=True)
class Budget:
    """What every method of one data set gets."""

    max_steps: int  # Stage-II steps, the same for every trained method
    stage1_steps: int  # Intention-Tuning's Stage I
    batch_size: int
    max_length: int
    lrs: tuple[float, ...]
    dev_limit: int | None
    test_limit: int | None
    eval_batch_size: int = 16
    lrs_from: str | None = None  # take the rates chosen on this data set's dev split


# Sized for two shared CPU cores (see the module docstring for the wall time).
BUDGETS = {
    "iterater-sent": Budget(
        max_steps=120,
        stage1_steps=60,
        batch_size=8,
        max_length=256,
        lrs=(3e-4, 1e-3),
        dev_limit=100,
        test_limit=None,
    ),
    "iterater-doc": Budget(
        max_steps=30,
        stage1_steps=30,
        batch_size=4,
        max_length=1024,
        lrs=(),
        dev_limit=None,
        test_limit=20,
        lrs_from="iterater-sent",
    ),
}


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def lr_name(lr: float) -> str:
    return f"{lr:g}"


def trained(folder: Path, wanted: dict[str, Any], arguments: list[str], home: Path) -> Path:
    """A finished run in ``folder``: one there already is kept if its hyperparameters match
    ``wanted`` (and refused if not), else ``python -m training train ARGUMENTS`` trains it
    now (resuming from its checkpoints after an interruption)."""
    if AdapterBundle.is_finished(folder):
        hyper = AdapterBundle.read(folder).require_records()[0]["hyperparameters"]
        hyper.setdefault("edit_weight", 1.0)  # runs from before the option
        differ = {k: (hyper.get(k), v) for k, v in wanted.items() if hyper.get(k) != v}
        if differ:
            raise SystemExit(
                f"{folder} was trained otherwise ({differ}, as (run, wanted)): "
                "give another --work folder or move it away"
            )
        log(f"{folder.name}: trained already")
        return folder
    command = [sys.executable, "-m", "training", "train", *arguments]
    command += ["--output", str(folder), "--home", str(home)]
    log("train: " + shlex.join(command[1:]))
    env = os.environ | {"OMP_WAIT_POLICY": TRAIN_OMP_WAIT_POLICY}
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    return folder


def train(
    data: str,
    method: str,
    lr: float,
    budget: Budget,
    folder: Path,
    home: Path,
    seed: int = 0,
    edit_weight: float = 1.0,
) -> Path:
    """A finished run of ``method`` on ``data`` at ``budget`` and ``lr`` in ``folder``."""
    wanted = {
        "max_steps": budget.max_steps,
        "batch_size": budget.batch_size,
        "max_length": budget.max_length,
        "lr": lr,
        "seed": seed,
        "edit_weight": edit_weight,
    }
    arguments = ["--method", method, "--data", data, "--max-steps", str(budget.max_steps)]
    arguments += ["--batch-size", str(budget.batch_size), "--max-length", str(budget.max_length)]
    arguments += ["--lr", lr_name(lr), "--seed", str(seed)]
    if method == "intention-tuning":
        wanted["stage1_steps"] = budget.stage1_steps
        arguments += ["--stage1-steps", str(budget.stage1_steps)]
    if edit_weight != 1.0:
        arguments += ["--edit-weight", f"{edit_weight:g}"]
    return trained(folder, wanted, arguments, home)


def eval_config(data: str, budget: Budget, split: str, **target: Any) -> EvalConfig:
    """Scoring ``target`` (adapter=..., baseline=..., edit_beams=...) on ``split`` (dev or
    test) of ``data`` as the budget says: its example limit and batch size."""
    limit = budget.dev_limit if split == "dev" else budget.test_limit
    return EvalConfig(
        data=data, split=split, limit=limit, batch_size=budget.eval_batch_size, **target
    )


def score(config: EvalConfig, path: Path, home: Path) -> dict[str, Any]:
    """The report at ``path``, scored now unless it is there already."""
    if path.is_file():
        report = json.loads(path.read_text(encoding="utf-8"))
        beams = (report.get("generation") or {}).get("edit_beams", 0)
        done = (report["data"]["split"], report["data"]["limit"], beams)
        if done != (config.split, config.limit, config.edit_beams):
            raise SystemExit(
                f"{path} scored {done[0]} with limit {done[1]} and edit beams {done[2]}, not "
                f"{config.split} with limit {config.limit} and edit beams {config.edit_beams}: "
                "move it away"
            )
        log(f"{path}: scored already")
        return report
    beams = f", {config.edit_beams} edit beams" if config.edit_beams else ""
    log(f"score {config.target} on {config.data} {config.split} (limit {config.limit}{beams})")
    command = "python -m training evaluate " + shlex.join(config.as_argv())
    report = evaluate(config, home=home, progress=EvalProgressBars(), command=command)
    write_report(report, path)
    m = report["metrics"]
    log(
        f"  SARI {m['sari']:.2f} (ITERATER {m['sari_iterater']:.2f}, t2t {m['sari_t2t']:.2f}) "
        f"GLEU {m['gleu']:.2f} "
        f"Update-R {m['update_r']:.2f} in {report['timing']['total_seconds']:.0f} s"
    )
    return report


def row(data: str, method: str, report: dict[str, Any], lr: float | None) -> dict[str, Any]:
    """One method's line of the results: metrics, training cost and the per-intention view."""
    m, training, lineage = report["metrics"], report.get("training"), report.get("lineage")
    prediction = report.get("prediction")
    out: dict[str, Any] = {
        "method": method,
        "name": NAMES[method],
        "data": data,
        "split": report["data"]["split"],
        "n": m["n"],
        "sari": m["sari"],
        "sari_iterater": m.get("sari_iterater"),
        "sari_t2t": m["sari_t2t"],
        "gleu": m["gleu"],
        "update_r": m["update_r"],
        "fact_changing_outputs": (report.get("outputs") or {}).get("fact_changing"),
        "prediction_accuracy": prediction["accuracy"] if prediction else None,
        "prediction_macro_f1": prediction["macro_f1"] if prediction else None,
        "prediction_per_class_f1": (
            {k: v["f1"] for k, v in prediction["per_class"].items()} if prediction else None
        ),
        "lr": lr,
        "train_seconds": None,
        "stage1_seconds": None,
        "stage2_seconds": None,
        "peak_memory_mb": None,
        "trainable_params": None,
        "s_gen_size": None,
        "mean_selected_stage2": None,
        "discarded_pieces": (report.get("generation") or {}).get("discarded_pieces"),
        "unchanged_outputs": sum(e["output"] == e["before"] for e in report["examples"]),
        "pieces": (report.get("generation") or {}).get("pieces"),
        "eval_seconds": report["timing"]["total_seconds"],
        "run": report["target"]["adapter"],
        "by_intention": m["by_intention"],
    }
    if training:
        stages = [training[s] for s in ("stage1", "stage2") if s in training]
        out.update(
            train_seconds=training["total_seconds"],
            stage1_seconds=training["stage1"]["seconds"] if "stage1" in training else None,
            stage2_seconds=training["stage2"]["seconds"],
            peak_memory_mb=max(s["peak_memory_bytes"] for s in stages) / 2**20,
            stage2_peak_memory_mb=training["stage2"]["peak_memory_bytes"] / 2**20,
            peak_memory_kind=training["stage2"]["peak_memory_kind"],
            trainable_params=training["stage2"]["trainable_params"],
            stage1_trainable_params=(
                training["stage1"]["trainable_params"] if "stage1" in training else None
            ),
            mean_selected_stage2=training["stage2"]["mean_selected"],
            train_omp_wait_policy=training.get("omp_wait_policy"),  # runs from before: None
        )
    if lineage:
        out["s_gen_size"] = len(lineage["s_gen"])
        out["s_gen"] = lineage["s_gen"]
    return out


def chosen_elsewhere(results: Path, data: str) -> dict[str, Any]:
    """The learning-rate choice recorded for another data set in ``results``."""
    path = results / "quality.json"
    done = json.loads(path.read_text())["datasets"] if path.is_file() else {}
    if data not in done:
        raise SystemExit(f"no learning rates chosen on {data} in {path}: run it or give --lrs")
    return {
        method: {"chosen_lr": s["chosen_lr"], "dev": {}, "from": data}
        for method, s in done[data]["lr_search"].items()
    }


def run_dataset(data: str, budget: Budget, work: Path, home: Path, results: Path) -> dict[str, Any]:
    """Train, choose the learning rates on dev, score test: this data set's results."""
    folder = work / data
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def dev_config(run: Path) -> EvalConfig:
        return eval_config(data, budget, "dev", adapter=str(run))

    def test_config(**target: str) -> EvalConfig:
        return eval_config(data, budget, "test", **target)

    rows = []
    for baseline in ("copy", "zero-shot"):
        report = score(test_config(baseline=baseline), folder / f"{baseline}-test.json", home)
        rows.append(row(data, baseline, report, None))

    # The learning rate of LoRA and Intention-Tuning, on dev (here or on another data set).
    search: dict[str, dict[str, Any]] = {}
    if budget.lrs_from:
        search = chosen_elsewhere(results, budget.lrs_from)
    chosen = {method: s["chosen_lr"] for method, s in search.items()}
    for method in TUNED if not budget.lrs_from else ():
        scores = {}
        for lr in budget.lrs:
            run = train(data, method, lr, budget, folder / f"{method}-lr{lr_name(lr)}", home)
            if len(budget.lrs) > 1:
                report = score(dev_config(run), run / "eval-dev.json", home)
                scores[lr] = report["metrics"]
        best = (
            max(budget.lrs, key=lambda lr: (scores[lr]["sari"], scores[lr]["gleu"]))
            if scores
            else budget.lrs[0]
        )
        chosen[method] = best
        search[method] = {
            "chosen_lr": best,
            "dev": {
                lr_name(lr): {k: s[k] for k in ("sari", "sari_t2t", "gleu", "update_r", "n")}
                for lr, s in scores.items()
            },
        }
    for method, source in LR_OF.items():
        chosen[method] = chosen[source]

    for method in ("lora", "dora", "ir-tuning", "intention-tuning"):
        lr = chosen[method]
        run = train(data, method, lr, budget, folder / f"{method}-lr{lr_name(lr)}", home)
        report = score(test_config(adapter=str(run)), run / "eval-test.json", home)
        rows.append(row(data, method, report, lr))

    return {
        "data": data,
        "budget": asdict(budget),
        "lr_search": search,
        "command": "python benchmarks/quality.py " + shlex.join(sys.argv[1:]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "wall_seconds_this_call": time.perf_counter() - started,
        "paper_sari": PAPER_SARI.get(data),
        "rows": rows,
    }


# --- the tables ----------------------------------------------------------------------------


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _int(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def verdicts(block: dict[str, Any]) -> list[str]:
    """Intention-Tuning against LoRA (same budget) and against the paper's SARI."""
    by = {r["method"]: r for r in block["rows"]}
    it, lora, copy = by.get("intention-tuning"), by.get("lora"), by.get("copy")
    lines = []
    if it and lora:
        for key, label in (("sari", "SARI (EASSE)"), ("sari_t2t", "SARI (t2t)"), ("gleu", "GLEU")):
            delta = it[key] - lora[key]
            word = "beats" if delta > 0 else "does not beat"
            lines.append(
                f"Intention-Tuning {word} LoRA on {label}: {it[key]:.2f} vs {lora[key]:.2f} "
                f"({delta:+.2f})"
            )
        weak = [
            label
            for label, scores in it["by_intention"].items()
            if label in lora["by_intention"]
            and scores["sari"] <= lora["by_intention"][label]["sari"]
        ]
        lines.append(
            "Per intention (SARI, EASSE): Intention-Tuning at or below LoRA on "
            + (", ".join(weak) if weak else "none")
        )
    if it and block.get("paper_sari") is not None:
        gap = it["sari"] - block["paper_sari"]
        floor = f"; copy scores {copy['sari']:.2f}" if copy else ""
        lines.append(
            f"Paper's Intention-Tuning SARI {block['paper_sari']} (7-14B models, GPU, full "
            f"training): ours {it['sari']:.2f} (EASSE variant), {gap:+.2f}{floor}"
        )
    return lines


def lr_choice(block: dict[str, Any]) -> str:
    b = block["budget"]
    if b.get("lrs_from"):
        rates = ", ".join(
            f"{NAMES[m]} {lr_name(s['chosen_lr'])}" for m, s in block["lr_search"].items()
        )
        return (
            f"Learning rates as chosen on {b['lrs_from']}'s dev split ({rates}); "
            "DoRA and IR-Tuning-gen take LoRA's."
        )
    if len(b["lrs"]) == 1:
        return f"Learning rate {lr_name(b['lrs'][0])} for every method (no choice made)."
    return (
        f"Learning rate chosen on the first {b['dev_limit']} dev examples from "
        f"{', '.join(lr_name(x) for x in b['lrs'])} for LoRA and Intention-Tuning (each "
        "trained at the full budget per rate); DoRA and IR-Tuning-gen take LoRA's."
    )


def block_markdown(block: dict[str, Any]) -> list[str]:
    b, m = block["budget"], block["machine"]
    limit = f"first {b['test_limit']}" if b["test_limit"] else "all"
    lines = [
        f"## {block['data']} (test split, {limit} examples)",
        "",
        f"Command: `{block['command']}`  ",
        f"Date: {block['date']}  ",
        f"Machine: {m['cpu']}, {m['cpu_count']} cores, torch {m['torch']} "
        f"({m['gpu'] or 'CPU only'}), OMP_WAIT_POLICY={m['omp_wait_policy']}  ",
        f"Budget (every trained method): {b['max_steps']} Stage-II steps at batch "
        f"{b['batch_size']}, max length {b['max_length']} tokens, seed 0; Intention-Tuning "
        f"also {b['stage1_steps']} Stage-I steps. {lr_choice(block)}",
        "",
        "| method | lr | SARI (EASSE) | SARI (ITERATER) | SARI (t2t) | GLEU | Update-R | "
        "pred. macro-F1 | train (s) | peak mem (MiB) | trainable params | "
        "\\|S_gen\\| (mean \\|S_t\\|) | outputs = input | fact-changing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in block["rows"]:
        sgen = "–"
        if r["s_gen_size"] is not None:
            sgen = f"{r['s_gen_size']}"
            if r["method"] == "ir-tuning" and r["mean_selected_stage2"] is not None:
                sgen += f" ({r['mean_selected_stage2']:.1f})"
        kept = f"{r['unchanged_outputs']}/{r['n']}"
        lines.append(
            f"| {r['name']} | {lr_name(r['lr']) if r['lr'] else '–'} | {_f(r['sari'])} | "
            f"{_f(r.get('sari_iterater'))} | {_f(r['sari_t2t'])} | {_f(r['gleu'])} | "
            f"{_f(r['update_r'])} | {_f(r['prediction_macro_f1'], 3)} | "
            f"{_int(r['train_seconds'])} | {_int(r['peak_memory_mb'])} | "
            f"{_int(r['trainable_params'])} | {sgen} | {kept} | "
            f"{_int(r.get('fact_changing_outputs'))} |"
        )
    labels = list(block["rows"][0]["by_intention"])
    for key, title in (("sari", "SARI (EASSE)"), ("gleu", "GLEU"), ("sari_t2t", "SARI (t2t)")):
        counts = block["rows"][0]["by_intention"]
        lines += [
            "",
            f"{title} by gold intention:",
            "",
            "| method | " + " | ".join(f"{k} (n={counts[k]['n']})" for k in labels) + " |",
            "|---|" + "---:|" * len(labels),
        ]
        for r in block["rows"]:
            cells = [_f(r["by_intention"].get(k, {}).get(key)) for k in labels]
            lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    search = block["lr_search"]
    if any(s["dev"] for s in search.values()):
        lines += ["", "Learning-rate choice on dev (SARI EASSE / GLEU):", ""]
        for method, s in search.items():
            cells = ", ".join(
                f"lr {lr}: {v['sari']:.2f} / {v['gleu']:.2f}" for lr, v in s["dev"].items()
            )
            lines.append(f"- {NAMES[method]}: {cells} -> {lr_name(s['chosen_lr'])}")
    lines += ["", *[f"- {line}" for line in verdicts(block)]]
    return lines


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Revision quality: copy, zero-shot, LoRA, DoRA, IR-Tuning-gen, Intention-Tuning",
        "",
        "The embedded SmolLM2-135M-Instruct, trained and scored on the CPU. Texts revised "
        "as the app revises them (sentence by sentence, the generation prompt in the chat "
        "template, greedy, the Reviser's stops, length cap, cleaning and guards) for the "
        "gold intentions. SARI (EASSE): corpus-level, F1 for deletion (EditEval); SARI "
        "(ITERATER): Xu et al.'s original sentence mean, deletion precision, 0/0 as 0, the "
        "scorer of ITERATER's published results (BART-large 37.28, PEGASUS-large 37.11 on "
        "ITERATER-sent test); copying scores about 29.5. SARI (t2t): sentence mean, 0/0 as "
        "1 (Hugging Face / tensor2tensor), under which copying already scores about 60-67. "
        '"fact-changing": outputs that drop, alter or add a number, date or name. '
        "Rows scored before these two columns existed show –. "
        "Prediction macro-F1: the Stage-I predictor on (before, gold after) test pairs. "
        "Training time is the whole run (Intention-Tuning: Stage I and II) on a CPU shared "
        "with other jobs, so it carries their noise; peak memory is the larger stage's "
        "peak RSS, and Intention-Tuning's Stage II runs in the process that ran Stage I, "
        "whose freed memory the allocator keeps (the JSON has Stage II's own peak). "
        "`benchmarks/train_efficiency.py` measures step time and memory side by side. "
        '"outputs = input": examples the method left unchanged.',
    ]
    for data in sorted(results["datasets"], key=lambda d: list(BUDGETS).index(d)):
        lines += ["", *block_markdown(results["datasets"][data])]
    return "\n".join(lines) + "\n"


def save(block: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Merge this data set's block into the results files in ``folder``."""
    path = folder / "quality.json"
    results = json.loads(path.read_text()) if path.is_file() else {"datasets": {}}
    results["datasets"][block["data"]] = block
    results["rows"] = [
        {k: v for k, v in r.items() if k != "by_intention"} | {"by_intention": r["by_intention"]}
        for d in sorted(results["datasets"], key=lambda d: list(BUDGETS).index(d))
        for r in results["datasets"][d]["rows"]
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (folder / "quality.md").write_text(markdown(results), encoding="utf-8")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", choices=sorted(BUDGETS), default="iterater-sent")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "quality",
                        help="run folders and reports (resumable)")  # fmt: skip
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home",
                        help="ITUNE_HOME: the converted embedded model")  # fmt: skip
    parser.add_argument("--results", type=Path, default=RESULTS, help="where quality.* go")
    parser.add_argument("--max-steps", type=int, help="Stage-II steps of every method")
    parser.add_argument("--stage1-steps", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--lrs", help="comma list of learning rates to choose from on dev")
    parser.add_argument("--dev-limit", type=int, help="dev examples scored for the choice")
    parser.add_argument("--test-limit", type=int, help="test examples scored (0: all)")
    parser.add_argument("--eval-batch-size", type=int)
    parser.add_argument("--tables-only", action="store_true",
                        help="rewrite quality.md from quality.json and print it")  # fmt: skip
    args = parser.parse_args()
    if args.tables_only:
        results = json.loads((args.results / "quality.json").read_text())
        (args.results / "quality.md").write_text(markdown(results), encoding="utf-8")
        print(markdown(results))
        return

    budget = BUDGETS[args.data]
    changes = {
        k: getattr(args, k)
        for k in ("max_steps", "stage1_steps", "batch_size", "max_length", "dev_limit")
        if getattr(args, k) is not None
    }
    if args.eval_batch_size is not None:
        changes["eval_batch_size"] = args.eval_batch_size
    if args.test_limit is not None:
        changes["test_limit"] = args.test_limit or None
    if args.lrs:
        changes["lrs"] = tuple(float(x) for x in args.lrs.split(","))
        changes["lrs_from"] = None
    budget = replace(budget, **changes)
    log(f"{args.data}: {budget}")
    block = run_dataset(args.data, budget, args.work, args.home, args.results)
    results = save(block, args.results)
    print(markdown({"datasets": {args.data: results["datasets"][args.data]}}))


if __name__ == "__main__":
    main()
