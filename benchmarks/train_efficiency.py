"""Stage-II training efficiency: Intention-Tuning vs LoRA on all blocks vs DoRA.

On the embedded SmolLM2-135M-Instruct (30 blocks) and the same fixed batches of
ITERATER-sent (train split, generation prompt, prompt masked), it measures a Stage-II
step of each method with the recipe's own code (``training.stage2``: ``GenerationLoss``,
``generation_step``, ``no_grad_below``, accelerate's autocast):

  intention-tuning        LoRA on S_gen only, frozen blocks below min(S_gen) run without
                          autograd (what ``python -m training train`` does)
  intention-tuning-plain  the same without the ``no_grad_below`` shortcut
  lora                    LoRA on every block (the reference of the ratios)
  dora                    DoRA on every block
  upper-half[-plain]      diagnostic, not the method: LoRA on the blocks of S_gen in the
                          upper half only, to show what a frozen bottom is worth (with and
                          without ``no_grad_below``)

S_gen comes from a real short Stage I (``--stage1-steps``, default 30, run through the
CLI in a subprocess) unless a recorded one is given with ``--sgen`` or ``--sgen-from``.
The adapters start from a fresh initialisation (weights do not change the cost).

Step time: all methods in one process, interleaved step by step with a rotating order,
so machine noise hits them alike; the ratios are medians of per-batch ratios. Peak
memory: each method in its own subprocess (``--one``), so one method's peak cannot mask
another's: on CUDA ``max_memory_allocated``; on the CPU the peak resident set size
(VmHWM), reported whole and above the resident size before the first step (the model,
adapters and optimiser loaded). Targets against LoRA at the same batch: peak memory at
most 0.86x, step time at most 0.6x.

Run from the repository root (about 12 minutes on two CPU cores):

    python benchmarks/train_efficiency.py
    python benchmarks/train_efficiency.py --sgen-from runs/it/ --precisions bf16 --steps 4

Writes ``benchmarks/results/train_efficiency.json`` (every measurement, S_gen, machine)
and ``train_efficiency.md`` (the table), and prints the table.
"""

import argparse
import datetime
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages sit one level up

from benchmarks.record import machine_facts  # noqa: E402
from itune_core.bundle import AdapterBundle  # noqa: E402
from itune_core.lora import block_adapter_params  # noqa: E402
from itune_core.method_config import LoraSettings  # noqa: E402
from itune_core.model import resolve_model_source  # noqa: E402
from storage.environment import home_folder  # noqa: E402
from training.batching import collate, length_grouped_batches  # noqa: E402
from training.data import load_dataset  # noqa: E402
from training.loop import (  # noqa: E402
    PeakMemory,
    adapter_parameters,
    build_optimizer,
    count_parameters,
    current_rss_bytes,
    to_device,
)
from training.recipes import load_base, load_tokenizer, make_accelerator  # noqa: E402
from training.stage2 import (  # noqa: E402
    GenerationLoss,
    build_generation_model,
    encode_generation_data,
    generation_step,
    no_grad_below,
)

# variant -> (which blocks get LoRA, DoRA, frozen bottom run under no_grad)
VARIANTS = {
    "intention-tuning": ("s_gen", False, True),
    "intention-tuning-plain": ("s_gen", False, False),
    "lora": ("all", False, False),
    "dora": ("all", True, False),
    "upper-half": ("s_gen_upper", False, True),
    "upper-half-plain": ("s_gen_upper", False, False),
}
METHODS = tuple(VARIANTS)
REFERENCE = "lora"
PRECISIONS = {"bf16": ("bf16", torch.bfloat16), "fp32": ("no", torch.float32)}
TARGETS = {"memory": 0.86, "time": 0.6}
RESULTS = ROOT / "benchmarks" / "results"


# --- the measured setup ----------------------------------------------------------------------


