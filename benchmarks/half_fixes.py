"""Half-applied fixes: where the margin kept some edits of a sentence and left others out,
is what is offered less likely, under the model, than the sentence as written?

The served answers of each data set are decoded once (greedy, the guards, the margin,
tense context: what ``evaluate`` serves). For every piece where the margin left at least
one edit out and kept at least one, the piece as offered and the piece as written are
scored under the piece's prompt. Where the offered piece is the less likely, policy A
puts the edits left out back (those ``itune_core.suggestions`` places) and policy B
offers the piece as written. The rule that judges them is in docs/default-adapter.md
("Half-applied fixes").

    python benchmarks/half_fixes.py     # ~25 min on two cores (bf16)

Writes ``benchmarks/results/half_fixes[_SUFFIX].{json,md}``; each data set's answers and
scores go to ``--work``, and a data set already there is not decoded again.
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
    scoring_decoder,
    served_record,
)
from itune_core.edits import apply_edits, compute_edits  # noqa: E402
from itune_core.reviser import ReviseSettings  # noqa: E402
from itune_core.segment import split_pieces  # noqa: E402
from itune_core.suggestions import suggestions  # noqa: E402
from training.generation import revise_texts  # noqa: E402

DATA = (
    "iterater-sent",
    "learner-errors",
    "benchmarks/learner_sentences.jsonl",
    "benchmarks/learner_mixed.jsonl",
)
POLICIES = ("served", "A: put back", "B: as written")
CHUNK = 32  # pieces scored in one call


def served_pieces(model, tokenizer, decoder, texts, intentions, batch_size, form):
    """Each text's served answer and, for each piece where the margin kept some edits and
    left others out, the piece as written, as offered, with the edits left out put back,
    and the log-probabilities of the first two under the piece's prompt."""
    with tqdm(desc="served answers", unit="row") as bar:
        revisions = revise_texts(model, tokenizer, texts, intentions,
                                 settings=ReviseSettings(), batch_size=batch_size,
                                 prompt_format=form, on_rows=lambda n: setattr(bar, "total", n),
                                 on_batch=bar.update)  # fmt: skip
    rows, jobs, owners = [], [], []
    for r, asked in zip(revisions, intentions, strict=True):
        spans = split_pieces(r.source) or [(0, len(r.source))]
        assert len(spans) == len(r.pieces)
        row = {"source": r.source, "revised": r.revised, "spans": spans,
               "pieces": [p.revised for p in r.pieces], "checked": []}  # fmt: skip
        assert _assembled(row, {}) == r.revised
        for k, ((a, b), p) in enumerate(zip(spans, r.pieces, strict=True)):
            piece = r.source[a:b]
            if not p.unsure or p.revised == piece:
                continue
            back = suggestions(piece, p.revised, p.unguarded, p.unsure)
            whole = apply_edits(piece, [*compute_edits(piece, p.revised), *(s.edit for s in back)])
            row["checked"].append({"piece": k, "offered": p.revised, "whole": whole,
                                   "unsure": [h.to_dict() for h in p.unsure]})  # fmt: skip
            jobs.append((decoder.row(piece, asked, "default"), [p.revised, piece]))
            owners.append(row["checked"][-1])
        rows.append(row)
    scores = []
    for start in range(0, len(jobs), CHUNK):
        scores += decoder.score(jobs[start : start + CHUNK])
    for owner, (offered, written) in zip(owners, scores, strict=True):
        owner["offered_logprob"], owner["written_logprob"] = offered, written
    return rows


def _assembled(row: dict[str, Any], texts: dict[int, str]) -> str:
    """The source with each piece replaced by ``texts``' or, where it has none, the served
    one; what lies between pieces is kept."""
    parts, pos = [], 0
    for k, (a, b) in enumerate(row["spans"]):
        parts += [row["source"][pos:a], texts.get(k, row["pieces"][k])]
        pos = b
    parts.append(row["source"][pos:])
    return "".join(parts)


def output(row: dict[str, Any], policy: str) -> tuple[str, int]:
    """The row's text under ``policy``, and how many pieces it changed."""
    if policy == "served":
        return row["revised"], 0
    source = row["source"]
    texts, changed = {}, 0
    for c in row["checked"]:
        if c["offered_logprob"] < c["written_logprob"]:
            a, b = row["spans"][c["piece"]]
            texts[c["piece"]] = c["whole"] if policy.startswith("A") else source[a:b]
            changed += 1
    return _assembled(row, texts), changed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(p)
    p.add_argument("--data", nargs="+", default=list(DATA), help="data sets (names or .jsonl)")
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "half-fixes")
    p.add_argument("--suffix", type=suffix, default="")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    bundle, model, tokenizer, dtype = load_served(args)
    form = bundle.prompt_format
    decoder = scoring_decoder(bundle, model, tokenizer)
    results: dict[str, Any] = {}
    changes: dict[str, list] = {}
    for name in args.data:
        path = args.work / f"{Path(name).stem}-{args.split}.json"
        examples, texts, intentions = requests(name, args.split)
        rows = cached(path, partial(served_pieces, model, tokenizer, decoder, texts,
                                    intentions, args.batch_size, form))  # fmt: skip
        checked = [c for row in rows for c in row["checked"]]
        below = sum(c["offered_logprob"] < c["written_logprob"] for c in checked)
        outcome = {}
        for policy in POLICIES:
            answers = [output(row, policy) for row in rows]
            outputs = [a for a, _ in answers]
            outcome[policy] = scored(examples, outputs, checked=len(checked), below=below,
                                     pieces_changed=sum(n for _, n in answers))  # fmt: skip
            if policy != "served":
                changes[f"{Path(name).stem} {policy}"] = [
                    {
                        "source": e.before,
                        "reference": e.after,
                        "served": row["revised"],
                        "policy": out,
                    }
                    for e, row, out in zip(examples, rows, outputs, strict=True)
                    if out != row["revised"]
                ]
        results[name] = outcome
    report = served_record(Path(__file__).name, argv, args, dtype, results=results,
                           changes=changes)  # fmt: skip
    stem = "half_fixes" + (f"_{args.suffix}" if args.suffix else "")
    print(write(ROOT / "benchmarks" / "results", stem, report, table(report)))
    return 0


def table(report: dict[str, Any]) -> str:
    lines = [
        *heading("Half-applied fixes: the offered piece against the piece as written", report),
        "*checked*: pieces where the margin kept some edits and left others out; *below*: "
        "those whose offered text the model finds less likely than the piece as written.",
        "",
        f"| data | policy | {SCORE_COLUMNS} | checked | below | pieces changed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, outcome in report["results"].items():
        for label, r in outcome.items():
            lines.append(
                f"| {Path(name).stem} | {label} | {score_cells(r)} | {r['checked']} | "
                f"{r['below']} | {r['pieces_changed']} |"
            )
    lines += ["", "Every output a policy changes (source / reference / served / policy):", ""]
    for key, found in report["changes"].items():
        for c in found:
            lines += [
                f"- {key}: `{c['source']}`",
                f"  - reference: `{c['reference']}`",
                f"  - served: `{c['served']}`",
                f"  - policy: `{c['policy']}`",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
