"""What an adapter routed by intention would have answered, from two ``evaluate`` reports.

The app serves an adapter per intention set (the registry's activations, and the built-in
adapter's specialists: ``itune_core/bundle.py``). Greedy decoding answers each example
alone, so the routed system's answer to an example is the specialist's where the example
asks for exactly the specialist's intentions, and the general adapter's elsewhere. This
writes that report, with the same examples in the same order, for ``benchmarks/paired.py``
to score and compare. No model runs. ``--everyday``: only the examples whose source reads
as everyday prose are the specialist's (``itune_core/register.py``), as the app routes to
the fluency specialist. ``--among``: so are the examples that ask for the specialist's
intentions among others (the specialist's report answers them for all they ask).

    python benchmarks/routed.py GENERAL.json SPECIALIST.json --alone clarity --output OUT.json
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from itune_core.metrics import evaluate_revisions  # noqa: E402
from itune_core.register import is_everyday  # noqa: E402
from training.evaluate import output_counts  # noqa: E402


def routed_report(
    general: dict[str, Any],
    specialist: dict[str, Any],
    alone: tuple[str, ...],
    everyday: bool = False,
    among: bool = False,
) -> dict[str, Any]:
    """``general`` with each example that asks for exactly ``alone`` (with ``among``, for
    them among others; with ``everyday``, whose source reads as everyday prose) answered
    as in ``specialist``,
    scored as ``evaluate`` scores (its metrics, the outputs left unchanged and those that
    change a fact token); refuses two reports of different examples."""
    first, second = general["examples"], specialist["examples"]
    keys = [(e.get("id"), e["before"]) for e in first]
    if keys != [(e.get("id"), e["before"]) for e in second]:
        raise ValueError("the two reports do not hold the same examples in the same order")
    wanted = sorted(alone)

    def routes(example: dict[str, Any]) -> bool:
        labels = sorted(example["labels"])
        asks = set(wanted) <= set(labels) if among else labels == wanted
        return asks and (not everyday or is_everyday(example["before"]))

    examples = [dict(b) if routes(a) else dict(a) for a, b in zip(first, second, strict=True)]
    routed = sum(map(routes, first))
    general_name = Path(str((general.get("target") or {}).get("adapter"))).name
    specialist_name = Path(str((specialist.get("target") or {}).get("adapter"))).name
    return {
        "target": {
            "adapter": f"{general_name}, {'+'.join(wanted)}"
            f"{' among others too' if among else ' alone'}"
            f"{' in everyday prose' if everyday else ''} by {specialist_name}"
        },
        "data": general.get("data"),
        "generation": general.get("generation"),
        "routed": {
            "intentions": wanted,
            "everyday": everyday,
            "among": among,
            "examples": routed,
            "of": len(first),
        },
        **scored(examples),
    }


def scored(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """A report's ``metrics``, ``outputs`` (left unchanged, fact-changing) and
    ``examples``, scored from its examples' sources, outputs, references and labels as
    ``evaluate`` scores them."""
    sources = [e["before"] for e in examples]
    outputs = [e["output"] for e in examples]
    references = [[r] if isinstance(r := e["reference"], str) else list(r) for e in examples]
    return {
        "metrics": evaluate_revisions(
            sources, outputs, references, [e["labels"] for e in examples]
        ),
        "outputs": output_counts(sources, outputs, None),
        "examples": examples,
    }


def summary(report: dict[str, Any]) -> str:
    """A scored report's figures in one line, as the composing scripts print them."""
    metrics, counts = report["metrics"], report["outputs"]
    return (
        f"SARI {metrics['sari']:.2f} (ITERATER {metrics['sari_iterater']:.2f}), GLEU "
        f"{metrics['gleu']:.2f}; unchanged {counts['unchanged']}, fact-changing "
        f"{counts['fact_changing']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("general", type=Path, help="the report of the adapter for the rest")
    parser.add_argument("specialist", type=Path, help="the report of the specialist")
    parser.add_argument("--alone", nargs="+", required=True, help="the specialist's intentions")
    parser.add_argument(
        "--everyday",
        action="store_true",
        help="route only the examples whose source reads as everyday prose",
    )
    parser.add_argument(
        "--among",
        action="store_true",
        help="route the examples that ask for those intentions among others too",
    )
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        reports = [
            json.loads(p.read_text(encoding="utf-8")) for p in (args.general, args.specialist)
        ]
        report = routed_report(*reports, tuple(args.alone), args.everyday, args.among)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {args.output}: {report['routed']['examples']} of {len(report['examples'])} "
          f"examples routed to the specialist; {summary(report)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
