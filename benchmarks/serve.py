"""Serving speed: revising through the running app vs calling the model's ``generate``.

On the first 20 distinct sentences of the IteraTeR sentence-level test split (label not
``others``, each revised for its own label), interleaved per sentence (rotating which goes
first) so machine noise hits all three paths alike:

  direct   ``model.generate`` with the app's prompt and settings (greedy, same token
           budget, stop at a line break); no streaming, no diff, no database
  lookup   the same with transformers' prompt lookup (``ReviseSettings.prompt_lookup``
           tokens drafted from the prompt and checked in one pass, as the app's decoder
           does for every sentence with its own loop)
  reviser  ``Reviser.stream`` in this process, consumed as the app does
  app      ``/revise`` of the real app (``python app.py`` in a subprocess) over
           ``gradio_client``, latency taken in the client

It reports median and p95 latency, median tokens/s and the ratios to ``direct`` of latency
and of latency per token; the headline, the app's own overhead, is its time per token
against ``lookup``, the bare call that decodes as it does (per token: the app stops early
when the output loops).

Documents (``--paragraph-sentences``, 10): one paragraph of that many test sentences and
its first sentence alone, through the app's ``/revise`` (the paragraph's sentences are
decoded together in batches), and the paragraph's sentences in one bare batched
``generate`` call (left padded, no stops but end of turn), alternating, ``--repeats``
times: the paragraph's latency over one sentence's (target at most 2x) and the app's over
the bare batched call. Beside them, the paragraph through ``Reviser.revise`` in this
process with tense context on (the app's default, ``itune_core.context``) and off: what the
windows it decodes beside the sentences cost.

Same answers in bf16 (``--same-answers``, 100 sentences): each sentence's greedy answer
decoded alone and in batches of 16 with ``itune_core.decoding.Decoder`` in the model's
default dtype; the count that differ (in fp32 none may differ: a test checks it).

It also times the cold start (first conversion of the embedded GGUF into an empty
ITUNE_HOME, in a subprocess so imports count) and warm starts (``Popen`` to the page
answering 200, and to the first ``/revise`` returning). Targets: page in under 10 s on a
warm start; the app adds under 10 % to ``generate``.

    python benchmarks/serve.py           # from the repository root; ~10 min on 2 cores
    python benchmarks/serve.py --home /tmp/itune-home --skip-cold --repeats 2

The app inherits this process's environment, with ``ITUNE_ADAPTER=none`` unless it is set:
the app then serves the base model, as ``direct`` and ``reviser`` do (its answers still
differ from ``direct``'s where the confidence threshold leaves an edit out). app.py
lets OpenMP's threads spin for about 0.1 ms before they sleep (``GOMP_SPINCOUNT=10000``,
see app.py); this script does the same before importing torch, so both paths run under
one policy. ``OMP_WAIT_POLICY=PASSIVE python benchmarks/serve.py`` measures both without
spinning instead (the command saved with the results says which was used).

Writes ``benchmarks/results/serve.json`` (raw latencies, summary, machine) and
``serve.md`` (the table) and prints the table.
"""

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

# run as a script: the project's packages sit one level up
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from services import openmp  # noqa: F401  before torch loads, as app.py does

# isort: split

import torch
from gradio_client import Client

ROOT = Path(__file__).resolve().parents[1]

from benchmarks.record import cpu_description, now  # noqa: E402
from itune_core.context import tense_windows  # noqa: E402
from itune_core.decoding import Decoder  # noqa: E402
from itune_core.model import default_device, default_dtype, load_model  # noqa: E402
from itune_core.prompts import prompt_token_ids  # noqa: E402
from itune_core.reviser import Reviser, ReviseSettings, clean_output  # noqa: E402
from itune_core.scheduler import BatchScheduler  # noqa: E402
from itune_core.segment import split_pieces  # noqa: E402
from storage.store import Store  # noqa: E402

SPLIT = "iterater/human_sent_level/test.json"
CORPORA = [ROOT / "training" / "corpora" / SPLIT, ROOT.parent / "shared" / "data" / SPLIT]
READY_TEXT = "He go to school yesterday."
PATHS = ("direct", "lookup", "reviser", "app")
REVISERS = ("tense context on", "tense context off")  # the paragraph in this process
CONVERT = (
    "import sys; from pathlib import Path; from itune_core.model import resolve_model_source; "
    "resolve_model_source(None, Path(sys.argv[1]) / 'models')"
)


