"""Where a system's GLEU goes against copying the text: each changed output's share.

GLEU is a corpus score, so an output's share is measured by putting it alone into the
corpus of sources (what copying outputs): the change in corpus GLEU when that one sentence
is the system's answer instead of its source. Per gold intention the table gives the
outputs changed, how many of them raise GLEU and how many lower it, the summed change, and
how many changed outputs touch none of the source words the human's revision touched
("edits elsewhere": a spelling fix the human did not make in that revision counts there,
however right it is). The shares do not add up exactly to the system's gap to copying
(GLEU is not linear); the gap is given beside them. No model runs: it reads the
per-example reports that ``evaluate`` and ``benchmarks/default_adapter.py`` write.

    python benchmarks/gleu_split.py REPORT.json [REPORT.json ...]

(for example the reports ``benchmarks/default_adapter.py`` leaves under its ``--work``)

Writes ``benchmarks/results/gleu_split[_SUFFIX].{json,md}`` and prints the table.
"""

import argparse
import datetime
import difflib
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import suffix  # noqa: E402
from itune_core.metrics.gleu import gleu_from_statistics, gleu_statistics  # noqa: E402
from itune_core.metrics.tokens import tokenize_13a  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def _tokens(text: str) -> list[str]:
    return tokenize_13a(text).split()  # as GLEU tokenizes


def touched(source: Sequence[str], other: Sequence[str]) -> set[int]:
    """The indices of the source tokens that ``other`` replaces or deletes, and for an
    insertion the tokens on either side of it."""
    found: set[int] = set()
    matcher = difflib.SequenceMatcher(a=source, b=other, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            found.update(range(i1, i2) if i2 > i1 else (i1 - 1, i1))
    return found


def output_shares(examples: Sequence[dict[str, Any]]) -> tuple[float, float, list[dict]]:
    """``(copy GLEU, system GLEU, shares)`` of the examples of one report (each with
    ``before``, ``output``, one ``reference`` and ``labels``); one share per changed
    output: its index, its labels, the change in corpus GLEU it makes alone (points) and
    whether it touches none of the source tokens the reference touches."""
    tokenized, copies, systems = [], [], []
    for e in examples:
        reference = e["reference"]
        if not isinstance(reference, str):
            if len(reference) != 1:
                raise ValueError("one reference per example only")
            reference = reference[0]
        src, out, ref = _tokens(e["before"]), _tokens(e["output"]), _tokens(reference)
        tokenized.append((src, out, ref))
        copies.append(np.array(gleu_statistics(src, src, ref)))
        systems.append(np.array(gleu_statistics(src, out, ref)))
    corpus = np.sum(copies, axis=0)
    copy = 100 * gleu_from_statistics(corpus)
    shares = []
    for k, e in enumerate(examples):
        if e["output"] == e["before"]:
            continue
        alone = 100 * gleu_from_statistics(corpus - copies[k] + systems[k]) - copy
        src, out, ref = tokenized[k]
        elsewhere = not touched(src, out) & touched(src, ref)
        shares.append(
            {"index": k, "labels": list(e["labels"]), "share": alone, "elsewhere": elsewhere}
        )
    return copy, 100 * gleu_from_statistics(np.sum(systems, axis=0)), shares


def by_intention(shares: Sequence[dict]) -> dict[str, dict[str, float]]:
    """The shares summed per gold intention (an example with several labels counts under
    each), with ``all`` for every changed output once."""
    groups: dict[str, list[dict]] = {"all": list(shares)}
    for share in shares:
        for label in share["labels"]:
            groups.setdefault(label, []).append(share)
    return {
        name: {
            "changed": len(members),
            "raise": sum(m["share"] > 0 for m in members),
            "lower": sum(m["share"] < 0 for m in members),
            "sum": sum(m["share"] for m in members),
            "elsewhere": sum(m["elsewhere"] for m in members),
            "elsewhere_sum": sum(m["share"] for m in members if m["elsewhere"]),
        }
        for name, members in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    }


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="per-example reports (JSON)")
    parser.add_argument("--suffix", default="", type=suffix, help="gleu_split_SUFFIX.{md,json}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    command = "python benchmarks/gleu_split.py " + shlex.join(argv)
    lines = [
        "# Where the GLEU goes against copying",
        "",
        f"`{command}` ({now}; no model runs). Each changed output put alone into the corpus "
        "of sources; its share is the change in corpus GLEU (points). *Elsewhere*: the "
        "output touches none of the source words the reference touches.",
    ]
    records = []
    for path in args.reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        copy, system, shares = output_shares(report["examples"])
        groups = by_intention(shares)
        records.append(
            {"report": str(path), "copy": copy, "system": system, "by_intention": groups}
        )
        lines += [
            "",
            f"## {path.name}",
            "",
            f"Copy {copy:.2f}, system {system:.2f} (gap {system - copy:+.2f}).",
            "",
            "| gold intention | changed | raise GLEU | lower GLEU | summed share | "
            "elsewhere | their share |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {name} | {g['changed']} | {g['raise']} | {g['lower']} | {g['sum']:+.2f} | "
            f"{g['elsewhere']} | {g['elsewhere_sum']:+.2f} |"
            for name, g in groups.items()
        ]
    stem = "gleu_split" + (f"_{args.suffix}" if args.suffix else "")
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"command": command, "date": now, "reports": records}
    (args.out / f"{stem}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    text = "\n".join(lines) + "\n"
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
