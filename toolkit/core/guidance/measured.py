"""What the questionnaire measured, so that advice speaks only of that.

A rule about a construct or question the round's questionnaire does not have is skipped, and
a brief section none of whose rules has a measured basis is reported as not measured --
never as "no signal" or "no barrier". Without a questionnaire (old data, tests) everything
counts as measured and the data alone decide.
"""

from __future__ import annotations

from typing import Any

from toolkit.core.guidance.model import ASPECTS, SECTIONS, Condition, GuidanceRules, Rule

ADKAR_BLOCK = "adkar"  # the questionnaire block of the ADKAR self-check (see personas.describe)


def measures(q: Any, kind: str, subject: str) -> bool:
    """True when questionnaire ``q`` measures what a condition of ``kind`` on ``subject`` needs.

    construct: one of its constructs; adkar: a construct of its ADKAR block; preference and
    choice: an item with that role; persona (the overall level): always. ``q`` None (no
    questionnaire known) counts everything as measured.
    """
    if q is None:
        return True
    constructs = getattr(q, "constructs", None) or {}
    if kind == "construct":
        return subject in constructs
    if kind == "adkar":
        construct = constructs.get(subject)
        return construct is not None and getattr(construct, "block", None) == ADKAR_BLOCK
    if kind in ("preference", "choice"):
        return hasattr(q, "items_with_role") and bool(q.items_with_role(subject))
    return kind == "persona"


def rule_measured(q: Any, rule: Rule) -> bool:
    """True when every condition of ``rule`` (``when``) rests on something ``q`` measures.

    Rules without conditions (standard steps, defaults) count as measured.
    """
    return all(measures(q, c.kind, c.subject) for c in rule.conditions)


def condition_measured(q: Any, cond: Condition) -> bool:
    """True when ``q`` measures the subject of ``cond``."""
    return measures(q, cond.kind, cond.subject)


def sections_measured(rules: GuidanceRules, q: Any) -> dict[tuple[str, str], bool]:
    """(audience, section) -> True when the questionnaire gives that brief section a basis.

    A section is measured when at least one of its rules with conditions rests entirely on
    constructs and questions ``q`` has; a section whose rules all need something ``q`` lacks
    gets no advice from :func:`evaluate` (not even its default), and a brief should say that
    the questionnaire did not ask about it. The module sequence counts as measured when it
    has standard steps. ``q`` None: every section is measured. Every (audience, section) of
    ``SECTIONS`` is a key.
    """
    out = {}
    for audience, sections in SECTIONS.items():
        for section in sections:
            members = [r for r in rules.rules if (r.audience, r.section) == (audience, section)]
            conditional = [r for r in members if r.conditions]
            standard = [r for r in members if not r.conditions and not r.default]
            out[(audience, section)] = (
                q is None
                or any(rule_measured(q, r) for r in conditional)
                or (section == "sequence" and bool(standard))
            )
    return out


def aspects_measured(rules: GuidanceRules, q: Any) -> dict[str, bool]:
    """Key-message aspect (why, what, how, wiifm) -> True when one of its rules is measured."""
    return {
        aspect: q is None
        or any(
            rule_measured(q, r)
            for r in rules.rules
            if r.section == "key_messages" and r.aspect == aspect and r.conditions
        )
        for aspect in ASPECTS
    }


def unmeasured_subjects(rules: GuidanceRules, q: Any) -> dict[tuple[str, str], tuple[str, ...]]:
    """(audience, section) -> the subjects its rules rest on that ``q`` does not measure.

    Subjects are construct ids, ADKAR stages and question roles (e.g. "comm_channels"), each
    once, in file order; an empty tuple when everything was measured (always so for ``q``
    None). A brief can name them ("the questionnaire did not ask about preferred channels")
    even when other rules of the section had a basis. Every (audience, section) is a key.
    """
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for audience, sections in SECTIONS.items():
        for section in sections:
            missing: dict[str, None] = {}
            for rule in rules.rules:
                if (rule.audience, rule.section) != (audience, section):
                    continue
                for cond in rule.conditions:
                    if not condition_measured(q, cond):
                        missing[cond.subject] = None
            out[(audience, section)] = tuple(missing)
    return out
