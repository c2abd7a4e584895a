"""Prompt lookup: every running row gets tokens drafted from its prompt, so a pass of the
model may add several tokens to a row. The stops must end a row exactly where they would
one token at a time, and the answers must be the ones plain greedy decoding gives (the
same text as transformers' ``generate``), in fewer passes, batched or alone."""

import threading

import pytest
import torch
from transformers import DynamicCache, StopStringCriteria

from itune_core.decoding import (
    Decoder,
    Row,
    RowStops,
    common_prefix_length,
    compact,
    lookup_draft,
    prefill_groups,
)
from itune_core.reviser import ReviseSettings
from tests.itune_core.test_serving import byte_tokenizer

TOK = byte_tokenizer()
EOS = TOK.eos_token_id


def ids(text: str) -> list[int]:
    return TOK(text, add_special_tokens=False)["input_ids"]


# Each answer with what must end it: an end token with more after it, a line break, a loop,
# the length cap, and an answer still running.
ANSWERS = [
    ([*ids("fixed."), EOS, *ids("more")], True, 40),
    (ids("one line\nand another"), True, 40),
    (ids("ab ab ab ab ab ab ab ab ab"), False, 40),
    (ids("a long answer that runs"), False, 9),
    (ids("an answer that is still going on here, unbroken"), False, 60),
]


def ended(cancel=None) -> tuple[list, list]:
    """Where each answer ended and looped, its tokens checked one at a time."""
    rows = [Row((1, 2, 3), budget, newline) for _, newline, budget in ANSWERS]
    stops = RowStops(rows, {EOS}, 3, StopStringCriteria(TOK, ["\n"]), cancel)
    for k, (answer, _, _) in enumerate(ANSWERS):
        for end in range(1, len(answer) + 1):
            if stops.add(k, answer[:end]):
                break
    return stops.ended_at, stops.looped_at


def test_the_stops_are_where_the_answers_say():
    ended_at, looped_at = ended()
    assert ended_at[0] == len(ids("fixed.")) + 1  # the end token, not the text after it
    assert ended_at[1] == len(ids("one line\n"))
    assert looped_at[2] is not None and ended_at[2] == looped_at[2] + 3
    assert ended_at[3] == 9
    assert ended_at[4] is None and looped_at[:2] + looped_at[3:] == [None] * 4


def test_a_cancelled_row_ends_at_its_next_token():
    events = [None, None, None, None, threading.Event()]
    events[4].set()
    ended_at, _ = ended(events)
    assert ended_at[4] == 1 and ended_at[:4] == ended()[0][:4]


def test_a_draft_copies_what_followed_the_answers_last_tokens_in_the_prompt():
    prompt = ids("Fix: the cat sat on the mat.\n")
    assert TOK.decode(lookup_draft(prompt, ids("The cat"), 5)) == " sat "
    # the longest run of last tokens decides: "he m" occurs once, "m" twice
    assert TOK.decode(lookup_draft(prompt, ids("the m"), 3)) == "at."
    assert lookup_draft(prompt, ids("the m"), 0) == []


def test_a_draft_falls_back_to_the_answer_then_to_nothing():
    prompt = ids("xyz")
    assert TOK.decode(lookup_draft(prompt, ids("abcab"), 2)) == "ca"  # "ab" earlier
    assert lookup_draft(prompt, ids("q"), 4) == []
    assert lookup_draft(prompt, [], 4) == []


def test_the_common_prefix_of_prompts():
    assert common_prefix_length([[1, 2, 3, 4], [1, 2, 5], [1, 2, 3]]) == 2
    assert common_prefix_length([[1, 2], [1, 2, 3]]) == 2
    assert common_prefix_length([[7], [1]]) == 0