def load_sentences(n: int) -> list[tuple[str, str]]:
    """The first ``n`` (before_sent, label) rows of the test split whose label is not
    others, each sentence once: the split holds one row per human edit, so a sentence
    edited twice comes twice, and a paragraph does not repeat its sentences."""
    path = next((p for p in CORPORA if p.is_file()), None)
    if path is None:
        sys.exit(f"error: IteraTeR test split not found at {' or '.join(map(str, CORPORA))}")
    rows, seen = [], set()
    with path.open() as f:
        for line in f:
            row = json.loads(line)
            if row["labels"] != "others" and row["before_sent"] not in seen:
                seen.add(row["before_sent"])
                rows.append((row["before_sent"], row["labels"]))
            if len(rows) == n:
                break
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """``python app.py`` in a subprocess; records its warm-start times."""

    def __init__(self, home: Path, db_url: str, log: Path):
        self.url = f"http://127.0.0.1:{free_port()}/"
        env = {
            **os.environ,
            "ITUNE_HOME": str(home),
            "ITUNE_DB_URL": db_url,
            "GRADIO_SERVER_PORT": self.url.rsplit(":", 1)[1].strip("/"),
            "GRADIO_ANALYTICS_ENABLED": "False",  # no network calls from the server
        }
        self.log, self.log_file, self.client = log, log.open("w"), None
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_for_page(started + 120)
        self.page_s = time.perf_counter() - started
        self.client = Client(self.url, verbose=False)
        self.client.predict(READY_TEXT, ["fluency"], api_name="/revise")  # waits for the model
        self.ready_s = time.perf_counter() - started

    def _wait_for_page(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"error: the app exited; its log:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        sys.exit(f"error: no page at {self.url} after 120 s; log in {self.log}")

    def revise(self, text: str, label: str) -> tuple[int, str]:
        view = self.client.predict(text, [label], api_name="/revise")[0]
        self.server_s = view["latency_ms"] / 1000  # Reviser.stream's own time in the app
        return view["generated_tokens"], view["revised"].strip()

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


def direct_generate(
    loaded, text: str, label: str, settings: ReviseSettings, lookup: int = 0
) -> tuple[int, str]:
    """One bare ``generate`` on the prompt and token budget the app's decoder uses, with
    ``lookup`` tokens of prompt lookup (0: one token per pass). Returns the tokens up to
    the line break that stopped it (a step of prompt lookup may run past it) and the text."""
    tok, piece = loaded.tokenizer, text.strip()  # the app revises the piece, unpadded
    input_ids = torch.tensor([prompt_token_ids(tok, piece, (label,))], device=loaded.device)
    piece_tokens = len(tok(piece, add_special_tokens=False)["input_ids"])
    budget = min(settings.max_new_tokens, int(settings.length_factor * piece_tokens) + 16)
    prompt_len = input_ids.shape[1]
    with torch.inference_mode():
        out = loaded.model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=budget,
            do_sample=False,
            stop_strings=["\n"],
            tokenizer=tok,
            pad_token_id=tok.pad_token_id,
            **({"prompt_lookup_num_tokens": lookup} if lookup else {}),
        )
    ids = out[0, prompt_len:].tolist()
    ends = [k + 1 for k, i in enumerate(ids) if "\n" in tok.decode([i])]
    ids = ids[: ends[0]] if ends else ids
    return len(ids), tok.decode(ids, skip_special_tokens=True)


def bare_batched_generate(loaded, pieces: list[str], label: str, settings) -> int:
    """The pieces in one bare ``generate`` call (left padded; each row ends at its end of
    turn, the call at the longest budget); returns the tokens generated."""
    tok = loaded.tokenizer
    prompts = [prompt_token_ids(tok, piece, (label,)) for piece in pieces]
    width = max(map(len, prompts))
    ids = torch.full((len(prompts), width), tok.pad_token_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt) :] = torch.tensor(prompt)
        mask[row, width - len(prompt) :] = 1
    budget = max(
        min(settings.max_new_tokens, int(settings.length_factor * len(tok(p)["input_ids"])) + 16)
        for p in pieces
    )
    with torch.inference_mode():
        out = loaded.model.generate(
            input_ids=ids.to(loaded.device),
            attention_mask=mask.to(loaded.device),
            max_new_tokens=budget,
            do_sample=False,
            pad_token_id=tok.pad_token_id,
        )
    return int((out[:, width:] != tok.pad_token_id).sum())


