"""Sentence by sentence, with tense context, and whole, on hand-written learner paragraphs.

The app revises a text sentence by sentence (``itune_core.segment``), each sentence without
the others. A learner's story often names its time once ("Last night we went to a
concert.") and slips into the present after it ("The band play very well"); revised alone,
the second sentence names no past time, so neither the model nor the tense guard can tell
that "played" is meant. Revised whole, the model sees the time, but it was trained on
single sentences. Tense context (``itune_core.context``, on in the app) revises a past
sentence with the ones after it as well and takes only the tense fixes from that answer.

This scores the built-in adapter (or ``--adapter``) with ``evaluate``: by sentence without
tense context, by sentence with it (the app), and each paragraph whole (``--unit whole``),
on a set of short paragraphs written for this check: ``learner_paragraphs.jsonl`` (28, the
set the lever was found on), ``learner_paragraphs_fresh.jsonl`` (24, written after, to
confirm it on; it showed a flaw, mended) or ``learner_paragraphs_confirm.jsonl`` (20,
written after the mend). Each line's ``error`` is its kind: later sentences that slip into
the present after an earlier one names a past time (``context-tense``), errors inside its
sentences only (``sentence``), or none (``clean``, mostly a past sentence before a present
one that must stay). Copying and the untrained model (by sentence, as the app) are scored
beside them. It reports SARI, GLEU and how many paragraphs come back exactly as the
reference, per kind, every paragraph's answers, and the README's learner draft revised
each way. One row takes no model run: each answer by sentence without tense context with
the edits of the whole answer that touch none of its own (``with_edits_of``). Greedy and
guarded as the app serves, in the dtype ``evaluate`` picks (bf16 where the processor runs
it natively).

    python benchmarks/context.py                    # the fresh set, ~4 min on two cores
    python benchmarks/context.py --paragraphs benchmarks/learner_paragraphs.jsonl
    python benchmarks/context.py --paragraphs benchmarks/learner_paragraphs_confirm.jsonl \
        --dtype float32 --suffix fp32      # float32: answers that do not depend on the batch
    python benchmarks/context.py --adapter runs/x --work runs/context-x --suffix x
"""

import argparse
import json
import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import cpu_description, now, suffix, write  # noqa: E402
from itune_core.edits import apply_edits, compute_edits, touch  # noqa: E402
from itune_core.metrics.revisions import example_statistics, scores_from_statistics  # noqa: E402
from storage.environment import home_folder  # noqa: E402
from training.evaluate import (  # noqa: E402
    DTYPES,
    EvalConfig,
    EvalProgressBars,
    evaluate,
    write_report,
)

PARAGRAPHS = ROOT / "benchmarks" / "learner_paragraphs.jsonl"
FRESH = ROOT / "benchmarks" / "learner_paragraphs_fresh.jsonl"
CONFIRM = ROOT / "benchmarks" / "learner_paragraphs_confirm.jsonl"
KINDS = ("context-tense", "sentence", "clean")
# The learner draft of the README ("The learner draft"), which the app must fix whole.
DRAFT = (
    "Their is many reason why peoples likes to travel. It broaden the mind and you meets new "
    "friend. However, travel can also be expensive, and its not always easy to plan."
)


ALONE, APP, WHOLE = (
    "adapter, by sentence, no tense context",
    "adapter, by sentence with tense context (the app)",
    "adapter, whole paragraph",
)


def systems(adapter: str, paragraphs: Path, dtype: str = "auto") -> dict[str, EvalConfig]:
    """The evaluations compared, by name (files in ``--work`` take the part before the
    first comma and the unit)."""
    data = dict(data=str(paragraphs), split="dev", dtype=dtype)
    return {
        "copy": EvalConfig(baseline="copy", **data),
        "zero-shot, by sentence": EvalConfig(baseline="zero-shot", **data),
        ALONE: EvalConfig(adapter=adapter, tense_context=False, **data),
        APP: EvalConfig(adapter=adapter, **data),
        WHOLE: EvalConfig(adapter=adapter, unit="whole", **data),
    }


def report_name(name: str, config: EvalConfig) -> str:
    """The file ``name``'s report is written to in ``--work``."""
    context = "" if config.unit == "whole" or config.tense_context else "-alone"
    return f"{name.split(',')[0]}-{config.unit}{context}.json"


def with_edits_of(source: str, first: str, second: str) -> str:
    """``first`` (an answer to ``source``) with the edits of ``second`` (another answer to
    it) that touch none of ``first``'s edits added: one way to keep both answers' fixes."""
    mine = compute_edits(source, first)
    extra = [e for e in compute_edits(source, second) if not any(touch(e, m) for m in mine)]
    return apply_edits(source, [*mine, *extra])


