"""Reading numbers out of persona-set dicts, which come from JSON and from people."""

from __future__ import annotations

import math


def finite_float(value) -> float | None:
    """The value as a finite float, or None for missing, NaN, infinite or non-numbers (and bools)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None
