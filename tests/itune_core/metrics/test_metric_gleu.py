"""GLEU (Napoles et al.) against a published value and values worked out by hand."""

import math
import random

import pytest

from itune_core.metrics.gleu import _draw, gleu, gleu_from_statistics, gleu_statistics

SOURCE = "yesterday he go to the school by bus"
REFERENCE = "yesterday he went to the school by bus"
OUTPUT = "yesterday he went to school by bus"


def test_gleu_matches_the_editeval_test_value():
    # EditEval's test_metrics.py: two sentences, three references each, the official
    # 500-iteration sampling: 0.168629 (on a 0-1 scale).
    source = "About 95 species are currently accepted ."
    references = [
        "About 95 species are currently known .",
        "About 95 species are now accepted .",
        "95 species are now accepted .",
    ]
    score = gleu(
        [source, source],
        ["About 95 species are currently known .", "About 95 you now get in ."],
        [references, references],
    )
    assert round(score / 100, 6) == 0.168629


def test_gleu_is_100_when_output_reference_and_source_agree():
    # Every n-gram of H is in R and none is in S \ R: precisions 1, and r = c -> BP 1.
    assert gleu([SOURCE], [SOURCE], [[SOURCE]]) == pytest.approx(100.0)


def test_gleu_with_brevity_penalty_by_hand():
    # H (7 tokens) drops "the" from R (8 tokens); S \ R holds only n-grams with "go".
    # n=1: 7 of 7 in R; n=2: 5 of 6 (not "to school"); n=3: 3 of 5 ("yesterday he went",
    # "he went to", "school by bus"); n=4: 1 of 4 ("yesterday he went to"); no penalties.
    # GLEU = exp(1 - 8/7) * (1 * 5/6 * 3/5 * 1/4) ** (1/4) = exp(-1/7) * (1/8) ** (1/4).
    expected = 100 * math.exp(-1 / 7) * (1 / 8) ** 0.25
    assert gleu([SOURCE], [OUTPUT], [[REFERENCE]]) == pytest.approx(expected)


def test_copying_source_ngrams_the_reference_changed_is_penalised():
    # H = S: n=1 matches 7 ("go" is not in R) minus 1 ("go" is in S \ R) = 6 of 8;
    # n=2: 5 minus 2 ("he go", "go to") = 3 of 7; n=3: 3 minus 3 = 0 of 6;
    # n=4: 2 ("to the school by", "the school by bus") minus 3 -> clipped to 0, of 5.
    stats = gleu_statistics(SOURCE.split(), SOURCE.split(), REFERENCE.split())
    assert stats == (8, 8, 6, 8, 3, 7, 0, 6, 0, 5)


def test_a_zero_statistic_makes_gleu_zero():
    # The copy above matches no trigram, so the geometric mean is 0.
    assert gleu([SOURCE], [SOURCE], [[REFERENCE]]) == 0.0


def test_gleu_of_an_empty_output_is_zero():
    assert gleu([SOURCE], [""], [[REFERENCE]]) == 0.0


def test_gleu_from_statistics_applies_no_penalty_to_long_outputs():
    # c = 10 >= r = 5: BP = exp(min(0, 1 - 5/10)) = 1; precisions 1/2 each -> 1/2.
    assert gleu_from_statistics((10, 5, 5, 10, 4, 8, 3, 6, 2, 4)) == pytest.approx(0.5)


def test_identical_references_give_the_single_reference_score():
    single = gleu([SOURCE], [OUTPUT], [[REFERENCE]])
    assert gleu([SOURCE], [OUTPUT], [[REFERENCE, REFERENCE]], iterations=7) == single


def test_multi_reference_gleu_is_deterministic():
    refs = [[REFERENCE, SOURCE], [OUTPUT, REFERENCE]]
    first = gleu([SOURCE, SOURCE], [OUTPUT, SOURCE], refs)
    assert gleu([SOURCE, SOURCE], [OUTPUT, SOURCE], refs) == first


def test_draw_follows_randint_exactly():
    for seed in (0, 101, 5050):
        for k in (1, 2, 3, 5, 8):
            ours, theirs = random.Random(seed), random.Random(seed)
            drawn = [_draw(ours.getrandbits, k) for _ in range(50)]
            assert drawn == [theirs.randint(0, k - 1) for _ in range(50)]


def test_iterations_below_one_are_refused():
    with pytest.raises(ValueError, match="iterations"):
        gleu([SOURCE], [OUTPUT], [[REFERENCE, SOURCE]], iterations=0)
