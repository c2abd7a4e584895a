"""The per-intention policy frontier of ``benchmarks/default_adapter.py frontier``: scored
from dev reports on disk, it finds the policy that keeps each intention's best choice."""

import json

from benchmarks.default_adapter import main, report_key

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
