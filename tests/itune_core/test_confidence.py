"""Keeping only the edits the model is confident in (``itune_core.confidence``)."""

from collections.abc import Sequence
from functools import partial

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from itune_core.confidence import (
    GeneratedRow,
    edit_margins,
    keep_confident,
    logprobs_after_generated,
    logprobs_after_generated_rows,
    shared_prompt_logprobs,
)
from itune_core.edits import apply_edits, compute_edits


def sequence_logprobs(  # the reference: every row run whole, no cache shared
    model: torch.nn.Module,
    rows: Sequence[tuple[Sequence[int], Sequence[int]]],
    pad_id: int,
    **forward_kwargs,
) -> list[float]:
    """For each ``(prompt ids, answer ids)``, the summed log-probability of the answer's
    tokens after its prompt, in one forward pass over the rows padded on the right
    (``forward_kwargs``: ``adapter_names``, one per row)."""
    full = [list(prompt) + list(answer) for prompt, answer in rows]
    width = max(len(r) for r in full)
    device = next(model.parameters()).device
    input_ids = torch.full((len(full), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(full), width), dtype=torch.long)
    for i, r in enumerate(full):
        input_ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    with torch.inference_mode():
        logits = model(
            input_ids=input_ids.to(device), attention_mask=mask.to(device), **forward_kwargs
        ).logits.float()
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    token_logp = logp.gather(-1, input_ids[:, 1:, None].to(device))[..., 0].cpu()
    # The logits at position t predict token t + 1: a prompt of p tokens puts the answer's
    # first token at logit p - 1.
    return [
        token_logp[i, len(prompt) - 1 : len(r) - 1].sum().item()
        for i, ((prompt, _), r) in enumerate(zip(rows, full, strict=True))
    ]


SOURCE = "Their is many reason why peoples likes to travel."
ANSWER = "There are many reasons why people like to travel."


def test_margins_are_the_log_probability_lost_when_one_edit_is_undone():
    edits = compute_edits(SOURCE, ANSWER)
    texts = {ANSWER: -5.0}
    for k, edit in enumerate(edits):
        texts[apply_edits(SOURCE, [e for e in edits if e is not edit])] = -5.0 - k
    margins = edit_margins(SOURCE, ANSWER, edits, lambda answers: [texts[a] for a in answers])
    assert margins == [float(k) for k in range(len(edits))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-20, 20, allow_nan=False), min_size=8, max_size=8),
    st.floats(-5, 5, allow_nan=False),
)
def test_what_is_offered_is_the_answer_less_exactly_the_unsure_edits(scores, threshold):
    edits = compute_edits(SOURCE, ANSWER)
    by_text = {ANSWER: 0.0, SOURCE: -1000.0}  # what is left always reads better than SOURCE
    for k, edit in enumerate(edits):
        by_text[apply_edits(SOURCE, [e for e in edits if e is not edit])] = scores[k]
    offered, left_out = keep_confident(
        SOURCE, ANSWER, lambda answers: [by_text.get(a, 0.0) for a in answers], threshold
    )
    unsure = [e for k, e in enumerate(edits) if -scores[k] <= threshold]
    assert offered == apply_edits(SOURCE, [e for e in edits if e not in unsure])
    assert [(h.before, h.after) for h in left_out] == [(e.before, e.after) for e in unsure]


def test_an_unchanged_answer_is_not_scored():
    def never(answers):
        raise AssertionError("scored")

    assert keep_confident(SOURCE, SOURCE, never, 0.5) == (SOURCE, ())


def test_padded_batch_scores_equal_one_answer_at_a_time(make_base_model):
    model = make_base_model().eval().float()
    rows = [
        ([5, 9, 17, 3], [7, 8, 2]),
        ([5, 9, 17, 3], [11, 2]),
        ([40, 41], [30, 31, 32, 33, 2]),  # another prompt in the same pass
    ]
    together = sequence_logprobs(model, rows, pad_id=0)
    for (prompt, ids), score in zip(rows, together, strict=True):
        full = torch.tensor([prompt + ids])
        with torch.inference_mode():
            logp = torch.log_softmax(model(input_ids=full).logits[0, :-1].float(), -1)
        expected = sum(logp[len(prompt) - 1 + i, t].item() for i, t in enumerate(ids))
        alone = sequence_logprobs(model, [(prompt, ids)], pad_id=0)[0]
        assert abs(score - expected) < 1e-4
        assert abs(alone - expected) < 1e-4


