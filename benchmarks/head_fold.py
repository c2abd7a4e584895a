"""What handing the output head a dense input saves: the served path with
``itune_core.model.fold_head_input`` on and off, side by side.

Once an adapter is attached, PEFT leaves the base model's weights without gradients, and
torch's matmul then multiplies a strided view of the last position's hidden states (what
transformers hands the head on every prompts' pass) row by row against a copy of the
whole head weight. ``load_model`` puts a hook on the head that makes such a view dense
first. This benchmark takes the app's model slot (``app.ModelSlot``: the embedded model,
the built-in adapter, its predictor, served settings), then revises one ITERATER-sent test
sentence, a paragraph of ``--sentences`` of them, and ``--writers`` sentences at once, each
from its own thread as concurrent writers' requests would be, with the hook and without
it, the two taking turns ``--repeats`` times; it checks that the single sentence's and the
paragraph's answers are the same both ways.

    python benchmarks/head_fold.py          # ~6 min on two cores

Writes ``benchmarks/results/head_fold.{json,md}`` and prints the table.
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

from app import ModelSlot, Settings, builtin_adapter_dir  # noqa: E402
from benchmarks.load import load_sentences  # noqa: E402
from benchmarks.model_time import all_at_once  # noqa: E402
from benchmarks.record import machine, now, write  # noqa: E402
from itune_core.model import _dense_head_input, fold_head_input  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
WAYS = ("dense head input", "as transformers hands it")


def set_hook(model, on: bool) -> None:
    """Put the head's hook on ``model`` (once) or take it off."""
    hooks = model.get_output_embeddings()._forward_pre_hooks
    for key in [k for k, hook in hooks.items() if hook is _dense_head_input]:
        del hooks[key]
    if on:
        fold_head_input(model)


def markdown(record: dict) -> str:
    med, s = record["median_s"], record["settings"]
    on, off = WAYS
    lines = [
        "# The output head's input, dense or strided",
        "",
        f"`{record['command']}` ({record['date']}; {record['machine']})",
        "",
        f"The app's model slot with the built-in adapter and served settings; one sentence, "
        f"a paragraph of {s['sentences']} ITERATER-sent test sentences and {s['writers']} "
        f"sentences revised at once from their own threads; medians of {s['repeats']}, the "
        "two ways taking turns.",
        "",
        f"| revising | {on} (s) | {off} (s) | x faster |",
        "|---|---:|---:|---:|",
    ]
    for doc in ("one sentence", "paragraph", "writers at once"):
        lines.append(
            f"| {doc} | {med[on][doc]:.2f} | {med[off][doc]:.2f} | "
            f"{med[off][doc] / med[on][doc]:.2f} |"
        )
    lines += [
        f"| paragraph over one sentence | {record['paragraph_over_sentence'][on]:.2f}x | "
        f"{record['paragraph_over_sentence'][off]:.2f}x | |",
        "",
        f"Same answers both ways: {'yes' if record['same_answers'] else '**no**'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=10, help="sentences in the paragraph")
    parser.add_argument("--writers", type=int, default=16, help="sentences revised at once")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sentences = load_sentences(200)[: max(args.sentences, args.writers)]
    if len(sentences) < max(args.sentences, args.writers):
        raise SystemExit(f"error: only {len(sentences)} sentences are short enough")
    paragraph = " ".join(s for s, _ in sentences[: args.sentences])
    docs = {"one sentence": sentences[0][0], "paragraph": paragraph}
    label = sentences[0][1]
    pool = ModelSlot(Settings(home=args.home, worker=False)).start().pool(timeout=1800)
    folder = builtin_adapter_dir()
    reviser = pool.reviser_for(folder.name, folder)
    times = {way: {doc: [] for doc in [*docs, "writers at once"]} for way in WAYS}
    answers = {way: {} for way in WAYS}
    for way in WAYS:  # warm both ways
        set_hook(pool.model, way == WAYS[0])
        reviser.revise(docs["one sentence"], [label])
    for k in range(args.repeats):
        print(f"run {k + 1}/{args.repeats}", flush=True)
        for way in WAYS if k % 2 == 0 else reversed(WAYS):
            set_hook(pool.model, way == WAYS[0])
            for doc, text in docs.items():
                start = time.perf_counter()
                answers[way][doc] = reviser.revise(text, [label]).revised
                times[way][doc].append(time.perf_counter() - start)
            times[way]["writers at once"].append(all_at_once(reviser, sentences[: args.writers]))
    set_hook(pool.model, True)
    median = {way: {doc: statistics.median(t) for doc, t in times[way].items()} for way in WAYS}
    record = {
        "command": f"python benchmarks/head_fold.py {shlex.join(argv)}".strip(),
        "date": now(),
        "machine": machine(),
        "settings": {
            "sentences": args.sentences,
            "writers": args.writers,
            "repeats": args.repeats,
            "label": label,
        },
        "median_s": median,
        "paragraph_over_sentence": {
            way: median[way]["paragraph"] / median[way]["one sentence"] for way in WAYS
        },
        "same_answers": answers[WAYS[0]] == answers[WAYS[1]],
        "times_s": times,
    }
    print(write(args.out, "head_fold", record, markdown(record)))


if __name__ == "__main__":
    main()
