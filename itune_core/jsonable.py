"""Values as strict JSON, for the database's JSON columns and the app's API answers.

``json.dumps`` writes NaN and infinities as bare words that strict parsers (browsers,
PostgreSQL's ``jsonb``) refuse, and it cannot write datetimes or paths; losses and
gradient norms can be NaN, and records carry timestamps.
"""

import math
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


def strict_json(value: Any) -> Any:
    """``value`` as strict JSON: NaN and infinities as None, datetimes and dates as ISO
    strings, paths as strings, tuples as lists, mapping keys as strings; anything else
    as it is."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return value
