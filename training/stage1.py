"""Stage I: intention prediction with dynamic layer selection (IR-Tuning), and the
choice of the generation layers S_gen from the importance frequency G.

The data are the training set's own (before, after, labels) pairs in the prediction
prompt of docs/method.md; the model is the causal LM with LoRA on every block and a
trainable linear head (``itune_core.predictor.IntentionClassifier``).
"""

import logging
import time
from collections.abc import Callable, Iterator, Sequence

import torch
from peft import get_peft_model
from torch import nn

from itune_core.lora import lora_config_from
from itune_core.method_config import MethodConfig
from itune_core.predictor import IntentionClassifier, prediction_prompt
from itune_core.selection import SelectionTracker, alignment_ratio
from itune_core.stages import stage1_step
from training.batching import collate
from training.data import Dataset
from training.loop import StepLog, TrainingProgress, across_processes, to_device
from training.stage2 import no_grad_below

log = logging.getLogger(__name__)


def encode_prediction_data(
    tokenizer, dataset: Dataset, max_length: int
) -> tuple[list[dict[str, list[int]]], torch.Tensor, int]:
    """Token ids of each example's prediction prompt, and its targets.

    Returns:
        (encoded examples, targets, how many prompts were cut at ``max_length``);
        targets are (examples,) class indices for single-label data and
        (examples, labels) 0/1 floats for multi-label data.
    """
    labels = list(dataset.labels)
    encoded, truncated = [], 0
    for example in dataset.examples:
        ids = tokenizer(prediction_prompt(example.before, example.after, labels))["input_ids"]
        if len(ids) > max_length:
            truncated += 1
            ids = ids[:max_length]
        encoded.append({"input_ids": list(ids)})
    if dataset.multi_label:
        targets = torch.zeros(len(dataset.examples), len(labels))  # (examples, labels)
        for row, example in enumerate(dataset.examples):
            for label in example.labels:
                targets[row, labels.index(label)] = 1.0
    else:
        targets = torch.tensor([labels.index(e.labels[0]) for e in dataset.examples])
    if truncated:
        log.warning("cut %d prediction prompts at max_length=%d", truncated, max_length)
    return encoded, targets, truncated


def build_classifier(
    base: nn.Module, method: MethodConfig, num_labels: int, multi_label: bool
) -> IntentionClassifier:
    """LoRA on every block of ``base`` (its own copy: PEFT mutates it) plus the head."""
    peft_model = get_peft_model(base, lora_config_from(method.lora))
    return IntentionClassifier(
        peft_model, num_labels, multi_label=multi_label, train_head=method.head_trainable
    )


def make_tracker(num_blocks: int, method: MethodConfig, candidates=None) -> SelectionTracker:
    return SelectionTracker(
        num_blocks,
        candidates=candidates,
        first_step=method.first_step,
        seed=method.seed,
        **method.varsplit_options(),
    )


def train_prediction(
    classifier: nn.Module,
    unwrapped: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    batches: Iterator[list[int]],
    encoded: Sequence[dict[str, list[int]]],
    targets: torch.Tensor,
    *,
    steps: int,
    pad_id: int,
    device: torch.device,
    tracker: SelectionTracker,
    method: MethodConfig,
    max_grad_norm: float | None,
    use_no_grad_below: bool,
    write_log: Callable[[StepLog], None],
    progress: TrainingProgress,
) -> list[StepLog]:
    """Run Stage I for ``steps`` steps; the tracker ends holding G, s and the history."""
    logs = []
    for step in range(1, steps + 1):
        indices = next(batches)
        batch = collate([encoded[i] for i in indices], pad_id)
        batch["labels"] = targets[indices]
        batch = to_device(batch, device)
        started = time.perf_counter()
        lr = scheduler.get_last_lr()[0]
        # Same set stage1_step will pick: next_selection is stable until update().
        lowest = min(tracker.next_selection()) if use_no_grad_below else 0
        with no_grad_below(unwrapped, lowest):
            record = stage1_step(
                classifier,
                optimizer,
                batch,
                tracker,
                norm=method.norm,
                max_grad_norm=max_grad_norm,
            )
        scheduler.step()
        step_loss, step_tokens = across_processes(record.loss, int(batch["attention_mask"].sum()))
        entry = StepLog(
            stage=1,
            step=step,
            loss=step_loss,
            selected=record.selected,
            norms=record.norms,
            lr=lr,
            seconds=time.perf_counter() - started,
            tokens=step_tokens,
        )
        logs.append(entry)
        write_log(entry)
        progress.on_step(entry)
    return logs


def generation_layers(tracker: SelectionTracker, method: MethodConfig) -> dict:
    """S_gen by the configured rule, S_pre (the last step's S_t) and the alignment ratio."""
    s_gen = tracker.generation_layers(method.sgen_rule)
    s_pre = tracker.history[-1].selected
    return {
        "s_gen": list(s_gen),
        "s_pre": list(s_pre),
        "alignment_ratio": alignment_ratio(s_pre, s_gen),
    }
