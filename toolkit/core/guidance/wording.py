"""Names and numbers shown to people, and placeholder filling (shared with the briefs).

A figure is written the way the reader writes it (3,4 in Dutch, 3.4 in English); a
construct or option goes by the questionnaire's name for it; a rule text's ``{placeholders}``
are filled without ever evaluating anything a user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolkit.core.numbers import format_number, format_percent

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def construct_name(q: Any, construct_id: str, lang: str) -> str:
    """The questionnaire's name for a construct in ``lang``; the id when unknown.

    ``q`` is a Questionnaire or None; a name missing in ``lang`` falls back to the first
    language that has one, an unknown construct to its id with spaces for underscores.
    """
    construct = getattr(q, "constructs", {}).get(construct_id) if q is not None else None
    if construct is not None:
        name = construct.name.get(lang) or next(iter(construct.name.values()), None)
        if name:
            return name
    return construct_id.replace("_", " ")


def option_label(q: Any, role: str, value: str, lang: str) -> str:
    """The label of an option of the item with ``role``; the raw value for free text (teams).

    ``q`` is a Questionnaire or None; a label missing in ``lang`` falls back to the first
    language that has one.
    """
    if q is not None and hasattr(q, "items_with_role"):
        for item in q.items_with_role(role):
            for option in item.options:
                if option.value == value:
                    return option.label.get(lang) or next(iter(option.label.values()), value)
    return str(value)


def number(value: float, lang: str, digits: int = 1) -> str:
    """A figure the way the reader writes it: 3,4 in Dutch, 3.4 in English.

    ``digits`` decimals; a value that rounds to zero is written without a minus sign. The
    shared rule of core (:func:`toolkit.core.numbers.format_number`).
    """
    return format_number(value, lang, digits)


def percent(share: float, lang: str) -> str:
    """A share in [0, 1] as a whole percentage, e.g. 0.346 -> "35%" (the same in nl and en)."""
    return format_percent(share, lang)


def mid_sentence(name: str) -> str:
    """'Change efficacy' → 'change efficacy' inside a sentence; keeps acronyms (ADKAR)."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def placeholders(text: str) -> list[str]:
    """Placeholder names in ``text``, in order.

    A brace that is not part of {a_name} is reported as the pseudo-name it encloses, so
    "{name.__class__}" or a stray "{" is caught, not printed.
    """
    found = PLACEHOLDER.findall(text)
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        found.append(rest[rest.find("{") if "{" in rest else rest.find("}"):][:30])
    return found


def fill(template: str, values: Mapping[str, str]) -> str | None:
    """Replace {placeholders} from ``values``; None when one has no value (never raises)."""
    missing = False

    def sub(match: re.Match) -> str:
        nonlocal missing
        key = match.group(1)
        if key not in values:
            missing = True
            return match.group(0)
        return values[key]

    out = PLACEHOLDER.sub(sub, template)
    return None if missing else out
