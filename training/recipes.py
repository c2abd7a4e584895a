"""The training recipe: data -> (Stage I) -> Stage II -> a published output folder.

    from training.config import TrainConfig
    from training.recipes import train
    result = train(TrainConfig(method="intention-tuning", data="iterater-sent",
                               output="runs/it", max_steps=300), home=Path("~/.cache/itune"))

Everything that can fail on bad input (config, output folder, data, model) is checked
before the first step; outputs are written to a staging folder and published whole (see
``training.outputs``). Under ``accelerate launch`` or ``torchrun`` every process trains on
its slice of each global batch (``training.loop.batch_schedule``; the generation loss is
normalised by the global batch's tokens, the gradients averaged by DDP before the block
norms are taken), so all select the same blocks, and the main process writes the outputs.
"""

import gc
import logging
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import accelerate
import peft
import torch
import transformers
from accelerate import Accelerator, DistributedDataParallelKwargs
from accelerate.state import AcceleratorState
from accelerate.utils import set_seed
from torch import nn
from transformers import AutoModelForCausalLM, AutoTokenizer

from itune_core.build_lock import BUILD_LOCK
from itune_core.bundle import (
    AdapterBundle,
    PredictorInfo,
    load_predictor,
    save_peft_adapter,
    save_predictor,
)
from itune_core.errors import ModelLoadError
from itune_core.lora import block_adapter_params, num_blocks
from itune_core.method_config import LoraSettings
from itune_core.model import default_device, default_dtype, resolve_model_source
from itune_core.selection import SelectionTracker, select_generation_layers
from itune_core.transfer import transfer_lora
from training.checkpoints import Checkpoints, checkpoint_dir, fingerprint
from training.config import TrainConfig, dump_yaml
from training.data import Dataset, load_dataset
from training.loop import (
    PeakMemory,
    StepLog,
    TrainingProgress,
    adapter_parameters,
    batch_schedule,
    block_sizes,
    build_optimizer,
    count_parameters,
    stage_steps,
)
from training.outputs import (
    StagingDir,
    check_output,
    examples_sha256,
)
from training.stage1 import (
    build_classifier,
    encode_prediction_data,
    generation_layers,
    make_tracker,
    train_prediction,
)
from training.stage2 import (
    GenerationLoss,
    build_generation_model,
    encode_generation_data,
    train_generation,
)

log = logging.getLogger(__name__)

STAGE_NAMES = {1: "Stage I (intention prediction)", 2: "Stage II (revision generation)"}


@dataclass(frozen=True)
class RunResult:
    """What a finished run produced: the output folder, S_gen and the metrics."""

    output: Path
    s_gen: tuple[int, ...]
    metrics: dict[str, Any]


def resolve_precision(config: TrainConfig) -> tuple[str, torch.dtype]:
    """(``mixed_precision`` for accelerate, dtype of the frozen base weights)."""
    device = default_device(cpu=config.cpu)
    mixed = config.mixed_precision
    if mixed == "auto":
        mixed = "bf16" if default_dtype(device) == torch.bfloat16 else "no"
    if config.base_dtype == "auto":
        base = torch.bfloat16 if mixed == "bf16" else torch.float32
    else:
        base = getattr(torch, config.base_dtype)
    return mixed, base


def make_accelerator(mixed_precision: str, cpu: bool) -> Accelerator:
    # Dynamic selection leaves adapters without gradients in most steps: DDP must look
    # for unused parameters (no effect in a single process).
    ddp = DistributedDataParallelKwargs(find_unused_parameters=True)
    state = AcceleratorState._shared_state
    if state and state.get("_mixed_precision") != mixed_precision and not state.get("backend"):
        # accelerate keeps one state per process and refuses a second precision; a single
        # process that trains again (a worker, the tests) starts it afresh. (Private API:
        # accelerate offers no public reset.)
        AcceleratorState._reset_state()
    return Accelerator(mixed_precision=mixed_precision, cpu=cpu, kwargs_handlers=[ddp])


