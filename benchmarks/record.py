"""A benchmark's record: when and where it ran, and its two files.

Every timing benchmark writes ``NAME.json`` (the whole record, for tools) and ``NAME.md``
(its table, for people) under ``benchmarks/results/``; this module is the one owner of
that pair, of the date's format and of the machine line in their headers.
"""

import argparse
import datetime
import json
import os
import platform
import re
from pathlib import Path

import torch


def now() -> str:
    """The time a record is written, in UTC to the minute."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _cpuinfo() -> tuple[str | None, set[str] | None]:
    """The processor's name and its instruction-set flags from ``/proc/cpuinfo``; None for
    each where it is not to be read (not Linux)."""
    name, flags = None, None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and name is None:
                name = value.strip()
            elif key.strip() == "flags" and flags is None:
                flags = set(value.split())
    except OSError:
        pass
    return name, flags


def cpu_description() -> str:
    """The processor's name and what decides how fast it multiplies matrices, for the
    benchmarks' headers: e.g. "AMD EPYC, AVX512 (bf16 dot products: yes, AMX: no)".

    Speeds measured on two machines that both report AVX-512 differ several times over
    when one has AMX tiles; this says which kind a figure came from.
    """
    return _described(*_cpuinfo())


def _described(name: str | None, flags: set[str] | None) -> str:
    head = f"{name or 'unknown processor'}, {torch.backends.cpu.get_cpu_capability()}"
    if flags is None:
        return head
    yes = {True: "yes", False: "no"}
    return (
        f"{head} (bf16 dot products: {yes['avx512_bf16' in flags]}, "
        f"AMX: {yes['amx_bf16' in flags]})"
    )


def machine_facts() -> dict:
    """The machine a record comes from, as fields of its JSON file: the processor (its
    name, and ``cpu_description``), cores and threads, torch, Python, the OpenMP wait
    policy, the GPU if any and the load average when the record is written."""
    name, flags = _cpuinfo()
    return {
        "platform": platform.platform(),
        "cpu": name or platform.processor() or platform.machine(),
        "cpu_description": _described(name, flags),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
    }


def machine() -> str:
    """One line on the machine a record comes from, with its load at the time."""
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {cpu_description()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def suffix(text: str) -> str:
    """A results-file suffix (``NAME_SUFFIX.*``): letters, digits, '-' and '_' only, so it
    cannot name a path; for ``argparse``'s ``type``."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise argparse.ArgumentTypeError(f"letters, digits, '-' and '_' only, got {text!r}")
    return text


def write(out: Path, stem: str, record: dict, markdown: str) -> str:
    """Write ``record`` to ``out/STEM.json`` and ``markdown`` to ``out/STEM.md``; returns
    the markdown, for printing."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    return markdown
