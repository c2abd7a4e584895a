"""Intention prediction scores against values worked out by hand."""

import pytest

from itune_core.metrics.classification import accuracy_among_asked, classification_report

LABELS = ["clarity", "fluency", "style", "coherence"]
SINGLE_TRUE = ["clarity", "clarity", "fluency", "style"]
SINGLE_PRED = ["clarity", "fluency", "fluency", "fluency"]

MULTI_LABELS = ["clarity", "fluency", "style"]
MULTI_TRUE = [{"clarity", "fluency"}, {"style"}, {"clarity"}]
MULTI_PRED = [("clarity",), ("style", "fluency"), ["clarity"]]


def test_single_label_per_class_scores():
    # clarity: TP 1, FP 0, FN 1 -> P 1, R 1/2, F1 2/3. fluency: TP 1, FP 2, FN 0 -> P 1/3,
    # R 1, F1 1/2. style: TP 0, FN 1 -> 0. coherence: absent everywhere -> 0 (0/0 := 0).
    report = classification_report(SINGLE_TRUE, SINGLE_PRED, LABELS)
    got = {k: (v.precision, v.recall, v.f1, v.support) for k, v in report.per_class.items()}
    assert got == {
        "clarity": pytest.approx((1.0, 0.5, 2 / 3, 2)),
        "fluency": pytest.approx((1 / 3, 1.0, 0.5, 1)),
        "style": (0.0, 0.0, 0.0, 1),
        "coherence": (0.0, 0.0, 0.0, 0),
    }


def test_single_label_macro_f1_counts_absent_classes_as_zero():
    # (2/3 + 1/2 + 0 + 0) / 4 = 7/24.
    assert classification_report(SINGLE_TRUE, SINGLE_PRED, LABELS).macro_f1 == pytest.approx(7 / 24)


def test_single_label_accuracy():
    report = classification_report(SINGLE_TRUE, SINGLE_PRED, LABELS)
    assert (report.accuracy, report.n, report.hamming_accuracy) == (0.5, 4, None)


def test_multi_label_per_class_f1():
    # clarity: TP 2 -> F1 1. fluency: FP 1 (2nd example), FN 1 (1st) -> 0. style: TP 1 -> 1.
    report = classification_report(MULTI_TRUE, MULTI_PRED, MULTI_LABELS, multi_label=True)
    f1 = {k: v.f1 for k, v in report.per_class.items()}
    assert f1 == {"clarity": 1.0, "fluency": 0.0, "style": 1.0}


def test_multi_label_macro_f1():
    # (1 + 0 + 1) / 3.
    report = classification_report(MULTI_TRUE, MULTI_PRED, MULTI_LABELS, multi_label=True)
    assert report.macro_f1 == pytest.approx(2 / 3)


def test_multi_label_exact_match_and_hamming_accuracy():
    # Exact: only the 3rd example -> 1/3. Hamming: 2 wrong of 3 x 3 decisions -> 7/9.
    report = classification_report(MULTI_TRUE, MULTI_PRED, MULTI_LABELS, multi_label=True)
    assert (report.accuracy, report.hamming_accuracy) == pytest.approx((1 / 3, 7 / 9))


def test_an_empty_prediction_set_is_allowed():
    report = classification_report([{"style"}], [set()], MULTI_LABELS, multi_label=True)
    assert report.per_class["style"].recall == 0.0


def test_a_bare_string_in_multi_label_data_is_refused():
    with pytest.raises(ValueError, match="set"):
        classification_report(["clarity"], [{"clarity"}], MULTI_LABELS, multi_label=True)


def test_a_set_in_single_label_data_is_refused():
    with pytest.raises(ValueError, match="multi_label=True"):
        classification_report([{"clarity"}], ["clarity"], MULTI_LABELS)


def test_an_unknown_label_is_refused():
    with pytest.raises(ValueError, match="outside"):
        classification_report(["clarity"], ["others"], MULTI_LABELS)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        classification_report(["clarity"], [], MULTI_LABELS)


def test_accuracy_among_the_asked_intentions_worked_out_by_hand():
    # gold a, a < b < c: asked {a, b} and {a, c} pick b and c; all three pick c
    # gold c, a < b < c: {c, a} and {c, b} pick c; all three pick c
    probs = [{"a": 0.1, "b": 0.3, "c": 0.6}, {"a": 0.1, "b": 0.3, "c": 0.6}]
    truth = ["a", "c"]
    assert accuracy_among_asked(truth, probs, 1) == 1.0
    assert accuracy_among_asked(truth, probs, 2) == 0.5  # 2 of 4 sets
    assert accuracy_among_asked(truth, probs, 3) == 0.5  # 1 of 2
    # gold b: {b, a} picks b, {b, c} picks c
    assert accuracy_among_asked(["b"], probs[:1], 2) == 0.5
    tie = [{"a": 0.5, "b": 0.5}]
    assert accuracy_among_asked(["a"], tie, 2) == 1.0  # the first label wins a tie
    assert accuracy_among_asked(["b"], tie, 2) == 0.0
    assert accuracy_among_asked([], [], 2) == 0.0


@pytest.mark.parametrize(
    ("truth", "probs", "size", "message"),
    [
        (["a"], [{"a": 1.0}, {"a": 1.0}], 1, "1 labels for 2"),
        (["z"], [{"a": 1.0}], 1, "no probability"),
        (["a"], [{"a": 0.5, "b": 0.5}], 3, "size must be 1 to 2"),
        (["a"], [{"a": 0.5, "b": 0.5}], 0, "size must be 1 to 2"),
    ],
)
def test_accuracy_among_asked_refuses_what_it_cannot_score(truth, probs, size, message):
    with pytest.raises(ValueError, match=message):
        accuracy_among_asked(truth, probs, size)
