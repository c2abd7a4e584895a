"""benchmarks/pass_cost.py: a timed pass starts from the same cached prompt every time,
and the table gives each cost as a multiple of one row."""

import pytest

from benchmarks.pass_cost import PROMPT, model_pass, table


def test_each_cost_is_given_as_a_multiple_of_one_row():
    rows = [
        {"what": "a", "rows": 1, "tokens": 11, "seconds": 0.010},
        {"what": "a", "rows": 10, "tokens": 110, "seconds": 0.045},
        {"what": "b", "rows": 1, "tokens": 1, "seconds": 0.002},
        {"what": "b", "rows": 10, "tokens": 10, "seconds": 0.003},
    ]
    lines = table(rows)
    assert lines[3] == "| a | 10 | 110 | 45.00 | 4.50x |"
    assert lines[5] == "| b | 10 | 10 | 3.00 | 1.50x |"


@pytest.mark.real_model
def test_a_timed_pass_starts_from_the_prompt_every_time(embedded):
    run = model_pass(embedded.model, rows=2, tokens=3)
    closure = {c.cell_contents for c in run.__closure__ if hasattr(c.cell_contents, "crop")}
    (cache,) = closure
    for _ in range(3):  # each pass sees the prompt alone: its mask fits, the cache is cropped
        run()
        assert cache.get_seq_length() == PROMPT
