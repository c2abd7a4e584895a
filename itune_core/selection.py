"""Layer selection: VarSplit, the Stage-I selection tracker and the generation layers.

Pure functions and a small state object: values in, values out, no torch and no I/O.
The rules follow docs/method.md ("VarSplit" and "Selecting the generation layers").

Non-finite values (a decision of ours; the method is silent):

- ``+inf`` and ``NaN`` count as the *largest* values. A block whose gradient norm
  overflowed or came out NaN is thereby selected at the next step and measured again;
  ranking NaN lowest would freeze it for good, because a block that is not selected
  keeps its stale norm. IR-Tuning's code did the same (it replaced such norms by 1000).
- ``-inf`` counts as the smallest value.
- If every value is NaN, training has diverged: ``varsplit`` raises ``ValueError``.
- For the variances the non-finite values are replaced by the largest (``+inf``, NaN)
  or smallest (``-inf``) finite value, so J and gamma stay finite.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

SGEN_RULES: tuple[str, ...] = ("varsplit", "topk_mean", "frequency_half")
FIRST_STEPS: tuple[str, ...] = ("all", "random")


@dataclass(frozen=True)
class VarSplitResult:
    """The outcome of one VarSplit.

    Attributes:
        selected: indices of the high group (plus the low group's largest member when
            ``keep_low_max``), sorted ascending.
        gamma: the threshold, midway between the largest low and the smallest high value
            (after the replacement of non-finite values described in the module docstring).
        k: the cut, i.e. the size of the low group.
        j: J(k) = Var(low) + Var(high), population variances.
    """

    selected: tuple[int, ...]
    gamma: float
    k: int
    j: float


def _rank_key(value: float) -> float:
    # NaN ranks with +inf (see the module docstring).
    return math.inf if math.isnan(value) else value


def _cut_window(n: int, low: float, high: float) -> tuple[int, int]:
    # Exact decimal arithmetic: in floats 0.35 * 180 is 62.999..., which would move the
    # window by one for some L.
    first = math.floor(Fraction(str(low)) * n) + 1
    last = math.floor(Fraction(str(high)) * n) + 1
    # Both groups must be non-empty: valid cuts are 1..n-1.
    first = min(max(first, 1), n - 1)
    last = min(max(last, first), n - 1)
    return first, last


def varsplit(
    values: Sequence[float],
    *,
    low: float = 0.35,
    high: float = 0.65,
    keep_low_max: bool = False,
    tie_break: Sequence[float] | None = None,
) -> VarSplitResult:
    """Split values into a low and a high group by minimising the summed variances.

    The values are sorted ascending; ties are ordered by ``tie_break`` (ascending) and
    then by index, so among equal values the one with the larger secondary key, or else
    the larger index, lands in the high group (IR-Tuning sorted ``(norm, index)`` pairs
    the same way). Only cuts k in [floor(low L) + 1, floor(high L) + 1], clamped to
    1..L-1, are searched; the first smallest J wins, so when J ties (all values equal)
    the smallest allowed k, i.e. the largest selection, is taken. J is computed exactly
    (rational arithmetic), so ties are real ties and not float noise. A single value
    (L = 1) has no cut and is selected.

    Args:
        values: one value per block (gradient norms, importance frequencies, ...).
        low: lower edge of the cut window as a fraction of L.
        high: upper edge of the cut window as a fraction of L.
        keep_low_max: also select the largest member of the low group (what
            IR-Tuning's code did).
        tie_break: optional secondary key per block for ties in ``values`` (the last
            gradient norm when splitting importance frequencies).

    Returns:
        The selection, gamma, the cut and J.

    Raises:
        ValueError: no values, every value NaN, ``tie_break`` of another length, or a
            window outside 0 <= low <= high <= 1.
    """
    xs = [float(v) for v in values]
    n = len(xs)
    if n == 0:
        raise ValueError("varsplit needs at least one value, got none")
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"varsplit window needs 0 <= low <= high <= 1, got {low=}, {high=}")
    if all(math.isnan(x) for x in xs):
        raise ValueError(f"varsplit got only NaN values ({n} of them); training has diverged")
    if tie_break is None:
        secondary = [0.0] * n
    else:
        secondary = [_rank_key(float(v)) for v in tie_break]
        if len(secondary) != n:
            raise ValueError(f"tie_break has {len(secondary)} values, values has {n}")
    order = sorted(range(n), key=lambda i: (_rank_key(xs[i]), secondary[i], i))
    if n == 1:
        return VarSplitResult(selected=(0,), gamma=xs[0], k=0, j=0.0)

    finite = [x for x in xs if math.isfinite(x)]
    top, bottom = (max(finite), min(finite)) if finite else (1.0, 0.0)
    clean = [x if math.isfinite(x) else (bottom if x == -math.inf else top) for x in xs]
    sorted_values = [Fraction(clean[i]) for i in order]
    best_k, best_j = _best_cut(sorted_values, *_cut_window(n, low, high))
    start = best_k - 1 if keep_low_max else best_k
    return VarSplitResult(
        selected=tuple(sorted(order[start:])),
        gamma=float((sorted_values[best_k - 1] + sorted_values[best_k]) / 2),
        k=best_k,
        j=float(best_j),
    )


def _best_cut(sorted_values: list[Fraction], first: int, last: int) -> tuple[int, Fraction]:
    """The cut k in [first, last] with the smallest J = Var(x[:k]) + Var(x[k:]) of the
    ascending values (the first such k on ties), and that J."""
    n = len(sorted_values)
    # Prefix sums of x and x^2 give each group's population variance in O(1) per cut.
    sums, squares = [Fraction(0)], [Fraction(0)]
    for x in sorted_values:
        sums.append(sums[-1] + x)
        squares.append(squares[-1] + x * x)

    def variance(start: int, stop: int) -> Fraction:
        count = stop - start
        mean = (sums[stop] - sums[start]) / count
        return (squares[stop] - squares[start]) / count - mean * mean

    best_k, best_j = first, None
    for k in range(first, last + 1):
        j = variance(0, k) + variance(k, n)
        if best_j is None or j < best_j:
            best_k, best_j = k, j
    return best_k, best_j


def select_generation_layers(
    counts: Sequence[int],
    last_norms: Sequence[float | None],
    *,
    rule: str = "varsplit",
    mean_selected: float | None = None,
    steps: int | None = None,
    low: float = 0.35,
    high: float = 0.65,
    keep_low_max: bool = False,
) -> tuple[int, ...]:
    """Choose S_gen, the blocks that get LoRA in Stage II, from the importance frequency G.

    Rules: ``"varsplit"`` (default): VarSplit(G), ties in G broken by the last gradient
    norm. ``"topk_mean"``: the k blocks with the largest G, k = mean |S_t| rounded half
    up, ties as for VarSplit. ``"frequency_half"``: the blocks with G_l / T >= 0.5.

    Args:
        counts: G, the number of Stage-I steps each block was selected in.
        last_norms: the last gradient norm of each block (None where never measured,
            which ranks like +inf).
        rule: one of ``SGEN_RULES``.
        mean_selected: mean |S_t| over Stage I; required by ``"topk_mean"``.
        steps: T, the number of Stage-I steps; required by ``"frequency_half"``.
        low: VarSplit window, lower edge.
        high: VarSplit window, upper edge.
        keep_low_max: VarSplit option, see ``varsplit``.

    Returns:
        The selected block indices, sorted ascending.

    Raises:
        ValueError: an unknown rule, a missing argument the rule needs, lengths that
            differ, or a rule that selects no block.
    """
    if len(counts) != len(last_norms):
        raise ValueError(f"counts has {len(counts)} values, last_norms has {len(last_norms)}")
    norms = [math.inf if s is None else float(s) for s in last_norms]
    if rule == "varsplit":
        result = varsplit(counts, low=low, high=high, keep_low_max=keep_low_max, tie_break=norms)
        return result.selected
    if rule == "topk_mean":
        if mean_selected is None or not mean_selected > 0:
            raise ValueError(f"rule 'topk_mean' needs mean_selected > 0, got {mean_selected!r}")
        k = min(max(math.floor(mean_selected + 0.5), 1), len(counts))
        ranked = sorted(range(len(counts)), key=lambda i: (counts[i], _rank_key(norms[i]), i))
        return tuple(sorted(ranked[-k:]))
    if rule == "frequency_half":
        if steps is None or steps < 1:
            raise ValueError(f"rule 'frequency_half' needs steps >= 1, got {steps!r}")
        chosen = tuple(i for i, g in enumerate(counts) if 2 * g >= steps)
        if not chosen:
            raise ValueError(
                f"rule 'frequency_half' selects no block: max G is {max(counts)} of {steps} "
                "steps; use rule 'varsplit' or 'topk_mean'"
            )
        return chosen
    raise ValueError(f"unknown rule {rule!r}; choose from: {', '.join(SGEN_RULES)}")


def alignment_ratio(s_pre: Sequence[int], s_gen: Sequence[int]) -> float:
    """The layer alignment ratio r = |S_pre ∩ S_gen| / |S_gen| (reported, not trained on).

    Args:
        s_pre: the blocks selected at the last Stage-I step (or by another run).
        s_gen: the generation layers.

    Returns:
        The ratio in [0, 1].

    Raises:
        ValueError: ``s_gen`` is empty.
    """
    gen = set(s_gen)
    if not gen:
        raise ValueError("alignment_ratio needs a non-empty s_gen")
    return len(set(s_pre) & gen) / len(gen)


@dataclass(frozen=True)
class SelectionStep:
    """What one step selected and the norms known after it (the app plots these).

    Attributes:
        step: 1-based step number.
        selected: S_t, sorted ascending.
        norms: s after the step, one entry per block; None where never measured.
    """

    step: int
    selected: tuple[int, ...]
    norms: tuple[float | None, ...]


class SelectionTracker:
    """The state of dynamic layer selection: last norms s, frequencies G and the history.

    Each step: ``next_selection()`` gives S_t, the caller trains those blocks and
    measures their gradient norms, then ``update(S_t, norms)`` records them. Blocks not
    in S_t keep their last norm, so long-frozen blocks return once the others' norms
    fall (a built-in rotation).

    Args:
        num_blocks: L, the number of decoder blocks.
        candidates: the blocks that may be selected (default: all); the others are
            never selected (dynamic selection inside S_gen uses this).
        first_step: ``"all"`` selects every candidate at the first step; ``"random"``
            splits uniform random values by VarSplit, as IR-Tuning did.
        low: VarSplit window, lower edge.
        high: VarSplit window, upper edge.
        keep_low_max: VarSplit option, see ``varsplit``.
        seed: seed of the random first step.

    Raises:
        ValueError: bad sizes, candidates out of range, or an unknown ``first_step``.
    """

    def __init__(
        self,
        num_blocks: int,
        *,
        candidates: Sequence[int] | None = None,
        first_step: str = "all",
        low: float = 0.35,
        high: float = 0.65,
        keep_low_max: bool = False,
        seed: int = 0,
    ) -> None:
        if num_blocks < 1:
            raise ValueError(f"num_blocks must be >= 1, got {num_blocks}")
        if first_step not in FIRST_STEPS:
            raise ValueError(f"first_step must be one of {FIRST_STEPS}, got {first_step!r}")
        pool = tuple(sorted(set(range(num_blocks) if candidates is None else candidates)))
        if not pool or pool[0] < 0 or pool[-1] >= num_blocks:
            raise ValueError(f"candidates must be a non-empty subset of 0..{num_blocks - 1}")
        self.num_blocks = num_blocks
        self.candidates = pool
        self._window = {"low": low, "high": high, "keep_low_max": keep_low_max}
        self.norms: list[float | None] = [None] * num_blocks
        self.counts: list[int] = [0] * num_blocks
        self.history: list[SelectionStep] = []
        if first_step == "all":
            self._first = pool
        else:
            rng = random.Random(seed)
            picked = varsplit([rng.random() for _ in pool], **self._window).selected
            self._first = tuple(pool[i] for i in picked)

    @property
    def steps(self) -> int:
        """T, the number of recorded steps."""
        return len(self.history)

    @property
    def mean_selected(self) -> float:
        """Mean |S_t| over the recorded steps (0.0 before the first)."""
        if not self.history:
            return 0.0
        return sum(len(h.selected) for h in self.history) / len(self.history)

    def next_selection(self) -> tuple[int, ...]:
        """S_t for the coming step; calling it twice without ``update`` gives the same set.

        Returns:
            Block indices, sorted ascending.

        Raises:
            ValueError: every candidate's last norm is NaN.
        """
        if not self.history:
            return self._first
        # Never-measured blocks (random first step) rank like +inf: measure them first.
        values = [math.inf if self.norms[b] is None else self.norms[b] for b in self.candidates]
        picked = varsplit(values, **self._window).selected
        return tuple(self.candidates[i] for i in picked)

    def update(self, selected: Sequence[int], norms: dict[int, float]) -> SelectionStep:
        """Record a finished step: set s_l for l in S_t and count G_l += 1.

        Args:
            selected: S_t, the blocks trained in the step.
            norms: the measured gradient norm of every block in S_t, and only those.

        Returns:
            The history record of the step.

        Raises:
            ValueError: an empty or out-of-range selection, or norms for other blocks.
        """
        chosen = tuple(sorted(set(selected)))
        if not chosen:
            raise ValueError("a step must select at least one block")
        if not set(chosen) <= set(self.candidates):
            raise ValueError(f"selected {chosen} is not within candidates {self.candidates}")
        if set(norms) != set(chosen):
            raise ValueError(f"norms are for blocks {sorted(norms)}, selected is {chosen}")
        for block in chosen:
            self.norms[block] = float(norms[block])
            self.counts[block] += 1
        record = SelectionStep(step=len(self.history) + 1, selected=chosen, norms=tuple(self.norms))
        self.history.append(record)
        return record

    def generation_layers(self, rule: str = "varsplit") -> tuple[int, ...]:
        """S_gen from this tracker's G and last norms; see ``select_generation_layers``.

        Raises:
            ValueError: as ``select_generation_layers``, or no step recorded yet.
        """
        if not self.history:
            raise ValueError("no Stage-I step recorded; cannot choose generation layers")
        return select_generation_layers(
            self.counts,
            self.norms,
            rule=rule,
            mean_selected=self.mean_selected,
            steps=self.steps,
            **self._window,
        )
