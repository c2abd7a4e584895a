"""Sentence by sentence against the whole paragraph, on hand-written learner paragraphs.

The app revises a text sentence by sentence (``itune_core.segment``), each sentence without
the others. A learner's story often names its time once ("Last night we went to a
concert.") and slips into the present after it ("The band play very well"); revised alone,
the second sentence names no past time, so neither the model nor the tense guard can tell
that "played" is meant. Revised whole, the model sees the time, but it was trained on
single sentences.

This scores the built-in adapter (or ``--adapter``) both ways with ``evaluate``'s two
units (``--unit sentence``, the app; ``--unit whole``) on
``benchmarks/learner_paragraphs.jsonl``: 28 short paragraphs written for this check, 12
whose later sentences slip into the present after an earlier one names a past time
(``context-tense``), 12 with errors inside their sentences only (``sentence``) and 4 with
none (``clean``, two of them a past sentence before a present one that must stay).
Copying and the untrained model, sentence by sentence, are scored beside them. It reports
SARI, GLEU and how many paragraphs come back exactly as the reference, per kind, and
every paragraph's two answers, and the README's learner draft revised both ways. A fifth
row takes no model run: each sentence-by-sentence answer with the edits of the whole
answer that touch none of its own (``with_edits_of``), one way to keep both. Greedy
and guarded as the app serves, in the dtype ``evaluate`` picks (bf16 where the processor
runs it natively).

    python benchmarks/context.py                    # ~3 min on two cores
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
from itune_core.edits import Edit, apply_edits, compute_edits  # noqa: E402
from itune_core.metrics.revisions import example_statistics, scores_from_statistics  # noqa: E402
from storage.environment import home_folder  # noqa: E402
from training.evaluate import EvalConfig, EvalProgressBars, evaluate, write_report  # noqa: E402

PARAGRAPHS = ROOT / "benchmarks" / "learner_paragraphs.jsonl"
KINDS = ("context-tense", "sentence", "clean")
# The learner draft of the README ("The learner draft"), which the app must fix whole.
DRAFT = (
    "Their is many reason why peoples likes to travel. It broaden the mind and you meets new "
    "friend. However, travel can also be expensive, and its not always easy to plan."
)


def systems(adapter: str) -> dict[str, EvalConfig]:
    """The evaluations compared, by name."""
    data = dict(data=str(PARAGRAPHS), split="dev")
    return {
        "copy": EvalConfig(baseline="copy", **data),
        "zero-shot, by sentence": EvalConfig(baseline="zero-shot", **data),
        "adapter, by sentence (the app)": EvalConfig(adapter=adapter, unit="sentence", **data),
        "adapter, whole paragraph": EvalConfig(adapter=adapter, unit="whole", **data),
    }


def with_edits_of(source: str, first: str, second: str) -> str:
    """``first`` (an answer to ``source``) with the edits of ``second`` (another answer to
    it) that touch none of ``first``'s edits added: one way to keep both answers' fixes."""
    mine = compute_edits(source, first)

    def clash(edit: Edit) -> bool:
        return any(
            edit.start_char_pos <= m.end_char_pos and m.start_char_pos <= edit.end_char_pos
            for m in mine
        )

    extra = [edit for edit in compute_edits(source, second) if not clash(edit)]
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
        "# Sentence by sentence against the whole paragraph (learner paragraphs)",
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
        "| kind | source | by sentence | whole | by sentence + the whole answer's other edits |",
        "|---|---|---|---|---|",
    ]
    for kind, source, *outputs in answers:
        cells = [source if text == source else f"**{text}**" for text in outputs]
        lines.append(f"| {kind} | {source} | {' | '.join(cells)} |")
    lines += ["", "Bold: the answer differs from the source."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adapter", default=str(ROOT / "adapters" / "itune-default"))
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "context")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--suffix", type=suffix, default="")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "benchmarks/context.py", *argv])
    lines = [json.loads(line) for line in PARAGRAPHS.read_text(encoding="utf-8").splitlines()]
    kinds = [line["error"] for line in lines]
    reports = {}
    for name, config in systems(args.adapter).items():
        print(f"scoring {name}", flush=True)
        report = evaluate(config, home=home_folder(), progress=EvalProgressBars())
        write_report(report, args.work / f"{name.split(',')[0]}-{config.unit}.json")
        reports[name] = report
    rows = {
        name: {
            "sari": r["metrics"]["sari"],
            "gleu": r["metrics"]["gleu"],
            "exact": exact_by_kind(r["examples"], kinds),
        }
        for name, r in reports.items()
    }
    alone, whole = (reports[n]["examples"] for n in list(reports)[2:])
    both = [
        with_edits_of(a["before"], a["output"], w["output"])
        for a, w in zip(alone, whole, strict=True)
    ]
    rows["adapter, by sentence + the whole answer's other edits (no model run)"] = scored(
        alone, both, kinds
    )
    answers = [
        (kind, a["before"], a["output"], w["output"], b)
        for kind, a, w, b in zip(kinds, alone, whole, both, strict=True)
    ]
    draft = args.work / "learner_draft.jsonl"
    draft.parent.mkdir(parents=True, exist_ok=True)
    line = {"before_sent": DRAFT, "after_sent": DRAFT, "labels": "fluency"}
    draft.write_text(json.dumps(line) + "\n", encoding="utf-8")
    by_sentence, by_whole = (
        evaluate(
            EvalConfig(adapter=args.adapter, data=str(draft), split="dev", unit=unit),
            home=home_folder(),
        )["examples"][0]["output"]
        for unit in ("sentence", "whole")
    )
    combined = with_edits_of(DRAFT, by_sentence, by_whole)
    answers.append(("the learner draft", DRAFT, by_sentence, by_whole, combined))
    stem = "context_learner_paragraphs" + (f"_{args.suffix}" if args.suffix else "")
    record = {"command": command, "date": now(), "rows": rows, "answers": answers}
    print(write(args.out, stem, record, markdown(command, rows, kinds, answers)))


if __name__ == "__main__":
    main()
