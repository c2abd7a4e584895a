"""The paired bootstrap: no difference between a system and itself, a sure difference
where one system is right on every example, the whole set's difference as the metrics
give it, and clear errors for what cannot be compared."""

import random

import numpy as np
import pytest

from itune_core.metrics.bootstrap import _percentile, paired_bootstrap
from itune_core.metrics.revisions import example_statistics, scores_from_statistics

PAIRS = [
    ("She go to school every days .", "She goes to school every day ."),
    ("Their is many reason to travel .", "There are many reasons to travel ."),
    ("He have two cat and one dog .", "He has two cats and one dog ."),
    ("I am agree with you on this .", "I agree with you on this ."),
    ("We was late for the meeting .", "We were late for the meeting ."),
    ("The results shows a clear gain .", "The results show a clear gain ."),
]


def _stats(outputs):
    return [
        example_statistics(source, output, [reference])
        for (source, reference), output in zip(PAIRS, outputs, strict=True)
    ]


COPY = _stats([source for source, _ in PAIRS])
RIGHT = _stats([reference for _, reference in PAIRS])
# Right on half of the examples, copying the others.
HALF = _stats([ref if k % 2 else src for k, (src, ref) in enumerate(PAIRS)])


def test_a_system_against_itself_differs_by_nothing_on_every_resample():
    for d in paired_bootstrap(HALF, HALF, samples=200):
        assert d.difference == 0.0 and d.low == 0.0 and d.high == 0.0
        assert d.ahead == 0.0


def test_a_system_right_on_every_example_is_ahead_on_every_resample():
    for d in paired_bootstrap(COPY, RIGHT, samples=200):
        assert d.difference > 0 and d.low > 0
        assert d.ahead == 1.0
        assert d.low <= d.high


def test_the_whole_sets_scores_are_the_metrics_own():
    copy, half = scores_from_statistics(COPY), scores_from_statistics(HALF)
    by_metric = {d.metric: d for d in paired_bootstrap(COPY, HALF, samples=50)}
    for metric in ("sari", "gleu"):
        d = by_metric[metric]
        assert d.first == pytest.approx(copy[metric])
        assert d.second == pytest.approx(half[metric])
        assert d.difference == pytest.approx(half[metric] - copy[metric])


def test_a_mixed_system_has_an_interval_around_zero_or_above_and_a_share_between():
    # Half right: some resamples draw only copied examples (no difference), most are ahead.
    sari = paired_bootstrap(COPY, HALF, metrics=("sari",), samples=500)[0]
    assert 0.5 < sari.ahead < 1.0
    assert sari.low >= -1e-9  # never behind: the worst draws hold copied examples only
    assert sari.high > sari.difference > 0


def test_one_example_gives_a_point_interval():
    (d,) = paired_bootstrap(COPY[:1], RIGHT[:1], metrics=("sari",), samples=20)
    assert d.low == pytest.approx(d.difference) and d.high == pytest.approx(d.difference)


def test_the_same_seed_gives_the_same_intervals_and_another_seed_may_not():
    a = paired_bootstrap(COPY, HALF, samples=100, seed=1)
    assert a == paired_bootstrap(COPY, HALF, samples=100, seed=1)
    others = [paired_bootstrap(COPY, HALF, samples=100, seed=s) for s in range(2, 6)]
    assert any(o != a for o in others)


def test_percentiles_interpolate_as_numpy_does():
    rng = random.Random(0)
    values = sorted(rng.uniform(-3, 3) for _ in range(101))
    for q in (0.0, 0.025, 0.5, 0.975, 1.0):
        assert _percentile(values, q) == pytest.approx(np.percentile(values, 100 * q))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"second": COPY[:3]}, "same examples"),
        ({"first": [], "second": []}, "at least one example"),
        ({"metrics": ("bleu",)}, "unknown metrics"),
        ({"samples": 0}, "samples"),
        ({"samples": True}, "samples"),
        ({"level": 1.0}, "level"),
        ({"gleu_iterations": 0}, "gleu_iterations"),
    ],
)
def test_what_cannot_be_compared_is_refused_with_the_reason(kwargs, message):
    args = {"first": COPY, "second": RIGHT} | kwargs
    first, second = args.pop("first"), args.pop("second")
    with pytest.raises(ValueError, match=message):
        paired_bootstrap(first, second, **args)
