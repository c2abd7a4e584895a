"""The training recipe's configuration: one frozen dataclass, read from YAML and flags.

A run is described by ``TrainConfig``: what to train (method, data, base model), the
budget and optimiser settings, and ``method_config``, every [decision] switch of
docs/method.md (``itune_core.method_config.MethodConfig``). YAML files under
``training/configs/`` hold the same keys; flags override them; the resolved config (every
default filled in, ``auto`` values decided) is saved as ``config.yaml`` next to the
outputs and runs again unchanged with ``python -m training train --config DIR/config.yaml``.
"""

from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Self

import yaml

from itune_core.method_config import MethodConfig

METHODS: tuple[str, ...] = ("intention-tuning", "lora", "dora", "ir-tuning")
MIXED_PRECISIONS: tuple[str, ...] = ("auto", "bf16", "no")
BASE_DTYPES: tuple[str, ...] = ("auto", "float32", "bfloat16")


def _positive_int(name: str, value: Any, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


# Past these a job is a mistake or an attack (a run of a billion steps holds the worker for
# good; a batch of a million rows or a length of ten million tokens exhausts memory).
UPPER_BOUNDS: dict[str, int | float] = {
    "max_steps": 200_000,
    "stage1_steps": 200_000,
    "epochs": 1_000,
    "batch_size": 1_024,
    "max_length": 32_768,
    "warmup_steps": 200_000,
    "checkpoint_every": 200_000,
    "snapshot_every": 200_000,
    "lr": 1.0,
    "stage1_lr": 1.0,
    "weight_decay": 10.0,
    "edit_weight": 1_000.0,
}


def _at_most(name: str, value: Any) -> None:
    limit = UPPER_BOUNDS[name]
    if value is not None and value > limit:
        raise ValueError(f"{name} must be at most {limit:,}, got {value!r}")


def _number(name: str, value: Any, *, minimum: float, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= minimum:
        raise ValueError(f"{name} must be a number >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """One training run.

    Attributes:
        method: ``intention-tuning`` (Stage I then Stage II), ``lora`` or ``dora`` (all
            blocks, Stage II only) or ``ir-tuning`` (dynamic selection on generation).
        data: ``iterater-sent``, ``iterater-doc``, ``argrewrite`` or a .jsonl/.json path.
        output: the folder the finished run is published as.
        model: ``embedded`` (SmolLM2-135M-Instruct), a local folder or a hub id.
        split: the split trained on.
        max_steps: Stage-II optimiser steps, the same budget for every method; None:
            ``epochs`` passes over the data.
        stage1_steps: Stage-I steps; None: the same budget as Stage II.
        epochs: passes over the data when no step count is given.
        batch_size: examples per step (per process under ``accelerate launch``).
        lr: AdamW learning rate of Stage II.
        stage1_lr: learning rate of Stage I (adapters and head); None: ``lr``.
        weight_decay: AdamW weight decay.
        warmup_steps: linear warm-up steps at the start of each stage, then constant.
        max_grad_norm: clip the gradients to this norm (after measuring s_l); None: no.
        edit_weight: weight in the Stage-II loss of the target tokens that depart from the
            source (inserted or replaced, or right after a deletion); 1.0: plain
            cross-entropy (``training.batching.edit_weights``).
        max_length: longest sequence in tokens; longer examples lose their end, and
            generation examples whose prompt alone is this long are skipped.
        seed: data order and adapter initialisation.
        mixed_precision: ``bf16`` autocast, ``no``, or ``auto`` (bf16 where the hardware
            runs it natively: Ampere+ GPUs, AVX-512 CPUs).
        base_dtype: dtype of the frozen base weights; ``auto`` is bfloat16 under bf16
            autocast (the adapters stay float32), else float32.
        no_grad_below: run the frozen blocks below the lowest trained block without
            autograd (same loss and gradients; see ``training.stage2.no_grad_below``).
        cpu: train on the CPU even where a GPU is present.
        overwrite: replace a finished run already at ``output`` (atomically, at the end).
        checkpoint_every: save Stage II every this many steps in
            ``<output>.checkpoint/``; running the same config again resumes there
            (``training.checkpoints``); 0: never.
        snapshot_every: keep the generation adapter every this many Stage-II steps
            (``snapshots/step-N/`` in the output), to score budgets on dev; None: none.
        method_config: every [decision] switch of docs/method.md, with its default.
    """

    method: str
    data: str
    output: str
    model: str = "embedded"
    split: str = "train"
    max_steps: int | None = None
    stage1_steps: int | None = None
    epochs: int = 1
    batch_size: int = 8
    lr: float = 2e-4
    stage1_lr: float | None = None
    weight_decay: float = 0.0
    warmup_steps: int = 0
    max_grad_norm: float | None = 1.0
    edit_weight: float = 1.0
    max_length: int = 512
    seed: int = 0
    mixed_precision: str = "auto"
    base_dtype: str = "auto"
    no_grad_below: bool = True
    cpu: bool = False
    overwrite: bool = False
    checkpoint_every: int = 50
    snapshot_every: int | None = None
    method_config: MethodConfig = field(default_factory=MethodConfig)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        for name in ("data", "output", "model", "split"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        _positive_int("max_steps", self.max_steps, allow_none=True)
        _positive_int("stage1_steps", self.stage1_steps, allow_none=True)
        _positive_int("snapshot_every", self.snapshot_every, allow_none=True)
        if (
            isinstance(self.checkpoint_every, bool)
            or not isinstance(self.checkpoint_every, int)
            or self.checkpoint_every < 0
        ):
            raise ValueError(
                f"checkpoint_every must be an integer >= 0, got {self.checkpoint_every!r}"
            )
        for name in ("epochs", "batch_size", "max_length"):
            _positive_int(name, getattr(self, name))
        if isinstance(self.warmup_steps, bool) or not isinstance(self.warmup_steps, int):
            raise ValueError(f"warmup_steps must be an integer >= 0, got {self.warmup_steps!r}")
        if self.warmup_steps < 0:
            raise ValueError(f"warmup_steps must be an integer >= 0, got {self.warmup_steps!r}")
        _number("lr", self.lr, minimum=0.0)
        _number("stage1_lr", self.stage1_lr, minimum=0.0, allow_none=True)
        _number("weight_decay", self.weight_decay, minimum=0.0)
        _number("max_grad_norm", self.max_grad_norm, minimum=0.0, allow_none=True)
        _number("edit_weight", self.edit_weight, minimum=1.0)
        if self.edit_weight == float("inf"):
            raise ValueError("edit_weight must be finite")
        for name in UPPER_BOUNDS:
            _at_most(name, getattr(self, name))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if self.mixed_precision not in MIXED_PRECISIONS:
            raise ValueError(
                f"mixed_precision must be one of {', '.join(MIXED_PRECISIONS)}, "
                f"got {self.mixed_precision!r} (fp16 needs loss scaling, which is not done)"
            )
        if self.base_dtype not in BASE_DTYPES:
            raise ValueError(
                f"base_dtype must be one of {', '.join(BASE_DTYPES)}, got {self.base_dtype!r}"
            )
        for name in ("no_grad_below", "cpu", "overwrite"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.method_config, MethodConfig):
            raise ValueError(f"method_config must be a MethodConfig, got {self.method_config!r}")

    @property
    def stage1_learning_rate(self) -> float:
        return self.lr if self.stage1_lr is None else self.stage1_lr

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a plain dict (``method_config`` nested, as in the YAML files).

        Raises:
            ValueError: unknown keys (at any level), a missing required key or a bad value.
        """
        if not isinstance(data, dict):
            raise ValueError(f"a training config must be a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown config keys: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        missing = [name for name in ("method", "data", "output") if data.get(name) is None]
        if missing:
            raise ValueError(f"the config lacks {', '.join(missing)} (give them as flags or keys)")
        values = dict(data)
        method_config = values.get("method_config")
        if method_config is None:
            values.pop("method_config", None)
        elif isinstance(method_config, dict):
            values["method_config"] = MethodConfig.from_dict(method_config)
        elif not isinstance(method_config, MethodConfig):
            raise ValueError(f"method_config must be a mapping, got {method_config!r}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (YAML/JSON-ready) of every setting and every method switch."""
        data = asdict(self)
        data["method_config"] = self.method_config.to_dict()
        return data

    def with_changes(self, **changes: Any) -> Self:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)


def read_yaml(path: Path | str) -> dict[str, Any]:
    """The mapping in a YAML config file.

    Raises:
        ValueError: the file is missing, not YAML, or not a mapping (the message names it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read config {path}: {err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"config {path} is not valid YAML: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"config {path} must hold a mapping, got {type(data).__name__}")
    return data


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """``data["a"]["b"] = value`` for ``key="a.b"``, creating nested mappings on the way.

    Raises:
        ValueError: an empty key part, or a part that is set but not a mapping.
    """
    parts = key.split(".")
    if not all(parts):
        raise ValueError(f"bad config key {key!r}")
    current = data
    for part in parts[:-1]:
        nested = current.setdefault(part, {})
        if not isinstance(nested, dict):
            raise ValueError(f"config key {key!r}: {part!r} is not a mapping")
        current = nested
    current[parts[-1]] = value


def parse_override(text: str) -> tuple[str, Any]:
    """``"method_config.norm=reference"`` -> ``("method_config.norm", "reference")``; the
    value is read as YAML, so numbers, booleans, lists and ``null`` keep their types.

    Raises:
        ValueError: no ``=`` or an unreadable value.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--set needs KEY=VALUE, got {text!r}")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        raise ValueError(f"--set {key}: cannot read value {raw!r}: {err}") from None
    return key.strip(), value


def dump_yaml(config: TrainConfig, header: str) -> str:
    """The config as YAML with a comment header (the command that runs it)."""
    body = yaml.safe_dump(config.to_dict(), sort_keys=False, allow_unicode=True)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body
