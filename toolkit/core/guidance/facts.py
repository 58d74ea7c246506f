"""The figures behind a condition: what a persona's data says about one subject.

A statement resting on fewer than ``min_group`` people never counts as evidence, so advice
cannot leak a small group: every lookup here returns None when the figure is missing or
rests on too few people, and the condition then does not hold. A condition on something the
questionnaire did not measure never holds either.

Each figure also says how far the persona departs from the organisation: ``z``, the
difference in organisation standard deviations. For constructs it comes from the persona's
profile; for ADKAR stages, likert preferences and the overall level it is the difference in
scale points over the organisation's sd for that subject when the data carry one
(``org_sd``), else over a reference sd -- the largest sd of the organisation's construct
scores -- and is then marked as not exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.core.guidance.measured import measures
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

SHARE_DECIMALS = 3  # choice shares are stored rounded to this many decimals


@dataclass
class Fact:
    """The figures about one subject for one persona.

    ``subject_name``: display name; ``n``: people behind the figures (for a choice: the
    people who chose the option); ``mean``/``org_mean``/``diff``: scale points; ``z``:
    ``diff`` in organisation sd, ``z_exact`` False when a reference sd stood in; ``share``:
    fraction in [0, 1]; ``value``: the option's label (choices); ``base``: people who
    answered the choice question; ``tied``: labels of options chosen exactly as often as
    the top one. Absent figures are None.
    """

    subject_name: str
    n: int
    mean: float | None = None
    org_mean: float | None = None
    diff: float | None = None
    z: float | None = None
    share: float | None = None
    value: str | None = None
    z_exact: bool = True
    base: int | None = None
    tied: tuple[str, ...] = ()
    option: str | None = None  # the option's value (choices)


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
        self.reference_sd = _reference_sd(overall)

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
        """The figures behind a subject, or None when missing, unmeasured or on too few people.

        ``kind`` is a condition kind (construct, adkar, preference, choice, persona);
        ``value`` and ``op`` select the option of a choice (the top one for "top" tests).
        """
        if not measures(self.q, kind, subject):
            return None
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
        org_entry = (self.overall.get("profile") or {}).get(subject) or {}
        org = org_entry.get("mean")
        diff = entry.get("diff")
        if diff is None and org is not None:
            diff = mean - float(org)
        if org is None and diff is not None:
            org = mean - float(diff)
        z, exact = _f(entry.get("z")), True
        if z is None and diff is not None:
            z, exact = self._z(float(diff), org_entry.get("sd"))
        return Fact(
            name,
            int(entry["n"]),
            mean=mean,
            org_mean=_f(org),
            diff=_f(diff),
            z=z,
            z_exact=exact,
        )

    def _z(self, diff: float | None, sd) -> tuple[float | None, bool]:
        """(z, exact): ``diff`` over ``sd`` when it is a positive number, else the reference."""
        if diff is None:
            return None, True
        sd = _f(sd)
        if sd is not None and sd > 0:
            return diff / sd, True
        if self.reference_sd is None:
            return None, False
        return diff / self.reference_sd, False

    def _adkar(self, name: str, subject: str) -> Fact | None:
        for entry in self.description.get("adkar") or []:
            if entry.get("stage") == subject and self._ok_n(entry.get("n")):
                mean, org = _f(entry.get("mean")), _f(entry.get("org_mean"))
                diff = mean - org if mean is not None and org is not None else None
                z, exact = self._z(diff, entry.get("org_sd"))
                return Fact(
                    name,
                    int(entry["n"]),
                    mean=mean,
                    org_mean=org,
                    diff=diff,
                    z=z,
                    z_exact=exact,
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
        z, exact = self._z(diff, entry.get("org_sd"))
        return Fact(
            name, int(entry["n"]), mean=mean, org_mean=org, diff=diff, z=z, z_exact=exact
        )

    def choices(self, subject: str) -> list[Mapping]:
        """The options of choice ``subject`` chosen by at least the minimum group, as stored
        (most chosen first, ties in questionnaire order)."""
        section, key = CHOICES[subject]
        return [
            e
            for e in (self.description.get(section) or {}).get(key) or []
            if isinstance(e, Mapping) and self._ok_n(e.get("n"))
        ]

    def _choice(self, name: str, subject: str, value: str | None, op: str | None) -> Fact | None:
        entries = self.choices(subject)
        if not entries:
            return None
        tied: tuple[str, ...] = ()
        if op in ("top", "top_share_above") or value is None:
            entry, others = top_entry(entries, self.q, subject)
            tied = tuple(self._label(subject, e) for e in others)
            if op == "top" and entry.get("value") != value:
                return None
        else:
            entry = next((e for e in entries if e.get("value") == value), None)
            if entry is None:
                return None
        return Fact(
            name,
            int(entry["n"]),
            share=_f(entry.get("share")),
            value=self._label(subject, entry),
            base=choice_base(entries, self.persona.get("size")),
            tied=tied,
            option=str(entry.get("value")),
        )

    def _label(self, subject: str, entry: Mapping) -> str:
        return option_label(self.q, subject, str(entry.get("value")), self.lang)

    def _level(self, name: str) -> Fact | None:
        size = self.persona.get("size")
        if not self._ok_n(size):
            return None
        mean, org = _f(self.persona.get("level")), _f(self.overall.get("level"))
        if mean is None:
            return None
        diff = mean - org if org is not None else None
        z, exact = self._z(diff, self.overall.get("level_sd"))
        return Fact(
            name, int(size), mean=mean, org_mean=org, diff=diff, z=z, z_exact=exact
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


def top_entry(
    entries: list[Mapping], q: Any = None, role: str | None = None
) -> tuple[Mapping, list[Mapping]]:
    """(the most chosen option, the others chosen exactly as often), ties in questionnaire order.

    ``entries`` are :class:`~toolkit.core.shapes.ChoiceShare` dicts of one question; they
    share one base, so the most chosen is the one with the largest ``n``. Among equals the
    option listed first in the questionnaire (``q``, item with ``role``) wins, else the one
    stored first -- so the choice is the same in every brief and every run.
    """
    best = max(int(e.get("n") or 0) for e in entries)
    top = [e for e in entries if int(e.get("n") or 0) == best]
    order = _option_order(q, role)
    top.sort(key=lambda e: order.get(str(e.get("value")), len(order)))  # stable: stored order
    return top[0], top[1:]


def _option_order(q: Any, role: str | None) -> dict[str, int]:
    """Option value -> position in the questionnaire's item with ``role`` (empty without)."""
    if q is None or role is None or not hasattr(q, "items_with_role"):
        return {}
    order: dict[str, int] = {}
    for item in q.items_with_role(role):
        for option in item.options:
            order.setdefault(option.value, len(order))
    return order


