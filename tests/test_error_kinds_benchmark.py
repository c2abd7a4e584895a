"""``benchmarks/error_kinds.py``: each hand-written sentence counted under its kind of error
as fixed exactly, left as written or changed otherwise, from an ``evaluate`` report and the
set it scored; a set whose sentences are not the report's is refused."""

import json

import pytest

from benchmarks.error_kinds import kinds_table, main

LINES = [
    ("He go home.", "He goes home.", "agreement"),
    ("She walk fast.", "She walks fast.", "agreement"),
    ("I recieved it.", "I received it.", "spelling"),
    ("It is fine.", "It is fine.", "none"),
]
OUTPUTS = ["He goes home.", "She walk fast.", "I got it.", "It is fine."]


def _examples(outputs):
    return [
        {"before": b, "reference": [r], "output": o}
        for (b, r, _), o in zip(LINES, outputs, strict=True)
    ]


def test_each_sentence_counts_once_under_its_kind():
    table = kinds_table(_examples(OUTPUTS), [k for _, _, k in LINES])
    assert table["agreement"] == {"n": 2, "exact": 1, "unchanged": 1, "other": 0}
    assert table["spelling"] == {"n": 1, "exact": 0, "unchanged": 0, "other": 1}
    assert table["none"] == {"n": 1, "exact": 1, "unchanged": 0, "other": 0}  # left alone
    assert table["all"] == {"n": 4, "exact": 2, "unchanged": 1, "other": 1}
    with pytest.raises(ValueError):
        kinds_table(_examples(OUTPUTS), ["agreement"])


def _write(tmp_path, lines):
    data = tmp_path / "set.jsonl"
    data.write_text(
        "".join(json.dumps({"before_sent": b, "after_sent": r, "labels": "fluency",
                            "error": k}) + "\n" for b, r, k in lines),
        encoding="utf-8",
    )  # fmt: skip
    report = {
        "data": {"dataset": str(data)},
        "generation": {"adapter": "adapters/x", "min_edit_margin": 0.5},
        "command": "python -m training evaluate adapters/x",
        "created": "2026-12-06T16:00:00+00:00",
        "examples": _examples(OUTPUTS),
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_the_tables_are_written_from_a_report_and_its_set(tmp_path):
    out = tmp_path / "out"
    main([str(_write(tmp_path, LINES)), "--out", str(out), "--suffix", "t"])
    record = json.loads((out / "error_kinds_t.json").read_text(encoding="utf-8"))
    (only,) = record["reports"]
    assert only["system"] == "adapters/x" and only["kinds"]["all"]["exact"] == 2
    text = (out / "error_kinds_t.md").read_text(encoding="utf-8")
    assert "| agreement | 2 | 1 | 1 | 0 |" in text


def test_a_set_that_is_not_the_report_s_is_refused(tmp_path):
    shuffled = [LINES[1], LINES[0], *LINES[2:]]
    with pytest.raises(SystemExit, match="does not hold the report's sentences"):
        main([str(_write(tmp_path, shuffled)), "--out", str(tmp_path / "out")])
