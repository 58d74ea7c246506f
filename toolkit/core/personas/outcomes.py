"""Outcomes per persona: how each persona differs from the rest on the round's extra variables.

For every declared variable (see :mod:`toolkit.core.variables`) and every persona, compared
with everyone else in the persona set ("the rest"):

- **yes/no**: the share saying yes, the rest's share, the difference in percentage points with
  Newcombe's 95 % interval, and Cramér's V (= |phi| for two categories);
- **categorical**: the share per category with the rest's share and the difference with its
  interval, and Cramér's V of the persona-versus-rest table;
- **numeric**: the mean, the rest's mean, the difference with Welch's 95 % interval and
  Cohen's d.

Outcomes are never clustered on: they describe personas found from the persona dimensions.

Privacy, the same rules as for context categories (:mod:`toolkit.core.privacy`):

1. a persona's figures need at least the minimum group with a value, and the members without a
   value must be none or at least the minimum group too;
2. a category is shown for a persona only with at least the minimum group; the round-wide total
   of a category is treated as known, so a category whose total is itself small is hidden
   everywhere, and whatever a persona hides (other categories) must be none or shown-size;
3. across personas, the cells of one category that stay hidden must add up to none or at least
   the minimum group -- otherwise they could be worked out by subtracting the shown cells from
   the category's total -- so the smallest shown cells are hidden until that holds;
4. the effect size of a categorical variable pools the hidden categories into one, so it cannot
   be solved back into the hidden cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from toolkit.core.effects import cramers_v, magnitude, mean_difference, newcombe_difference
from toolkit.core.personas.profiles import rounded
from toolkit.core.privacy import suppress_groups
from toolkit.core.shapes import OutcomeCategory, OutcomeProfile, Persona
from toolkit.core.variables import Variable

Values = Mapping[str, Mapping[str, object]]


def profile_outcomes(
    personas: Sequence[Persona],
    variables: Sequence[Variable],
    values: Values,
    min_group: int,
) -> dict[str, list[OutcomeProfile]]:
    """Persona key -> one :class:`OutcomeProfile` per variable, in the order of ``variables``.

    ``personas`` need ``key`` and ``members`` (response ids); ``values`` maps response id ->
    variable id -> value (str for yes/no and categorical, float for numeric; a missing key =
    no value); ``min_group`` is the round's minimum group (>= 5). Figures are rounded to 3
    decimals; shares and differences are fractions (0.35 = 35 percentage points).
    """
    result: dict[str, list[OutcomeProfile]] = {p["key"]: [] for p in personas}
    for variable in variables:
        member_values = [
            [values[rid][variable.id] for rid in p["members"] if values.get(rid, {}).get(variable.id) is not None]
            for p in personas
        ]
        if variable.type == "numeric":
            profiles = _numeric(variable, personas, member_values, min_group)
        else:
            profiles = _categorical(variable, personas, member_values, min_group)
        for persona, profile in zip(personas, profiles, strict=True):
            result[persona["key"]].append(profile)
    return result


def _base(variable: Variable, persona: Persona, n: int, rest_n: int) -> OutcomeProfile:
    return {
        "variable": variable.id,
        "type": variable.type,
        "name": dict(variable.name),
        "n": n,
        "rest_n": rest_n,
        "shown": False,
        "categories": [],
        "hidden": 0,
        "mean": None,
        "rest_mean": None,
        "diff": None,
        "ci": None,
        "effect": None,
    }


def _enough(n: int, size: int, min_group: int) -> bool:
    """Rule 1: at least the minimum with a value, and those without one none or shown-size."""
    missing = size - n
    return n >= min_group and (missing == 0 or missing >= min_group)


def _numeric(variable, personas, member_values, min_group) -> list[OutcomeProfile]:
    profiles = []
    for i, (persona, mine) in enumerate(zip(personas, member_values, strict=True)):
        rest = [v for j, vs in enumerate(member_values) if j != i for v in vs]
        profile = _base(variable, persona, len(mine), len(rest))
        if _enough(len(mine), persona["size"], min_group):
            profile["shown"] = True
            profile["mean"] = rounded(sum(mine) / len(mine))
            if len(rest) >= min_group:
                profile["rest_mean"] = rounded(sum(rest) / len(rest))
                diff, low, high, d = mean_difference(mine, rest)
                profile.update(diff=rounded(diff), ci=[rounded(low), rounded(high)])
                profile["effect"] = {"measure": "cohens_d", "value": rounded(d),
                                     "magnitude": magnitude(d, "cohens_d")}
        profiles.append(profile)
    return profiles


def _category_order(variable: Variable, totals: Counter) -> list[str]:
    if variable.type == "yes_no":
        return ["yes", "no"]
    declared = [c for c in variable.categories if c in totals]
    return declared + sorted((c for c in totals if c not in declared), key=lambda c: (-totals[c], c))


def shown_cells(counts: Sequence[Counter], sizes: Sequence[int], min_group: int) -> list[set[str]]:
    """Per persona, the categories that may be shown (rules 1-3 of the module docstring).

    ``counts[i]`` counts persona i's members per category, ``sizes[i]`` is its size (members
    without a value are ``sizes[i] - sum(counts[i].values())``). Repeats the per-persona and
    the across-personas rule until neither hides anything more.
    """
    totals: Counter = sum(counts, Counter())
    org = suppress_groups(dict(totals), min_group, total=sum(totals.values()))
    shown = [
        {c for c, n in cnt.items() if n >= min_group and org[c] is not None}
        if _enough(sum(cnt.values()), size, min_group) else set()
        for cnt, size in zip(counts, sizes, strict=True)
    ]
    changed = True
    while changed:
        changed = False
        for cnt, cells in zip(counts, shown, strict=True):
            while cells and 0 < sum(cnt.values()) - sum(cnt[c] for c in cells) < min_group:
                cells.remove(min(cells, key=lambda c: (cnt[c], c)))
                changed = True
        for category, total in totals.items():
            cells = sorted((counts[i][category], i) for i in range(len(counts)) if category in shown[i])
            hidden = total - sum(n for n, _i in cells)
            while cells and 0 < hidden < min_group:
                n, i = cells.pop(0)
                shown[i].discard(category)
                hidden += n
                changed = True
    return shown


def _categorical(variable, personas, member_values, min_group) -> list[OutcomeProfile]:
    counts = [Counter(vs) for vs in member_values]
    totals: Counter = sum(counts, Counter())
    answered_total = sum(totals.values())
    shown = shown_cells(counts, [p["size"] for p in personas], min_group)
    order = _category_order(variable, totals)
    profiles = []
    for persona, cnt, cells in zip(personas, counts, shown, strict=True):
        n = sum(cnt.values())
        rest_n = answered_total - n
        profile = _base(variable, persona, n, rest_n)
        profile["hidden"] = sum(1 for c in cnt if c not in cells)
        listed = [c for c in order if c in cells and not (variable.type == "yes_no" and c == "no")]
        if cells:
            profile["shown"] = True
            profile["categories"] = [_category(c, cnt[c], n, totals[c] - cnt[c], rest_n, min_group) for c in listed]
            if rest_n >= min_group:
                pooled = [c for c in order if c in cells]
                other = [n - sum(cnt[c] for c in pooled), rest_n - sum(totals[c] - cnt[c] for c in pooled)]
                table = [[cnt[c] for c in pooled] + [other[0]], [totals[c] - cnt[c] for c in pooled] + [other[1]]]
                v = cramers_v(table)
                profile["effect"] = {"measure": "cramers_v", "value": rounded(v),
                                     "magnitude": magnitude(v, "cramers_v")}
        profiles.append(profile)
    return profiles


def _category(value: str, k: int, n: int, rest_k: int, rest_n: int, min_group: int) -> OutcomeCategory:
    entry: OutcomeCategory = {"value": value, "n": k, "share": rounded(k / n), "rest_share": None,
                              "diff": None, "ci": None}
    if rest_n >= min_group:
        diff, low, high = newcombe_difference(k, n, rest_k, rest_n)
        entry.update(rest_share=rounded(rest_k / rest_n), diff=rounded(diff), ci=[rounded(low), rounded(high)])
    return entry
