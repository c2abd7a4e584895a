"""Fixtures for the core tests: a tiny Llama (4 blocks) built from a config, seeded, and a
tiny model holding two adapters with its byte-level tokenizer."""

import copy
from collections.abc import Callable

import pytest
import torch
from peft import get_peft_model
from torch import nn
from transformers import LlamaConfig, LlamaForCausalLM

from itune_core.lora import lora_config
from itune_core.serving import AdapterPool
from tests.itune_core.test_serving import byte_tokenizer, save_random_adapter, tiny_base

TINY_LLAMA = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 128,
}


@pytest.fixture
def make_base_model() -> Callable[..., LlamaForCausalLM]:
    """Builds a fresh tiny Llama; the same seed gives the same weights."""

    def make(seed: int = 0) -> LlamaForCausalLM:
        torch.manual_seed(seed)
        return LlamaForCausalLM(LlamaConfig(**TINY_LLAMA))

    return make


@pytest.fixture
def make_lora_model(make_base_model) -> Callable[..., nn.Module]:
    """A tiny Llama with LoRA; B is drawn at random (PEFT starts it at zero) so the
    adapters change outputs and every LoRA tensor gets a gradient from the first step."""

    def make(seed: int = 0, *, random_b: bool = True, **config) -> nn.Module:
        config.setdefault("dropout", 0.0)
        model = get_peft_model(make_base_model(seed), lora_config(**config))
        if random_b:
            generator = torch.Generator().manual_seed(seed + 1)
            with torch.no_grad():
                for name, param in model.named_parameters():
                    if ".lora_B." in name:
                        param.copy_(0.1 * torch.randn(param.shape, generator=generator))
        return model

    return make


@pytest.fixture
def token_batch() -> dict[str, torch.Tensor]:
    """Four sequences of up to 6 tokens, right-padded (mask 0 on the padding)."""
    generator = torch.Generator().manual_seed(7)
    input_ids = torch.randint(1, 128, (4, 6), generator=generator)
    attention_mask = torch.ones(4, 6, dtype=torch.long)
    attention_mask[1, 4:] = 0
    attention_mask[3, 3:] = 0
    return {"input_ids": input_ids, "attention_mask": attention_mask}


@pytest.fixture(scope="module")
def model_and_tokenizer(tmp_path_factory):
    """A tiny fp32 model holding two random adapters, ``a`` and ``b``."""
    folder = tmp_path_factory.mktemp("adapters")
    tokenizer = byte_tokenizer()
    base = tiny_base(tokenizer)
    for name, seed in (("a", 1), ("b", 2)):
        save_random_adapter(base, folder / name, seed)
    pool = AdapterPool(copy.deepcopy(base), tokenizer, model_name="tiny")
    for name in ("a", "b"):
        pool.reviser_for(name, folder / name)
    return pool.model, tokenizer
