"""The feedback-loop benchmark's parts that need no model: drawing texts, judging a
revision, the held-out figures, the training job per budget and weighting, the resumable
state, the aggregation over seeds, the table and the plot."""

import json
import xml.etree.ElementTree as ET

import pytest
import yaml

from benchmarks.loop import (
    DEFAULT_CONFIG,
    Loop,
    State,
    Text,
    aggregate,
    app_intentions,
    draw,
    draw_more,
    feedback_counts,
    judge,
    markdown,
    more_held_out,
    parse_args,
    record,
    results_stem,
    summarize,
    svg_plot,
    training_job,
)
from training.worker import check_job

POOL = [Text(f"Text {i} go home.", f"Text {i} goes home.", ("fluency",), "x") for i in range(50)]


def test_argrewrite_purposes_become_app_intentions():
    assert app_intentions(["Word-Usage/Clarity", "Precision"]) == ("clarity",)
    assert app_intentions(["Evidence", "Conventions/Grammar/Spelling"]) == (
        "meaning-changed",
        "fluency",
    )
    assert app_intentions(["fluency"]) == ("fluency",)


def test_held_out_and_round_texts_are_disjoint_and_follow_the_seed():
    held, rounds = draw(POOL, seed=3, held_out=10, n_texts=8, rounds=3)
    assert len(held) == 10 and [len(r) for r in rounds] == [8, 8, 8]
    drawn = [t.source for t in held] + [t.source for r in rounds for t in r]
    assert len(set(drawn)) == len(drawn)
    assert draw(POOL, 3, 10, 8, 3) == (held, rounds)
    assert draw(POOL, 4, 10, 8, 3)[0] != held
    with pytest.raises(ValueError, match="pool has 50"):
        draw(POOL, 0, 30, 10, 3)


def test_further_held_out_texts_follow_every_text_the_rounds_used():
    held, rounds = draw(POOL, seed=3, held_out=10, n_texts=8, rounds=3)
    more = draw_more(POOL, seed=3, used=10 + 8 * 3, more=12)
    used = {t.source for t in held} | {t.source for r in rounds for t in r}
    assert len(more) == 12 and not used & {t.source for t in more}
    assert draw_more(POOL, 3, 34, 5) == more[:5]  # a larger set extends a smaller one
    with pytest.raises(ValueError, match="pool has 50"):
        draw_more(POOL, 3, 34, 17)


def view(source, edits, revised):
    return {
        "revision_id": 7,
        "adapter": "a",
        "source": source,
        "revised": revised,
        "edits": [
            {
                "position": k,
                "before": b,
                "after": a,
                "start_char_pos": s,
                "end_char_pos": s + len(b),
                "intention": "fluency",
            }
            for k, (b, a, s) in enumerate(edits)
        ],
    }


def test_a_revision_is_judged_edit_by_edit():
    text = Text("He go home now.", "He goes home now.", ("fluency",), "x")
    v = view(text.source, [("go", "goes", 3), ("now", "", 11)], "He goes home .")
    decisions = judge(text, v)
    assert [(p, d.decision, d.reason) for p, d in decisions] == [
        (0, "accept", None),
        (1, "reject", "unnecessary"),
    ]
    kept = record(text, v, decisions)
    assert [e["decision"] for e in kept["edits"]] == ["accept", "reject"]
    assert kept["revision_id"] == 7 and kept["human"] == text.human


def test_held_out_figures():
    a = Text("He go home.", "He goes home.", ("fluency",), "x")
    b = Text("It is good.", "It is very good.", ("clarity",), "x")
    v1 = view(a.source, [("go", "goes", 3), ("home", "house", 6)], "He goes house.")
    v2 = view(b.source, [], b.source)
    figures = summarize([record(a, v1, judge(a, v1)), record(b, v2, judge(b, v2))])
    assert figures["offered"] == 2 and figures["accepted"] == 1
    assert figures["acceptance"] == 0.5
    assert figures["edits_per_text"] == 1.0
    assert figures["unchanged"] == 0.5
    assert figures["reasons"] == {"unnecessary": 1}
    assert 0 < figures["sari"] < 100 and 0 <= figures["gleu"] <= 100


BASE = {"method": "intention-tuning", "data": "feedback", "model": "embedded", "max_steps": 30}


def test_the_small_budget_continues_from_the_parent_with_replay():
    job = training_job(BASE, "small", "accepted", "itune-default", 2, "loop-r1")
    assert job["parent"] == "itune-default" and job["data"] == "feedback"
    assert job["replay_data"] == "iterater-sent" and job["replay_limit"] > 0
    assert job["max_steps"] == 100 and job["seed"] == 2 and job["name"] == "loop-r1"
    assert "feedback_negatives" not in job
    negatives = training_job(BASE, "small", "negatives", "itune-default", 2, "loop-r1")
    assert negatives["feedback_negatives"] is True


