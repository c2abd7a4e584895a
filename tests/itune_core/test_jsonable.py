"""strict_json: what the database's JSON columns and the API answers receive."""

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

from itune_core.jsonable import strict_json


def test_every_value_becomes_strict_json_and_finite_numbers_stay_as_they_are():
    value = {
        "loss": [1.5, math.nan, -math.inf, math.inf],
        3: (date(2026, 11, 28), datetime(2026, 11, 28, 18, 5, tzinfo=UTC)),
        "run": {"path": Path("/runs/a"), "steps": 7, "ok": True, "note": None},
    }
    assert strict_json(value) == {
        "loss": [1.5, None, None, None],
        "3": ["2026-11-28", "2026-11-28T18:05:00+00:00"],
        "run": {"path": "/runs/a", "steps": 7, "ok": True, "note": None},
    }
    json.dumps(strict_json(value), allow_nan=False)  # raises on NaN, inf, dates or paths


def test_the_input_is_not_changed():
    value = {"g": [math.nan]}
    strict_json(value)
    assert math.isnan(value["g"][0])
