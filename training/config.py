"""The training recipe's configuration: one frozen dataclass, read from YAML and flags.

A run is described by ``TrainConfig``: what to train (method, data, base model), the
budget and optimiser settings, and ``method_config``, every [decision] switch of
docs/method.md (``itune_core.method_config.MethodConfig``). YAML files under
``training/configs/`` hold the same keys; flags override them; the resolved config (every
default filled in, ``auto`` values decided) is saved as ``config.yaml`` next to the
outputs and runs again unchanged with ``python -m training train --config DIR/config.yaml``.

Each field carries its own ``Setting`` (``dataclasses.field`` metadata): its help, its
bounds, its choices, whether it has a flag and whether an Admin job may give it. The
checks of ``TrainConfig``, the ``train`` flags (``training.cli``) and the Admin tab's job
fields and number kinds (``services.admin``, ``ui.admin_views``) are all read from ``SETTINGS``,
so a new training option is one field here (plus, to show it on the Train form, its name
in ``ui.admin_views.TRAIN_FORM``).
"""

import types
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Self, get_args

import yaml

from itune_core.method_config import MethodConfig
from itune_core.prompts import DEFAULT_PROMPT_FORMAT, PromptFormat
from training.vocabulary import BaseDtype, DataSetName, Method, MixedPrecision

SETTING = "setting"  # the metadata key of a field's Setting


@dataclass(frozen=True)
class Setting:
    """What one ``TrainConfig`` field means, and how it is given and checked.

    Attributes:
        help: what it means (also the flag's help in ``python -m training train --help``).
        label: its short name on the Admin tab's Train form.
        flag: ``python -m training train`` has ``--<name>`` (dashes for underscores).
        job: an Admin job (the Train form, the HTTP API) may give it; False: the worker
            sets it.
        choices: the enum of its allowed values (a text field).
        minimum: the least number allowed; for an integer 1 reads "a positive integer",
            0 "an integer >= 0".
        maximum: the largest allowed: past it a job is a mistake or an attack (a run of a
            billion steps holds the worker for good; a batch of a million rows exhausts
            memory).
        methods: the methods that use it (None: every one); the Train form sends and
            shows it only for them.
        omit_default: the Train form leaves it out of a job while it holds its default.
        note: added to the message that refuses a value outside ``choices``.
        name, kind, optional, required, default: filled in from the field itself
            (``SETTINGS``): its name, its value's type (bool, int, float, str or another
            class), whether None is allowed, whether it has no default, and its default.
    """

    help: str
    label: str = ""
    flag: bool = True
    job: bool = True
    choices: type[StrEnum] | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    methods: tuple[Method, ...] | None = None
    omit_default: bool = False
    note: str = ""
    name: str = ""
    kind: type = str
    optional: bool = False
    required: bool = False
    default: Any = None

    @property
    def flag_name(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def number_kind(self) -> type | None:
        """``int`` or ``float`` for a number field, else None."""
        return self.kind if self.kind in (int, float) else None

    def used_by(self, method: Any) -> bool:
        return self.methods is None or method in self.methods

    def check(self, value: Any) -> None:
        """Raises: ValueError naming the field and the value, when ``value`` is refused."""
        name = self.name
        if value is None and self.optional:
            return
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false, got {value!r}")
        elif self.kind is str:
            if self.choices is not None:
                if value not in tuple(self.choices):
                    note = f" ({self.note})" if self.note else ""
                    raise ValueError(
                        f"{name} must be one of {', '.join(self.choices)}, got {value!r}{note}"
                    )
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        elif self.kind is int:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or (self.minimum is not None and value < self.minimum)
            ):
                raise ValueError(f"{name} must be {_integer(self.minimum)}, got {value!r}")
        elif self.kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be {_number(self.minimum)}, got {value!r}")
            if self.minimum is not None and not value >= self.minimum:
                raise ValueError(f"{name} must be {_number(self.minimum)}, got {value!r}")
        elif not isinstance(value, self.kind):
            raise ValueError(f"{name} must be a {self.kind.__name__}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{name} must be at most {self.maximum:,}, got {value!r}")


def _integer(minimum: int | float | None) -> str:
    if minimum is None:
        return "an integer"
    return "a positive integer" if minimum == 1 else f"an integer >= {minimum}"


def _number(minimum: int | float | None) -> str:
    return "a number" if minimum is None else f"a number >= {minimum}"


