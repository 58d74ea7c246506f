"""Read and check a guidance file (questionnaires/guidance.toml) into GuidanceRules.

The loader reports *every* problem at once, each naming the file and the rule, and never
evaluates text from the file: conditions are a small declarative form, placeholders a fixed
list. Each (audience, section) needs at least one ``default = true`` rule, so a brief never
has an empty section.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from toolkit.core.guidance import model
from toolkit.core.guidance.model import (
    ADKAR_STAGES,
    ASPECTS,
    CHOICES,
    CONSTRUCT_ROLES,
    OPERATORS,
    PERSONA_FIELDS,
    PLACEHOLDERS,
    PREFERENCES,
    REASON_KEYS,
    REASON_PLACEHOLDERS,
    RULE_KEYS,
    SECTIONS,
    SETTINGS_DEFAULTS,
    TOP_KEYS,
    TOP_PLACEHOLDERS,
    Condition,
    GuidanceError,
    GuidanceRules,
    Rule,
)
from toolkit.core.guidance.wording import placeholders

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_CACHE: dict[tuple[str, int, int], GuidanceRules] = {}


def load_guidance(path: str | Path | None = None) -> GuidanceRules:
    """Load and validate a guidance file; raise GuidanceError naming every problem.

    ``path`` defaults to the shipped questionnaires/guidance.toml. Raises GuidanceError when
    the file cannot be read, is not UTF-8 or TOML, or has any mistake (all listed at once).
    """
    path = Path(path) if path is not None else model.GUIDANCE_PATH
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise GuidanceError(path, [f"cannot read file: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise GuidanceError(path, [f"not UTF-8 text (byte {exc.start})"]) from exc
    return parse_guidance(text, path)


def default_guidance() -> GuidanceRules:
    """The shipped rules, re-read only when the file changed (briefs ask for them often).

    Raises OSError when the file is missing and GuidanceError when it is broken.
    """
    path = model.GUIDANCE_PATH
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_guidance(path)
    return _CACHE[key]


def parse_guidance(text: str, path: str | Path = "<text>") -> GuidanceRules:
    """Validate guidance TOML held in memory; ``path`` only names it in messages.

    Raises GuidanceError listing every problem (not TOML, unknown keys, missing
    translations, unknown placeholders, bad conditions, a section without a default rule).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidanceError(path, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    for key in sorted(set(data) - TOP_KEYS):
        problems.append(f"unknown top-level key '{key}' (expected: {', '.join(sorted(TOP_KEYS))})")
    languages = _languages(data, problems)
    settings = _settings(data, problems)
    negative = data.get("negative_constructs") or []
    if not isinstance(negative, list) or not all(isinstance(x, str) for x in negative):
        problems.append("'negative_constructs' must be a list of construct ids")
        negative = []
    roles = _construct_roles(data, problems)
    negative = set(negative) | {c for c, role in roles.items() if role == "amotivation"}
    names = _texts_table(data.get("names") or {}, "names", languages, problems)
    reasons = _reasons(data, languages, problems)
    rules = _rules(data, languages, problems)
    _check_defaults(rules, problems)
    _check_links(rules, problems)
    if problems:
        raise GuidanceError(path, problems)
    return GuidanceRules(
        rules=tuple(rules),
        languages=languages,
        settings=settings,
        negative_constructs=frozenset(negative),
        names=names,
        reasons=reasons,
        path=str(path),
        construct_roles=roles,
    )


def _construct_roles(data: dict, problems: list[str]) -> dict[str, str]:
    """construct id -> role from the ``[construct_roles]`` table, each role checked."""
    raw = data.get("construct_roles") or {}
    if not isinstance(raw, dict):
        problems.append("'construct_roles' must be a table of construct id = role")
        return {}
    roles = {}
    for construct, role in raw.items():
        if role not in CONSTRUCT_ROLES:
            problems.append(
                f"construct_roles: '{construct}' has role {role!r} "
                f"(expected one of {', '.join(CONSTRUCT_ROLES)})"
            )
        else:
            roles[construct] = role
    return roles


def _check_links(rules: list[Rule], problems: list[str]) -> None:
    """``yields_to`` names existing rules of the same audience without a cycle; a topic
    stays in one place."""
    _check_yields(rules, problems)
    _check_topics(rules, problems)


def _check_yields(rules: list[Rule], problems: list[str]) -> None:
    by_id = {r.id: r for r in rules}
    for rule in rules:
        for other in rule.yields_to:
            if other not in by_id:
                problems.append(f"rule '{rule.id}': yields_to names unknown rule '{other}'")
            elif other == rule.id:
                problems.append(f"rule '{rule.id}': a rule cannot yield to itself")
            elif by_id[other].audience != rule.audience:
                problems.append(
                    f"rule '{rule.id}': yields_to '{other}' is advice for another audience "
                    "(each brief is evaluated on its own)"
                )
    for rule in rules:
        if _yield_cycle(rule.id, by_id):
            problems.append(f"rule '{rule.id}': yields_to goes round in a circle back to it")


def _check_topics(rules: list[Rule], problems: list[str]) -> None:
    topics: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.topic is not None:
            topics.setdefault(rule.topic, []).append(rule)
    for topic, members in topics.items():
        places = {(r.audience, r.section, r.aspect) for r in members}
        if len(places) > 1:
            problems.append(
                f"topic '{topic}': its rules ({', '.join(r.id for r in members)}) must share "
                "audience, section and aspect"
            )
        fallbacks = [r.id for r in members if not r.conditions]
        if len(fallbacks) > 1:
            problems.append(
                f"topic '{topic}': more than one rule without conditions ({', '.join(fallbacks)})"
            )


def _yield_cycle(start: str, by_id: dict[str, Rule]) -> bool:
    """True when following ``yields_to`` from rule ``start`` leads back to it."""
    seen: set[str] = set()
    todo = list(by_id[start].yields_to)
    while todo:
        current = todo.pop()
        if current == start:
            return True
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        todo.extend(by_id[current].yields_to)
    return False


def _languages(data: dict, problems: list[str]) -> tuple[str, ...]:
    languages = data.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) for x in languages)
    ):
        problems.append('missing \'languages\' (for example ["nl", "en"])')
        languages = ["nl", "en"]
    return tuple(languages)


