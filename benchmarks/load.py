"""Load: concurrent API clients on the running app, batching off and on, and two adapters
served side by side.

1. Load, side by side. ``python app.py`` in a subprocess (a fresh temporary database, no
   training worker, the converted embedded model of ``--home``) runs four times in the same
   benchmark: unbatched (``ITUNE_MAX_BATCH=1 ITUNE_PROMPT_LOOKUP=0``: one sentence at a
   time, one request at a time, one token per forward pass); unbatched with prompt lookup
   (``ITUNE_MAX_BATCH=1``, the app's default prompt lookup: each sentence drafts tokens from
   its own text for the model to check in one pass); batched without prompt lookup
   (``ITUNE_MAX_BATCH=--max-batch ITUNE_PROMPT_LOOKUP=0``: the sentences of all waiting
   requests share batches, one token per pass); and batched as served (the same, each
   sentence in the batch drafting from its own text). Each is driven by 1, 4 and 20
   (``--client-counts``) ``gradio_client`` clients at once, each revising short IteraTeR
   test sentences (at most ``--max-chars``) for their gold intention (with ``--intentions
   N``, also the N - 1 after it, so the edits are labelled: by the built-in adapter's own
   likelihood, or another adapter's predictor) through ``/revise``,
   one request after the other, for ``--seconds``. Requests started before the deadline are
   waited for. Per request: latency in the client, success or the error (kind and message; a
   full queue is a kind of its own), the revision id. Reported: throughput, median and p95
   latency, errors by kind, the ratios to unbatched, and the database check: every
   acknowledged revision is in ``revisions`` with the source, intentions, text and edits the
   client got back, and no revision is logged that no client got an answer for (beyond
   requests still in flight).
2. Adapters. Two tiny LoRA adapters are trained on the embedded model (``python -m
   training train``, 6 steps, cached in ``--adapters-dir``; delete it to retrain) on
   different intentions at high learning rates, so their outputs differ from the base
   model's and from each other's; the benchmark reports on how many sentences they do,
   since cross-talk can only show there.

   - over HTTP (the batched app): both are registered in the app's database, and while
     ``--adapter-clients``
     clients revise, the benchmark (as an admin would) activates them in turn every
     ``--flip-seconds``; each revision says which adapter made it, and its text must equal
     what that adapter gives a single user;
   - in one process: an ``AdapterPool`` over the embedded model with both attached; 2 x
     ``--adapter-sentences`` ``revise`` calls start at once from threads, the two adapters
     interleaved (so batches mix rows of both), and each result must equal the same call
     made alone.

   "Alone" is the same pool, one call at a time, after the app has stopped. A mismatch that
   equals the other adapter's output is counted as cross-talk.

With ``--rounds N`` the four modes run N times, in order and then in reverse order in
turn (ABCD DCBA ...), and each mode's figures pool its rounds (throughput: every
revision over every round's time; latencies: every request's), so a machine whose speed
drifts during the run favours no mode; each round's throughput is reported beside them.

    python benchmarks/load.py          # from the repository root; ~25 min on 2 cores (AVX2)
    python benchmarks/load.py --rounds 2 --client-counts 20    # ABCD DCBA at 20 clients
    python benchmarks/load.py --client-counts 1 4 --seconds 15 --adapter-sentences 3 \
        --out /tmp/x

Writes ``benchmarks/results/load.json`` (settings, machine, figures, every request) and
``load.md`` (the tables) and prints the tables.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# run as a script: the project's packages sit one level up
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from services import openmp  # noqa: F401  before torch loads, as app.py does

# isort: split

import sqlalchemy as sa
import torch
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError

ROOT = Path(__file__).resolve().parents[1]

from benchmarks.record import cpu_description, now  # noqa: E402
from benchmarks.serve import App  # noqa: E402
from itune_core.adapters import check_adapter_dir  # noqa: E402
from itune_core.errors import ModelLoadError  # noqa: E402
from itune_core.intentions import INTENTIONS, parse_intentions  # noqa: E402
from itune_core.model import (  # noqa: E402
    default_device,
    default_dtype,
    load_model,
    resolve_model_source,
)
from itune_core.serving import AdapterPool  # noqa: E402
from storage.models import RevisionRow  # noqa: E402
from storage.registry import Registry  # noqa: E402
from storage.store import Store  # noqa: E402
from training.data import load_iterater_sent  # noqa: E402
from training.worker import adapter_from_output  # noqa: E402

# (registry name, intention of its training data, learning rate, seed): rates far above
# the usual 2e-4, so that 6 steps move the outputs away from the base model's.
ADAPTERS = (("load-a", "fluency", 1e-2, 1), ("load-b", "clarity", 5e-3, 2))
TRAIN_EXAMPLES = 16
QUEUE_FULL = "queue full"
CLIENT_TIMEOUT = "client timeout"


def load_sentences(max_chars: int) -> list[tuple[str, str]]:
    """(sentence, gold intention) of the IteraTeR sentence test split, short ones only;
    each pair once (the split repeats some)."""
    pairs = [(e.before, e.labels[0]) for e in load_iterater_sent("test").examples]
    return [pair for pair in dict.fromkeys(pairs) if len(pair[0]) <= max_chars]


def ensure_adapters(folder: Path, home: Path, steps: int) -> dict[str, dict]:
    """Train the benchmark's two adapters unless ``folder`` holds them already."""
    out = {}
    for name, label, lr, seed in ADAPTERS:
        path = folder / name
        info = {"path": str(path.resolve()), "intention": label, "lr": lr, "steps": steps}
        try:
            check_adapter_dir(path)
            out[name] = info | {"trained_s": None}  # cached by an earlier run
            continue
        except ModelLoadError:
            pass
        data = folder / f"{name}.jsonl"
        folder.mkdir(parents=True, exist_ok=True)
        examples = [
            e
            for e in load_iterater_sent("train").examples
            if e.labels == (label,) and len(e.before) <= 150
        ][:TRAIN_EXAMPLES]
        data.write_text(
            "".join(
                json.dumps({"before_sent": e.before, "after_sent": e.after, "labels": [label]})
                + "\n"
                for e in examples
            )
        )
        command = [
            sys.executable, "-m", "training", "train", "--method", "lora",
            "--data", str(data), "--output", str(path), "--overwrite",
            "--max-steps", str(steps), "--lr", str(lr), "--seed", str(seed),
            "--batch-size", "2", "--max-length", "128", "--home", str(home),
        ]  # fmt: skip
        print(f"training adapter {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True)
        out[name] = info | {"trained_s": time.perf_counter() - started}
    return out


def error_kind(err: BaseException) -> tuple[str, str]:
    """(kind, message) of a failed request, as the client saw it."""
    if isinstance(err, QueueError):
        return QUEUE_FULL, str(err)
    if isinstance(err, AppError):
        return "app error", str(err.message)
    if isinstance(err, TimeoutError):
        return CLIENT_TIMEOUT, "no answer within --request-timeout"
    return type(err).__name__, str(err)


def asked_intentions(label: str, count: int) -> tuple[str, ...]:
    """The intentions a request asks for: the sentence's gold one and the ``count`` - 1
    after it in the app's order (wrapping round), in the app's order."""
    first = INTENTIONS.index(label)
    return parse_intentions([INTENTIONS[(first + k) % len(INTENTIONS)] for k in range(count)])


def run_clients(
    url: str,
    sentences: list[tuple[str, str]],
    clients: int,
    seconds: float,
    request_timeout: float,
    intentions: int = 1,
) -> list[dict]:
    """``clients`` threads, each its own ``gradio_client`` session, revising one sentence
    after another until ``seconds`` have passed, each for ``asked_intentions`` of its gold
    intention. Returns one record per request (``start`` and ``end`` in seconds from the
    phase's start)."""
    records: list[dict] = []
    lock = threading.Lock()
    t0 = time.perf_counter()
    deadline = t0 + seconds

    def loop(k: int) -> None:
        client = None
        n = 0
        while time.perf_counter() < deadline:
            index = (k * 7 + n) % len(sentences)  # clients start at different sentences
            text, label = sentences[index]
            started = time.perf_counter()
            asked = asked_intentions(label, intentions)
            record = {"client": k, "sentence": index, "intentions": list(asked)}
            try:
                if client is None:
                    client = Client(url, verbose=False, analytics_enabled=False)
                job = client.submit(text, list(asked), api_name="/revise")
                view = job.result(timeout=request_timeout)[0]
                record |= {
                    "ok": True,
                    "revision_id": view["revision_id"],
                    "adapter": view["adapter"],
                    "revised": view["revised"],
                    "edits": [[e["before"], e["after"]] for e in view["edits"]],
                }
            # Every failure is a figure of the benchmark, whatever it is: counted by kind,
            # never allowed to stop the client.
            except Exception as err:
                kind, message = error_kind(err)
                record |= {"ok": False, "error": kind, "message": message[:300]}
            ended = time.perf_counter()
            record |= {"start": started - t0, "end": ended - t0, "seconds": ended - started}
            with lock:
                records.append(record)
            n += 1
            if not record["ok"] and record["error"] != CLIENT_TIMEOUT:
                time.sleep(1.0)  # a refused client waits before it asks again, as a person would
        if client is not None:
            client.close()

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(records, key=lambda r: r["start"])


def summarize_requests(records: list[dict], seconds: float) -> dict:
    """Throughput, latency and errors of one phase's requests."""
    ok = [r for r in records if r["ok"]]
    secs = sorted(r["seconds"] for r in ok)
    errors: dict[str, int] = {}
    messages: dict[str, list[str]] = {}
    for r in records:
        if not r["ok"]:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
            seen = messages.setdefault(r["error"], [])
            if r["message"] not in seen and len(seen) < 5:
                seen.append(r["message"])
    last = max((r["end"] for r in records), default=0.0)
    per_client: dict[int, int] = {}
    for r in ok:
        per_client[r["client"]] = per_client.get(r["client"], 0) + 1
    return {
        "requests": len(records),
        "succeeded": len(ok),
        "succeeded_in_window": sum(r["end"] <= seconds for r in ok),
        "wall_s": last,
        "throughput_per_s": len(ok) / last if last else 0.0,
        "median_s": statistics.median(secs) if secs else None,
        "p95_s": statistics.quantiles(secs, n=20, method="inclusive")[18]
        if len(secs) > 1
        else None,
        "max_s": secs[-1] if secs else None,
        "per_client_min_max": [
            min(per_client.values(), default=0),
            max(per_client.values(), default=0),
        ],
        "errors": errors,
        "error_messages": messages,
    }


def last_revision_id(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.max(RevisionRow.id))) or 0