def fixed_batches(tokenizer, count: int, batch_size: int, max_length: int) -> list[dict]:
    """``count`` batches of ITERATER-sent, the same for every method and process.

    The recipe's length-grouped order (seed 0) without its first batch, which holds the
    longest examples and would dominate every peak."""
    dataset = load_dataset("iterater-sent", "train")
    encoded, _ = encode_generation_data(tokenizer, dataset.examples, max_length)
    order = length_grouped_batches([len(x["input_ids"]) for x in encoded], batch_size, seed=0)
    chosen = order[1 : count + 1]
    return [collate([encoded[i] for i in indices], tokenizer.pad_token_id) for indices in chosen]


class Setup:
    """One method's Stage-II model, optimiser and step, as the recipe builds them."""

    def __init__(self, method, location, accelerator, base_dtype, s_gen, lora):
        self.method = method
        blocks, use_dora, shortcut = VARIANTS[method]
        base = load_base(location, "embedded", base_dtype)
        half = base.config.num_hidden_layers // 2
        layers = {
            "all": None,
            "s_gen": s_gen,
            "s_gen_upper": [b for b in s_gen if b >= half] or [half],
        }[blocks]
        model = build_generation_model(base, lora, layers=layers, use_dora=use_dora)
        model.to(accelerator.device)
        self.unwrapped = GenerationLoss(model).train()
        params = adapter_parameters(model)
        self.optimizer, _ = build_optimizer(params, 2e-4, 0.0, 0)
        self.loss_module = accelerator.prepare_model(self.unwrapped)
        self.block_params = block_adapter_params(model)
        self.blocks = sorted(self.block_params)
        self.trainable = count_parameters(params)
        self.lowest = min(self.blocks) if shortcut else 0

    def step(self, batch) -> dict:
        timings = {}
        started = time.perf_counter()
        with no_grad_below(self.unwrapped, self.lowest):
            loss, _ = generation_step(
                self.loss_module,
                self.optimizer,
                batch,
                self.blocks,
                self.block_params,
                max_grad_norm=1.0,
                timings=timings,
            )
        timings["step"] = time.perf_counter() - started
        timings["loss"] = loss
        return timings


def _context(args):
    mixed, base_dtype = PRECISIONS[args.precision]
    accelerator = make_accelerator(mixed, cpu=not torch.cuda.is_available())
    _, location = resolve_model_source("embedded", args.home / "models")
    tokenizer = load_tokenizer(location, "embedded")
    batches = [
        to_device(b, accelerator.device)
        for b in fixed_batches(tokenizer, args.batches, args.batch_size, args.max_length)
    ]
    return accelerator, location, base_dtype, batches


def run_one(args) -> dict:
    """Peak memory (and step times) of one method, alone in this process."""
    accelerator, location, base_dtype, batches = _context(args)
    torch.manual_seed(0)
    setup = Setup(args.one, location, accelerator, base_dtype, args.sgen, LoraSettings())
    peak = PeakMemory(accelerator.device)
    before = (
        torch.cuda.memory_allocated(accelerator.device)
        if accelerator.device.type == "cuda"
        else current_rss_bytes()
    )
    peak.start()
    steps = [setup.step(batches[i % len(batches)]) for i in range(args.warmup + args.steps)]
    return {
        "method": args.one,
        "peak_bytes": peak.peak_bytes(),
        "peak_kind": peak.kind,
        "before_bytes": before,
        "trainable_params": setup.trainable,
        "adapter_blocks": setup.blocks,
        "steps": steps[args.warmup :],
    }


def run_interleaved(args) -> dict:
    """Step times of every method in one process, interleaved batch by batch."""
    accelerator, location, base_dtype, batches = _context(args)
    setups = {}
    methods = args.variants
    for method in methods:
        torch.manual_seed(0)
        setups[method] = Setup(method, location, accelerator, base_dtype, args.sgen, LoraSettings())
    times = {method: [] for method in methods}
    for i in range(args.warmup + args.steps):
        batch = batches[i % len(batches)]
        rotation = methods[i % len(methods) :] + methods[: i % len(methods)]
        for method in rotation:
            result = setups[method].step(batch)
            if i >= args.warmup:
                times[method].append({"batch": i % len(batches), **result})
    return {
        "times": times,
        "trainable_params": {m: s.trainable for m, s in setups.items()},
        "adapter_blocks": {m: s.blocks for m, s in setups.items()},
    }


