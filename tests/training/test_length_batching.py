"""Length-grouped batch order and right-padded collation."""

import random
import statistics

import pytest
import torch

from training.batching import (
    IGNORE_INDEX,
    collate,
    edit_weights,
    encode_revision_example,
    length_grouped_batches,
)
from training.data import RevisionExample


def _lengths(n: int, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(1, 1000) for _ in range(n)]


def _spread(lengths: list[int], batches: list[list[int]]) -> float:
    """Mean over batches of longest / shortest example."""
    return statistics.mean(max(lengths[i] for i in b) / min(lengths[i] for i in b) for b in batches)


@pytest.mark.parametrize(("n", "batch_size"), [(0, 4), (1, 4), (7, 3), (1000, 8), (1003, 16)])
def test_every_index_appears_exactly_once(n, batch_size):
    batches = length_grouped_batches(_lengths(n), batch_size, seed=1)
    assert sorted(i for batch in batches for i in batch) == list(range(n))
    assert all(1 <= len(batch) <= batch_size for batch in batches)


def test_batches_hold_similar_lengths():
    lengths = _lengths(2000)
    grouped = length_grouped_batches(lengths, 8, seed=0)
    order = list(range(2000))
    random.Random(0).shuffle(order)
    unsorted = [order[i : i + 8] for i in range(0, 2000, 8)]
    assert _spread(lengths, grouped) < 1.5  # random batches of 8 lengths in 1..1000: ~40
    assert _spread(lengths, unsorted) > 10


def test_same_seed_gives_the_same_batches():
    lengths = _lengths(500)
    assert length_grouped_batches(lengths, 8, seed=3) == length_grouped_batches(lengths, 8, 3)


def test_another_seed_gives_other_batches():
    lengths = _lengths(500)
    assert length_grouped_batches(lengths, 8, seed=3) != length_grouped_batches(lengths, 8, 4)


def test_the_batch_with_the_longest_example_comes_first():
    lengths = _lengths(1000)
    first = length_grouped_batches(lengths, 8, seed=5)[0]
    assert lengths.index(max(lengths)) in first


def test_without_shuffle_chunks_keep_the_data_order():
    lengths = _lengths(1000)
    batches = length_grouped_batches(lengths, 4, seed=0, shuffle=False)
    first_chunk = {i for batch in batches[:50] for i in batch}
    assert first_chunk == set(range(200))
    assert [lengths[i] for i in batches[0]] == sorted(
        (lengths[i] for i in range(200)), reverse=True
    )[:4]


def test_batch_size_below_one_is_rejected():
    with pytest.raises(ValueError, match="batch_size"):
        length_grouped_batches([1, 2], 0, seed=0)


def test_collate_pads_on_the_right():
    batch = collate(
        [{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}, {"input_ids": [8], "labels": [8]}],
        pad_id=0,
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    assert batch["labels"].tolist() == [[-100, 6, 7], [8, IGNORE_INDEX, IGNORE_INDEX]]
    assert batch["input_ids"].dtype == torch.long


def test_collate_without_labels_gives_no_labels():
    assert "labels" not in collate([{"input_ids": [1, 2]}], pad_id=0)


def test_collate_rejects_labels_of_another_length():
    with pytest.raises(ValueError, match="2 labels for 3 input ids"):
        collate([{"input_ids": [1, 2, 3], "labels": [1, 2]}], pad_id=0)


def test_collate_needs_a_pad_id():
    with pytest.raises(ValueError, match="pad"):
        collate([{"input_ids": [1]}], pad_id=None)


# --- per-token loss weights ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ([1, 2, 3, 4], [1, 1, 1, 1]),  # a copy
        ([1, 9, 3, 4], [1, 3, 1, 1]),  # replaced
        ([1, 2, 7, 8, 3, 4], [1, 1, 3, 3, 1, 1]),  # inserted
        ([1, 3, 4], [1, 3, 1]),  # deleted: the token after the gap
        ([1, 2, 3], [1, 1, 1]),  # deleted at the end: no token after it
        ([], []),
    ],
)
def test_edit_weights_mark_where_the_answer_departs_from_the_source(answer, expected):
    assert edit_weights([1, 2, 3, 4], answer, 3.0) == expected


@pytest.fixture(scope="module")
def tokenizer(itune_home):
    """The embedded model's tokenizer (with its chat template)."""
    from transformers import AutoTokenizer

    from itune_core.model import EMBEDDED_MODEL

    return AutoTokenizer.from_pretrained(itune_home / "models" / EMBEDDED_MODEL)


def test_a_revision_example_carries_weights_only_when_asked(tokenizer):
    example = RevisionExample(
        before="He go to school.", after="He goes to school.", labels=("fluency",), source_id="a"
    )
    plain = encode_revision_example(tokenizer, example, max_length=256)
    assert "weights" not in plain
    weighted = encode_revision_example(tokenizer, example, max_length=256, edit_weight=4.0)
    assert weighted["input_ids"] == plain["input_ids"] and weighted["labels"] == plain["labels"]
    weights, labels = weighted["weights"], weighted["labels"]
    assert len(weights) == len(labels)
    prompt = [w for w, label in zip(weights, labels, strict=True) if label == IGNORE_INDEX]
    assert set(prompt) == {1.0}
    heavy = [label for w, label in zip(weights, labels, strict=True) if w == 4.0]
    assert tokenizer.decode(heavy).strip() == "goes"
    copy = RevisionExample(source_id="b", before="He goes.", after="He goes.", labels=("fluency",))
    assert set(encode_revision_example(tokenizer, copy, 256, edit_weight=4.0)["weights"]) == {1.0}


def test_collate_pads_weights_with_zero_and_checks_their_length():
    batch = collate(
        [
            {"input_ids": [5, 6, 7], "weights": [1.0, 2.0, 1.0]},
            {"input_ids": [5], "weights": [1.0]},
        ],
        pad_id=0,
    )
    assert batch["weights"].tolist() == [[1.0, 2.0, 1.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="weights"):
        collate([{"input_ids": [5, 6], "weights": [1.0]}], pad_id=0)