def check_logged(
    store: Store, sentences: list[tuple[str, str]], records: list[dict], after: int
) -> dict:
    """Whether the database holds exactly what the clients were told: every acknowledged
    revision with the request's source and intentions and the returned text, adapter and
    edits; and no revision (id above ``after``) that no client got an answer for, beyond
    the requests still unanswered."""
    ok = [r for r in records if r["ok"]]
    with store.engine.connect() as connection:
        logged = set(connection.scalars(sa.select(RevisionRow.id).where(RevisionRow.id > after)))
    missing, different = [], []
    for r in ok:
        if r["revision_id"] not in logged:
            missing.append(r["revision_id"])
            continue
        stored = store.get_revision(r["revision_id"])
        text, label = sentences[r["sentence"]]
        same = (
            stored.source == text
            and stored.intentions == tuple(r.get("intentions", [label]))
            and stored.revised == r["revised"]
            and stored.adapter == r["adapter"]
            and [[e.before, e.after] for e in stored.edits] == r["edits"]
        )
        if not same:
            different.append(r["revision_id"])
    unanswered = sum(not r["ok"] and r["error"] == CLIENT_TIMEOUT for r in records)
    orphans = sorted(logged - {r["revision_id"] for r in ok})
    return {
        "acknowledged": len(ok),
        "logged": len(logged),
        "missing": missing,
        "different": different,
        "orphans": orphans,
        "unanswered": unanswered,
        "passed": not missing and not different and len(orphans) <= unanswered,
    }


