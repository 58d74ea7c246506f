"""Evaluate guidance rules for one persona: which advice applies, why, and in what order.

The steps, each visible in the result:

1. **Candidates.** A rule applies when all its conditions hold for the persona's figures
   (none resting on fewer than the minimum group) and it rests only on what the
   questionnaire measured.
2. **Contradictions.** A rule is left out when one of its ``unless`` conditions holds -- the
   persona's own figures contradict the advice (no "give them a say" for a group that does
   not want to be involved) -- or when a rule it ``yields_to`` applies.
3. **One point, one advice.** Of rules sharing a ``topic`` only one appears: the first in
   the file that applies (variants are listed most specific first), else the member without
   conditions; advice with the same words is merged into one, citing all of its figures.
4. **Evidence first.** Each advice is scored by how far the persona departs from the
   organisation on its conditions (``strength``, organisation sd) and listed strongest
   first; advice about an ADKAR stage keeps the stages' order among its places (an
   earlier barrier is tackled first; Hiatt 2006). A section lists up to
   ``max_per_section`` pieces, but never leaves out one at least ``keep_from_z`` strong;
   advice resting only on the group's own choices (preferred channel, messenger, rhythm,
   format, pace) follows, never capped: it is what the section asks.
5. **Defaults.** A measured section where nothing applies gets its default advice; a
   section the questionnaire gives no basis for gets nothing (see :mod:`.measured`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toolkit.core.guidance.measured import aspects_measured, rule_measured, sections_measured
from toolkit.core.guidance.model import (
    ADKAR_STAGES,
    ASPECTS,
    SECTIONS,
    Advice,
    Evidence,
    GuidanceRules,
    Rule,
)
from toolkit.core.guidance.render import Renderer
from toolkit.core.shapes import Overall, Persona

Group = tuple[str, str, str | None]  # (audience, section, aspect)
# Sections whose entries are not advice to act on by themselves: likely questions, and the
# modules of the programme (listed in order, not ranked).
NOT_TOP_SECTIONS = ("questions", "sequence")


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
    """Advice for one persona, in brief order: audience, section, aspect, then strongest first.

    ``persona`` is a described persona (:class:`Persona` with ``description``); ``overall``
    is the persona set's "overall" block (organisation means and sds); ``q`` (a
    Questionnaire or None) gives construct and option names and what was measured;
    ``min_group`` is the fewest people a figure may rest on; ``audience`` limits the advice
    to "communication" or "training". The steps are in the module docstring: candidates,
    contradictions (``unless``, ``yields_to``), one advice per topic and per wording,
    ranking by ``Advice.strength`` (ADKAR stages in their order), ``max_per_section``
    (never dropping advice at least ``keep_from_z`` strong; the module sequence keeps all
    its steps, in ``order``), defaults for measured sections where nothing applies. A section
    the questionnaire gives no basis for is absent (see :func:`sections_measured`).

    Raises ValueError when the rules have no texts in ``lang``.
    """
    if lang not in rules.languages:
        raise ValueError(
            f"guidance has no texts in '{lang}' (available: {', '.join(rules.languages)})"
        )
    ctx = Renderer(rules, persona, lang, overall or {}, q, min_group)
    fired, defaults = _candidates(rules, ctx, audience)
    fired = _merge_duplicates(_without_yielding(_one_per_topic(fired, rules), rules), ctx)
    measured = sections_measured(rules, q)
    aspects = aspects_measured(rules, q)
    out: list[Advice] = []
    for group in _groups(audience):
        aud, section, aspect = group
        if not measured[(aud, section)] or (aspect is not None and not aspects[aspect]):
            continue
        chosen = [a for a in fired if (a.audience, a.section, a.aspect) == group]
        out.extend(_ranked(chosen, rules) if chosen else defaults.get(group, []))
    return out


def _groups(audience: str | None) -> Iterable[Group]:
    for aud, sections in SECTIONS.items():
        if audience is not None and aud != audience:
            continue
        for section in sections:
            for aspect in ASPECTS if section == "key_messages" else (None,):
                yield aud, section, aspect


def _candidates(rules: GuidanceRules, ctx: Renderer, audience: str | None):
    """(fired, defaults): advice of every rule that applies and is not contradicted, in file
    order, and the rendered default advice per (audience, section, aspect)."""
    fired: list[Advice] = []
    defaults: dict[Group, list[Advice]] = {}
    for rule in rules.rules:
        if audience is not None and rule.audience != audience:
            continue
        if rule.default:
            advice = ctx.render(rule, ())
            if advice is not None:
                defaults.setdefault((rule.audience, rule.section, rule.aspect), []).append(advice)
            continue
        if not rule_measured(ctx.q, rule) or _contradicted(rule, ctx):
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
                fired.append(advice)
    return fired, defaults


def _contradicted(rule: Rule, ctx: Renderer) -> bool:
    """True when the persona's own figures meet one of the rule's ``unless`` conditions."""
    return any(ctx.check(cond) is not None for cond in rule.unless)


def _one_per_topic(fired: list[Advice], rules: GuidanceRules) -> list[Advice]:
    """Of advice sharing a topic keep one: the first in file order among the members with
    conditions (an editor lists the most specific variant first, as in if / else-if), or
    the member without conditions -- the topic's fallback -- when none of those applies."""
    chosen: dict[str, Advice] = {}
    for advice in fired:  # in file order
        if advice.topic is None:
            continue
        current = chosen.get(advice.topic)
        if current is None or (
            not rules.rule(current.rule_id).conditions and rules.rule(advice.rule_id).conditions
        ):
            chosen[advice.topic] = advice
    return [a for a in fired if a.topic is None or chosen[a.topic] is a]


