"""The half-applied-fix policies: a piece whose offered text the model finds less likely
than the piece as written gets its left-out edits back (A) or stays as written (B); the
other pieces, and what lies between them, stay as served."""

from benchmarks.half_fixes import output

SOURCE = "These finding suggest it. The results is good."
ROW = {
    "source": SOURCE,
    "revised": "This finding suggest it. The results are good.",
    "spans": [(0, 25), (26, 47)],
    "pieces": ["This finding suggest it.", "The results are good."],
    "checked": [
        {
            "piece": 0,
            "offered": "This finding suggest it.",
            "whole": "This finding suggests it.",
            "offered_logprob": -9.0,
            "written_logprob": -7.5,
        }
    ],
}


def test_a_piece_below_the_written_one_gets_its_edits_back_or_stays_as_written():
    assert output(ROW, "served") == (ROW["revised"], 0)
    assert output(ROW, "A: put back") == ("This finding suggests it. The results are good.", 1)
    assert output(ROW, "B: as written") == ("These finding suggest it. The results are good.", 1)


def test_a_piece_the_model_prefers_to_the_written_one_is_left_as_served():
    above = {**ROW, "checked": [{**ROW["checked"][0], "offered_logprob": -7.0}]}
    assert output(above, "A: put back") == (ROW["revised"], 0)
    assert output(above, "B: as written") == (ROW["revised"], 0)
