"""Stage II (revision generation) and the generation baselines: model, loss, step, loop.

Every method trains the same loss on the same batches with the same budget:

- ``intention-tuning``: LoRA on S_gen only, started from the Stage-I weights of those
  blocks (``itune_core.transfer.transfer_lora``); S_gen fixed ([decision]) or, with
  ``sgen_fixed: false``, dynamic selection inside S_gen (the ablation).
- ``lora`` / ``dora``: LoRA (DoRA) on every block, all trained every step.
- ``ir-tuning``: LoRA on every block with IR-Tuning's dynamic selection applied directly
  to generation (``itune_core.stages.dynamic_generation_step``).

Where the time and memory go: with LoRA on every block, backward runs through all blocks
and every adapted projection keeps its (dropped-out) input for the LoRA weight gradient.
With adapters on S_gen only, blocks below the lowest selected one need no backward at
all and blocks without adapters keep only what input gradients need. ``no_grad_below``
makes the first part explicit: those blocks run under ``torch.no_grad()``.
"""

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

import torch
import torch.distributed as dist
import torch.nn.functional as F
from peft import PeftModel, get_peft_model
from torch import nn
from transformers.modeling_outputs import CausalLMOutput

from itune_core.lora import layer_grad_norms, lora_config_from
from itune_core.method_config import LoraSettings
from itune_core.prompts import DEFAULT_PROMPT_FORMAT
from itune_core.selection import SelectionTracker
from itune_core.stages import dynamic_generation_step
from training.batching import IGNORE_INDEX, collate, encode_revision_example
from training.data import RevisionExample
from training.loop import StepLog, TrainingProgress, across_processes, to_device

log = logging.getLogger(__name__)


# --- data ----------------------------------------------------------------------------------


def encode_generation_data(
    tokenizer,
    examples: Sequence[RevisionExample],
    max_length: int,
    edit_weight: float = 1.0,
    prompt_format: str = DEFAULT_PROMPT_FORMAT,
) -> tuple[list[dict[str, list]], int]:
    """Generation examples in ``prompt_format`` (prompt masked out of the loss; per-token
    ``weights`` when ``edit_weight`` is not 1, see ``training.batching.edit_weights``), and
    how many were skipped because the prompt alone reaches ``max_length``.

    Raises:
        ValueError: every example was skipped (the message gives the first reason).
    """
    encoded, first_error = [], None
    for example in examples:
        try:
            encoded.append(
                encode_revision_example(tokenizer, example, max_length, edit_weight, prompt_format)
            )
        except ValueError as err:
            first_error = first_error or err
    skipped = len(examples) - len(encoded)
    if not encoded:
        raise ValueError(f"no generation example fits max_length={max_length}: {first_error}")
    if skipped:
        log.warning("skipped %d examples whose prompt fills max_length=%d", skipped, max_length)
    return encoded, skipped


# --- model ---------------------------------------------------------------------------------


def build_generation_model(
    base: nn.Module, lora: LoraSettings, *, layers: Sequence[int] | None, use_dora: bool = False
) -> PeftModel:
    """The Stage-II PEFT model: LoRA (or DoRA) on ``layers`` (None: every block).

    ``get_peft_model`` injects the adapters into ``base`` itself: give it its own copy.
    Adapters of a bf16 base are kept in float32 (PEFT's ``autocast_adapter_dtype``).
    """
    return get_peft_model(base, lora_config_from(lora, layers=layers, use_dora=use_dora))


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    """The decoder blocks (``model.layers`` of the causal LM) inside any wrapper.

    Raises:
        ValueError: no module with a ``layers`` list.
    """
    for module in model.modules():
        layers = getattr(module, "layers", None)
        if isinstance(layers, nn.ModuleList):
            return layers
    raise ValueError(f"cannot find the decoder blocks (layers) in {type(model).__name__}")


def _without_grad(forward: Callable) -> Callable:
    def run(*args, **kwargs):
        with torch.no_grad():
            return forward(*args, **kwargs)

    return run


