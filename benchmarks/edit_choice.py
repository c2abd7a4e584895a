"""Choosing among the shipped adapter's candidate answers on dev: the Stage-I predictor's
agreement with the requested intentions, reranking beam candidates, minimum Bayes risk.

The app offers the greedy answer with the edits the model is unsure of left out (margin >
0.5 nats). Two ways of choosing what to offer need no training: keeping only the edits the
predictor reads as a requested intention, and reranking candidate answers by that
agreement (or by their expected agreement with each other, MBR). Two stages:

    # dev, with the model (resumable): per piece, the greedy answer (every edit, behind the
    # fact and connector guards), each edit's margin and predictor probabilities, and the
    # answers of a 4-beam search with their log-probabilities
    python benchmarks/edit_choice.py collect --data iterater-sent learner-errors
    # no model: every policy scored from what collect wrote
    python benchmarks/edit_choice.py choose --data iterater-sent learner-errors

Results: ``benchmarks/results/edit_choice.{md,json}``; the per-piece records stay under
``--work``.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see quality.py)

import argparse
import datetime
import json
import math
import platform
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

RESULTS = ROOT / "benchmarks" / "results"
ADAPTER = ROOT / "adapters" / "itune-default"
SERVED_MARGIN = 0.5

Record = dict[str, Any]
Policy = Callable[[Record], str]


def _records_path(work: Path, data: str) -> Path:
    return work / f"{data}.json"


def _save(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(path)


def collect(
    data: str, work: Path, adapter: Path, beams: int, batch: int, limit: int | None
) -> None:
    """Write (or finish) ``work/<data>.json``: one record per dev piece."""
    import torch

    from itune_core.adapters import attach_adapter
    from itune_core.bundle import AdapterBundle
    from itune_core.confidence import edit_margins
    from itune_core.edits import compute_edits
    from itune_core.labelling import IntentionPredictor
    from itune_core.model import load_model
    from itune_core.reviser import ReviseSettings, accept_answer, settings_decoder
    from storage.environment import home_folder
    from training.data import load_dataset
    from training.generation import BatchReviser, text_spans

    path = _records_path(work, data)
    state = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    named = str(adapter.relative_to(ROOT) if adapter.is_relative_to(ROOT) else adapter)
    if state is not None and (state["adapter"], limit) != (named, state.get("limit")):
        raise SystemExit(f"error: {path} holds another adapter or --limit: remove it first")
    home, device = home_folder(), torch.device("cpu")
    loaded = load_model("embedded", cache_dir=home / "models", device=device, dtype=torch.float32)
    tokenizer = loaded.tokenizer
    model = attach_adapter(loaded.model, adapter, "candidate")
    bundle = AdapterBundle.read(adapter)
    base = load_model("embedded", cache_dir=home / "models", device=device, dtype=torch.float32)
    predictor = IntentionPredictor(
        bundle.load_predictor(base.model).eval(), tokenizer, bundle.predictor_info.labels
    )
    every = ReviseSettings(min_edit_margin=None)
    decoder = settings_decoder(model, tokenizer, ReviseSettings())  # keeps rows for scoring
    decoder.use_prompt_format("candidate", bundle.prompt_format)
    t0 = time.perf_counter()
    if state is None:
        examples = load_dataset(data, "dev").examples[:limit]
        records = [
            {"example": k, "span": [a, b], "piece": e.before[a:b], "intentions": list(e.labels)}
            for k, e in enumerate(examples)
            for a, b in text_spans(e.before, "sentence")
        ]
        order = sorted(range(len(records)), key=lambda i: len(records[i]["piece"]))
        for start in range(0, len(order), batch):
            chunk = [records[i] for i in order[start : start + batch]]
            rows = [decoder.row(r["piece"], r["intentions"], "candidate") for r in chunk]
            for r, row, decoded in zip(chunk, rows, decoder.generate(rows), strict=True):
                piece = r["piece"]
                answer = accept_answer(
                    decoded.text, piece, decoded.cut_off, r["intentions"], every
                ).text
                edits = compute_edits(piece, answer) if answer != piece else []
                scorer = decoder.scorer(row)
                r["answer"] = answer
                r["margins"] = edit_margins(piece, answer, edits, scorer) if edits else []
                r["copy_lp"], r["answer_lp"] = scorer([piece, answer])
                decoder.release(row)
                r["edit_probs"] = predictor.edit_probabilities(piece, edits)
                pair = [(piece, answer)] if answer != piece else []
                r["answer_probs"] = predictor.probabilities(pair)[0] if pair else None
            print(f"{data}: greedy {start + len(chunk)}/{len(order)} pieces, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
        state = {
            "data": data,
            "adapter": named,
            "limit": limit,
            "befores": [e.before for e in examples],
            "references": [e.after for e in examples],
            "records": records,
        }
        _save(path, state)
    if not beams:
        return
    reviser = BatchReviser(model, tokenizer, every, bundle.prompt_format)
    todo = [r for r in state["records"] if "beams" not in r]
    per_call = max(1, batch // beams)
    for lines in (True, False):  # the line-break stop is per call
        group = [r for r in todo if ("\n" in r["piece"]) == lines]
        for start in range(0, len(group), per_call):
            chunk = group[start : start + per_call]
            pieces = [(r["piece"], tuple(r["intentions"])) for r in chunk]
            for r, answers in zip(chunk, reviser.beam_answers(pieces, beams), strict=True):
                texts = list(dict.fromkeys(a.revised for a in answers))
                row = decoder.row(r["piece"], r["intentions"], "candidate")
                lps = decoder.scorer(row)(texts)
                changed = [t for t in texts if t != r["piece"]]
                probs = predictor.probabilities([(r["piece"], t) for t in changed])
                by_text = dict(zip(changed, probs, strict=True))
                r["beams"] = [
                    {"text": t, "lp": lp, "probs": by_text.get(t)}
                    for t, lp in zip(texts, lps, strict=True)
                ]
            done = sum("beams" in r for r in state["records"])
            print(f"{data}: {beams} beams {done}/{len(state['records'])} pieces, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
            if (start // per_call) % 10 == 9:
                _save(path, state)
    _save(path, state)


# --- policies (no model) ---------------------------------------------------------------


def _agreement(probs: dict[str, float] | None, wanted: list[str]) -> float:
    """The predictor's probability that a change carries one of the wanted intentions."""
    return sum((probs or {}).get(w, 0.0) for w in wanted)


