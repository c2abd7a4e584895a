"""Is a dev difference between two systems more than the choice of examples? The paired
bootstrap (``itune_core.metrics.bootstrap``) of pairs of ``evaluate`` reports.

Each pair is two reports of the same examples (the same data set, split and limit), for
example step 4 as served and a candidate; the table gives both scores, the difference,
its 95 % interval over resampled examples and the share of resamples in which the second
is ahead. No model runs.

    python benchmarks/paired.py FIRST.json SECOND.json [FIRST.json SECOND.json ...]

(for example the reports ``benchmarks/default_adapter.py`` leaves under its ``--work``).
Several reports joined with ``+`` (``a.json+b.json``) are pooled into one system's
examples, in that order, as when two small data sets are judged together; the second of
the pair must pool the same data sets in the same order.

Writes ``benchmarks/results/paired[_SUFFIX].{json,md}`` and prints the table.
"""

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import now, suffix, write  # noqa: E402
from itune_core.metrics.bootstrap import paired_bootstrap  # noqa: E402
from itune_core.metrics.revisions import ExampleStatistics, example_statistics  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def read_reports(argument: str) -> dict[str, Any]:
    """One system's examples from one report, or from several joined with ``+`` (pooled,
    in the order given; the name is the first's, the data names joined with " + ")."""
    reports = [read_report(Path(part)) for part in argument.split("+") if part]
    if not reports:
        raise SystemExit(f"error: no report in {argument!r}")
    return {
        "path": argument,
        "name": reports[0]["name"],
        "data": " + ".join(r["data"] for r in reports),
        "examples": [e for r in reports for e in r["examples"]],
    }


def read_report(path: Path) -> dict[str, Any]:
    """A report's examples and a name for it (its target and its margin)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        examples = report["examples"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SystemExit(f"error: {path} is not an evaluate report with examples: {err}") from None
    target = report.get("target") or {}
    margin = (report.get("generation") or {}).get("min_edit_margin")
    if target.get("baseline"):
        name = str(target["baseline"])  # copy or zero-shot: no margin
    else:
        adapter = Path(str(target.get("adapter") or path.stem)).name
        name = f"{adapter}, margin {'off' if margin is None else f'{margin:g}'}"
    data = report.get("data") or {}
    if isinstance(data, dict):  # a data file is named by its stem
        data_name = str(data.get("name"))
        stem = Path(data_name).stem if data_name.endswith((".jsonl", ".json")) else data_name
        data = f"{stem} {data.get('split')}"
    else:
        data = str(data)
    return {"path": str(path), "name": name, "data": data, "examples": examples}


def _key(example: dict[str, Any]) -> tuple:
    reference = example["reference"]
    return (example.get("id"), example["before"], json.dumps(reference))


def statistics(examples: list[dict[str, Any]]) -> list[ExampleStatistics]:
    return [
        example_statistics(
            e["before"],
            e["output"],
            [e["reference"]] if isinstance(e["reference"], str) else list(e["reference"]),
        )
        for e in examples
    ]


def compare(first: dict[str, Any], second: dict[str, Any], samples: int, seed: int) -> dict:
    """One pair's row: both names, the data, and each metric's ``Difference``."""
    if [_key(e) for e in first["examples"]] != [_key(e) for e in second["examples"]]:
        raise SystemExit(
            f"error: {first['path']} and {second['path']} do not hold the same examples"
        )
    differences = paired_bootstrap(
        statistics(first["examples"]), statistics(second["examples"]), samples=samples, seed=seed
    )
    return {
        "first": first["name"],
        "second": second["name"],
        "data": first["data"],
        "examples": len(first["examples"]),
        "exact": [
            outputs_as_reference(first["examples"]),
            outputs_as_reference(second["examples"]),
        ],
        "differences": [vars(d) for d in differences],
    }


def outputs_as_reference(examples: list[dict[str, Any]]) -> int:
    """How many of a report's outputs equal their reference (one of them, where there are
    several)."""
    return sum(
        e["output"] == e["reference"]
        if isinstance(e["reference"], str)
        else e["output"] in e["reference"]
        for e in examples
    )


def table(rows: list[dict], samples: int) -> str:
    lines = [
        f"| data (examples) | first | second | metric | first | second | second - first | "
        f"95 % interval ({samples} resamples) | second ahead in | outputs = reference |",
        "|---|---|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        for d in row["differences"]:
            lines.append(
                f"| {row['data']} ({row['examples']}) | {row['first']} | {row['second']} | "
                f"{'SARI (EASSE)' if d['metric'] == 'sari' else 'GLEU'} | {d['first']:.2f} | "
                f"{d['second']:.2f} | {d['difference']:+.2f} | "
                f"[{d['low']:+.2f}, {d['high']:+.2f}] | {100 * d['ahead']:.0f} % | "
                f"{row['exact'][0]} / {row['exact'][1]} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "reports",
        nargs="+",
        help="FIRST SECOND [FIRST SECOND ...]; A.json+B.json pools two reports",
    )
    parser.add_argument("--samples", type=int, default=1000, help="resamples (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="the resamples' seed")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--suffix", type=suffix, default="", help="results file suffix")
    args = parser.parse_args(argv)
    if len(args.reports) % 2:
        parser.error("give the reports in pairs: FIRST SECOND [FIRST SECOND ...]")
    if args.samples < 1:
        parser.error(f"--samples must be positive, got {args.samples}")
    reports = [read_reports(argument) for argument in args.reports]
    rows = [
        compare(reports[i], reports[i + 1], args.samples, args.seed)
        for i in range(0, len(reports), 2)
    ]
    command = shlex.join(["python", "benchmarks/paired.py", *(argv or sys.argv[1:])])
    date = now()
    markdown = (
        "# Paired bootstrap of dev differences\n\n"
        f"`{command}` ({date}; no model runs)\n\n"
        + table(rows, args.samples)
        + "\n\nEach resample draws the examples again with replacement and scores both "
        "systems on the same draw (`itune_core/metrics/bootstrap.py`); the interval is the "
        "percentiles of the differences.\n"
    )
    record = {"command": command, "date": date, "samples": args.samples, "rows": rows}
    stem = "paired" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, markdown))


if __name__ == "__main__":
    main()
