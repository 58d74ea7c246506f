"""Rendering a rule for one persona: its text with the persona's figures, and the reason.

Every piece of advice says which condition triggered it and with which figure and n
("because change efficacy is 0.8 points below the organisation (2.6 vs 3.4;
n = 80 in this group)"), and "n" always says what it counts: the group members
behind a score, or -- for a choice -- the members who chose the option out of those who
answered the question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from toolkit.core.guidance.facts import Fact, FactFinder
from toolkit.core.guidance.model import (
    FIGURE,
    TOP_PLACEHOLDERS,
    Advice,
    Condition,
    Evidence,
    Rule,
)
from toolkit.core.guidance.wording import fill, mid_sentence, number, percent
from toolkit.core.numbers import format_number


class Renderer(FactFinder):
    """Facts about one persona plus the rendering of rules into advice in one language."""

    def values(self, fact: Fact) -> dict[str, str]:
        """The placeholder values of one fact, written for this language."""
        lang = self.lang
        out = {"subject": mid_sentence(fact.subject_name), "n": str(fact.n)}
        if fact.mean is not None:
            out["mean"] = number(fact.mean, lang)
        if fact.org_mean is not None:
            out["org_mean"] = number(fact.org_mean, lang)
        if fact.diff is not None:
            out["diff"] = format_number(fact.diff, lang, sign=True)
            out["abs_diff"] = number(abs(fact.diff), lang)
        if fact.z is not None:
            out["z"] = number(fact.z, lang)
        if fact.share is not None:
            out["share"] = percent(fact.share, lang)
        if fact.value is not None:
            out["value"] = fact.value
        if fact.base is not None:
            out["base"] = str(fact.base)
        if fact.tied:
            out["tied"] = self.quoted_list(fact.tied)
        return out

    def quoted_list(self, labels: Sequence[str]) -> str:
        """‘A’, ‘B’ and ‘C’ (the language's "and" from the reasons' ``join``)."""
        quoted = [f"‘{label}’" for label in labels]
        if len(quoted) < 2:
            return "".join(quoted)
        return ", ".join(quoted[:-1]) + self.rules.reasons["join"][self.lang] + quoted[-1]

    def evidence(self, facts: Sequence[tuple[Condition, Fact]]) -> list[Evidence] | None:
        """One Evidence per condition; None when a reason cannot be written out."""
        out = []
        for cond, fact in facts:
            key = "top_tied" if cond.op in ("top", "top_share_above") and fact.tied else cond.op
            reason_text = fill(self.rules.reasons[key][self.lang], self.values(fact))
            if reason_text is None:
                return None
            figure = getattr(fact, FIGURE[cond.op])
            chose = cond.kind == "choice"
            out.append(
                Evidence(
                    cond.kind,
                    cond.subject,
                    fact.subject_name,
                    cond.op,
                    float(figure) if figure is not None else math.nan,
                    fact.n,
                    reason_text,
                    n_counts="chose" if chose else "members",
                    base=fact.base if chose else None,
                    mean=fact.mean,
                    org_mean=fact.org_mean,
                    diff=fact.diff,
                    z=fact.z,
                    z_exact=fact.z_exact,
                    share=fact.share,
                    tied=fact.tied,
                )
            )
        return out

    def _top_values(
        self, rule: Rule, values: dict[str, str]
    ) -> list[tuple[Condition, Fact]] | None:
        """Add the top_* placeholders the rule uses to ``values``; return the facts to cite
        for those the rule's own conditions do not already cite, or None when one has no
        figure to show (the advice would rest on a figure we cannot show)."""
        lang = self.lang
        cited = {c.subject for c in rule.conditions if c.kind == "choice"}
        extra = []
        for ph, role in TOP_PLACEHOLDERS.items():
            if "{" + ph + "}" in rule.text[lang] or (
                rule.answer and "{" + ph + "}" in rule.answer[lang]
            ):
                top = self.fact("choice", role, op="top_share_above")
                if top is None:
                    return None
                values[ph] = top.value
                if role not in cited:
                    extra.append((Condition("choice", role, "top_share_above", 0.0), top))
        return extra

    def because(self, evidence: Sequence[Evidence], default: bool) -> str:
        """The full citation: "because …" joined over ``evidence`` (one reason per subject:
        the first test's), else the general (default) or standard (always) text."""
        lang = self.lang
        if evidence:
            # one reason per subject: a second test on the same figure adds nothing to read
            texts, seen = [], set()
            for e in evidence:
                if (e.kind, e.subject) not in seen:
                    seen.add((e.kind, e.subject))
                    texts.append(e.text)
            joined = self.rules.reasons["join"][lang].join(texts)
            return fill(self.rules.reasons["because"][lang], {"reasons": joined}) or ""
        return self.rules.reasons["general" if default else "standard"][lang]

    def render(self, rule: Rule, facts: Sequence[tuple[Condition, Fact]]) -> Advice | None:
        """The advice of ``rule`` for this persona, or None when a figure it needs is missing."""
        lang = self.lang
        values: dict[str, str] = {"name": str(self.persona.get("name") or "")}
        if facts:
            values.update(self.values(facts[0][1]))
        extra = self._top_values(rule, values)
        evidence = self.evidence(list(facts) + (extra or []))
        if evidence is None or extra is None:
            return None
        text = fill(rule.text[lang], values)
        answer = fill(rule.answer[lang], values) if rule.answer else None
        if text is None or (rule.answer and answer is None):
            return None
        return Advice(
            rule_id=rule.id,
            audience=rule.audience,
            section=rule.section,
            aspect=rule.aspect,
            order=rule.order,
            text=text,
            answer=answer,
            because=self.because(evidence, rule.default),
            evidence=tuple(evidence),
            default=rule.default,
            strength=strength_of(evidence),
            stage=rule.stage,
            topic=rule.topic,
        )


def strength_of(evidence: Sequence[Evidence]) -> float:
    """How far the persona departs from the organisation on the advice's main condition.

    The main condition is the rule's first condition that compares the persona with the
    organisation (a choice share does not); further conditions only narrow down who gets
    the advice. In organisation sd, in the direction the condition looks (see
    :attr:`Evidence.strength`); 0.0 when no condition compares with the organisation.
    """
    return next((e.strength for e in evidence if e.z is not None), 0.0)
