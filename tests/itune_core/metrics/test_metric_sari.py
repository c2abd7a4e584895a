"""SARI against published values and against values worked out by hand.

Notation in the comments: S source, O output, R reference(s), k number of references.
"""

import pytest

from itune_core.metrics.sari import (
    sari_corpus,
    sari_corpus_operations,
    sari_iterater,
    sari_sentence_iterater,
    sari_sentence_t2t,
    sari_sentence_t2t_operations,
    sari_t2t,
)

SPECIES_SOURCE = "About 95 species are currently accepted."
SPECIES_OUTPUT = "About 95 you now get in."
SPECIES_REFERENCES = [
    "About 95 species are currently known.",
    "About 95 species are now accepted.",
    "95 species are now accepted.",
]


# --- Published values ------------------------------------------------------------------


def test_t2t_matches_the_hugging_face_sari_example():
    # evaluate's `sari` metric card: {'sari': 26.953601953601954}.
    score = sari_t2t([SPECIES_SOURCE], [SPECIES_OUTPUT], [SPECIES_REFERENCES])
    assert score == pytest.approx(26.953601953601954, abs=1e-12)


def test_t2t_matches_the_hugging_face_wiki_split_example():
    # evaluate's `wiki_split` metric card (same SARI code, one reference): 21.805555555555557.
    score = sari_t2t(
        ["About 95 species are currently accepted ."],
        ["About 95 you now get in ."],
        [["About 95 species are currently known ."]],
    )
    assert score == pytest.approx(21.805555555555557, abs=1e-12)


def test_corpus_matches_the_easse_readme_example():
    # EASSE's README, corpus_sari on two sentences with three references: 33.17472563619544.
    # (EASSE takes references as [reference number][sentence]; ours are per sentence.)
    score = sari_corpus(
        [SPECIES_SOURCE, "The cat perched on the mat."],
        [SPECIES_OUTPUT, "Cat on mat."],
        [SPECIES_REFERENCES, ["The cat sat on the mat.", "The cat is on the mat.", "The cat sat."]],
    )
    assert score == pytest.approx(33.17472563619544, abs=1e-12)


def test_corpus_matches_the_editeval_test_value():
    # EditEval's test_metrics.py: its EASSE-based sari on the pre-tokenized sentence, 31.35.
    score = sari_corpus(
        ["About 95 species are currently accepted ."],
        ["About 95 you now get in ."],
        [[ref.replace(".", " .") for ref in SPECIES_REFERENCES]],
    )
    assert round(score, 3) == 31.35


# --- Identical input, output and reference -----------------------------------------------


def test_t2t_scores_100_when_source_output_and_reference_agree():
    # Nothing to add or delete: add P = R = 0/0 := 1, delete P = 0/0 := 1, keep P = R = 1.
    assert sari_t2t(["the cat sat down"], ["the cat sat down"], [["the cat sat down"]]) == 100.0


def test_corpus_scores_a_third_when_source_output_and_reference_agree():
    # EASSE: no system additions or deletions, so add P = del P = 0 and their F1 = 0;
    # keep F1 = 1 at every order: 100 * (0 + 1 + 0) / 3.
    score = sari_corpus(["the cat sat down"], ["the cat sat down"], [["the cat sat down"]])
    assert score == pytest.approx(100 / 3)


# --- Empty output ----------------------------------------------------------------------


def test_t2t_of_an_empty_output():
    # S = the cat sat down, R = the cat sat, O = "" (one empty token, as in HF's split(" ")).
    # n=1: keep P = 1 (nothing kept), R = 0/3 -> 0; delete = mean(the 0, cat 0, sat 0,
    #      down 1) = 1/4; add: O adds "" which R lacks, P = 0, R = 1 (R adds nothing) -> 0.
    # n=2: keep 0; delete = mean(the cat 0, cat sat 0, sat down 1) = 1/3; add 1 (0/0).
    # n=3: keep 0; delete = mean(the cat sat 0, cat sat down 1) = 1/2; add 1.
    # n=4: keep P = R = 1 (0/0) -> 1; delete = 1; add 1.
    # keep 1/4, delete (1/4 + 1/3 + 1/2 + 1)/4 = 25/48, add 3/4 -> 100 * (73/48) / 3.
    score = sari_t2t(["the cat sat down"], [""], [["the cat sat"]])
    assert score == pytest.approx(100 * 73 / 144)


