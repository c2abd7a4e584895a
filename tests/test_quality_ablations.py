"""The seeds part of ``benchmarks/quality_ablations.py``: mean and spread per method, the
runs still missing while others train, and a verdict only when every run is in; another
budget (``--max-steps``) or a training recipe (``--recipe``) in folders and results of its
own; at a recipe, the baselines part (DoRA and IR-Tuning-gen, one seed)."""

import json
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from benchmarks.quality import BUDGETS, train
from benchmarks.quality_ablations import (
    _other_steps,
    _recipe,
    _recipe_budget,
    _recipe_folder,
    _results_name,
    _run_folder,
    baselines_markdown,
    main,
    markdown,
    recorded_rows,
    run_baselines,
    run_seeds,
    seeds_markdown,
    seeds_part,
    train_recipe,
)

ROOT = Path(__file__).resolve().parents[1]


def fake(method, seed, sari):
    return {
        "method": method, "seed": seed, "sari": sari, "sari_iterater": sari - 1,
        "sari_t2t": 60.0, "gleu": 68.0, "update_r": 11.0,
    }  # fmt: skip


def test_a_partial_seeds_part_names_what_is_missing_and_gives_no_verdict():
    rows = {"lora": [fake("lora", 0, 31.0), fake("lora", 1, 31.4)]}
    rows["intention-tuning"] = [fake("intention-tuning", 0, 31.5)]
    part = seeds_part([0, 1], rows, ["Intention-Tuning seed 1"])
    assert part["verdict"] is None
    assert [d["seed"] for d in part["differences"]] == [0]  # seed 1 has no pair yet
    lora = part["summary"]["lora"]["sari"]
    assert (round(lora["mean"], 2), lora["min"], lora["max"]) == (31.2, 31.0, 31.4)
    page = "\n".join(seeds_markdown(part))
    assert "**Partial:** not finished yet: Intention-Tuning seed 1." in page
    assert "| Intention-Tuning | 0 | 31.50 ± – (31.50-31.50)" in page
    assert "beat LoRA on mean" not in page and "beats LoRA on mean" not in page


def test_the_verdict_weighs_the_difference_against_the_seeds_spread():
    rows = {
        "lora": [fake("lora", 0, 31.0), fake("lora", 1, 31.4)],
        "intention-tuning": [fake("intention-tuning", 0, 31.5), fake("intention-tuning", 1, 31.2)],
    }
    part = seeds_part([0, 1], rows, [])
    assert round(part["verdict"]["difference"], 2) == 0.15
    assert part["verdict"]["beyond_spread"] is False
    page = "\n".join(seeds_markdown(part))
    assert "beats LoRA on mean SARI (EASSE) at this budget: +0.15, within the seeds'" in page
    assert "| 1 | -0.20 | -0.20 | +0.00 | +0.00 |" in page
    rows["intention-tuning"] = [fake("intention-tuning", s, v) for s, v in ((0, 30.5), (1, 30.8))]
    behind = seeds_part([0, 1], rows, [])
    assert behind["verdict"]["beyond_spread"] is True
    assert "does **not** beat LoRA on mean SARI (EASSE) at this budget: -0.55, by more" in (
        "\n".join(seeds_markdown(behind))
    )


def test_another_budget_gets_run_folders_and_results_of_its_own(tmp_path):
    table = BUDGETS["iterater-sent"]
    longer = replace(table, max_steps=402)
    assert _results_name(table) == "quality_ablations"
    assert _results_name(longer) == "quality_ablations_steps402"
    # The table's seed-0 run is reused at its own budget, never at another one.
    assert _run_folder(tmp_path, "lora", 1e-3).name == "lora-lr0.001"
    other = _run_folder(tmp_path, "lora", 1e-3, steps=_other_steps(longer))
    assert other.name == "lora-lr0.001-steps402"
    seeded = _run_folder(tmp_path, "intention-tuning", 1e-3, 2, steps=_other_steps(longer))
    assert seeded.name == "intention-tuning-lr0.001-steps402-seed2"
    assert _other_steps(replace(table, max_steps=table.max_steps)) is None


