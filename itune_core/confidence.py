"""Keeping only the edits the model is confident in.

A small model's answer mixes edits it is sure of (a missing article, a wrong verb form)
with edits it made on a coin toss. An edit's *margin* is how much less likely the model
finds its own answer with that one edit undone, in nats: the summed log-probability of
the answer (end-of-turn token included) minus that of the answer with the edit reverted,
both scored with teacher forcing after the same prompt. An edit whose margin is at most
the threshold is left out of what the writer is offered.

On ITERATER-sent dev the margin ranks the edits that move toward the human revision above
the others (AUC 0.70), and leaving out the edits at or below 0.5 nats raised GLEU by 1.0
for 0.1 SARI (on test, scored once: +0.8 GLEU for -2.2 SARI; ``docs/method.md``,
"Keeping only confident edits").

The scoring function is given by the decoder that holds the model (``Scorer``), so this
module stays free of models and tokenizers.
"""

from collections.abc import Callable, Sequence
from typing import Any

import torch

from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits, hold_back
from itune_core.prefix_cache import shared_prefix_forward

# Log-probabilities (summed over each answer's tokens) of answers to one piece's prompt.
Scorer = Callable[[Sequence[str]], list[float]]


def edit_margins(piece: str, answer: str, edits: Sequence[Edit], scorer: Scorer) -> list[float]:
    """Each edit's margin: log p(answer) - log p(answer with only that edit undone)."""
    undone = [apply_edits(piece, [e for e in edits if e is not edit]) for edit in edits]
    scores = scorer([answer, *undone])
    return [scores[0] - score for score in scores[1:]]


def keep_confident(
    piece: str, answer: str, scorer: Scorer, min_margin: float
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``answer`` with the edits whose margin is at most ``min_margin`` undone.

    Returns:
        The text to offer and the edits left out (reason: the margin), in text order.
    """
    if answer == piece:
        return answer, ()
    edits = compute_edits(piece, answer)
    if not edits:
        return answer, ()
    margins = edit_margins(piece, answer, edits, scorer)
    unsure = {
        i: f"the model was unsure (margin {m:.2f} nats)"
        for i, m in enumerate(margins)
        if m <= min_margin
    }
    return hold_back(piece, edits, unsure) if unsure else (answer, ())


def shared_prompt_logprobs(
    model: torch.nn.Module,
    prompt: Sequence[int],
    answers: Sequence[Sequence[int]],
    pad_id: int,
    adapter_name: str | None = None,
    prompt_cache: Any = None,
) -> list[float]:
    """Summed log-probability of each answer's tokens after one prompt, with the prompt run
    once: its key/value cache is shared by every answer (the answers are a few tokens each, the
    prompt holds the whole sentence, so this does less than half the work).

    Args:
        adapter_name: passed to a PeftModel as ``adapter_names`` for every row (None: the
            model is called without it).
        prompt_cache: the key/value cache of the prompt less its last token (one row), when
            the pass that generated the answer kept it (``itune_core.decoding``); the prompt
            is then not run at all, and its last token opens every answer's row.
    """
    if not answers:
        return []
    if any(len(a) < 1 for a in answers):
        raise ValueError("every answer needs at least one token (its end of turn)")
    device = next(model.parameters()).device

    def names(rows: int) -> dict:
        return {"adapter_names": [adapter_name] * rows} if adapter_name is not None else {}

    with torch.inference_mode():
        if prompt_cache is not None:
            rows = [[prompt[-1], *answer] for answer in answers]
            _, out, ids = shared_prefix_forward(
                model, prompt[:-1], rows, pad_id, device, names, cache=prompt_cache
            )
            logp = torch.log_softmax(out.logits[:, :-1].float(), dim=-1)
            following = logp.gather(-1, ids[:, 1:, None].to(device))[..., 0].cpu()
            return [following[i, : len(a)].sum().item() for i, a in enumerate(answers)]
        first, rest, ids = shared_prefix_forward(model, prompt, answers, pad_id, device, names)
        opening = torch.log_softmax(first.logits[0, -1].float(), dim=-1).cpu()  # (vocab,)
        logp = torch.log_softmax(rest.logits[:, :-1].float(), dim=-1)
        following = logp.gather(-1, ids[:, 1:, None].to(device))[..., 0].cpu()  # (n, width-1)
    return [
        opening[answer[0]].item() + following[i, : len(answer) - 1].sum().item()
        for i, answer in enumerate(answers)
    ]