def flip_adapters(
    registry: Registry, ids: dict[str, int], every: float, stop: threading.Event, t0: float
) -> list:
    """Activate the adapters in turn every ``every`` seconds until ``stop``; returns
    (seconds since t0, name) of each activation."""
    flips = []
    names = list(ids)
    k = 1  # the first adapter was activated before the clients started
    while not stop.wait(every):
        name = names[k % len(names)]
        registry.activate(ids[name], by_user="load-benchmark")
        flips.append((time.perf_counter() - t0, name))
        k += 1
    return flips


def revise_alone(pool: AdapterPool, sentences, names) -> dict[tuple[int, str | None], str]:
    """What each adapter (None: the base model) makes of each sentence, one call at a time."""
    return {
        (i, name): pool.reviser_for(name).revise(text, [label]).revised
        for name in names
        for i, (text, label) in enumerate(sentences)
    }


def revise_together(pool: AdapterPool, sentences, names) -> list[dict]:
    """Every (sentence, adapter) call at once from its own thread, the adapters interleaved."""
    calls = [(i, name) for i in range(len(sentences)) for name in names]
    barrier = threading.Barrier(len(calls))

    def call(i: int, name: str) -> dict:
        text, label = sentences[i]
        reviser = pool.reviser_for(name)
        barrier.wait()  # all start together
        revision = reviser.revise(text, [label])
        return {
            "sentence": i,
            "adapter": name,
            "made_by": revision.adapter,
            "revised": revision.revised,
        }

    with ThreadPoolExecutor(max_workers=len(calls)) as executor:
        return list(executor.map(lambda c: call(*c), calls))