@pytest.mark.parametrize(
    "answers",
    [
        [[7, 8, 2], [11, 2], [30, 31, 32, 33, 2], [2]],  # variants part at the first token
        # an answer and its variants: each parts from it somewhere, one is the answer
        # again, one a start of it, one longer
        [
            [7, 8, 9, 10, 2],
            [7, 8, 11, 10, 2],
            [7, 2],
            [7, 8, 9, 10, 2],
            [7, 8],
            [7, 8, 9, 10, 12, 2],
        ],
    ],
)
def test_a_shared_prompt_cache_gives_the_same_scores(make_base_model, make_lora_model, answers):
    prompt = [5, 9, 17, 3, 44, 12]
    for model, name in ((make_base_model().eval(), None), (make_lora_model().eval(), "default")):
        plain = sequence_logprobs(model, [(prompt, a) for a in answers], pad_id=0)
        shared = shared_prompt_logprobs(model, prompt, answers, pad_id=0, adapter_name=name)
        assert shared == pytest.approx(plain, abs=1e-4)


def generated_row(model, prompt, answer, name=None) -> GeneratedRow:
    """What the decoder keeps of a row that answered ``answer``: the cache of the prompt and
    the answer less its last token, and each answer token's log-probability."""
    extra = {"adapter_names": [name]} if name else {}
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([prompt + answer[:-1]]), use_cache=True, **extra)
        logp = torch.log_softmax(out.logits[0, len(prompt) - 1 :].float(), -1)
    logprobs = [logp[j, t].item() for j, t in enumerate(answer)]
    return GeneratedRow(prompt, answer, logprobs, out.past_key_values)


def shapes_fed(model, call):
    """``call()``'s result and the shape of ``input_ids`` of each forward pass it made."""
    fed = []
    hook = model.register_forward_pre_hook(
        lambda _m, args, kwargs: fed.append(tuple(kwargs["input_ids"].shape)), with_kwargs=True
    )
    try:
        return call(), fed
    finally:
        hook.remove()


def test_scores_after_a_generation_are_those_of_the_whole_answers(make_base_model, make_lora_model):
    prompt, answer = [5, 9, 17, 3, 44, 12], [7, 8, 9, 10, 11, 2]
    answers = [
        answer,  # the generated answer: nothing to run
        [7, 8, 9],  # a start of it: nothing to run
        [7, 8, 30, 10, 11, 2],  # an edit midway
        [7, 8, 9, 10, 11, 12, 2],  # longer
        [40, 2],  # parts at once
    ]
    for model, name in ((make_base_model().eval(), None), (make_lora_model().eval(), "default")):
        extra = {"adapter_names": [name] * len(answers)} if name else {}
        whole = sequence_logprobs(model, [(prompt, a) for a in answers], pad_id=0, **extra)
        generated = generated_row(model, prompt, answer, name)
        found, fed = shapes_fed(
            model, partial(logprobs_after_generated, model, generated, answers, 0, name)
        )
        assert found == pytest.approx(whole, abs=1e-4)
        # one pass, over the three answers that part from the generated one, each from
        # the token before it parts: 5, 3 and 2 tokens
        assert fed == [(3, 5)]