def load_base(location: str, source: str, dtype: torch.dtype) -> torch.nn.Module:
    """A fresh copy of the base model (each stage needs its own: PEFT mutates it)."""
    try:
        with BUILD_LOCK:
            model = AutoModelForCausalLM.from_pretrained(location, dtype=dtype)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot load model {source!r}: {err}") from None
    model.config.use_cache = False
    return model


def load_tokenizer(location: str, source: str):
    try:
        tokenizer = AutoTokenizer.from_pretrained(location)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot load the tokenizer of {source!r}: {err}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _history(tracker: SelectionTracker) -> list[dict[str, Any]]:
    return [
        {"step": h.step, "selected": list(h.selected), "norms": list(h.norms)}
        for h in tracker.history
    ]


def _fixed_history(logs: list[StepLog], num: int) -> list[dict[str, Any]]:
    history = []
    for entry in logs:
        norms: list[float | None] = [None] * num
        for block, value in entry.norms.items():
            norms[block] = value
        history.append({"step": entry.step, "selected": list(entry.selected), "norms": norms})
    return history


def _stage_metrics(
    logs: list[StepLog], seconds: float, peak: PeakMemory, trainable: int, sizes: dict[int, int]
) -> dict[str, Any]:
    losses = [entry.loss for entry in logs]
    head = losses[: min(10, len(losses))]
    tail = losses[-min(10, len(losses)) :]
    return {
        "steps": len(logs),
        "seconds": seconds,
        "seconds_per_step_median": statistics.median(e.seconds for e in logs),
        "tokens_per_second": sum(e.tokens for e in logs) / seconds if seconds > 0 else None,
        "peak_memory_bytes": peak.peak_bytes(),
        "peak_memory_kind": peak.kind,
        "trainable_params": trainable,
        "mean_selected": statistics.mean(len(e.selected) for e in logs),
        "mean_trained_params_per_step": statistics.mean(
            sum(sizes[b] for b in e.selected) for e in logs
        ),
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "loss_first10_mean": statistics.mean(head),
        "loss_last10_mean": statistics.mean(tail),
    }


@dataclass
class _Run:
    """What both stages of one run share."""

    config: TrainConfig
    accelerator: Accelerator
    num_blocks: int
    pad_id: int
    progress: TrainingProgress
    write_log: Callable[[StepLog], None]
    checkpoints: Checkpoints
    parent: AdapterBundle | None = None  # init_from: Stage II starts from its weights

    @property
    def device(self) -> torch.device:
        return self.accelerator.device

    def schedule(self, data: list[dict[str, list[int]]]) -> Iterator[list[int]]:
        return batch_schedule(
            [len(x["input_ids"]) for x in data],
            self.config.batch_size,
            self.config.seed,
            rank=self.accelerator.process_index,
            world_size=self.accelerator.num_processes,
        )


@dataclass
class _Stage1Outcome:
    classifier: nn.Module
    s_gen: tuple[int, ...]
    metrics: dict[str, Any]
    selection: dict[str, Any]
    logs: list[StepLog]
    earlier_seconds: float = 0.0  # spent on it by an earlier, interrupted call


def _resumed_stage1(
    run: _Run, base: nn.Module, done: dict[str, Any], folder: Path, steps: int
) -> _Stage1Outcome:
    """Stage I as a checkpoint saved it: the predictor (whose adapter Stage II starts
    from), S_gen, metrics and the step log (written to this run's log again)."""
    log.info("Stage I already done (checkpoint in %s): S_gen = %s", folder, done["s_gen"])
    classifier = load_predictor(folder, base)
    run.progress.on_stage_start(1, STAGE_NAMES[1], steps)
    for entry in done["logs"]:
        run.write_log(entry)
        run.progress.on_step(entry)
    run.progress.on_stage_end(1)
    return _Stage1Outcome(
        classifier,
        tuple(done["s_gen"]),
        done["metrics"],
        done["selection"],
        done["logs"],
        earlier_seconds=done["metrics"]["seconds"],
    )


