"""Laying caches of different lengths side by side: zeros where a row has nothing, at its
end or after the shared prefix, the rest of the row untouched."""

import torch

from itune_core.prefix_cache import common_prefix_length, widened


def test_zeros_go_at_the_end_or_after_the_prefix_and_the_rest_moves_intact():
    row = torch.arange(1, 6).reshape(1, 5).float()  # 1 2 3 4 5
    assert widened(row, 1, 8, at=5).tolist() == [[1, 2, 3, 4, 5, 0, 0, 0]]
    assert widened(row, 1, 8, at=2).tolist() == [[1, 2, 0, 0, 0, 3, 4, 5]]
    assert widened(row, 1, 8, at=0).tolist() == [[0, 0, 0, 1, 2, 3, 4, 5]]


def test_a_cache_shaped_tensor_is_widened_along_its_positions_only():
    keys = torch.randn(2, 3, 4, 8)  # rows, heads, positions, head size
    wide = widened(keys, 2, 7, at=1)
    assert wide.shape == (2, 3, 7, 8) and wide.dtype == keys.dtype
    assert torch.equal(wide[:, :, :1], keys[:, :, :1])
    assert torch.equal(wide[:, :, 4:], keys[:, :, 1:])
    assert not wide[:, :, 1:4].any()


def test_a_tensor_already_that_long_is_returned_as_it_is():
    row = torch.ones(1, 4)
    assert widened(row, 1, 4, at=2) is row


def test_the_common_prefix_is_the_longest_shared_start():
    assert common_prefix_length([[1, 2, 3], [1, 2, 4], [1, 2]]) == 2
    assert common_prefix_length([[5, 6], [7]]) == 0
