"""Turning examples into training batches: length-grouped batch order, generation
examples with the prompt masked out of the loss, and right-padded collation.

    encoded = [encode_revision_example(tokenizer, x, max_length=1024) for x in dataset.examples]
    batches = length_grouped_batches([len(x["input_ids"]) for x in encoded], 8, seed=0)
    for indices in batches:
        batch = collate([encoded[i] for i in indices], pad_id=tokenizer.pad_token_id)
"""

import difflib
import random
from collections.abc import Mapping, Sequence

import torch

from itune_core.prompts import (
    DEFAULT_PROMPT_FORMAT,
    chat_messages,
    generation_prompt,
    plain_prompt_token_ids,
    uses_chat_template,
)
from training.data import RevisionExample

IGNORE_INDEX = -100  # label of tokens left out of the loss (PyTorch's cross-entropy default)
MEGA_BATCHES = 50  # batches per sorted chunk: small enough to keep the order random


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, seed: int, shuffle: bool = True
) -> list[list[int]]:
    """Batches of indices whose examples have similar lengths, so little padding is wasted.

    The indices are shuffled (with ``seed``), cut into chunks of ``batch_size * 50``,
    sorted by length (longest first) inside each chunk and cut into batches; the batch
    order is then shuffled, except that the batch holding the longest example goes first
    so that running out of memory shows at the first step. ``shuffle=False`` keeps the
    data order for the chunks and the batches. Every index appears exactly once; the last
    batch of a chunk may be smaller.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = list(range(len(lengths)))
    rng = random.Random(seed)
    if shuffle:
        rng.shuffle(order)
    chunk = batch_size * MEGA_BATCHES
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: -lengths[i])
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    if shuffle and batches:
        rng.shuffle(batches)
        longest = max(range(len(batches)), key=lambda b: lengths[batches[b][0]])
        batches.insert(0, batches.pop(longest))
    return batches


def encode_generation_example(
    tokenizer,
    prompt_text: str,
    target_text: str,
    max_length: int,
    prompt_format: str = DEFAULT_PROMPT_FORMAT,
) -> dict[str, list[int]]:
    """Token ids of prompt + target, with labels only on the target (the loss of Stage II).

    A chat prompt, where the tokenizer has a chat template, is the user message and the
    target the assistant's; the prompt part is the template with
    ``add_generation_prompt=True``, exactly what the reviser feeds the model at run time
    (``itune_core.prompts.prompt_token_ids``). Otherwise (a tagged prompt, or no template)
    the prompt is ``prompt_text`` and a blank line (``plain_prompt_token_ids``) and the
    target ends with the EOS token. Sequences longer than ``max_length`` lose their end.

    Returns:
        ``{"input_ids": [...], "labels": [...]}``, labels ``IGNORE_INDEX`` over the prompt.

    Raises:
        ValueError: the prompt alone fills ``max_length`` (filter such examples first).
    """
    if uses_chat_template(tokenizer, prompt_format):
        messages = chat_messages(prompt_text, target_text)
        prompt = tokenizer.apply_chat_template(
            messages[:1], tokenize=False, add_generation_prompt=True
        )
        full = tokenizer.apply_chat_template(messages, tokenize=False)
        if not full.startswith(prompt):
            raise ValueError("the chat template does not start the answer after the prompt")
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        full_ids = tokenizer(full, add_special_tokens=False)["input_ids"]
        if full_ids[: len(prompt_ids)] != prompt_ids:
            # A token merged across the boundary: tokenise the answer on its own instead,
            # as the model produces it after the prompt.
            answer = tokenizer(full[len(prompt) :], add_special_tokens=False)
            full_ids = prompt_ids + answer["input_ids"]
    else:
        prompt_ids = plain_prompt_token_ids(tokenizer, prompt_text)
        target_ids = tokenizer(target_text, add_special_tokens=False)["input_ids"]
        eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
        full_ids = prompt_ids + target_ids + eos
    if len(prompt_ids) >= max_length:
        raise ValueError(
            f"the prompt has {len(prompt_ids)} tokens: no room for the target within "
            f"max_length={max_length}"
        )
    input_ids = list(full_ids[:max_length])
    labels = [IGNORE_INDEX] * len(prompt_ids) + input_ids[len(prompt_ids) :]
    return {"input_ids": input_ids, "labels": labels}


def edit_weights(
    source_ids: Sequence[int], answer_ids: Sequence[int], weight: float
) -> list[float]:
    """Per answer token, its weight in the loss: ``weight`` where the answer departs from
    the source (tokens inserted or replaced, and the token right after a deletion, where
    the model must skip source tokens), 1.0 where it copies the source.

    Most tokens of a revision copy its source, so plain cross-entropy mostly teaches
    copying; weighting the departures teaches where to edit. Token ids are aligned with
    ``difflib`` (no junk heuristic), as ``itune_core.edits`` aligns words.
    """
    weights = [1.0] * len(answer_ids)
    matcher = difflib.SequenceMatcher(a=list(source_ids), b=list(answer_ids), autojunk=False)
    for op, _, _, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            weights[j1:j2] = [weight] * (j2 - j1)
        elif op == "delete" and j1 < len(answer_ids):
            weights[j1] = weight
    return weights


def encode_revision_example(
    tokenizer,
    example: RevisionExample,
    max_length: int,
    edit_weight: float = 1.0,
    prompt_format: str = DEFAULT_PROMPT_FORMAT,
) -> dict[str, list]:
    """A revision as a generation example: the method's prompt (in ``prompt_format``) over
    ``before`` with the example's labels as the intentions, ``after`` as the target.

    With ``edit_weight`` other than 1 the example also has ``weights`` (one per input
    id; see ``edit_weights``; the prompt's and the template's closing tokens weigh 1).
    """
    prompt = generation_prompt(example.before, example.labels, prompt_format)
    encoded = encode_generation_example(tokenizer, prompt, example.after, max_length, prompt_format)
    if edit_weight != 1.0:
        start = sum(label == IGNORE_INDEX for label in encoded["labels"])  # the prompt
        target = encoded["input_ids"][start:]
        answer = len(tokenizer(example.after, add_special_tokens=False)["input_ids"])
        source = tokenizer(example.before, add_special_tokens=False)["input_ids"]
        weights = edit_weights(source, target[:answer], edit_weight)
        encoded["weights"] = [1.0] * start + weights + [1.0] * (len(target) - len(weights))
    return encoded


def collate(batch: Sequence[Mapping[str, Sequence[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad ``input_ids`` (with ``pad_id``) and ``labels`` (with ``IGNORE_INDEX``, when
    the examples have them) to the longest example; ``attention_mask`` marks real tokens.

    Returns:
        Long tensors of shape (batch, longest).
    """
    if not batch:
        raise ValueError("collate needs at least one example")
    if pad_id is None:
        raise ValueError("pad_id is None: give the tokenizer a pad token (e.g. its EOS)")
    width = max(len(example["input_ids"]) for example in batch)
    shape = (len(batch), width)
    out = {
        "input_ids": torch.full(shape, pad_id, dtype=torch.long),
        "attention_mask": torch.zeros(shape, dtype=torch.long),
    }
    with_labels = "labels" in batch[0]
    if with_labels:
        out["labels"] = torch.full(shape, IGNORE_INDEX, dtype=torch.long)
    with_weights = "weights" in batch[0]
    if with_weights:  # per-token loss weights (``edit_weights``); padding weighs nothing
        out["weights"] = torch.zeros(shape, dtype=torch.float32)
    for row, example in enumerate(batch):
        n = len(example["input_ids"])
        out["input_ids"][row, :n] = torch.as_tensor(example["input_ids"], dtype=torch.long)
        out["attention_mask"][row, :n] = 1
        if with_labels:
            if len(example["labels"]) != n:
                raise ValueError(
                    f"example {row}: {len(example['labels'])} labels for {n} input ids"
                )
            out["labels"][row, :n] = torch.as_tensor(example["labels"], dtype=torch.long)
        if with_weights:
            if len(example["weights"]) != n:
                raise ValueError(
                    f"example {row}: {len(example['weights'])} weights for {n} input ids"
                )
            out["weights"][row, :n] = torch.as_tensor(example["weights"], dtype=torch.float32)
    return out
