"""Labels and names: what a persona is called, from the rules in personas.toml.

The first label rule that holds gives the label, otherwise the high/low phrases of the most
distinguishing constructs do; a rule already used by a larger persona is passed over, and a
label text already given to a larger persona is made distinct (more phrases, else a number):
two personas with one label would read as one persona counted twice.

The name is drawn at random from the pool, with a generator seeded from the data (never from
the label): a name says nothing about the kind of persona, so no first name is tied to a
"negative" persona, and the same answers still get the same names. Ranks take turns over the
name groups (women, men, ...). Names that are first names of the round's own participants are
never drawn: nobody should find their own name on a persona.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

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


def _fallback_label(q: Questionnaire, persona: Persona, config: PersonaConfig, phrases: int | None = None):
    top = persona["distinguishing"][: phrases or config.fallback_phrases]
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
    rng: np.random.Generator,
    groups: Sequence[Sequence[str]],
    rank: int,
    taken: Collection[str],
    avoid: Collection[str] = (),
) -> str | None:
    """A free name for the persona at ``rank`` (0 = largest), drawn with ``rng``; None when none is free.

    Ranks take turns over the groups (women, men, ...), so every set mixes them; the first
    group is drawn too. ``taken`` holds names given already; ``avoid`` casefolded first names
    that may not be drawn (the round's participants).
    """
    groups = [g for g in groups if g]
    if not groups:
        return None
    offset = int(rng.integers(len(groups)))
    for turn in range(len(groups)):
        pool = groups[(rank + offset + turn) % len(groups)]
        free = [name for name in pool if name not in taken and name.casefold() not in avoid]
        if free:
            return free[int(rng.integers(len(free)))]
    return None


def _clashes(label: Mapping[str, str], used: Mapping[str, set[str]]) -> bool:
    return any(text.casefold() in used.get(lang, set()) for lang, text in label.items())


def distinct_label(
    q: Questionnaire,
    persona: Persona,
    config: PersonaConfig,
    label: dict[str, str],
    source: str,
    used: Mapping[str, set[str]],
) -> tuple[dict[str, str], str]:
    """(label, source) whose text no larger persona has (``used``: language -> casefolded texts).

    A clashing label is replaced by the high/low phrases of more distinguishing constructs;
    when even all of them clash, the label gets a number: "... (2)" (source "...#2").
    """
    if not _clashes(label, used):
        return label, source
    for phrases in range(config.fallback_phrases + 1, len(persona["distinguishing"]) + 1):
        longer, longer_source = _fallback_label(q, persona, config, phrases)
        if not _clashes(longer, used):
            return longer, longer_source
    number = 2
    while _clashes({lang: f"{text} ({number})" for lang, text in label.items()}, used):
        number += 1
    return {lang: f"{text} ({number})" for lang, text in label.items()}, f"{source}#{number}"


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
    *,
    seed: int = 0,
    avoid: Collection[str] = (),
) -> dict[str, str]:
    """Give every persona (largest first) a name and a label, in place; return label sources.

    A single persona gets the overall label; labels are distinct within the set. ``names``
    replaces the configured name pool; ``seed`` (int >= 0, derived from the data) seeds the
    name draw; ``avoid`` lists first names never to use (compared casefolded). When the pool
    runs out a persona is called "Persona <rank>". Returns persona key -> the label's source
    (see :func:`label_for`; "overall" for the single persona).
    """
    name_groups = (tuple(names),) if names is not None else config.name_groups
    rng = np.random.default_rng([seed, 104729])
    avoid = {a.casefold() for a in avoid}
    taken: set[str] = set()
    label_sources = {}
    used_rules: set[str] = set()
    used_texts: dict[str, set[str]] = {}
    for i, persona in enumerate(personas):
        if len(personas) == 1:
            label, source = dict(config.overall_label), "overall"
        else:
            label, source = label_for(q, persona, config, rules, used_rules)
            used_rules.add(source.removeprefix("rule:"))
            label, source = distinct_label(q, persona, config, label, source, used_texts)
        for lang, text in label.items():
            used_texts.setdefault(lang, set()).add(text.casefold())
        name = pick_name(rng, name_groups, i, taken, avoid) or f"Persona {i + 1}"
        taken.add(name)
        persona["name"] = name
        persona["label"] = label
        label_sources[persona["key"]] = source
    return label_sources