def test_the_lean_budget_weighs_the_feedback_more_and_every_job_is_valid():
    lean = training_job(BASE, "lean", "negatives", "itune-default", 0, "n")
    small = training_job(BASE, "small", "negatives", "itune-default", 0, "n")
    assert lean["parent"] == "itune-default" and lean["feedback_negatives"] is True
    assert lean["replay_limit"] < small["replay_limit"] and lean["lr"] < small["lr"]
    assert lean["edit_weight"] == 1.0 and lean["max_steps"] < small["max_steps"]
    for budget in ("small", "lean", "smoke", "default"):
        for weighting in ("accepted", "negatives"):
            job = training_job(BASE, budget, weighting, "p", 0, "n")
            checked = check_job({k: v for k, v in job.items() if k not in ("parent", "name")})
            assert checked["data"] == "feedback"


def test_each_budget_writes_its_own_results_files():
    assert results_stem("small") == "loop" and results_stem("lean") == "loop-lean"
    assert results_stem("default") == "loop-default"
    assert parse_args(["--budget", "lean"]).budget == "lean"


def test_the_default_budget_is_the_default_adapters_config_from_scratch():
    job = training_job(BASE, "default", "accepted", "itune-default", 1, "n")
    assert "parent" not in job and "output" not in job
    assert job["data"] == "feedback" and job["replay_data"] == "iterater-sent"
    shipped = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert (job["max_steps"], job["stage1_steps"]) == (
        shipped["max_steps"],
        shipped["stage1_steps"],
    )
    assert job["seed"] == 1
    with pytest.raises(ValueError, match="budget"):
        training_job(BASE, "huge", "accepted", "p", 0, "n")
    with pytest.raises(ValueError, match="weighting"):
        training_job(BASE, "small", "both", "p", 0, "n")


SETTINGS = {"seed": 0, "weighting": "accepted", "budget": "small", "rounds": 1}


def test_the_state_resumes_and_refuses_other_settings(tmp_path):
    path = tmp_path / "s" / "state.json"
    state = State(path, SETTINGS)
    state.round(0)["held_out"].append({"source": "x"})
    state.save()
    again = State(path, SETTINGS)
    assert again.data["rounds"][0]["held_out"] == [{"source": "x"}]
    assert not again.finished
    again.round(0)["held_out_summary"] = {"acceptance": 0.1}
    again.round(1)["held_out_summary"] = {"acceptance": 0.2}
    assert again.finished
    with pytest.raises(SystemExit, match="other settings"):
        State(path, {**SETTINGS, "seed": 1})
    assert json.loads(path.read_text())["settings"] == SETTINGS


class ScriptedAdmin(Loop):
    """The loop's admin side against a scripted Admin API: each queued run ends with the
    next status of ``outcomes``; run 1 was queued before an interruption."""

    def __init__(self, tmp_path, outcomes):
        super().__init__(State(tmp_path / "state.json", SETTINGS), tmp_path, tmp_path, 0.0)
        self.outcomes, self.queued = list(outcomes), []

    def call(self, *args, api_name):
        if api_name == "/admin_run":
            return {"run": {"id": args[0], "status": self.status[args[0]], "error": "x"}}
        if api_name == "/admin_feedback_job":
            return {"method": "intention-tuning", "data": "feedback"}
        assert api_name == "/admin_start_training"
        self.queued.append(args[0])
        run_id = 1 + len(self.queued)
        self.status[run_id] = self.outcomes.pop(0)
        return {"id": run_id}


def test_a_run_killed_with_the_last_session_is_queued_again(tmp_path):
    admin = ScriptedAdmin(tmp_path, ["succeeded"])
    admin.status = {1: "failed"}  # the worker died with the session; the app marked it
    training = {"attempts": 1, "run_id": 1}
    run = admin._trained({"adapter": "itune-default"}, 0, training, "t")
    assert run["status"] == "succeeded" and run["id"] == 2
    assert training == {"attempts": 2, "run_id": 2, "job": admin.queued[0]}
    assert admin.queued[0]["parent"] == "itune-default"
    again = ScriptedAdmin(tmp_path / "b", ["failed", "failed"])
    again.status = {}
    with pytest.raises(SystemExit, match="failed twice"):
        again._trained({"adapter": "p"}, 0, {"attempts": 0}, "t")
    assert len(again.queued) == 2


def finished(seed, weighting, acceptances):
    rounds = [
        {
            "round": r,
            "held_out_summary": {
                "acceptance": a,
                "edits_per_text": 1.0,
                "sari": 30.0 + r,
                "gleu": 60.0,
                "unchanged": 0.5,
            },
        }
        for r, a in enumerate(acceptances)
    ]
    return {"settings": {"seed": seed, "weighting": weighting}, "rounds": rounds}