def test_prompts_are_grouped_so_that_one_long_prompt_does_not_pad_the_others():
    assert prefill_groups([100, 10, 10, 10], call_cost=64) == [[0], [1, 2, 3]]
    assert prefill_groups([100, 10, 10, 10], call_cost=1000) == [[0, 1, 2, 3]]
    assert prefill_groups([40, 38, 41], call_cost=64) == [[2, 0, 1]]
    assert prefill_groups([5], call_cost=64) == [[0]]


@pytest.mark.parametrize("lengths", [[3, 90, 7, 200, 60, 61, 5, 150], list(range(1, 17))])
def test_every_row_is_in_one_group_and_no_split_pads_less(lengths):
    groups = prefill_groups(lengths, call_cost=20)
    assert sorted(k for group in groups for k in group) == list(range(len(lengths)))

    def cost(split):
        return sum(len(g) * max(lengths[k] for k in g) + 20 for g in split)

    one_each = [[k] for k in range(len(lengths))]
    assert cost(groups) <= min(cost([list(range(len(lengths)))]), cost(one_each))


@pytest.mark.parametrize("bad", [-1, 65, 2.5, True, "10"])
def test_a_bad_prompt_lookup_is_refused(bad):
    with pytest.raises(ValueError, match="prompt_lookup"):
        ReviseSettings(prompt_lookup=bad)


# --- with a tiny random model: drafts are mostly rejected, which the masking must survive --


@pytest.fixture(scope="module")
def tiny(model_and_tokenizer):
    """The tiny fp32 model holding adapters ``a`` and ``b`` (its tokenizer is ``TOK``)."""
    return model_and_tokenizer[0]


TINY_PIECES = [
    "He go to school.",
    "She like apples very much, and pears.",
    "It rain.",
    "A b",
    # long enough for a group of its own in the prompts' pass, so groups are merged
    "The committee have decided that the meeting, which were planned for Monday, will be "
    "moved to a later date because several member is away at a conference abroad.",
]


@pytest.mark.parametrize(("lookup", "compact_at"), [(0, 2.0), (3, 2.0), (10, 2.0), (10, 1.0)])
def test_answers_are_those_of_transformers_generate(tiny, lookup, compact_at, monkeypatch):
    # compact_at 1: the cache is compacted after every pass that left a gap
    monkeypatch.setattr("itune_core.decoding.COMPACT_AT", compact_at)
    # no loop guard, so that generate's answers and the decoder's stop at the same tokens
    decoder = Decoder(tiny, TOK, loop_ngram=1000, prompt_lookup=lookup, cache_bytes=0)
    rows = [
        decoder.row(piece, ["fluency"], adapter)
        for piece, adapter in zip(TINY_PIECES, ["a", None, "b", "a", None], strict=True)
    ]
    shared = common_prefix_length([row.prompt for row in rows])
    assert shared > 0 and len(prefill_groups([len(r.prompt) - shared for r in rows])) > 1
    reference = decoder.generate_ids(rows, [decoder.newline_stop])
    found = decoder.generate(rows)
    for k, (row, answer) in enumerate(zip(rows, found, strict=True)):
        assert answer == decoder.answer(row, reference[k, : answer.tokens].tolist())
    assert [decoder.generate([row])[0] for row in rows] == found  # alone as batched


@pytest.mark.parametrize("compact_at", [2.0, 1.0])
def test_rows_that_join_a_running_batch_answer_as_transformers_generate(
    tiny, compact_at, monkeypatch
):
    monkeypatch.setattr("itune_core.decoding.COMPACT_AT", compact_at)
    decoder = Decoder(tiny, TOK, loop_ngram=1000, prompt_lookup=10, cache_bytes=0)
    rows = [
        decoder.row(piece, ["fluency"], adapter)
        for piece, adapter in zip(TINY_PIECES, ["a", None, "b", "a", None], strict=True)
    ]
    reference = decoder.generate_ids(rows, [decoder.newline_stop])
    # rows 1 and 2 join at the second pass (two rows, one prompts' pass), row 3 at the
    # fifth; rows 1-3 were already asked for at the first
    joins = {1: [], 2: [(rows[1], None), (rows[2], None)], 5: [(rows[3], None)]}
    asked, handed = [], {}

    def more(running: int):
        asked.append(running)
        return joins.get(len(asked), [])

    found = decoder.generate(
        [rows[4], rows[0]], on_answer=lambda k, a: handed.setdefault(k, a), more=more
    )
    order = [4, 0, 1, 2, 3]  # the rows, in the order the call numbers them
    assert len(found) == 5 and handed == dict(enumerate(found))
    for k, answer in zip(order, found, strict=True):
        assert answer == decoder.answer(rows[k], reference[k, : answer.tokens].tolist())
    assert len(asked) > 5 and asked[-1] == 0  # asked between every pass, until none ran