RECIPE = ROOT / "training" / "configs" / "intention-tuning-default.yaml"


def test_a_recipe_gives_its_budget_folders_and_results_of_its_own(tmp_path):
    config = _recipe(RECIPE)
    budget = _recipe_budget(config)
    assert (budget.max_steps, budget.stage1_steps, budget.batch_size) == (1800, 200, 8)
    assert budget.lrs == (config.lr,) == (5e-4,)
    assert budget.test_limit is None  # all of ITERATER-sent test
    folder = _recipe_folder(tmp_path, RECIPE, "lora", 2)
    assert folder == tmp_path / "recipe" / "intention-tuning-default" / "lora-seed2"
    results = {
        "budget": asdict(budget),
        "machine": {"cpu": "x", "cpu_count": 2, "torch": "t", "gpu": None},
        "recipe": {"path": "training/configs/intention-tuning-default.yaml",
                   "data": config.data, "warmup_steps": 20, "edit_weight": 3.0},
        "parts": {},
    }  # fmt: skip
    line = markdown(results).splitlines()[3]
    assert line.startswith("Budget: the training recipe `training/configs/intention-tuning-")
    assert "1800 Stage-II steps at batch 8" in line and "learning rate 0.0005" in line
    assert "weighted 3x; Intention-Tuning 200 Stage-I steps" in line


