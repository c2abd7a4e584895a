"""A second pass: each sentence the served answer changed, revised again from that answer.

The built-in adapter often fixes some of a sentence's errors and leaves others ("Everyone
in my class has a smartphone and use it every day": "have" fixed, "use" left). Grammatical
error correction systems commonly decode again on their own output until it stops
changing. This measures that lever on dev, as the app would serve it: the first pass is
what ``evaluate`` decodes (greedy, guards, the margin, tense context), and every sentence
whose first answer differs from it is revised once more from that answer, with the same
intentions, through the same guards and margin; the second answer replaces the first.
Sentences the first pass left alone are not decoded again.

Two scopes are scored from the same decodes: every request, and only requests that ask
for fluency (the other requests keep their first answer).

    python benchmarks/second_pass.py --data iterater-sent learner-errors ...
    python benchmarks/second_pass.py --data benchmarks/learner_mixed.jsonl --dtype float32

Writes ``benchmarks/results/second_pass[_SUFFIX].{json,md}``; each data set's answers go to
``--work``, and a data set already there is not decoded again (a stopped run resumes).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see quality.py)

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from tqdm import tqdm  # noqa: E402

from benchmarks.record import suffix, write  # noqa: E402
from benchmarks.served import (  # noqa: E402
    SCORE_COLUMNS,
    add_options,
    cached,
    heading,
    load_served,
    requests,
    score_cells,
    scored,
    served_record,
)
from itune_core.reviser import ReviseSettings  # noqa: E402
from training.generation import assemble, revise_texts, text_spans  # noqa: E402

SCOPES = ("first pass (served)", "second pass, every request", "second pass, fluency only")


def two_passes(model, tokenizer, texts, intentions, batch_size, form) -> list[dict[str, Any]]:
    """Each text's first answer, and its answer with every changed sentence revised again."""
    settings = ReviseSettings()
    with tqdm(desc="first pass", unit="row") as bar:
        first = revise_texts(model, tokenizer, texts, intentions, settings=settings,
                             batch_size=batch_size, prompt_format=form,
                             on_rows=lambda n: setattr(bar, "total", n),
                             on_batch=bar.update)  # fmt: skip
    spans = [text_spans(revision.source, "sentence") for revision in first]
    again = [
        (t, k)
        for t, revision in enumerate(first)
        for k, piece in enumerate(revision.pieces)
        if piece.revised != revision.source[slice(*spans[t][k])]
    ]
    with tqdm(desc="second pass", unit="row") as bar:
        second = revise_texts(model, tokenizer,
                              [first[t].pieces[k].revised for t, k in again],
                              [intentions[t] for t, _ in again], settings=settings,
                              batch_size=batch_size, prompt_format=form,
                              on_rows=lambda n: setattr(bar, "total", n),
                              on_batch=bar.update)  # fmt: skip
    redone = {u: r.revised for u, r in zip(again, second, strict=True)}
    rows = []
    for t, revision in enumerate(first):
        pieces = [redone.get((t, k), p.revised) for k, p in enumerate(revision.pieces)]
        rows.append(
            {
                "first": revision.revised,
                "second": assemble(revision.source, spans[t], pieces),
                "pieces_again": sum(1 for u in again if u[0] == t),
            }
        )
    return rows


def scoped(examples, rows) -> dict[str, list[str]]:
    fluency = [("fluency" in e.labels) for e in examples]
    return {
        SCOPES[0]: [r["first"] for r in rows],
        SCOPES[1]: [r["second"] for r in rows],
        SCOPES[2]: [r["second"] if f else r["first"] for r, f in zip(rows, fluency, strict=True)],
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(p)
    p.add_argument("--data", nargs="+", required=True, help="data sets (names or .jsonl)")
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "second-pass")
    p.add_argument("--suffix", type=suffix, default="")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    bundle, model, tokenizer, dtype = load_served(args)
    form = bundle.prompt_format
    results: dict[str, Any] = {}
    for name in [*args.data, "draft"]:
        path = args.work / f"{Path(name).stem}.json"
        examples, texts, intentions = requests(name, args.split)
        rows = cached(path, partial(two_passes, model, tokenizer, texts, intentions,
                                    args.batch_size, form))  # fmt: skip
        if examples is None:
            results[name] = {"first": rows[0]["first"], "second": rows[0]["second"]}
            continue
        results[name] = {
            scope: scored(examples, outputs) for scope, outputs in scoped(examples, rows).items()
        }
        results[name]["pieces_again"] = sum(r["pieces_again"] for r in rows)
    report = served_record(Path(__file__).name, argv, args, dtype, results=results)
    stem = "second_pass" + (f"_{args.suffix}" if args.suffix else "")
    print(write(ROOT / "benchmarks" / "results", stem, report, table(report)))
    return 0


def table(report: dict[str, Any]) -> str:
    lines = [
        *heading("A second pass on the sentences the first answer changed", report),
        f"| data | scope | {SCORE_COLUMNS} |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in report["results"].items():
        if name == "draft":
            continue
        for scope in SCOPES:
            r = result[scope]
            lines.append(f"| {Path(name).stem} | {scope} | {score_cells(r)} |")
    draft = report["results"]["draft"]
    lines += ["", f"The learner draft, first pass: {draft['first']}", "",
              f"Second pass: {draft['second']}"]  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
