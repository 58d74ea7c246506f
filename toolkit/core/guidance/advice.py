"""Evaluate guidance rules for one persona: which advice applies, and why, with the figures.

Every piece of advice says which condition triggered it and with which figure and n
("because change efficacy is 0.8 points below the organisation (2.6 vs 3.4, n = 34)"), so a
reader can check it against the data and disagree. Per section the firing rules are kept up
to ``settings.max_per_section``; a section where nothing fires gets its default rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from toolkit.core.guidance.facts import Fact, FactFinder
from toolkit.core.guidance.model import (
    ASPECTS,
    FIGURE,
    SECTIONS,
    TOP_PLACEHOLDERS,
    Advice,
    Condition,
    Evidence,
    GuidanceRules,
    Rule,
)
from toolkit.core.guidance.wording import fill, mid_sentence, number, percent
from toolkit.core.shapes import Overall, Persona

Group = tuple[str, str, str | None]  # (audience, section, aspect)


def evaluate(
    rules: GuidanceRules,
    persona: Persona,
    lang: str,
    *,
    overall: Overall | None = None,
    q: Any = None,
    min_group: int = 5,
    audience: str | None = None,
) -> list[Advice]:
    """Advice for one persona, in brief order (audience, section, aspect, priority).

    ``persona`` is a described persona (:class:`Persona` with ``description``); ``overall``
    is the persona set's "overall" block (organisation means); ``q`` (a Questionnaire or
    None) gives the construct and option names; ``min_group`` is the fewest people a figure
    may rest on; ``audience`` limits the advice to "communication" or "training". Per
    section (and key-message aspect) the firing rules are kept up to
    ``settings.max_per_section`` (the module sequence keeps all), highest priority first;
    when none fire, the section's default rules apply instead.

    Raises ValueError when the rules have no texts in ``lang``.
    """
    if lang not in rules.languages:
        raise ValueError(
            f"guidance has no texts in '{lang}' (available: {', '.join(rules.languages)})"
        )
    ctx = _Context(rules, persona, lang, overall or {}, q, min_group)
    fired, defaults = _collect(rules, ctx, audience)
    return _in_brief_order(fired, defaults, int(rules.settings["max_per_section"]), audience)


def _collect(rules: GuidanceRules, ctx: _Context, audience: str | None):
    """(fired, defaults): rendered advice per (audience, section, aspect)."""
    fired: dict[Group, list[Advice]] = {}
    defaults: dict[Group, list[Advice]] = {}
    for rule in rules.rules:
        if audience is not None and rule.audience != audience:
            continue
        group = (rule.audience, rule.section, rule.aspect)
        if rule.default:
            advice = ctx.render(rule, ())
            if advice is not None:
                defaults.setdefault(group, []).append(advice)
            continue
        facts = []
        for cond in rule.conditions:
            fact = ctx.check(cond)
            if fact is None:
                break
            facts.append((cond, fact))
        else:
            advice = ctx.render(rule, facts)
            if advice is not None:
                fired.setdefault(group, []).append(advice)
    return fired, defaults


def _in_brief_order(fired, defaults, cap: int, audience: str | None) -> list[Advice]:
    out: list[Advice] = []
    for aud, sections in SECTIONS.items():
        if audience is not None and aud != audience:
            continue
        for section in sections:
            for aspect in ASPECTS if section == "key_messages" else (None,):
                group = (aud, section, aspect)
                chosen = fired.get(group) or defaults.get(group, [])
                if section == "sequence":
                    chosen = sorted(chosen, key=lambda a: a.order)
                else:
                    chosen = sorted(chosen, key=lambda a: (-a.priority, a.order))[:cap]
                out.extend(chosen)
    return out


def top_advice(advices: list[Advice], audience: str = "communication") -> Advice | None:
    """The single most important advice of ``audience``, or None when there is none.

    The highest-priority data-backed advice (likely questions excluded: they are not
    advice), else the highest-priority default; ties go to the lower ``order``.
    """
    candidates = [a for a in advices if a.audience == audience and a.section != "questions"]
    backed = [a for a in candidates if a.evidence]
    pool = backed or candidates
    if not pool:
        return None
    return min(pool, key=lambda a: (-a.priority, a.order))


def by_section(advices: list[Advice]) -> dict[str, list[Advice]]:
    """The advice grouped by section name, each group in the order given."""
    out: dict[str, list[Advice]] = {}
    for advice in advices:
        out.setdefault(advice.section, []).append(advice)
    return out


class _Context(FactFinder):
    """Facts about one persona plus the rendering of rules into advice in one language."""

    def _values(self, fact: Fact) -> dict[str, str]:
        lang = self.lang
        out = {"subject": mid_sentence(fact.subject_name), "n": str(fact.n)}
        if fact.mean is not None:
            out["mean"] = number(fact.mean, lang)
        if fact.org_mean is not None:
            out["org_mean"] = number(fact.org_mean, lang)
        if fact.diff is not None:
            out["diff"] = ("+" if fact.diff > 0 else "") + number(fact.diff, lang)
            out["abs_diff"] = number(abs(fact.diff), lang)
        if fact.z is not None:
            out["z"] = number(fact.z, lang)
        if fact.share is not None:
            out["share"] = percent(fact.share, lang)
        if fact.value is not None:
            out["value"] = fact.value
        return out

    def _evidence(self, facts: Sequence[tuple[Condition, Fact]]) -> list[Evidence] | None:
        """One Evidence per condition; None when a reason cannot be written out."""
        evidence = []
        for cond, fact in facts:
            template = self.rules.reasons[cond.op][self.lang]
            reason_text = fill(template, self._values(fact))
            if reason_text is None:
                return None
            figure = getattr(fact, FIGURE[cond.op])
            evidence.append(
                Evidence(
                    cond.kind,
                    cond.subject,
                    fact.subject_name,
                    cond.op,
                    float(figure) if figure is not None else math.nan,
                    fact.n,
                    reason_text,
                )
            )
        return evidence

    def _top_values(self, rule: Rule, values: dict[str, str]) -> bool:
        """Add the top_* placeholders the rule uses; False when one has no figure to show."""
        lang = self.lang
        for ph, role in TOP_PLACEHOLDERS.items():
            if ph in rule.text[lang] or (rule.answer and ph in rule.answer[lang]):
                top = self.fact("choice", role, op="top_share_above")
                if top is None:
                    return False  # the advice would rest on a figure we cannot show
                values[ph] = top.value
        return True

    def render(self, rule: Rule, facts: Sequence[tuple[Condition, Fact]]) -> Advice | None:
        """The advice of ``rule`` for this persona, or None when a figure it needs is missing."""
        lang = self.lang
        values: dict[str, str] = {"name": str(self.persona.get("name") or "")}
        if facts:
            values.update(self._values(facts[0][1]))
        evidence = self._evidence(facts)
        if evidence is None or not self._top_values(rule, values):
            return None
        text = fill(rule.text[lang], values)
        answer = fill(rule.answer[lang], values) if rule.answer else None
        if text is None or (rule.answer and answer is None):
            return None
        if evidence:
            joined = self.rules.reasons["join"][lang].join(e.text for e in evidence)
            because = fill(self.rules.reasons["because"][lang], {"reasons": joined})
        else:
            because = self.rules.reasons["general" if rule.default else "standard"][lang]
        return Advice(
            rule_id=rule.id,
            audience=rule.audience,
            section=rule.section,
            aspect=rule.aspect,
            priority=rule.priority,
            order=rule.order,
            text=text,
            answer=answer,
            because=because or "",
            evidence=tuple(evidence),
            default=rule.default,
        )