def test_a_recipe_without_a_step_count_is_refused(tmp_path):
    path = tmp_path / "epochs.yaml"
    path.write_text("method: lora\ndata: iterater-sent\nepochs: 2\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="must set max_steps"):
        _recipe(path)
    with pytest.raises(SystemExit, match="cannot read config"):
        _recipe(tmp_path / "missing.yaml")


def test_a_finished_run_counts_for_the_recipe_only_if_it_was_trained_with_it(tmp_path):
    # The built-in adapter's first step is Intention-Tuning at this recipe with seed 0: its
    # records are taken as that run, and refused for another seed or method.
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ("lineage.json", "metrics.json"):
        shutil.copy(ROOT / "adapters" / "itune-default" / "step1" / name, folder / name)
    assert train_recipe(RECIPE, "intention-tuning", 0, folder, tmp_path) == folder
    with pytest.raises(SystemExit, match=r"'seed': \(0, 1\)"):
        train_recipe(RECIPE, "intention-tuning", 1, folder, tmp_path)
    with pytest.raises(SystemExit, match=r"'method': \('intention-tuning', 'lora'\)"):
        train_recipe(RECIPE, "lora", 0, folder, tmp_path)


def test_a_finished_run_counts_for_a_budget_only_if_it_was_trained_at_it(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ("lineage.json", "metrics.json"):
        shutil.copy(ROOT / "adapters" / "itune-default" / "step1" / name, folder / name)
    budget = replace(BUDGETS["iterater-sent"], max_steps=1800, stage1_steps=200, batch_size=8)
    budget = replace(budget, max_length=256)
    data = "iterater-sent+learner-errors+essay-errors+apostrophes"
    args = ("intention-tuning", 5e-4, budget, folder, tmp_path)
    assert train(data, *args, edit_weight=3.0) == folder
    with pytest.raises(SystemExit, match=r"trained otherwise \(\{'edit_weight': \(3.0, 1.0\)"):
        train(data, *args)
    with pytest.raises(SystemExit, match=r"'stage1_steps': \(200, 400\)"):
        train(data, *args[:2], replace(budget, stage1_steps=400), *args[3:], edit_weight=3.0)


def test_runs_at_a_recipe_carry_their_iterater_doc_scores_into_a_table_of_their_own():
    def with_doc(method, seed, sari, doc):
        return fake(method, seed, sari) | {"doc": fake(method, seed, doc)}

    rows = {
        "lora": [with_doc("lora", 0, 31.0, 40.0), with_doc("lora", 1, 31.4, 41.0)],
        "intention-tuning": [with_doc("intention-tuning", 0, 31.5, 44.0)],
    }
    part = seeds_part([0, 1], rows, ["Intention-Tuning seed 1"]) | {"recipe": "r"}
    assert part["summary"]["lora"]["doc"]["sari"]["mean"] == 40.5
    page = "\n".join(seeds_markdown(part))
    assert "seed 0 differs" not in page  # no main table's run at a recipe
    doc = page.split("The same runs on all of ITERATER-doc test, as served:")[1]
    assert "| LoRA | 0, 1 | 40.50 ± 0.71 (40.00-41.00)" in doc
    assert "| Intention-Tuning | 0 | 44.00 ± – (44.00-44.00)" in doc
    # Without doc scores (every other budget) there is no such table.
    plain = {m: [fake(m, 0, 31.0)] for m in ("lora", "intention-tuning")}
    assert "ITERATER-doc" not in "\n".join(seeds_markdown(seeds_part([0], plain, [])))


def test_a_run_recorded_in_the_results_file_stands_when_its_folder_is_gone(tmp_path):
    # Run folders do not outlive the machine; the committed results file does. A row it
    # holds for the same budget and recipe is kept, not trained again; another recipe's
    # rows are not.
    budget = _recipe_budget(_recipe(RECIPE))
    header = {"data": "iterater-sent", "budget": asdict(budget), "recipe": {"data": "d"}}
    earlier = header | {
        "parts": {"seeds": {"rows": [fake("lora", 0, 34.3)],
                            "run": {"date": "2026-12-04T21:33:34+00:00"}}},
    }  # fmt: skip
    recorded = recorded_rows(json.loads(json.dumps(earlier)), header)  # as read from the file
    assert list(recorded) == [("lora", 0)]
    assert recorded["lora", 0]["recorded"] == "2026-12-04T21:33:34+00:00"
    assert recorded_rows(earlier | {"recipe": {"data": "other"}}, header) == {}
    assert recorded_rows(earlier | {"budget": {}}, header) == {}

    rates = {"lora": 5e-4, "intention-tuning": 5e-4}
    part = run_seeds(
        [0, 1], budget, rates, tmp_path, tmp_path, None, partial=True, recipe=RECIPE,
        recorded=recorded,
    )  # fmt: skip
    assert [(r["method"], r["seed"], r["sari"]) for r in part["rows"]] == [("lora", 0, 34.3)]
    assert part["missing"] == ["Intention-Tuning seed 0", "LoRA seed 1", "Intention-Tuning seed 1"]
    # A run scored in its folder takes precedence over the record.
    folder = _recipe_folder(tmp_path, RECIPE, "lora", 0)
    folder.mkdir(parents=True)
    for name, sari in (("eval-test.json", 35.0), ("eval-test-doc.json", 40.0)):
        metrics = {k: v for k, v in fake("lora", 0, sari).items() if k not in ("method", "seed")}
        report = {
            "metrics": metrics | {"n": 3, "by_intention": {}}, "data": {"split": "test"},
            "examples": [], "timing": {"total_seconds": 1.0}, "target": {"adapter": "a"},
        }  # fmt: skip
        (folder / name).write_text(json.dumps(report), encoding="utf-8")
    part = run_seeds(
        [0], budget, rates, tmp_path, tmp_path, None, partial=True, recipe=RECIPE,
        recorded=recorded,
    )  # fmt: skip
    assert part["summary"]["lora"]["sari"]["values"] == [35.0]
    assert part["rows"][0]["doc"]["sari"] == 40.0
    assert part["rows"][0]["recorded"].startswith("20")  # when its report was written
    assert f"Scored by (UTC): LoRA seed 0 {part['rows'][0]['recorded']}." in seeds_markdown(part)


def _write_reports(folder: Path, method: str, seed: int, sari: float, doc_sari: float) -> None:
    folder.mkdir(parents=True)
    for name, value in (("eval-test.json", sari), ("eval-test-doc.json", doc_sari)):
        metrics = {
            k: v for k, v in fake(method, seed, value).items() if k not in ("method", "seed")
        }
        report = {
            "metrics": metrics | {"n": 3, "by_intention": {}}, "data": {"split": "test"},
            "examples": [{"output": "a", "before": "a"}, {"output": "b", "before": "c"}],
            "timing": {"total_seconds": 1.0}, "target": {"adapter": str(folder)},
            "outputs": {"fact_changing": 1},
        }  # fmt: skip
        (folder / name).write_text(json.dumps(report), encoding="utf-8")


def test_the_baselines_part_scores_dora_and_ir_tuning_at_the_recipe_and_names_the_rest(tmp_path):
    # DoRA scored in its folder, IR-Tuning-gen neither scored nor recorded: with --partial
    # the part reports DoRA and names IR-Tuning-gen, training nothing.
    _write_reports(_recipe_folder(tmp_path, RECIPE, "dora", 0), "dora", 0, 33.9, 32.1)
    part = run_baselines(0, 5e-4, tmp_path, tmp_path, None, RECIPE, partial=True)
    assert [(r["method"], r["seed"], r["sari"]) for r in part["rows"]] == [("dora", 0, 33.9)]
    assert part["rows"][0]["doc"]["sari"] == 32.1
    assert part["missing"] == ["IR-Tuning-gen seed 0"]
    page = "\n".join(baselines_markdown(part))
    assert "| DoRA | 33.90 / 32.90 / 68.00 | 32.10 / 31.10 / 68.00 | 1/3 | 1 | – | – | – |" in page
    assert "**Partial:** not finished yet: IR-Tuning-gen seed 0." in page
    # A row recorded in the results file stands for a run whose folder is gone.
    recorded = {("ir-tuning", 0): fake("ir-tuning", 0, 33.5) | {
        "doc": fake("ir-tuning", 0, 31.0), "n": 360, "unchanged_outputs": 190,
        "fact_changing_outputs": 0, "train_seconds": 6000.4, "peak_memory_mb": 8800.2,
        "trainable_params": 1_660_000, "recorded": "2026-12-06T01:00:00+00:00"}}  # fmt: skip
    part = run_baselines(0, 5e-4, tmp_path, tmp_path, None, RECIPE, True, recorded)
    assert part["missing"] == []
    page = "\n".join(baselines_markdown(part))
    assert (
        "| IR-Tuning-gen | 33.50 / 32.50 / 68.00 | 31.00 / 30.00 / 68.00 | 190/360 | 0 | 6,000 |"
        in page
    )
    assert "| 8,800 | 1.66 M | 2026-12-06T01:00:00+00:00 |" in page
    assert "Partial" not in page
    # recorded_rows reads the baselines part's rows as it reads the seeds part's.
    budget = _recipe_budget(_recipe(RECIPE))
    header = {"data": "iterater-sent", "budget": asdict(budget), "recipe": {"data": "d"}}
    results = header | {"parts": {"baselines": {"rows": part["rows"], "run": {"date": "x"}}}}
    results = json.loads(json.dumps(results))  # as read from the file
    assert set(recorded_rows(results, header, "baselines")) == {("dora", 0), ("ir-tuning", 0)}
    assert recorded_rows(results, header) == {}  # no seeds part in this file


def test_the_baselines_part_runs_at_a_recipe_only(monkeypatch):
    monkeypatch.setattr("sys.argv", ["quality_ablations.py", "--parts", "baselines"])
    with pytest.raises(SystemExit, match="the baselines part runs at a recipe"):
        main()
    recipe = ["--recipe", str(RECIPE)]
    monkeypatch.setattr("sys.argv", ["q", "--parts", "seeds,stage1", *recipe])
    with pytest.raises(SystemExit, match="runs the seeds and baselines parts only"):
        main()