@dataclass
class _Stage2Outcome:
    model: nn.Module
    adapted: list[int]
    metrics: dict[str, Any]
    selection: dict[str, Any]
    earlier_seconds: float = 0.0  # spent on it by earlier, interrupted calls


def _stage1(run: _Run, base: nn.Module, dataset, data, targets, steps: int) -> _Stage1Outcome:
    """Intention prediction with dynamic selection; S_gen from its importance frequency."""
    config, method = run.config, run.config.method_config
    set_seed(config.seed)
    classifier = build_classifier(base, method, len(dataset.labels), dataset.multi_label)
    classifier.to(run.device).train()
    params = adapter_parameters(classifier)
    if method.head_trainable:
        params += list(classifier.head.parameters())
    optimizer, scheduler = build_optimizer(
        params, config.stage1_learning_rate, config.weight_decay, config.warmup_steps
    )
    prepared = run.accelerator.prepare_model(classifier)
    tracker = make_tracker(run.num_blocks, method)
    peak = PeakMemory(run.device)
    peak.start()
    run.progress.on_stage_start(1, STAGE_NAMES[1], steps)
    started = time.perf_counter()
    logs = train_prediction(
        prepared,
        classifier,
        optimizer,
        scheduler,
        run.schedule(data),
        data,
        targets,
        steps=steps,
        pad_id=run.pad_id,
        device=run.device,
        tracker=tracker,
        method=method,
        max_grad_norm=config.max_grad_norm,
        use_no_grad_below=config.no_grad_below,
        write_log=run.write_log,
        progress=run.progress,
    )
    seconds = time.perf_counter() - started
    run.progress.on_stage_end(1)
    metrics = _stage_metrics(logs, seconds, peak, count_parameters(params), block_sizes(classifier))
    chosen = generation_layers(tracker, method)
    log.info("S_gen = %s (alignment ratio %.2f)", chosen["s_gen"], chosen["alignment_ratio"])
    selection = {
        "stage1": {
            "steps": tracker.steps,
            "G": list(tracker.counts),
            "last_norms": list(tracker.norms),
            "mean_selected": tracker.mean_selected,
            "s_pre": chosen["s_pre"],
            "history": _history(tracker),
        },
        "sgen_rule": method.sgen_rule,
        "alignment_ratio": chosen["alignment_ratio"],
    }
    # accelerate keeps a reference to every prepared model: drop Stage I's.
    run.accelerator.free_memory()
    return _Stage1Outcome(classifier, tuple(chosen["s_gen"]), metrics, selection, logs)


def _generation_model(run: _Run, base: nn.Module, stage1: _Stage1Outcome | None) -> nn.Module:
    """Stage II's model on the run's device: LoRA on S_gen holding the Stage-I weights, or
    on every block."""
    method = run.config.method_config
    layers = stage1.s_gen if stage1 else None
    model = build_generation_model(
        base, method.lora, layers=layers, use_dora=run.config.method == "dora"
    )
    if run.parent is not None:
        _load_parent_weights(model, run.parent)
    elif stage1 is not None:
        copied = transfer_lora(stage1.classifier, model, stage1.s_gen)
        log.info("copied %d Stage-I adapter tensors into Stage II", copied)
        stage1.classifier = None  # the Stage-I model is done with: free it before training
        gc.collect()
    return model.to(run.device)