def documents(app, loaded, sentences, repeats: int, settings, revisers: dict) -> dict:
    """A paragraph of ``sentences`` against its first sentence, through the app, the
    paragraph in one bare batched ``generate``, and through each of ``revisers`` (by name)
    in this process; alternating, ``repeats`` times."""
    label = sentences[0][1]
    pieces = [text.strip() for text, _ in sentences]
    paragraph, one = " ".join(pieces), pieces[0]
    calls = {
        "one sentence": lambda: app.revise(one, label),
        "paragraph": lambda: app.revise(paragraph, label),
        "bare batched": lambda: bare_batched_generate(loaded, pieces, label, settings),
        **{
            name: (lambda r=reviser: r.revise(paragraph, [label]))
            for name, reviser in revisers.items()
        },
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for rep in range(repeats):
        shift = rep % len(calls)
        order = list(calls)[shift:] + list(calls)[:shift]
        for name in order:
            started = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - started)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    return {
        "sentences": len(pieces),
        "times": times,
        "median_s": med,
        "paragraph_over_sentence": med["paragraph"] / med["one sentence"],
        "app_over_bare_batched": med["paragraph"] / med["bare batched"],
        "windows": len(tense_windows(paragraph, split_pieces(paragraph))),
    }


def same_answers(loaded, sentences, settings) -> dict:
    """How many sentences' greedy answers differ decoded alone and in batches of 16."""
    decoder = Decoder(loaded.model, loaded.tokenizer, cache_bytes=0)
    alone, batched = BatchScheduler(decoder, max_rows=1), BatchScheduler(decoder, max_rows=16)
    rows = [decoder.row(text.strip(), (label,)) for text, label in sentences]
    one = dict(alone.decode(rows))
    many = dict(batched.decode(rows))
    differ = [k for k in range(len(rows)) if one[k].text != many[k].text]
    return {
        "sentences": len(rows),
        "differ": len(differ),
        "dtype": str(loaded.dtype).removeprefix("torch."),
        "examples": [{"alone": one[k].text, "batched": many[k].text} for k in differ[:5]],
    }


def summarize(runs: dict[str, list[dict]]) -> dict:
    """Medians and p95 per path; app and reviser against direct, paired per measurement."""
    out = {}
    for path, rs in runs.items():
        secs = [r["seconds"] for r in rs]
        out[path] = {
            "median_s": statistics.median(secs),
            "p95_s": statistics.quantiles(secs, n=20, method="inclusive")[18],
            "median_tokens_per_s": statistics.median(r["tokens"] / r["seconds"] for r in rs),
            "median_tokens": statistics.median(r["tokens"] for r in rs),
        }
        if path == "direct":
            continue
        pairs = list(zip(rs, runs["direct"], strict=True))
        out[path] |= {
            "ratio_of_median_latency": out[path]["median_s"] / out["direct"]["median_s"],
            "ratio_latency": statistics.median(a["seconds"] / d["seconds"] for a, d in pairs),
            "ratio_per_token": statistics.median(
                (a["seconds"] / a["tokens"]) / (d["seconds"] / d["tokens"]) for a, d in pairs
            ),
            "same_text": sum(a["text"] == d["text"] for a, d in pairs),
            "ratio_per_token_vs_lookup": statistics.median(
                (a["seconds"] / a["tokens"]) / (d["seconds"] / d["tokens"])
                for a, d in zip(rs, runs["lookup"], strict=True)
            ),
            "same_tokens": sum(a["tokens"] == d["tokens"] for a, d in pairs),
        }
    return out


