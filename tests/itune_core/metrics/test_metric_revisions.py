"""All revision metrics together, overall and per intention."""

import pytest

from itune_core.metrics.gleu import gleu
from itune_core.metrics.revisions import evaluate_revisions, group_by_intention
from itune_core.metrics.sari import sari_corpus, sari_iterater, sari_t2t
from itune_core.metrics.update_rouge import update_rouge

SOURCES = ["He go to school.", "The cat sat on a mat.", "It is very very good."]
OUTPUTS = ["He goes to school.", "The cat sat on a mat.", "It is very good."]
REFERENCES = [["He goes to school."], ["The cat sat on the mat."], ["It is good.", "It is fine."]]
INTENTIONS = ["fluency", ("clarity", "fluency"), {"clarity"}]


def _direct(sources, outputs, references):
    return {
        "sari": sari_corpus(sources, outputs, references),
        "sari_iterater": sari_iterater(sources, outputs, references),
        "sari_t2t": sari_t2t(sources, outputs, references),
        "gleu": gleu(sources, outputs, references),
        "update_r": update_rouge(sources, outputs, references),
        "n": len(sources),
    }


def test_overall_scores_equal_the_single_metrics():
    result = evaluate_revisions(SOURCES, OUTPUTS, REFERENCES)
    assert result == pytest.approx(_direct(SOURCES, OUTPUTS, REFERENCES))


def test_no_intentions_means_no_breakdown():
    assert "by_intention" not in evaluate_revisions(SOURCES, OUTPUTS, REFERENCES)


def test_each_intention_is_scored_on_its_own_examples():
    # fluency: examples 0 and 1; clarity: examples 1 and 2 (example 1 carries both).
    by_intention = evaluate_revisions(SOURCES, OUTPUTS, REFERENCES, INTENTIONS)["by_intention"]
    expected = {
        label: pytest.approx(
            _direct(
                [SOURCES[i] for i in idx], [OUTPUTS[i] for i in idx], [REFERENCES[i] for i in idx]
            )
        )
        for label, idx in {"fluency": [0, 1], "clarity": [1, 2]}.items()
    }
    assert by_intention == expected


def test_groups_follow_first_appearance_and_count_an_example_once_per_label():
    groups = group_by_intention(["style", ["clarity", "style", "clarity"], (), "clarity"])
    assert groups == {"style": [0, 1], "clarity": [1, 3]}


def test_intentions_of_another_length_are_refused():
    with pytest.raises(ValueError, match="one entry per example"):
        evaluate_revisions(SOURCES, OUTPUTS, REFERENCES, ["fluency"])