def _load_parent_weights(model: nn.Module, parent: AdapterBundle) -> None:
    """Put the parent bundle's generation adapter into ``model`` (built with the parent's
    LoRA settings and blocks), so Stage II goes on from where the parent stopped.

    Raises:
        ValueError: the parent's tensors do not fit the model (names or shapes).
    """
    weights = parent.generation_weights()
    try:
        result = peft.set_peft_model_state_dict(model, weights)
    except RuntimeError as err:  # a shape mismatch
        raise ValueError(f"init_from: {parent.folder}: the adapter does not fit: {err}") from None
    missing = [k for k in result.missing_keys if "lora_" in k]
    if result.unexpected_keys or missing:
        raise ValueError(
            f"init_from: {parent.folder}: the adapter does not fit the model "
            f"(unexpected {result.unexpected_keys[:3]}, missing {missing[:3]})"
        )
    log.info("started Stage II from the %d adapter tensors of %s", len(weights), parent.folder)


def _parent_stage1(setup: "_Setup", folder: Path | None) -> _Stage1Outcome | None:
    """In place of Stage I for a run started from a parent (``init_from``): the parent's
    S_gen, and its predictor copied unchanged into the output (``folder``; None: not the
    main process). None for the one-stage methods."""
    parent = setup.parent
    if parent is None or not setup.two_stages:
        return None
    if folder is not None:
        parent.copy_predictor(folder)
    lineage = parent.lineage or {}
    selection = {
        "stage1": None,
        "sgen_rule": (parent.selection or {}).get("sgen_rule"),
        "alignment_ratio": None,
        "s_gen_from": parent.parent_record(),
    }
    log.info("Stage I skipped: S_gen %s and the predictor from %s", lineage["s_gen"], parent.folder)
    return _Stage1Outcome(None, tuple(lineage["s_gen"]), {}, selection, [])


def read_parent(config: TrainConfig, model_name: str, location: str) -> AdapterBundle:
    """The bundle ``config.init_from`` names, checked to be a finished run of the same
    base model and method (and, for intention-tuning, with its S_gen and predictor).

    Raises:
        ValueError: any of these is not so; the message names ``init_from``.
    """
    folder = Path(config.init_from).expanduser()
    where = f"init_from: {config.init_from}"
    if not folder.is_dir() or not AdapterBundle.has_generation_adapter(folder):
        raise ValueError(f"{where} is not an adapter bundle (no generation adapter there)")
    try:
        parent = AdapterBundle.read(folder)
        lineage, _ = parent.require_records()
    except ValueError as err:
        raise ValueError(f"{where} is not an adapter bundle: {err}") from None
    base = lineage.get("base_model")
    # A local model folder may be named another way (relative, with ~) than the parent's.
    same_base = base == model_name or (
        isinstance(base, str) and Path(base).expanduser().resolve() == Path(location).resolve()
    )
    if not same_base:
        raise ValueError(f"{where} was trained on base model {base!r}, not {model_name!r}")
    if lineage.get("method") != config.method:
        raise ValueError(
            f"{where} was trained with method {lineage.get('method')!r}, not {config.method!r}"
        )
    if not isinstance((lineage.get("method_config") or {}).get("lora"), dict):
        raise ValueError(f"{where}: its lineage records no LoRA settings (method_config.lora)")
    if config.method == "intention-tuning" and (
        parent.predictor_info is None or not lineage.get("s_gen")
    ):
        raise ValueError(f"{where} has no Stage-I predictor or S_gen to start from")
    return parent


def _stage2_selection(
    run: _Run, logs: list[StepLog], tracker: SelectionTracker | None
) -> dict[str, Any]:
    """Stage II's block selection, for the bundle (``tracker``: dynamic selection)."""
    selection: dict[str, Any] = {
        "dynamic": tracker is not None,
        "steps": len(logs),
        "G": [sum(b in e.selected for e in logs) for b in range(run.num_blocks)],
        "history": _history(tracker) if tracker else _fixed_history(logs, run.num_blocks),
    }
    if run.config.method == "ir-tuning":
        # What Stage I's rule would pick from this run's own G (for overlap reports).
        method = run.config.method_config
        selection["s_gen_from_G"] = list(
            select_generation_layers(
                tracker.counts,
                tracker.norms,
                rule=method.sgen_rule,
                mean_selected=tracker.mean_selected,
                steps=tracker.steps,
                **method.varsplit_options(),
            )
        )
    return selection