def table(summary: dict, starts: dict, n: int) -> str:
    names = {
        "direct": "`model.generate`",
        "lookup": "`model.generate`, prompt lookup",
        "reviser": "`Reviser.stream`",
        "app": "app `/revise` (client)",
        "app_server": "… of which `Reviser.stream` in the app",
    }
    lines = [
        "| path | median s | p95 s | median tok/s | median tokens | ×direct latency "
        "| ×direct per token | same text | same tokens |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path, s in summary.items():
        rest = "1 | 1 | — | —"
        if path != "direct":
            rest = (
                f"{s['ratio_latency']:.3f} | **{s['ratio_per_token']:.3f}** "
                f"| {s['same_text']}/{n} | {s['same_tokens']}/{n}"
            )
        lines.append(
            f"| {names[path]} | {s['median_s']:.3f} | {s['p95_s']:.3f} "
            f"| {s['median_tokens_per_s']:.1f} | {s['median_tokens']:g} | {rest} |"
        )
    app = summary["app"]["ratio_per_token_vs_lookup"]
    gain = 1 / summary["lookup"]["ratio_latency"]
    page, ready = statistics.median(starts["page_s"]), statistics.median(starts["ready_s"])
    cold = starts["cold_convert_s"]
    lines += [
        "",
        "Ratios are medians of per-measurement ratios (same sentence, back to back). Prompt "
        f"lookup makes a bare `generate` **{gain:.2f}×** faster. Headline: the app takes "
        f"**{app:.3f}×** the time per token of a bare `generate` that decodes as it does "
        f"(prompt lookup; target < 1.10: {'met' if app < 1.10 else 'missed'}); per token "
        "because the app stops at loops.",
        "",
        "| start | seconds |",
        "|---|---:|",
        *([f"| cold: first GGUF conversion (subprocess) | {cold:.1f} |"] if cold else []),
        f"| warm: `Popen` → page 200, median of {len(starts['page_s'])} "
        f"(target < 10 s: {'met' if page < 10 else 'missed'}) | {page:.1f} |",
        f"| warm: `Popen` → first `/revise` returned, median | {ready:.1f} |",
    ]
    return "\n".join(lines)


def documents_table(docs: dict, same: dict | None) -> str:
    m = docs["median_s"]
    ratio = docs["paragraph_over_sentence"]
    lines = [
        f"**Documents**: a paragraph of {docs['sentences']} test sentences against its first "
        f"sentence, through the app (medians of {len(docs['times']['paragraph'])}).",
        "",
        "| what | median s |",
        "|---|---:|",
        f"| app `/revise`, one sentence | {m['one sentence']:.2f} |",
        f"| app `/revise`, the paragraph | {m['paragraph']:.2f} |",
        f"| bare batched `generate` of the paragraph's sentences | {m['bare batched']:.2f} |",
        *[
            f"| `Reviser.revise` in this process, the paragraph, {name} | {m[name]:.2f} |"
            for name in REVISERS
            if name in m
        ],
        "",
        f"The paragraph takes **{ratio:.2f}×** one sentence (target at most 2×: "
        f"{'met' if ratio <= 2 else 'missed'}); the app takes "
        f"{docs['app_over_bare_batched']:.2f}× the bare batched `generate` for it (the app "
        "also stops loops, scores its edits, labels them and stores the revision).",
    ]
    if all(name in m for name in REVISERS):
        on, off = (m[name] for name in REVISERS)
        lines += [
            "",
            f"Tense context decodes {docs.get('windows', '?')} window(s) beside the "
            f"paragraph's sentences: {on / off:.2f}× the time without it.",
        ]
    if same is not None:
        lines += [
            "",
            f"**Same answers**: {same['differ']} of {same['sentences']} sentences' greedy "
            f"answers differ between decoding alone and in batches of 16 ({same['dtype']}).",
        ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes over the sentences")
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--home", type=Path, help="ITUNE_HOME to reuse (converted model)")
    parser.add_argument("--skip-cold", action="store_true", help="do not time the conversion")
    parser.add_argument("--warm-starts", type=int, default=3)
    parser.add_argument("--paragraph-sentences", type=int, default=10)
    parser.add_argument("--same-answers", type=int, default=100, help="sentences (0: skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    return parser.parse_args()


def time_cold_start(home: Path) -> float:
    """Seconds to convert the embedded GGUF into the empty ``home``, imports included."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CONVERT, str(home)], cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    print(f"cold start (conversion): {seconds:.1f} s", flush=True)
    return seconds


def path_calls(loaded, reviser: Reviser, settings: ReviseSettings, app: App) -> dict:
    """The three paths, each called as ``(text, label) -> (tokens, text)``."""

    def run_reviser(text: str, label: str) -> tuple[int, str]:
        *_, last = reviser.stream(text, [label])
        return last.revision.generated_tokens, last.revision.revised.strip()

    return {
        "direct": lambda text, label: direct_generate(loaded, text, label, settings),
        "lookup": lambda text, label: direct_generate(
            loaded, text, label, settings, settings.prompt_lookup
        ),
        "reviser": run_reviser,
        "app": app.revise,
    }


def time_paths(calls: dict, sentences, repeats: int, app: App) -> dict[str, list[dict]]:
    """Every sentence through every path, ``repeats`` times, the order rotating per
    sentence. Returns each path's measurements (the app's with its server-side time)."""
    for call in calls.values():  # warm-up: first generate pays one-off costs
        call(READY_TEXT, "fluency")
    runs: dict[str, list[dict]] = {path: [] for path in PATHS}
    for rep in range(repeats):
        for i, (text, label) in enumerate(sentences):
            shift = (i + rep) % len(PATHS)
            for path in PATHS[shift:] + PATHS[:shift]:
                started = time.perf_counter()
                tokens, out = calls[path](text, label)
                seconds = time.perf_counter() - started
                if path in ("direct", "lookup"):  # compare what the app would show (not timed)
                    out = clean_output(out.split("\n", 1)[0], text.strip())
                run = dict(sentence=i, repeat=rep, seconds=seconds, tokens=tokens, text=out)
                runs[path].append(run | ({"server_s": app.server_s} if path == "app" else {}))
        print(f"pass {rep + 1}/{repeats} done", flush=True)
    return runs


def write_results(args, sentences, starts, runs, docs, same, loaded, device, load_start) -> None:
    """Save serve.json and serve.md under ``--out`` and print the tables."""
    runs["app_server"] = [r | {"seconds": r["server_s"]} for r in runs["app"]]
    summary = summarize(runs)
    md = table(summary, starts, len(runs["direct"])) + "\n\n" + documents_table(docs, same)
    env = [
        f"{k}={os.environ[k]}"
        for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")
        if k in os.environ
    ]
    command = " ".join([*env, "python", "benchmarks/serve.py", *sys.argv[1:]])
    date = now()
    load = (load_start[0], os.getloadavg()[0])  # other work on the machine, 1-minute average
    machine = {
        "platform": platform.platform(),
        "cpu": cpu_description(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "device": str(device),
        "dtype": str(loaded.dtype).removeprefix("torch."),
        "loadavg_start_end": load,
    }
    record = dict(command=command, date=date, machine=machine, starts=starts, summary=summary)
    record |= {"documents": docs, "same_answers": same}
    record |= {"sentences": [{"text": t, "label": lab} for t, lab in sentences], "runs": runs}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "serve.json").write_text(json.dumps(record, indent=2) + "\n")
    header = (
        f"# Serving speed\n\n`{command}` — {date}; {machine['platform']}, {machine['cpu']}, "
        f"{machine['cpu_count']} CPUs, torch {machine['torch']}, {device} {machine['dtype']}; "
        f"{len(sentences)} sentences × {args.repeats} passes; load average {load[0]:.1f} → "
        f"{load[1]:.1f}.\n\n"
    )
    (args.out / "serve.md").write_text(header + md + "\n")
    print("\n" + md)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("ITUNE_ADAPTER", "none")  # the app serves what direct runs
    sentences = load_sentences(args.sentences)
    load_start = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="itune-serve-bench-"))
    home = args.home or tmp / "home"
    starts: dict = {"cold_convert_s": None, "page_s": [], "ready_s": []}
    if not args.skip_cold:
        cold_home = tmp / "cold-home"
        starts["cold_convert_s"] = time_cold_start(cold_home)
        home = args.home or cold_home
    db_url = f"sqlite:///{tmp / 'db' / 'itune.db'}"
    Store.open(db_url).close()  # migrated once, so every warm start finds a ready database

    device = default_device()
    loaded = load_model(None, cache_dir=home / "models", device=device, dtype=default_dtype(device))
    settings = ReviseSettings()
    reviser = Reviser(loaded.model, loaded.tokenizer, model_name=loaded.name, settings=settings)
    revisers = {
        name: Reviser(
            loaded.model,
            loaded.tokenizer,
            model_name=loaded.name,
            settings=replace(settings, tense_context=on),
        )
        for name, on in zip(REVISERS, (True, False), strict=True)
    }
    app = None
    try:
        for k in range(args.warm_starts):
            if app is not None:
                app.stop()
            app = App(home, db_url, tmp / f"app-{k}.log")
            starts["page_s"].append(app.page_s)
            starts["ready_s"].append(app.ready_s)
            print(f"warm start {k + 1}: page {app.page_s:.1f} s, ready {app.ready_s:.1f} s")

        calls = path_calls(loaded, reviser, settings, app)
        runs = time_paths(calls, sentences, args.repeats, app)
        docs = documents(
            app, loaded, sentences[: args.paragraph_sentences], 2 * args.repeats, settings, revisers
        )
        print(f"documents: {docs['median_s']}", flush=True)
        same = None
        if args.same_answers:
            same = same_answers(loaded, load_sentences(args.same_answers), settings)
            print(f"same answers: {same['differ']}/{same['sentences']} differ", flush=True)
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    write_results(args, sentences, starts, runs, docs, same, loaded, device, load_start)


if __name__ == "__main__":
    main()
