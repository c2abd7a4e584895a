"""The feedback loop, end to end, as an admin runs it: simulated writers revise texts
through the running app and decide every edit; the admin trains on their feedback,
activates the new adapter, and the writers go on with fresh texts; acceptance is measured
each round on held-out texts no round trained on.

For each seed and each weighting of the feedback (``--weightings``), with a fresh app
(``python app.py`` in a subprocess, local mode: the one person at this computer is the
admin; its own ITUNE_HOME and SQLite database under ``--work``, sharing only the converted
model of ``--home``; the training worker beside it):

- round 0 serves the current default (the built-in adapter);
- in each round r, first the held-out texts are revised with ``/revise_with`` naming the
  round's adapter and judged locally by the simulated writer
  (``benchmarks/simulated_writer.py``); those decisions are never sent, so the held-out
  revisions stay undecided and no export contains them. Then (before the last round) the
  writers revise ``--n-texts`` fresh texts with ``/revise`` and send each decision with
  ``/decide`` (a rejection with its reason); the admin queues a training job through the
  Admin API (``/admin_feedback_job`` plus the budget, see ``BUDGETS``), the worker trains
  it, and the admin activates the new adapter (``/admin_activate``);
- ``--rounds`` trainings, so rounds 0..R are measured.

Texts: ITERATER-sent train and ArgRewrite train (never a test split), changed by their
human revision and at most ``--max-chars`` long, pooled and shuffled with the seed; the
held-out texts come first, then each round's texts, all disjoint. Each is revised for its
gold intentions (ArgRewrite's revision purposes mapped to the app's intentions by
``training.data.ARGREWRITE_INTENTIONS``).

Feedback weightings: ``accepted`` trains on the accepted edits only (the export as the app
writes it); ``negatives`` also turns each rejected edit into a line whose target keeps the
original words (the job's ``feedback_negatives``). Both add a replay sample of the original
training data (``replay_data``, ``replay_limit``).

Budgets (``--budget``): ``small`` (the default; CPU) continues from the adapter that
served the round (the job's ``parent``: Stage I skipped, S_gen and the predictor kept) for
a few Stage-II steps on the feedback plus a replay sample; ``lean`` (CPU) does the same
with a replay sized to the feedback, a lower lr and fewer steps (see ``BUDGETS``);
``default`` trains from scratch with the default adapter's step-1 config
(``training/configs/intention-tuning-default.yaml``) on the feedback plus all of
ITERATER-sent train (a GPU host); ``smoke`` (set by ``--smoke``)
is 2 steps.

Resumable: the state of each seed x weighting (every text's result, the run queued, the
adapter activated) is written to ``--work/<budget>/seed<S>-<weighting>/state.json`` after
every text and step; running the same command again continues where it stopped.

    python benchmarks/loop.py                 # 3 seeds x 2 weightings x 3 rounds, small
    python benchmarks/loop.py --smoke         # 1 seed, 1 round, 3 + 3 texts, 2 steps
    python benchmarks/loop.py --budget lean --weightings negatives,accepted
    python benchmarks/loop.py --budget default --seeds 0   # on a GPU host
    # then every round's adapter on 150 further held-out texts (8 writers at once)
    python benchmarks/loop.py --budget lean --weightings negatives --more-held-out 150

Writes ``benchmarks/results/loop.json`` (settings, every round's figures per seed), ``loop.md``
(the tables) and ``loop.svg`` (acceptance by round, min-max over seeds); another budget
writes ``loop-<budget>.*``; a smoke run writes them under ``--work`` instead.
"""

import argparse
import datetime
import json
import os
import platform
import random
import shlex
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as app.py does, before torch loads

import yaml
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.simulated_writer import Decision, decide_edit  # noqa: E402
from itune_core.metrics import evaluate_revisions  # noqa: E402
from training.config import SETTINGS  # noqa: E402
from training.data import ARGREWRITE_INTENTIONS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
WEIGHTINGS = ("accepted", "negatives")
CORPORA = ("iterater-sent", "argrewrite")
DEFAULT_CONFIG = ROOT / "training" / "configs" / "intention-tuning-default.yaml"
# Stage-II settings of the budgets that continue from the parent adapter. ``small``: about
# 4 CPU minutes at 1.8 s a step; lr below the default's 5e-4 since it starts trained.
BUDGETS: Mapping[str, Mapping[str, Any]] = {
    "small": {
        "max_steps": 100,
        "batch_size": 8,
        "lr": 3e-4,
        "warmup_steps": 10,
        "edit_weight": 3.0,
        "max_length": 256,
        "replay_data": "iterater-sent",
        "replay_limit": 200,
    },
    # ``lean``: the replay sized to the feedback (40 lines, not 200), no extra weight on
    # edited tokens, a lower lr and half the steps, so that the feedback (rejections above
    # all) weighs more than the replay and the adapter drifts less from its parent. Tried
    # after ``small`` raised edits offered per text round by round while acceptance fell.
    "lean": {
        "max_steps": 50,
        "batch_size": 8,
        "lr": 2e-4,
        "warmup_steps": 5,
        "edit_weight": 1.0,
        "max_length": 256,
        "replay_data": "iterater-sent",
        "replay_limit": 40,
    },
    "smoke": {
        "max_steps": 2,
        "batch_size": 2,
        "max_length": 128,
        "replay_data": "iterater-sent",
        "replay_limit": 4,
    },
}
DONE = ("succeeded", "failed", "cancelled")