def _settings(data: dict, problems: list[str]) -> dict[str, float]:
    settings = dict(SETTINGS_DEFAULTS)
    raw_settings = data.get("settings") or {}
    if not isinstance(raw_settings, dict):
        problems.append("'settings' must be a table")
        raw_settings = {}
    for key, value in raw_settings.items():
        if key not in SETTINGS_DEFAULTS:
            problems.append(
                f"settings: unknown key '{key}' (expected: {', '.join(SETTINGS_DEFAULTS)})"
            )
        elif not _is_number(value):
            problems.append(f"settings: '{key}' must be a number, got {value!r}")
        else:
            settings[key] = value
    return settings


def _reasons(data: dict, languages, problems: list[str]) -> dict[str, dict[str, str]]:
    raw = data.get("reasons") or {}
    reasons = _texts_table(raw, "reasons", languages, problems)
    if isinstance(raw, dict) and isinstance(raw.get("join"), dict):
        # the joiner sits between two reasons: its spaces (" and ") are part of it
        reasons["join"] = {k: v for k, v in raw["join"].items() if isinstance(v, str) and v.strip()}
    for key in REASON_KEYS:
        if key not in reasons:
            problems.append(f"reasons: missing '{key}' (one text per language)")
    for key, texts in reasons.items():
        if key not in REASON_KEYS:
            problems.append(f"reasons: unknown key '{key}' (expected: {', '.join(REASON_KEYS)})")
        for lang, value in texts.items():
            for ph in placeholders(value):
                if ph not in REASON_PLACEHOLDERS:
                    problems.append(f"reasons.{key}.{lang}: unknown placeholder '{{{ph}}}'")
    return reasons


def _rules(data: dict, languages, problems: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("no [[rules]] found")
        raw_rules = []
    for index, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, index, languages, seen, problems)
        if rule is not None:
            rules.append(rule)
    return rules


def _check_defaults(rules: list[Rule], problems: list[str]) -> None:
    present = {
        (r.audience, r.section, r.aspect if r.section == "key_messages" else None)
        for r in rules
        if r.default
    }
    for audience, sections in SECTIONS.items():
        for section in sections:
            for aspect in ASPECTS if section == "key_messages" else (None,):
                if (audience, section, aspect) not in present:
                    what = f"{audience}/{section}" + (f" aspect '{aspect}'" if aspect else "")
                    problems.append(
                        f"{what}: no default rule (add one with default = true so the "
                        "brief never has an empty section)"
                    )