def _stage2(
    run: _Run, base: nn.Module, data, steps: int, stage1: _Stage1Outcome | None
) -> _Stage2Outcome:
    """Revision generation: LoRA on S_gen from the Stage-I weights, or on every block."""
    config, method = run.config, run.config.method_config
    set_seed(config.seed)
    model = _generation_model(run, base, stage1)
    loss_module = GenerationLoss(model).train()
    params = adapter_parameters(model)
    adapted = sorted(block_adapter_params(model))
    optimizer, scheduler = build_optimizer(
        params, config.lr, config.weight_decay, config.warmup_steps
    )
    prepared = run.accelerator.prepare_model(loss_module)
    dynamic = config.method == "ir-tuning" or (stage1 is not None and not method.sgen_fixed)
    tracker = make_tracker(run.num_blocks, method, candidates=adapted) if dynamic else None
    resumed = run.checkpoints.load_stage2(params, optimizer, scheduler)
    if tracker is not None and resumed:
        # The tracker's state (last norms, counts, history) is a function of the steps it
        # recorded, and each step's log holds S_t and its norms: replaying them restores it.
        for entry in resumed.logs:
            tracker.update(entry.selected, entry.norms)
    start = resumed.step if resumed else 0
    earlier = resumed.seconds if resumed else 0.0
    peak = PeakMemory(run.device)
    peak.start()
    run.progress.on_stage_start(2, STAGE_NAMES[2], steps)
    for entry in resumed.logs if resumed else ():
        run.write_log(entry)
        run.progress.on_step(entry)
    started = time.perf_counter()

    def checkpoint(step: int, logs: list[StepLog]) -> None:
        every, snap = config.checkpoint_every, config.snapshot_every
        if every and (step % every == 0 or step == steps):
            spent = earlier + time.perf_counter() - started
            run.checkpoints.save_stage2(step, params, optimizer, scheduler, logs, spent)
        if snap and step % snap == 0 and run.accelerator.is_main_process:
            save_peft_adapter(
                run.accelerator.unwrap_model(prepared).model, run.checkpoints.snapshot_dir(step)
            )

    logs = train_generation(
        prepared,
        loss_module,
        optimizer,
        scheduler,
        run.schedule(data),
        data,
        steps=steps,
        pad_id=run.pad_id,
        device=run.device,
        blocks=adapted,
        block_params=block_adapter_params(model),
        tracker=tracker,
        norm=method.norm,
        max_grad_norm=config.max_grad_norm,
        use_no_grad_below=config.no_grad_below,
        write_log=run.write_log,
        progress=run.progress,
        start=start,
        logs=resumed.logs if resumed else (),
        checkpoint=checkpoint,
    )
    seconds = earlier + time.perf_counter() - started
    run.progress.on_stage_end(2)
    metrics = _stage_metrics(logs, seconds, peak, count_parameters(params), block_sizes(model))
    metrics["adapter_blocks"] = adapted
    selection = _stage2_selection(run, logs, tracker)
    unwrapped = run.accelerator.unwrap_model(prepared).model
    return _Stage2Outcome(unwrapped, adapted, metrics, selection, earlier)


@dataclass
class _Setup:
    """A run's inputs, checked and encoded before any training (``pred_*`` and ``steps1``
    only for intention-tuning)."""

    output: Path
    accelerator: Accelerator
    mixed: str
    base_dtype: torch.dtype
    resolved: TrainConfig
    dataset: Dataset
    model_name: str
    location: str
    tokenizer: Any
    gen_data: list[dict[str, list[int]]]
    skipped: int
    steps2: int
    steps1: int | None = None
    pred_data: list[dict[str, list[int]]] | None = None
    pred_targets: Any = None
    truncated: int | None = None
    parent: AdapterBundle | None = None  # init_from

    @property
    def two_stages(self) -> bool:
        return self.resolved.method == "intention-tuning"

    @property
    def base_dtype_name(self) -> str:
        return str(self.base_dtype).removeprefix("torch.")

    def load_base(self) -> nn.Module:
        return load_base(self.location, self.resolved.model, self.base_dtype)


