"""Holding back edits that serve another intention than the one asked, on dev.

The served answer of each example is decoded once (greedy, the guards, the margin, tense
context: what ``evaluate`` serves), and each of its edits is scored under all five
intentions by the adapter's likelihood gain (``itune_core.gain_labels``: log p(sentence
with the edit) - log p(sentence), under each intention's prompt). A policy then holds back
every edit whose top intention (gain plus the adapter's bias per intention) is not among
those asked and is ahead of the best asked one by more than tau nats; "all" applies it to
every request, "not fluency" to requests that do not ask for fluency. The rule that
judges the policies is in docs/default-adapter.md ("Holding back edits that serve another
intention").

    python benchmarks/intention_filter.py     # ~30 min on two cores (bf16)

Writes ``benchmarks/results/intention_filter[_SUFFIX].{json,md}``; each data set's answers
and gains go to ``--work``, and a data set already there is not decoded again.
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
from itune_core.edits import Edit, apply_edits, compute_edits  # noqa: E402
from itune_core.gain_labels import GainLabeller  # noqa: E402
from itune_core.intentions import INTENTIONS  # noqa: E402
from itune_core.reviser import ReviseSettings  # noqa: E402
from training.generation import revise_texts  # noqa: E402

DATA = ("iterater-sent", "benchmarks/learner_sentences.jsonl", "benchmarks/learner_mixed.jsonl")
TAUS = (0.0, 0.5, 1.0, 2.0, 4.0)
SCOPES = ("all", "not fluency")
EDIT_FIELDS = ("type", "before", "after", "start_char_pos", "end_char_pos")


def served_with_gains(model, tokenizer, decoder, texts, intentions, batch_size, form):
    """Each text's served answer, its edits, and each edit's gain under every intention
    (``GainLabeller.gains``, no bias)."""
    with tqdm(desc="served answers", unit="row") as bar:
        revisions = revise_texts(model, tokenizer, texts, intentions,
                                 settings=ReviseSettings(), batch_size=batch_size,
                                 prompt_format=form, on_rows=lambda n: setattr(bar, "total", n),
                                 on_batch=bar.update)  # fmt: skip
    edits = [compute_edits(r.source, r.revised) for r in revisions]
    labeller = GainLabeller(decoder, "default", {})
    gains = labeller.gains(
        [(r.source, e, INTENTIONS) for r, e in zip(revisions, edits, strict=True)]
    )
    return [
        {
            "source": r.source,
            "revised": r.revised,
            "asked": list(asked),
            "edits": [e.to_dict() for e in found],
            "gains": [[g[k] for k in INTENTIONS] for g in by_edit],
        }
        for r, asked, found, by_edit in zip(revisions, intentions, edits, gains, strict=True)
    ]


def edits_of(row: dict[str, Any]) -> list[Edit]:
    return [Edit(**{f: e[f] for f in EDIT_FIELDS}) for e in row["edits"]]


def filtered(row: dict[str, Any], bias: dict[str, float], tau: float | None, scope: str):
    """The row's answer with the edits the policy holds back undone, and how many."""
    edits = edits_of(row)
    asked = [k for k in row["asked"] if k in INTENTIONS]
    if tau is None or not asked or (scope == "not fluency" and "fluency" in asked):
        return apply_edits(row["source"], edits), 0
    kept = []
    for edit, gains in zip(edits, row["gains"], strict=True):
        score = {k: g + bias.get(k, 0.0) for k, g in zip(INTENTIONS, gains, strict=True)}
        top = max(score, key=score.get)
        lead = score[top] - max(score[k] for k in asked)
        if top in asked or lead <= tau:
            kept.append(edit)
    return apply_edits(row["source"], kept), len(edits) - len(kept)


def policies() -> list[tuple[str, float | None, str]]:
    named = [("served", None, "all")]
    return named + [(f"tau {t:g}, {s}", t, s) for s in SCOPES for t in TAUS]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(p)
    p.add_argument("--data", nargs="+", default=list(DATA), help="data sets (names or .jsonl)")
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "intention-filter")
    p.add_argument("--suffix", type=suffix, default="")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    bundle, model, tokenizer, dtype = load_served(args)
    form, bias = bundle.prompt_format, bundle.label_bias or {}
    decoder = scoring_decoder(bundle, model, tokenizer)
    results: dict[str, Any] = {}
    for name in [*args.data, "draft"]:
        path = args.work / f"{Path(name).stem}-{args.split}.json"
        examples, texts, intentions = requests(name, args.split)
        rows = cached(path, partial(served_with_gains, model, tokenizer, decoder, texts,
                                    intentions, args.batch_size, form))  # fmt: skip
        for row in rows:  # the edits rebuild the served answer
            assert apply_edits(row["source"], edits_of(row)) == row["revised"]
        outcome = {}
        for label, tau, scope in policies():
            answers = [filtered(row, bias, tau, scope) for row in rows]
            outputs = [a for a, _ in answers]
            held = sum(h for _, h in answers)
            if examples is None:
                outcome[label] = {"answer": outputs[0], "held": held}
            else:
                outcome[label] = scored(examples, outputs, held=held)
        results[name] = outcome
    report = served_record(Path(__file__).name, argv, args, dtype, bias=bias, results=results)
    stem = "intention_filter" + (f"_{args.suffix}" if args.suffix else "")
    print(write(ROOT / "benchmarks" / "results", stem, report, table(report)))
    return 0


def table(report: dict[str, Any]) -> str:
    lines = [
        *heading("Holding back edits that serve another intention than the one asked", report),
        f"| data | policy | {SCORE_COLUMNS} | edits held |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, outcome in report["results"].items():
        if name == "draft":
            continue
        for label, r in outcome.items():
            lines.append(f"| {Path(name).stem} | {label} | {score_cells(r)} | {r['held']} |")
    lines += ["", "The learner draft (fluency):", ""]
    for label, r in report["results"]["draft"].items():
        lines.append(f"- {label} ({r['held']} held): {r['answer']}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
