"""Keeping only the edits the model is confident in.

A small model's answer mixes edits it is sure of (a missing article, a wrong verb form)
with edits it made on a coin toss. An edit's *margin* is how much less likely the model
finds its own answer with that one edit undone, in nats: the summed log-probability of
the answer (end-of-turn token included) minus that of the answer with the edit reverted,
both scored with teacher forcing after the same prompt. An edit whose margin is at most
the threshold is left out of what the writer is offered.

A word no dictionary knows put right by one of its spellings is no coin toss, whatever
its margin: such an edit is never held ("bussinessman" -> "businessman" came back held at
0.03 nats; docs/default-adapter.md, "A spelling mended is never unsure").

On ITERATER-sent dev the margin ranks the edits that move toward the human revision above
the others (AUC 0.70), and leaving out the edits at or below 0.5 nats raised GLEU by 1.0
for 0.1 SARI (on test, scored once: +0.8 GLEU for -2.2 SARI; ``docs/method.md``,
"Keeping only confident edits").

The margins take their scoring function (``Scorer``) from the decoder that holds the model
and the tokenizer. The two ways that function computes log-probabilities cheaply live here
and take the model and token ids as arguments: the prompt run once for all the answers
(``shared_prompt_logprobs``, one prompt at a time: the reference the decoder's batched
paths are tested against), or only the tokens after the generated answer's, from what
generating it kept (``logprobs_after_generated_rows``; the decoder also runs the prompts
it kept nothing for and scores them this way, with an empty generated answer).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import DynamicCache

from itune_core.adapters import BASE
from itune_core.edits import Edit, HeldEdit, apply_edits, compute_edits, hold_back
from itune_core.misspellings import mends_spelling
from itune_core.prefix_cache import common_prefix_length, shared_prefix_forward, widened

# Why an edit the model was sure of is left out: the sentence with only the sure edits
# is, to the model, less likely than the sentence as written (``keep_confident``).
REST_LESS_LIKELY = (
    "the model was sure of it, but without the edits it was unsure of the sentence reads"
    " worse to it than as written"
)

# Log-probabilities (summed over each answer's tokens) of answers to one piece's prompt.
Scorer = Callable[[Sequence[str]], list[float]]


def edit_margins(piece: str, answer: str, edits: Sequence[Edit], scorer: Scorer) -> list[float]:
    """Each edit's margin: log p(answer) - log p(answer with only that edit undone)."""
    undone = [apply_edits(piece, [e for e in edits if e is not edit]) for edit in edits]
    scores = scorer([answer, *undone])
    return [scores[0] - score for score in scores[1:]]