def choice_base(entries: list[Mapping], size) -> int | None:
    """The number of members who answered a choice question, recovered from its options.

    Each option's ``share`` is ``n`` over that number, rounded to ``SHARE_DECIMALS``; the
    base is the whole number between the largest ``n`` and the persona's ``size`` that gives
    every stored share back (the one nearest n / share when several do). None when no
    option has a share.
    """
    known = [(int(e["n"]), float(e["share"])) for e in entries if _f(e.get("share"))]
    if not known:
        return None
    n0, s0 = max(known)
    estimate = n0 / s0
    low = max(n for n, _ in known)
    high = int(size) if isinstance(size, int | float) and size >= low else int(estimate) + 2
    fits = [
        b
        for b in range(low, high + 1)
        if all(round(n / b, SHARE_DECIMALS) == round(s, SHARE_DECIMALS) for n, s in known)
    ]
    if not fits:
        return int(round(estimate))
    return min(fits, key=lambda b: (abs(b - estimate), b))


def _reference_sd(overall: Mapping) -> float | None:
    """The reference sd for subjects without their own: the largest sd of the organisation's
    construct scores (scale points), or None. The largest, so that a departure measured
    with it is never overstated (single items such as the ADKAR stages spread more than
    multi-item construct scores do)."""
    sds = [
        _f((entry or {}).get("sd"))
        for entry in (overall.get("profile") or {}).values()
        if isinstance(entry, Mapping)
    ]
    sds = [sd for sd in sds if sd is not None and sd > 0]
    return max(sds) if sds else None


@dataclass(frozen=True)
class Preferred:
    """A persona's most chosen option of a choice question, as every brief names it.

    ``value``/``label``: the option (label in the language asked); ``n``: members who chose
    it, out of ``base`` who answered the question; ``share``: ``n`` over ``base``;
    ``tied_values``/``tied_labels``: options chosen exactly as often, in questionnaire order
    (the first stored of the equals is the one named: a stated, repeatable tie-break).
    """

    value: str
    label: str
    n: int
    base: int | None
    share: float | None
    tied_values: tuple[str, ...] = ()
    tied_labels: tuple[str, ...] = ()


def preferred_option(
    persona: Persona, role: str, lang: str, *, q: Any = None, min_group: int = 5
) -> Preferred | None:
    """The option of choice ``role`` (e.g. "comm_channels") a persona chose most, or None.

    The same pick the advice makes for ``top`` tests and ``{top_*}`` placeholders, so a
    brief's "preferred channel" and its channel advice never disagree. Options chosen by
    fewer than ``min_group`` members do not count. Raises KeyError for a role that is not a
    choice (see ``CHOICES``).
    """
    section, key = CHOICES[role]
    entries = [
        e
        for e in ((persona.get("description") or {}).get(section) or {}).get(key) or []
        if isinstance(e, Mapping)
        and isinstance(e.get("n"), int | float)
        and e["n"] >= max(int(min_group), 1)
    ]
    if not entries or not measures(q, "choice", role):
        return None
    top, others = top_entry(entries, q, role)

    def label(entry: Mapping) -> str:
        return option_label(q, role, str(entry.get("value")), lang)

    return Preferred(
        value=str(top.get("value")),
        label=label(top),
        n=int(top["n"]),
        base=choice_base(entries, persona.get("size")),
        share=_f(top.get("share")),
        tied_values=tuple(str(e.get("value")) for e in others),
        tied_labels=tuple(label(e) for e in others),
    )