def test_corpus_of_an_empty_output():
    # Only deletion scores: per order (correct, system, reference) deletions are
    # n=1 (1, 4, 1) -> P 1/4, R 1, F1 2/5; n=2 (1, 3, 1) -> 1/2; n=3 (1, 2, 1) -> 2/3;
    # n=4 (1, 1, 1) -> 1. delete = (2/5 + 1/2 + 2/3 + 1)/4 = 77/120; add = keep = 0.
    score = sari_corpus(["the cat sat down"], [""], [["the cat sat"]])
    assert score == pytest.approx(100 * 77 / 360)


# --- Copy baseline and perfect edit (S = he go to school, R = he goes to school) ---------


def test_t2t_of_the_copy_baseline():
    # keep: n=1 P = mean(he 1, go 0, to 1, school 1) = 3/4, R = 3/3 -> F1 6/7;
    #       n=2 P = 1/3 (only "to school" kept by R), R = 1 -> 1/2; n=3, n=4 P = 0 -> 0.
    # delete: nothing deleted -> 1 at every order. add: R adds, O does not -> 0.
    # keep (6/7 + 1/2)/4 = 19/56 -> 100 * (19/56 + 1 + 0) / 3 = 100 * 25/56.
    score = sari_t2t(["he go to school"], ["he go to school"], [["he goes to school"]])
    assert score == pytest.approx(100 * 25 / 56)


def test_corpus_of_the_copy_baseline():
    # keep F1 as in the t2t case: (6/7, 1/2, 0, 0) -> 19/56; add = delete = 0 (nothing done).
    score = sari_corpus(["he go to school"], ["he go to school"], [["he goes to school"]])
    assert score == pytest.approx(100 * 19 / 168)


def test_t2t_of_a_perfect_edit_is_100():
    assert sari_t2t(["he go to school"], ["he goes to school"], [["he goes to school"]]) == 100.0


def test_corpus_of_a_perfect_edit():
    # add and delete F1 = 1 at every order; keep: n=1 (3, 3, 3) -> 1, n=2 (1, 1, 1) -> 1,
    # n=3 and n=4 nothing kept by anyone -> P = 0 -> F1 0; keep = 1/2.
    score = sari_corpus(["he go to school"], ["he goes to school"], [["he goes to school"]])
    assert score == pytest.approx(100 * 2.5 / 3)


# --- No reference additions (R = a prefix of S: every n-gram of R is in S) ---------------


def test_corpus_add_is_zero_when_references_add_nothing():
    # The reference-added count is 0, so add R = 0 and add F1 = 0 even for a perfect edit.
    ops = sari_corpus_operations(["the big cat sat down"], ["the big cat"], [["the big cat"]])
    assert ops.add == (0.0, 0.0, 0.0, 0.0)


def test_t2t_add_is_one_when_nobody_adds():
    # Output and reference add nothing: add P = R = 0/0 := 1 at every order.
    ops = sari_sentence_t2t_operations("the big cat sat down", "the big cat", ["the big cat"])
    assert ops.add == (1.0, 1.0, 1.0, 1.0)


def test_t2t_add_is_zero_where_the_output_adds_what_nobody_wanted():
    # O = the big dog: "dog", "big dog", "the big dog" are added and wrong -> P = 0 -> F1 0;
    # O has no 4-gram, so at n=4 nobody adds -> 1.
    ops = sari_sentence_t2t_operations("the big cat sat down", "the big dog", ["the big cat"])
    assert ops.add == (0.0, 0.0, 0.0, 1.0)


# --- Unigram sub-scores on a two-sentence corpus ----------------------------------------

CORPUS_SOURCES = ["he go to school", "a big big dog"]
CORPUS_OUTPUTS = ["he goes to school", "a dog"]
CORPUS_REFERENCES = [["he goes to school"], ["a big dog"]]


def test_corpus_unigram_counts_are_pooled_over_sentences():
    # Sentence 1 (correct, system, reference): add (1,1,1), keep (3,3,3), delete (1,1,1).
    # Sentence 2: S {a, big x2, dog}, O {a, dog}, R {a, big, dog}: add (0,0,0);
    #   keep a (1,1,1), big (0,0,1), dog (1,1,1) -> (2,2,3);
    #   delete big: O deletes 2, R deletes 1, agreed 1 -> (1,2,1).
    # Pooled: add (1,1,1) -> 1; keep (5,5,6) -> P 1, R 5/6 -> 10/11;
    #         delete (2,3,2) -> P 2/3, R 1 -> 4/5.
    ops = sari_corpus_operations(CORPUS_SOURCES, CORPUS_OUTPUTS, CORPUS_REFERENCES)
    assert (ops.add[0], ops.keep[0], ops.delete[0]) == pytest.approx((1.0, 10 / 11, 0.8))


