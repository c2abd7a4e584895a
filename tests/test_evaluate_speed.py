"""The evaluation-speed benchmark's report: medians side by side, the ratio, and a loud
mark when the two modes answered differently."""

from benchmarks.evaluate_speed import markdown, pieces_of


def record(same: bool) -> dict:
    return {
        "command": "python benchmarks/evaluate_speed.py",
        "date": "2026-12-02 08:00 UTC",
        "machine": "x86_64, 2 CPUs",
        "settings": {"pieces": 96, "rows": 16, "repeats": 3},
        "times": {"joined": [40.0, 41.0, 39.0], "fixed batches": [60.0, 61.0, 62.0]},
        "median_s": {"joined": 40.0, "fixed batches": 61.0},
        "same_answers": same,
    }


def test_the_report_gives_both_medians_and_their_ratio():
    text = markdown(record(True))
    assert "| joined | 40.0 | 2.40 | 40.0, 41.0, 39.0 |" in text
    assert "| fixed batches | 61.0 | 1.57 |" in text
    assert "**1.52x**" in text and "(checked)" in text


def test_the_report_says_when_the_answers_differ():
    assert "**NO**" in markdown(record(False))


def test_the_pieces_are_dev_sentences_longest_first():
    pieces = pieces_of(20)
    assert len(pieces) == 20
    assert [len(p) for p, _ in pieces] == sorted((len(p) for p, _ in pieces), reverse=True)
    assert all(labels for _, labels in pieces)
