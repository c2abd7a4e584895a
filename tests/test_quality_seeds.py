"""The seeds table of ``benchmarks/quality_seeds.py``: mean and spread per method, and a
verdict only when both methods have every seed."""

from benchmarks.quality_seeds import markdown, summary


def fake(method, seed, sari):
    return {
        "method": method, "seed": seed, "sari": sari, "sari_iterater": sari - 1,
        "sari_t2t": 60.0, "gleu": 68.0, "unchanged_outputs": 200, "n": 360,
        "train_seconds": 800.0,
    }  # fmt: skip


def record(rows, seeds):
    return {
        "command": "python benchmarks/quality_seeds.py",
        "date": "2026-11-30",
        "machine": {"cpu": "cpu", "cpu_count": 2, "torch": "2"},
        "settings": {
            "seeds": seeds,
            "lrs": {"lora": 1e-3, "intention-tuning": 1e-3},
            "budget": {"max_steps": 120, "batch_size": 8, "max_length": 256, "stage1_steps": 60},
        },
        "rows": rows,
        "summary": summary(rows, seeds),
    }


def test_the_verdict_waits_for_every_seed_and_weighs_the_spread():
    rows = [fake("lora", 0, 31.0), fake("intention-tuning", 0, 31.5), fake("lora", 1, 31.4)]
    partial = summary(rows, [0, 1])
    assert "verdict" not in partial
    assert partial["lora"]["sari"] == {"mean": 31.2, "min": 31.0, "max": 31.4}
    waiting = record(rows, [0, 1]) | {"missing": ["Intention-Tuning seed 1"]}
    assert "**Partial:** not finished yet: Intention-Tuning seed 1." in markdown(waiting)
    rows.append(fake("intention-tuning", 1, 31.2))
    done = summary(rows, [0, 1])
    assert done["verdict"]["beats"] is True and done["verdict"]["beyond_spread"] is False
    assert round(done["verdict"]["difference"], 2) == 0.15
    page = markdown(record(rows, [0, 1]))
    assert "beats LoRA on mean SARI (EASSE) at this budget: +0.15, within the seeds'" in page
    assert "| LoRA | 0, 1 | 31.20 (31.00-31.40) |" in page
