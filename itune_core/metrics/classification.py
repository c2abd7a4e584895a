"""Intention prediction scores: accuracy, macro-F1 and per-class precision, recall, F1.

Single-label data (ITERATER-sent: one intention per edit) gives one label string per
example; multi-label data (ITERATER-doc, ArgRewrite: several intentions per revision) gives
a set (or tuple, list) of labels per example, possibly empty.

Per class: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R), where a
multi-label example counts once for every label in its set. A ratio with a zero
denominator is 0 (scikit-learn's ``zero_division=0``), so a class that is neither in the
truth nor predicted has F1 = 0 and still counts in the macro average: macro-F1 is the plain
mean over the ``labels`` asked for. Accuracy is the share of examples predicted exactly
(subset accuracy for multi-label); for multi-label data ``hamming_accuracy`` is also given,
the share of (example, label) decisions that are right (1 - Hamming loss).

All scores are fractions in [0, 1], like scikit-learn's.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class ClassScores:
    """One class's scores.

    Attributes:
        precision: TP / (TP + FP), 0 when the class was never predicted.
        recall: TP / (TP + FN), 0 when the class never occurs in the truth.
        f1: harmonic mean of precision and recall, 0 when both are 0.
        support: how many examples carry the class in the truth.
    """

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ClassificationReport:
    """Scores of a set of intention predictions.

    Attributes:
        accuracy: share of examples predicted exactly (the whole label set when
            multi-label).
        macro_f1: mean of the per-class F1 over ``labels``.
        per_class: each label's scores, in the order of ``labels``.
        n: number of examples.
        hamming_accuracy: for multi-label data, share of right (example, label) decisions;
            None for single-label data.
    """

    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassScores]
    n: int
    hamming_accuracy: float | None = None


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _as_sets(
    values: Sequence, labels: Collection[str], multi_label: bool, name: str
) -> list[frozenset[str]]:
    sets = []
    for i, value in enumerate(values):
        if multi_label:
            if isinstance(value, str):
                raise ValueError(
                    f"{name}[{i}] is the string {value!r}; multi-label data needs a set "
                    f"(or tuple, list) of labels per example"
                )
            value = frozenset(value)
        else:
            if not isinstance(value, str):
                raise ValueError(
                    f"{name}[{i}] must be one label string, got {value!r}; "
                    f"pass multi_label=True for sets of labels"
                )
            value = frozenset([value])
        unknown = sorted(value - set(labels))
        if unknown:
            raise ValueError(f"{name}[{i}] has labels outside `labels`: {unknown}")
        sets.append(value)
    return sets


def classification_report(
    y_true: Sequence,
    y_pred: Sequence,
    labels: Sequence[str],
    multi_label: bool = False,
) -> ClassificationReport:
    """Score intention predictions against the truth.

    Args:
        y_true: the true label of each example (a string), or its set of labels when
            ``multi_label``.
        y_pred: the predicted label or set of labels, one per example.
        labels: the classes to score, in the order the report lists them.
        multi_label: whether each example carries a set of labels.

    Returns:
        Accuracy, macro-F1, per-class scores and, for multi-label data, Hamming accuracy.

    Raises:
        ValueError: the lengths differ, there are no examples, ``labels`` is empty or has
            duplicates, a label is not in ``labels``, or an example has the wrong type.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    if not y_true:
        raise ValueError("no examples to score")
    if not labels or len(set(labels)) != len(labels):
        raise ValueError(f"labels must be non-empty and distinct, got {list(labels)}")
    truth = _as_sets(y_true, labels, multi_label, "y_true")
    predicted = _as_sets(y_pred, labels, multi_label, "y_pred")

    per_class = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if label in t and label in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if label not in t and label in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if label in t and label not in p)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)  # = 2PR / (P + R), 0 when both are 0
        per_class[label] = ClassScores(precision, recall, f1, support=tp + fn)

    n = len(truth)
    hamming = None
    if multi_label:
        wrong = sum(len(t ^ p) for t, p in zip(truth, predicted, strict=True))
        hamming = 1 - wrong / (n * len(labels))
    return ClassificationReport(
        accuracy=sum(t == p for t, p in zip(truth, predicted, strict=True)) / n,
        macro_f1=sum(scores.f1 for scores in per_class.values()) / len(labels),
        per_class=per_class,
        n=n,
        hamming_accuracy=hamming,
    )


def accuracy_among_asked(
    truth: Sequence[str], probabilities: Sequence[Mapping[str, float]], size: int
) -> float:
    """How often the likeliest of ``size`` intentions is the true one, over every set of
    ``size`` labels (of those the probabilities name) that holds it: what a writer who asked
    for that many intentions gets when the app labels each edit with one of them. Chance is
    1 / ``size``; ties go to the first label in the probabilities' order.

    Args:
        truth: each example's one true label.
        probabilities: each example's ``{label: probability}``.
        size: how many intentions are asked (at least 1).

    Raises:
        ValueError: ``size`` below 1 or above the number of labels, a true label missing
            from its probabilities, or the two sequences of different lengths.
    """
    if len(truth) != len(probabilities):
        raise ValueError(f"{len(truth)} labels for {len(probabilities)} predictions")
    right = total = 0
    for gold, probs in zip(truth, probabilities, strict=True):
        if gold not in probs:
            raise ValueError(f"label {gold!r} has no probability")
        if not 1 <= size <= len(probs):
            raise ValueError(f"size must be 1 to {len(probs)}, got {size}")
        others = [label for label in probs if label != gold]
        for extra in combinations(others, size - 1):
            asked = [label for label in probs if label == gold or label in extra]
            right += max(asked, key=lambda label: probs[label]) == gold
            total += 1
    return _ratio(right, total)
