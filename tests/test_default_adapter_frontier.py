"""``benchmarks/default_adapter.py``: the per-intention policy frontier (``frontier``),
scored from dev reports on disk, finds the policy that keeps each intention's best choice;
a saved report is reused only while its adapter folder holds the same adapter; a
compare run's results suffix is a plain name, and ``--served-only`` scores each adapter as
served and nothing else."""

import json

import pytest

from benchmarks.default_adapter import _same_adapter, _served_targets, main, report_key
from training.evaluate import EvalConfig

# Two intentions: the model's edits fix the fluency examples and spoil the clarity ones.
EXAMPLES = [
    ("He go home every day.", "He goes home every day.", "fluency"),
    ("She walk to the big school.", "She walks to the big school.", "fluency"),
    ("The results were good overall.", "The results were good overall.", "clarity"),
    ("We ran the tests twice today.", "We ran the tests twice today.", "clarity"),
]
EDITED = {
    "He go home every day.": "He goes home every day.",
    "She walk to the big school.": "She walks to the big school.",
    "The results were good overall.": "The result was fine.",
    "We ran the tests twice today.": "Tests ran.",
}


def report(outputs):
    return {
        "metrics": {"sari": 100.0},
        "examples": [
            {"before": b, "reference": r, "output": outputs(b), "labels": [label]}
            for b, r, label in EXAMPLES
        ],
    }


def write(work, name, outputs):
    path = work / f"{report_key('dev', 'iterater-sent', name)}.json"
    path.write_text(json.dumps(report(outputs)), encoding="utf-8")


def test_the_frontier_keeps_each_intention_s_best_choice(tmp_path):
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    write(work, "copy", lambda b: b)
    write(work, "zero-shot", lambda b: b)
    write(work, "run final", EDITED.get)
    write(work, "run final, min edit margin 1", EDITED.get)
    args = ["frontier", "--run", "runs/run", "--margins", "1", "--out", str(out)]
    main(["--work", str(work), *args])
    result = json.loads((out / "default_adapter_frontier.json").read_text(encoding="utf-8"))
    assert result["policies"] == 3**2
    best = result["frontier"][0]
    assert best["policy"] == {"clarity": "copy", "fluency": "every edit"}
    assert best["gleu"] > result["bars"]["gleu"]  # above copy: only right edits offered
    page = (out / "default_adapter_frontier.md").read_text(encoding="utf-8")
    assert "| clarity | fluency |" in page and "No** policy beats both bars" in page


def test_a_saved_report_is_reused_only_while_its_adapter_is_the_same(tmp_path):
    adapter = tmp_path / "itune-default"
    adapter.mkdir()
    (adapter / "lineage.json").write_text(json.dumps({"created": "2026-12-01T05:00:00+00:00"}))
    config = EvalConfig(data="iterater-sent", split="dev", adapter=str(adapter))
    made_then = {"lineage": {"created": "2026-12-01T05:00:00+00:00"}}
    made_before = {"lineage": {"created": "2026-11-30T10:43:31+00:00"}}
    assert _same_adapter(made_then, config)
    assert not _same_adapter(made_before, config)  # the folder got a new adapter since
    assert _same_adapter(
        made_before, EvalConfig(data="iterater-sent", split="dev", baseline="copy")
    )
    (adapter / "lineage.json").unlink()
    assert _same_adapter(made_before, config)  # a snapshot: no lineage of its own


@pytest.mark.parametrize("suffix", ["../escape", "a/b", "x y", "süß"])
def test_a_compare_suffix_that_is_not_a_plain_name_is_refused(suffix, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compare", "--adapters", "adapters/itune-default", "--suffix", suffix])
    assert exit_.value.code == 2
    assert "letters, digits" in capsys.readouterr().err


def test_served_only_compares_each_adapter_as_served_and_nothing_else():
    everything = _served_targets(["adapters/itune-default", "runs/next"], 0.5)
    served = _served_targets(["adapters/itune-default", "runs/next"], 0.5, served_only=True)
    assert [name for name, _ in everything] == [
        "copy",
        "zero-shot",
        "itune-default",
        "itune-default, min edit margin 0.5 (served)",
        "next",
        "next, min edit margin 0.5 (served)",
    ]
    assert served == [everything[3], everything[5]]
    assert [options["min_edit_margin"] for _, options in served] == [0.5, 0.5]