def compare(results: list[dict], alone: dict, names: tuple[str, str]) -> dict:
    """Results against the same call made alone: mismatches, and those that are the other
    adapter's output (cross-talk)."""
    mismatches, crosstalk = [], []
    for r in results:
        if r["adapter"] not in names:  # made by neither (e.g. the base model): a mismatch
            mismatches.append(r)
            continue
        own = alone[(r["sentence"], r["adapter"])]
        other = alone[(r["sentence"], names[1 - names.index(r["adapter"])])]
        if r["revised"] != own or r.get("made_by", r["adapter"]) != r["adapter"]:
            mismatches.append(r)
            if r["revised"] == other != own:
                crosstalk.append(r)
    return {
        "calls": len(results),
        "per_adapter": {n: sum(r["adapter"] == n for r in results) for n in names},
        "mismatches": len(mismatches),
        "crosstalk": len(crosstalk),
        "mismatched": mismatches,
    }


def distinguishable(alone: dict, n: int, names: tuple[str, str]) -> dict:
    """On how many sentences the outputs differ: A vs B (where cross-talk would show), each
    adapter vs the base model."""
    a, b = names
    return {
        f"{a}_vs_{b}": sum(alone[(i, a)] != alone[(i, b)] for i in range(n)),
        f"{a}_vs_base": sum(alone[(i, a)] != alone[(i, None)] for i in range(n)),
        f"{b}_vs_base": sum(alone[(i, b)] != alone[(i, None)] for i in range(n)),
        "sentences": n,
    }


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# mode -> the app's settings for it (ITUNE_MAX_BATCH None: --max-batch; unset: the default)
MODES = {
    "unbatched": {"ITUNE_MAX_BATCH": 1, "ITUNE_PROMPT_LOOKUP": 0},
    "unbatched, prompt lookup": {"ITUNE_MAX_BATCH": 1},
    "batched, no lookup": {"ITUNE_MAX_BATCH": None, "ITUNE_PROMPT_LOOKUP": 0},
    "batched": {"ITUNE_MAX_BATCH": None},
}


