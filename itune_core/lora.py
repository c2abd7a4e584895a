"""LoRA adapters per decoder block: PEFT configs, the parameters P_l, freezing, norms.

A block's adapter parameters P_l are every LoRA tensor inside ``layers.<l>.``: A and B
of the target projections, plus DoRA's magnitude vectors when ``use_dora`` is on.
Functions take models (a ``PeftModel``, or any module holding one, such as the
``IntentionClassifier``) and never pick devices or dtypes.
"""

import re
from collections.abc import Iterable, Sequence

import torch
from peft import LoraConfig, PeftModel
from torch import nn

from itune_core.method_config import DEFAULT_TARGET_MODULES, LoraSettings

# PEFT's LoraLayer.adapter_layer_names: the sub-modules that hold trainable adapter weights.
_ADAPTER_NAME = re.compile(
    r"\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B|lora_magnitude_vector)\."
)
# The first "layers.<n>." in a name is the decoder block (the same rule PEFT applies
# with layers_pattern="layers"; a later index would be a nested one, such as an expert).
_BLOCK_INDEX = re.compile(r"(?:^|\.)layers\.(\d+)\.")


def lora_config(
    r: int = 8,
    alpha: float = 16,
    dropout: float = 0.05,
    target_modules: Sequence[str] = DEFAULT_TARGET_MODULES,
    layers: Iterable[int] | None = None,
    use_dora: bool = False,
) -> LoraConfig:
    """A PEFT LoRA (or DoRA) config for a causal LM, optionally restricted to some blocks.

    Args:
        r: LoRA rank.
        alpha: LoRA alpha (scaling is alpha / r).
        dropout: LoRA dropout.
        target_modules: names of the projections to adapt.
        layers: decoder block indices that get adapters; None for every block.
        use_dora: DoRA instead of LoRA (the DoRA baseline).

    Returns:
        The config, with ``layers_to_transform=sorted(layers)`` and ``layers_pattern="layers"``
        when ``layers`` is given.

    Raises:
        ValueError: ``layers`` given but empty or negative (PEFT would read an empty list
            as "every block").
    """
    extra = {}
    if layers is not None:
        chosen = sorted(set(layers))
        if not chosen or chosen[0] < 0:
            raise ValueError(f"layers must be non-empty block indices >= 0, got {chosen}")
        extra = {"layers_to_transform": chosen, "layers_pattern": "layers"}
    return LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
        use_dora=use_dora,
        bias="none",
        task_type="CAUSAL_LM",
        **extra,
    )


def lora_config_from(
    settings: LoraSettings, *, layers: Iterable[int] | None = None, use_dora: bool = False
) -> LoraConfig:
    """``lora_config`` with the hyper-parameters of a ``LoraSettings``.

    Args:
        settings: r, alpha, dropout and target modules.
        layers: decoder block indices that get adapters; None for every block.
        use_dora: DoRA instead of LoRA.

    Returns:
        The PEFT config.

    Raises:
        ValueError: as ``lora_config``.
    """
    return lora_config(
        r=settings.r,
        alpha=settings.lora_alpha,
        dropout=settings.lora_dropout,
        target_modules=settings.target_modules,
        layers=layers,
        use_dora=use_dora,
    )


def _decoder_layers(model: nn.Module) -> nn.ModuleList:
    # Unwrap PeftModel and holders such as IntentionClassifier (attribute `model`) until
    # the decoder stack appears: CausalLM.model.layers or a bare decoder's .layers.
    current = model
    for _ in range(6):
        if isinstance(current, PeftModel):
            current = current.get_base_model()
        inner = getattr(current, "model", None)
        if isinstance(inner, nn.Module) and isinstance(
            getattr(inner, "layers", None), nn.ModuleList
        ):
            return inner.layers
        if isinstance(getattr(current, "layers", None), nn.ModuleList):
            return current.layers
        if not isinstance(inner, nn.Module):
            break
        current = inner
    raise ValueError(f"cannot find the decoder blocks (model.layers) in {type(model).__name__}")


def num_blocks(model: nn.Module) -> int:
    """L, the number of decoder blocks.

    Args:
        model: a causal LM, a ``PeftModel`` around one, or a module holding one as ``model``.

    Returns:
        ``len(model.model.layers)`` of the underlying causal LM.

    Raises:
        ValueError: no ``layers`` module list found.
    """
    return len(_decoder_layers(model))