def _parse_rule(
    raw: Any, index: int, languages, seen: set[str], problems: list[str]
) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"rule #{index + 1}: must be a table")
        return None
    rid = _rule_id(raw, index, seen, problems)
    where = f"rule '{rid}'"
    before = len(problems)
    for key in sorted(set(raw) - RULE_KEYS):
        if key == "priority":
            problems.append(
                f"{where}: 'priority' is no longer used -- advice is ranked by the strength of "
                "its evidence; remove it"
            )
            continue
        problems.append(f"{where}: unknown key '{key}' (expected: {', '.join(sorted(RULE_KEYS))})")
    audience, section, aspect = _rule_place(raw, where, problems)
    order, default = _rule_numbers(raw, index, where, problems)
    conditions = _rule_conditions(raw, "when", where, default, problems)
    unless = _rule_conditions(raw, "unless", where, default, problems)
    yields_to, topic, stage = _rule_links(raw, where, conditions, problems)
    text, answer = _rule_texts(raw, where, section, languages, problems)
    # A default rests on no figure; a standard step may name the persona's most chosen
    # options (they are cited with it); a rule with conditions may use their figures.
    allowed = (
        ("name",)
        if default
        else PLACEHOLDERS
        if conditions
        else ("name",) + tuple(TOP_PLACEHOLDERS)
    )
    _check_placeholders(where, text, answer, allowed, problems)
    if len(problems) > before:
        return None
    return Rule(
        id=rid,
        audience=audience,
        section=section,
        aspect=aspect,
        order=order,
        conditions=tuple(conditions),
        default=default,
        text=text,
        answer=answer,
        unless=tuple(unless),
        yields_to=yields_to,
        topic=topic,
        stage=stage,
    )


def _rule_links(raw: dict, where: str, conditions: list[Condition], problems: list[str]):
    """(yields_to, topic, stage) as written, each checked; stage inferred when not given."""
    yields_to = raw.get("yields_to", [])
    if isinstance(yields_to, str):
        yields_to = [yields_to]
    if not isinstance(yields_to, list) or not all(isinstance(x, str) for x in yields_to):
        problems.append(f"{where}: yields_to must be a list of rule ids")
        yields_to = []
    topic = raw.get("topic")
    if topic is not None and (not isinstance(topic, str) or not _RULE_ID.match(topic)):
        problems.append(f"{where}: topic must be a short lowercase name, got {topic!r}")
        topic = None
    stage = raw.get("stage")
    if stage is not None and stage not in ADKAR_STAGES:
        problems.append(f"{where}: stage must be one of {', '.join(ADKAR_STAGES)}, got {stage!r}")
        stage = None
    if stage is None:
        stage = next((c.subject for c in conditions if c.kind == "adkar"), None)
        stage = stage if stage in ADKAR_STAGES else None
    return tuple(yields_to), topic, stage


def _rule_id(raw: dict, index: int, seen: set[str], problems: list[str]) -> str:
    rid = raw.get("id")
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        problems.append(
            f"rule #{index + 1}: missing or invalid 'id' {rid!r} (lowercase letters, "
            "digits, '.', '_' or '-')"
        )
        rid = f"#{index + 1}"
    elif rid in seen:
        problems.append(f"rule '{rid}': duplicate id")
    seen.add(rid)
    return rid


def _rule_place(raw: dict, where: str, problems: list[str]):
    """(audience, section, aspect) as written, each checked against SECTIONS and ASPECTS."""
    audience = raw.get("audience")
    if audience not in SECTIONS:
        problems.append(f"{where}: audience must be one of {', '.join(SECTIONS)}, got {audience!r}")
    section = raw.get("section")
    if audience in SECTIONS and section not in SECTIONS[audience]:
        problems.append(
            f"{where}: section {section!r} is not a {audience} section "
            f"(expected one of {', '.join(SECTIONS[audience])})"
        )
    aspect = raw.get("aspect")
    if section == "key_messages":
        if aspect not in ASPECTS:
            problems.append(
                f"{where}: key_messages rules need aspect = one of {', '.join(ASPECTS)}"
            )
    elif aspect is not None:
        problems.append(f"{where}: 'aspect' only applies to key_messages rules")
    return audience, section, aspect


def _rule_numbers(raw: dict, index: int, where: str, problems: list[str]):
    """(order, default), each replaced by its default when mistyped."""
    order = raw.get("order", index)
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(f"{where}: order must be a whole number, got {order!r}")
        order = index
    default = raw.get("default", False)
    if not isinstance(default, bool):
        problems.append(f"{where}: default must be true or false")
        default = False
    return order, default


def _rule_conditions(raw: dict, key: str, where: str, default: bool, problems: list[str]):
    """The conditions under ``key`` ("when" or "unless"), each parsed and checked."""
    raw_when = raw.get(key, [])
    if isinstance(raw_when, dict):
        raw_when = [raw_when]
    if not isinstance(raw_when, list):
        problems.append(f"{where}: '{key}' must be a list of conditions")
        raw_when = []
    if default and raw_when:
        problems.append(
            f"{where}: a default rule has no '{key}' (it applies when nothing else does)"
        )
    conditions = []
    for cond in raw_when:
        parsed = _parse_condition(cond, where, problems)
        if parsed is not None:
            conditions.append(parsed)
    return conditions