# --- the driver ------------------------------------------------------------------------------


def _child(args, *extra: str) -> dict:
    command = [sys.executable, __file__, "--home", str(args.home), "--precision", args.precision]
    command += ["--sgen", ",".join(map(str, args.sgen)), "--steps", str(args.steps)]
    command += ["--warmup", str(args.warmup), "--batches", str(args.batches)]
    command += ["--batch-size", str(args.batch_size), "--max-length", str(args.max_length)]
    command += ["--variants", ",".join(args.variants)]
    proc = subprocess.run(
        [*command, *extra], cwd=ROOT, capture_output=True, text=True, env=os.environ
    )
    if proc.returncode != 0:
        sys.exit(f"error: {shlex.join(command + list(extra))} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stage1_sgen(args) -> dict:
    """S_gen from a real short Stage I run through the CLI."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-m", "training", "train", "--method", "intention-tuning"]
        command += ["--data", "iterater-sent", "--output", str(out), "--home", str(args.home)]
        command += ["--stage1-steps", str(args.stage1_steps), "--max-steps", "1"]
        command += ["--batch-size", str(args.batch_size), "--max-length", str(args.max_length)]
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"error: Stage I failed:\n{proc.stderr[-3000:]}")
        bundle = AdapterBundle.read(out)
        selection, metrics = bundle.selection, bundle.require_records()[1]
    return {
        "source": f"a real Stage I of {args.stage1_steps} steps (batch {args.batch_size})",
        "s_gen": selection["s_gen"],
        "G": selection["stage1"]["G"],
        "alignment_ratio": selection["alignment_ratio"],
        "stage1_seconds": metrics["stage1"]["seconds"],
        "stage1_mean_selected": metrics["stage1"]["mean_selected"],
        "wall_seconds": time.perf_counter() - started,
    }


def _median(values):
    return statistics.median(values) if values else None


def summarize(interleaved: dict, memory: dict) -> dict:
    times = interleaved["times"]
    ref = times[REFERENCE]
    out = {}
    for method in times:
        steps = times[method]
        mem = memory[method]
        ref_mem = memory[REFERENCE]
        above = mem["peak_bytes"] - mem["before_bytes"]
        ref_above = ref_mem["peak_bytes"] - ref_mem["before_bytes"]
        out[method] = {
            "adapter_blocks": len(interleaved["adapter_blocks"][method]),
            "trainable_params": interleaved["trainable_params"][method],
            "step_s": _median([s["step"] for s in steps]),
            "forward_s": _median([s["forward"] for s in steps]),
            "backward_s": _median([s["backward"] for s in steps]),
            "optimizer_s": _median([s["optimizer"] for s in steps]),
            # Paired: the same batch, back to back, then the median of the ratios.
            "time_ratio": _median([s["step"] / r["step"] for s, r in zip(steps, ref, strict=True)]),
            "alone_step_s": _median([s["step"] for s in mem["steps"]]),
            "peak_bytes": mem["peak_bytes"],
            "peak_kind": mem["peak_kind"],
            "memory_ratio": mem["peak_bytes"] / ref_mem["peak_bytes"],
            "peak_above_loaded_bytes": above,
            "memory_above_loaded_ratio": above / ref_above if ref_above > 0 else None,
        }
    return out


def table(results: dict) -> str:
    mib = 2**20
    lines = [
        "| precision | method | blocks with LoRA | trainable params | step (s) | ×LoRA time "
        "| forward / backward / optimiser (s) | peak memory (MiB) | ×LoRA memory "
        "| peak above loaded (MiB) | ×LoRA |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for precision, summary in results["summary"].items():
        for method, s in summary.items():
            lines.append(
                f"| {precision} | {method} | {s['adapter_blocks']} | {s['trainable_params']:,} "
                f"| {s['step_s']:.2f} | {s['time_ratio']:.3f} "
                f"| {s['forward_s']:.2f} / {s['backward_s']:.2f} / {s['optimizer_s']:.2f} "
                f"| {s['peak_bytes'] / mib:,.0f} | {s['memory_ratio']:.3f} "
                f"| {s['peak_above_loaded_bytes'] / mib:,.0f} "
                f"| {s['memory_above_loaded_ratio']:.3f} |"
            )
    return "\n".join(lines)


def verdicts(results: dict) -> list[str]:
    out = []
    for precision, summary in results["summary"].items():
        s = summary["intention-tuning"]
        time_ok = s["time_ratio"] <= TARGETS["time"]
        mem_ok = s["memory_ratio"] <= TARGETS["memory"]
        above_ok = (s["memory_above_loaded_ratio"] or 1) <= TARGETS["memory"]
        out.append(
            f"{precision}: step time {s['time_ratio']:.3f}x LoRA (target <= {TARGETS['time']}: "
            f"{'met' if time_ok else 'NOT met'}); peak memory {s['memory_ratio']:.3f}x "
            f"(target <= {TARGETS['memory']}: {'met' if mem_ok else 'NOT met'}); "
            f"above the loaded model {s['memory_above_loaded_ratio']:.3f}x "
            f"({'met' if above_ok else 'NOT met'})"
        )
    return out


def notes(results: dict, s_gen: list[int], num_blocks: int = 30) -> list[str]:
    """Where the time goes, from the measured figures."""
    out = []
    for precision, summary in results["summary"].items():
        it, lora = summary["intention-tuning"], summary["lora"]
        per_block = (lora["step_s"] - it["step_s"]) / max(num_blocks - len(s_gen), 1)
        floor = lora["step_s"] - num_blocks * per_block
        line = (
            f"{precision}: LoRA costs about {per_block * 1000:.0f} ms per adapted block and "
            f"step; the rest, base forward + backward through every block + LM head, about "
            f"{floor:.2f} s ({floor / lora['step_s']:.2f}x LoRA), is what any S_gen that "
            f"contains block {min(s_gen)} pays, since backward must reach it"
        )
        if "upper-half" in summary:
            upper = summary["upper-half"]
            line += (
                f"; with a frozen bottom (diagnostic upper-half, {upper['adapter_blocks']} "
                f"blocks) a step takes {upper['time_ratio']:.2f}x LoRA"
            )
            if "upper-half-plain" in summary:
                line += (
                    f" ({summary['upper-half-plain']['time_ratio']:.2f}x without "
                    "`no_grad_below`: autograd already skips blocks whose inputs and weights "
                    "need no gradient)"
                )
        out.append(line + ".")
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="ITUNE_HOME")
    parser.add_argument("--precisions", default="bf16,fp32", help="comma list of bf16, fp32")
    parser.add_argument("--precision", choices=sorted(PRECISIONS), help=argparse.SUPPRESS)
    parser.add_argument("--sgen", help="a recorded S_gen, e.g. 0,3,7 (skips Stage I)")
    parser.add_argument("--sgen-from", type=Path, help="a run folder whose selection to use")
    parser.add_argument("--stage1-steps", type=int, default=30)
    parser.add_argument("--steps", type=int, default=5, help="measured steps per method")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--batches", type=int, default=5, help="distinct fixed batches")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--variants", default=",".join(METHODS), help="comma list of " + ", ".join(METHODS)
    )
    parser.add_argument("--interleaved", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.home = home_folder(args.home)
    args.variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(args.variants) - set(METHODS))
    if unknown or REFERENCE not in args.variants:
        parser.error(f"--variants: unknown {unknown} or {REFERENCE!r} missing (the reference)")
    return args


def choose_sgen(args) -> dict:
    """S_gen given (``--sgen``), recorded (``--sgen-from``) or from a real short Stage I,
    with where it came from."""
    if args.sgen:
        return {"source": "given with --sgen", "s_gen": [int(b) for b in args.sgen.split(",")]}
    if args.sgen_from:
        selection = AdapterBundle.read(args.sgen_from).selection
        if selection is None:
            raise SystemExit(f"{args.sgen_from} has no selection record")
        sgen = {"source": f"recorded in {args.sgen_from}", **selection}
        return {k: sgen[k] for k in ("source", "s_gen")}
    print(f"Stage I ({args.stage1_steps} steps) for S_gen ...", flush=True)
    return stage1_sgen(args)


def measure(args) -> dict:
    """Per precision: each method's peak memory in its own process, then the step times of
    all of them interleaved in one. Returns the summaries and the raw measurements."""
    results = {"summary": {}, "raw": {}}
    for precision in args.precisions.split(","):
        args.precision = precision
        memory = {}
        for method in args.variants:
            print(f"[{precision}] peak memory of {method} (own process) ...", flush=True)
            memory[method] = _child(args, "--one", method)
        print(f"[{precision}] step times, interleaved ...", flush=True)
        interleaved = _child(args, "--interleaved")
        results["raw"][precision] = {"memory": memory, "interleaved": interleaved}
        results["summary"][precision] = summarize(interleaved, memory)
    return results


def run_setup(args, sgen: dict) -> dict:
    """What was measured, saved with the results."""
    return {
        "model": "embedded SmolLM2-135M-Instruct (30 blocks)",
        "data": "iterater-sent train, generation prompt, prompt tokens masked",
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "batches": args.batches,
        "warmup_steps": args.warmup,
        "measured_steps": args.steps,
        "lora": LoraSettings().to_dict(),
        "s_gen": sgen,
    }


def markdown(results: dict, args, sgen: dict) -> str:
    return "\n".join(
        [
            "# Stage-II training efficiency: Intention-Tuning vs LoRA vs DoRA",
            "",
            f"Command: `{results['command']}`  ",
            f"Date: {results['date']}  ",
            f"Machine: {results['machine']['cpu']}, {results['machine']['cpu_count']} cores, "
            f"torch {results['machine']['torch']} "
            f"({results['machine']['gpu'] or 'CPU only'})  ",
            f"S_gen ({len(args.sgen)} of 30 blocks, lowest {min(args.sgen)}): {args.sgen}, "
            f"{sgen['source']}  ",
            f"Batches: {args.batches} fixed ITERATER-sent batches of {args.batch_size} "
            f"(max {args.max_length} tokens), {args.warmup} warm-up + {args.steps} measured "
            "steps per method",
            "",
            table(results),
            "",
            *[f"- {line}" for line in results["verdicts"]],
            "",
            "Where the time goes:",
            "",
            *[f"- {line}" for line in results["notes"]],
            "",
            "Step time: all methods in one process, interleaved batch by batch; ×LoRA is the "
            "median of per-batch ratios. Peak memory: each method alone in a subprocess "
            "(CPU: peak RSS, VmHWM; CUDA: max_memory_allocated); 'above loaded' subtracts "
            "the memory held before the first step (model, adapters, optimiser). "
            "upper-half rows are a diagnostic, not a method.",
            "",
        ]
    )


def main() -> None:
    args = parse_args()
    if args.one or args.interleaved:  # a child: measure and print one JSON line
        args.sgen = [int(b) for b in args.sgen.split(",")]
        print(json.dumps(run_one(args) if args.one else run_interleaved(args)))
        return

    started = time.perf_counter()
    sgen = choose_sgen(args)
    args.sgen = sgen["s_gen"]
    print(f"S_gen = {args.sgen} ({sgen['source']})", flush=True)
    results = measure(args)
    results.update(
        command="python benchmarks/train_efficiency.py " + shlex.join(sys.argv[1:]),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine_facts(),
        setup=run_setup(args, sgen),
        targets=TARGETS,
        wall_seconds=time.perf_counter() - started,
    )
    results["verdicts"] = verdicts(results)
    results["notes"] = notes(results, args.sgen)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "train_efficiency.json").write_text(json.dumps(results, indent=2) + "\n")
    md = markdown(results, args, sgen)
    (RESULTS / "train_efficiency.md").write_text(md)
    print()
    print(md)


if __name__ == "__main__":
    main()
