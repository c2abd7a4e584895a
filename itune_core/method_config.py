"""The method's switches: every [decision] of docs/method.md with its documented default.

Frozen dataclasses, validated on construction; ``from_dict`` rejects unknown keys and
``to_dict`` gives the plain dict that is saved with every trained adapter. LoRA fields
use PEFT's names (``r``, ``lora_alpha``, ``lora_dropout``, ``target_modules``).
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self

from itune_core.selection import FIRST_STEPS, SGEN_RULES

DEFAULT_TARGET_MODULES: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "up_proj", "down_proj")
NORMS: tuple[str, ...] = ("l2", "reference")


def _reject_unknown(cls: type, data: dict[str, Any]) -> None:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"unknown {cls.__name__} keys: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


@dataclass(frozen=True)
class LoraSettings:
    """LoRA hyper-parameters (the paper's code used r=32, lora_alpha=64).

    Raises:
        ValueError: a field out of range; the message names the field and the value.
    """

    r: int = 8
    lora_alpha: float = 16
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = DEFAULT_TARGET_MODULES

    def __post_init__(self) -> None:
        if isinstance(self.r, bool) or not isinstance(self.r, int) or self.r < 1:
            raise ValueError(f"r must be a positive integer, got {self.r!r}")
        alpha = self.lora_alpha
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
            raise ValueError(f"lora_alpha must be a positive number, got {alpha!r}")
        dropout = self.lora_dropout
        if isinstance(dropout, bool) or not isinstance(dropout, int | float):
            raise ValueError(f"lora_dropout must be a number in [0, 1), got {dropout!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"lora_dropout must be a number in [0, 1), got {dropout!r}")
        modules = self.target_modules
        if isinstance(modules, str) or not isinstance(modules, list | tuple):
            raise ValueError(f"target_modules must be a list of module names, got {modules!r}")
        if not modules or not all(isinstance(m, str) and m for m in modules):
            raise ValueError(f"target_modules must be non-empty names, got {modules!r}")
        # Lists from YAML become tuples so the frozen config stays hashable.
        object.__setattr__(self, "target_modules", tuple(modules))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a plain dict. Raises: ValueError on unknown keys or bad values."""
        _reject_unknown(cls, data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for saving; ``target_modules`` as a list, as PEFT writes it."""
        data = asdict(self)
        data["target_modules"] = list(self.target_modules)
        return data


@dataclass(frozen=True)
class MethodConfig:
    """Every [decision] switch of Intention-Tuning, defaults as in docs/method.md.

    Attributes:
        head_trainable: train the classification head (IR-Tuning's code left it frozen).
        first_step: S_1 = all blocks (``"all"``) or IR-Tuning's random subset (``"random"``).
        norm: block gradient norm, plain ``"l2"`` or IR-Tuning's ``"reference"``
            (sqrt of the summed square roots of the parameter norms).
        keep_low_max: VarSplit also keeps the largest member of the low group.
        sgen_rule: how S_gen is chosen from G: ``"varsplit"``, ``"topk_mean"`` or
            ``"frequency_half"``.
        sgen_fixed: S_gen stays fixed in Stage II (False: dynamic selection inside S_gen,
            the ablation).
        varsplit_low: VarSplit cut window, lower edge as a fraction of L.
        varsplit_high: VarSplit cut window, upper edge.
        seed: seed of the random first step (used only with ``first_step="random"``).
        lora: the LoRA hyper-parameters.

    Raises:
        ValueError: a field out of range; the message names the field and the value.
    """

    head_trainable: bool = True
    first_step: str = "all"
    norm: str = "l2"
    keep_low_max: bool = False
    sgen_rule: str = "varsplit"
    sgen_fixed: bool = True
    varsplit_low: float = 0.35
    varsplit_high: float = 0.65
    seed: int = 0
    lora: LoraSettings = field(default_factory=LoraSettings)

    def __post_init__(self) -> None:
        for name in ("head_trainable", "keep_low_max", "sgen_fixed"):
            _check_bool(name, getattr(self, name))
        _check_choice("first_step", self.first_step, FIRST_STEPS)
        _check_choice("norm", self.norm, NORMS)
        _check_choice("sgen_rule", self.sgen_rule, SGEN_RULES)
        for name in ("varsplit_low", "varsplit_high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
        if self.varsplit_low > self.varsplit_high:
            raise ValueError(
                f"varsplit_low must not exceed varsplit_high, got {self.varsplit_low!r} > "
                f"{self.varsplit_high!r}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if not isinstance(self.lora, LoraSettings):
            raise ValueError(f"lora must be LoraSettings, got {self.lora!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a plain dict (``lora`` as a nested dict); missing keys get defaults.

        Raises:
            ValueError: unknown keys at either level, or a bad value.
        """
        _reject_unknown(cls, data)
        values = dict(data)
        if "lora" in values:
            lora = values["lora"]
            if not isinstance(lora, dict):
                raise ValueError(f"lora must be a mapping, got {lora!r}")
            values["lora"] = LoraSettings.from_dict(lora)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every switch, saved with each trained adapter."""
        data = asdict(self)
        data["lora"] = self.lora.to_dict()
        return data

    def varsplit_options(self) -> dict[str, Any]:
        """The keyword arguments ``varsplit`` and ``SelectionTracker`` take from this config."""
        return {
            "low": self.varsplit_low,
            "high": self.varsplit_high,
            "keep_low_max": self.keep_low_max,
        }
