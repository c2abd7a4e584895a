"""VarSplit, the generation-layer rules, the alignment ratio and the selection tracker."""

import math
import random

import pytest

from itune_core.selection import (
    SelectionTracker,
    alignment_ratio,
    select_generation_layers,
    varsplit,
)

INF = math.inf
NAN = math.nan


def test_varsplit_keeps_high_cluster():
    values = [0.1, 0.12, 5.0, 0.11, 5.2, 4.9, 0.09, 5.1]
    result = varsplit(values)
    assert result.selected == (2, 4, 5, 7)
    assert result.k == 4
    assert 0.12 < result.gamma < 4.9


def test_varsplit_all_equal_takes_smallest_allowed_cut():
    # Every cut has J = 0; first-on-ties picks the smallest k in the window, floor(0.35 L) + 1,
    # so the largest allowed selection, and index order puts the last blocks on top.
    # 0.1 is not exact in binary: float variances would differ by rounding noise.
    result = varsplit([0.1] * 10)
    assert result.k == 4
    assert result.j == 0.0
    assert result.selected == (4, 5, 6, 7, 8, 9)


@pytest.mark.parametrize(
    ("values", "selected"),
    [([1.0], (0,)), ([3.0, 1.0], (0,)), ([1.0, 1.0], (1,)), ([2.0, 9.0, 1.0], (1,))],
)
def test_varsplit_small_block_counts(values, selected):
    assert varsplit(values).selected == selected


def test_varsplit_thirty_blocks_selects_between_ten_and_nineteen():
    rng = random.Random(0)
    sizes = {len(varsplit([rng.random() for _ in range(30)]).selected) for _ in range(200)}
    assert min(sizes) >= 10
    assert max(sizes) <= 19


@pytest.mark.parametrize(
    ("values", "k", "size"),
    [
        ([1.0] * 30, 11, 19),  # smallest cut of the window, floor(0.35 * 30) + 1
        ([0.0] + [100.0] * 29, 20, 10),  # J falls with k: clamped at floor(0.65 * 30) + 1
    ],
)
def test_varsplit_window_edges_for_thirty_blocks(values, k, size):
    result = varsplit(values)
    assert result.k == k
    assert len(result.selected) == size


def test_varsplit_window_uses_decimal_fractions():
    # In floats 0.35 * 180 = 62.999..., which would start the window at 63 instead of 64.
    result = varsplit([1.0] * 180)
    assert result.k == 64


def test_varsplit_positive_inf_is_selected():
    values = [1.0, 1.1, INF, 1.05, 0.9, 5.0]
    assert 2 in varsplit(values).selected


def test_varsplit_nan_counts_as_largest():
    values = [1.0, 1.1, NAN, 1.05, 0.9, 1.2]
    result = varsplit(values)
    assert 2 in result.selected
    assert math.isfinite(result.gamma)
    assert math.isfinite(result.j)


def test_varsplit_negative_inf_is_never_selected():
    values = [-INF, 1.0, 1.0, 1.0]
    assert 0 not in varsplit(values).selected


def test_varsplit_only_nan_raises():
    with pytest.raises(ValueError, match="only NaN"):
        varsplit([NAN, NAN, NAN])


def test_varsplit_only_infinite_values_still_splits():
    result = varsplit([-INF, INF, -INF, INF])
    assert result.selected == (1, 3)


def test_varsplit_ties_broken_by_index():
    # Cut k = 3 falls inside the run of 1s: the higher indices of the tie are selected.
    assert varsplit([0, 0, 1, 1, 1, 1]).selected == (3, 4, 5)


def test_varsplit_ties_broken_by_secondary_key():
    result = varsplit([0, 0, 1, 1, 1, 1], tie_break=[0, 0, 9, 0, 0, 0])
    assert result.selected == (2, 4, 5)


def test_varsplit_keep_low_max_adds_largest_low_value():
    values = [0.1, 0.12, 5.0, 0.11, 5.2, 4.9, 0.09, 5.1]
    assert varsplit(values, keep_low_max=True).selected == (1, 2, 4, 5, 7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": []}, "at least one value"),
        ({"values": [1.0, 2.0], "low": 0.7, "high": 0.3}, "window"),
        ({"values": [1.0, 2.0], "tie_break": [1.0]}, "tie_break"),
    ],
)
def test_varsplit_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        varsplit(**kwargs)


