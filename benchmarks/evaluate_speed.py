"""How fast ``evaluate`` decodes: rows joining the running batch as others end, against
fixed batches.

``evaluate`` revises a data set's pieces longest first with up to ``--rows`` rows in the
model at once, the next pieces joining the running batch as rows end
(``BatchReviser.revise_joined``). The path it replaced decoded fixed batches of ``--rows``
pieces one after another (``BatchReviser.revise_pieces`` per batch), so a batch ran as
long as its longest answer while its finished rows sat idle. Both revise the same
``--pieces`` ITERATER-sent dev sentences with the built-in adapter and the served settings
(the edits' margins scored), in one run, taking turns ``--repeats`` times; the answers of
the two must be the same (checked), so only the time differs.

    python benchmarks/evaluate_speed.py                 # ~6 min on 2 cores
    python benchmarks/evaluate_speed.py --pieces 32 --repeats 1

Writes ``benchmarks/results/evaluate_speed.{json,md}`` and prints the table.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see serve.py)

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from app import builtin_adapter_dir  # noqa: E402
from benchmarks.record import machine, now, write  # noqa: E402
from itune_core.adapters import attach_adapter  # noqa: E402
from itune_core.model import default_device, default_dtype, load_model  # noqa: E402
from itune_core.reviser import ReviseSettings  # noqa: E402
from training.data import load_dataset  # noqa: E402
from training.generation import BatchReviser  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
MODES = ("joined", "fixed batches")


def pieces_of(count: int) -> list[tuple[str, tuple[str, ...]]]:
    """The first ``count`` ITERATER-sent dev sentences with their gold intentions, longest
    first (as ``evaluate`` orders them)."""
    examples = load_dataset("iterater-sent", "dev").examples[:count]
    pieces = [(e.before.strip(), tuple(e.labels)) for e in examples]
    return sorted(pieces, key=lambda p: -len(p[0]))


def run_once(reviser: BatchReviser, mode: str, pieces, rows: int) -> tuple[float, list]:
    start = time.perf_counter()
    if mode == "joined":
        answers = reviser.revise_joined(pieces, rows)
    else:
        answers = []
        for at in range(0, len(pieces), rows):
            answers += reviser.revise_pieces(pieces[at : at + rows])
    return time.perf_counter() - start, [a.revised for a in answers]


def markdown(record: dict) -> str:
    s, med = record["settings"], record["median_s"]
    ratio = med["fixed batches"] / med["joined"]
    return "\n".join(
        [
            "# Evaluation speed: rows joining the running batch against fixed batches",
            "",
            f"`{record['command']}` ({record['date']}; {record['machine']})",
            "",
            f"{s['pieces']} ITERATER-sent dev sentences, longest first, revised for their gold "
            f"intentions with the built-in adapter and the served settings, {s['rows']} rows "
            f"in the model at once; medians of {s['repeats']} runs per mode, the modes taking "
            "turns. Both gave the same answers"
            + (" (checked)." if record["same_answers"] else ": **NO**, they differ."),
            "",
            "| mode | median (s) | sentences/s | runs (s) |",
            "|---|---:|---:|---|",
            *(
                f"| {mode} | {med[mode]:.1f} | {s['pieces'] / med[mode]:.2f} | "
                + ", ".join(f"{t:.1f}" for t in record["times"][mode])
                + " |"
                for mode in MODES
            ),
            "",
            f"Joined over fixed batches: **{ratio:.2f}x** the speed.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=96, help="dev sentences revised")
    parser.add_argument("--rows", type=int, default=16, help="rows in the model at once")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.pieces < 1 or args.rows < 1 or args.repeats < 1:
        raise SystemExit("error: --pieces, --rows and --repeats must be positive")
    device = default_device()
    loaded = load_model(
        None, cache_dir=args.home / "models", device=device, dtype=default_dtype(device)
    )
    folder = builtin_adapter_dir()
    model = attach_adapter(loaded.model, folder, folder.name)
    reviser = BatchReviser(model.eval(), loaded.tokenizer, ReviseSettings())
    pieces = pieces_of(args.pieces)
    run_once(reviser, "joined", pieces[: args.rows], args.rows)  # warm
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    outputs: dict[str, list[str]] = {}
    for k in range(args.repeats):
        for mode in MODES[k % 2 :] + MODES[: k % 2]:
            print(f"run {k + 1}/{args.repeats}: {mode}", flush=True)
            seconds, outputs[mode] = run_once(reviser, mode, pieces, args.rows)
            times[mode].append(seconds)
    record = {
        "command": f"python benchmarks/evaluate_speed.py {shlex.join(argv)}".strip(),
        "date": now(),
        "machine": f"{machine()}, {str(loaded.dtype).removeprefix('torch.')}",
        "settings": {"pieces": len(pieces), "rows": args.rows, "repeats": args.repeats},
        "times": times,
        "median_s": {mode: statistics.median(ts) for mode, ts in times.items()},
        "same_answers": outputs["joined"] == outputs["fixed batches"],
    }
    print(write(args.out, "evaluate_speed", record, markdown(record)))


if __name__ == "__main__":
    main()
