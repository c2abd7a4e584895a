"""Fixtures for the training tests: tiny Llama models saved with a real tokenizer, and a
small revisions file with one example of every intention."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from itune_core.model import EMBEDDED_MODEL


@pytest.fixture(scope="session")
def save_tiny_llama(itune_home, tmp_path_factory) -> Callable[[int], Path]:
    """Saves (once per block count) a tiny seeded Llama with the embedded model's
    tokenizer and chat template, so the recipes run on it as on a real model folder."""
    saved: dict[int, Path] = {}

    def save(num_blocks: int) -> Path:
        if num_blocks not in saved:
            folder = tmp_path_factory.mktemp(f"tiny-llama-{num_blocks}")
            tokenizer = AutoTokenizer.from_pretrained(itune_home / "models" / EMBEDDED_MODEL)
            torch.manual_seed(0)
            config = LlamaConfig(
                vocab_size=len(tokenizer),
                hidden_size=32,
                intermediate_size=64,
                num_hidden_layers=num_blocks,
                num_attention_heads=4,
                num_key_value_heads=2,
                eos_token_id=tokenizer.eos_token_id,
                pad_token_id=tokenizer.pad_token_id,
                tie_word_embeddings=True,
            )
            LlamaForCausalLM(config).save_pretrained(folder)
            tokenizer.save_pretrained(folder)
            saved[num_blocks] = folder
        return saved[num_blocks]

    return save


SENTENCES = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good .", "The results are good.", "fluency"),
    ("We use a method that is new.", "We use a new method.", "clarity"),
    ("It rains. So we stay home.", "It rains, so we stay home.", "coherence"),
    ("The car is red.", "The car is blue.", "meaning-changed"),
    ("Its a nice day for a walk.", "It is a lovely day for a walk.", "style"),
]


@pytest.fixture
def data_file(tmp_path) -> Path:
    """Six revisions in IteraTeR's sentence format, one per intention (two for fluency)."""
    path = tmp_path / "revisions.jsonl"
    rows = [{"before_sent": b, "after_sent": a, "labels": label} for b, a, label in SENTENCES]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
