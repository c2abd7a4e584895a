"""Which intention an edit serves: the Stage-I predictor against the adapter's own likelihood.

When a writer asks for several intentions, the app labels each edit with one of them by
the Stage-I predictor (``itune_core.labelling``). This compares that with the generation
adapter's likelihood: for a pair (before, after) and each intention k, the gain
log p(after | before, k) - log p(before | before, k) under the adapter's prompt, the
intention with the highest gain (plus a bias per intention) taken. Two calibrated
candidates are fitted on ITERATER-sent train pairs (random search, seed 0): the gain with a
bias per intention, and the predictor's log probability plus w times the gain plus a bias
per intention. Each is scored on ITERATER-sent dev and on ArgRewrite's dev essays
(``argrewrite-intentions``, whose labels no model here was trained on): accuracy,
macro-F1, and accuracy among two and among three asked intentions (how the app labels).

    python benchmarks/labelling.py              # ~40 min on two cores (bf16)
    python benchmarks/labelling.py --time       # both labellers timed side by side
    python benchmarks/labelling.py --ship       # and write the fit into the adapter
    python benchmarks/labelling.py --test       # the shipped biases, once on the test splits

Each data set's scores are kept in ``--work`` and not computed again (a stopped run
resumes). Writes ``benchmarks/results/labelling.{json,md}`` (``--test``:
``labelling_test.{json,md}``).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads (see quality.py)

import argparse
import json
import math
import random
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from benchmarks.context import DRAFT  # noqa: E402
from benchmarks.record import cpu_description, now, write  # noqa: E402
from itune_core.adapters import attach_adapter  # noqa: E402
from itune_core.bundle import LABELLING, AdapterBundle  # noqa: E402
from itune_core.decoding import Decoder  # noqa: E402
from itune_core.intentions import INTENTIONS  # noqa: E402
from itune_core.labelling import IntentionPredictor  # noqa: E402
from itune_core.metrics import accuracy_among_asked, classification_report  # noqa: E402
from itune_core.model import default_device, load_model  # noqa: E402
from storage.environment import home_folder  # noqa: E402
from training.data import load_dataset  # noqa: E402

BUILTIN = Path("adapters/itune-default")
SETS = {  # name: (data, split, how many of its examples)
    "fit": ("iterater-sent", "train", 400),
    "iterater-sent dev": ("iterater-sent", "dev", None),
    "argrewrite dev": ("argrewrite-intentions", "dev", None),
}
TEST_SETS = {  # scored once, with the adapter's shipped biases (--test)
    "iterater-sent test": ("iterater-sent", "test", None),
    "argrewrite test": ("argrewrite-intentions", "test", None),
}
DRAWS = 3000
CANDIDATES = {  # name: (gain weights drawn from, predictor weight)
    "gain + bias": ([1], 0),
    "predictor + w gain + bias": ([0.25, 0.5, 1, 2], 1),
}


def loaded_labellers(adapter: Path) -> tuple[AdapterBundle, IntentionPredictor, Decoder]:
    """The adapter's bundle, its Stage-I predictor, and a decoder of the adapter (rows
    named ``default``), each on its own copy of the base model (PEFT changes the model it
    is given), in bf16."""

    def base():
        return load_model("embedded", cache_dir=home_folder() / "models",
                          device=default_device(), dtype=torch.bfloat16)  # fmt: skip

    bundle = AdapterBundle.read(adapter)
    loaded = base()
    predictor = IntentionPredictor(
        bundle.load_predictor(loaded.model, adapter_name="predictor").eval(),
        loaded.tokenizer,
        bundle.predictor_info.labels,
    )
    loaded = base()
    model = attach_adapter(loaded.model, adapter, "default").eval()
    decoder = Decoder(model, loaded.tokenizer, cache_bytes=0)
    decoder.use_prompt_format("default", bundle.prompt_format)
    return bundle, predictor, decoder


def scores_of(adapter: Path, data: str, split: str, limit: int | None) -> list[dict[str, Any]]:
    """Per example: its label, the adapter's log-probability of its ``after`` and of its
    ``before`` under each intention's prompt, and the predictor's probabilities."""
    _, predictor, decoder = loaded_labellers(adapter)
    examples = load_dataset(data, split).examples[:limit]
    probabilities = predictor.probabilities([(e.before, e.after) for e in examples])
    rows = []
    with torch.inference_mode():
        for e, probs in zip(tqdm(examples, desc=f"{data} {split}"), probabilities, strict=True):
            jobs = [
                (decoder.row(e.before, [k], "default"), [e.after, e.before]) for k in INTENTIONS
            ]
            found = decoder.score(jobs)
            rows.append(
                {
                    "label": e.labels[0],
                    "after": [s[0] for s in found],
                    "copy": [s[1] for s in found],
                    "predictor": [probs[k] for k in INTENTIONS],
                }
            )
    return rows


def probabilities(rows, w_gain: float, w_predictor: float, bias) -> list[dict[str, float]]:
    out = []
    for r in rows:
        s = [
            w_gain * (a - c) + w_predictor * math.log(max(q, 1e-9)) + b
            for a, c, q, b in zip(r["after"], r["copy"], r["predictor"], bias, strict=True)
        ]
        top = max(s)
        e = [math.exp(x - top) for x in s]
        out.append({k: v / sum(e) for k, v in zip(INTENTIONS, e, strict=True)})
    return out


def metrics(rows, probs) -> dict[str, float]:
    truth = [r["label"] for r in rows]
    predicted = [max(p, key=p.get) for p in probs]
    report = classification_report(truth, predicted, INTENTIONS)
    return {
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "among_2": accuracy_among_asked(truth, probs, 2),
        "among_3": accuracy_among_asked(truth, probs, 3),
    }


def fit(rows) -> dict[str, dict[str, Any]]:
    """Each candidate's weights and biases with the highest sum of the accuracies among two
    and among three asked on ``rows``, by random search (seed 0)."""
    rng = random.Random(0)
    fitted = {}
    for name, (gains, w_predictor) in CANDIDATES.items():
        best = (-1.0, None)
        for _ in range(DRAWS):
            w_gain = rng.choice(gains)
            bias = [0] + [rng.uniform(-4, 4) for _ in range(len(INTENTIONS) - 1)]
            m = metrics(rows, probabilities(rows, w_gain, w_predictor, bias))
            if m["among_2"] + m["among_3"] > best[0]:
                best = (m["among_2"] + m["among_3"], (w_gain, bias))
        w_gain, bias = best[1]
        fitted[name] = {"w_gain": w_gain, "w_predictor": w_predictor,
                        "bias": dict(zip(INTENTIONS, bias, strict=True))}  # fmt: skip
    return fitted


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--adapter", type=Path, default=BUILTIN)
    p.add_argument("--work", type=Path, default=Path("runs/labelling"))
    p.add_argument(
        "--time",
        action="store_true",
        help="only time both labellers on the README's learner draft, side by side",
    )
    p.add_argument(
        "--ship",
        action="store_true",
        help="write the 'gain + bias' fit into the adapter's labelling.json (the app then "
        "labels its edits by its likelihood)",
    )
    p.add_argument(
        "--test",
        action="store_true",
        help="score the predictor and the adapter's shipped biases once on the test splits",
    )
    args = p.parse_args(argv)
    if args.time:
        return time_labellers(args.adapter)
    args.work.mkdir(parents=True, exist_ok=True)
    sets = TEST_SETS if args.test else SETS
    rows = {}
    for name, (data, split, limit) in sets.items():
        path = args.work / f"{data}-{split}.json"
        if not path.exists():
            path.write_text(json.dumps(scores_of(args.adapter, data, split, limit)))
        rows[name] = json.loads(path.read_text())
    argv_text = shlex.join(argv if argv is not None else sys.argv[1:])
    if args.test:
        return score_test(args.adapter, rows, f"python benchmarks/labelling.py {argv_text}")
    fitted = fit(rows["fit"])
    systems = {
        "Stage-I predictor (served)": (0, 1, [0] * len(INTENTIONS)),
        "gain, no bias": (1, 0, [0] * len(INTENTIONS)),
        **{
            name: (f["w_gain"], f["w_predictor"], [f["bias"][k] for k in INTENTIONS])
            for name, f in fitted.items()
        },
    }
    results = {
        name: {s: metrics(rows[s], probabilities(rows[s], *weights)) for s in SETS}
        for name, weights in systems.items()
    }
    report = {
        "command": f"python benchmarks/labelling.py {argv_text}".strip(),
        "created": now(),
        "cpu": cpu_description(),
        "adapter": str(args.adapter),
        "sets": {
            name: {"data": d, "split": s, "limit": n, "examples": len(rows[name])}
            for name, (d, s, n) in SETS.items()
        },
        "fitted": fitted,
        "results": results,
    }
    print(write(ROOT / "benchmarks" / "results", "labelling", report, table(report)))
    if args.ship:
        shipped = {
            "labeller": "likelihood gain",
            "bias": fitted["gain + bias"]["bias"],
            "fitted_on": report["sets"]["fit"],
            "command": report["command"],
            "created": report["created"],
            "results": results["gain + bias"],
        }
        (args.adapter / LABELLING).write_text(json.dumps(shipped, indent=2) + "\n")
    return 0


FIXED = (
    "There are many reasons why people like to travel. It broadens the mind and you meet a "
    "new friend. However, travel can also be expensive, and it's not always easy to plan."
)


def score_test(adapter: Path, rows: dict[str, list], command: str) -> int:
    """The served labeller (the adapter's shipped biases) and the Stage-I predictor on the
    test splits: written to ``labelling_test.{json,md}``."""
    bias = AdapterBundle.read(adapter).label_bias
    if bias is None:
        raise SystemExit(f"error: {adapter} has no {LABELLING}: run --ship first")
    systems = {
        "Stage-I predictor": (0, 1, [0] * len(INTENTIONS)),
        "gain + bias (served)": (1, 0, [bias.get(k, 0.0) for k in INTENTIONS]),
    }
    results = {
        name: {s: metrics(rows[s], probabilities(rows[s], *weights)) for s in TEST_SETS}
        for name, weights in systems.items()
    }
    report = {
        "command": command.strip(),
        "created": now(),
        "cpu": cpu_description(),
        "adapter": str(adapter),
        "sets": {
            name: {"data": d, "split": s, "examples": len(rows[name])}
            for name, (d, s, _) in TEST_SETS.items()
        },
        "bias": bias,
        "results": results,
    }
    print(write(ROOT / "benchmarks" / "results", "labelling_test", report, table(report)))
    return 0


def time_labellers(adapter: Path, repeats: int = 5) -> int:
    """Seconds to label the learner draft's edits among two asked intentions and among all
    five (Suggest), by the predictor and by the gain, taking turns; medians."""
    from itune_core.edits import compute_edits
    from itune_core.gain_labels import GainLabeller

    bundle, predictor, decoder = loaded_labellers(adapter)
    gain = GainLabeller(decoder, "default", bundle.label_bias or dict.fromkeys(INTENTIONS, 0.0))
    edits = compute_edits(DRAFT, FIXED)
    lines = [f"Labelling the learner draft's {len(edits)} edits (bf16, {cpu_description()}, "
             f"{now()}; medians of {repeats}, taking turns):", "",
             "| asked | predictor (s) | gain (s) | x |", "|---|---:|---:|---:|"]  # fmt: skip
    for among in (("clarity", "fluency"), INTENTIONS):
        seconds: dict[str, list[float]] = {"predictor": [], "gain": []}
        for _ in range(repeats):
            for name, labeller in (("predictor", predictor), ("gain", gain)):
                started = time.perf_counter()
                with torch.inference_mode():
                    labeller.label_edits(DRAFT, FIXED, edits, among)
                seconds[name].append(time.perf_counter() - started)
        a, b = (statistics.median(seconds[k]) for k in ("predictor", "gain"))
        lines.append(f"| {len(among)} | {a:.2f} | {b:.2f} | {b / a:.2f} |")
    print("\n".join(lines))
    return 0


def table(report: dict[str, Any]) -> str:
    sets = list(report["sets"])
    head = " | ".join(f"{s}: accuracy / macro-F1 / among 2 / among 3" for s in sets)
    counts = ", ".join(f"{s} {v['examples']}" for s, v in report["sets"].items())
    lines = [
        "# Labelling edits: the Stage-I predictor against the adapter's likelihood gain",
        "",
        f"`{report['command']}` ({report['created']}, {report['cpu']}, bf16; examples: {counts})",
        "",
        f"| labeller | {head} |",
        "|---|" + "---:|" * len(sets),
    ]
    for name, by_set in report["results"].items():
        cells = [
            f"{m['accuracy']:.3f} / {m['macro_f1']:.3f} / {m['among_2']:.3f} / {m['among_3']:.3f}"
            for m in (by_set[s] for s in sets)
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if "fitted" not in report:  # --test: the shipped biases
        bias = ", ".join(f"{k} {v:+.2f}" for k, v in report["bias"].items())
        return "\n".join([*lines, "", f"The adapter's shipped biases: {bias}."]) + "\n"
    lines += ["", "Fitted on the first set (weights and a bias per intention):", ""]
    for name, f in report["fitted"].items():
        bias = ", ".join(f"{k} {v:+.2f}" for k, v in f["bias"].items())
        lines.append(f"- {name}: w_gain {f['w_gain']}, w_predictor {f['w_predictor']}; {bias}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