def keep_edits(margin: float, tau: float = 0.0, argmax: bool = False) -> Policy:
    """The greedy answer without the edits whose margin is at most ``margin`` or whose
    predictor agreement is below ``tau`` (``argmax``: whose most likely label is not a
    requested intention)."""
    from itune_core.edits import compute_edits, hold_back

    def choose(r: Record) -> str:
        if r["answer"] == r["piece"]:
            return r["piece"]
        edits = compute_edits(r["piece"], r["answer"])
        drop = {}
        for j, (m, probs) in enumerate(zip(r["margins"], r["edit_probs"], strict=True)):
            off = argmax and max(probs, key=probs.get) not in r["intentions"]
            if m <= margin or _agreement(probs, r["intentions"]) < tau or off:
                drop[j] = "left out"
        return hold_back(r["piece"], edits, drop)[0] if drop else r["answer"]

    return choose


def _candidates(r: Record) -> dict[str, tuple[float, dict[str, float] | None]]:
    """Copy, the greedy answer and the beams' answers: log-probability and predictor
    probabilities (None for the copy) of each distinct text."""
    found = {r["piece"]: (r["copy_lp"], None)}
    found.setdefault(r["answer"], (r["answer_lp"], r["answer_probs"]))
    for beam in r.get("beams") or []:
        found.setdefault(beam["text"], (beam["lp"], beam["probs"]))
    return found


