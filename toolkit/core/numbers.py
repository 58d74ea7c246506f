"""Reading numbers out of persona-set dicts (which come from JSON and from people), and
writing them the way a reader of each language writes them.

Every figure core hands to a person goes through :func:`format_number` /
:func:`format_percent`: a decimal comma in Dutch (3,4), a decimal point in English (3.4).
"""

from __future__ import annotations

import math

# Languages that write a decimal comma. Anything else gets a decimal point.
DECIMAL_COMMA = frozenset({"nl", "de", "fr"})


def finite_float(value) -> float | None:
    """The value as a finite float, or None for missing, NaN, infinite or non-numbers (and bools)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def format_number(value: float, lang: str, digits: int = 1, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals as the reader of ``lang`` writes it: 3,4 (nl), 3.4 (en).

    A value that rounds to zero is written without a minus sign; ``sign`` adds "+" before a
    positive value (a difference). Raises TypeError for a value that is not a number.
    """
    text = f"{float(value):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    if sign and float(text) > 0:
        text = "+" + text
    return text.replace(".", ",") if lang in DECIMAL_COMMA else text


def format_percent(share: float, lang: str) -> str:
    """A share in [0, 1] as a whole percentage: 0.346 -> "35%" (nl and en alike)."""
    return f"{round(float(share) * 100)}%"
