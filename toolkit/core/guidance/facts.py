"""The figures behind a condition: what a persona's data says about one subject.

A statement resting on fewer than ``min_group`` people never counts as evidence, so advice
cannot leak a small group: every lookup here returns None when the figure is missing or
rests on too few people, and the condition then does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.core.guidance.model import (
    CHOICES,
    FIGURE,
    PREFERENCES,
    Condition,
    GuidanceRules,
)
from toolkit.core.guidance.wording import construct_name, option_label
from toolkit.core.numbers import finite_float as _f
from toolkit.core.shapes import Overall, Persona


@dataclass
class Fact:
    """The figures about one subject for one persona.

    ``subject_name``: display name; ``n``: people behind the figures; ``mean``/``org_mean``/
    ``diff``: scale points; ``z``: organisation sd; ``share``: fraction in [0, 1];
    ``value``: the option's label (choices). Absent figures are None.
    """

    subject_name: str
    n: int
    mean: float | None = None
    org_mean: float | None = None
    diff: float | None = None
    z: float | None = None
    share: float | None = None
    value: str | None = None
    extra: dict = field(default_factory=dict)


class FactFinder:
    """Looks up facts about one persona (profile and description) against the organisation."""

    def __init__(
        self,
        rules: GuidanceRules,
        persona: Persona,
        lang: str,
        overall: Overall | Mapping,
        q: Any,
        min_group: int,
    ):
        """``overall`` is the persona set's overall block; ``q`` the Questionnaire or None."""
        self.rules = rules
        self.persona = persona
        self.lang = lang
        self.overall = overall
        self.q = q
        self.min_group = max(int(min_group), 1)
        self.description = persona.get("description") or {}

    def _ok_n(self, n) -> bool:
        return isinstance(n, int | float) and not isinstance(n, bool) and n >= self.min_group

    def _name(self, kind: str, subject: str) -> str:
        names = self.rules.names.get(subject)
        if kind in ("preference", "choice", "persona") and names:
            return names.get(self.lang) or subject
        return construct_name(self.q, subject, self.lang)

    def fact(
        self, kind: str, subject: str, value: str | None = None, op: str | None = None
    ) -> Fact | None:
        """The figures behind a subject, or None when missing or resting on too few people.

        ``kind`` is a condition kind (construct, adkar, preference, choice, persona);
        ``value`` and ``op`` select the option of a choice (the top one for "top" tests).
        """
        name = self._name(kind, subject)
        if kind == "construct":
            return self._construct(name, subject)
        if kind == "adkar":
            return self._adkar(name, subject)
        if kind == "preference":
            return self._preference(name, subject)
        if kind == "choice":
            return self._choice(name, subject, value, op)
        if kind == "persona":
            return self._level(name)
        return None

    def _construct(self, name: str, subject: str) -> Fact | None:
        entry = (self.persona.get("profile") or {}).get(subject)
        if (
            not isinstance(entry, Mapping)
            or not self._ok_n(entry.get("n"))
            or entry.get("mean") is None
        ):
            return None
        mean = float(entry["mean"])
        org = ((self.overall.get("profile") or {}).get(subject) or {}).get("mean")
        diff = entry.get("diff")
        if diff is None and org is not None:
            diff = mean - float(org)
        if org is None and diff is not None:
            org = mean - float(diff)
        return Fact(
            name,
            int(entry["n"]),
            mean=mean,
            org_mean=_f(org),
            diff=_f(diff),
            z=_f(entry.get("z")),
        )

    def _adkar(self, name: str, subject: str) -> Fact | None:
        for entry in self.description.get("adkar") or []:
            if entry.get("stage") == subject and self._ok_n(entry.get("n")):
                mean, org = _f(entry.get("mean")), _f(entry.get("org_mean"))
                diff = mean - org if mean is not None and org is not None else None
                return Fact(
                    name,
                    int(entry["n"]),
                    mean=mean,
                    org_mean=org,
                    diff=diff,
                    share=_f(entry.get("barrier_share")),
                )
        return None

    def _preference(self, name: str, subject: str) -> Fact | None:
        section, key = PREFERENCES[subject]
        entry = (self.description.get(section) or {}).get(key)
        if (
            not isinstance(entry, Mapping)
            or not self._ok_n(entry.get("n"))
            or entry.get("mean") is None
        ):
            return None
        mean, org = _f(entry.get("mean")), _f(entry.get("org_mean"))
        diff = mean - org if org is not None else None
        return Fact(name, int(entry["n"]), mean=mean, org_mean=org, diff=diff)

    def _choice(self, name: str, subject: str, value: str | None, op: str | None) -> Fact | None:
        section, key = CHOICES[subject]
        entries = [
            e
            for e in (self.description.get(section) or {}).get(key) or []
            if isinstance(e, Mapping) and self._ok_n(e.get("n"))
        ]
        if not entries:
            return None
        if op in ("top", "top_share_above") or value is None:
            entry = max(entries, key=lambda e: (_f(e.get("share")) or 0.0, e.get("n") or 0))
            if op == "top" and entry.get("value") != value:
                return None
        else:
            entry = next((e for e in entries if e.get("value") == value), None)
            if entry is None:
                return None
        label = option_label(self.q, subject, str(entry.get("value")), self.lang)
        return Fact(name, int(entry["n"]), share=_f(entry.get("share")), value=label)

    def _level(self, name: str) -> Fact | None:
        size = self.persona.get("size")
        if not self._ok_n(size):
            return None
        mean, org = _f(self.persona.get("level")), _f(self.overall.get("level"))
        if mean is None:
            return None
        return Fact(
            name,
            int(size),
            mean=mean,
            org_mean=org,
            diff=mean - org if org is not None else None,
        )

    def check(self, cond: Condition) -> Fact | None:
        """The fact when ``cond`` holds for this persona, else None (also when data is missing)."""
        fact = self.fact(cond.kind, cond.subject, cond.value, cond.op)
        if fact is None:
            return None
        figure = getattr(fact, FIGURE[cond.op])
        if cond.op == "top":
            return fact
        if figure is None:
            return None
        t = cond.threshold
        holds = figure < t if cond.op.endswith("_below") else figure > t
        return fact if holds else None
