"""What an adapter costs per revision against another: two adapter folders side by side.

An averaged adapter (``python -m training average``) has the rank of all its runs together
(six runs of rank 8: rank 48), so every adapted layer does more work per token than for one
run. The app's own model slot (``app.ModelSlot``, served settings) attaches both adapters;
the same ``--sentences`` ITERATER-sent test sentences are revised one at a time (one
writer), the two adapters taking turns sentence by sentence so that the machine's drift
falls on both, then all at once from their own threads (many writers, shared batches), one
adapter after the other, ``--repeats`` times in turn. Their answers differ (they are two
adapters), so the seconds per 1,000 characters of answer are reported beside the seconds per
revision.

    python benchmarks/adapter_time.py adapters/itune-default runs/candidate   # ~5 min

Writes ``benchmarks/results/adapter_time[_SUFFIX].{json,md}`` and prints the table.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see serve.py)

import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from app import ModelSlot, Settings  # noqa: E402
from benchmarks.load import load_sentences  # noqa: E402
from benchmarks.model_time import all_at_once  # noqa: E402
from benchmarks.record import machine, now, suffix, write  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def one_at_a_time(revisers: dict, sentences: list[tuple[str, str]]) -> dict[str, list]:
    """(seconds, answer) per sentence and adapter, the adapters taking turns."""
    out: dict[str, list] = {name: [] for name in revisers}
    for k, (text, label) in enumerate(sentences):
        names = list(revisers) if k % 2 == 0 else list(reversed(revisers))
        for name in names:
            start = time.perf_counter()
            revision = revisers[name].revise(text, [label])
            out[name].append((time.perf_counter() - start, revision.revised))
    return out


def markdown(record: dict) -> str:
    names = list(record["adapters"])
    first = names[0]
    lines = [
        "# Adapter time: " + " against ".join(names),
        "",
        f"`{record['command']}` ({record['date']}; {record['machine']})",
        "",
        f"{record['settings']['sentences']} ITERATER-sent test sentences, the app's model slot "
        "with served settings; medians.",
        "",
        "| adapter | LoRA rank | one at a time: s per revision | x first | s per 1,000 "
        "characters of answer | x first | all at once: wall s | x first |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = record["adapters"][first]
    for name in names:
        a = record["adapters"][name]
        lines.append(
            f"| {name} | {a['rank']} | {a['alone_s']:.3f} | {a['alone_s'] / base['alone_s']:.3f} "
            f"| {a['per_kchar_s']:.3f} | {a['per_kchar_s'] / base['per_kchar_s']:.3f} "
            f"| {a['together_s']:.2f} | {a['together_s'] / base['together_s']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adapters", nargs=2, type=Path, help="two adapter folders")
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-chars", type=int, default=200, help="longest sentence used")
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--suffix", type=suffix, default="", help="results as adapter_time_SUFFIX.*"
    )
    args = parser.parse_args(argv)
    sentences = load_sentences(args.max_chars)[: args.sentences]
    if len(sentences) < args.sentences:
        raise SystemExit(f"error: only {len(sentences)} sentences are short enough")
    names = [folder.resolve().name for folder in args.adapters]
    if len(set(names)) != 2:
        raise SystemExit("error: the two adapter folders need different names")
    pool = ModelSlot(Settings(home=args.home, worker=False)).start().pool(timeout=1800)
    revisers = {
        name: pool.reviser_for(name, folder)
        for name, folder in zip(names, args.adapters, strict=True)
    }
    for reviser in revisers.values():  # warm: adapter attached, predictor loaded
        reviser.revise(sentences[0][0], [sentences[0][1]])
    alone: dict[str, list] = {name: [] for name in names}
    together: dict[str, list[float]] = {name: [] for name in names}
    for k in range(args.repeats):
        print(f"run {k + 1}/{args.repeats}", flush=True)
        for name, timed in one_at_a_time(revisers, sentences).items():
            alone[name].extend(timed)
        for name in names if k % 2 == 0 else reversed(names):
            together[name].append(all_at_once(revisers[name], sentences))
    adapters = {}
    for name, folder in zip(names, args.adapters, strict=True):
        config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
        chars = [max(len(answer), 1) for _, answer in alone[name]]
        adapters[name] = {
            "folder": str(folder),
            "rank": config.get("r"),
            "alone_s": statistics.median(s for s, _ in alone[name]),
            "per_kchar_s": statistics.median(
                1000 * s / c for (s, _), c in zip(alone[name], chars, strict=True)
            ),
            "together_s": statistics.median(together[name]),
            "together_runs": together[name],
        }
    record = {
        "command": "python benchmarks/adapter_time.py " + shlex.join(argv),
        "date": now(),
        "machine": machine(),
        "settings": {"sentences": args.sentences, "repeats": args.repeats},
        "adapters": adapters,
    }
    stem = "adapter_time" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, markdown(record)))


if __name__ == "__main__":
    main()