def _setup(config: TrainConfig, home: Path) -> _Setup:
    """Check the output folder, make the accelerator, load and encode the data and the
    tokenizer, and resolve the config (steps, precision): everything that can be wrong
    with the input fails here, before any training."""
    output = Path(config.output).expanduser().resolve()
    mixed, base_dtype = resolve_precision(config)
    accelerator = make_accelerator(mixed, config.cpu)
    if accelerator.is_main_process:
        check_output(output, config.overwrite)

    dataset = load_dataset(config.data, config.split)
    model_name, location = resolve_model_source(config.model, home / "models")
    tokenizer = load_tokenizer(location, config.model)
    pred_data = pred_targets = truncated = steps1 = parent = None
    if config.init_from is not None:
        parent = read_parent(config, model_name, location)
        # The child has its parent's adapter layout: same LoRA settings, so its weights fit,
        # and its parent's prompt format, which the parent's weights learned to answer.
        lora = LoraSettings.from_dict(parent.lineage["method_config"]["lora"])
        if parent.prompt_format != config.prompt_format:
            log.warning(
                "prompt_format %s: init_from was trained with %s, which the run keeps",
                config.prompt_format,
                parent.prompt_format,
            )
        config = config.with_changes(
            init_from=str(parent.folder.resolve()),
            method_config=replace(config.method_config, lora=lora),
            prompt_format=parent.prompt_format.value,
        )
    gen_data, skipped = encode_generation_data(
        tokenizer, dataset.examples, config.max_length, config.edit_weight, config.prompt_format
    )
    if config.method == "intention-tuning" and parent is None:
        pred_data, pred_targets, truncated = encode_prediction_data(
            tokenizer, dataset, config.max_length
        )
        steps1 = stage_steps(len(pred_data), config.batch_size, config.epochs, config.stage1_budget)
    steps2 = stage_steps(len(gen_data), config.batch_size, config.epochs, config.max_steps)
    resolved = config.with_changes(
        output=str(output),
        mixed_precision=mixed,
        base_dtype=str(base_dtype).removeprefix("torch."),
        max_steps=steps2,
        stage1_steps=steps1,
    )
    return _Setup(
        output,
        accelerator,
        mixed,
        base_dtype,
        resolved,
        dataset,
        model_name,
        location,
        tokenizer,
        gen_data,
        skipped,
        steps2,
        steps1,
        pred_data,
        pred_targets,
        truncated,
        parent,
    )


def _make_checkpoints(setup: _Setup) -> Checkpoints:
    """The run's checkpoints beside its output, for this config and data only."""
    config = setup.resolved
    return Checkpoints(
        checkpoint_dir(setup.output),
        fingerprint(config.to_dict(), examples_sha256(setup.dataset.examples)),
        # --checkpoint-every 0 and no snapshots: nothing is kept beside the output.
        enabled=setup.accelerator.is_main_process
        and bool(config.checkpoint_every or config.snapshot_every),
    )


def _log_writer(f) -> Callable[[StepLog], None]:
    """Writes each step to the run's step log (``f``; None: other processes, no log)."""

    def write_log(entry: StepLog) -> None:
        if f is not None:
            f.write(entry.to_json() + "\n")
            f.flush()  # the log is read live (tail -f, the app's worker)

    return write_log


