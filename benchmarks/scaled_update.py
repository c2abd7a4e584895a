"""Scaling the built-in adapter's update: every ``lora_B`` tensor multiplied by alpha, on dev.

The adapter is a LoRA update to the base model; alpha > 1 carries it further the way
training moved it, alpha < 1 back toward the base model. Each scaled copy (the adapter's
folder without its step records, ``lora_B`` tensors scaled) and the adapter as it is are
decoded by ``python -m training evaluate`` (greedy, the guards, the margin, tense context:
as served) on ITERATER-sent dev, the two hand-written learner sets and the learner draft.
Two scopes are scored from the same decodes: every request revised by the scaled copy
("all"), and only requests that do not ask for fluency ("not fluency"; the others keep the
adapter's answer). The rules that judged it are in docs/default-adapter.md ("Scaling the
adapter's update").

    python benchmarks/scaled_update.py      # ~25 min on two cores (bf16), four alphas

Writes ``benchmarks/results/scaled_update.{json,md}``; each report goes to ``--work``, and a
report already there is not decoded again (a stopped run resumes).
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import cpu_description, now, write  # noqa: E402
from benchmarks.served import BUILTIN, SCORE_COLUMNS, score_cells, scored  # noqa: E402
from training.data import load_dataset  # noqa: E402

DATA = {  # stem: data
    "iterater-sent": "iterater-sent",
    "learner_sentences": "benchmarks/learner_sentences.jsonl",
    "learner_mixed": "benchmarks/learner_mixed.jsonl",
}
SCOPES = ("all", "not fluency")


def scaled_copy(adapter: Path, alpha: float, folder: Path) -> Path:
    """``adapter``'s folder (without its step records) with every ``lora_B`` tensor
    multiplied by ``alpha``; made once."""
    from safetensors.torch import load_file, save_file

    if (folder / "adapter_model.safetensors").is_file():
        return folder
    shutil.copytree(adapter, folder, ignore=shutil.ignore_patterns("step*"), dirs_exist_ok=True)
    weights = load_file(adapter / "adapter_model.safetensors")
    scaled = {k: v * alpha if "lora_B" in k else v for k, v in weights.items()}
    save_file(scaled, folder / "adapter_model.safetensors", metadata={"format": "pt"})
    return folder


def report(work: Path, name: str, folder: Path, data: str) -> dict[str, Any]:
    """``evaluate``'s report of ``folder`` on ``data`` (dev), decoded once."""
    path = work / f"{name}-{Path(data).stem}.json"
    if not path.is_file():
        command = [sys.executable, "-m", "training", "evaluate", str(folder), "--data", data,
                   "--split", "dev", "--output", str(path)]  # fmt: skip
        subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(path.read_text())


def draft_file(work: Path) -> str:
    """The learner draft as a data set (asked for fluency; the reference is the draft)."""
    from benchmarks.context import DRAFT as TEXT

    path = work / "learner_draft.jsonl"
    line = {"before_sent": TEXT, "after_sent": TEXT, "labels": "fluency"}
    path.write_text(json.dumps(line) + "\n")
    return str(path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--alphas", type=float, nargs="+", default=[0.6, 0.8, 1.25, 1.5])
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "scaled-update")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    folders = {"served": BUILTIN}
    for alpha in args.alphas:
        folders[f"a{alpha:g}"] = scaled_copy(BUILTIN, alpha, args.work / f"a{alpha:g}")
    sets = {**DATA, "learner_draft": draft_file(args.work)}
    outputs = {
        (name, stem): [e["output"] for e in report(args.work, name, folder, data)["examples"]]
        for name, folder in folders.items()
        for stem, data in sets.items()
    }
    results: dict[str, Any] = {}
    for stem, data in DATA.items():
        examples = load_dataset(data, "dev").examples
        served = outputs[("served", stem)]
        rows = {"served": scored(examples, served)}
        for name in list(folders)[1:]:
            mine = outputs[(name, stem)]
            mixed = [s if "fluency" in e.labels else o
                     for s, o, e in zip(served, mine, examples, strict=True)]  # fmt: skip
            rows[f"{name}, all"] = scored(examples, mine)
            rows[f"{name}, not fluency"] = scored(examples, mixed)
        results[stem] = rows
    drafts = {name: outputs[(name, "learner_draft")][0] for name in folders}
    record = {
        "command": "python benchmarks/scaled_update.py " + " ".join(argv or sys.argv[1:]),
        "created": now(),
        "cpu": cpu_description(),
        "alphas": args.alphas,
        "results": results,
        "drafts": drafts,
    }
    record["command"] = record["command"].strip()
    print(write(ROOT / "benchmarks" / "results", "scaled_update", record, table(record)))
    return 0


def table(record: dict[str, Any]) -> str:
    lines = [
        "# Scaling the built-in adapter's update (dev)",
        "",
        f"`{record['command']}` ({record['created']}, {record['cpu']}; decoded by "
        "`python -m training evaluate`, in the precision it picks)",
        "",
        f"| data | adapter | {SCORE_COLUMNS} |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for stem, rows in record["results"].items():
        for name, r in rows.items():
            lines.append(f"| {stem} | {name} | {score_cells(r)} |")
    lines += ["", "The learner draft (fluency):", ""]
    lines += [f"- {name}: {text}" for name, text in record["drafts"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
