"""What a chain of adapters would have answered, pass after pass, from ``evaluate`` reports.

The built-in adapter's specialists can follow it on a request that asks for several
intentions: the general adapter revises for all of them, then a specialist revises that
answer for its own intention alone. Greedy decoding answers each text alone, so a pass can
be measured offline: ``inputs`` writes, from the last pass's report, a JSON Lines file of
its answers to the examples that ask for the specialist's intention among others (the
reference and the example's id kept beside each); ``python -m training evaluate
SPECIALIST --data THAT.jsonl`` decodes the pass; ``compose`` puts the pass's answers in
place of the last ones and scores them against the texts as written, as ``evaluate``
scores, for ``benchmarks/paired.py``. No model runs here. ``--everyday``: the pass
follows only the examples whose text as written reads as everyday prose
(``itune_core/register.py``).

    python benchmarks/chained.py inputs GENERAL.json --intention clarity --output PASS.jsonl
    python -m training evaluate SPECIALIST --data PASS.jsonl --split dev --output PASS.json
    python benchmarks/chained.py compose GENERAL.json PASS.json --intention clarity \
        --output OUT.json

``compose`` may take a composed report as GENERAL, for the next pass.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.routed import scored, summary  # noqa: E402
from itune_core.register import is_everyday  # noqa: E402


def chained(example: dict[str, Any], intention: str, everyday: bool = False) -> bool:
    """Whether the pass for ``intention`` follows on this example: it asks for the
    intention among others (and, with ``everyday``, its text as written reads as everyday
    prose)."""
    among = intention in example["labels"] and len(example["labels"]) > 1
    return among and (not everyday or is_everyday(example["before"]))


def _reference(example: dict[str, Any]) -> str:
    reference = example["reference"]
    return reference if isinstance(reference, str) else reference[0]


def pass_inputs(
    general: dict[str, Any], intention: str, everyday: bool = False
) -> list[dict[str, Any]]:
    """The JSON Lines rows of the pass: each chained example's last answer to revise for
    ``intention`` alone (its reference, which the pass's own scores use, and its id)."""
    return [
        {
            "before_sent": e["output"],
            "after_sent": _reference(e),
            "labels": intention,
            "doc_id": f"{e.get('id')}#{k}",
        }
        for k, e in enumerate(general["examples"])
        if chained(e, intention, everyday)
    ]


def composed_report(
    general: dict[str, Any], passed: dict[str, Any], intention: str, everyday: bool = False
) -> dict[str, Any]:
    """``general`` with each chained example answered as the pass answered it, scored
    against the texts as written; refuses a pass that did not start from these answers."""
    rows = passed["examples"]
    chain = [k for k, e in enumerate(general["examples"]) if chained(e, intention, everyday)]
    starts = [(f"{general['examples'][k].get('id')}#{k}", general["examples"][k]["output"])
              for k in chain]  # fmt: skip
    if starts != [(e.get("id"), e["before"]) for e in rows]:
        raise ValueError("the pass's report did not start from these answers, in this order")
    examples = [dict(e) for e in general["examples"]]
    for k, row in zip(chain, rows, strict=True):
        examples[k]["output"] = row["output"]
        examples[k].setdefault("passes", []).append(intention)
    before = (general.get("target") or {}).get("adapter")
    after = Path(str((passed.get("target") or {}).get("adapter"))).name
    margin = (passed.get("generation") or {}).get("min_edit_margin")
    return {
        "target": {"adapter": f"{before}, then {intention} by {after} (margin {margin})"},
        "data": general.get("data"),
        "generation": general.get("generation"),
        "chained": [*general.get("chained", []), {"intention": intention, "examples": len(chain)}],
        **scored(examples),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    inputs = commands.add_parser("inputs", help="write the pass's JSON Lines input")
    inputs.add_argument("general", type=Path, help="the last pass's report")
    compose = commands.add_parser("compose", help="put the pass's answers in place")
    compose.add_argument("general", type=Path, help="the last pass's report")
    compose.add_argument("passed", type=Path, help="the pass's own report")
    for command in (inputs, compose):
        command.add_argument("--intention", required=True, help="the pass's one intention")
        command.add_argument(
            "--everyday",
            action="store_true",
            help="follow only the examples whose text reads as everyday prose",
        )
        command.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        general = json.loads(args.general.read_text(encoding="utf-8"))
        if args.command == "inputs":
            rows = pass_inputs(general, args.intention, args.everyday)
            text = "".join(json.dumps(row) + "\n" for row in rows)
        else:
            passed = json.loads(args.passed.read_text(encoding="utf-8"))
            report = composed_report(general, passed, args.intention, args.everyday)
            text = json.dumps(report, indent=1)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    if args.command == "inputs":
        print(f"wrote {args.output}: {len(rows)} examples for the {args.intention} pass")
    else:
        print(f"wrote {args.output}: {report['chained'][-1]['examples']} examples passed on "
              f"for {args.intention}; {summary(report)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