def _rule_texts(raw: dict, where: str, section, languages, problems: list[str]):
    text = _texts(raw.get("text"), where, "text", languages, problems)
    answer = None
    if section == "questions":
        answer = _texts(raw.get("answer"), where, "answer", languages, problems)
    elif raw.get("answer") is not None:
        problems.append(f"{where}: 'answer' only applies to questions rules")
    return text, answer


def _check_placeholders(where: str, text, answer, allowed, problems: list[str]) -> None:
    for label, texts in (("text", text), ("answer", answer or {})):
        for lang, value in texts.items():
            for ph in placeholders(value):
                if ph not in allowed:
                    hint = (
                        " (a default rule may only use {name} and a rule without conditions "
                        "also the top_* ones: they rest on no figure of a condition)"
                        if ph in PLACEHOLDERS
                        else f" (known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
                    )
                    problems.append(
                        f"{where}: {label}.{lang} uses unknown placeholder '{{{ph}}}'{hint}"
                    )


def _parse_condition(cond: Any, where: str, problems: list[str]) -> Condition | None:
    if not isinstance(cond, dict):
        problems.append(
            f"{where}: condition {cond!r} must be a table such as "
            '{construct = "change_efficacy", diff_below = -0.4}'
        )
        return None
    subject = _condition_subject(cond, where, problems)
    if subject is None:
        return None
    kind, name = subject
    test = _condition_test(cond, kind, where, problems)
    if test is None:
        return None
    op, threshold, value = test
    return Condition(kind, name, op, None if threshold is None else float(threshold), value)


def _condition_subject(cond: dict, where: str, problems: list[str]) -> tuple[str, str] | None:
    """(kind, subject) of a condition, or None after reporting why it cannot be read."""
    kinds = [k for k in OPERATORS if k in cond]
    if len(kinds) != 1:
        problems.append(
            f"{where}: condition {_show(cond)} needs exactly one of {', '.join(OPERATORS)}"
        )
        return None
    kind = kinds[0]
    subject = cond[kind]
    if not isinstance(subject, str) or not subject:
        problems.append(f"{where}: condition {_show(cond)}: '{kind}' must name a {kind}")
        return None
    if kind == "preference" and subject not in PREFERENCES:
        problems.append(
            f"{where}: unknown preference '{subject}' (known: {', '.join(PREFERENCES)})"
        )
        return None
    if kind == "choice" and subject not in CHOICES:
        problems.append(f"{where}: unknown choice '{subject}' (known: {', '.join(CHOICES)})")
        return None
    if kind == "persona" and subject not in PERSONA_FIELDS:
        problems.append(
            f"{where}: unknown persona field '{subject}' (known: {', '.join(PERSONA_FIELDS)})"
        )
        return None
    return kind, subject


def _condition_test(cond: dict, kind: str, where: str, problems: list[str]):
    """(op, threshold, value) of a condition, or None after reporting why it is wrong."""
    ops = [k for k in cond if k not in (kind, "value")]
    if len(ops) != 1 or ops[0] not in OPERATORS[kind]:
        problems.append(
            f"{where}: condition {_show(cond)} needs exactly one test out of "
            f"{', '.join(OPERATORS[kind])}"
        )
        return None
    op = ops[0]
    value = cond.get("value")
    if kind == "choice":
        needs_value = op in ("share_above", "share_below", "top")
        if needs_value and not isinstance(value, str):
            problems.append(f'{where}: condition {_show(cond)} needs value = "<option value>"')
            return None
        if not needs_value and value is not None:
            problems.append(f"{where}: condition {_show(cond)}: {op} takes no value")
            return None
    elif value is not None:
        problems.append(f"{where}: condition {_show(cond)}: 'value' only applies to choices")
        return None
    threshold = cond[op]
    if op == "top":
        if threshold is not True:
            problems.append(f"{where}: condition {_show(cond)}: write top = true")
            return None
        threshold = None
    elif not _is_number(threshold):
        problems.append(f"{where}: condition {_show(cond)}: {op} must be a number")
        return None
    elif "share" in op and not 0 <= threshold <= 1:
        problems.append(f"{where}: condition {_show(cond)}: a share is between 0 and 1")
        return None
    return op, threshold, value


def _texts(raw, where: str, field_name: str, languages, problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(
            f"{where}: missing '{field_name}' (one text per language: {', '.join(languages)})"
        )
        return {}
    for lang in languages:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: missing {lang} translation of '{field_name}'")
    return {k: v.strip() for k, v in raw.items() if isinstance(v, str)}


def _texts_table(raw, label: str, languages, problems) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        problems.append(f"'{label}' must be a table")
        return {}
    out = {}
    for key, texts in raw.items():
        out[key] = _texts(texts, f"{label}.{key}", "text", languages, problems)
    return out


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _show(cond: dict) -> str:
    return "{" + ", ".join(f"{k} = {v!r}" for k, v in cond.items()) + "}"
