"""How the served path calls the model, and what each choice saves: side by side, the app
as served against the same with one choice undone.

Three choices are measured:

- **the output head's input** (``itune_core.model.fold_head_input``): once an adapter is
  attached, PEFT leaves the base model's weights without gradients, and torch's matmul
  then multiplies the strided view of the last positions that transformers hands the head
  (on every prompts' pass) row by row against a copy of the whole head weight. The hook
  ``load_model`` puts on the head makes the view dense first. Undone: the hook taken off.
- **the sole adapter** (``itune_core.adapters.sole_adapter``): with one adapter attached,
  a call whose rows all use it leaves PEFT's ``adapter_names`` out, so the LoRA layers do
  not split the batch into per-adapter rows. Undone: every row named.
- **the kept instruction** (``Row.instruction``, ``Decoder._instruction_cache``): the
  prompt's start before the piece (the chat template's start and the instruction) runs
  once per adapter and instruction, and later calls start from its kept cache. Undone:
  rows that do not know their instruction, so every call runs it again (a row alone in
  the same pass as its piece).

The app's model slot (``app.ModelSlot``: the embedded model, the built-in adapter, its
predictor, served settings) revises one ITERATER-sent test sentence, a paragraph of
``--sentences`` of them, and ``--writers`` sentences at once, each from its own thread as
concurrent writers' requests would be; the ways take turns ``--repeats`` times. The single
sentence's and the paragraph's answers are compared with the served way's, and so are the
greedy answers of the first ``--same-answers`` ITERATER-sent dev sentences, decoded in
batches of 16 (``Decoder.generate``) each way.

    python benchmarks/model_calls.py          # ~8 min on two cores

Writes ``benchmarks/results/model_calls.{json,md}`` and prints the table.
"""

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from services import openmp  # noqa: E402, F401  before torch loads, as app.py does

# isort: split
import itune_core.decoding  # noqa: E402
from app import ModelSlot, Settings, builtin_adapter_dir  # noqa: E402
from benchmarks.load import load_sentences  # noqa: E402
from benchmarks.model_time import all_at_once  # noqa: E402
from benchmarks.record import machine, now, write  # noqa: E402
from itune_core.adapters import sole_adapter  # noqa: E402
from itune_core.decoding import Decoder  # noqa: E402
from itune_core.model import dense_head_input, fold_head_input  # noqa: E402
from training.data import load_dataset  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
INSTRUCTION_LENGTH = Decoder._instruction_length  # put back by the served way
SERVED = "as served"
# way -> (the head's hook on, rows of the sole adapter left unnamed, instruction kept)
WAYS = {
    SERVED: (True, True, True),
    "head input strided": (False, True, True),
    "every row named": (True, False, True),
    "instruction run each call": (True, True, False),
}
DOCS = ("one sentence", "paragraph", "writers at once")


def set_hook(model, on: bool) -> None:
    """Put the head's hook on ``model`` (once) or take it off."""
    hooks = model.get_output_embeddings()._forward_pre_hooks
    for key in [k for k, hook in hooks.items() if hook is dense_head_input]:
        del hooks[key]
    if on:
        fold_head_input(model)


def set_way(model, way: str) -> None:
    """Call ``model`` the ``way`` named (a key of ``WAYS``)."""
    hook, unnamed, kept = WAYS[way]
    set_hook(model, hook)
    itune_core.decoding.sole_adapter = sole_adapter if unnamed else (lambda _model: None)
    Decoder._instruction_length = INSTRUCTION_LENGTH if kept else (lambda *_: 0)


def dev_answers(pool, adapter: str, n: int, way: str) -> list[str]:
    """The greedy answers of the first ``n`` ITERATER-sent dev sentences, each for its
    gold intentions, decoded the ``way`` named in batches of 16."""
    set_way(pool.model, way)
    decoder = Decoder(pool.model, pool.tokenizer)
    examples = load_dataset("iterater-sent", "dev").examples[:n]
    answers = []
    for start in range(0, len(examples), 16):
        rows = [
            decoder.row(e.before, list(e.labels), adapter) for e in examples[start : start + 16]
        ]
        answers += [decoded.text for decoded in decoder.generate(rows)]
    return answers


