"""benchmarks/paired.py: reads two evaluate reports of the same examples, writes the
paired bootstrap's table, and refuses reports of different examples."""

import json

import pytest

from benchmarks.paired import main

EXAMPLES = [
    ("She go to school every days .", "She goes to school every day ."),
    ("Their is many reason to travel .", "There are many reasons to travel ."),
    ("He have two cat and one dog .", "He has two cats and one dog ."),
    ("We was late for the meeting .", "We were late for the meeting ."),
]


def _report(path, adapter, outputs, margin=0.5, sources=None):
    sources = sources or [s for s, _ in EXAMPLES]
    report = {
        "target": {"adapter": adapter, "baseline": None},
        "data": {"name": "learner", "split": "dev"},
        "generation": {"min_edit_margin": margin},
        "examples": [
            {"id": str(k), "before": src, "reference": ref, "output": out, "labels": ["fluency"]}
            for k, (src, (_, ref), out) in enumerate(zip(sources, EXAMPLES, outputs, strict=True))
        ],
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return str(path)


def test_a_pair_of_reports_gets_its_rows_and_files(tmp_path):
    first = _report(tmp_path / "a.json", "runs/step4", [s for s, _ in EXAMPLES])
    second = _report(tmp_path / "b.json", "runs/cand", [r for _, r in EXAMPLES], margin=None)
    main([first, second, "--samples", "50", "--out", str(tmp_path / "out"), "--suffix", "t"])
    record = json.loads((tmp_path / "out" / "paired_t.json").read_text(encoding="utf-8"))
    (row,) = record["rows"]
    assert (row["first"], row["second"]) == ("step4, margin 0.5", "cand, margin off")
    assert row["data"] == "learner dev" and row["examples"] == 4
    assert {d["metric"] for d in row["differences"]} == {"sari", "gleu"}
    assert all(d["ahead"] == 1.0 and d["low"] > 0 for d in row["differences"])
    table = (tmp_path / "out" / "paired_t.md").read_text(encoding="utf-8")
    assert "| learner dev (4) | step4, margin 0.5 | cand, margin off | SARI (EASSE) |" in table


def test_reports_of_other_examples_are_refused(tmp_path):
    first = _report(tmp_path / "a.json", "a", [s for s, _ in EXAMPLES])
    other = ["X " + s for s, _ in EXAMPLES]
    second = _report(tmp_path / "b.json", "b", other, sources=other)
    with pytest.raises(SystemExit, match="do not hold the same examples"):
        main([first, second, "--out", str(tmp_path)])


def test_an_odd_number_of_reports_or_a_file_that_is_no_report_is_refused(tmp_path):
    first = _report(tmp_path / "a.json", "a", [s for s, _ in EXAMPLES])
    with pytest.raises(SystemExit):
        main([first, "--out", str(tmp_path)])
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit, match="not an evaluate report"):
        main([first, str(tmp_path / "bad.json"), "--out", str(tmp_path)])


def test_reports_joined_with_a_plus_are_pooled_and_exact_outputs_counted(tmp_path):
    sources = [s for s, _ in EXAMPLES]
    fixed = [r for _, r in EXAMPLES]
    first = "+".join(
        [
            _report(tmp_path / "a1.json", "runs/step4", sources),
            _report(tmp_path / "a2.json", "runs/step4", fixed[:2] + sources[2:]),
        ]
    )
    second = "+".join(
        [
            _report(tmp_path / "b1.json", "runs/cand", fixed[:3] + sources[3:]),
            _report(tmp_path / "b2.json", "runs/cand", fixed),
        ]
    )
    main([first, second, "--samples", "50", "--out", str(tmp_path / "out"), "--suffix", "p"])
    record = json.loads((tmp_path / "out" / "paired_p.json").read_text(encoding="utf-8"))
    (row,) = record["rows"]
    assert row["examples"] == 8 and row["data"] == "learner dev + learner dev"
    assert row["exact"] == [2, 7]
    assert all(d["second"] > d["first"] for d in row["differences"])
    table = (tmp_path / "out" / "paired_p.md").read_text(encoding="utf-8")
    assert "| 2 / 7 |" in table
    # a second side that pools fewer data sets holds other examples: refused
    with pytest.raises(SystemExit, match="do not hold the same examples"):
        main([first, second.split("+")[0], "--out", str(tmp_path / "out")])