def setting(default: Any = MISSING, *, default_factory: Any = MISSING, **meta: Any) -> Any:
    """A ``TrainConfig`` field with its ``Setting`` (keyword arguments: its attributes)."""
    return field(
        default=default, default_factory=default_factory, metadata={SETTING: Setting(**meta)}
    )


STEP_LIMIT = 200_000  # the most steps of any kind a job may ask for


@dataclass(frozen=True)
class TrainConfig:
    """One training run. What each field means is its ``Setting.help``
    (``python -m training train --help`` lists them); ``method_config`` holds every
    [decision] switch of docs/method.md, with its default.

    Raises:
        ValueError: a bad value; the message names the field (``Setting.check``).
    """

    method: str = setting(
        help="intention-tuning (Stage I then Stage II), lora or dora (all blocks, Stage II "
        "only) or ir-tuning (dynamic selection on generation)",
        label="Method",
        choices=Method,
    )
    data: str = setting(
        help="iterater-sent, iterater-doc, argrewrite or PATH.jsonl / PATH.json",
        label="Data set",
    )
    output: str = setting(
        help="the folder the finished run is published as (written whole at the end)",
        job=False,
    )
    model: str = setting(
        "embedded",
        help="embedded (SmolLM2-135M-Instruct), a local folder or a hub id",
        label="Base model",
    )
    split: str = setting("train", help="the data split trained on (default train)")
    max_steps: int | None = setting(
        None,
        help="Stage-II optimiser steps, the same budget for every method; none: --epochs "
        "passes over the data",
        label="Max steps (Stage II)",
        minimum=1,
        maximum=STEP_LIMIT,
    )
    stage1_steps: int | None = setting(
        None,
        help="Stage-I steps (default: the Stage-II budget)",
        label="Stage-I steps",
        minimum=1,
        maximum=STEP_LIMIT,
        methods=(Method.INTENTION_TUNING,),
    )
    epochs: int = setting(
        1,
        help="passes over the data when no step count is given",
        minimum=1,
        maximum=1_000,
    )
    batch_size: int = setting(
        8,
        help="examples per step (per process under accelerate launch)",
        label="Batch size",
        minimum=1,
        maximum=1_024,
    )
    lr: float = setting(
        2e-4,
        help="AdamW learning rate of Stage II (and of Stage I unless --stage1-lr)",
        label="Learning rate",
        minimum=0.0,
        maximum=1.0,
    )
    stage1_lr: float | None = setting(
        None,
        help="learning rate of Stage I (adapters and head); default: --lr",
        minimum=0.0,
        maximum=1.0,
        methods=(Method.INTENTION_TUNING,),
    )
    weight_decay: float = setting(0.0, help="AdamW weight decay", minimum=0.0, maximum=10.0)
    warmup_steps: int = setting(
        0,
        help="linear warm-up steps at the start of each stage, then constant",
        minimum=0,
        maximum=STEP_LIMIT,
    )
    max_grad_norm: float | None = setting(
        1.0,
        help="clip the gradients to this norm (after measuring s_l); none: no clipping",
        minimum=0.0,
    )
    edit_weight: float = setting(
        1.0,
        help="loss weight in Stage II of the target tokens that depart from the source "
        "(inserted or replaced, or right after a deletion); 1: plain cross-entropy "
        "(training.batching.edit_weights)",
        label="Edit weight",
        minimum=1.0,
        maximum=1_000.0,
        omit_default=True,
    )
    prompt_format: str = setting(
        DEFAULT_PROMPT_FORMAT.value,
        help="how Stage II writes the generation prompt: chat (the instruction in the "
        "model's chat template) or tagged (<fluency> TEXT, no template); the adapter "
        "records it and is served with it (itune_core.prompts)",
        label="Prompt format",
        choices=PromptFormat,
        omit_default=True,
    )
    max_length: int = setting(
        512,
        help="longest sequence in tokens; longer examples lose their end, and generation "
        "examples whose prompt alone is this long are skipped",
        label="Max length (tokens)",
        minimum=1,
        maximum=32_768,
    )
    seed: int = setting(0, help="data order, adapter initialisation and the random first step")
    mixed_precision: str = setting(
        MixedPrecision.AUTO.value,
        help="bf16 autocast, no, or auto (bf16 where the hardware runs it natively: Ampere+ "
        "GPUs, AVX-512 CPUs)",
        choices=MixedPrecision,
        note="fp16 needs loss scaling, which is not done",
    )
    base_dtype: str = setting(
        BaseDtype.AUTO.value,
        help="dtype of the frozen base weights; auto is bfloat16 under bf16 autocast (the "
        "adapters stay float32), else float32",
        choices=BaseDtype,
    )
    no_grad_below: bool = setting(
        True,
        help="run the frozen blocks below the lowest trained block without autograd (same "
        "loss and gradients; see training.stage2.no_grad_below)",
        flag=False,
    )
    cpu: bool = setting(False, help="train on the CPU even where a GPU is present")
    overwrite: bool = setting(
        False,
        help="replace a finished run already at the output (atomically, at the end)",
        job=False,
    )
    checkpoint_every: int = setting(
        50,
        help="save Stage II every N steps beside the output (<output>.checkpoint/); running "
        "the same config again resumes there (0: never)",
        minimum=0,
        maximum=STEP_LIMIT,
    )
    snapshot_every: int | None = setting(
        None,
        help="keep the generation adapter every N Stage-II steps (snapshots/step-N in the "
        "output), to score budgets on dev; none: no snapshots",
        minimum=1,
        maximum=STEP_LIMIT,
    )
    init_from: str | None = setting(
        None,
        help="start from this adapter bundle (a finished run's folder, trained on the same "
        "base model with the same method): intention-tuning skips Stage I and keeps the "
        "parent's S_gen, LoRA layout and predictor; every method starts Stage II from the "
        "parent's generation adapter",
    )
    replay_data: str | None = setting(
        None,
        help="a job on data: feedback only: the worker adds this data set's train split "
        "(iterater-sent or iterater-doc) to the exported feedback",
        label="Replay data (feedback runs)",
        flag=False,
        choices=DataSetName,
        note="iterater-sent or iterater-doc",
    )
    replay_limit: int | None = setting(
        None,
        help="a job on data: feedback only: at most this many replay_data rows, sampled "
        "with the run's seed; none: all of them",
        label="Replay rows (empty: all)",
        flag=False,
        minimum=1,
        maximum=1_000_000,
    )
    feedback_negatives: bool = setting(
        False,
        help="a job on data: feedback only: each rejected edit (reason unnecessary, "
        "ungrammatical, meaning-changed or wrong-intention) also becomes a line whose "
        "target keeps the original words (training.feedback)",
        label="Rejected edits as negatives",
        flag=False,
        omit_default=True,
    )
    method_config: MethodConfig = setting(  # noqa: RUF009 (a field with its metadata)
        default_factory=MethodConfig,
        help="every [decision] switch of docs/method.md, with its default",
        flag=False,
    )

    def __post_init__(self) -> None:
        for s in SETTINGS.values():
            value = getattr(self, s.name)
            s.check(value)
            if isinstance(value, str) and type(value) is not str:
                # An enum member (Method.LORA) is kept as its plain word, so the config
                # dumps to YAML and compares as before.
                object.__setattr__(self, s.name, str(value))

    @property
    def stage1_learning_rate(self) -> float:
        return self.lr if self.stage1_lr is None else self.stage1_lr

    @property
    def stage1_budget(self) -> int | None:
        """Stage I's step budget: its own, else Stage II's (None: from the epochs)."""
        return self.max_steps if self.stage1_steps is None else self.stage1_steps

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
        missing = [s.name for s in SETTINGS.values() if s.required]
        missing = [name for name in missing if data.get(name) is None]
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


def _resolved(f) -> Setting:
    args = get_args(f.type) if isinstance(f.type, types.UnionType) else ()
    optional = type(None) in args
    rest = [t for t in args if t is not type(None)]
    kind = rest[0] if optional and len(rest) == 1 else f.type
    if f.default is not MISSING:
        default = f.default
    elif f.default_factory is not MISSING:
        default = f.default_factory()
    else:
        default = None
    required = f.default is MISSING and f.default_factory is MISSING
    return replace(
        f.metadata[SETTING],
        name=f.name,
        kind=kind,
        optional=optional,
        required=required,
        default=default,
    )


# Every TrainConfig field's Setting, in field order.
SETTINGS: Mapping[str, Setting] = MappingProxyType(
    {f.name: _resolved(f) for f in fields(TrainConfig)}
)


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