def test_aggregation_over_seeds_and_the_verdict():
    states = [
        finished(0, "accepted", [0.2, 0.3]),
        finished(1, "accepted", [0.3, 0.35]),
        finished(0, "negatives", [0.2, 0.25]),
        finished(1, "negatives", [0.3, 0.3]),
    ]
    summary = aggregate(states)
    first, last = summary["accepted"]["rows"]
    assert first["acceptance_mean"] == pytest.approx(0.25)
    assert (first["acceptance_min"], first["acceptance_max"]) == (0.2, 0.3)
    assert last["acceptance_by_seed"] == {"0": 0.3, "1": 0.35}
    assert last["sari"] == 31.0 and last["seeds"] == 2
    assert summary["accepted"]["rose_in_every_seed"] is True
    assert summary["negatives"]["rose_in_every_seed"] is False  # seed 1 stayed at 0.3

    result = {
        "command": "python benchmarks/loop.py",
        "date": "2026-11-30",
        "machine": "x86_64, 2 CPUs",
        "settings": {"budget": "small", "n_texts": 4, "held_out": 4, "rounds": 1, "seeds": [0, 1]},
        "summary": summary,
    }
    page = markdown(result)
    assert "| accepted | 1 | 32.5% (30.0-35.0) |" in page
    assert "`negatives`: held-out acceptance did **not** rise" in page
    assert "plus 200 lines of iterater-sent train" in page

    svg = ET.fromstring(svg_plot(summary))
    tags = [el.tag.split("}")[1] for el in svg.iter()]
    assert tags.count("polyline") == 2 and tags.count("polygon") == 2
    assert tags.count("circle") == 4


def test_smoke_sets_the_small_run():
    args = parse_args(["--smoke"])
    assert (args.budget, args.seeds, args.rounds, args.n_texts, args.held_out) == (
        "smoke",
        [0],
        1,
        3,
        3,
    )
    assert args.out == args.work / "smoke"
    assert parse_args(["--weightings", "negatives"]).weightings == ["negatives"]
    with pytest.raises(SystemExit):
        parse_args(["--weightings", "all"])


def test_the_feedback_of_each_round_and_a_partial_report_are_shown():
    writing = [
        {"edits": [{"decision": "accept"}, {"decision": "reject"}]},
        {"edits": [{"decision": "reject"}]},
        {"edits": []},
    ]
    counts = feedback_counts({"writing": writing})
    assert counts == {"texts": 3, "offered": 3, "accepted": 1, "rejected": 2}
    run = finished(0, "negatives", [0.2, 0.3])
    run["rounds"][0]["feedback"] = counts
    result = {
        "command": "python benchmarks/loop.py",
        "date": "2026-11-30",
        "machine": "x86_64, 2 CPUs",
        "settings": {"budget": "small", "n_texts": 3, "held_out": 4, "rounds": 1, "seeds": [0, 1]},
        "summary": aggregate([run]),
        "runs": [run],
        "unfinished": ["seed 1 negatives"],
    }
    page = markdown(result)
    assert "| negatives | 0 | 3 | 3 | 1 | 2 |" in page
    assert "**Partial:**" in page and "seed 1 negatives" in page


def test_the_further_held_out_set_gets_its_own_table_and_verdict_once_complete():
    runs = [finished(0, "negatives", [0.2, 0.3]), finished(1, "negatives", [0.3, 0.25])]
    assert more_held_out(runs) is None  # not measured yet
    for run, acceptances in zip(runs, ([0.2, 0.4], [0.25, 0.3]), strict=True):
        for rnd, a in zip(run["rounds"], acceptances, strict=True):
            rnd["more_held_out_summary"] = dict(rnd["held_out_summary"], acceptance=a, texts=9)
    runs[1]["rounds"][1]["more_held_out_summary"]["texts"] = 5  # one round still going
    assert more_held_out(runs) is None
    runs[1]["rounds"][1]["more_held_out_summary"]["texts"] = 9
    more = more_held_out([*runs, finished(0, "accepted", [0.2, 0.1])])
    assert list(more) == ["negatives"]  # a weighting not measured again is left out
    assert more["negatives"]["rose_in_every_seed"] is True
    result = {
        "command": "python benchmarks/loop.py --more-held-out 9",
        "date": "2026-11-30",
        "machine": "x86_64, 2 CPUs",
        "settings": {"budget": "lean", "n_texts": 3, "held_out": 4, "rounds": 1, "seeds": [0, 1]},
        "summary": aggregate(runs),
        "more_held_out": more,
    }
    page = markdown(result)
    assert "`negatives`: held-out acceptance did **not** rise" in page  # seed 1: 0.3 -> 0.25
    assert "## Every round's adapter on 9 further held-out texts" in page
    assert "| negatives | 1 | 35.0% (30.0-40.0) |" in page
    assert "`negatives`: acceptance on the 9 further texts rose from round 0" in page
