"""What the specialists' follow-up passes cost a request for several intentions: the same
requests revised with them and without, side by side.

Asked for several intentions among which clarity or style, the built-in adapter's answer
is revised again by each specialist whose intention was asked (``Reviser.follow_ups``,
docs/default-adapter.md, "Requests that combine intentions"), so such a request decodes its
text two or three times. The app's own model slot (``app.ModelSlot``, served settings)
serves the hand-written combined sentences (``benchmarks/combined_sentences.jsonl``, each
with its own intentions) one at a time, once with the follow-ups the app would run and once
without, the two taking turns sentence by sentence so that the machine's drift falls on
both, ``--repeats`` times; medians per revision, and their ratio.

    python benchmarks/follow_up_cost.py          # about 3 min on 2 cores

Writes ``benchmarks/results/follow_up_cost[_SUFFIX].{json,md}`` and prints the table.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see serve.py)

import argparse
import json
import shlex
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from app import (  # noqa: E402
    BUILTIN_ADAPTER,
    BUILTIN_FOLLOWERS,
    BUILTIN_SPECIALISTS,
    ModelSlot,
    Settings,
)
from benchmarks.record import machine, now, suffix, write  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SENTENCES = ROOT / "benchmarks" / "combined_sentences.jsonl"


def markdown(record: dict) -> str:
    runs = record["runs"]
    return "\n".join(
        [
            "# Follow-up passes: what they cost a request for several intentions",
            "",
            f"`{record['command']}` ({record['date']}; {record['machine']})",
            "",
            f"{record['settings']['sentences']} hand-written combined sentences, each asked "
            "for its own intentions, one request at a time, "
            f"{record['settings']['repeats']} times, the two ways taking turns; "
            f"{record['followed']} of them are followed by at least one specialist.",
            "",
            "| requests | median s / revision | against step 4 alone |",
            "|---|---:|---:|",
            f"| step 4 alone | {runs['alone']['median_s']:.2f} | 1.00x |",
            f"| with the follow-ups (as served) | {runs['followed']['median_s']:.2f} | "
            f"{runs['followed']['median_s'] / runs['alone']['median_s']:.2f}x |",
            "",
            "Medians over every sentence and repeat; the follow-ups decode each sentence once "
            "more for each specialist that follows.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--suffix", type=suffix, default="", help="results as follow_up_cost_SUFFIX.*"
    )
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in SENTENCES.read_text(encoding="utf-8").splitlines()]
    requests = [(row["before_sent"], tuple(row["labels"])) for row in rows]
    pool = ModelSlot(Settings(home=args.home, worker=False)).start().pool(timeout=1800)
    alone = pool.reviser_for(BUILTIN_ADAPTER.name, BUILTIN_ADAPTER)
    specialists = []
    for scope, name in BUILTIN_SPECIALISTS.items():
        if not set(scope) & set(BUILTIN_FOLLOWERS):
            continue
        pool.reviser_for(name, BUILTIN_ADAPTER.parent / name)  # attached
        specialists += [(intention, name) for intention in scope]
    followed = replace(alone, follow_ups=tuple(specialists))
    ways = {"alone": alone, "followed": followed}
    for reviser in ways.values():  # warm: adapters attached, labellers loaded
        reviser.revise(*requests[0])
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for k in range(args.repeats):
        print(f"run {k + 1}/{args.repeats}", flush=True)
        for n, (text, intentions) in enumerate(requests):
            for name in ways if (n + k) % 2 == 0 else reversed(ways):
                start = time.perf_counter()
                ways[name].revise(text, intentions)
                seconds[name].append(time.perf_counter() - start)
    asked = {intention for intention, _ in specialists}
    record = {
        "command": "python benchmarks/follow_up_cost.py " + shlex.join(argv),
        "date": now(),
        "machine": machine(),
        "settings": {"sentences": len(requests), "repeats": args.repeats},
        "followed": sum(len(i) > 1 and bool(asked & set(i)) for _, i in requests),
        "runs": {
            name: {"median_s": statistics.median(values), "seconds": values}
            for name, values in seconds.items()
        },
    }
    stem = "follow_up_cost" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, markdown(record)))


if __name__ == "__main__":
    main()