# --- with the embedded model --------------------------------------------------------------

PIECES = [
    "Their is many reason why peoples likes to travel.",
    "We pre-train ProphetNet using a base scale dataset (16GB) and a large scale dataset (160GB).",
    "It broaden the mind and you meets new friend.\nA second line.",
]


def passes(model, run, *args) -> tuple[int, object]:
    """The forward passes the model made while ``run(*args)`` ran, and what it returned."""
    count = [0]
    handle = model.register_forward_pre_hook(lambda *_: count.__setitem__(0, count[0] + 1))
    try:
        found = run(*args)
    finally:
        handle.remove()
    return count[0], found


def test_in_fp32_answers_are_the_same_with_lookup_in_fewer_passes(embedded):
    model, tokenizer = embedded.model, embedded.tokenizer
    plain = Decoder(model, tokenizer, prompt_lookup=0, cache_bytes=0)
    lookup = Decoder(model, tokenizer, prompt_lookup=10, cache_bytes=0)
    rows = [plain.row(piece, ["fluency"]) for piece in PIECES]
    for chosen in (rows, rows[:1]):  # batched, and a row alone
        plain_passes, plain_answers = passes(model, plain.generate, chosen)
        lookup_passes, lookup_answers = passes(model, lookup.generate, chosen)
        assert lookup_answers == plain_answers  # same text, tokens and cut-off
        assert all(answer.tokens > 5 for answer in plain_answers)
        assert lookup_passes < plain_passes


def test_each_row_is_handed_over_as_it_ends_while_the_others_run_on(tiny):
    decoder = Decoder(tiny, TOK, prompt_lookup=0, cache_bytes=0)
    rows = [Row(tuple(ids("Fix: a")), budget, False, "a") for budget in (2, 12)]
    handed: dict[int, tuple] = {}
    passes_so_far = [0]
    hook = tiny.register_forward_pre_hook(
        lambda *_: passes_so_far.__setitem__(0, passes_so_far[0] + 1)
    )
    try:
        found = decoder.generate(
            rows, on_answer=lambda k, a: handed.setdefault(k, (passes_so_far[0], a))
        )
    finally:
        hook.remove()
    assert found[1].tokens > found[0].tokens  # the second row ran on
    assert handed[0][0] < handed[1][0] <= passes_so_far[0]
    assert [handed[k][1] for k in (0, 1)] == found


def test_compacting_keeps_each_rows_positions_in_order_and_drops_the_gaps():
    keys = torch.arange(10.0).reshape(2, 1, 5, 1)  # (rows, heads, positions, dims)
    cache = DynamicCache(ddp_cache_data=[(keys, keys + 100)])
    mask = torch.tensor([[1, 0, 1, 1, 0], [0, 0, 1, 0, 0]])
    assert compact(cache, mask).tolist() == [[1, 1, 1], [0, 0, 1]]
    layer = cache.layers[0]
    assert layer.keys[0, 0, :, 0].tolist() == [0.0, 2.0, 3.0]
    assert layer.keys[1, 0, 2, 0].item() == 7.0
    assert layer.values[0, 0, :, 0].tolist() == [100.0, 102.0, 103.0]
    assert cache.get_seq_length() == 3
