"""The seeds part of ``benchmarks/quality_ablations.py``: mean and spread per method, the
runs still missing while others train, and a verdict only when every run is in; another
budget (``--max-steps``) in folders and results of its own."""

from dataclasses import replace

from benchmarks.quality import BUDGETS
from benchmarks.quality_ablations import (
    _other_steps,
    _results_name,
    _run_folder,
    seeds_markdown,
    seeds_part,
)


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
