"""``benchmarks/default_adapter.py``: the per-intention policy frontier (``frontier``),
scored from dev reports on disk, finds the policy that keeps each intention's best choice;
a saved report is reused only while its adapter folder holds the same adapter; a
compare run's results suffix is a plain name, ``--served-only`` scores each adapter as
served and nothing else, with a paired bootstrap of each against the first; and a row
counts the outputs equal to the reference, with a data file named by its stem."""

import json

import pytest

from benchmarks.default_adapter import (
    LEARNER_MIXED,
    LEARNER_SENTENCES,
    _row,
    _same_adapter,
    _served_targets,
    main,
    paired_rows,
    report_key,
)
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


def dev_reports(tmp_path):
    """A work folder with the copy, zero-shot and every-edit dev reports, and a results
    folder."""
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    write(work, "copy", lambda b: b)
    write(work, "zero-shot", lambda b: b)
    write(work, "run final", EDITED.get)
    return work, out


def test_the_frontier_keeps_each_intention_s_best_choice(tmp_path):
    work, out = dev_reports(tmp_path)
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


def test_a_row_counts_the_outputs_equal_to_the_reference_and_names_a_file_by_its_stem():
    saved = report(EDITED.get)
    saved |= {"data": {"split": "dev"}, "metrics": {"n": 4, "sari": 1.0}}
    for key in ("sari_iterater", "sari_t2t", "gleu", "update_r"):
        saved["metrics"][key] = 1.0
    row = _row("adapter", str(LEARNER_SENTENCES), saved)
    assert row["as_reference"] == 2  # the two fluency fixes
    assert row["data"] == "learner_sentences"
    assert report_key("dev", str(LEARNER_SENTENCES), "a b") == "dev-learner_sentences-a_b"


def test_the_hand_written_learner_sentences_are_read_as_fluency_pairs():
    from training.data import load_dataset

    data = load_dataset(str(LEARNER_SENTENCES), "dev")
    assert len(data) >= 50
    assert all(e.labels == ("fluency",) for e in data.examples)
    # most hold an error to fix; a few are clean and must be left alone
    assert 0 < sum(e.before == e.after for e in data.examples) <= 5


def test_the_hand_written_mixed_sentences_each_hold_several_fixes():
    import difflib

    from training.data import load_dataset

    data = load_dataset(str(LEARNER_MIXED), "dev")
    assert len(data) >= 20
    assert all(e.labels == ("fluency",) for e in data.examples)
    for e in data.examples:  # at least two words changed
        before, after = e.before.split(), e.after.split()
        ops = difflib.SequenceMatcher(a=before, b=after).get_opcodes()
        changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")
        assert changed >= 2, e.before


def test_the_frontier_holds_an_intention_leaves_out_copy_and_picks_within_a_sari_budget(
    tmp_path,
):
    work, out = dev_reports(tmp_path)
    # margin 0.5 (served) keeps every edit; margin 4 keeps the fluency fixes only
    write(work, "run final, min edit margin 0.5", EDITED.get)
    fixes_only = {b: (a if b.startswith(("He", "She")) else b) for b, a in EDITED.items()}
    write(work, "run final, min edit margin 4", fixes_only.get)
    args = ["frontier", "--run", "runs/run", "--margins", "0.5", "4", "--out", str(out)]
    args += ["--no-copy", "--hold", "fluency=margin 0.5", "--within", "100", "--suffix", "t"]
    main(["--work", str(work), *args])
    result = json.loads((out / "default_adapter_frontier_t.json").read_text(encoding="utf-8"))
    assert result["policies"] == 3  # clarity: every edit, margin 0.5 or margin 4
    assert all(r["policy"]["fluency"] == "margin 0.5" for r in result["frontier"])
    pick = result["pick"]
    assert pick["policy"] == {"clarity": "margin 4", "fluency": "margin 0.5"}
    assert pick["delta"]["gleu"] > 0
    page = (out / "default_adapter_frontier_t.md").read_text(encoding="utf-8")
    assert "fluency always margin 0.5" in page and "**Picked**" in page
    with pytest.raises(SystemExit, match="--hold"):
        main(["--work", str(work), *args[:-2], "--hold", "fluency=copy please"])


