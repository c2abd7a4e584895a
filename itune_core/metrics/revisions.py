"""The revision-quality metrics together, over a corpus and per intention.

``evaluate_revisions`` scores a corpus with SARI (both variants), GLEU and Update-R and,
given each example's intentions, scores every intention's examples on their own (the
per-intention view; EditEval reports its categories the same way). A multi-label example
counts in the group of each of its intentions; one without intentions counts only
overall. Every group's score is the metric computed on the group's examples (corpus-level
SARI and GLEU pool their counts; they are not means of example scores).

Each example is scored once: the corpus and every group are then assembled from the
examples' sufficient statistics (SARI counts, GLEU statistics, sentence SARI and Update-R
scores), so the per-intention view costs almost nothing extra and agrees exactly with
calling the metrics on the group's examples.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from itune_core.metrics.corpus import check_corpus
from itune_core.metrics.gleu import gleu_example_statistics, gleu_from_example_statistics
from itune_core.metrics.sari import (
    sari_counts,
    sari_from_counts,
    sari_sentence_iterater,
    sari_sentence_t2t,
)
from itune_core.metrics.update_rouge import update_rouge_example

METRIC_NAMES: tuple[str, ...] = ("sari", "sari_iterater", "sari_t2t", "gleu", "update_r")


@dataclass(frozen=True)
class ExampleStatistics:
    """One example's sufficient statistics for every metric (``example_statistics``); a
    corpus's scores are assembled from them by ``scores_from_statistics``."""

    sari: tuple[tuple[int, ...], ...]
    sari_iterater: float
    sari_t2t: float
    gleu: list[tuple[int, ...]]
    update_r: float


def example_statistics(source: str, output: str, references: list[str]) -> ExampleStatistics:
    return ExampleStatistics(
        sari=sari_counts(source, output, references),
        sari_iterater=sari_sentence_iterater(source, output, references),
        sari_t2t=sari_sentence_t2t(source, output, references),
        gleu=gleu_example_statistics(source, output, references),
        update_r=update_rouge_example(source, output, references),
    )


def scores_from_statistics(examples: Sequence[ExampleStatistics]) -> dict[str, Any]:
    """Every metric of a corpus (or a group) from its examples' statistics."""
    n = len(examples)
    return {
        "sari": sari_from_counts(e.sari for e in examples).score,
        "sari_iterater": sum(e.sari_iterater for e in examples) / n,
        "sari_t2t": sum(e.sari_t2t for e in examples) / n,
        "gleu": gleu_from_example_statistics([e.gleu for e in examples]),
        "update_r": 100.0 * sum(e.update_r for e in examples) / n,
        "n": n,
    }


def group_by_intention(intentions: Sequence[str | Collection[str]]) -> dict[str, list[int]]:
    """The examples of each intention.

    Args:
        intentions: per example, its intention or its collection of intentions.

    Returns:
        For each intention, in order of first appearance, the indices of the examples
        that carry it; an example with several intentions is in each of their groups,
        one with none is in no group.

    Raises:
        ValueError: an intention is not a string.
    """
    groups: dict[str, list[int]] = {}
    for i, labels in enumerate(intentions):
        for label in [labels] if isinstance(labels, str) else dict.fromkeys(labels):
            if not isinstance(label, str):
                raise ValueError(f"intentions[{i}] holds {label!r}; intentions are strings")
            groups.setdefault(label, []).append(i)
    return groups


def evaluate_revisions(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
    intentions: Sequence[str | Collection[str]] | None = None,
) -> dict[str, Any]:
    """Score a corpus of revisions, overall and, given intentions, per intention.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.
        intentions: optional; per example, its intention or collection of intentions.

    Returns:
        ``sari`` (the EASSE/EditEval variant), ``sari_iterater`` (Xu et al.'s original
        sentence mean, ITERATER's published scorer), ``sari_t2t`` (the
        tensor2tensor/Hugging Face variant), ``gleu`` and ``update_r``, all in [0, 100],
        and ``n``, the number of examples; when ``intentions`` is given, also
        ``by_intention``: for each intention (in order of first appearance) the same dict
        on its examples.

    Raises:
        ValueError: the corpus is malformed (see ``check_corpus``), ``intentions`` has
            another length, or an intention is not a string.
    """
    references_list = check_corpus(sources, outputs, references_list)
    if intentions is not None and len(intentions) != len(sources):
        raise ValueError(
            f"intentions must have one entry per example, got {len(intentions)} for "
            f"{len(sources)} examples"
        )
    groups = group_by_intention(intentions) if intentions is not None else {}
    examples = [
        example_statistics(source, output, references)
        for source, output, references in zip(sources, outputs, references_list, strict=True)
    ]
    result = scores_from_statistics(examples)
    if intentions is not None:
        result["by_intention"] = {
            label: scores_from_statistics([examples[i] for i in indices])
            for label, indices in groups.items()
        }
    return result
