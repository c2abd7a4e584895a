"""benchmarks/routed.py: the specialist answers exactly the examples that ask for its
intentions alone (with --among, for them among others too), the general adapter the rest,
and the report is scored as evaluate's."""

import json

import pytest

from benchmarks.routed import main, routed_report


def _report(adapter: str, outputs: list[str]) -> dict:
    rows = [
        ("The result are good.", "The results are good.", ["fluency"]),
        ("Due to the fact that it rained, we left.", "Because it rained, we left.", ["clarity"]),
        ("It rained so we left in 2020.", "It rained, so we left.", ["clarity", "fluency"]),
    ]
    return {
        "target": {"adapter": f"runs/{adapter}"},
        "data": {"name": "tiny", "split": "dev"},
        "examples": [
            {"id": n, "before": b, "reference": a, "labels": labels, "output": out}
            for n, ((b, a, labels), out) in enumerate(zip(rows, outputs, strict=True))
        ],
    }


GENERAL = _report("general", ["The results are good.", "Due to the fact that it rained, we left.",
                              "It rained, so we left in 2020."])  # fmt: skip
SPECIALIST = _report("clear", ["The result is good.", "Because it rained, we left.",
                               "It rained, so we left."])  # fmt: skip


def test_only_the_examples_asking_for_the_specialist_s_intentions_alone_are_routed():
    report = routed_report(GENERAL, SPECIALIST, ("clarity",))
    outputs = [e["output"] for e in report["examples"]]
    assert outputs == [
        "The results are good.",  # fluency: the general adapter
        "Because it rained, we left.",  # clarity alone: the specialist
        "It rained, so we left in 2020.",  # clarity and fluency: the general adapter
    ]
    assert report["routed"] == {
        "intentions": ["clarity"],
        "everyday": False,
        "among": False,
        "examples": 1,
        "of": 3,
    }
    assert report["target"]["adapter"] == "general, clarity alone by clear"
    assert report["outputs"] == {"unchanged": 0, "fact_changing": 0}
    general_only = routed_report(GENERAL, GENERAL, ("clarity",))
    assert report["metrics"]["sari"] > general_only["metrics"]["sari"]
    assert general_only["outputs"]["unchanged"] == 1


def test_reports_of_other_examples_are_refused(tmp_path):
    other = json.loads(json.dumps(SPECIALIST))
    other["examples"][2]["before"] = "Something else."
    with pytest.raises(ValueError, match="same examples"):
        routed_report(GENERAL, other, ("clarity",))
    paths = []
    for name, report in (("a", GENERAL), ("b", other)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(report))
    out = tmp_path / "routed.json"
    assert main([*map(str, paths), "--alone", "clarity", "--output", str(out)]) == 2
    assert not out.exists()


def test_everyday_routes_only_the_examples_that_read_as_everyday_prose(tmp_path):
    formal = json.loads(json.dumps(GENERAL))
    extra = {
        "id": 3,
        "before": "Simon Adkin of the BBC met Leicestershire County Council in Leicester.",
        "reference": "Simon Adkin of the BBC met the Leicestershire County Council in Leicester.",
        "labels": ["fluency"],
    }
    formal["examples"].append({**extra, "output": extra["before"]})
    specialist = json.loads(json.dumps(SPECIALIST))
    specialist["examples"].append({**extra, "output": "The " + extra["before"]})
    paths = []
    for name, report in (("general", formal), ("specialist", specialist)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(report))
    out = tmp_path / "routed.json"
    assert main([*map(str, paths), "--alone", "fluency", "--everyday", "--output", str(out)]) == 0
    report = json.loads(out.read_text())
    outputs = [e["output"] for e in report["examples"]]
    assert outputs[0] == "The result is good."  # everyday prose: the specialist
    assert outputs[3] == extra["before"]  # names and acronyms: the general adapter
    assert report["routed"]["examples"] == 1 and report["routed"]["everyday"] is True
    assert report["target"]["adapter"] == "general, fluency alone in everyday prose by clear"
    # without it, both examples asking for fluency alone are the specialist's
    assert routed_report(formal, specialist, ("fluency",))["routed"]["examples"] == 2


def test_among_routes_the_examples_asking_for_the_intention_with_others_too(tmp_path):
    # the third example asks for clarity and fluency: routed for fluency only with --among
    assert routed_report(GENERAL, SPECIALIST, ("fluency",))["routed"]["examples"] == 1
    report = routed_report(GENERAL, SPECIALIST, ("fluency",), among=True)
    assert report["routed"] == {
        "intentions": ["fluency"],
        "everyday": False,
        "among": True,
        "examples": 2,
        "of": 3,
    }
    outputs = [e["output"] for e in report["examples"]]
    assert outputs == [
        "The result is good.",  # fluency alone: the specialist
        "Due to the fact that it rained, we left.",  # clarity alone: the general adapter
        "It rained, so we left.",  # fluency among others: the specialist
    ]
    assert report["target"]["adapter"] == "general, fluency among others too by clear"
    paths = []
    for name, report in (("general", GENERAL), ("specialist", SPECIALIST)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(report))
    out = tmp_path / "routed.json"
    args = [*map(str, paths), "--alone", "fluency", "--among", "--output", str(out)]
    assert main(args) == 0
    assert json.loads(out.read_text())["examples"][2]["output"] == "It rained, so we left."