def keep_confident(
    piece: str, answer: str, scorer: Scorer, min_margin: float, *, check_rest: bool = True
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``answer`` with the edits whose margin is at most ``min_margin`` undone, but for an
    edit that only spells a misspelt word right (``misspellings.mends_spelling``), which
    is never unsure.

    With ``check_rest``, where some edits are left out and others kept, what is left is
    scored against the piece as written; if the model finds it the less likely (a fix
    made by half: "This finding suggest" with "suggests" left out), no edit is offered
    and the kept ones are left out too, with that reason (``REST_LESS_LIKELY``).

    Returns:
        The text to offer and the edits left out (reason: the margin, or
        ``REST_LESS_LIKELY``), in text order.
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
        if m <= min_margin and not mends_spelling(edits[i].before, edits[i].after)
    }
    if not unsure:
        return answer, ()
    offered, held = hold_back(piece, edits, unsure)
    if check_rest and len(unsure) < len(edits):
        rest, written = scorer([offered, piece])
        if rest < written:
            everything = {i: unsure.get(i, REST_LESS_LIKELY) for i in range(len(edits))}
            return hold_back(piece, edits, everything)
    return offered, held


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
    generating ``generated.answer`` computed (``logprobs_after_generated_rows`` of one
    row)."""
    return logprobs_after_generated_rows(model, [(generated, answers, adapter_name)], pad_id)[0]


# The most cached positions (rows x the longest cache) one scoring pass holds: about
# 190 MB for the embedded model in float32 (46 KB a position over its 30 layers).
SCORE_PASS_POSITIONS = 4096


def logprobs_after_generated_rows(
    model: torch.nn.Module,
    jobs: Sequence[tuple[GeneratedRow, Sequence[Sequence[int]], str | None]],
    pad_id: int,
) -> list[list[float]]:
    """For each ``(generated, answers, adapter name)``, ``shared_prompt_logprobs`` of
    ``answers`` after ``generated.prompt``, from what generating ``generated.answer``
    computed, every row's answers in one pass.

    The answers to score are the generated answer and its variants, each with one edit
    undone (``edit_margins``). An answer's tokens that start the generated answer too take
    their log-probabilities from the generation; only its tokens after they part run, all
    the rows' answers in one pass over their generations' caches (each answer a row with
    its generation's cache, laid from the start and masked after its end, seeing only the
    positions before its own tokens, at their own positions). The generated answer itself
    then costs nothing, and a variant only its tokens from its edit on. One pass for all
    rows, not one per row: on a CPU a pass of a few tokens costs nearly as much as one of
    many, since it reads every weight either way.

    Args:
        jobs: the adapter name is PEFT's ``adapter_names`` entry for the row. When no job
            names one, the model is called without names (a plain model, or a PEFT
            model's only adapter); when any does, a job without one is the plain model's.

    Raises:
        ValueError: an empty answer, or a generation whose cache does not hold its prompt
            and its answer less one token.
    """
    results: list[dict[int, float]] = []
    runs = []  # per answer to run: (job, answer index, tokens fed, position of the first)
    for k, (generated, answers, _) in enumerate(jobs):
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
        scores = {}
        for i, ids in enumerate(answers):
            shared = common_prefix_length([answer, ids])
            scores[i] = running[shared]  # the rest, if any, is added below
            if shared < len(ids):
                # fed again: the token before its own ones, whose logits predict the first
                fed = [answer[shared - 1] if shared else prompt[-1], *ids[shared:]]
                runs.append((k, i, fed, len(prompt) - 1 + shared))
        results.append(scores)
    # Each run answer holds a copy of its generation's cache: passes of at most
    # SCORE_PASS_POSITIONS cached positions (rows x the longest cache), so that many long
    # sentences with many edits do not hold all their copies at once. A row over it runs
    # alone.
    chunk: list = []
    for run in sorted(runs, key=lambda r: jobs[r[0]][0].cache.get_seq_length()):
        longest = jobs[run[0]][0].cache.get_seq_length()
        if chunk and (len(chunk) + 1) * longest > SCORE_PASS_POSITIONS:
            _run_after_generated(model, jobs, chunk, pad_id, results)
            chunk = []
        chunk.append(run)
    if chunk:
        _run_after_generated(model, jobs, chunk, pad_id, results)
    return [[scores[i] for i in range(len(scores))] for scores in results]


def _run_after_generated(model, jobs, runs, pad_id: int, results: list[dict[int, float]]) -> None:
    """The pass of ``logprobs_after_generated_rows``: adds each run answer's tokens'
    log-probabilities to its score in ``results``."""
    device = next(model.parameters()).device
    caches = [jobs[k][0].cache for k, *_ in runs]
    held = max(cache.get_seq_length() for cache in caches)
    n, width = len(runs), max(len(fed) for _, _, fed, _ in runs)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, held + width), dtype=torch.long)
    positions = torch.zeros((n, width), dtype=torch.long)
    for j, (_, _, fed, start) in enumerate(runs):
        ids[j, : len(fed)] = torch.tensor(fed)
        mask[j, :start] = 1
        mask[j, held : held + len(fed)] = 1
        positions[j] = torch.arange(start, start + width)
    names = [jobs[k][2] for k, *_ in runs]
    if any(job[2] for job in jobs):  # the plain model's rows among adapters': PEFT's name
        names = [name or BASE for name in names]
    with torch.inference_mode():
        cache = DynamicCache(ddp_cache_data=_stacked(caches, held))
        out = model(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            position_ids=positions.to(device),
            past_key_values=cache,
            use_cache=True,
            **({"adapter_names": names} if any(names) else {}),
        )
        logp = torch.log_softmax(out.logits[:, :-1].float(), dim=-1)
        following = logp.gather(-1, ids[:, 1:, None].to(device))[..., 0].cpu()
    for j, (k, i, fed, _) in enumerate(runs):
        results[k][i] += following[j, : len(fed) - 1].sum().item()


def _stacked(caches: Sequence[Any], held: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per layer, the keys and values of ``caches`` (one row each) stacked into one batch,
    each laid from the start and padded with zeros to ``held`` positions (masked out by
    the caller). Row after row from the same cache share nothing: the pass extends them."""

    def laid(layer: int, part: str) -> torch.Tensor:
        tensors = [getattr(cache.layers[layer], part) for cache in caches]
        return torch.cat([widened(t, 2, held, at=t.shape[2]) for t in tensors])

    return [(laid(layer, "keys"), laid(layer, "values")) for layer in range(len(caches[0].layers))]


def _names(adapter_name: str | None) -> Callable[[int], dict]:
    """The keyword arguments of a call over that many rows with one adapter."""
    return lambda rows: {"adapter_names": [adapter_name] * rows} if adapter_name else {}
