"""The suggestions benchmark counts what was held back, what it places as suggestions,
and which of them are the human's edit."""

import json

from benchmarks.suggestions import count, main

UNSURE = "the model was unsure (margin 0.31 nats)"
EXAMPLES = [
    {  # "suggests" left out as unsure, and it is the human's edit
        "before": "These finding suggest that it works.",
        "reference": "These finding suggests that it works.",
        "output": "This finding suggest that it works.",
        "unguarded_output": "This finding suggests that it works.",
        "held_edits": [],
        "unsure_edits": [{"before": "suggest", "after": "suggests", "reason": UNSURE}],
    },
    {  # a changed number held back by the fact guard; not the human's edit
        "before": "It costs about 5 dollars.",
        "reference": "It costs about 5 dollars!",
        "output": "It cost about 5 dollars.",
        "unguarded_output": "It cost about 50 dollars.",
        "held_edits": [{"before": "5", "after": "50", "reason": "changes the fact '5'"}],
        "unsure_edits": [],
    },
    {"before": "Fine.", "reference": "Fine.", "output": "Fine."},  # nothing changed
]


def test_held_back_edits_are_placed_and_matched_against_the_human_s():
    c = count(EXAMPLES)
    assert c["examples"] == 3
    assert (c["offered"], c["offered_human"]) == (2, 0)  # "This" and "cost"
    assert (c["held"], c["unsure"]) == (1, 1)
    assert (c["placed"], c["placed_unsure"]) == (2, 1)
    assert (c["placed_human"], c["placed_unsure_human"]) == (0, 1)


def test_the_table_and_the_record_are_written(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"examples": EXAMPLES}))
    main([str(report), "--suffix", "t", "--out", str(tmp_path)])
    record = json.loads((tmp_path / "suggestions_t.json").read_text())
    assert record["reports"][0]["placed"] == 2
    table = (tmp_path / "suggestions_t.md").read_text()
    assert "| report.json | 3 | 2 (0 %) | 1 | 1 | 1 (0 %) | 1 (100 %) |" in table
