"""What the benchmarks record about the processor, and the dtype chosen from it."""

from pathlib import Path

import torch

from benchmarks.record import cpu_description
from itune_core import model


def test_cpu_dtype_follows_the_instruction_set(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    assert model.default_dtype(cpu) == torch.bfloat16
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    assert model.default_dtype(cpu) == torch.float32


def test_the_description_names_the_processor_and_what_speeds_its_matrix_products():
    text = cpu_description()
    assert torch.backends.cpu.get_cpu_capability() in text
    flags = Path("/proc/cpuinfo").read_text()
    assert f"AMX: {'yes' if 'amx_bf16' in flags else 'no'}" in text
    assert f"bf16 dot products: {'yes' if 'avx512_bf16' in flags else 'no'}" in text