# --- texts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A text to revise with its human revision and the intentions to ask for."""

    source: str
    human: str
    intentions: tuple[str, ...]
    corpus: str


def app_intentions(labels: Sequence[str]) -> tuple[str, ...]:
    """A corpus example's labels as the app's intentions (ArgRewrite's mapped), in order,
    each once."""
    return tuple(dict.fromkeys(ARGREWRITE_INTENTIONS.get(label, label) for label in labels))


def load_pool(max_chars: int) -> list[Text]:
    """Every usable text of ITERATER-sent train and ArgRewrite train: changed by its human
    revision, at most ``max_chars`` long, each source once."""
    from training.data import load_dataset

    seen: set[str] = set()
    pool = []
    for corpus in CORPORA:
        for e in load_dataset(corpus, "train").examples:
            source, human = e.before.strip(), e.after.strip()
            if source == human or not source or len(source) > max_chars or source in seen:
                continue
            seen.add(source)
            pool.append(Text(source, human, app_intentions(e.labels), corpus))
    return pool


def draw(
    pool: Sequence[Text], seed: int, held_out: int, n_texts: int, rounds: int
) -> tuple[list[Text], list[list[Text]]]:
    """The held-out texts and each round's texts, disjoint, drawn with ``seed``.

    Raises:
        ValueError: the pool is too small.
    """
    order = _order(pool, seed, held_out + n_texts * rounds)
    rest = order[held_out:]
    return order[:held_out], [rest[r * n_texts : (r + 1) * n_texts] for r in range(rounds)]


def draw_more(pool: Sequence[Text], seed: int, used: int, more: int) -> list[Text]:
    """``more`` further held-out texts: those after the first ``used`` (the held-out and
    every round's texts) in the seed's order, so no round revised or trained on them."""
    return _order(pool, seed, used + more)[used:]


def _order(pool: Sequence[Text], seed: int, need: int) -> list[Text]:
    """The first ``need`` texts of the pool shuffled with ``seed``.

    Raises:
        ValueError: the pool is too small.
    """
    if need > len(pool):
        raise ValueError(f"{need} texts wanted, the pool has {len(pool)}")
    order = list(pool)
    random.Random(seed).shuffle(order)
    return order[:need]


# --- one revision, judged -----------------------------------------------------------------


def judge(text: Text, view: Mapping[str, Any]) -> list[tuple[int, Decision]]:
    """The simulated writer's decision on each edit of a revision of ``text``."""
    return [
        (
            e["position"],
            decide_edit(
                view["source"],
                e["before"],
                e["after"],
                text.human,
                span=(e["start_char_pos"], e["end_char_pos"]),
            ),
        )
        for e in view["edits"]
    ]


def record(text: Text, view: Mapping[str, Any], decisions: list[tuple[int, Decision]]) -> dict:
    """What is kept of one judged revision."""
    return {
        "source": text.source,
        "human": text.human,
        "intentions": list(text.intentions),
        "corpus": text.corpus,
        "revision_id": view["revision_id"],
        "adapter": view["adapter"],
        "revised": view["revised"],
        "edits": [
            {"before": e["before"], "after": e["after"], "intention": e["intention"]}
            | {"decision": d.decision, "reason": d.reason}
            for e, (_, d) in zip(view["edits"], decisions, strict=True)
        ],
    }


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Acceptance (accepted / offered edits, pooled), edits offered per text, SARI and GLEU
    of the revisions as offered against the human revisions, the share of texts left
    unchanged (no edit offered), and the rejections by reason."""
    edits = [e for r in records for e in r["edits"]]
    accepted = sum(e["decision"] == "accept" for e in edits)
    scores = evaluate_revisions(
        [r["source"] for r in records],
        [r["revised"] for r in records],
        [[r["human"]] for r in records],
    )
    return {
        "texts": len(records),
        "offered": len(edits),
        "accepted": accepted,
        "acceptance": accepted / len(edits) if edits else 0.0,
        "edits_per_text": len(edits) / len(records),
        "sari": scores["sari"],
        "gleu": scores["gleu"],
        "unchanged": sum(not r["edits"] for r in records) / len(records),
        "reasons": dict(Counter(e["reason"] for e in edits if e["reason"])),
    }


# --- the admin's training job -------------------------------------------------------------


def default_budget_job() -> dict[str, Any]:
    """The default adapter's config as a job's keys (those a job may give)."""
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    return {k: v for k, v in config.items() if k in SETTINGS and SETTINGS[k].job and k != "data"}


def training_job(
    base: Mapping[str, Any],
    budget: str,
    weighting: str,
    parent: str,
    seed: int,
    name: str,
) -> dict[str, Any]:
    """The job the admin queues after a round: the Admin API's feedback job (``base``)
    with the budget, the weighting and the adapter's name.

    ``small``, ``lean`` and ``smoke`` continue from ``parent`` (the adapter that served the round)
    on the feedback plus a replay sample; ``default`` trains from scratch with the default
    adapter's config on the feedback plus all of ITERATER-sent train.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    job = {**base, "data": "feedback", "seed": seed, "name": name}
    if budget == "default":
        job |= default_budget_job() | {"replay_data": "iterater-sent", "seed": seed}
    elif budget in BUDGETS:
        job |= dict(BUDGETS[budget]) | {"parent": parent}
    else:
        raise ValueError(f"budget must be small, lean, default or smoke, got {budget!r}")
    if weighting == "negatives":
        job["feedback_negatives"] = True
    return job


