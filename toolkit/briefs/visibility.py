"""Who may appear in a brief: the round's minimum group applied to a persona set.

The decisions themselves live in toolkit.core.privacy, the one place every screen, export and
brief asks; these helpers only adapt them to the ``round_info`` dict the briefs receive.
Personas that are not presented or have fewer members than the round's minimum group never
get a brief and never appear in the overview.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.core import privacy


def min_group_of(round_info: Mapping) -> int:
    """The round's minimum group (``round_info["min_group"]``, people), never below the
    product-wide floor ``privacy.MIN_GROUP``; a missing or unreadable value gives the floor."""
    try:
        return privacy.effective_min(int(round_info.get("min_group") or privacy.MIN_GROUP))
    except (TypeError, ValueError):
        return privacy.MIN_GROUP


def min_quote_of(min_group: int) -> int:
    """The smallest group (people) whose own words may be quoted (mirrors privacy.may_quote)."""
    return max(privacy.effective_min(min_group) * 2, privacy.MIN_VERBATIM_GROUP)


def may_show(persona: Mapping, min_group: int) -> bool:
    """True when ``persona`` (a persona dict with ``size`` and ``presented``) may be shown to
    readers of a round whose minimum group is ``min_group`` people. A size that is not a
    number (or is a bool) is never shown."""
    size = persona.get("size")
    if not isinstance(size, int | float) or isinstance(size, bool):
        return False
    return bool(privacy.presentable_personas({"personas": [persona]}, min_group))


def shown_personas(persona_set: Mapping, round_info: Mapping) -> list[dict]:
    """The personas of ``persona_set`` that get a brief and appear in the overview, in the
    set's order (the dicts themselves, not copies)."""
    mg = min_group_of(round_info)
    return [p for p in persona_set.get("personas") or [] if may_show(p, mg)]
