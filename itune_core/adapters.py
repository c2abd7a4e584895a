"""Trained adapters attached to a loaded model for revising.

Several adapters can sit on one base model at once. Each generate call names its adapter
(PEFT's per-request ``adapter_names``), so concurrent writers using different adapters
never switch a shared "active adapter" under each other; ``BASE`` names the bare model.
"""

import json
import logging
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open

from itune_core.build_lock import BUILD_LOCK
from itune_core.errors import ModelLoadError

logger = logging.getLogger(__name__)

BASE = "__base__"  # PEFT's name for "no adapter" in mixed-adapter batches
REQUIRED_FILES = ("adapter_config.json", "adapter_model.safetensors")


def check_adapter_dir(path: Path) -> dict:
    """Check that a folder holds a PEFT adapter and return its config.

    Args:
        path: the adapter folder.

    Returns:
        The parsed ``adapter_config.json``.

    Raises:
        ModelLoadError: the folder or one of its files is missing, the config is not valid
            JSON, or the weights file is unreadable or holds no LoRA weights.
    """
    if not path.is_dir():
        raise ModelLoadError(f"adapter folder {path} does not exist")
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ModelLoadError(f"adapter folder {path} lacks {', '.join(missing)}")
    try:
        config = json.loads((path / "adapter_config.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelLoadError(f"{path / 'adapter_config.json'} is not valid JSON: {err}") from err
    weights = path / "adapter_model.safetensors"
    # Read the header before PEFT touches the model: PEFT injects the adapter's layers
    # first and loads the weights after, so a corrupt file would leave the model altered.
    try:
        with safe_open(str(weights), framework="pt") as handle:
            names = list(handle.keys())
    except (SafetensorError, OSError) as err:
        raise ModelLoadError(f"{weights} is not a readable safetensors file: {err}") from err
    if not any("lora_" in name for name in names):
        raise ModelLoadError(f"{weights} holds no LoRA weights")
    return config


def attach_adapter(model: torch.nn.Module, path: Path, name: str) -> torch.nn.Module:
    """Load the adapter at ``path`` onto ``model`` under ``name``.

    Args:
        model: the base model, or a PeftModel returned by an earlier call.
        path: a PEFT adapter folder.
        name: the name generate calls will use for it.

    Returns:
        The PeftModel holding every adapter attached so far (in eval mode).

    Raises:
        ModelLoadError: the folder is not a loadable adapter for this model.
    """
    # Imported here: peft takes seconds to import, and the app only needs it when an
    # adapter is attached (a warm start without one stays fast).
    from peft import PeftModel

    if name == BASE:
        raise ModelLoadError(f"{BASE!r} is reserved for the base model")
    check_adapter_dir(path)
    try:
        with BUILD_LOCK:
            if isinstance(model, PeftModel):
                if name in model.peft_config:
                    raise ModelLoadError(f"an adapter named {name!r} is already attached")
                model.load_adapter(str(path), adapter_name=name)
            else:
                model = PeftModel.from_pretrained(model, str(path), adapter_name=name)
    except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as err:
        if isinstance(model, PeftModel) and name in model.peft_config:
            model.delete_adapter(name)  # leave the adapters already attached as they were
        raise ModelLoadError(f"cannot load adapter {path}: {err}") from err
    logger.info("adapter %s attached from %s", name, path)
    return model.eval()


def sole_adapter(model: torch.nn.Module) -> str | None:
    """The adapter a call on ``model`` without ``adapter_names`` applies, when that is the
    only adapter attached to it (None otherwise: a plain model, or several adapters).

    A PeftModel applies its active adapter to every row of a call that names none; the
    first adapter attached is the active one, and with no other attached nothing can make
    another active. A call whose rows all use it may then leave ``adapter_names`` out,
    which spares each LoRA layer splitting the batch into per-adapter rows and adding their
    outputs back: about 20 ms of a 115 ms pass over one row with the built-in adapter in
    bf16 on two cores, and a sentence revised 1.15-1.28x sooner (``benchmarks/model_calls.py``,
    2026-12-02). Unnamed, PEFT adds the adapter's float32 output to the layer's in float32
    and rounds once; named, it rounds the adapter's output first. So in bf16 an answer may
    differ between the two in a close call (9 of 100 dev sentences), as it may with
    padding; in float32 they are the same.
    """
    attached = getattr(model, "peft_config", None)
    if not attached or len(attached) != 1:
        return None
    (name,) = attached
    return name if getattr(model, "active_adapter", None) == name else None


def generate_kwargs(model: torch.nn.Module, adapter: str | None) -> dict:
    """Keyword arguments that make one generate call use ``adapter`` (None: the base).

    Raises:
        ModelLoadError: the adapter is not attached to the model.
    """
    attached = getattr(model, "peft_config", None)  # a PeftModel's adapters, by name
    if not attached:
        if adapter is not None:
            raise ModelLoadError(f"adapter {adapter!r} is not attached (the model has none)")
        return {}
    if adapter is not None and adapter not in attached:
        known = ", ".join(sorted(attached))
        raise ModelLoadError(f"adapter {adapter!r} is not attached (attached: {known})")
    return {"adapter_names": [adapter or BASE]}
