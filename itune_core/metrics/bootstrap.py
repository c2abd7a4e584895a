"""How sure a difference between two systems on one data set is: the paired bootstrap.

Two systems revised the same examples; their corpus scores differ by a few tenths. Is that
the systems, or which examples happen to be in the set? The paired bootstrap (Koehn 2004,
"Statistical significance tests for machine translation evaluation") draws the examples
again with replacement, many times, scores both systems on each draw (the same draw for
both: the pairing) and reads the spread of the differences. Here:

- the scores are the corpus metrics of ``itune_core.metrics.revisions`` (EASSE's SARI and
  GLEU), assembled from each example's statistics as on the whole set, so nothing is
  decoded or tokenized again;
- the interval is the percentile interval of the draws' differences (``level``, 95 % by
  default), and ``ahead`` the share of draws in which the second system scores higher;
- GLEU of examples with several references averages, on each resample, ``gleu_iterations``
  seeded draws of one reference (the metric's own 500 would make a thousand resamples
  slow; the whole set is scored with 500); with one reference per example (ITERATER-sent)
  every score is exact.

It says how much the choice of examples moves a difference, not how much a retrained seed
would: two seeds of one recipe differ by more than their dev sets' spread suggests.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from itune_core.metrics.gleu import ITERATIONS, gleu_from_example_statistics
from itune_core.metrics.revisions import ExampleStatistics
from itune_core.metrics.sari import sari_from_counts

BOOTSTRAP_METRICS: tuple[str, ...] = ("sari", "gleu")


@dataclass(frozen=True)
class Difference:
    """The second system's score minus the first's, on one metric.

    Attributes:
        metric: ``sari`` (EASSE) or ``gleu``, on the 0-100 scale.
        first, second: each system's score on the whole set.
        difference: ``second - first`` on the whole set.
        low, high: the percentile interval of the resampled differences.
        ahead: the share of resamples in which the second system scored higher.
    """

    metric: str
    first: float
    second: float
    difference: float
    low: float
    high: float
    ahead: float


def _score(metric: str, examples: Sequence[ExampleStatistics], gleu_iterations: int) -> float:
    if metric == "sari":
        return sari_from_counts(e.sari for e in examples).score
    return gleu_from_example_statistics([e.gleu for e in examples], iterations=gleu_iterations)


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    position = fraction * (len(sorted_values) - 1)
    below = int(position)
    above = min(below + 1, len(sorted_values) - 1)
    weight = position - below
    return sorted_values[below] * (1 - weight) + sorted_values[above] * weight


def paired_bootstrap(
    first: Sequence[ExampleStatistics],
    second: Sequence[ExampleStatistics],
    *,
    metrics: Sequence[str] = BOOTSTRAP_METRICS,
    samples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    gleu_iterations: int = 20,
) -> list[Difference]:
    """The paired bootstrap of ``second`` against ``first``, per metric.

    Args:
        first, second: each example's statistics (``example_statistics``), the same
            examples in the same order.
        metrics: some of ``BOOTSTRAP_METRICS``.
        samples: how many draws of the examples.
        seed: the draws' seed (the same seed gives the same intervals).
        level: the interval's coverage, in (0, 1).
        gleu_iterations: reference draws per GLEU score where examples have several.

    Raises:
        ValueError: the two lists differ in length or are empty, a metric is unknown, or
            ``samples``, ``level`` or ``gleu_iterations`` is out of range.
    """
    if len(first) != len(second):
        raise ValueError(
            f"the two systems must score the same examples, got {len(first)} and {len(second)}"
        )
    if not first:
        raise ValueError("the paired bootstrap needs at least one example")
    unknown = [m for m in metrics if m not in BOOTSTRAP_METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}: use {', '.join(BOOTSTRAP_METRICS)}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive int, got {samples!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if gleu_iterations < 1:
        raise ValueError(f"gleu_iterations must be at least 1, got {gleu_iterations!r}")
    rng = random.Random(seed)
    n = len(first)
    draws = [[rng.randrange(n) for _ in range(n)] for _ in range(samples)]
    out = []
    for metric in metrics:
        a = _score(metric, first, ITERATIONS)  # the whole set as the metric scores it
        b = _score(metric, second, ITERATIONS)
        differences = sorted(
            _score(metric, [second[i] for i in draw], gleu_iterations)
            - _score(metric, [first[i] for i in draw], gleu_iterations)
            for draw in draws
        )
        tail = (1 - level) / 2
        out.append(
            Difference(
                metric=metric,
                first=a,
                second=b,
                difference=b - a,
                low=_percentile(differences, tail),
                high=_percentile(differences, 1 - tail),
                ahead=sum(d > 0 for d in differences) / samples,
            )
        )
    return out