def markdown(record: dict) -> str:
    med, s = record["median_s"], record["settings"]
    undone = [way for way in med if way != SERVED]
    lines = [
        "# How the served path calls the model",
        "",
        f"`{record['command']}` ({record['date']}; {record['machine']})",
        "",
        f"The app's model slot with the built-in adapter and served settings; one sentence, "
        f"a paragraph of {s['sentences']} ITERATER-sent test sentences and {s['writers']} "
        f"sentences revised at once from their own threads; medians of {s['repeats']}, the "
        "ways taking turns. Each other column undoes one choice; x: its time over served.",
        "",
        "| revising | as served (s) | " + " | ".join(f"{way} (s) | x" for way in undone) + " |",
        "|---|---:|" + "---:|---:|" * len(undone),
    ]
    for doc in DOCS:
        cells = [f"{med[way][doc]:.2f} | {med[way][doc] / med[SERVED][doc]:.2f}" for way in undone]
        lines.append(f"| {doc} | {med[SERVED][doc]:.2f} | " + " | ".join(cells) + " |")
    ratio = record["paragraph_over_sentence"]
    cells = [cell for way in undone for cell in (f"{ratio[way]:.2f}x", "")]
    lines.append(
        f"| paragraph over one sentence | {ratio[SERVED]:.2f}x | " + " | ".join(cells) + " |"
    )
    lines += ["", "The sentence's and the paragraph's answers the same as served:"]
    lines += [f"- {way}: {'yes' if record['same_answers'][way] else '**no**'}" for way in undone]
    dev = record.get("dev_answers_differ")
    if dev:
        counts = ", ".join(f"{way} {count}" for way, count in dev.items())
        lines += [
            "",
            f"Greedy answers of the first {s['same_answers']} ITERATER-sent dev sentences, "
            f"decoded in batches of 16, that differ from served: {counts}.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=10, help="sentences in the paragraph")
    parser.add_argument("--writers", type=int, default=16, help="sentences revised at once")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument(
        "--same-answers", type=int, default=100, help="dev sentences compared (0: none)"
    )
    parser.add_argument(
        "--dtype", choices=("bfloat16", "float32"), help="the app's ITUNE_DTYPE (default: its own)"
    )
    parser.add_argument("--home", type=Path, default=ROOT / "runs" / "itune-home")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sentences = load_sentences(200)[: max(args.sentences, args.writers)]
    if len(sentences) < max(args.sentences, args.writers):
        raise SystemExit(f"error: only {len(sentences)} sentences are short enough")
    paragraph = " ".join(s for s, _ in sentences[: args.sentences])
    docs = {"one sentence": sentences[0][0], "paragraph": paragraph}
    label = sentences[0][1]
    settings = Settings(home=args.home, worker=False, dtype=args.dtype)
    pool = ModelSlot(settings).start().pool(timeout=1800)
    folder = builtin_adapter_dir()
    reviser = pool.reviser_for(folder.name, folder)
    times = {way: {doc: [] for doc in DOCS} for way in WAYS}
    answers = {way: {} for way in WAYS}
    for way in WAYS:  # warm every way
        set_way(pool.model, way)
        reviser.revise(docs["one sentence"], [label])
    for k in range(args.repeats):
        print(f"run {k + 1}/{args.repeats}", flush=True)
        ways = list(WAYS)[k % len(WAYS) :] + list(WAYS)[: k % len(WAYS)]
        for way in ways:
            set_way(pool.model, way)
            for doc, text in docs.items():
                start = time.perf_counter()
                answers[way][doc] = reviser.revise(text, [label]).revised
                times[way][doc].append(time.perf_counter() - start)
            times[way]["writers at once"].append(all_at_once(reviser, sentences[: args.writers]))
    dev = {}
    if args.same_answers:
        print("dev answers", flush=True)
        dev = {way: dev_answers(pool, folder.name, args.same_answers, way) for way in WAYS}
    set_way(pool.model, SERVED)
    dtype = pool.model.get_input_embeddings().weight.dtype
    median = {way: {doc: statistics.median(t) for doc, t in times[way].items()} for way in WAYS}
    record = {
        "command": f"python benchmarks/model_calls.py {shlex.join(argv)}".strip(),
        "date": now(),
        "machine": f"{machine()}, {str(dtype).removeprefix('torch.')}",
        "settings": {
            "sentences": args.sentences,
            "writers": args.writers,
            "repeats": args.repeats,
            "same_answers": args.same_answers,
            "label": label,
        },
        "median_s": median,
        "paragraph_over_sentence": {
            way: median[way]["paragraph"] / median[way]["one sentence"] for way in WAYS
        },
        "same_answers": {way: answers[way] == answers[SERVED] for way in WAYS if way != SERVED},
        "dev_answers_differ": {
            way: sum(a != b for a, b in zip(dev[way], dev[SERVED], strict=True))
            for way in dev
            if way != SERVED
        },
        "answers": answers,
        "times_s": times,
    }
    print(write(args.out, "model_calls", record, markdown(record)))


if __name__ == "__main__":
    main()