def test_compare_bootstraps_each_served_adapter_against_the_first_on_every_set(tmp_path):
    served = _served_targets(["adapters/itune-default", "runs/next"], 0.5, served_only=True)
    names = [name for name, _ in served]
    for name, outputs in zip(names, (lambda b: b, EDITED.get), strict=True):
        path = (
            tmp_path / f"{report_key('dev', 'iterater-sent', name).removesuffix('_(served)')}.json"
        )
        saved = report(outputs) | {"target": {"adapter": name.split(",")[0]}}
        path.write_text(json.dumps(saved), encoding="utf-8")
    (pair,) = paired_rows(tmp_path, ["iterater-sent"], names)
    assert (pair["first"], pair["second"]) == ("itune-default, margin off", "next, margin off")
    assert pair["examples"] == len(EXAMPLES)
    sari = next(d for d in pair["differences"] if d["metric"] == "sari")
    # the edits fix the fluency examples: ahead of copying on SARI
    assert sari["difference"] > 0 and sari["low"] <= sari["difference"] <= sari["high"]
    assert paired_rows(tmp_path, ["iterater-sent"], names[:1]) == []


def test_the_held_out_learner_sentences_share_no_sentence_with_the_sets_choices_were_made_on():
    from training.data import load_dataset

    heldout = load_dataset(str(LEARNER_SENTENCES.with_name("learner_heldout.jsonl")), "test")
    assert len(heldout) >= 40
    assert all(e.labels == ("fluency",) for e in heldout.examples)
    assert 0 < sum(e.before == e.after for e in heldout.examples) <= 5
    seen = {
        e.before.lower()
        for path in (LEARNER_SENTENCES, LEARNER_MIXED)
        for e in load_dataset(str(path), "dev").examples
    }
    assert not [e.before for e in heldout.examples if e.before.lower() in seen]


def test_the_guards_sentences_hold_what_each_guard_must_keep():
    # the British sentences keep their spelling in the reference; the literal sentences
    # keep their literal (an address, a file name, code) as written
    from itune_core.literals import literal_spans
    from itune_core.varieties import american_spelling
    from training.data import load_dataset

    british = load_dataset(str(LEARNER_SENTENCES.with_name("british_sentences.jsonl")), "dev")
    assert len(british) == 24 and sum(e.before == e.after for e in british.examples) == 3
    for e in british.examples:
        words = [w.strip(".,;'").lower() for w in e.after.split()]
        assert any(american_spelling(w) != w for w in words), e.after
    literal = load_dataset(str(LEARNER_SENTENCES.with_name("literal_sentences.jsonl")), "dev")
    assert len(literal) == 16 and sum(e.before == e.after for e in literal.examples) == 2
    kept = 0
    for e in literal.examples:
        spans = literal_spans(e.before)
        kept += bool(spans)
        assert all(e.before[a:b] in e.after for a, b in spans), e.before
    assert kept == 15  # "TotalAmmount" is a name, left to the fact guard


def test_a_guard_stage_scores_zero_shots_reports_before_and_after_the_guard(tmp_path):
    """``persons --zero-shot`` reads zero-shot's dev report alone, applies the guard to
    each output under its gold intentions, and lists what it held back."""
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    answers = {"He go home every day.": "I go home every day."}  # another person
    write(work, "zero-shot", lambda b: answers.get(b, b))
    main(["--work", str(work), "persons", "--zero-shot", "--data", "iterater-sent",
          "--out", str(out)])  # fmt: skip
    record = json.loads((out / "default_adapter_persons.json").read_text(encoding="utf-8"))
    (row,) = record["rows"]
    assert (row["system"], row["held"]) == ("zero-shot", 1)
    write(work, "zero-shot", lambda b: b)  # what the guard should leave: every source
    main(["--work", str(work), "persons", "--zero-shot", "--data", "iterater-sent",
          "--out", str(tmp_path / "kept")])  # fmt: skip
    kept = json.loads((tmp_path / "kept" / "default_adapter_persons.json").read_text("utf-8"))
    assert row["after"] == kept["rows"][0]["before"] != row["before"]
    text = (out / "default_adapter_persons.md").read_text(encoding="utf-8")
    assert "`He` → `I`" in text
