"""The follow-up-cost benchmark's report: both medians and the ratio to step 4 alone."""

from benchmarks.follow_up_cost import markdown


def test_the_report_gives_both_medians_and_the_ratio_to_step_4_alone():
    record = {
        "command": "python benchmarks/follow_up_cost.py",
        "date": "2026-12-06 22:11 UTC",
        "machine": "x86_64, 2 CPUs",
        "settings": {"sentences": 24, "repeats": 3},
        "followed": 22,
        "runs": {"alone": {"median_s": 0.8}, "followed": {"median_s": 1.2}},
    }
    text = markdown(record)
    assert "| step 4 alone | 0.80 | 1.00x |" in text
    assert "| with the follow-ups (as served) | 1.20 | 1.50x |" in text
    assert "22 of them are followed" in text
