"""The adapter-time benchmark's report: each adapter's medians beside the first's, and the
ratios to the first."""

from benchmarks.adapter_time import markdown


def test_the_report_gives_each_adapter_its_medians_and_ratios_to_the_first():
    record = {
        "command": "python benchmarks/adapter_time.py a b",
        "date": "2026-12-02 17:00 UTC",
        "machine": "x86_64, 2 CPUs",
        "settings": {"sentences": 20, "repeats": 3},
        "adapters": {
            "a": {"rank": 8, "alone_s": 1.0, "per_kchar_s": 10.0, "together_s": 8.0},
            "b": {"rank": 48, "alone_s": 1.1, "per_kchar_s": 12.0, "together_s": 10.0},
        },
    }
    text = markdown(record)
    assert "| a | 8 | 1.000 | 1.000 | 10.000 | 1.000 | 8.00 | 1.000 |" in text
    assert "| b | 48 | 1.100 | 1.100 | 12.000 | 1.200 | 10.00 | 1.250 |" in text
    assert "a against b" in text