def rerank(weight: float, copy_prior: float) -> Policy:
    """The candidate with the highest log p(answer) + weight * log agreement, the copy's
    agreement taken as ``copy_prior`` (weight 0: the most likely candidate)."""

    def choose(r: Record) -> str:
        def key(item: tuple[str, tuple[float, dict[str, float] | None]]) -> float:
            text, (lp, probs) = item
            agree = copy_prior if text == r["piece"] else _agreement(probs, r["intentions"])
            return lp + weight * math.log(max(agree, 1e-6))

        return max(_candidates(r).items(), key=key)[0]

    return choose


def minimum_risk(temperature: float) -> Policy:
    """Minimum Bayes risk: the candidate with the highest expected sentence SARI (the
    ITERATER variant) against the others, each weighted by its probability (softmax of
    log-probability / ``temperature`` over the candidates)."""
    from itune_core.metrics.revisions import example_statistics

    def choose(r: Record) -> str:
        found = _candidates(r)
        top = max(lp for lp, _ in found.values())
        weights = {t: math.exp((lp - top) / temperature) for t, (lp, _) in found.items()}
        total = sum(weights.values())

        def gain(text: str) -> float:
            return sum(
                w / total * (100.0 if other == text else
                             example_statistics(r["piece"], text, [other]).sari_iterater)
                for other, w in weights.items()
            )  # fmt: skip

        return max(found, key=gain)

    return choose