def block_adapter_params(model: nn.Module) -> dict[int, list[nn.Parameter]]:
    """P_l for every block that has adapters, in ``named_parameters`` order.

    Args:
        model: a ``PeftModel`` or a module holding one.

    Returns:
        Block index -> its adapter parameters, ordered by block index; blocks without
        adapters are absent.

    Raises:
        ValueError: an adapter parameter outside the decoder blocks (the method adapts
            decoder blocks only).
    """
    return {
        block: [p for _, p in named] for block, named in named_block_adapter_params(model).items()
    }


def named_block_adapter_params(model: nn.Module) -> dict[int, list[tuple[str, nn.Parameter]]]:
    """P_l with names relative to the block, e.g. ``self_attn.q_proj.lora_A.default.weight``.

    Relative names let two differently wrapped models (a classifier and a ``PeftModel``)
    be matched tensor by tensor.

    Args:
        model: a ``PeftModel`` or a module holding one.

    Returns:
        Block index -> [(name in block, parameter)], ordered by block index.

    Raises:
        ValueError: an adapter parameter outside the decoder blocks.
    """
    blocks: dict[int, list[tuple[str, nn.Parameter]]] = {}
    for name, param in model.named_parameters():
        if not _ADAPTER_NAME.search(name):
            continue
        match = _BLOCK_INDEX.search(name)
        if match is None:
            raise ValueError(f"adapter parameter {name} is not inside a decoder block (layers.N)")
        blocks.setdefault(int(match.group(1)), []).append((name[match.end() :], param))
    return dict(sorted(blocks.items()))


def set_trainable_blocks(model: nn.Module, blocks: Iterable[int]) -> None:
    """Make P_l trainable for l in ``blocks`` and freeze every other block's adapters.

    Only adapter parameters are touched: base weights stay frozen and a classification
    head keeps its own setting. Freezing is what makes Stage I cheap: with
    ``zero_grad(set_to_none=True)`` AdamW skips the frozen parameters, autograd computes
    no weight gradients for them, and blocks below the lowest selected one get no
    backward pass at all, because no activation entering them requires grad. (That last
    saving is lost if the input embeddings are made to require grad, as
    ``enable_input_require_grads`` does for gradient checkpointing.)

    Args:
        model: a ``PeftModel`` or a module holding one.
        blocks: S_t.

    Raises:
        ValueError: a block without adapters is named.
    """
    wanted = set(blocks)
    params = block_adapter_params(model)
    missing = sorted(wanted - set(params))
    if missing:
        raise ValueError(f"blocks {missing} have no adapters; adapted blocks: {sorted(params)}")
    for block, block_params in params.items():
        for param in block_params:
            param.requires_grad_(block in wanted)


def layer_grad_norms(
    block_params: dict[int, list[nn.Parameter]], blocks: Iterable[int], *, norm: str = "l2"
) -> dict[int, float]:
    """s_l for l in ``blocks``, from the gradients left by ``backward()``.

    ``"l2"``: sqrt(sum over p in P_l of ||grad p||_F^2), the plain L2 norm of the block's
    whole gradient. ``"reference"``: IR-Tuning's sqrt(sum of ||grad p||_F ** 0.5).
    Parameters whose grad is None add nothing.

    Args:
        block_params: P_l per block, from ``block_adapter_params``.
        blocks: the blocks to measure (S_t).
        norm: ``"l2"`` or ``"reference"``.

    Returns:
        Block index -> norm, as Python floats (one device sync for all blocks).

    Raises:
        ValueError: an unknown norm, a block not in ``block_params``, or a block with no
            gradient at all (it was not trainable or ``backward()`` did not reach it).
    """
    if norm not in ("l2", "reference"):
        raise ValueError(f"norm must be 'l2' or 'reference', got {norm!r}")
    order = sorted(set(blocks))
    per_block = []
    for block in order:
        if block not in block_params:
            raise ValueError(f"block {block} has no adapter parameters")
        grads = [p.grad for p in block_params[block] if p.grad is not None]
        if not grads:
            raise ValueError(f"block {block} has no gradients; was it trainable during backward?")
        # Norms in float32 so bf16/fp16 gradients neither overflow nor lose the sum.
        param_norms = torch.stack([torch.linalg.vector_norm(g.detach().float()) for g in grads])
        if norm == "l2":
            per_block.append(torch.linalg.vector_norm(param_norms))
        else:
            per_block.append(param_norms.sqrt().sum().sqrt())
    if not per_block:
        return {}
    # Gathered on one device (blocks may sit on several) so .tolist() syncs once.
    device = per_block[0].device
    values = torch.stack([v.to(device) for v in per_block]).tolist()
    return {block: float(v) for block, v in zip(order, values, strict=True)}