def test_t2t_unigram_scores_are_per_sentence():
    # Sentence 2 alone: keep P = mean(a 1, dog 1) = 1, R = 2/3 -> 4/5;
    # delete P = (2 - 1)/2 = 1/2 for "big"; nobody adds -> add 1.
    ops = sari_sentence_t2t_operations(CORPUS_SOURCES[1], CORPUS_OUTPUTS[1], CORPUS_REFERENCES[1])
    assert (ops.add[0], ops.keep[0], ops.delete[0]) == pytest.approx((1.0, 0.8, 0.5))


def test_t2t_corpus_score_is_the_mean_of_sentence_scores():
    sentences = [
        sari_sentence_t2t(s, o, r)
        for s, o, r in zip(CORPUS_SOURCES, CORPUS_OUTPUTS, CORPUS_REFERENCES, strict=True)
    ]
    corpus = sari_t2t(CORPUS_SOURCES, CORPUS_OUTPUTS, CORPUS_REFERENCES)
    assert corpus == pytest.approx(sum(sentences) / 2)


def test_keep_counts_are_weighted_by_the_number_of_references():
    # k = 2: S and O counts x2 = {the 2, cat 2, sat 2}; summed R = {the 2, cat 2, sat 1}.
    # keep P = mean(2/2, 2/2, 1/2) = 5/6, R = 5/5 = 1 -> F1 = 10/11: "sat", kept by one
    # reference of two, is half right to keep.
    ops = sari_sentence_t2t_operations("the cat sat", "the cat sat", ["the cat sat", "the cat"])
    assert ops.keep[0] == pytest.approx(10 / 11)


def test_scores_ignore_case_by_default():
    lower = sari_corpus(["he go to school"], ["he goes to school"], [["he goes to school"]])
    mixed = sari_corpus(["He go to school"], ["he GOES to school"], [["He goes to School"]])
    assert lower == mixed


# --- Malformed input --------------------------------------------------------------------


def test_references_given_as_a_bare_string_are_refused():
    with pytest.raises(ValueError, match="list of references"):
        sari_corpus(["a b"], ["a b"], ["a b"])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        sari_t2t(["a b", "c d"], ["a b"], [["a b"], ["c d"]])


def test_an_empty_corpus_is_refused():
    with pytest.raises(ValueError, match="empty"):
        sari_corpus([], [], [])


def test_an_example_without_references_is_refused():
    with pytest.raises(ValueError, match="at least one reference"):
        sari_sentence_t2t("a b", "a b", [])


# --- Xu et al.'s original sentence SARI (ITERATER's published scorer) ---------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        # The three outputs of the original SARI script's own example (its printed values,
        # on the 0-1 scale there).
        ("About 95 you now get in .", 26.827824116980743),
        ("About 95 species are now agreed .", 58.89995423074248),
        ("About 95 species are currently agreed .", 50.71608864657479),
    ],
)
def test_iterater_variant_matches_the_original_script(output, expected):
    source = "About 95 species are currently accepted ."
    references = [ref.replace(".", " .") for ref in SPECIES_REFERENCES]
    assert sari_sentence_iterater(source, output, references) == pytest.approx(expected, abs=1e-9)


def test_iterater_variant_counts_an_operation_nobody_performs_as_zero():
    # Copying adds and deletes nothing: both score 0 (t2t would give 1), so SARI = keep / 3,
    # and the keep score is perfect when the reference keeps every source n-gram.
    source, reference = "the cat sat on it", "the cat sat on it again"
    assert sari_sentence_iterater(source, source, [reference]) == pytest.approx(100 / 3)
    assert sari_sentence_t2t(source, source, [reference]) > 60
    # A sentence too short for 4-grams scores 0 on that order (0/0), not 1.
    assert sari_sentence_iterater("the cat sat", "the cat sat", ["the cat sat"]) == 25.0


def test_iterater_variant_rewards_the_reference_edit():
    source, reference = "he go to the school every day", "he goes to the school every day"
    copy = sari_sentence_iterater(source, source, [reference])
    fixed = sari_sentence_iterater(source, reference, [reference])
    assert fixed == pytest.approx(100.0) and copy < 34


def test_iterater_corpus_score_is_the_mean_of_sentence_scores():
    sources = ["he go to school", "the cat sat"]
    outputs = ["he goes to school", "the cat"]
    references = [["he goes to school"], ["the cat sat down"]]
    expected = (
        sum(
            sari_sentence_iterater(s, o, r)
            for s, o, r in zip(sources, outputs, references, strict=True)
        )
        / 2
    )
    assert sari_iterater(sources, outputs, references) == pytest.approx(expected)
    with pytest.raises(ValueError):
        sari_iterater(["a b", "c d"], ["a b"], [["a b"], ["c d"]])
