"""benchmarks/chained.py: a pass follows exactly the examples that ask for its intention
among others, starts from the last answers, and the composed report is scored against the
texts as written."""

import json

import pytest

from benchmarks.chained import composed_report, main, pass_inputs

ROWS = [
    ("The result are good.", "The results are good.", ["fluency"]),
    ("Due to the fact that it rained, we left.", "Because it rained, we left.", ["clarity"]),
    ("Due to the fact that it rain, we left.", "Because it rained, we left.",
     ["clarity", "fluency"]),
]  # fmt: skip
GENERAL = {
    "target": {"adapter": "itune-default"},
    "data": {"name": "tiny", "split": "dev"},
    "generation": {"min_edit_margin": 0.5},
    "examples": [
        {"id": f"d{n}", "before": b, "reference": a, "labels": labels, "output": out}
        for n, ((b, a, labels), out) in enumerate(
            zip(
                ROWS,
                [
                    "The results are good.",
                    "Due to the fact that it rained, we left.",
                    "Due to the fact that it rained, we left.",
                ],
                strict=True,
            )
        )
    ],
}


def _pass(rows: list[dict], outputs: list[str]) -> dict:
    """The report ``evaluate`` writes for the pass's input rows."""
    return {
        "target": {"adapter": "adapters/itune-default-clarity"},
        "generation": {"min_edit_margin": 1.0},
        "examples": [
            {"id": r["doc_id"], "before": r["before_sent"], "reference": r["after_sent"],
             "labels": [r["labels"]], "output": out}
            for r, out in zip(rows, outputs, strict=True)
        ],
    }  # fmt: skip


def test_the_pass_follows_the_examples_asking_for_its_intention_among_others():
    rows = pass_inputs(GENERAL, "clarity")
    assert rows == [
        {
            "before_sent": "Due to the fact that it rained, we left.",  # the last answer
            "after_sent": "Because it rained, we left.",
            "labels": "clarity",
            "doc_id": "d2#2",
        }
    ]
    assert pass_inputs(GENERAL, "style") == []
    report = composed_report(GENERAL, _pass(rows, ["Because it rained, we left."]), "clarity")
    outputs = [e["output"] for e in report["examples"]]
    assert outputs == [
        "The results are good.",
        "Due to the fact that it rained, we left.",  # clarity alone: not followed
        "Because it rained, we left.",
    ]
    assert report["examples"][2]["before"] == ROWS[2][0]  # scored against the text as written
    assert report["examples"][2]["passes"] == ["clarity"]
    assert report["chained"] == [{"intention": "clarity", "examples": 1}]
    assert report["target"]["adapter"] == (
        "itune-default, then clarity by itune-default-clarity (margin 1.0)"
    )
    assert (
        report["metrics"]["sari"]
        > composed_report(GENERAL, _pass(rows, [rows[0]["before_sent"]]), "clarity")["metrics"][
            "sari"
        ]
    )


def test_a_pass_that_did_not_start_from_these_answers_is_refused(tmp_path):
    rows = pass_inputs(GENERAL, "clarity")
    rows[0]["before_sent"] = "Something else."
    with pytest.raises(ValueError, match="did not start from these answers"):
        composed_report(GENERAL, _pass(rows, ["x"]), "clarity")
    general, passed = tmp_path / "general.json", tmp_path / "pass.json"
    general.write_text(json.dumps(GENERAL))
    passed.write_text(json.dumps(_pass(rows, ["x"])))
    out = tmp_path / "out.json"
    args = ["compose", str(general), str(passed), "--intention", "clarity", "--output", str(out)]
    assert main(args) == 2
    assert not out.exists()
    jsonl = tmp_path / "in.jsonl"
    assert main(["inputs", str(general), "--intention", "clarity", "--output", str(jsonl)]) == 0
    assert [json.loads(line) for line in jsonl.read_text().splitlines()] == pass_inputs(
        GENERAL, "clarity"
    )


def test_everyday_follows_only_the_texts_that_read_as_everyday_prose(tmp_path):
    formal = json.loads(json.dumps(GENERAL))
    text = "Simon Adkin of the BBC met Leicestershire County Council in Leicester."
    formal["examples"].append(
        {"id": "d3", "before": text, "reference": text, "labels": ["clarity", "fluency"],
         "output": text}
    )  # fmt: skip
    assert [r["doc_id"] for r in pass_inputs(formal, "clarity")] == ["d2#2", "d3#3"]
    rows = pass_inputs(formal, "clarity", everyday=True)
    assert [r["doc_id"] for r in rows] == ["d2#2"]  # names and acronyms: not followed
    report = composed_report(formal, _pass(rows, ["Because it rained, we left."]), "clarity", True)
    assert report["chained"] == [{"intention": "clarity", "examples": 1}]
    assert [e["output"] for e in report["examples"]][2:] == ["Because it rained, we left.", text]
    with pytest.raises(ValueError, match="did not start from these answers"):
        composed_report(formal, _pass(rows, ["x"]), "clarity")  # every text: another chain
    general, jsonl = tmp_path / "general.json", tmp_path / "in.jsonl"
    general.write_text(json.dumps(formal))
    args = ["inputs", str(general), "--intention", "clarity", "--everyday", "--output", str(jsonl)]
    assert main(args) == 0
    assert [json.loads(line) for line in jsonl.read_text().splitlines()] == rows
