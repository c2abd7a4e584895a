"""Update-R and ROUGE-Lsum against values worked out by hand."""

import pytest

from itune_core.metrics.update_rouge import (
    added_sentences,
    lcs_positions,
    rouge_lsum,
    rouge_tokens,
    update_rouge,
    update_rouge_example,
)

SOURCE = "The cat sat. The dog ran."


def test_no_added_sentences_anywhere_scores_100():
    assert update_rouge([SOURCE], [SOURCE], [[SOURCE]]) == 100.0


def test_deleting_the_same_sentence_adds_nothing_and_scores_100():
    assert update_rouge([SOURCE], ["The cat sat."], [["The cat sat."]]) == 100.0


def test_an_added_sentence_matching_the_reference_scores_100():
    text = "The cat sat. It was happy. The dog ran."
    assert update_rouge([SOURCE], [text], [[text]]) == 100.0


def test_a_partly_matching_added_sentence():
    # Added: [it, was, very, happy] vs [it, was, happy]: LCS 3 -> P 3/4, R 1 -> F1 6/7.
    score = update_rouge([SOURCE], [SOURCE + " It was very happy."], [[SOURCE + " It was happy."]])
    assert score == pytest.approx(100 * 6 / 7)


def test_an_edited_sentence_counts_as_added_on_both_sides():
    # [he, went, to, school] vs [he, goes, to, school]: LCS 3 -> P = R = 3/4.
    score = update_rouge(["He go to school."], ["He went to school."], [["He goes to school."]])
    assert score == pytest.approx(75.0)


def test_adding_where_the_reference_adds_nothing_scores_0():
    assert update_rouge([SOURCE], [SOURCE + " It was happy."], [[SOURCE]]) == 0.0


def test_several_references_are_averaged():
    # Against the first reference the addition matches (1); the second adds nothing (0).
    text = SOURCE + " It was happy."
    assert update_rouge_example(SOURCE, text, [text, SOURCE]) == pytest.approx(0.5)


def test_added_sentences_ignore_moved_and_respaced_source_sentences():
    text = "The dog  ran. The cat sat. A bird sang."
    assert added_sentences(SOURCE, text) == ["A bird sang."]


def test_rouge_tokens_are_lowercase_alphanumeric_runs():
    assert rouge_tokens("It's 3.5 km-long, OK?") == ["it", "s", "3", "5", "km", "long", "ok"]


def test_lcs_positions_point_into_the_first_sequence():
    # LCS of [a, b, c, d] and [b, d, a] is [b, d] at positions 1 and 3.
    assert lcs_positions(["a", "b", "c", "d"], ["b", "d", "a"]) == [1, 3]


def test_rouge_lsum_takes_the_union_lcs_of_lin_2004():
    # Lin (2004), section 3.2: r = w1 w2 w3 w4 w5, c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5.
    # LCS(r, c1) = w1 w2, LCS(r, c2) = w1 w3 w5; union w1 w2 w3 w5 -> R = 4/5, P = 4/10.
    reference = [["w1", "w2", "w3", "w4", "w5"]]
    candidate = [["w1", "w2", "w6", "w7", "w8"], ["w1", "w3", "w8", "w9", "w5"]]
    score = rouge_lsum(candidate, reference)
    assert (score.precision, score.recall) == pytest.approx((0.4, 0.8))


def test_rouge_lsum_matches_a_candidate_token_at_most_as_often_as_it_occurs():
    # Both reference sentences' LCS with [a] is "a", but the candidate has one "a":
    # hits 1 -> P = 1/1, R = 1/4, F1 = 2 * 1/4 / (5/4) = 2/5.
    score = rouge_lsum([["a"]], [["a", "b"], ["a", "c"]])
    assert score.f1 == pytest.approx(0.4)


def test_rouge_lsum_with_an_empty_side_is_zero():
    assert rouge_lsum([], [["a"]]).f1 == 0.0
