"""Labels and names: what a persona is called, from the rules in personas.toml.

The first label rule that holds gives the label, otherwise the high/low phrases of the most
distinguishing constructs do; a rule already used by a larger persona is passed over. The
name is picked from the pool by a hash of where the label came from, so the same kind of
persona keeps its name from round to round, and ranks take turns over the name groups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from toolkit.core.personas.config import LABEL_LANGS, LabelRule, PersonaConfig
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.shapes import Persona, ProfileEntry


def _z_terms(q: Questionnaire, profile: Mapping[str, ProfileEntry]) -> dict[str, float]:
    """z per construct plus composites (mean of their constructs' z) for label rules."""
    z = {c: v["z"] for c, v in profile.items() if v["z"] is not None}
    for name, parts in q.composites.items():
        present = [z[p] for p in parts if p in z]
        if present and len(present) == len(parts):
            z[name] = float(np.mean(present))
    return z


def _fallback_label(q: Questionnaire, persona: Persona, config: PersonaConfig):
    top = persona["distinguishing"][: config.fallback_phrases]
    if not top:
        return dict(config.fallback_none), "fallback:none"
    label = {}
    for lang in LABEL_LANGS:
        phrases = []
        for d in top:
            construct = q.constructs[d["construct"]]
            texts = construct.high if d["direction"] == "high" else construct.low
            name = construct.name.get(lang, construct.id)
            phrases.append(texts.get(lang) or f"{name} {'+' if d['direction'] == 'high' else '-'}")
        text = config.fallback_join[lang].join(phrases)
        label[lang] = text[:1].upper() + text[1:]
    return label, "fallback:" + ",".join(f"{d['construct']}:{d['direction']}" for d in top)


def label_for(
    q: Questionnaire,
    persona: Persona,
    config: PersonaConfig,
    rules: Sequence[LabelRule],
    used: set[str] = frozenset(),
) -> tuple[dict[str, str], str]:
    """(label, source): the first rule that holds, else high/low phrases of top constructs.

    ``label`` maps language to text; ``source`` is "rule:<id>", "fallback:none" or
    "fallback:<construct>:<high|low>,...". A rule in ``used`` (already given to a larger
    persona) is passed over: two personas with one label would read as one persona counted
    twice.
    """
    z = _z_terms(q, persona["profile"])
    for rule in rules:
        if rule.id not in used and all(cond.holds(z) for cond in rule.conditions):
            return dict(rule.label), f"rule:{rule.id}"
    return _fallback_label(q, persona, config)


def pick_name(
    signature: str, groups: Sequence[Sequence[str]], rank: int, taken: set[str]
) -> str | None:
    """A free name for the persona at ``rank`` (0 = largest), or None when all are taken.

    Ranks take turns over the groups (women, men, ...), so every set mixes them; inside a
    group a hash of ``signature`` (the persona's label source) picks the name, so the same
    kind of persona tends to keep its name from round to round.
    """
    groups = [g for g in groups if g]
    if not groups:
        return None
    start = int(hashlib.sha256(signature.encode("utf-8")).hexdigest(), 16)
    for turn in range(len(groups)):
        pool = groups[(rank + turn) % len(groups)]
        for step in range(len(pool)):
            name = pool[(start + step) % len(pool)]
            if name not in taken:
                return name
    return None


def usable_rules(
    q: Questionnaire, dims: Sequence[str], config: PersonaConfig
) -> tuple[list[LabelRule], list[str]]:
    """(rules this instrument can evaluate, ids of the others).

    A rule is usable when every construct or composite it reads is among ``dims`` (a
    composite counts when all of its constructs are).
    """
    known = set(dims) | {name for name, parts in q.composites.items() if set(parts) <= set(dims)}
    usable, skipped = [], []
    for rule in config.rules:
        if all(t in known for cond in rule.conditions for t in cond.terms()):
            usable.append(rule)
        else:
            skipped.append(rule.id)
    return usable, skipped


def name_personas(
    q: Questionnaire,
    personas: list[Persona],
    config: PersonaConfig,
    rules: Sequence[LabelRule],
    names: Sequence[str] | None,
) -> dict[str, str]:
    """Give every persona (largest first) a name and a label, in place; return label sources.

    A single persona gets the overall label. ``names`` replaces the configured name pool;
    when the pool runs out a persona is called "Persona <rank>". Returns persona key -> the
    label's source (see :func:`label_for`; "overall" for the single persona).
    """
    name_groups = (tuple(names),) if names is not None else config.name_groups
    taken: set[str] = set()
    label_sources = {}
    used_rules: set[str] = set()
    for i, persona in enumerate(personas):
        if len(personas) == 1:
            label, source = dict(config.overall_label), "overall"
        else:
            label, source = label_for(q, persona, config, rules, used_rules)
            used_rules.add(source.removeprefix("rule:"))
        name = pick_name(source, name_groups, i, taken) or f"Persona {i + 1}"
        taken.add(name)
        persona["name"] = name
        persona["label"] = label
        label_sources[persona["key"]] = source
    return label_sources