def load_table(record: dict) -> list[str]:
    """The load phases side by side: per client count, each mode's figures and the ratios."""
    s, load = record["settings"], record["load"]
    lines = [
        f"**Load**: {s['seconds']:g} s of `/revise` per phase; unbatched "
        "(`ITUNE_MAX_BATCH=1 ITUNE_PROMPT_LOOKUP=0`: one token per pass), unbatched with "
        "the default prompt lookup (`ITUNE_MAX_BATCH=1`), batched without it "
        f"(`ITUNE_MAX_BATCH={s['max_batch']} ITUNE_PROMPT_LOOKUP=0`) and batched as served "
        f"(`ITUNE_MAX_BATCH={s['max_batch']}`: every sentence in a batch drafts from its own "
        "text), the same app in the same run. Each request asks for its sentence's gold "
        "intention"
        + (
            f" and the {s['intentions'] - 1} after it in the app's order, so its edits are "
            "labelled (the built-in adapter's by its own likelihood, another's by its "
            "predictor)"
            if s.get("intentions", 1) > 1
            else " (its edits carry it; the predictor is not asked)"
        )
        + "."
        + (
            f" The modes ran {s['rounds']} times, in order and then reversed in turn; each "
            "row pools its rounds."
            if s.get("rounds", 1) > 1
            else ""
        ),
        "",
        "| clients | mode | revisions/s | median latency (s) | p95 latency (s) | "
        "succeeded / requests | errors | logged as acknowledged | orphans (in flight) |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for clients in s["client_counts"]:
        for mode in MODES:
            if mode not in load:  # a record from before this mode existed
                continue
            phase = load[mode][str(clients)]
            summary, logged = phase["summary"], phase["logged"]
            errors = ", ".join(f"{k}: {v}" for k, v in summary["errors"].items()) or "none"
            good = summary["succeeded"] - len(logged["missing"]) - len(logged["different"])
            lines.append(
                f"| {clients} | {mode} | {summary['throughput_per_s']:.3f} | "
                f"{fmt(summary['median_s'], 1)} | {fmt(summary['p95_s'], 1)} | "
                f"{summary['succeeded']} / {summary['requests']} | {errors} | "
                f"{good}/{logged['acknowledged']} | "
                f"{len(logged['orphans'])} ({logged['unanswered']}) |"
            )
    by_round = s.get("rounds", 1) > 1
    lines += [
        "",
        "| clients | against unbatched | throughput | median latency |"
        + (" throughput, round by round |" if by_round else ""),
        "|---:|---|---:|---:|" + ("---:|" if by_round else ""),
    ]
    for clients in s["client_counts"]:
        off = load["unbatched"][str(clients)]["summary"]
        for mode in [m for m in MODES if m != "unbatched" and m in load]:
            on = load[mode][str(clients)]["summary"]
            speed = (
                on["throughput_per_s"] / off["throughput_per_s"]
                if off["throughput_per_s"]
                else None
            )
            latency = (
                on["median_s"] / off["median_s"] if on["median_s"] and off["median_s"] else None
            )
            line = f"| {clients} | {mode} | {fmt(speed)}× | {fmt(latency)}× |"
            if by_round:
                pairs = zip(on["round_throughputs"], off["round_throughputs"], strict=True)
                line += " " + ", ".join(f"{fmt(a / b if b else None)}×" for a, b in pairs) + " |"
            lines.append(line)
    lines += ["", f"Tracebacks in the apps' logs: {record['app']['tracebacks']}."]
    return lines


def tables(record: dict) -> str:
    s = record["settings"]
    lines = load_table(record)
    http, inproc, dist = (
        record["adapters_http"],
        record["adapters_inprocess"],
        record["distinguishable"],
    )
    a, b = record["adapter_names"]
    flips = len(record["adapters_http"]["flips"])
    per = http["per_adapter"]
    lines += [
        "",
        f"**Adapters** `{a}` and `{b}` (LoRA, {s['adapter_steps']} steps) on "
        f"{dist['sentences']} sentences: "
        f"their outputs differ from each other on {dist[f'{a}_vs_{b}']}, from the base model "
        f"on {dist[f'{a}_vs_base']} and {dist[f'{b}_vs_base']}.",
        "",
        "| check | calls | mismatches vs. alone | cross-talk (= the other adapter's output) |",
        "|---|---:|---:|---:|",
        f"| HTTP: {s['adapter_clients']} clients × {s['adapter_seconds']:g} s, active adapter "
        f"flipped {flips}× (every {s['flip_seconds']:g} s) "
        f"(results: {per[a]} `{a}`, {per[b]} `{b}`) | {http['calls']} "
        f"| **{http['mismatches']}** | **{http['crosstalk']}** |",
        f"| in-process: {inproc['calls']} concurrent `revise` calls, adapters interleaved "
        f"| {inproc['calls']} | **{inproc['mismatches']}** | **{inproc['crosstalk']}** |",
    ]
    logged = record["adapters_http_logged"]
    lines += [
        "",
        f"HTTP results logged as returned (with the adapter's name): "
        f"{logged['acknowledged'] - len(logged['missing']) - len(logged['different'])}"
        f"/{logged['acknowledged']}; logged revisions no client got: {len(logged['orphans'])}."
        ' "Alone": one call at a time on an `AdapterPool` in the benchmark\'s process.',
    ]
    return "\n".join(lines)


def markdown(record: dict) -> str:
    """The results page: what was run, where, and the tables."""
    machine = record["machine"]
    load = [round(v[0], 1) for v in machine["loadavg_1_5_15"].values()]
    return (
        f"# Load\n\n`{record['command']}` — {record['date']}; {machine['platform']}, "
        f"{machine['cpu']}, {machine['cpu_count']} CPUs, torch {machine['torch']}, "
        f"{machine['device']} {machine['dtype']}; 1-minute load average at the start of each "
        f"phase and at the end "
        f"{' → '.join(map(str, load))} (other jobs share the machine).\n\n" + tables(record)
    )


def app_tracebacks(log: Path) -> int:
    return log.read_text(errors="replace").count("Traceback (most recent call last)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--client-counts", type=int, nargs="+", default=[1, 4, 20], help="clients per phase"
    )
    parser.add_argument("--seconds", type=float, default=45.0, help="load phase duration")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the modes N times, reversing each time"
    )
    parser.add_argument(
        "--intentions",
        type=int,
        choices=range(1, len(INTENTIONS) + 1),
        default=1,
        help="intentions per request: the gold one and the next N-1 (default 1)",
    )
    parser.add_argument("--max-batch", type=int, default=16, help="ITUNE_MAX_BATCH when batched")
    parser.add_argument("--max-chars", type=int, default=150, help="longest sentence used")
    parser.add_argument("--request-timeout", type=float, default=900.0)
    parser.add_argument("--queue-size", type=int, help="ITUNE_QUEUE_SIZE (app default: 64)")
    parser.add_argument("--adapter-sentences", type=int, default=10)
    parser.add_argument("--adapter-clients", type=int, default=4)
    parser.add_argument("--adapter-seconds", type=float, default=40.0)
    parser.add_argument("--flip-seconds", type=float, default=5.0)
    parser.add_argument("--adapter-steps", type=int, default=6)
    parser.add_argument(
        "--home",
        type=Path,
        default=ROOT / "runs" / "itune-home",
        help="ITUNE_HOME whose models/ holds (or will hold) the converted model",
    )
    parser.add_argument("--adapters-dir", type=Path, default=ROOT / "runs" / "load-adapters")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    return parser.parse_args()


