"""The reviser's stopping and guarding, on a tiny random model that answers nonsense."""

import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from itune_core.model import EMBEDDED_MODEL
from itune_core.reviser import Reviser, ReviseSettings


@pytest.fixture(scope="module")
def tiny(itune_home):
    tokenizer = AutoTokenizer.from_pretrained(itune_home / "models" / EMBEDDED_MODEL)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(config).eval(), tokenizer


def test_a_nonsense_answer_leaves_the_sentence_unchanged(tiny):
    model, tokenizer = tiny
    reviser = Reviser(model, tokenizer, model_name="tiny")
    source = "The results is good. We are happy with them."
    revision = reviser.revise(source, ["fluency"])
    assert revision.revised == source
    assert revision.edits == ()
    assert revision.discarded_pieces == 2


def test_generation_never_runs_past_the_length_cap(tiny):
    model, tokenizer = tiny
    settings = ReviseSettings(max_new_tokens=5, min_similarity=0.0)
    reviser = Reviser(model, tokenizer, model_name="tiny", settings=settings)
    revision = reviser.revise("One short sentence here.", ["clarity"])
    assert revision.generated_tokens <= 5


def test_abandoning_the_stream_stops_generation(tiny):
    model, tokenizer = tiny
    reviser = Reviser(model, tokenizer, model_name="tiny")
    stream = reviser.stream("A sentence to revise slowly.", ["style"])
    first = next(stream)
    assert first.revision is None
    stream.close()  # the consumer goes away: the generating thread must finish, not hang
