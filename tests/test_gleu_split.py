"""Where the GLEU goes: an output that makes the human's edit raises corpus GLEU over
copying, one that edits elsewhere lowers it and is counted as elsewhere."""

import json

import pytest

from benchmarks.gleu_split import by_intention, main, output_shares, touched

SOURCE = "The results shows that the method work well on every data set we tried ."
REFERENCE = "The results show that the method work well on every data set we tried ."
OTHER = "The results shows that the method works well on every data set we tried ."
# A corpus long enough that one sentence's n-grams do not decide the score.
FILLER = [
    {"before": f"Sentence {k} stays as it is in both texts here .", "labels": ["clarity"]}
    for k in range(5)
]


def _corpus(output: str) -> list[dict]:
    examples = [
        {**e, "output": e["before"], "reference": e["before"].replace("stays", "remains")}
        for e in FILLER
    ]
    return [
        *examples,
        {"before": SOURCE, "output": output, "reference": REFERENCE, "labels": ["fluency"]},
    ]


def test_touched_names_the_source_tokens_an_edit_changes():
    source = ["a", "b", "c", "d"]
    assert touched(source, ["a", "x", "c", "d"]) == {1}
    assert touched(source, ["a", "b", "d"]) == {2}
    assert touched(source, ["a", "b", "y", "c", "d"]) == {1, 2}  # an insertion: both sides
    assert touched(source, source) == set()


def test_the_humans_edit_raises_gleu_and_an_edit_elsewhere_lowers_it():
    copy, system, shares = output_shares(_corpus(REFERENCE))
    assert system > copy and len(shares) == 1
    assert shares[0]["share"] > 0 and not shares[0]["elsewhere"]
    assert shares[0]["share"] == pytest.approx(system - copy)

    copy_again, system, shares = output_shares(_corpus(OTHER))
    assert copy_again == copy and system < copy
    assert shares[0]["share"] < 0 and shares[0]["elsewhere"]


def test_shares_are_summed_per_gold_intention():
    shares = [
        {"index": 0, "labels": ["fluency"], "share": 0.5, "elsewhere": False},
        {"index": 1, "labels": ["fluency", "clarity"], "share": -0.2, "elsewhere": True},
    ]
    groups = by_intention(shares)
    assert list(groups) == ["all", "clarity", "fluency"]
    assert groups["all"]["changed"] == 2 and groups["all"]["sum"] == pytest.approx(0.3)
    assert groups["fluency"] == {
        "changed": 2,
        "raise": 1,
        "lower": 1,
        "sum": pytest.approx(0.3),
        "elsewhere": 1,
        "elsewhere_sum": pytest.approx(-0.2),
    }
    assert groups["clarity"]["lower"] == 1 and groups["clarity"]["raise"] == 0


def test_several_references_are_refused():
    corpus = _corpus(OTHER)
    corpus[-1]["reference"] = [REFERENCE, SOURCE]
    with pytest.raises(ValueError, match="one reference"):
        output_shares(corpus)


def test_the_command_writes_its_table(tmp_path):
    report = tmp_path / "dev-report.json"
    report.write_text(json.dumps({"examples": _corpus(OTHER)}), encoding="utf-8")
    main([str(report), "--suffix", "t", "--out", str(tmp_path / "out")])
    text = (tmp_path / "out" / "gleu_split_t.md").read_text(encoding="utf-8")
    assert "## dev-report.json" in text
    assert "| fluency | 1 | 0 | 1 |" in text
    record = json.loads((tmp_path / "out" / "gleu_split_t.json").read_text(encoding="utf-8"))
    assert record["reports"][0]["by_intention"]["all"]["elsewhere"] == 1