def fresh_home(tmp: Path, shared: Path) -> Path:
    """An ITUNE_HOME in ``tmp`` that shares only the converted model of ``shared``."""
    home = tmp / "home"
    home.mkdir()
    (home / "models").symlink_to((shared / "models").resolve())
    return home


def run_load(
    app: App, store: Store, sentences, mode: str, args, loadavg: dict, tag: str = ""
) -> dict:
    """One app under load from each client count in turn. Returns, per count, the summary,
    the database check and every request."""
    results = {}
    for clients in args.client_counts:
        print(f"{mode}{tag}: {clients} client(s) for {args.seconds:g} s", flush=True)
        loadavg[f"{mode}-{clients}{tag}"] = list(os.getloadavg())
        before = last_revision_id(store)
        records = run_clients(
            app.url, sentences, clients, args.seconds, args.request_timeout, args.intentions
        )
        summary = summarize_requests(records, args.seconds)
        results[str(clients)] = {
            "summary": summary,
            "logged": check_logged(store, sentences, records, before),
            "requests": records,
        }
        print(
            f"  {summary['succeeded']} revisions, {summary['throughput_per_s']:.3f}/s, "
            f"median {fmt(summary['median_s'], 1)} s",
            flush=True,
        )
    return results


def mode_order(rounds: int) -> list[tuple[int, str]]:
    """(round, mode) in the order they run: the modes in order, then reversed, in turn."""
    modes = list(MODES)
    return [(r, m) for r in range(rounds) for m in (modes if r % 2 == 0 else modes[::-1])]


