"""The one place that decides whether a group is large enough to be shown.

Every screen, export and brief asks here. A group under the minimum size is never shown, and
when hiding one group would still let a reader work it out by subtraction (a team of 7 shown
as "5 + hidden"), the next-smallest group is hidden as well.
"""

from __future__ import annotations

import copy

MIN_GROUP = 5
MIN_VERBATIM_GROUP = 10


def may_show(n: int, min_group: int = MIN_GROUP) -> bool:
    return n >= max(min_group, MIN_GROUP)


def may_quote(n: int, min_group: int = MIN_GROUP) -> bool:
    return n >= max(min_group * 2, MIN_VERBATIM_GROUP)


def suppress_groups(counts: dict[str, int], min_group: int = MIN_GROUP, total_known: bool = True) -> dict[str, int | None]:
    """Return counts with small groups replaced by None (shown as "fewer than N").

    With `total_known` the reader can subtract the shown groups from the total, so when exactly
    one group is hidden, or the hidden ones add up to fewer than min_group, the smallest shown
    groups are hidden too until the hidden part is itself at least min_group.
    """
    hidden = {k for k, n in counts.items() if not may_show(n, min_group)}
    if total_known and hidden:
        shown = sorted((n, k) for k, n in counts.items() if k not in hidden)
        while shown and (len(hidden) == 1 or sum(counts[k] for k in hidden) < max(min_group, MIN_GROUP)):
            hidden.add(shown.pop(0)[1])
    return {k: (None if k in hidden else n) for k, n in counts.items()}


def presentable_personas(persona_set: dict, min_group: int = MIN_GROUP) -> list[dict]:
    """Personas that may appear anywhere: stable enough and large enough."""
    return [p for p in persona_set.get("personas", []) if p.get("presented", True) and may_show(p["size"], min_group)]


def exportable_persona_set(persona_set: dict, min_group: int = MIN_GROUP) -> dict:
    result = copy.deepcopy(persona_set)
    keep = {p["key"] for p in presentable_personas(persona_set, min_group)}
    result["personas"] = [p for p in result.get("personas", []) if p["key"] in keep]
    result["withheld_personas"] = len(persona_set.get("personas", [])) - len(result["personas"])
    return result
