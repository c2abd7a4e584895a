"""Which kinds of learner error a system fixes: the hand-written sentences by their kind.

The hand-written learner sets (``benchmarks/learner_sentences.jsonl``,
``benchmarks/usage_sentences.jsonl``, ``benchmarks/learner_heldout.jsonl``, ...) name the
kind of error each sentence holds (``error``: "tense", "article", "uncountable", "none"
or "clean" for a sentence to leave alone...). For each ``evaluate`` report of such a set,
the table gives per kind how many sentences came back exactly as the reference, how many
were left as written, and how many were changed some other way. No model runs.

    python -m training evaluate adapters/itune-default --data benchmarks/usage_sentences.jsonl \\
        --split dev --output runs/error-kinds/usage.json
    python benchmarks/error_kinds.py runs/error-kinds/usage.json [REPORT.json ...]

Writes ``benchmarks/results/error_kinds[_SUFFIX].{json,md}`` and prints the tables.
"""

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import now, suffix, write  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
# Kinds that mean "nothing to fix": the sentence should come back as written.
CLEAN_KINDS = ("none", "clean")


def _reference(example: dict[str, Any]) -> str:
    reference = example["reference"]
    return reference if isinstance(reference, str) else reference[0]


def kinds_table(examples: Sequence[dict[str, Any]], kinds: Sequence[str]) -> dict[str, dict]:
    """Per kind (in the order first met), ``n``, ``exact`` (the output is the reference),
    ``unchanged`` (the output is the sentence as written) and ``other``; ``all`` last."""
    if len(examples) != len(kinds):
        raise ValueError(f"{len(examples)} examples but {len(kinds)} kinds")
    table: dict[str, dict] = {}
    for example, kind in zip(examples, kinds, strict=True):
        row = table.setdefault(kind, {"n": 0, "exact": 0, "unchanged": 0, "other": 0})
        output = example["output"].strip()
        exact = output == _reference(example).strip()
        unchanged = output == example["before"].strip()
        row["n"] += 1
        row["exact"] += exact
        row["unchanged"] += unchanged and not exact
        row["other"] += not (exact or unchanged)
    table["all"] = {
        k: sum(row[k] for row in table.values()) for k in ("n", "exact", "unchanged", "other")
    }
    return table


def read_kinds(data: Path, examples: Sequence[dict[str, Any]]) -> list[str]:
    """The ``error`` of each line of ``data``, checked against the report's sentences."""
    lines = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    if [line["before_sent"].strip() for line in lines] != [e["before"].strip() for e in examples]:
        raise SystemExit(f"error: {data} does not hold the report's sentences in its order")
    return [line.get("error", "unnamed") for line in lines]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="evaluate reports (JSON)")
    parser.add_argument("--suffix", default="", type=suffix, help="error_kinds_SUFFIX.{md,json}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "python benchmarks/error_kinds.py " + shlex.join(argv)
    lines = [
        "# Which kinds of learner error are fixed",
        "",
        f"`{command}` ({now()}; no model runs: `evaluate` reports of hand-written sets whose "
        "sentences name their kind of error). *Exact*: the answer is the reference; *as "
        "written*: the sentence came back unchanged; *other*: changed, but not into the "
        f"reference. Kinds {', '.join(f'*{k}*' for k in CLEAN_KINDS)} hold nothing to fix.",
    ]
    records = []
    for path in args.reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        data = ROOT / report["data"]["dataset"]
        table = kinds_table(report["examples"], read_kinds(data, report["examples"]))
        system = report["generation"].get("adapter") or report.get("method", "?")
        margin = report["generation"].get("min_edit_margin")
        records.append({"report": str(path), "data": str(report["data"]["dataset"]),
                        "system": system, "min_edit_margin": margin, "kinds": table})  # fmt: skip
        lines += [
            "",
            f"## {report['data']['dataset']}: {system} (margin {margin})",
            "",
            f"Decoded by `{report.get('command', '?')}` ({report.get('created', '?')}).",
            "",
            "| kind of error | sentences | exact | as written | other |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {kind} | {row['n']} | {row['exact']} | {row['unchanged']} | {row['other']} |"
            for kind, row in table.items()
        ]
    record = {"command": command, "date": now(), "reports": records}
    stem = "error_kinds" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, "\n".join(lines) + "\n"))


if __name__ == "__main__":
    main()
