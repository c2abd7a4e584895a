"""Where the model's time goes with many revisions in flight: generating, scoring the
edits' confidence, labelling them.

The app's own model slot (``app.ModelSlot``: the embedded model, the built-in adapter with
its intention predictor, the served confidence threshold) revises ``--requests`` sentences
of the ITERATER-sent test split at once, each from its own thread as concurrent writers'
requests would, unbatched (``max_batch`` 1, ``prompt_lookup`` 0: one token per forward
pass), unbatched with the app's prompt lookup (each sentence drafts tokens from its own
text for the model to check in one pass), batched (16; as served, every sentence in the
batch drafting from its own text), and batched with the scoring pass running each prompt
and answer again instead of starting from what ``generate`` kept (``Decoder.cache_bytes``
0), side by side in one run, ``--repeats`` times in turn.
The batch scheduler keeps the seconds it spent on each kind of work
(``BatchScheduler.busy_seconds``): ``generate`` (decoding, shared batches), ``score``
(the edits' margins, ``itune_core.confidence``: one pass over every waiting scoring job)
and ``calls`` (labelling each revision's edits with the predictor, one revision after
another). No HTTP, no database: the model's share of the load benchmark.

    python benchmarks/model_time.py            # ~10 min on 2 cores
    python benchmarks/model_time.py --requests 16 --repeats 1

Writes ``benchmarks/results/model_time.{json,md}`` and prints the table.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see serve.py)

import argparse
import shlex
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from app import ModelSlot, Settings, builtin_adapter_dir  # noqa: E402
from benchmarks.load import load_sentences  # noqa: E402
from benchmarks.record import machine, now, write  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
KINDS = ("generate", "score", "calls")
# mode -> (rows per batch, whether scoring starts from what generate kept, prompt lookup
# tokens: None for the app's default)
MODES = {
    "unbatched": (1, True, 0),
    "unbatched, prompt lookup": (1, True, None),
    "batched, prompt run again": (16, False, None),
    "batched": (16, True, None),
}


def all_at_once(reviser, sentences: list[tuple[str, str]]) -> float:
    """Wall seconds for every (sentence, intention) revised at once, each from its own
    thread, as concurrent writers' requests would be.

    Raises:
        SystemExit: a revision failed.
    """
    barrier = threading.Barrier(len(sentences) + 1)
    errors: list[BaseException] = []

    def one(text: str, label: str) -> None:
        barrier.wait()
        try:
            reviser.revise(text, [label])
        except BaseException as err:  # counted; the run fails below
            errors.append(err)

    threads = [threading.Thread(target=one, args=pair) for pair in sentences]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"error: {len(errors)} revisions failed: {errors[0]!r}")
    return time.perf_counter() - start


def run_once(slot: ModelSlot, sentences: list[tuple[str, str]]) -> dict:
    """Every sentence revised at once from its own thread; wall time and the scheduler's
    busy seconds per kind of work spent on them."""
    pool = slot.pool(timeout=1800)
    folder = builtin_adapter_dir()
    reviser = pool.reviser_for(folder.name, folder)
    busy = pool.scheduler.busy_seconds
    before = dict(busy)
    wall = all_at_once(reviser, sentences)
    return {"wall": wall} | {kind: busy[kind] - before[kind] for kind in KINDS}


def summarize(runs: list[dict], requests: int) -> dict:
    med = {key: statistics.median(r[key] for r in runs) for key in ("wall", *KINDS)}
    busy = sum(med[kind] for kind in KINDS)
    return {
        "revisions_per_s": requests / med["wall"],
        "wall_s": med["wall"],
        "seconds": {kind: med[kind] for kind in KINDS},
        "share": {kind: med[kind] / busy if busy else 0.0 for kind in KINDS},
        "per_revision_ms": {kind: 1000 * med[kind] / requests for kind in KINDS},
    }


def markdown(record: dict) -> str:
    s, modes = record["settings"], record["modes"]
    lines = [
        "# Where the model's time goes under load",
        "",
        f"`{record['command']}` ({record['date']}; {record['machine']})",
        "",
        f"{s['requests']} ITERATER-sent test sentences revised at once (each for its gold "
        "intention, one thread each) by the app's model slot with the built-in adapter, its "
        f"predictor and the served confidence threshold; medians of {s['repeats']} runs per "
        "mode, the modes taking turns. Seconds are the batch scheduler's busy time on each "
        "kind of work (`BatchScheduler.busy_seconds`).",
        "",
        "| mode | revisions/s | wall (s) | generate (s) | score (s) | label (s) | "
        "generate / score / label |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for mode, m in modes.items():
        sec, share = m["seconds"], m["share"]
        lines.append(
            f"| {mode} | {m['revisions_per_s']:.2f} | {m['wall_s']:.1f} | "
            f"{sec['generate']:.1f} | {sec['score']:.1f} | {sec['calls']:.1f} | "
            f"{100 * share['generate']:.0f}% / {100 * share['score']:.0f}% / "
            f"{100 * share['calls']:.0f}% |"
        )
    if {"batched", "unbatched"} <= set(modes):
        b, u = modes["batched"], modes["unbatched"]
        ratio = b["revisions_per_s"] / u["revisions_per_s"]
        gen = u["seconds"]["generate"] / b["seconds"]["generate"]
        rest_u = u["seconds"]["score"] + u["seconds"]["calls"]
        rest_b = b["seconds"]["score"] + b["seconds"]["calls"]
        lines += [
            "",
            f"Batched over unbatched: **{ratio:.2f}x** the throughput. Generating took "
            f"{gen:.2f}x less time; scoring and labelling took {rest_u:.1f} s unbatched and "
            f"{rest_b:.1f} s batched, {100 * rest_b / b['wall_s']:.0f}% of the batched "
            "wall time.",
        ]
    if {"unbatched, prompt lookup", "unbatched"} <= set(modes):
        look, u = modes["unbatched, prompt lookup"], modes["unbatched"]
        lines += [
            "",
            f"Prompt lookup, unbatched: **{look['revisions_per_s'] / u['revisions_per_s']:.2f}x**"
            f" the throughput of one token per pass; generating took "
            f"{u['seconds']['generate'] / look['seconds']['generate']:.2f}x less time.",
        ]
    if {"batched", "batched, prompt run again"} <= set(modes):
        b, again = modes["batched"], modes["batched, prompt run again"]
        lines += [
            "",
            "Scoring from what `generate` kept (each row's cache, its answer tokens' "
            "log-probabilities): scoring took "
            f"{again['seconds']['score']:.1f} s running the prompts and answers again and "
            f"{b['seconds']['score']:.1f} s from what was kept "
            f"({again['seconds']['score'] / max(b['seconds']['score'], 1e-9):.2f}x less); "
            f"throughput {b['revisions_per_s'] / again['revisions_per_s']:.2f}x.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=32, help="revisions at once")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-chars", type=int, default=200, help="longest sentence used")
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sentences = load_sentences(args.max_chars)[: args.requests]
    if len(sentences) < args.requests:
        raise SystemExit(f"error: only {len(sentences)} sentences are short enough")
    slots = {
        mode: ModelSlot(
            Settings(
                home=args.home,
                worker=False,
                max_batch=rows,
                prompt_lookup=Settings.prompt_lookup if lookup is None else lookup,
            )
        ).start()
        for mode, (rows, _, lookup) in MODES.items()
    }
    for mode, (_, reuse, _) in MODES.items():
        if not reuse:
            slots[mode].pool(timeout=1800).scheduler.decoder.cache_bytes = 0
    for slot in slots.values():
        run_once(slot, sentences[:2])  # warm: adapter attached, predictor loaded
    runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for k in range(args.repeats):
        order = list(MODES)[k % len(MODES) :] + list(MODES)[: k % len(MODES)]
        for mode in order:
            print(f"run {k + 1}/{args.repeats}: {mode}", flush=True)
            runs[mode].append(run_once(slots[mode], sentences))
    record = {
        "command": "python benchmarks/model_time.py " + shlex.join(argv),
        "date": now(),
        "machine": machine(),
        "settings": {"requests": args.requests, "repeats": args.repeats},
        "modes": {mode: summarize(r, args.requests) for mode, r in runs.items()},
        "runs": runs,
    }
    print(write(args.out, "model_time", record, markdown(record)))


if __name__ == "__main__":
    main()