def score_policy(state: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """SARI (EASSE), SARI (ITERATER), GLEU and unchanged outputs of ``policy`` on the dev
    set of ``state``, each example put back together from its pieces."""
    from itune_core.metrics.revisions import example_statistics, scores_from_statistics
    from training.generation import assemble

    by_example: dict[int, list[tuple[list[int], str]]] = {}
    for r in state["records"]:
        by_example.setdefault(r["example"], []).append((r["span"], policy(r)))
    stats, unchanged = [], 0
    for k, before in enumerate(state["befores"]):
        parts = sorted(by_example.get(k, []))
        output = assemble(before, [s for s, _ in parts], [t for _, t in parts])
        unchanged += output == before
        stats.append(example_statistics(before, output, [state["references"][k]]))
    scores = scores_from_statistics(stats)
    return {
        "sari": scores["sari"],
        "sari_iterater": scores["sari_iterater"],
        "gleu": scores["gleu"],
        "unchanged": unchanged,
        "n": len(stats),
    }


def policies(with_beams: bool) -> list[tuple[str, str, Policy]]:
    """(group, name, policy) of every policy scored."""
    found: list[tuple[str, str, Policy]] = [
        ("greedy", "copy", lambda r: r["piece"]),
        ("greedy", "every edit", keep_edits(-math.inf)),
        ("greedy", f"served (margin > {SERVED_MARGIN:g})", keep_edits(SERVED_MARGIN)),
    ]
    for tau in (0.1, 0.2, 0.3, 0.5):
        found.append(("predictor", f"served, agreement >= {tau:g}", keep_edits(0.5, tau)))
    found.append(("predictor", "served, top label requested", keep_edits(0.5, argmax=True)))
    found.append(("predictor", "every edit, top label requested", keep_edits(-math.inf, 0, True)))
    if with_beams:
        found.append(("rerank", "most likely of copy, greedy, beams", rerank(0.0, 1.0)))
        for weight in (0.5, 1.0, 2.0):
            for prior in (0.1, 0.3, 0.5):
                name = f"log p + {weight:g} log agreement (copy {prior:g})"
                found.append(("rerank", name, rerank(weight, prior)))
        for temperature in (1.0, 2.0):
            found.append(("MBR", f"expected SARI, temperature {temperature:g}",
                          minimum_risk(temperature)))  # fmt: skip
    return found


def choose_stage(datasets: list[str], work: Path, argv: list[str]) -> None:
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    command = "python benchmarks/edit_choice.py " + shlex.join(argv)
    bars = _dev_bars()
    tables, rows = [], []
    for data in datasets:
        path = _records_path(work, data)
        if not path.is_file():
            raise SystemExit(f"error: {path} is missing: run `collect --data {data}` first")
        state = json.loads(path.read_text(encoding="utf-8"))
        records = state["records"]
        with_beams = all("beams" in r for r in records)
        beam_note = "" if with_beams else " (beams not collected: no rerank or MBR rows)"
        tables += [
            "",
            f"### {data} dev ({len(state['befores'])} examples, {len(records)} pieces){beam_note}",
            "",
            "| lever | policy | SARI (EASSE) | SARI (ITERATER) | GLEU | outputs = input |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for group, name, policy in policies(with_beams):
            s = score_policy(state, policy)
            rows.append({"data": data, "lever": group, "policy": name, **s})
            tables.append(
                f"| {group} | {name} | {s['sari']:.2f} | {s['sari_iterater']:.2f} | "
                f"{s['gleu']:.2f} | {s['unchanged']}/{s['n']} |"
            )
        if data in bars:
            tables += ["", f"Bars on {data} dev: " + bars[data]]
    header = [
        "# Choosing among the default adapter's candidates (dev)",
        "",
        f"`{command}` ({now}; {platform.machine()}, {os.cpu_count()} CPUs; no model runs: "
        "the records of `collect`)",
        "",
        "Every candidate is behind the fact and connector guards. *margin*: how much "
        "log-probability the greedy answer loses when one edit is undone "
        "(`itune_core/confidence.py`); *agreement*: the Stage-I predictor's probability "
        "that an edit (alone in its sentence) or a whole answer carries a requested "
        "intention; *copy p*: the agreement given to leaving the sentence as it was. "
        "Beams: one 4-beam search per piece, every edit kept.",
    ]
    text = "\n".join(header + tables) + "\n"
    record = {"command": command, "date": now, "rows": rows}
    (RESULTS / "edit_choice.json").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    (RESULTS / "edit_choice.md").write_text(text, encoding="utf-8")
    print(text)


def _dev_bars() -> dict[str, str]:
    """Zero-shot's SARI and copy's GLEU per dev set, from the compare stage's results."""
    path = RESULTS / "default_adapter_compare.json"
    if not path.is_file():
        return {}
    found: dict[str, dict[str, float]] = {}
    for row in json.loads(path.read_text(encoding="utf-8"))["rows"]:
        metric = {"zero-shot": "sari", "copy": "gleu"}.get(row["name"])
        if metric:
            found.setdefault(row["data"], {})[row["name"]] = row[metric]
    return {
        data: f"zero-shot SARI (EASSE) {v['zero-shot']:.2f}, copy GLEU {v['copy']:.2f} "
        "(`benchmarks/results/default_adapter_compare.md`)."
        for data, v in found.items()
        if {"zero-shot", "copy"} <= set(v)
    }


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "edit-choice")
    stages = parser.add_subparsers(dest="stage", required=True)
    run = stages.add_parser("collect", help="greedy answers, margins, predictor, beams (model)")
    run.add_argument("--data", nargs="+", default=["iterater-sent", "learner-errors"])
    run.add_argument("--adapter", type=Path, default=ADAPTER)
    run.add_argument("--beams", type=int, default=4, help="0: greedy records only")
    run.add_argument("--batch", type=int, default=16, help="pieces per greedy call")
    run.add_argument("--limit", type=int, default=None, help="first N dev examples (a trial)")
    pick = stages.add_parser("choose", help="score every policy from the records (no model)")
    pick.add_argument("--data", nargs="+", default=["iterater-sent", "learner-errors"])
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stage == "collect":
        if args.beams == 1 or args.beams < 0:
            parser.error("--beams must be 0 (off) or at least 2")
        for data in args.data:
            collect(data, args.work, args.adapter.resolve(), args.beams, args.batch, args.limit)
    else:
        choose_stage(args.data, args.work, argv)


if __name__ == "__main__":
    main()