def _run_stage1(run: _Run, base: nn.Module, setup: _Setup, folder: Path | None) -> _Stage1Outcome:
    """Stage I, trained and checkpointed or resumed from its checkpoint; its predictor is
    saved into the output (``folder``; None: not the main process)."""
    dataset, checkpoints, steps1 = setup.dataset, run.checkpoints, setup.steps1
    done = checkpoints.stage1_done()
    if done is None:
        stage1 = _stage1(run, base, dataset, setup.pred_data, setup.pred_targets, steps1)
        stage1.metrics["truncated_prompts"] = setup.truncated
        checkpoints.save_stage1(
            lambda where: save_predictor(
                stage1.classifier, where, _predictor_info(stage1, dataset)
            ),
            {
                "s_gen": list(stage1.s_gen),
                "metrics": stage1.metrics,
                "selection": stage1.selection,
            },
            stage1.logs,
        )
    else:
        stage1 = _resumed_stage1(run, base, done, checkpoints.stage1_predictor_dir, steps1)
    if folder is not None:
        predictor = AdapterBundle(
            predictor=stage1.classifier, predictor_info=_predictor_info(stage1, dataset)
        )
        predictor.save(folder, finish=False)
    return stage1


def _predictor_info(stage1: _Stage1Outcome, dataset) -> PredictorInfo:
    """What the bundle records of Stage I's predictor: the data's labels, in head order."""
    return PredictorInfo(tuple(dataset.labels), dataset.multi_label, stage1.classifier.threshold)


def _run_metrics(
    setup: _Setup,
    stage1: _Stage1Outcome | None,
    stage2: _Stage2Outcome,
    seconds: float,
) -> dict[str, Any]:
    """The bundle's metrics. ``total_seconds`` is the training time of the whole run: this
    call's ``seconds`` plus what earlier, interrupted calls spent on the stages it resumed
    (up to their last checkpoint; steps redone after it count once). The OpenMP wait policy
    and thread count are recorded because on a CPU they change the time by a sixth."""
    earlier = (stage1.earlier_seconds if stage1 else 0.0) + stage2.earlier_seconds
    return {
        "method": setup.resolved.method,
        "device": str(setup.accelerator.device),
        "num_processes": setup.accelerator.num_processes,
        "mixed_precision": setup.mixed,
        "base_dtype": setup.base_dtype_name,
        "examples": len(setup.dataset),
        "generation_examples": len(setup.gen_data),
        "skipped_long_examples": setup.skipped,
        **({"stage1": stage1.metrics} if stage1 and stage1.metrics else {}),
        "stage2": stage2.metrics,
        "total_seconds": earlier + seconds,
        "seconds_this_call": seconds,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }


def _run_selection(
    setup: _Setup,
    num: int,
    s_gen: tuple[int, ...],
    stage1: _Stage1Outcome | None,
    stage2: _Stage2Outcome,
) -> dict[str, Any]:
    """The bundle's selection record."""
    return {
        "num_blocks": num,
        "method": setup.resolved.method,
        "s_gen": list(s_gen),
        "adapter_blocks": stage2.adapted,
        **(stage1.selection if stage1 else {"stage1": None, "alignment_ratio": None}),
        "stage2": stage2.selection,
    }


def _publish(
    folder: Path,
    setup: _Setup,
    stage2: _Stage2Outcome,
    s_gen: tuple[int, ...],
    selection: dict[str, Any],
    metrics: dict[str, Any],
    command: str | None,
) -> None:
    """Write the config, then the adapter bundle (the generation adapter, selection,
    lineage and, last, the metrics that mark a finished run) into the staging ``folder``."""
    output, resolved = setup.output, setup.resolved
    header = (
        f"Resolved config of the run in {output}.\n"
        f"Run again: python -m training train --config {AdapterBundle.config_path(output)} "
        "--output NEW_DIR" + (f"\nRan as: {command}" if command else "")
    )
    AdapterBundle.config_path(folder).write_text(dump_yaml(resolved, header), encoding="utf-8")
    lineage = _lineage(
        resolved, setup.model_name, setup.location, setup.dataset, setup.gen_data, s_gen, command
    )
    lineage["adapter_blocks"] = stage2.adapted
    if setup.parent is not None:
        lineage["parent"] = setup.parent.parent_record()
    bundle = AdapterBundle(
        lineage=lineage, metrics=metrics, selection=selection, generation=stage2.model
    )
    bundle.save(folder)