# --- state, resumable ---------------------------------------------------------------------


class State:
    """One seed x weighting's progress, written whole after every change."""

    def __init__(self, path: Path, settings: Mapping[str, Any]):
        self.path = path
        if path.is_file():
            self.data = json.loads(path.read_text(encoding="utf-8"))
            if self.data["settings"] != dict(settings):
                raise SystemExit(
                    f"error: {path} was started with other settings "
                    f"({self.data['settings']}); use another --work folder or delete it"
                )
        else:
            self.data = {"settings": dict(settings), "texts": None, "rounds": []}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, ensure_ascii=False) + "\n", "utf-8")
        os.replace(tmp, self.path)

    def round(self, r: int) -> dict[str, Any]:
        """Round ``r``'s record, created empty (every earlier round must exist)."""
        rounds = self.data["rounds"]
        if r == len(rounds):
            rounds.append({"round": r, "adapter": None, "held_out": [], "writing": []})
        return rounds[r]

    @property
    def finished(self) -> bool:
        rounds, total = self.data["rounds"], self.data["settings"]["rounds"]
        return len(rounds) == total + 1 and rounds[-1].get("held_out_summary") is not None


# --- aggregation and reporting (pure) -----------------------------------------------------


def aggregate(states: Sequence[Mapping[str, Any]], key: str = "held_out_summary") -> dict[str, Any]:
    """Per weighting and round: each figure's mean over seeds, acceptance's min and max and
    per seed; and per weighting whether held-out acceptance rose from round 0 to the last
    round in every seed. ``states``: finished states' data (settings + rounds); ``key``:
    which held-out set (``more_held_out_summary``: the further texts of ``--more-held-out``,
    where every round of every state has them)."""
    by_weighting: dict[str, list[Mapping[str, Any]]] = {}
    for s in states:
        by_weighting.setdefault(s["settings"]["weighting"], []).append(s)
    out: dict[str, Any] = {}
    for weighting, runs in by_weighting.items():
        runs = sorted(runs, key=lambda s: s["settings"]["seed"])
        n_rounds = min(len(s["rounds"]) for s in runs)
        rows = []
        for r in range(n_rounds):
            figures = [s["rounds"][r][key] for s in runs]
            acc = [f["acceptance"] for f in figures]
            rows.append(
                {
                    "round": r,
                    "acceptance_mean": statistics.fmean(acc),
                    "acceptance_min": min(acc),
                    "acceptance_max": max(acc),
                    "acceptance_by_seed": {
                        str(s["settings"]["seed"]): a for s, a in zip(runs, acc, strict=True)
                    },
                    **{
                        key: statistics.fmean(f[key] for f in figures)
                        for key in ("edits_per_text", "sari", "gleu", "unchanged")
                    },
                    "seeds": len(runs),
                    "texts": figures[0].get("texts"),
                }
            )
        first, last = 0, n_rounds - 1
        rose = [
            s["rounds"][last][key]["acceptance"] > s["rounds"][first][key]["acceptance"]
            for s in runs
        ]
        out[weighting] = {"rows": rows, "rose_in_every_seed": n_rounds > 1 and all(rose)}
    return out


