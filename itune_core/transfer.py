"""Shared LoRA weights: copy the Stage-I adapters of S_gen into the Stage-II model.

Stage II puts LoRA on S_gen only and starts each of those blocks from the weights it
learned in Stage I; the classification head is not carried over. The two models must be
built on two separate copies of the base model, because ``get_peft_model`` injects the
adapters into the model it is given. Both need the same LoRA hyper-parameters: a
different r is caught by the shape check, a different alpha is not (it changes only the
scaling) and is the caller's to keep equal.
"""

from collections.abc import Iterable

import torch
from torch import nn

from itune_core.lora import named_block_adapter_params


def transfer_lora(stage1_model: nn.Module, stage2_model: nn.Module, blocks: Iterable[int]) -> int:
    """Copy the adapter tensors of ``blocks`` from the Stage-I into the Stage-II model.

    Tensors are matched by block index and by their name inside the block (module,
    ``lora_A``/``lora_B``/DoRA magnitude, adapter name), so the Stage-I model may be
    wrapped differently (an ``IntentionClassifier``). Every adapter tensor of those
    blocks must have a counterpart on the other side; nothing else is changed.

    Args:
        stage1_model: the trained Stage-I model (``PeftModel`` or a module holding one).
        stage2_model: the Stage-II model with adapters on (at least) ``blocks``.
        blocks: S_gen.

    Returns:
        The number of tensors copied.

    Raises:
        ValueError: no blocks, a block without adapters on either side, a tensor without
            a counterpart, or shapes that differ.
    """
    chosen = sorted(set(blocks))
    if not chosen:
        raise ValueError("transfer_lora needs at least one block")
    source = named_block_adapter_params(stage1_model)
    target = named_block_adapter_params(stage2_model)
    for side, params in (("Stage-I", source), ("Stage-II", target)):
        missing = [b for b in chosen if b not in params]
        if missing:
            raise ValueError(f"blocks {missing} have no adapters in the {side} model")

    pairs = []
    for block in chosen:
        src = dict(source[block])
        dst = dict(target[block])
        only_src = sorted(set(src) - set(dst))
        only_dst = sorted(set(dst) - set(src))
        if only_src or only_dst:
            raise ValueError(
                f"block {block}: adapter tensors without counterpart; Stage-I only: "
                f"{only_src or 'none'}; Stage-II only: {only_dst or 'none'}"
            )
        for name, dst_param in dst.items():
            src_param = src[name]
            if src_param.shape != dst_param.shape:
                raise ValueError(
                    f"block {block} {name}: Stage-I shape {tuple(src_param.shape)} differs "
                    f"from Stage-II shape {tuple(dst_param.shape)} (same r on both sides?)"
                )
            pairs.append((dst_param, src_param))

    # Checked everything first, so a failure leaves the Stage-II model untouched.
    with torch.no_grad():
        for dst_param, src_param in pairs:
            dst_param.copy_(src_param)
    return len(pairs)
