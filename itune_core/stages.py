"""One training step with dynamic layer selection, for Stage I and for IR-Tuning-gen.

A training loop (in ``training/``) builds the model, one optimizer over every adapter
parameter (and the head) and a ``SelectionTracker``, then calls a step function per
batch. A step: S_t from the tracker -> only P_l for l in S_t require grad ->
``zero_grad(set_to_none=True)`` so AdamW skips the frozen blocks -> forward and
backward -> s_l for l in S_t -> optimizer step -> the tracker records S_t and s.

Backward cost: blocks below the lowest selected one get no backward pass at all (no
activation entering them requires grad), and frozen blocks above it only pass gradients
through, without weight gradients; see ``set_trainable_blocks``.
"""

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import nn

from itune_core.lora import block_adapter_params, layer_grad_norms, set_trainable_blocks
from itune_core.predictor import IntentionClassifier
from itune_core.selection import SelectionTracker

IGNORE_INDEX = -100


@dataclass(frozen=True)
class StepRecord:
    """The outcome of one step.

    Attributes:
        step: 1-based step number (the tracker's count).
        loss: the training loss of the batch.
        selected: S_t, sorted ascending.
        norms: s_l measured in this step, for l in S_t.
    """

    step: int
    loss: float
    selected: tuple[int, ...]
    norms: dict[int, float]


def _require(batch: Mapping[str, torch.Tensor], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in batch]
    if missing:
        raise ValueError(f"batch lacks {', '.join(missing)}; it has {', '.join(batch)}")


def _autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager:
    if dtype is None:
        return nullcontext()
    if dtype == torch.float16:
        # fp16 needs loss scaling (GradScaler), which these steps do not do.
        raise ValueError("autocast_dtype float16 is not supported; use torch.bfloat16")
    return torch.autocast(device_type=device.type, dtype=dtype)


def _selective_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    tracker: SelectionTracker,
    compute_loss: Callable[[], torch.Tensor],
    device: torch.device,
    autocast_dtype: torch.dtype | None,
    norm: str,
    max_grad_norm: float | None,
) -> StepRecord:
    selected = tracker.next_selection()
    set_trainable_blocks(model, selected)
    optimizer.zero_grad(set_to_none=True)
    with _autocast(device, autocast_dtype):
        loss = compute_loss()
    loss.backward()
    # Measured before clipping: s_l is the raw gradient norm of the block.
    norms = layer_grad_norms(block_adapter_params(model), selected, norm=norm)
    if max_grad_norm is not None:
        trainable = [p for p in model.parameters() if p.grad is not None]
        torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm)
    optimizer.step()
    record = tracker.update(selected, norms)
    return StepRecord(step=record.step, loss=float(loss.detach()), selected=selected, norms=norms)


def stage1_step(
    classifier: IntentionClassifier,
    optimizer: torch.optim.Optimizer,
    batch: Mapping[str, torch.Tensor],
    tracker: SelectionTracker,
    *,
    autocast_dtype: torch.dtype | None = None,
    norm: str = "l2",
    max_grad_norm: float | None = None,
) -> StepRecord:
    """One Stage-I step: intention prediction, training only the blocks in S_t.

    Args:
        classifier: the PEFT model with LoRA on every block, plus its head.
        optimizer: one optimizer over all adapter parameters and the head, built once.
        batch: ``input_ids`` and ``attention_mask`` (batch, seq) and ``labels`` ((batch,)
            class indices, or (batch, num_labels) 0/1 for multi-label data), on the
            model's device.
        tracker: the selection state; updated in place.
        autocast_dtype: e.g. ``torch.bfloat16`` for mixed precision; None for none.
        norm: ``"l2"`` or ``"reference"``, see ``layer_grad_norms``.
        max_grad_norm: clip the gradients to this total norm after measuring them.

    Returns:
        The step's loss, S_t and the measured norms.

    Raises:
        ValueError: a batch without the needed keys, an unsupported autocast dtype, or
            any error of the selection, freezing and norm functions.
    """
    _require(batch, ("input_ids", "attention_mask", "labels"))

    def compute_loss() -> torch.Tensor:
        _, loss = classifier(batch["input_ids"], batch["attention_mask"], batch["labels"])
        return loss

    return _selective_step(
        classifier,
        optimizer,
        tracker,
        compute_loss,
        batch["input_ids"].device,
        autocast_dtype,
        norm,
        max_grad_norm,
    )


def dynamic_generation_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: Mapping[str, torch.Tensor],
    tracker: SelectionTracker,
    *,
    autocast_dtype: torch.dtype | None = None,
    norm: str = "l2",
    max_grad_norm: float | None = None,
) -> StepRecord:
    """One IR-Tuning-gen step: the generation loss, training only the blocks in S_t.

    Also serves the ablation with dynamic selection inside S_gen (a tracker whose
    candidates are S_gen, on the Stage-II model).

    Args:
        model: a PEFT causal LM.
        optimizer: one optimizer over all adapter parameters, built once.
        batch: ``input_ids``, ``attention_mask`` and ``labels`` (batch, seq), the labels
            being the input ids with prompt and padding tokens set to -100.
        tracker: the selection state; updated in place.
        autocast_dtype: e.g. ``torch.bfloat16`` for mixed precision; None for none.
        norm: ``"l2"`` or ``"reference"``, see ``layer_grad_norms``.
        max_grad_norm: clip the gradients to this total norm after measuring them.

    Returns:
        The step's loss, S_t and the measured norms.

    Raises:
        ValueError: a batch without the needed keys or without any target token, an
            unsupported autocast dtype, or any error of selection, freezing and norms.
    """
    _require(batch, ("input_ids", "attention_mask", "labels"))
    labels = batch["labels"]
    # All -100 would give a NaN loss (0 / 0) and NaN norms for every selected block.
    if not bool((labels != IGNORE_INDEX).any()):
        raise ValueError("batch has no target token: every label is -100")

    # Per-token loss weights travel only when the batch has them (a GenerationLoss takes
    # them; a plain causal LM does not).
    weighted = {"weights": batch["weights"]} if "weights" in batch else {}

    def compute_loss() -> torch.Tensor:
        out = model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            labels=labels,
            use_cache=False,
            **weighted,
        )
        return out.loss

    return _selective_step(
        model,
        optimizer,
        tracker,
        compute_loss,
        batch["input_ids"].device,
        autocast_dtype,
        norm,
        max_grad_norm,
    )
