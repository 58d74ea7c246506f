"""What drives a persona, what holds it back, and what to handle with care.

Read after self-determination theory (Ryan & Deci 2000) and readiness for change (Holt et
al. 2007; affective commitment: Herscovitch & Meyer 2002), by the role the guidance file
gives each construct (``[construct_roles]``):

- **drivers** -- autonomous motivation (interest, meaning) and readiness (appropriateness,
  management support, change efficacy, personal valence, commitment) notably *above* the
  organisation;
- **brakes** -- amotivation notably above the organisation, readiness notably *below* it;
- **handle with care** -- controlled motivation (approval, guilt, pressure, pay) notably
  above the organisation: it moves people for now, but it is never a driver to build on
  (leaning on guilt or pressure is what the briefs advise against).

Low controlled motivation is *not* a brake (being little moved by pay or guilt is no
problem), and low autonomous motivation is a missing driver rather than a brake; neither is
listed. "Notably" is the guidance setting ``notable_diff`` (scale points).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.core.guidance.facts import FactFinder
from toolkit.core.guidance.model import GuidanceRules
from toolkit.core.shapes import Overall, Persona


@dataclass(frozen=True)
class Signal:
    """One construct on which a persona notably departs from the organisation.

    ``construct``: id; ``name``: its name in the language asked; ``role``: its role
    (autonomous, controlled, amotivation, readiness); ``mean``/``org_mean``/``diff``: scale
    points (persona, organisation, difference); ``z``: the difference in organisation sd
    (None when unknown); ``n``: members with a score (the group base).
    """

    construct: str
    name: str
    role: str
    mean: float
    org_mean: float | None
    diff: float
    z: float | None
    n: int


@dataclass(frozen=True)
class MotivationReading:
    """A persona's drivers, brakes and "handle with care" signals, each furthest first."""

    drivers: tuple[Signal, ...] = ()
    brakes: tuple[Signal, ...] = ()
    care: tuple[Signal, ...] = ()
    roles: Mapping[str, str] = field(default_factory=dict)


def motivation_reading(
    rules: GuidanceRules,
    persona: Persona,
    lang: str,
    *,
    overall: Overall | None = None,
    q: Any = None,
    min_group: int = 5,
) -> MotivationReading:
    """Drivers, brakes and signals to handle with care for ``persona`` (see module docstring).

    Only constructs with a role in ``rules.construct_roles``, measured by ``q`` (when given)
    and resting on at least ``min_group`` members count; each list is ordered by distance
    from the organisation (``|diff|``), furthest first. Constructs without a role are left
    out. Never raises for missing data: a construct without figures is simply not listed.
    """
    finder = FactFinder(rules, persona, lang, overall or {}, q, min_group)
    notable = float(rules.settings["notable_diff"])
    lists: dict[str, list[Signal]] = {"drivers": [], "brakes": [], "care": []}
    for construct in persona.get("profile") or {}:
        role = rules.construct_roles.get(construct)
        fact = finder.fact("construct", construct) if role else None
        if fact is None or fact.diff is None or abs(fact.diff) < notable:
            continue
        signal = Signal(
            construct, fact.subject_name, role, fact.mean, fact.org_mean, fact.diff, fact.z, fact.n
        )
        where = _place(role, fact.diff > 0)
        if where is not None:
            lists[where].append(signal)
    return MotivationReading(
        **{k: tuple(sorted(v, key=lambda s: -abs(s.diff))) for k, v in lists.items()},
        roles=dict(rules.construct_roles),
    )


def _place(role: str, above: bool) -> str | None:
    """Which list a notable departure belongs on, or None when it is no signal."""
    if role in ("autonomous", "readiness"):
        return "drivers" if above else ("brakes" if role == "readiness" else None)
    if role == "amotivation":
        return "brakes" if above else None
    if role == "controlled":
        return "care" if above else None
    return None
