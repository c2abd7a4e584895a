"""One prefix, many continuations: the prefix runs once and its key/value cache is shared.

Scoring the variants of an answer (``itune_core.confidence``) and labelling the edits of one
sentence (``itune_core.predictor``) both feed a model many texts that start the same way.
``shared_prefix_forward`` runs the prefix alone (or takes its cache from an earlier pass,
such as the labelling instruction's, kept once per predictor), repeats its cache once per
continuation, and runs the continuations together, padded on the right.
``common_prefix_length`` says how long such a shared start is, and ``widened`` lays
caches of different lengths side by side in one batch (zeros where a row has nothing,
masked out by the caller).
"""

from collections.abc import Callable, Sequence
from typing import Any

import torch


def common_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """How many tokens every sequence of ``prompts`` starts with."""
    first, shortest = prompts[0], min(len(p) for p in prompts)
    for n in range(shortest):
        if any(p[n] != first[n] for p in prompts):
            return n
    return shortest


def widened(tensor: torch.Tensor, dim: int, width: int, at: int) -> torch.Tensor:
    """``tensor`` made ``width`` long along ``dim`` by zeros inserted at position ``at``
    (its end: padded on the right; after a shared prefix: a gap between the prefix and the
    rest). A tensor already that long is returned as it is."""
    missing = width - tensor.shape[dim]
    if not missing:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    gap = torch.zeros(shape, dtype=tensor.dtype, device=tensor.device)
    rest = tensor.shape[dim] - at
    return torch.cat([tensor.narrow(dim, 0, at), gap, tensor.narrow(dim, at, rest)], dim=dim)


def shared_prefix_forward(
    forward: Callable[..., Any],
    prefix: Sequence[int],
    continuations: Sequence[Sequence[int]],
    pad_id: int,
    device: torch.device,
    extra: Callable[[int], dict] = lambda rows: {},
    cache: Any = None,
) -> tuple[Any, Any, torch.Tensor]:
    """Run ``prefix`` once, then every continuation after it with the prefix's cache.

    Args:
        forward: the model (or its decoder stack), called with ``input_ids``,
            ``attention_mask``, ``past_key_values`` and ``use_cache``.
        prefix: the shared token ids (at least one).
        continuations: each row's own token ids (at least one each).
        pad_id: the id that pads the continuations on the right.
        device: where the model runs.
        extra: keyword arguments for a call over that many rows (PEFT ``adapter_names``).
        cache: the prefix's key/value cache (one row, on ``device``) when an earlier pass
            computed it; the prefix is then not run again. It is extended in place.

    Returns:
        (the prefix's output, None when ``cache`` was given; the continuations' output;
        their padded ids (rows, width) on the CPU).

    Raises:
        ValueError: an empty prefix, no continuations or an empty one, or a ``cache`` that
            does not hold the prefix's length.
    """
    if not prefix or not continuations or any(len(c) < 1 for c in continuations):
        raise ValueError("need a non-empty prefix and at least one token per continuation")
    if cache is not None and cache.get_seq_length() != len(prefix):
        raise ValueError(
            f"the cache holds {cache.get_seq_length()} positions, the prefix {len(prefix)}"
        )
    n, width = len(continuations), max(len(c) for c in continuations)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, len(prefix) + width), dtype=torch.long)
    mask[:, : len(prefix)] = 1
    for row, tokens in enumerate(continuations):
        ids[row, : len(tokens)] = torch.tensor(list(tokens))
        mask[row, len(prefix) : len(prefix) + len(tokens)] = 1
    first = None
    if cache is None:
        first = forward(
            input_ids=torch.tensor([list(prefix)], device=device), use_cache=True, **extra(1)
        )
        cache = first.past_key_values
    cache.batch_repeat_interleave(n)
    rest = forward(
        input_ids=ids.to(device),
        attention_mask=mask.to(device),
        past_key_values=cache,
        use_cache=True,
        **extra(n),
    )
    return first, rest, ids
