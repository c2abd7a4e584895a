"""How many held-back edits become suggestions, and how often one is the human's edit.

The app places every edit a guard held back, or that the confidence threshold left out,
beside the edits it offers (``itune_core.suggestions``), for the writer to accept if they
choose. This reads the per-example reports that ``evaluate`` and
``benchmarks/default_adapter.py`` write (each changed example holds the model's answer
before the guards, ``unguarded_output``, and what was held back with its reasons) and
counts, per report: the edits held back and left out, those placed as suggestions, and
how many suggestions, and how many of the edits offered, are exactly an edit of the
human's revision (same place, same words; ``compute_edits(before, reference)``). A writer
reads the last two as how far to trust each kind. No model runs. An example is treated
as one piece (the app places suggestions sentence by sentence, which can only place as
many or more).

    python benchmarks/suggestions.py REPORT.json [REPORT.json ...] [--suffix S]

Writes ``benchmarks/results/suggestions[_SUFFIX].{json,md}`` and prints the table.
"""

import argparse
import json
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import now, suffix, write  # noqa: E402
from itune_core.edits import Edit, HeldEdit, compute_edits  # noqa: E402
from itune_core.suggestions import suggestions  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
UNSURE = "the model was unsure"  # how the confidence threshold's reasons start


def _key(edit: Edit) -> tuple[int, int, str]:
    return edit.start_char_pos, edit.end_char_pos, edit.after


def _human(edits: Iterable[Edit], human: set[tuple[int, int, str]]) -> int:
    return sum(_key(edit) in human for edit in edits)


def count(examples: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The counts of one report's examples (see the module docstring)."""
    c = dict.fromkeys(
        ("examples", "offered", "offered_human", "held", "unsure", "placed", "placed_unsure",
         "placed_human", "placed_unsure_human"),
        0,
    )  # fmt: skip
    for example in examples:
        c["examples"] += 1
        before, output = example["before"], example["output"]
        human = {_key(e) for e in compute_edits(before, example["reference"])}
        offered = compute_edits(before, output)
        c["offered"] += len(offered)
        c["offered_human"] += _human(offered, human)
        held = [HeldEdit(**h) for h in example.get("held_edits", [])]
        unsure = [HeldEdit(**h) for h in example.get("unsure_edits", [])]
        c["held"] += len(held)
        c["unsure"] += len(unsure)
        found = suggestions(before, output, example.get("unguarded_output"), held + unsure)
        sure = [s for s in found if not s.reason.startswith(UNSURE)]
        unsure_found = [s for s in found if s.reason.startswith(UNSURE)]
        c["placed"] += len(found)
        c["placed_unsure"] += len(unsure_found)
        c["placed_human"] += _human((s.edit for s in sure), human)
        c["placed_unsure_human"] += _human((s.edit for s in unsure_found), human)
    return c


def _with_share(part: int, whole: int) -> str:
    """``whole`` with the share ``part`` is of it, e.g. ``40 (25 %)``."""
    return f"{whole} ({100 * part / whole:.0f} %)" if whole else "0"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="per-example reports (JSON)")
    parser.add_argument("--suffix", default="", type=suffix, help="suggestions_SUFFIX.{md,json}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "python benchmarks/suggestions.py " + shlex.join(argv)
    date = now()
    lines = [
        "# Held-back edits as suggestions",
        "",
        f"`{command}` ({date}; no model runs). *Human's*: exactly an edit of the reference "
        "(same place, same words). Suggestions from a guard and from the confidence "
        "threshold (*unsure*) apart.",
        "",
        "| report | examples | edits offered (human's) | held back by a guard | left out as "
        "unsure | suggestions from a guard (human's) | suggestions from unsure (human's) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    records = []
    for path in args.reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        c = count(report["examples"])
        records.append({"report": str(path), **c})
        guard_placed = c["placed"] - c["placed_unsure"]
        lines.append(
            f"| {path.name} | {c['examples']} | {_with_share(c['offered_human'], c['offered'])}"
            f" | {c['held']} | {c['unsure']} | {_with_share(c['placed_human'], guard_placed)} | "
            f"{_with_share(c['placed_unsure_human'], c['placed_unsure'])} |"
        )
    stem = "suggestions" + (f"_{args.suffix}" if args.suffix else "")
    record = {"command": command, "date": date, "reports": records}
    print(write(args.out, stem, record, "\n".join(lines) + "\n"))


if __name__ == "__main__":
    main()
