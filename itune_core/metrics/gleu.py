"""GLEU for grammatical error correction (Napoles et al. 2015; "GLEU without tuning",
2016 update), the corpus metric of JFLEG and EditEval -- not Google's sentence GLEU.

For every sentence and n = 1..4, with H the output's n-gram counts, R one reference's
and S the source's:

    matches_n = max(0, |H & R| - |H & (S \\ R)|)      (Counter intersections)
    total_n   = max(0, len(H tokens) - n + 1)

where ``S \\ R`` keeps the source n-grams that the reference does not have at all (with
their source counts): copying a source n-gram the reference changed is penalised. Over the
corpus the four ratios sum(matches_n) / sum(total_n) are combined by a geometric mean and
multiplied by the brevity penalty exp(min(0, 1 - r / c)), c and r being the summed output
and reference lengths. If any of the summed statistics is 0 (no output tokens, or no
4-gram match anywhere) the score is 0, as in the official script.

Several references: the official script (``compute_gleu`` from gec-ranking/JFLEG, as run
by EditEval) draws one reference per sentence at random in each of 500 iterations, scores
the corpus once per iteration and reports the mean. We do the same deterministically with
its seeds: iteration j seeds ``random.Random(101 * j)`` and draws ``randint(0, k - 1)``
for each sentence in order (k its number of references), which is what EditEval's
Python 3 run of the script does. With one reference per sentence every iteration is the
same and GLEU is computed once. (The original Python 2.7 script draws differently, so its
multi-reference numbers may differ slightly.)

Tokenization: the official script splits on whitespace (its inputs come tokenized); we
13a-tokenize first and keep case (GLEU is case-sensitive; casing errors are errors).
Scale 0-100.
"""

import math
import random
from collections.abc import Callable, Sequence

import numpy as np

from itune_core.metrics.corpus import check_corpus
from itune_core.metrics.tokens import ngram_counts, tokenize_13a

NGRAM_ORDER = 4
ITERATIONS = 500
_SEED_STEP = 101  # iteration j uses seed 101 * j, as the official script does


def _draw(getrandbits: Callable[[int], int], k: int) -> int:
    """``random.Random.randint(0, k - 1)`` inlined: CPython draws ``k.bit_length()`` bits
    until the number is below k (even for k = 1). Three times faster, the same stream; a
    test holds it to ``randint``."""
    bits = k.bit_length()
    drawn = getrandbits(bits)
    while drawn >= k:
        drawn = getrandbits(bits)
    return drawn


def gleu_statistics(
    source: Sequence[str], output: Sequence[str], reference: Sequence[str]
) -> tuple[int, ...]:
    """GLEU's sufficient statistics of one tokenized sentence against one reference.

    Args:
        source: the source tokens.
        output: the output tokens.
        reference: the tokens of one reference.

    Returns:
        ``(c, r, matches_1, total_1, ..., matches_4, total_4)``: output length, reference
        length, then per order the penalised matches and the output's n-gram count.
        Statistics of a corpus are the element-wise sums over its sentences.
    """
    stats = [len(output), len(reference)]
    for n in range(1, NGRAM_ORDER + 1):
        out, ref, src = ngram_counts(output, n), ngram_counts(reference, n), ngram_counts(source, n)
        matches = 0
        for gram, count in out.items():
            if gram in ref:
                matches += min(count, ref[gram])
            elif gram in src:  # a source n-gram the reference does not have: penalised
                matches -= min(count, src[gram])
        stats += [max(matches, 0), max(len(output) - n + 1, 0)]
    return tuple(stats)


def gleu_from_statistics(stats: Sequence[float]) -> float:
    """GLEU from (summed) statistics.

    Args:
        stats: ``(c, r, matches_1, total_1, ..., matches_4, total_4)`` as returned by
            ``gleu_statistics`` or summed over sentences.

    Returns:
        GLEU in [0, 1]; 0 when any statistic is 0.
    """
    if any(value == 0 for value in stats):
        return 0.0
    c, r = float(stats[0]), float(stats[1])
    ratios = zip(stats[2::2], stats[3::2], strict=True)
    log_precision = sum(math.log(float(m) / float(t)) for m, t in ratios) / NGRAM_ORDER
    return math.exp(min(0.0, 1 - r / c) + log_precision)


def gleu_example_statistics(
    source: str, output: str, references: Sequence[str], *, lowercase: bool = False
) -> list[tuple[int, ...]]:
    """GLEU statistics of one example against each of its references.

    Args:
        source: the text before revision.
        output: the system revision.
        references: one or more reference revisions.
        lowercase: lowercase before tokenizing (off: GLEU is case-sensitive).

    Returns:
        One ``gleu_statistics`` tuple per reference, in order.

    Raises:
        ValueError: the references are empty or a bare string.
    """
    references = check_corpus([source], [output], [references])[0]

    def tokens(text: str) -> list[str]:
        return tokenize_13a(text, lowercase).split()

    src, out = tokens(source), tokens(output)
    return [gleu_statistics(src, out, tokens(reference)) for reference in references]


def gleu_from_example_statistics(
    examples: Sequence[Sequence[Sequence[int]]], *, iterations: int = ITERATIONS
) -> float:
    """Corpus GLEU from the ``gleu_example_statistics`` of its examples.

    Args:
        examples: per example, in corpus order, its statistics against each reference.
        iterations: how many seeded draws of one reference per example to average when
            some example has several references.

    Returns:
        GLEU in [0, 100].

    Raises:
        ValueError: there are no examples, an example has no statistics, or
            ``iterations`` < 1.
    """
    if not examples or not all(examples):
        raise ValueError("GLEU needs at least one example, each with at least one reference")
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    counts = [len(per_reference) for per_reference in examples]
    if max(counts) == 1:
        return 100.0 * gleu_from_statistics(np.sum([e[0] for e in examples], axis=0))

    # stats: [examples, most references, 10], padded with zeros that are never drawn.
    stats = np.zeros((len(examples), max(counts), 2 + 2 * NGRAM_ORDER), dtype=np.int64)
    for i, per_reference in enumerate(examples):
        stats[i, : len(per_reference)] = per_reference
    rows = np.arange(len(examples))
    scores = []
    for j in range(iterations):
        getrandbits = random.Random(_SEED_STEP * j).getrandbits
        drawn = [_draw(getrandbits, k) for k in counts]
        scores.append(gleu_from_statistics(stats[rows, drawn].sum(axis=0)))
    return 100.0 * sum(scores) / len(scores)


def gleu(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
    *,
    iterations: int = ITERATIONS,
    lowercase: bool = False,
) -> float:
    """Corpus GLEU of Napoles et al. (see the module docstring).

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.
        iterations: how many seeded draws of one reference per sentence to average when
            some sentence has several references.
        lowercase: lowercase before tokenizing (off: GLEU is case-sensitive).

    Returns:
        GLEU in [0, 100].

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``) or ``iterations`` < 1.
    """
    references_list = check_corpus(sources, outputs, references_list)
    examples = [
        gleu_example_statistics(source, output, references, lowercase=lowercase)
        for source, output, references in zip(sources, outputs, references_list, strict=True)
    ]
    return gleu_from_example_statistics(examples, iterations=iterations)