def pool_rounds(phases: list[dict]) -> dict:
    """One mode's phases at one client count, over its rounds, as one phase: every request,
    the throughput of all revisions over all rounds' time, the database checks summed; each
    round's throughput kept under ``round_throughputs``."""
    if len(phases) == 1:
        return phases[0]
    records = [r for phase in phases for r in phase["requests"]]
    wall = sum(phase["summary"]["wall_s"] for phase in phases)
    summary = summarize_requests(records, 0.0) | {
        "wall_s": wall,
        "throughput_per_s": sum(p["summary"]["succeeded"] for p in phases) / wall if wall else 0.0,
        "succeeded_in_window": sum(p["summary"]["succeeded_in_window"] for p in phases),
        "round_throughputs": [p["summary"]["throughput_per_s"] for p in phases],
    }
    checks = [phase["logged"] for phase in phases]
    logged = {
        key: sum(c[key] for c in checks) for key in ("acknowledged", "logged", "unanswered")
    } | {key: [x for c in checks for x in c[key]] for key in ("missing", "different", "orphans")}
    logged["passed"] = all(c["passed"] for c in checks)
    return {"summary": summary, "logged": logged, "requests": records}


def run_adapters_http(app: App, store: Store, adapters: dict, few, args) -> tuple:
    """Clients revise while the adapters are activated in turn. Returns the requests, the
    activations and the database check."""
    names = tuple(adapters)
    registry = Registry(store.engine)
    ids = {
        name: registry.register_adapter(adapter_from_output(Path(a["path"]), name)).id
        for name, a in adapters.items()
    }
    registry.activate(ids[names[0]], by_user="load-benchmark")
    before = last_revision_id(store)
    stop = threading.Event()
    flips: list = []
    t0 = time.perf_counter()
    flipper = threading.Thread(
        target=lambda: flips.extend(flip_adapters(registry, ids, args.flip_seconds, stop, t0))
    )
    flipper.start()
    http = run_clients(
        app.url, few, args.adapter_clients, args.adapter_seconds, args.request_timeout
    )
    stop.set()
    flipper.join()
    return http, flips, check_logged(store, few, http, before)


def run_adapters_in_process(home: Path, adapters: dict, few) -> tuple:
    """Both adapters on one pool: each call alone, then all at once. Returns the answers
    alone, the results together and the loaded model."""
    print("in-process: the same calls alone, then all at once", flush=True)
    names = tuple(adapters)
    device = default_device()
    loaded = load_model(None, cache_dir=home / "models", device=device, dtype=default_dtype(device))
    pool = AdapterPool(loaded.model, loaded.tokenizer, model_name=loaded.name)
    for name, a in adapters.items():
        pool.reviser_for(name, Path(a["path"]))  # both attached before any call
    alone = revise_alone(pool, few, (None, *names))
    together = revise_together(pool, few, names)
    return alone, together, loaded