def scored(examples: list[dict[str, Any]], outputs: list[str], kinds: list[str]) -> dict:
    """SARI, GLEU and exact answers per kind of ``outputs`` for ``examples``' sources."""
    stats = [
        example_statistics(e["before"], out, [e["reference"]])
        for e, out in zip(examples, outputs, strict=True)
    ]
    scores = scores_from_statistics(stats)
    exact = [{**e, "output": out} for e, out in zip(examples, outputs, strict=True)]
    return {"sari": scores["sari"], "gleu": scores["gleu"], "exact": exact_by_kind(exact, kinds)}


def exact_by_kind(examples: list[dict[str, Any]], kinds: list[str]) -> Counter:
    """How many outputs equal their reference, per kind of paragraph."""
    return Counter(
        kind for e, kind in zip(examples, kinds, strict=True) if e["output"] == e["reference"]
    )


def markdown(command: str, rows: dict[str, dict], kinds: list[str], answers: list) -> str:
    counts = Counter(kinds)
    head = " | ".join(f"exact: {k} ({counts[k]})" for k in KINDS)
    lines = [
        "# Sentence by sentence, with tense context and whole (learner paragraphs)",
        "",
        f"`{command}` — {now()}; {cpu_description()}.",
        "",
        f"| system | SARI (EASSE) | GLEU | {head} |",
        "|---|---:|---:|" + "---:|" * len(KINDS),
    ]
    for name, row in rows.items():
        exact = " | ".join(str(row["exact"].get(k, 0)) for k in KINDS)
        lines.append(f"| {name} | {row['sari']:.2f} | {row['gleu']:.2f} | {exact} |")
    lines += [
        "",
        "| kind | source | by sentence, no tense context | with tense context (the app) | "
        "whole | no tense context + the whole answer's other edits |",
        "|---|---|---|---|---|---|",
    ]
    for kind, source, *outputs in answers:
        cells = [source if text == source else f"**{text}**" for text in outputs]
        lines.append(f"| {kind} | {source} | {' | '.join(cells)} |")
    lines += ["", "Bold: the answer differs from the source."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adapter", default=str(ROOT / "adapters" / "itune-default"))
    parser.add_argument("--paragraphs", type=Path, default=FRESH, help="the set scored")
    parser.add_argument("--dtype", choices=DTYPES, default="auto", help="auto: bf16 if native")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "context")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--suffix", type=suffix, default="")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "benchmarks/context.py", *argv])
    lines = [json.loads(line) for line in args.paragraphs.read_text(encoding="utf-8").splitlines()]
    kinds = [line["error"] for line in lines]
    reports = {}
    for name, config in systems(args.adapter, args.paragraphs, args.dtype).items():
        print(f"scoring {name}", flush=True)
        report = evaluate(config, home=home_folder(), progress=EvalProgressBars())
        write_report(report, args.work / report_name(name, config))
        reports[name] = report
    rows = {
        name: {
            "sari": r["metrics"]["sari"],
            "gleu": r["metrics"]["gleu"],
            "exact": exact_by_kind(r["examples"], kinds),
        }
        for name, r in reports.items()
    }
    alone, app, whole = (reports[n]["examples"] for n in (ALONE, APP, WHOLE))
    both = [
        with_edits_of(a["before"], a["output"], w["output"])
        for a, w in zip(alone, whole, strict=True)
    ]
    rows[f"{ALONE} + the whole answer's other edits (no model run)"] = scored(alone, both, kinds)
    answers = [
        (kind, a["before"], a["output"], c["output"], w["output"], b)
        for kind, a, c, w, b in zip(kinds, alone, app, whole, both, strict=True)
    ]
    draft = args.work / "learner_draft.jsonl"
    draft.parent.mkdir(parents=True, exist_ok=True)
    line = {"before_sent": DRAFT, "after_sent": DRAFT, "labels": "fluency"}
    draft.write_text(json.dumps(line) + "\n", encoding="utf-8")
    by_sentence, with_context, by_whole = (
        evaluate(systems(args.adapter, draft, args.dtype)[name], home=home_folder())["examples"][0][
            "output"
        ]
        for name in (ALONE, APP, WHOLE)
    )
    combined = with_edits_of(DRAFT, by_sentence, by_whole)
    answers.append(("the learner draft", DRAFT, by_sentence, with_context, by_whole, combined))
    stem = "context_" + args.paragraphs.stem + (f"_{args.suffix}" if args.suffix else "")
    record = {"command": command, "date": now(), "rows": rows, "answers": answers}
    print(write(args.out, stem, record, markdown(command, rows, kinds, answers)))


if __name__ == "__main__":
    main()