def _without_yielding(fired: list[Advice], rules: GuidanceRules) -> list[Advice]:
    """Leave out advice whose rule yields to a rule whose advice is itself shown."""
    present = {a.rule_id for a in fired}
    memo: dict[str, bool] = {}

    def shown(rule_id: str) -> bool:
        if rule_id not in memo:
            memo[rule_id] = False  # the loader refuses cycles; this only guards the recursion
            yields = rules.rule(rule_id).yields_to
            memo[rule_id] = rule_id in present and not any(
                shown(other) for other in yields if other in present
            )
        return memo[rule_id]

    return [a for a in fired if shown(a.rule_id)]


def _merge_duplicates(fired: list[Advice], ctx: Renderer) -> list[Advice]:
    """One advice per wording within an audience: the strongest keeps its place, and cites
    the figures of every rule that gave the same words."""
    groups: dict[tuple, list[Advice]] = {}
    for advice in fired:
        key = (advice.audience, " ".join(advice.text.split()).casefold(), advice.answer)
        groups.setdefault(key, []).append(advice)
    out = []
    for advice in fired:
        same = groups[(advice.audience, " ".join(advice.text.split()).casefold(), advice.answer)]
        keeper = max(same, key=lambda a: (bool(a.evidence), a.strength, _share(a)))
        if advice is not keeper:
            continue
        if len(same) == 1:
            out.append(advice)
            continue
        evidence = _unique_evidence(e for a in [keeper, *same] for e in a.evidence)
        out.append(_replace(
            keeper,
            evidence=tuple(evidence),
            because=ctx.because(evidence, keeper.default),
            strength=max(a.strength for a in same),
            merged=tuple(a.rule_id for a in same if a is not keeper),
        ))
    return out


def _unique_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for e in evidence:
        key = (e.kind, e.subject, e.op, e.text)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _replace(advice: Advice, **changes) -> Advice:
    from dataclasses import replace

    return replace(advice, **changes)


def _share(advice: Advice) -> float:
    """The largest choice share among the advice's evidence (0 without one)."""
    return max((e.share or 0.0 for e in advice.evidence if e.kind == "choice"), default=0.0)


def _ranked(chosen: list[Advice], rules: GuidanceRules) -> list[Advice]:
    """One group's advice strongest first (ADKAR stages in their order), capped.

    The module sequence is listed in ``order`` and never capped. Elsewhere the first
    ``max_per_section`` advice resting on a departure from the organisation are kept, plus
    any later one at least ``keep_from_z`` strong; then every advice resting only on the
    group's own choices, in file order.
    """
    if chosen[0].section == "sequence":
        return sorted(chosen, key=lambda a: a.order)
    departures = [a for a in chosen if not _choices_only(a)]
    ordered = sorted(departures, key=lambda a: (-a.strength, a.order))
    cap = int(rules.settings["max_per_section"])
    keep = float(rules.settings["keep_from_z"])
    kept = adkar_order([a for i, a in enumerate(ordered) if i < cap or a.strength >= keep])
    return kept + sorted((a for a in chosen if _choices_only(a)), key=lambda a: a.order)


def _choices_only(advice: Advice) -> bool:
    """True for advice resting only on the group's own stated choices (its preferred channel,
    messenger, rhythm, format or pace): the answer to what a section asks, never capped."""
    return bool(advice.evidence) and all(e.kind == "choice" for e in advice.evidence)


def adkar_order(advices: list[Advice]) -> list[Advice]:
    """``advices`` with those about an ADKAR stage re-ordered among their own places, so that
    an earlier stage comes first (Hiatt 2006: a later stage cannot hold while an earlier one
    is the barrier); advice about the same stage keeps its order, the rest keeps its place."""
    places = [i for i, a in enumerate(advices) if a.stage in ADKAR_STAGES]
    staged = sorted((advices[i] for i in places), key=lambda a: ADKAR_STAGES.index(a.stage))
    out = list(advices)
    for i, advice in zip(places, staged, strict=True):
        out[i] = advice
    return out


def top_advice(advices: list[Advice], audience: str = "communication") -> Advice | None:
    """The single most important advice of ``audience``, or None when there is none.

    The data-backed advice with the strongest evidence (``strength``; likely questions and
    the module sequence excluded: they are not advice to act on by themselves); among equals
    the earlier ADKAR stage, then the one listed first. Without data-backed advice, the first default listed. No fixed rule
    priority decides.
    """
    candidates = [
        a for a in advices if a.audience == audience and a.section not in NOT_TOP_SECTIONS
    ]
    backed = [(i, a) for i, a in enumerate(candidates) if a.evidence]
    if not backed:
        return candidates[0] if candidates else None

    def key(item: tuple[int, Advice]):
        i, a = item
        stage = ADKAR_STAGES.index(a.stage) if a.stage in ADKAR_STAGES else len(ADKAR_STAGES)
        return (-a.strength, stage, i)

    return min(backed, key=key)[1]


def by_section(advices: list[Advice]) -> dict[str, list[Advice]]:
    """The advice grouped by section name, each group in the order given."""
    out: dict[str, list[Advice]] = {}
    for advice in advices:
        out.setdefault(advice.section, []).append(advice)
    return out