def train(
    config: TrainConfig,
    *,
    home: Path,
    progress: TrainingProgress | None = None,
    command: str | None = None,
) -> RunResult:
    """Run one training recipe and publish its output folder.

    Args:
        config: the run.
        home: ITUNE_HOME; the embedded model is converted once into ``home/models``.
        progress: observer of stages and steps (progress bars, the app's worker, tests).
        command: the command line, recorded with the outputs.

    Returns:
        The published folder, S_gen and the metrics.

    Raises:
        ValueError: a bad config or output folder.
        DataError: bad data (file, line and field named), before any training.
        ModelLoadError: the model or tokenizer cannot be loaded, before any training.
    """
    setup = _setup(config, home)
    output, accelerator = setup.output, setup.accelerator
    main = accelerator.is_main_process
    base = setup.load_base()
    num = num_blocks(base)
    log.info(
        "training %s on %s (%d examples) from %s: %d blocks, %s, mixed precision %s",
        config.method,
        setup.dataset.name,
        len(setup.gen_data),
        setup.model_name,
        num,
        accelerator.device,
        setup.mixed,
    )
    checkpoints = _make_checkpoints(setup)
    started = time.perf_counter()
    with StagingDir(output) if main else nullcontext() as staging:
        folder = staging.path if main else None
        log_path = AdapterBundle.step_log_path(folder) if main else None
        with log_path.open("w", encoding="utf-8") if main else nullcontext() as f:
            pad_id = setup.tokenizer.pad_token_id
            progress = progress or TrainingProgress()
            run = _Run(
                setup.resolved,
                accelerator,
                num,
                pad_id,
                progress,
                _log_writer(f),
                checkpoints,
                setup.parent,
            )
            stage1 = _parent_stage1(setup, folder)
            if setup.two_stages and setup.parent is None:
                stage1 = _run_stage1(run, base, setup, folder)
                base = setup.load_base()  # PEFT mutated the first
            stage2 = _stage2(run, base, setup.gen_data, setup.steps2, stage1)

        s_gen = stage1.s_gen if stage1 else tuple(stage2.adapted)
        metrics = _run_metrics(setup, stage1, stage2, time.perf_counter() - started)
        selection = _run_selection(setup, num, s_gen, stage1, stage2)
        accelerator.wait_for_everyone()
        if folder is not None:
            _publish(folder, setup, stage2, s_gen, selection, metrics, command)
            staging.publish()
            checkpoints.remove(keep_snapshots_in=output)
            log.info("wrote %s", output)
        accelerator.wait_for_everyone()
    return RunResult(output=output, s_gen=s_gen, metrics=metrics)


def _lineage(
    config: TrainConfig, model_name: str, location: str, dataset, gen_data, s_gen, command
) -> dict[str, Any]:
    settings = config.to_dict()
    method_config = settings.pop("method_config")
    for key in ("output", "overwrite", "cpu"):
        settings.pop(key)
    return {
        "base_model": model_name,
        "base_model_source": location,
        "method": config.method,
        "data": {
            "name": config.data,
            "dataset": dataset.name,
            "split": dataset.split,
            "provenance": dataset.provenance,
            "labels": list(dataset.labels),
            "multi_label": dataset.multi_label,
            "examples": len(dataset),
            "examples_trained": len(gen_data),
            "sha256": examples_sha256(dataset.examples),
        },
        "hyperparameters": settings,
        "method_config": method_config,
        "s_gen": list(s_gen),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "peft": peft.__version__,
            "accelerate": accelerate.__version__,
            "python": platform.python_version(),
        },
    }
