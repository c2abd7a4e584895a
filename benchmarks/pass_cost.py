"""What one forward pass of the embedded model costs as a batch grows: the bound on how
fast a paragraph can be revised against one sentence.

The app decodes a paragraph's sentences together, each row checking up to 11 tokens a
pass (its next token and 10 drafted from its own text, prompt lookup), after a prompt of
about 80 tokens already in the cache. This times that pass for 1, 4, 10 and 16 rows, the
same pass with one token a row (no drafts), and the model's largest linear layer alone
(576 -> 1536) on as many tokens, side by side, ``--repeats`` times in turn; medians, and
each as a multiple of one row. Where ten rows cost much more than twice one row, a
10-sentence paragraph cannot take at most twice one sentence, however the rows are
scheduled (the serving target, README "Serving and load").

    python benchmarks/pass_cost.py                 # about a minute on 2 cores
    python benchmarks/pass_cost.py --dtype float32

Writes ``benchmarks/results/pass_cost[_SUFFIX].{json,md}`` and prints the table.
"""

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import machine, machine_facts, now, suffix, write  # noqa: E402
from itune_core.model import default_device, default_dtype, load_model  # noqa: E402
from storage.environment import home_folder  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
ROWS = (1, 4, 10, 16)
PROMPT = 80  # tokens already in the cache, about an ITERATER sentence's prompt
DRAFT = 11  # tokens a row checks in one pass with the app's prompt lookup


def _median_seconds(run, repeats: int) -> float:
    run()  # warm-up: kernels chosen, memory touched
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model_pass(model, rows: int, tokens: int):
    """A function that runs one pass of ``rows`` rows of ``tokens`` new tokens each after
    a cached prompt of ``PROMPT`` tokens (the cache is built once, outside the timing)."""
    ids = torch.randint(100, 1000, (rows, PROMPT))
    with torch.inference_mode():
        cache = model(ids, use_cache=True).past_key_values
    new = torch.randint(100, 1000, (rows, tokens))
    mask = torch.ones(rows, PROMPT + tokens, dtype=torch.long)
    position = torch.arange(PROMPT, PROMPT + tokens).expand(rows, -1)

    def run() -> None:
        with torch.inference_mode():
            model(new, attention_mask=mask, position_ids=position,
                  past_key_values=cache, use_cache=True)  # fmt: skip
            cache.crop(-tokens)  # back to the prompt alone for the next pass (a view)

    return run


def linear_pass(tokens: int, dtype: torch.dtype):
    weight = torch.randn(1536, 576, dtype=dtype)
    x = torch.randn(tokens, 576, dtype=dtype)
    return lambda: torch.nn.functional.linear(x, weight)


def table(rows: list[dict]) -> list[str]:
    """The record's rows as a markdown table, each cost also as a multiple of one row."""
    first = {r["what"]: r["seconds"] for r in rows if r["rows"] == 1}
    lines = [
        "| what | rows | tokens a pass | median ms | x one row |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = r["seconds"] / first[r["what"]]
        lines.append(
            f"| {r['what']} | {r['rows']} | {r['tokens']} | {r['seconds'] * 1000:.2f} | "
            f"{ratio:.2f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dtype", choices=("auto", "float32", "bfloat16"), default="auto")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--suffix", type=suffix, default="")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    device = default_device()
    dtype = default_dtype(device) if args.dtype == "auto" else getattr(torch, args.dtype)
    model = load_model("embedded", cache_dir=home_folder() / "models", device=device,
                       dtype=dtype).model.eval()  # fmt: skip
    rows = []
    for what, tokens in (("model pass, prompt lookup", DRAFT), ("model pass, one token", 1)):
        for n in ROWS:
            seconds = _median_seconds(model_pass(model, n, tokens), args.repeats)
            rows.append({"what": what, "rows": n, "tokens": n * tokens, "seconds": seconds})
    for n in ROWS:
        seconds = _median_seconds(linear_pass(n * DRAFT, dtype), args.repeats * 10)
        rows.append(
            {"what": "linear 576 -> 1536", "rows": n, "tokens": n * DRAFT, "seconds": seconds}
        )
    command = "python benchmarks/pass_cost.py " + shlex.join(argv)
    record = {"command": command.strip(), "created": now(), "dtype": str(dtype),
              "machine": machine_facts(), "rows": rows}  # fmt: skip
    lines = [
        "# One forward pass as the batch grows",
        "",
        f"`{record['command']}` ({record['created']}; {machine()}; {dtype}; medians of "
        f"{args.repeats}, the linear layer's of {args.repeats * 10}; after a cached prompt "
        f"of {PROMPT} tokens)",
        "",
        *table(rows),
    ]
    stem = "pass_cost" + (f"_{args.suffix}" if args.suffix else "")
    print(write(args.out, stem, record, "\n".join(lines) + "\n"))


if __name__ == "__main__":
    main()
