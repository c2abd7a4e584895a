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

The margins take their scoring function (``Scorer``) from the decoder that holds the model
and the tokenizer. The two ways that function computes log-probabilities cheaply live here
and take the model and token ids as arguments: the prompt run once for all the answers
(``shared_prompt_logprobs``), or only the tokens after the generated answer's, from what
generating it kept (``logprobs_after_generated``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits, hold_back
from itune_core.prefix_cache import common_prefix_length, shared_prefix_forward

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
) -> list[float]:
    """Summed log-probability of each answer's tokens after one prompt, with the prompt run
    once: its key/value cache is shared by every answer (the answers are a few tokens each, the
    prompt holds the whole sentence, so this does less than half the work).

    Args:
        adapter_name: passed to a PeftModel as ``adapter_names`` for every row (None: the
            model is called without it).
    """
    if not answers:
        return []
    if any(len(a) < 1 for a in answers):
        raise ValueError("every answer needs at least one token (its end of turn)")
    device = next(model.parameters()).device
    names = _names(adapter_name)
    with torch.inference_mode():
        first, rest, ids = shared_prefix_forward(model, prompt, answers, pad_id, device, names)
        opening = torch.log_softmax(first.logits[0, -1].float(), dim=-1).cpu()  # (vocab,)
        logp = torch.log_softmax(rest.logits[:, :-1].float(), dim=-1)
        following = logp.gather(-1, ids[:, 1:, None].to(device))[..., 0].cpu()  # (n, width-1)
    return [
        opening[answer[0]].item() + following[i, : len(answer) - 1].sum().item()
        for i, answer in enumerate(answers)
    ]


@dataclass(frozen=True)
class GeneratedRow:
    """A prompt and the answer greedy decoding gave it, as the decoder keeps them.

    Attributes:
        prompt: the prompt's token ids.
        answer: the generated answer's token ids.
        logprobs: each answer token's log-probability.
        cache: the key/value cache (one row) of the prompt and the answer less its last
            token.
    """

    prompt: Sequence[int]
    answer: Sequence[int]
    logprobs: Sequence[float]
    cache: Any


def logprobs_after_generated(
    model: torch.nn.Module,
    generated: GeneratedRow,
    answers: Sequence[Sequence[int]],
    pad_id: int,
    adapter_name: str | None = None,
) -> list[float]:
    """``shared_prompt_logprobs`` of ``answers`` after ``generated.prompt``, from what
    generating ``generated.answer`` computed.

    The answers to score are the generated answer and its variants, each with one edit
    undone (``edit_margins``). An answer's tokens that start the generated answer too take
    their log-probabilities from the generation; only its tokens after they part run, all
    the answers' in one pass over the generation's cache (one row repeated, each row seeing
    only the positions before its own tokens, at their own positions). The generated
    answer itself then costs nothing, and a variant only its tokens from its edit on.
    ``generated.cache`` is extended in place.
    """
    if any(len(a) < 1 for a in answers):
        raise ValueError("every answer needs at least one token (its end of turn)")
    prompt, answer = list(generated.prompt), list(generated.answer)
    held = generated.cache.get_seq_length()
    if not prompt or held != len(prompt) + len(answer) - 1:
        raise ValueError(
            f"the cache holds {held} positions, the prompt and the answer less one "
            f"{len(prompt) + len(answer) - 1}"
        )
    running = [0.0]  # running[j]: the log-probability of the answer's first j tokens
    for logprob in generated.logprobs:
        running.append(running[-1] + logprob)
    scores, parts = {}, {}  # parts: answer index -> tokens it shares with the generated one
    for i, ids in enumerate(answers):
        shared = common_prefix_length([answer, ids])
        if shared == len(ids):  # the generated answer, or a start of it
            scores[i] = running[shared]
        else:
            parts[i] = shared
    if not parts:
        return [scores[i] for i in range(len(answers))]
    device = next(model.parameters()).device
    order = list(parts)
    # each row feeds again the token before its own ones, whose logits predict the first
    fed = [
        [answer[parts[i] - 1] if parts[i] else prompt[-1], *answers[i][parts[i] :]] for i in order
    ]
    n, width = len(order), max(map(len, fed))
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, held + width), dtype=torch.long)
    positions = torch.zeros((n, width), dtype=torch.long)
    for j, (i, row) in enumerate(zip(order, fed, strict=True)):
        start = len(prompt) - 1 + parts[i]  # the position of the token fed again
        ids[j, : len(row)] = torch.tensor(row)
        mask[j, :start] = 1
        mask[j, held : held + len(row)] = 1
        positions[j] = torch.arange(start, start + width)
    cache = generated.cache
    with torch.inference_mode():
        cache.batch_repeat_interleave(n)
        out = model(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            position_ids=positions.to(device),
            past_key_values=cache,
            use_cache=True,
            **_names(adapter_name)(n),
        )
        logp = torch.log_softmax(out.logits[:, :-1].float(), dim=-1)
        following = logp.gather(-1, ids[:, 1:, None].to(device))[..., 0].cpu()
    for j, i in enumerate(order):
        scores[i] = running[parts[i]] + following[j, : len(fed[j]) - 1].sum().item()
    return [scores[i] for i in range(len(answers))]


def _names(adapter_name: str | None) -> Callable[[int], dict]:
    """The keyword arguments of a call over that many rows with one adapter."""
    return lambda rows: {"adapter_names": [adapter_name] * rows} if adapter_name else {}