@contextmanager
def no_grad_below(model: nn.Module, lowest: int) -> Iterator[None]:
    """Run decoder blocks ``0 .. lowest-1`` under ``torch.no_grad()`` inside the block.

    Valid when nothing in those blocks is trained (no trainable adapter there, base
    weights frozen, input embeddings frozen): then the loss and every gradient are the
    same as with the plain forward, and those blocks build no autograd graph. Autograd
    already records nothing for them in that case; this guarantees it, also for
    hooks such as PEFT's ``enable_input_require_grads`` that would make the embeddings'
    output require grad and drag a backward pass through the frozen bottom.
    """
    layers = decoder_layers(model)
    patched = []
    try:
        for layer in layers[: max(lowest, 0)]:
            own = layer.__dict__.get("forward")
            layer.forward = _without_grad(layer.forward)
            patched.append((layer, own))
        yield
    finally:
        for layer, own in patched:
            if own is None:
                del layer.forward
            else:
                layer.forward = own


def _global_mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``values.sum() / weights.sum()``; under several processes the divisor is the weight
    of every process's batch, scaled so that the processes' gradients, which DDP
    averages, add up to the gradient of the mean over the whole global batch (a mean per
    process would weigh a process's tokens by how few it had)."""
    total = weights.sum()
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        total = total.detach().clone()
        dist.all_reduce(total)
        return values.sum() * dist.get_world_size() / total
    return values.sum() / total


class GenerationLoss(nn.Module):
    """Next-token cross-entropy on the target tokens only (labels != -100); with
    ``weights`` (batch, seq), the weighted mean over the target tokens instead.

    Equal to ``model(..., labels=labels).loss`` of a Hugging Face causal LM, but the LM
    head runs only at the positions that predict a target token, not at every prompt
    and padding position: for SmolLM2 the head (576 x 49152) is about a fifth of the
    forward FLOPs and its logits the largest activation of the step. (Models with logit
    soft-capping, such as Gemma 2, would need it added here.)

    Returns a ``CausalLMOutput`` with ``loss`` (and no logits), so it drops into
    ``itune_core.stages.dynamic_generation_step`` in place of the model.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def _base(self) -> nn.Module:
        return self.model.get_base_model() if isinstance(self.model, PeftModel) else self.model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor,
        use_cache: bool = False,
        weights: torch.Tensor | None = None,
    ) -> CausalLMOutput:
        base = self._base()
        out = base.get_decoder()(
            input_ids=input_ids, attention_mask=attention_mask, use_cache=False
        )
        hidden = out.last_hidden_state  # (batch, seq, hidden)
        targets = labels[:, 1:]  # (batch, seq-1): position t predicts token t+1
        keep = targets != IGNORE_INDEX
        picked = hidden[:, :-1][keep]  # (targets, hidden)
        logits = base.get_output_embeddings()(picked)  # (targets, vocab)
        each = F.cross_entropy(logits.float(), targets[keep], reduction="none")  # (targets,)
        w = torch.ones_like(each) if weights is None else weights[:, 1:][keep].to(each.dtype)
        return CausalLMOutput(loss=_global_mean(each * w, w))


# --- one step ------------------------------------------------------------------------------


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def generation_step(
    loss_module: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: dict[str, torch.Tensor],
    blocks: Sequence[int],
    block_params: dict[int, list[nn.Parameter]],
    *,
    autocast_dtype: torch.dtype | None = None,
    norm: str = "l2",
    max_grad_norm: float | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[float, dict[int, float]]:
    """One Stage-II step with a fixed set of trained blocks.

    Args:
        loss_module: a ``GenerationLoss`` (possibly prepared by accelerate, which then
            does the autocast).
        optimizer: built once over the adapter parameters.
        batch: ``input_ids``, ``attention_mask``, ``labels`` (batch, seq) on the device.
        blocks: the trained blocks (S_gen, or every block).
        block_params: P_l per block, for the gradient norms.
        autocast_dtype: autocast here (None: none, or done by the prepared module).
        norm: ``"l2"`` or ``"reference"``, see ``layer_grad_norms``.
        max_grad_norm: clip the gradients to this norm after measuring them.
        timings: when given, filled with the seconds of ``forward``, ``backward`` and
            ``optimizer`` (norms, clipping and the update), synchronising the device.

    Returns:
        (loss, s_l of each block in ``blocks``).

    Raises:
        ValueError: a batch without target tokens.
    """
    labels = batch["labels"]
    if not bool((labels != IGNORE_INDEX).any()):
        raise ValueError("batch has no target token: every label is -100")
    device = labels.device
    clock = time.perf_counter
    optimizer.zero_grad(set_to_none=True)
    if timings is not None:
        _sync(device)
        start = clock()
    autocast = (
        torch.autocast(device_type=device.type, dtype=autocast_dtype)
        if autocast_dtype is not None
        else nullcontext()
    )
    with autocast:
        weighted = {"weights": batch["weights"]} if "weights" in batch else {}
        loss = loss_module(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            labels=labels,
            **weighted,
        ).loss
    if timings is not None:
        _sync(device)
        timings["forward"] = clock() - start
        start = clock()
    loss.backward()
    if timings is not None:
        _sync(device)
        timings["backward"] = clock() - start
        start = clock()
    norms = layer_grad_norms(block_params, blocks, norm=norm)
    if max_grad_norm is not None:
        params = [p for ps in block_params.values() for p in ps if p.grad is not None]
        torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    value = float(loss.detach())
    if timings is not None:
        _sync(device)
        timings["optimizer"] = clock() - start
    return value, norms


# --- the loop ------------------------------------------------------------------------------


def train_generation(
    loss_module: nn.Module,
    unwrapped: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    batches: Iterator[list[int]],
    encoded: Sequence[dict[str, list[int]]],
    *,
    steps: int,
    pad_id: int,
    device: torch.device,
    blocks: Sequence[int],
    block_params: dict[int, list[nn.Parameter]],
    tracker: SelectionTracker | None,
    norm: str,
    max_grad_norm: float | None,
    use_no_grad_below: bool,
    write_log: Callable[[StepLog], None],
    progress: TrainingProgress,
    start: int = 0,
    logs: Sequence[StepLog] = (),
    checkpoint: Callable[[int, list[StepLog]], None] | None = None,
) -> list[StepLog]:
    """Run Stage II for ``steps`` steps: fixed ``blocks`` or, with a ``tracker``, dynamic
    selection among its candidates. Each step is logged, then reported to ``progress``.

    A resumed run passes ``start`` (the steps already done, whose batches are skipped)
    and their ``logs``; ``checkpoint(step, logs)`` is called after every step (it decides
    whether to save).
    """
    logs = list(logs)
    for _ in range(start):
        next(batches)
    for step in range(start + 1, steps + 1):
        indices = next(batches)
        batch = to_device(collate([encoded[i] for i in indices], pad_id), device)
        started = time.perf_counter()
        lr = scheduler.get_last_lr()[0]
        selected = tuple(blocks) if tracker is None else tracker.next_selection()
        lowest = min(selected) if use_no_grad_below else 0
        with no_grad_below(unwrapped, lowest):
            if tracker is None:
                loss, norms = generation_step(
                    loss_module,
                    optimizer,
                    batch,
                    selected,
                    block_params,
                    norm=norm,
                    max_grad_norm=max_grad_norm,
                )
            else:
                record = dynamic_generation_step(
                    loss_module, optimizer, batch, tracker, norm=norm, max_grad_norm=max_grad_norm
                )
                loss, norms, selected = record.loss, record.norms, record.selected
        scheduler.step()
        step_loss, step_tokens = across_processes(loss, int(batch["attention_mask"].sum()))
        entry = StepLog(
            stage=2,
            step=step,
            loss=step_loss,
            selected=tuple(selected),
            norms=norms,
            lr=lr,
            seconds=time.perf_counter() - started,
            tokens=step_tokens,
        )
        logs.append(entry)
        write_log(entry)
        progress.on_step(entry)
        if checkpoint is not None:
            checkpoint(step, logs)
    return logs
