"""The adapter as the app serves it, in a dev benchmark that decodes its answers: the
options that pick it and its precision, the adapter loaded on the embedded model, and its
answers scored as the quality tables score them. ``second_pass.py`` and
``intention_filter.py`` share these."""

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from benchmarks.context import DRAFT
from benchmarks.record import cpu_description, now
from itune_core.adapters import attach_adapter
from itune_core.bundle import AdapterBundle
from itune_core.decoding import Decoder
from itune_core.metrics.revisions import evaluate_revisions
from itune_core.model import default_device, default_dtype, load_model
from storage.environment import home_folder
from training.data import load_dataset

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "adapters" / "itune-default"


def add_options(p: argparse.ArgumentParser) -> None:
    """``--adapter``, ``--split``, ``--dtype`` and ``--batch-size``."""
    p.add_argument("--adapter", type=Path, default=BUILTIN.relative_to(ROOT))
    p.add_argument("--split", default="dev")
    p.add_argument("--dtype", choices=("auto", "float32", "bfloat16"), default="auto")
    p.add_argument("--batch-size", type=int, default=16)


def load_served(
    args: argparse.Namespace,
) -> tuple[AdapterBundle, torch.nn.Module, Any, torch.dtype]:
    """The adapter's bundle, the embedded model with it attached (named ``default``, in
    eval mode), the tokenizer and the precision, as ``add_options`` chose them."""
    device = default_device()
    dtype = default_dtype(device) if args.dtype == "auto" else getattr(torch, args.dtype)
    bundle = AdapterBundle.read(args.adapter)
    loaded = load_model("embedded", cache_dir=home_folder() / "models", device=device,
                        dtype=dtype)  # fmt: skip
    model = attach_adapter(loaded.model, args.adapter, "default").eval()
    return bundle, model, loaded.tokenizer, dtype


def scoring_decoder(bundle: AdapterBundle, model: torch.nn.Module, tokenizer) -> Decoder:
    """A decoder over ``load_served``'s model that scores answers with its adapter
    (``default``) in the bundle's prompt format; it keeps no prompt caches."""
    decoder = Decoder(model, tokenizer, cache_bytes=0)
    decoder.use_prompt_format("default", bundle.prompt_format)
    return decoder


def requests(name: str, split: str) -> tuple[list | None, list[str], list]:
    """A data set's examples, texts and their intentions; for ``draft``, the README's
    learner draft asked for fluency, and no examples."""
    if name == "draft":
        return None, [DRAFT], [("fluency",)]
    examples = load_dataset(name, split).examples
    return examples, [e.before for e in examples], [e.labels for e in examples]


def cached(path: Path, decode: Callable[[], list]) -> list:
    """The rows kept at ``path``, or ``decode()``'s, then kept there with how long it took
    (a stopped benchmark resumes with the data sets it finished)."""
    if path.exists():
        return json.loads(path.read_text())["rows"]
    started = time.perf_counter()
    rows = decode()
    seconds = time.perf_counter() - started
    path.write_text(json.dumps({"rows": rows, "seconds": seconds}, indent=1))
    return rows


def scored(examples, outputs: list[str], **extra: Any) -> dict[str, Any]:
    """SARI (EASSE and ITERATER's), GLEU, answers exactly the reference, answers left as
    their source, and how many, for ``outputs`` against ``examples``; ``extra`` added."""
    metrics = evaluate_revisions([e.before for e in examples], outputs,
                                 [[e.after] for e in examples])  # fmt: skip
    pairs = list(zip(outputs, examples, strict=True))
    return {
        "sari": metrics["sari"],
        "sari_iterater": metrics["sari_iterater"],
        "gleu": metrics["gleu"],
        "exact": sum(o.strip() == e.after.strip() for o, e in pairs),
        "unchanged": sum(o == e.before for o, e in pairs),
        **extra,
        "n": len(examples),
    }


SCORE_COLUMNS = "n | SARI (EASSE) | SARI (ITERATER) | GLEU | exact | unchanged"


def score_cells(r: dict[str, Any]) -> str:
    """``scored``'s figures as table cells, in ``SCORE_COLUMNS``' order."""
    return (
        f"{r['n']} | {r['sari']:.2f} | {r['sari_iterater']:.2f} | {r['gleu']:.2f} | "
        f"{r['exact']} | {r['unchanged']}"
    )


def served_record(script: str, argv: list[str] | None, args, dtype: torch.dtype, **fields) -> dict:
    """The record's head (command, time, machine, precision, adapter) and ``fields``."""
    command = f"python benchmarks/{script} " + shlex.join(argv or sys.argv[1:])
    return {
        "command": command.strip(),
        "created": now(),
        "cpu": cpu_description(),
        "dtype": str(dtype).removeprefix("torch."),
        "adapter": str(args.adapter),
        **fields,
    }


def heading(title: str, record: dict[str, Any]) -> list[str]:
    """The first lines of a record's table: its title and how and where it ran."""
    where = f"{record['created']}, {record['cpu']}, {record['dtype']}"
    return [f"# {title}", "", f"`{record['command']}` ({where})", ""]
