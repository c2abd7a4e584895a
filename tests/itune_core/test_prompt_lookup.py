"""Prompt lookup: a row decoded alone drafts tokens from its prompt, so several tokens may
arrive in one step. The stops must end a row exactly where they would one token at a time,
and the answer must be the one plain greedy decoding gives, in fewer forward passes."""

import pytest
import torch
from transformers import StopStringCriteria

from itune_core.decoding import Decoder, Row, RowStops
from itune_core.reviser import ReviseSettings
from tests.itune_core.test_serving import byte_tokenizer

TOK = byte_tokenizer()
EOS = TOK.eos_token_id
WIDTH = 3  # prompt tokens before every answer below


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


def ended(step: int) -> tuple[list, list]:
    """Where each answer ended and looped when the answers grow ``step`` tokens a call."""
    rows = [Row((1, 2, 3), budget, newline) for _, newline, budget in ANSWERS]
    stops = RowStops(WIDTH, rows, {EOS}, 3, StopStringCriteria(TOK, ["\n"]))
    longest = max(len(a) for a, _, _ in ANSWERS)
    padded = torch.tensor(
        [[0] * WIDTH + a + [TOK.pad_token_id] * (longest - len(a)) for a, _, _ in ANSWERS]
    )
    for end in [*range(step, longest, step), longest]:
        stops(padded[:, : WIDTH + end], None)
    return stops.ended_at, stops.looped_at


def test_the_reference_stops_are_where_the_answers_say():
    ended_at, looped_at = ended(1)
    assert ended_at[0] == len(ids("fixed.")) + 1  # the end token, not the text after it
    assert ended_at[1] == len(ids("one line\n"))
    assert looped_at[2] is not None and ended_at[2] == looped_at[2] + 3
    assert ended_at[3] == 9
    assert ended_at[4] is None and looped_at[:2] + looped_at[3:] == [None] * 4


@pytest.mark.parametrize("step", [2, 3, 4, 11, 64])
def test_several_tokens_a_step_end_each_row_where_one_at_a_time_does(step):
    assert ended(step) == ended(1)


@pytest.mark.parametrize("bad", [-1, 65, 2.5, True, "10"])
def test_a_bad_prompt_lookup_is_refused(bad):
    with pytest.raises(ValueError, match="prompt_lookup"):
        ReviseSettings(prompt_lookup=bad)


# --- with the embedded model --------------------------------------------------------------

PIECES = [
    "Their is many reason why peoples likes to travel.",
    "We pre-train ProphetNet using a base scale dataset (16GB) and a large scale dataset (160GB).",
    "It broaden the mind and you meets new friend.\nA second line.",
]


def passes(model, run) -> int:
    """The forward passes the model made while ``run()`` ran."""
    count = [0]
    handle = model.register_forward_pre_hook(lambda *_: count.__setitem__(0, count[0] + 1))
    try:
        run()
    finally:
        handle.remove()
    return count[0]


@pytest.mark.parametrize("piece", PIECES)
def test_in_fp32_a_row_alone_answers_the_same_in_fewer_passes(embedded, piece):
    model, tokenizer = embedded.model, embedded.tokenizer
    plain = Decoder(model, tokenizer, prompt_lookup=0, prompt_cache_bytes=0)
    lookup = Decoder(model, tokenizer, prompt_lookup=10, prompt_cache_bytes=0)
    row = plain.row(piece, ["fluency"])
    found: dict[str, list] = {}
    plain_passes = passes(model, lambda: found.setdefault("plain", plain.generate([row])))
    lookup_passes = passes(model, lambda: found.setdefault("lookup", lookup.generate([row])))
    assert found["lookup"] == found["plain"]  # same text, tokens and cut-off
    assert found["plain"][0].tokens > 5
    assert lookup_passes < plain_passes
