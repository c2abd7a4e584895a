"""What both training stages share: the batch schedule, the optimiser over the adapters,
the per-step record and its observers, and the peak-memory probe."""

import json
import math
import os
import resource
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch import nn

from itune_core.lora import block_adapter_params
from training.batching import length_grouped_batches


@dataclass(frozen=True)
class StepLog:
    """One optimiser step, as written to ``log.jsonl`` (one JSON object per line).

    Attributes:
        stage: 1 (intention prediction) or 2 (revision generation).
        step: 1-based step within the stage.
        loss: the batch loss.
        selected: the blocks trained in the step (S_t; S_gen or all blocks in Stage II).
        norms: the gradient norm s_l of each selected block, measured in the step.
        lr: the learning rate used.
        seconds: wall time of the step.
        tokens: real (non-padding) tokens in the batch.
    """

    stage: int
    step: int
    loss: float
    selected: tuple[int, ...]
    norms: dict[int, float]
    lr: float
    seconds: float
    tokens: int

    def to_json(self) -> str:
        data = {
            "stage": self.stage,
            "step": self.step,
            "loss": self.loss,
            "selected": list(self.selected),
            "norms": {str(block): value for block, value in sorted(self.norms.items())},
            "lr": self.lr,
            "seconds": round(self.seconds, 6),
            "tokens": self.tokens,
        }
        return json.dumps(data, allow_nan=True)


class TrainingProgress:
    """Observer of a training run; the default does nothing.

    The CLI draws progress bars with it; the app's worker stores progress with it; tests
    interrupt a run from ``on_step``. Exceptions raised here abort the run (and leave no
    output folder behind).
    """

    def on_stage_start(self, stage: int, name: str, total_steps: int) -> None:
        """A stage begins; ``total_steps`` optimiser steps will follow."""

    def on_step(self, log: StepLog) -> None:
        """A step finished (its line is already in ``log.jsonl``)."""

    def on_stage_end(self, stage: int) -> None:
        """A stage finished."""


def stage_steps(num_examples: int, batch_size: int, epochs: int, steps: int | None) -> int:
    """Optimiser steps of a stage: ``steps`` if given, else ``epochs`` passes."""
    if steps is not None:
        return steps
    return epochs * math.ceil(num_examples / batch_size)


def batch_schedule(
    lengths: Sequence[int],
    batch_size: int,
    seed: int,
    *,
    rank: int = 0,
    world_size: int = 1,
) -> Iterator[list[int]]:
    """Endless length-grouped batches of example indices, a fresh order every epoch.

    Under several processes the batches are global ones of ``batch_size * world_size``
    examples, the same on every process, and each process takes its own ``batch_size``
    slice of each: together they train on exactly the batch one process would train on
    with ``batch_size * world_size``. (A global batch short of examples at the end of an
    epoch is topped up with repeats, so every process gets a full slice.)
    """
    if not lengths:
        raise ValueError("no examples to batch")
    epoch = 0
    while True:
        batches = length_grouped_batches(lengths, batch_size * world_size, seed=seed + epoch)
        for batch in batches:
            if world_size > 1:
                batch = (batch * world_size)[: batch_size * world_size]
            yield batch[rank * batch_size : (rank + 1) * batch_size]
        epoch += 1


def across_processes(loss: float, tokens: int) -> tuple[float, int]:
    """A step's loss and tokens over every process (the mean of the processes' losses,
    which each weigh their share of the global batch; the sum of their tokens); as given
    in a single process. Every process must call it at the same step."""
    if not (dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
        return loss, tokens
    both = torch.tensor([loss, float(tokens)], dtype=torch.float64)
    dist.all_reduce(both)
    return float(both[0]) / dist.get_world_size(), int(both[1])


def adapter_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Every adapter tensor of every block (LoRA A/B and DoRA magnitudes), by name.

    The optimiser is built over these once, not from ``requires_grad``, which the
    dynamic selection switches on and off from step to step.
    """
    return [p for params in block_adapter_params(model).values() for p in params]


def build_optimizer(
    params: Sequence[nn.Parameter], lr: float, weight_decay: float, warmup_steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW over ``params`` with linear warm-up then a constant rate."""
    optimizer = torch.optim.AdamW(list(params), lr=lr, weight_decay=weight_decay)

    def factor(step: int) -> float:
        return min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else 1.0

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def count_parameters(params: Sequence[nn.Parameter]) -> int:
    return sum(p.numel() for p in params)


def block_sizes(model: nn.Module) -> dict[int, int]:
    """Number of adapter weights in each block (P_l sizes)."""
    return {block: count_parameters(ps) for block, ps in block_adapter_params(model).items()}


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {key: value.to(device, non_blocking=True) for key, value in batch.items()}


@dataclass
class PeakMemory:
    """Peak memory of a stretch of training.

    On CUDA ``torch.cuda.max_memory_allocated`` (reset at ``start``). On the CPU the peak
    resident set size of the process, ``VmHWM`` in ``/proc/self/status``, reset at
    ``start`` by writing 5 to ``/proc/self/clear_refs`` (Linux); where that is not
    possible the process-lifetime peak (``ru_maxrss``) is reported, and ``kind`` says so.
    """

    device: torch.device
    kind: str = field(default="", init=False)

    def start(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.kind = "cuda_max_memory_allocated"
            return
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.kind = "rss_peak"
        except OSError:
            self.kind = "rss_peak_since_process_start"

    def peak_bytes(self) -> int:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            return int(torch.cuda.max_memory_allocated(self.device))
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # ru_maxrss is in KiB on Linux and in bytes on macOS.
        return int(peak if sys.platform == "darwin" else peak * 1024)


def current_rss_bytes() -> int:
    """The process's resident set size now (0 where /proc is missing)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0
