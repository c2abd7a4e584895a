"""The decoder keeps what ``generate`` computed for a row (its prompt and answer cache, the
answer tokens' log-probabilities) for ``score``: the scores are those of running the prompt
again, the prompt is not run again, the generated answer is not run at all, and the kept
caches stay within their bound."""

import dataclasses

import pytest

from itune_core.adapters import BASE
from itune_core.confidence import shared_prompt_logprobs
from itune_core.decoding import Decoder, position_groups
from itune_core.prompts import answer_token_ids
from itune_core.reviser import Reviser, ReviseSettings
from itune_core.serving import AdapterPool

PIECES = ["He go to school.", "She like apples very much, and pears.", "It rain."]
ANSWERS = {
    "He go to school.": ["He goes to school.", "He go to school.", ""],
    "She like apples very much, and pears.": ["She likes apples.", "She like pears."],
    "It rain.": ["It rains.", "It rained today."],
}


def rows(decoder):  # mixed adapters and prompt lengths in one batch
    return [
        decoder.row(piece, ["fluency"], adapter)
        for piece, adapter in zip(PIECES, ["a", None, "b"], strict=True)
    ]


def prompt_lengths_fed(model, run) -> list[int]:
    """The sequence lengths the model's decoder stack was fed while ``run()`` ran."""
    fed = []

    def record(_module, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        if ids is not None:
            fed.append(ids.shape[1])

    handle = model.get_base_model().model.register_forward_pre_hook(record, with_kwargs=True)
    try:
        run()
    finally:
        handle.remove()
    return fed


def test_scores_after_generate_are_those_of_running_the_prompt_again(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    keeping = Decoder(model, tokenizer, max_new_tokens=8)
    fresh = Decoder(model, tokenizer, max_new_tokens=8, cache_bytes=0)
    batch = rows(keeping)
    keeping.generate(batch)
    assert keeping.kept_bytes > 0
    assert fresh.generate(batch) and fresh.kept_bytes == 0
    jobs = [(row, ANSWERS[piece]) for row, piece in zip(batch, PIECES, strict=True)]
    fed: list[list[float]] = []
    lengths = prompt_lengths_fed(model, lambda: fed.extend(keeping.score(jobs)))
    assert fed == [pytest.approx(s, abs=1e-4) for s in fresh.score(jobs)]
    # Each prompt's cache was taken once: no pass ran a prompt, and none is kept any more.
    assert all(n < min(len(row.prompt) for row in batch) for n in lengths), lengths
    assert keeping.kept_bytes == 0
    # Scoring the same prompt again runs it again, to the same scores.
    assert keeping.score(jobs[:1]) == [pytest.approx(fed[0], abs=1e-4)]


def test_prompts_scored_together_score_as_each_prompt_run_alone(model_and_tokenizer):
    """Rows with nothing kept: their prompts run together, for mixed adapters and
    instructions of different lengths, to the scores of each prompt run on its own."""
    model, tokenizer = model_and_tokenizer
    decoder = Decoder(model, tokenizer, cache_bytes=0)
    jobs = [
        (decoder.row(piece, [intention], adapter), ANSWERS[piece])
        for piece in PIECES
        for intention, adapter in (("fluency", "a"), ("clarity", None), ("style", "b"))
    ]
    assert len({row.instruction for row, _ in jobs}) > 1
    alone = [
        shared_prompt_logprobs(
            model,
            row.prompt,
            [answer_token_ids(tokenizer, a) for a in answers],
            tokenizer.pad_token_id,
            row.adapter or BASE,
        )
        for row, answers in jobs
    ]
    assert decoder.score(jobs) == [pytest.approx(s, abs=1e-4) for s in alone]
    # rows whose instruction is not known run their whole prompts, to the same scores;
    # mixed with rows whose instruction is kept, they start from zeros in the pass
    unknown = [(dataclasses.replace(row, instruction=0), answers) for row, answers in jobs]
    assert decoder.score(unknown) == [pytest.approx(s, abs=1e-4) for s in alone]
    mixed = [unknown[0], *jobs[1:]]
    assert decoder.score(mixed) == [pytest.approx(s, abs=1e-4) for s in alone]


def test_prompts_scored_together_take_two_passes_once_instructions_are_kept(
    model_and_tokenizer,
):
    model, tokenizer = model_and_tokenizer
    decoder = Decoder(model, tokenizer, cache_bytes=0)
    jobs = [
        (decoder.row(piece, [intention], "a"), ANSWERS[piece])
        for piece in PIECES
        for intention in ("fluency", "clarity", "coherence")
    ]
    first = decoder.score(jobs)  # runs each instruction once, and keeps it
    lengths = prompt_lengths_fed(model, lambda: decoder.score(jobs))
    assert len(lengths) == 2, lengths  # the prompts' rests together, then every answer
    assert decoder.score(jobs) == [pytest.approx(s, abs=1e-5) for s in first]


def test_position_groups_bound_each_pass_and_keep_every_row_once():
    lengths = [30, 5, 12, 40, 7, 100]
    groups = position_groups(lengths, limit=60)
    assert sorted(k for group in groups for k in group) == list(range(len(lengths)))
    for group in groups:
        widest = max(lengths[k] for k in group)
        assert len(group) == 1 or len(group) * widest <= 60
    assert [lengths[k] for k in groups[0]] == [5, 7, 12]  # shortest first, together
    assert [5] in groups  # the 100-long row runs alone


def tokens_fed(model, run) -> tuple[int, object]:
    """How many token positions the model was fed while ``run()`` ran, and its result."""
    fed = [0]

    def record(_module, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        fed[0] += ids.numel()

    handle = model.register_forward_pre_hook(record, with_kwargs=True)
    try:
        found = run()
    finally:
        handle.remove()
    return fed[0], found


def test_the_embedded_models_answers_are_scored_from_their_generation(embedded):
    """The answer and its piece (every edit undone), as ``keep_confident`` scores them."""
    model, tokenizer = embedded.model, embedded.tokenizer
    keeping, fresh = Decoder(model, tokenizer), Decoder(model, tokenizer, cache_bytes=0)
    pieces = ["He go to school yesterday.", "The result are good, and we is happy."]
    batch = [keeping.row(piece, ["fluency"]) for piece in pieces]
    answers = keeping.generate(batch)
    assert any(a.text != piece for a, piece in zip(answers, pieces, strict=True))
    jobs = [(row, [a.text, p]) for row, a, p in zip(batch, answers, pieces, strict=True)]
    kept_fed, kept = tokens_fed(model, lambda: keeping.score(jobs))
    fresh_fed, again = tokens_fed(model, lambda: fresh.score(jobs))
    assert kept == [pytest.approx(scores, abs=1e-3) for scores in again]
    assert kept_fed < sum(len(tokenizer(p)["input_ids"]) + 1 for p in pieces)
    assert fresh_fed > sum(len(row.prompt) for row in batch)


def test_the_scores_differ_by_adapter_with_the_kept_caches(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    decoder = Decoder(model, tokenizer, max_new_tokens=8)
    piece = PIECES[0]
    same = [decoder.row(piece, ["fluency"], adapter) for adapter in ("a", "b")]
    decoder.generate(same)  # one prompt, two adapters: two caches
    a, b = decoder.score([(row, ANSWERS[piece]) for row in same])
    assert a != pytest.approx(b, abs=1e-3)
    alone = Decoder(model, tokenizer, cache_bytes=0)
    assert alone.score([(same[0], ANSWERS[piece])]) == [pytest.approx(a, abs=1e-4)]


def test_the_kept_caches_stay_within_their_bound(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    one_row = Decoder(model, tokenizer, max_new_tokens=4)
    row = rows(one_row)[1]
    one_row.generate([row])
    size = one_row.kept_bytes
    bounded = Decoder(model, tokenizer, max_new_tokens=4, cache_bytes=2 * size)
    for _ in range(3):
        bounded.generate(rows(bounded))
        assert 0 < bounded.kept_bytes <= 2 * size
    nothing = Decoder(model, tokenizer, max_new_tokens=4, cache_bytes=size - 1)
    nothing.generate([row])
    assert nothing.kept_bytes == 0


@pytest.mark.parametrize("bound", [-1, 1.5, True, "256"])
def test_a_bad_cache_bound_is_refused(model_and_tokenizer, bound):
    model, tokenizer = model_and_tokenizer
    with pytest.raises(ValueError, match="cache_bytes"):
        Decoder(model, tokenizer, cache_bytes=bound)


def test_a_released_row_drops_its_kept_cache(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    decoder = Decoder(model, tokenizer)
    batch = rows(decoder)
    decoder.generate(batch)
    assert decoder.kept_bytes > 0
    for row in batch:
        decoder.release(row)
    assert decoder.kept_bytes == 0
    decoder.release(batch[0])  # nothing kept: nothing to do


@pytest.mark.parametrize("batched", [False, True])
def test_a_revision_leaves_no_prompt_cache_behind(model_and_tokenizer, batched):
    """An answer left unchanged or discarded is never scored; its piece's prompt cache is
    released all the same once the piece is done, alone or through the pool's scheduler."""
    model, tokenizer = model_and_tokenizer
    settings = ReviseSettings(min_edit_margin=0.5)
    if batched:
        pool = AdapterPool(model, tokenizer, model_name="tiny", settings=settings)
        reviser, decoder = pool.reviser_for(None, None), pool.scheduler.decoder
    else:
        reviser = Reviser(model, tokenizer, "tiny", "a", settings)
        decoder = reviser.decoder.decoder  # its own scheduler's
    reviser.revise(" ".join(PIECES), ["fluency"])
    assert decoder.kept_bytes == 0


def test_a_row_knows_where_its_piece_starts(model_and_tokenizer):
    _, tokenizer = model_and_tokenizer
    decoder = Decoder(*model_and_tokenizer)
    one, two = (decoder.row(p, ["fluency", "clarity"]) for p in ("He go.", "Cats sleeps."))
    assert one.instruction == two.instruction > 0
    n = one.instruction
    assert one.prompt[:n] == two.prompt[:n] and one.prompt[n] != two.prompt[n]
    assert tokenizer.decode(one.prompt[:n]).endswith("fluency, clarity.\n\n")
    assert decoder.row("He go.", ["clarity"]).instruction < n  # fewer words of intention


def test_the_instruction_runs_once_across_calls_per_adapter(model_and_tokenizer):
    """A row alone runs its instruction once; later calls start from its kept cache, give
    the answers a decoder that kept nothing gives, and keep one cache per adapter."""
    model, tokenizer = model_and_tokenizer
    kept = Decoder(model, tokenizer, max_new_tokens=8)
    for adapter in ("a", "b", None):
        row = kept.row(PIECES[1], ["fluency"], adapter)
        fresh = Decoder(model, tokenizer, max_new_tokens=8)  # keeps nothing yet
        fed_first, first = tokens_fed(model, lambda r=row: kept.generate([r]))
        fed_again, again = tokens_fed(model, lambda r=row: kept.generate([r]))
        assert again == first == fresh.generate([row])
        assert fed_first - fed_again == row.instruction  # the instruction did not run again
        unknown = dataclasses.replace(row, instruction=0)  # nothing kept is taken for it
        assert tokens_fed(model, lambda r=unknown: kept.generate([r])) == (fed_first, first)
    assert len(kept._instructions) == 3
    batch = rows(kept)  # adapters a, None and b: all three caches taken, none added
    fed, answers = tokens_fed(model, lambda: kept.generate(batch))
    fresh = Decoder(model, tokenizer, max_new_tokens=8)
    fed_fresh, fresh_answers = tokens_fed(model, lambda: fresh.generate(batch))
    assert answers == fresh_answers
    assert fed_fresh - fed == 3 * batch[0].instruction  # the prefix, once per adapter
    assert len(kept._instructions) == 3


def test_the_kept_instructions_stay_within_their_bound(model_and_tokenizer, monkeypatch):
    monkeypatch.setattr("itune_core.decoding.KEPT_INSTRUCTIONS", 2)
    decoder = Decoder(*model_and_tokenizer, max_new_tokens=2)
    for intentions in (["fluency"], ["clarity"], ["style"], ["coherence"]):
        decoder.generate([decoder.row(PIECES[2], intentions, "a")])
    assert [key[-1][-4:] for key in decoder._instructions] == [
        tuple(decoder.row("x", i).prompt[: decoder.row("x", i).instruction][-4:])
        for i in (["style"], ["coherence"])
    ]