def test_generation_layers_varsplit_breaks_count_ties_by_last_norm():
    counts = [5, 5, 9, 9, 9, 9]
    norms = [0.1, 0.1, 3.0, 0.2, 0.2, 0.2]
    assert select_generation_layers(counts, norms) == (2, 4, 5)


def test_generation_layers_topk_mean():
    counts = [3, 8, 1, 8, 5]
    norms = [0.0, 0.1, 0.0, 0.2, 0.0]
    assert select_generation_layers(counts, norms, rule="topk_mean", mean_selected=2.5) == (
        1,
        3,
        4,
    )


def test_generation_layers_frequency_half():
    counts = [2, 5, 10, 4]
    assert select_generation_layers(counts, [1.0] * 4, rule="frequency_half", steps=10) == (1, 2)


def test_generation_layers_frequency_half_empty_raises():
    with pytest.raises(ValueError, match="selects no block"):
        select_generation_layers([1, 2], [1.0, 1.0], rule="frequency_half", steps=10)


def test_generation_layers_unknown_rule_raises():
    with pytest.raises(ValueError, match="unknown rule"):
        select_generation_layers([1, 2], [1.0, 1.0], rule="median")


def test_alignment_ratio_counts_overlap_over_sgen():
    assert alignment_ratio([1, 2, 3], [2, 3, 4, 5]) == 0.5


def test_alignment_ratio_empty_sgen_raises():
    with pytest.raises(ValueError):
        alignment_ratio([1], [])


def test_tracker_first_step_selects_all():
    assert SelectionTracker(5).next_selection() == (0, 1, 2, 3, 4)


def test_tracker_then_selects_by_varsplit_of_last_norms():
    tracker = SelectionTracker(6)
    tracker.update(range(6), {0: 0.1, 1: 0.12, 2: 5.0, 3: 0.11, 4: 5.2, 5: 4.9})
    assert tracker.next_selection() == (2, 4, 5)


def test_tracker_keeps_stale_norms_and_counts_frequency():
    tracker = SelectionTracker(4)
    tracker.update([0, 1, 2, 3], {0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})
    record = tracker.update([2, 3], {2: 0.5, 3: 0.25})
    assert tracker.counts == [1, 1, 2, 2]
    assert record.step == 2
    assert record.norms == (1.0, 2.0, 0.5, 0.25)
    assert tracker.history[0].selected == (0, 1, 2, 3)
    assert tracker.mean_selected == 3.0
    # Block 1, frozen in step 2, keeps its stale norm 2.0, now the largest: it rotates back.
    assert tracker.next_selection() == (1,)


def test_tracker_rejects_norms_for_unselected_blocks():
    tracker = SelectionTracker(3)
    with pytest.raises(ValueError, match="norms"):
        tracker.update([0, 1], {0: 1.0, 2: 1.0})


def test_tracker_random_first_step_is_seeded_and_then_measures_the_rest():
    first = SelectionTracker(10, first_step="random", seed=3).next_selection()
    assert first == SelectionTracker(10, first_step="random", seed=3).next_selection()
    assert 0 < len(first) < 10
    tracker = SelectionTracker(10, first_step="random", seed=3)
    tracker.update(first, dict.fromkeys(first, 1.0))
    # Never-measured blocks rank like +inf, so they come next.
    assert set(tracker.next_selection()) >= set(range(10)) - set(first)


def test_tracker_candidates_limit_the_selection():
    tracker = SelectionTracker(6, candidates=[1, 3, 5])
    assert tracker.next_selection() == (1, 3, 5)
    tracker.update([1, 3, 5], {1: 0.1, 3: 9.0, 5: 0.2})
    assert tracker.next_selection() == (3,)


def test_tracker_generation_layers_use_counts():
    tracker = SelectionTracker(6)
    tracker.update(range(6), dict.fromkeys(range(6), 1.0))
    for _ in range(3):
        tracker.update([3, 4, 5], {3: 2.0, 4: 2.0, 5: 2.0})
    assert tracker.generation_layers() == (3, 4, 5)