def write_results(record: dict, args, loaded, loadavg: dict) -> None:
    """Save load.json and load.md under ``--out`` and print the tables."""
    command = " ".join(["python", "benchmarks/load.py", *sys.argv[1:]])
    date = now()
    machine = {
        "platform": platform.platform(),
        "cpu": cpu_description(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": str(loaded.device),
        "dtype": str(loaded.dtype).removeprefix("torch."),
        "loadavg_1_5_15": loadavg,  # other work on the machine, at the start of each phase
    }
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    record = {"command": command, "date": date, "machine": machine, "settings": settings} | record
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(record, indent=2) + "\n")
    md = markdown(record)
    (args.out / "load.md").write_text(md + "\n")
    print("\n" + md)


def mode_env(mode: str, args) -> None:
    """Set the environment the next app inherits for ``mode``."""
    os.environ.pop("ITUNE_PROMPT_LOOKUP", None)
    for name, value in MODES[mode].items():
        os.environ[name] = str(args.max_batch if value is None else value)


def main() -> None:
    args = parse_args()
    sentences = load_sentences(args.max_chars)
    few = sentences[: args.adapter_sentences]
    loadavg: dict[str, list[float]] = {"start": list(os.getloadavg())}
    resolve_model_source(None, args.home / "models")  # converts the embedded model once
    adapters = ensure_adapters(args.adapters_dir, args.home, args.adapter_steps)
    names = tuple(adapters)

    tmp = Path(tempfile.mkdtemp(prefix="itune-load-bench-"))
    home = fresh_home(tmp, args.home)  # fresh; only the converted model is shared
    db_url = f"sqlite:///{tmp / 'itune.db'}"
    store = Store.open(db_url)
    os.environ["ITUNE_WORKER"] = "0"  # the app inherits it: no training worker
    if args.queue_size:
        os.environ["ITUNE_QUEUE_SIZE"] = str(args.queue_size)
    record: dict = {"load": {}, "app": {"tracebacks": 0}}
    rounds: dict[str, list[dict]] = {mode: [] for mode in MODES}
    app = None
    try:
        for k, (r, mode) in enumerate(order := mode_order(args.rounds)):
            mode_env(mode, args)
            tag = f" (round {r + 1})" if args.rounds > 1 else ""
            app = App(home, db_url, tmp / f"app-{mode}-{r}.log")
            record["app"][f"{mode}{tag}"] = {"page_s": app.page_s, "ready_s": app.ready_s}
            rounds[mode].append(run_load(app, store, sentences, mode, args, loadavg, tag))
            if mode != "batched" or k < len(order) - 1:  # the last app, if batched, stays up
                record["app"]["tracebacks"] += app_tracebacks(app.log)
                app.stop()
                app = None
        record["load"] = {
            mode: {
                str(c): pool_rounds([phases[str(c)] for phases in rounds[mode]])
                for c in args.client_counts
            }
            for mode in MODES
        }
        if app is None:  # the adapter phase needs a batched app
            mode_env("batched", args)
            app = App(home, db_url, tmp / "app-adapters.log")

        loadavg["adapters_http"] = list(os.getloadavg())
        http, flips, record["adapters_http_logged"] = run_adapters_http(
            app, store, adapters, few, args
        )
        record["app"]["tracebacks"] += app_tracebacks(app.log)
        app.stop()
        app = None

        loadavg["adapters_inprocess"] = list(os.getloadavg())
        alone, together, loaded = run_adapters_in_process(home, adapters, few)
        loadavg["end"] = list(os.getloadavg())
    finally:
        if app is not None:
            app.stop()
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)

    record["adapters_http"] = compare([r for r in http if r["ok"]], alone, names) | {
        "requests": summarize_requests(http, args.adapter_seconds),
        "flips": flips,
        "results": http,
    }
    record["adapters_inprocess"] = compare(together, alone, names) | {"results": together}
    record["distinguishable"] = distinguishable(alone, len(few), names)
    record["alone"] = [
        {"sentence": i, "adapter": name, "revised": text} for (i, name), text in alone.items()
    ]
    record["adapter_names"] = names
    record["adapters"] = adapters
    write_results(record, args, loaded, loadavg)


if __name__ == "__main__":
    main()