def test_rows_scored_together_are_scored_as_each_alone(make_lora_model, monkeypatch):
    """Generations of different lengths, with the adapter and without, in one pass: each
    answer's score is its whole sequence's, the plain model's rows as if no adapter."""
    model = make_lora_model().eval()
    jobs = [  # (prompt, generated answer, answers to score, adapter)
        (
            [5, 9, 17, 3, 44, 12],
            [7, 8, 9, 10, 11, 2],
            [[7, 8, 9, 10, 11, 2], [7, 8, 30, 10, 11, 2]],
            "default",
        ),
        ([6, 3], [20, 21, 2], [[20, 2], [20, 21, 2], [33, 21, 2]], None),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [40, 2], [[40, 41, 42, 2]], "default"),
        ([15, 16, 17], [50, 51, 2], [[50, 51, 2]], "default"),  # nothing to run
    ]
    expected = []
    for prompt, _, answers, name in jobs:
        extra = {"adapter_names": [name or "__base__"] * len(answers)}
        expected.append(sequence_logprobs(model, [(prompt, a) for a in answers], 0, **extra))
    rows = [
        (generated_row(model, prompt, answer, name or "__base__"), answers, name)
        for prompt, answer, answers, name in jobs
    ]
    found, fed = shapes_fed(model, lambda: logprobs_after_generated_rows(model, rows, pad_id=0))
    for got, want in zip(found, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-4)
    # one pass over the four answers that part from their generations (the others are
    # the generated answers or starts of them), the longest feeding 5 tokens
    assert fed == [(4, 5)]
    # with room for 24 cached positions a pass, the shortest caches go first, two rows of
    # 4 positions, then the rows of 11 and 12: the same scores in two passes
    monkeypatch.setattr("itune_core.confidence.SCORE_PASS_POSITIONS", 24)
    rows = [(generated_row(model, p, a, n or "__base__"), s, n) for p, a, s, n in jobs]
    again, fed = shapes_fed(model, lambda: logprobs_after_generated_rows(model, rows, pad_id=0))
    assert fed == [(2, 4), (2, 5)]
    for got, want in zip(again, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-4)


def test_a_generation_cache_of_the_wrong_length_is_refused(make_base_model):
    model = make_base_model().eval()
    generated = generated_row(model, [5, 9, 17], [7, 8, 2])
    wrong = GeneratedRow(generated.prompt, [7, 2], generated.logprobs[:2], generated.cache)
    with pytest.raises(ValueError, match="the cache holds 5 positions"):
        logprobs_after_generated(model, wrong, [[7, 2]], pad_id=0)


def test_a_fix_made_by_half_is_not_offered():
    # "These finding suggest" -> "This finding suggests": "suggests" is unsure, and
    # "This finding suggest" reads worse to the model than the sentence as written
    from itune_core.confidence import REST_LESS_LIKELY

    piece, answer = "These finding suggest it.", "This finding suggests it."
    scores = {
        answer: -10.0,
        "These finding suggests it.": -12.0,  # "This" undone: margin 2, sure
        "This finding suggest it.": -10.3,  # "suggests" undone: margin 0.3, unsure
        piece: -10.2,
    }

    def scorer(answers):
        return [scores[a] for a in answers]

    offered, held = keep_confident(piece, answer, scorer, 0.5)
    assert offered == piece
    assert [(h.before, h.after, h.reason == REST_LESS_LIKELY) for h in held] == [
        ("These", "This", True),
        ("suggest", "suggests", False),
    ]
    # without the check, or where what is left reads better, the sure edit is offered
    assert keep_confident(piece, answer, scorer, 0.5, check_rest=False)[0] == (
        "This finding suggest it."
    )
    scores[piece] = -11.0
    assert keep_confident(piece, answer, scorer, 0.5)[0] == "This finding suggest it."


def test_a_spelling_mended_is_never_unsure():
    # "bussinessman" -> "businessman" at a margin of 0.03 is offered; "a" -> "the" is held
    piece, answer = "He is a good bussinessman.", "He is the good businessman."
    scores = {
        answer: -10.0,
        "He is a good businessman.": -10.1,  # "the" undone: margin 0.1, unsure
        "He is the good bussinessman.": -10.03,  # the spelling undone: margin 0.03
        piece: -11.0,
    }

    def scorer(answers):
        return [scores[a] for a in answers]

    offered, held = keep_confident(piece, answer, scorer, 0.5)
    assert offered == "He is a good businessman."
    assert [(h.before, h.after) for h in held] == [("a", "the")]