def svg_plot(summary: Mapping[str, Any], title: str = "Held-out acceptance by round") -> str:
    """A plain line chart of acceptance (%) by round, one line per weighting (the mean over
    seeds) over a band from the lowest to the highest seed.

    Hand-written SVG rather than a plotting library: the project has none (matplotlib
    would be a large dependency for one chart) and a line chart is a few elements."""
    width, height, left, right, top, bottom = 640, 400, 60, 150, 40, 50
    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
    rows = [row for w in summary.values() for row in w["rows"]]
    lo = min((r["acceptance_min"] for r in rows), default=0.0) * 100
    hi = max((r["acceptance_max"] for r in rows), default=1.0) * 100
    lo, hi = max(0.0, (lo // 5) * 5 - 5), min(100.0, (hi // 5) * 5 + 10)
    if hi <= lo:
        hi = lo + 10
    n_rounds = max((len(w["rows"]) for w in summary.values()), default=1)
    span_x = max(n_rounds - 1, 1)

    def x(r: float) -> float:
        return left + (width - left - right) * r / span_x

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v * 100 - lo) / (hi - lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2:.0f}" y="22" text-anchor="middle" font-size="14">{title}</text>',
    ]
    step = 5 if hi - lo <= 40 else 10
    tick = lo
    while tick <= hi + 1e-9:
        ty = y(tick / 100)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">{tick:g}%</text>'
        )
        tick += step
    for r in range(n_rounds):
        parts.append(
            f'<text x="{x(r):.1f}" y="{height - bottom + 18}" text-anchor="middle">{r}</text>'
        )
    parts.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 12}" '
        'text-anchor="middle">round (0: the default adapter)</text>'
        f'<text x="16" y="{(top + height - bottom) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(top + height - bottom) / 2:.0f})">'
        "edits accepted (held-out)</text>"
    )
    for k, (weighting, w) in enumerate(summary.items()):
        colour = colours[k % len(colours)]
        pts = w["rows"]
        upper = [f"{x(p['round']):.1f},{y(p['acceptance_max']):.1f}" for p in pts]
        lower = [f"{x(p['round']):.1f},{y(p['acceptance_min']):.1f}" for p in reversed(pts)]
        parts.append(
            f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" '
            'fill-opacity="0.15" stroke="none"/>'
        )
        line = " ".join(f"{x(p['round']):.1f},{y(p['acceptance_mean']):.1f}" for p in pts)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [
            f'<circle cx="{x(p["round"]):.1f}" cy="{y(p["acceptance_mean"]):.1f}" r="3" '
            f'fill="{colour}"/>'
            for p in pts
        ]
        ly = top + 10 + 20 * k
        parts.append(
            f'<line x1="{width - right + 12}" x2="{width - right + 36}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{width - right + 42}" y="{ly + 4}">{weighting}</text>'
        )
    ly = top + 10 + 20 * len(summary)
    parts.append(f'<text x="{width - right + 12}" y="{ly + 4}" fill="#555">band: min-max</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def markdown(result: Mapping[str, Any]) -> str:
    """The results page: command, date, settings, the table per weighting and round, each
    seed's acceptance, and whether acceptance rose in every seed; the same for the further
    held-out texts where they were measured."""
    s, summary = result["settings"], result["summary"]
    lines = [
        "# Feedback loop",
        "",
        f"`{result['command']}` ({result['date']}; {result['machine']})",
        "",
        f"Budget `{s['budget']}`, {s['n_texts']} texts revised and decided per round, "
        f"{s['held_out']} held-out texts, {s['rounds']} rounds, seeds "
        f"{', '.join(map(str, s['seeds']))}. Held-out figures: acceptance (accepted / "
        "offered edits, the simulated writer judging against the human revision), edits "
        "offered per text, SARI and GLEU of the revision as offered against the human "
        "revision, texts left unchanged. Means over seeds; acceptance also min-max.",
        "",
        *_summary_tables(summary, s["seeds"]),
    ]
    job = BUDGETS.get(s["budget"])
    replay = (
        f"{job['replay_limit']} lines of {job['replay_data']} train (sampled with the seed), "
        f"{job['max_steps']} Stage-II steps at batch {job['batch_size']}, lr {job['lr']:g}, "
        f"edit weight {job.get('edit_weight', 1.0):g}, from the adapter that served the round"
        if job
        else "all of ITERATER-sent train, the default adapter's config from scratch"
    )
    lines += [
        "",
        "Each round's training data: the feedback export plus " + replay + ". `accepted`: "
        "the accepted edits only; `negatives`: also every rejected edit, as a line whose "
        "target keeps the original words.",
        "",
    ]
    lines += _feedback_lines(result.get("runs", ()))
    if result.get("unfinished"):
        lines += [
            f"**Partial:** these runs have not finished and are left out: "
            f"{', '.join(result['unfinished'])} (run the same command again to finish them).",
            "",
        ]
    lines += _verdicts(summary, "held-out acceptance")
    more = result.get("more_held_out")
    if more:
        n = next(iter(more.values()))["rows"][0]["texts"]
        lines += [
            "",
            f"## Every round's adapter on {n} further held-out texts",
            "",
            f"Measured after the loop (`--more-held-out {n}`): texts drawn after every text "
            "the rounds used, so no round revised or trained on them; revised by several "
            "writers at once with `/revise_with` and today's code, judged like the others.",
            "",
            *_summary_tables(more, s["seeds"]),
            "",
            *_verdicts(more, f"acceptance on the {n} further texts"),
        ]
    return "\n".join(lines) + "\n"


def _summary_tables(summary: Mapping[str, Any], seeds: Sequence[int]) -> list[str]:
    """The figures per weighting and round, then acceptance per seed."""
    lines = [
        "| weighting | round | acceptance (min-max) | edits / text | SARI | GLEU | unchanged |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for weighting, w in summary.items():
        for row in w["rows"]:
            lines.append(
                f"| {weighting} | {row['round']} | {100 * row['acceptance_mean']:.1f}% "
                f"({100 * row['acceptance_min']:.1f}-{100 * row['acceptance_max']:.1f}) | "
                f"{row['edits_per_text']:.2f} | {row['sari']:.2f} | {row['gleu']:.2f} | "
                f"{100 * row['unchanged']:.0f}% |"
            )
    names = [str(seed) for seed in seeds]
    lines += [
        "",
        "Acceptance per seed:",
        "",
        "| weighting | round | " + " | ".join(f"seed {k}" for k in names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for weighting, w in summary.items():
        for row in w["rows"]:
            by_seed = row["acceptance_by_seed"]
            cells = [f"{100 * by_seed[k]:.1f}%" if k in by_seed else "–" for k in names]
            lines.append(f"| {weighting} | {row['round']} | " + " | ".join(cells) + " |")
    return lines


def _verdicts(summary: Mapping[str, Any], what: str) -> list[str]:
    return [
        f"- `{weighting}`: {what} "
        f"{'rose' if w['rose_in_every_seed'] else 'did **not** rise'} from round 0 to the "
        "last round in every seed."
        for weighting, w in summary.items()
    ]


def _feedback_lines(runs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The writers' feedback per weighting and round (summed over seeds): what the next
    round's adapter trains on besides the replay sample."""
    totals: dict[tuple[str, int], dict[str, int]] = {}
    for run in runs:
        for rnd in run["rounds"]:
            counts = rnd.get("feedback")
            if counts and counts["texts"]:
                key = (run["settings"]["weighting"], rnd["round"])
                into = totals.setdefault(key, dict.fromkeys(counts, 0))
                for name, value in counts.items():
                    into[name] += value
    if not totals:
        return []
    lines = [
        "Writers' feedback per round (sums over seeds): edits offered on the round's texts,",
        "accepted and rejected; the next round's adapter trains on it.",
        "",
        "| weighting | round | texts | offered | accepted | rejected |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (weighting, r), c in sorted(totals.items()):
        lines.append(
            f"| {weighting} | {r} | {c['texts']} | {c['offered']} | {c['accepted']} | "
            f"{c['rejected']} |"
        )
    return [*lines, ""]


# --- the loop against the running app -----------------------------------------------------


class Loop:
    """One seed x weighting: a fresh app on its own home and database, driven round by
    round from ``state``."""

    def __init__(self, state: State, folder: Path, shared_home: Path, poll_s: float = 5.0):
        self.state, self.folder, self.shared_home, self.poll_s = state, folder, shared_home, poll_s
        self.app = None

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.state.data["settings"]

    def start_app(self) -> None:
        from benchmarks.load import fresh_home
        from benchmarks.serve import App

        home = self.folder / "home"
        if not home.exists():
            home = fresh_home(self.folder, self.shared_home)
        os.environ["ITUNE_WORKER"] = "1"  # the app inherits it: the worker trains the rounds
        log = self.folder / f"app-{int(time.time())}.log"
        self.app = App(home, f"sqlite:///{self.folder / 'itune.db'}", log)

    def stop_app(self) -> None:
        if self.app is not None:
            self.app.stop()
            self.app = None

    def call(self, *args: Any, api_name: str) -> Any:
        return self.app.client.predict(*args, api_name=api_name)

    def texts(self, key: str, r: int | None = None) -> list[Text]:
        stored = self.state.data["texts"][key]
        rows = stored if r is None else stored[r]
        return [Text(t["source"], t["human"], tuple(t["intentions"]), t["corpus"]) for t in rows]

    def run(self, pool_fn: Callable[[], list[Text]]) -> None:
        s = self.settings
        if self.state.data["texts"] is None:
            held, rounds = draw(pool_fn(), s["seed"], s["held_out"], s["n_texts"], s["rounds"])
            self.state.data["texts"] = {
                "held_out": [asdict(t) for t in held],
                "rounds": [[asdict(t) for t in texts] for texts in rounds],
            }
            self.state.save()
        if self.state.finished:
            return
        self.start_app()
        try:
            for r in range(s["rounds"] + 1):
                self.one_round(r)
        finally:
            self.stop_app()

    def one_round(self, r: int) -> None:
        s, rec = self.settings, self.state.round(r)
        tag = f"seed {s['seed']} {s['weighting']} round {r}"
        if rec["adapter"] is None:  # round 0: whatever serves now; later: set when activated
            rec["adapter"] = self.call(api_name="/serving")
            self.state.save()
        if rec.get("held_out_summary") is None:
            self.measure(rec, tag)
        if r == s["rounds"]:
            return
        if rec.get("writing_summary") is None:
            self.write(rec, self.texts("rounds", r), tag)
        self.train(rec, r, tag)

    def measure(self, rec: dict, tag: str) -> None:
        """Revise the held-out texts with the round's adapter; judge locally, send nothing."""
        held = self.texts("held_out")
        for text in tqdm(held[len(rec["held_out"]) :], desc=f"{tag}: held-out", unit="text"):
            adapter = rec["adapter"] or "base"
            view = self.call(text.source, list(text.intentions), adapter, api_name="/revise_with")
            rec["held_out"].append(record(text, view, judge(text, view)))
            self.state.save()
        rec["held_out_summary"] = summarize(rec["held_out"])
        self.state.save()
        hs = rec["held_out_summary"]
        tqdm.write(f"{tag}: held-out acceptance {hs['acceptance']:.3f} of {hs['offered']} edits")

    def measure_more(self, pool_fn: Callable[[], list[Text]], more: int, clients: int) -> None:
        """Every round's adapter on ``more`` further held-out texts (``draw_more``), once the
        loop has finished: revised with ``/revise_with`` by ``clients`` writers at once
        (their requests share the model's batches), judged locally, nothing sent."""
        s, data = self.settings, self.state.data
        if len(data["texts"].get("more_held_out") or []) < more:
            used = s["held_out"] + s["n_texts"] * s["rounds"]
            texts = draw_more(pool_fn(), s["seed"], used, more)
            data["texts"]["more_held_out"] = [asdict(t) for t in texts]
            self.state.save()
        texts = self.texts("more_held_out")[:more]
        todo = [
            rec
            for rec in data["rounds"]
            if rec.get("more_held_out_summary", {}).get("texts") != more
        ]
        if not todo:
            return
        from concurrent.futures import ThreadPoolExecutor

        from gradio_client import Client

        self.start_app()
        local = threading.local()

        def revise(text: Text, adapter: str) -> dict:
            if not hasattr(local, "client"):
                local.client = Client(self.app.url, verbose=False)
            view = local.client.predict(
                text.source, list(text.intentions), adapter, api_name="/revise_with"
            )
            return record(text, view, judge(text, view))

        try:
            with ThreadPoolExecutor(clients) as pool:
                for rec in todo:
                    tag = f"seed {s['seed']} {s['weighting']} round {rec['round']}"
                    done = {r["i"]: r for r in rec.setdefault("more_held_out", [])}
                    adapter = rec["adapter"] or "base"
                    left = [i for i in range(more) if i not in done]
                    jobs = {i: pool.submit(revise, texts[i], adapter) for i in left}
                    for i in tqdm(left, desc=f"{tag}: {more} more held-out", unit="text"):
                        rec["more_held_out"].append({"i": i} | jobs[i].result())
                        self.state.save()
                    mine = sorted((r for r in rec["more_held_out"] if r["i"] < more),
                                  key=lambda r: r["i"])  # fmt: skip
                    rec["more_held_out_summary"] = summarize(mine)
                    self.state.save()
                    hs = rec["more_held_out_summary"]
                    tqdm.write(
                        f"{tag}: {more} more held-out: acceptance {hs['acceptance']:.3f} "
                        f"of {hs['offered']} edits"
                    )
        finally:
            self.stop_app()

    def write(self, rec: dict, texts: list[Text], tag: str) -> None:
        """The writers revise the round's texts and send every decision."""
        for text in tqdm(texts[len(rec["writing"]) :], desc=f"{tag}: writing", unit="text"):
            view = self.call(text.source, list(text.intentions), api_name="/revise")[0]
            decisions = judge(text, view)
            for position, d in decisions:
                self.call(
                    view["revision_id"], position, d.decision, d.reason, None, api_name="/decide"
                )
            rec["writing"].append(record(text, view, decisions))
            self.state.save()
        rec["writing_summary"] = summarize(rec["writing"])
        self.state.save()

    def train(self, rec: dict, r: int, tag: str) -> None:
        """The admin's part: queue the job, wait for the worker, activate the adapter."""
        nxt = self.state.round(r + 1)
        if nxt["adapter"] is not None:
            return  # trained and activated before an interruption
        training = rec.setdefault("training", {"attempts": 0})
        if not any(
            e["decision"] == "accept"
            for earlier in self.state.data["rounds"][: r + 1]
            for text in earlier["writing"]
            for e in text["edits"]
        ):
            # Nothing accepted yet, so the export would be empty: the admin has nothing to
            # train on and the adapter serves on.
            training |= {"status": "skipped: no accepted edit yet", "adapter": rec["adapter"]}
            nxt["adapter"] = rec["adapter"]
            self.state.save()
            tqdm.write(f"{tag}: no accepted edit yet; {rec['adapter']} serves on")
            return
        run = self._trained(rec, r, training, tag)
        adapters = self.call(False, api_name="/admin_adapters")
        (adapter,) = [a for a in adapters if a["name"] == run["adapter"]]
        self.call(adapter["id"], api_name="/admin_activate")
        training |= {
            "status": run["status"],
            "adapter": adapter["name"],
            "seconds": _seconds(run["started_at"], run["finished_at"]),
            "log": [
                line for line in self._logs(run["id"]) if "exported" in line or "replay" in line
            ],
        }
        training["held_out_in_training"] = self.held_out_in_export(run["id"])
        nxt["adapter"] = adapter["name"]
        self.state.save()

    def _trained(self, rec: dict, r: int, training: dict, tag: str) -> dict:
        """The round's training run, succeeded: the one queued before an interruption if it
        still succeeds, else a new one. A run that fails (a worker killed with the session
        that ran it is marked failed when the app restarts) is queued again, twice at most.
        """
        s = self.settings
        while True:
            if training.get("run_id") is not None:
                run = self.wait(training["run_id"], tag)
                if run["status"] == "succeeded":
                    return run
                tqdm.write(f"{tag}: run {run['id']} {run['status']} ({run['error']})")
                if training["attempts"] >= 2:
                    raise SystemExit(f"error: {tag}: training failed twice; see {self.folder}")
            base = self.call(api_name="/admin_feedback_job")
            name = f"loop-s{s['seed']}-{s['weighting']}-r{r + 1}-{training['attempts']}"
            job = training_job(base, s["budget"], s["weighting"], rec["adapter"], s["seed"], name)
            run = self.call(job, api_name="/admin_start_training")
            training |= {"run_id": run["id"], "job": job, "attempts": training["attempts"] + 1}
            self.state.save()

    def held_out_in_export(self, run_id: int) -> int | None:
        """How many held-out texts are the source of a line the run trained on (the
        worker's export: feedback plus replay); None when the file is not there."""
        path = self.folder / "home" / "runs" / f"run-{run_id}-feedback.jsonl"
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as f:
            trained = {json.loads(line)["before_sent"].strip() for line in f if line.strip()}
        return sum(t.source in trained for t in self.texts("held_out"))

    def _logs(self, run_id: int) -> list[str]:
        detail = self.call(run_id, 0, api_name="/admin_run")
        return [str(entry["line"]) for entry in detail.get("logs") or []]

    def wait(self, run_id: int, tag: str) -> dict:
        bar = tqdm(desc=f"{tag}: training run {run_id}", unit="step")
        try:
            while True:
                run = self.call(run_id, 0, api_name="/admin_run")["run"]
                if run.get("total_steps"):
                    bar.total = run["total_steps"]
                bar.n = run.get("step") or 0
                bar.refresh()
                if run["status"] in DONE:
                    return run
                time.sleep(self.poll_s)
        finally:
            bar.close()


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    parse = datetime.datetime.fromisoformat
    return (parse(end) - parse(start)).total_seconds()


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", choices=("small", "lean", "default"), default="small")
    parser.add_argument("--n-texts", type=int, default=40, help="texts revised per round")
    parser.add_argument("--held-out", type=int, default=60, help="held-out texts")
    parser.add_argument(
        "--more-held-out",
        type=int,
        default=0,
        help="once a run has finished, measure every round's adapter on this many further "
        "held-out texts too (a second, larger held-out set; its own table and verdict)",
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="writers revising the further texts at once"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rounds", type=int, default=3, help="trainings (rounds 0..R measured)")
    parser.add_argument(
        "--weightings",
        default=",".join(WEIGHTINGS),
        help="comma-separated: accepted (accepted edits only), negatives (rejections too)",
    )
    parser.add_argument("--max-chars", type=int, default=300, help="longest text used")
    parser.add_argument(
        "--smoke", action="store_true", help="1 seed, 1 round, 3 + 3 texts, a 2-step budget"
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=ROOT / "runs" / "itune-home",
        help="ITUNE_HOME whose models/ holds (or will hold) the converted model",
    )
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "loop")
    parser.add_argument("--out", type=Path, default=None, help="results folder")
    parser.add_argument(
        "--report",
        action="store_true",
        help="write the results from the runs finished so far, run nothing (partial while "
        "a run goes on or after an interruption)",
    )
    args = parser.parse_args(argv)
    args.weightings = [w.strip() for w in args.weightings.split(",") if w.strip()]
    unknown = sorted(set(args.weightings) - set(WEIGHTINGS))
    if unknown or not args.weightings:
        parser.error(f"--weightings: choose from {', '.join(WEIGHTINGS)}")
    if args.smoke:
        args.budget, args.seeds, args.rounds, args.n_texts, args.held_out = "smoke", [0], 1, 3, 3
    if args.out is None:
        args.out = args.work / "smoke" if args.smoke else RESULTS
    return args


def feedback_counts(round_record: Mapping[str, Any]) -> dict[str, int]:
    """What the writers gave in one round: edits offered on the round's texts, and how many
    they accepted and rejected (the feedback the next adapter trains on)."""
    decisions = [e["decision"] for text in round_record.get("writing", []) for e in text["edits"]]
    return {
        "texts": len(round_record.get("writing", [])),
        "offered": len(decisions),
        "accepted": decisions.count("accept"),
        "rejected": decisions.count("reject"),
    }


def more_held_out(states: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The figures on the further held-out texts, per weighting where every round of every
    seed has them for the same number of texts; None where no weighting has."""
    by_weighting: dict[str, list[Mapping[str, Any]]] = {}
    for s in states:
        by_weighting.setdefault(s["settings"]["weighting"], []).append(s)
    out: dict[str, Any] = {}
    for runs in by_weighting.values():
        sizes = {
            (rnd.get("more_held_out_summary") or {}).get("texts")
            for s in runs
            for rnd in s["rounds"]
        }
        if len(sizes) == 1 and None not in sizes:
            out |= aggregate(runs, "more_held_out_summary")
    return out or None


def results_stem(budget: str) -> str:
    """The results files' name: ``loop`` for the ``small`` budget (the table in docs/benchmarks.md),
    ``loop-<budget>`` for the others, so that one budget's run never overwrites another's."""
    return "loop" if budget in ("small", "smoke") else f"loop-{budget}"


def write_results(
    args: argparse.Namespace,
    states: list[Mapping[str, Any]],
    argv,
    unfinished: Sequence[str] = (),
) -> dict:
    command = "python benchmarks/loop.py " + shlex.join(argv)
    result = {
        "command": command.strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "settings": {
            "budget": args.budget,
            "n_texts": args.n_texts,
            "held_out": args.held_out,
            "rounds": args.rounds,
            "seeds": args.seeds,
            "weightings": args.weightings,
            "max_chars": args.max_chars,
        },
        "summary": aggregate(states),
        "more_held_out": more_held_out(states),
        "unfinished": list(unfinished),
        "runs": [
            {
                "settings": s["settings"],
                "rounds": [
                    {
                        k: v
                        for k, v in rnd.items()
                        if k not in ("held_out", "writing", "more_held_out")
                    }
                    | {"feedback": feedback_counts(rnd)}
                    for rnd in s["rounds"]
                ],
            }
            for s in states
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = results_stem(args.budget)
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md = markdown(result)
    (args.out / f"{stem}.md").write_text(md, encoding="utf-8")
    title = f"Held-out acceptance by round (budget {args.budget})"
    (args.out / f"{stem}.svg").write_text(svg_plot(result["summary"], title), encoding="utf-8")
    print("\n" + md)
    return result


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    from itune_core.model import resolve_model_source

    if not args.report:
        resolve_model_source(None, args.home / "models")  # converts the embedded model once
    pool: list[Text] = []

    def pool_fn() -> list[Text]:
        if not pool:
            pool.extend(load_pool(args.max_chars))
        return pool

    states, unfinished = [], []
    for seed in args.seeds:
        for weighting in args.weightings:
            folder = args.work / args.budget / f"seed{seed}-{weighting}"
            settings = {
                "seed": seed,
                "weighting": weighting,
                "budget": args.budget,
                "n_texts": args.n_texts,
                "held_out": args.held_out,
                "rounds": args.rounds,
                "max_chars": args.max_chars,
            }
            state = State(folder / "state.json", settings)
            if args.report and not state.finished:
                unfinished.append(f"seed {seed} {weighting}")
                continue
            if not args.report:
                loop = Loop(state, folder, args.home)
                loop.run(pool_fn)
                if args.more_held_out:
                    loop.measure_more(pool_fn, args.more_held_out, args.clients)
            states.append(state.data)
    command = [a for a in argv if a != "--report"]
    write_results(args, states, command, unfinished)


if __name__ == "__main__":
    main()
