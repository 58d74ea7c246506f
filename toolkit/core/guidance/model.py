"""Guidance rules: persona profile condition → advice for communication or training.

Why rules are data: change managers and trainers know what works in their organisation
better than we do. They edit ``questionnaires/guidance.toml`` (nl and en) without touching
Python, and every piece of advice a brief prints says which condition triggered it and with
which figure and n ("because change efficacy is 0.8 points below the organisation
(2.6 vs 3.4, n = 34)"). A reader can check the advice against the data, and disagree.

Conditions are a small declarative form, never evaluated code::

    when = [{construct = "change_efficacy", diff_below = -0.4}]
    when = [{adkar = "ability", barrier_share_above = 0.4}]
    when = [{preference = "comm_detail", mean_below = 2.5}]
    when = [{choice = "comm_channels", value = "team_meeting", share_above = 0.4}]
    when = [{choice = "learn_format", top_share_above = 0.35}]
    when = [{persona = "level", diff_below = -0.3}]

All conditions of a rule must hold. A statement resting on fewer than ``min_group`` people
never counts as evidence, so advice cannot leak a small group. Each (audience, section)
needs at least one ``default = true`` rule, shown when no other rule of that section fires,
so a brief never has an empty section. Rules without ``when`` (and not default) always apply;
the module sequence uses them for its standard steps.

Pure module: no Flask, no database.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import paths
from toolkit.core.numbers import finite_float as _f

GUIDANCE_PATH = paths.QUESTIONNAIRES / "guidance.toml"

SECTIONS: dict[str, tuple[str, ...]] = {
    "communication": (
        "key_messages",
        "tone",
        "channels",
        "frequency",
        "involve",
        "questions",
        "avoid",
        "triggers",
        "watch",
    ),
    "training": ("gaps", "format", "pace", "digital", "support", "sequence", "group", "evaluate"),
}
ASPECTS = ("why", "what", "how", "wiifm")  # key messages: why, what, how, what is in it for me

# Where describe_personas puts each preference / choice (see docs/architecture.md).
PREFERENCES = {
    "comm_detail": ("communication", "detail"),
    "comm_involvement": ("communication", "involvement"),
    "learn_digital": ("learning", "digital"),
}
CHOICES = {
    "comm_channels": ("communication", "channels"),
    "comm_messenger": ("communication", "messenger"),
    "comm_frequency": ("communication", "frequency"),
    "learn_format": ("learning", "format"),
    "learn_pace": ("learning", "pace"),
    "learn_time": ("learning", "time"),
    "ctx_role": ("context", "role"),
    "ctx_tenure": ("context", "tenure"),
    "ctx_age": ("context", "age"),
}
PERSONA_FIELDS = ("level",)  # the persona's overall level against the organisation

_SCORE_OPS = ("mean_below", "mean_above", "diff_below", "diff_above")
OPERATORS: dict[str, tuple[str, ...]] = {
    "construct": _SCORE_OPS + ("z_below", "z_above"),
    "adkar": _SCORE_OPS + ("barrier_share_above", "barrier_share_below"),
    "preference": _SCORE_OPS,
    "choice": ("share_above", "share_below", "top", "top_share_above"),
    "persona": _SCORE_OPS,
}
# The figure each operator compares, used in the citation.
_FIGURE = {
    "mean_below": "mean",
    "mean_above": "mean",
    "diff_below": "diff",
    "diff_above": "diff",
    "z_below": "z",
    "z_above": "z",
    "barrier_share_above": "share",
    "barrier_share_below": "share",
    "share_above": "share",
    "share_below": "share",
    "top": "share",
    "top_share_above": "share",
}
RULE_KEYS = {
    "id",
    "audience",
    "section",
    "aspect",
    "priority",
    "order",
    "when",
    "default",
    "text",
    "answer",
}
TOP_KEYS = {"version", "languages", "settings", "negative_constructs", "names", "reasons", "rules"}
SETTINGS_DEFAULTS = {"max_per_section": 3, "notable_diff": 0.3, "barrier_share": 0.4}
REASON_KEYS = ("because", "join", "general", "standard") + tuple(sorted(set(_FIGURE)))

# Placeholders rule texts may use. {name} is the persona's name; the subject placeholders
# come from the rule's first condition; the top_* ones from the persona's description.
SUBJECT_PLACEHOLDERS = (
    "subject",
    "mean",
    "org_mean",
    "diff",
    "abs_diff",
    "share",
    "n",
    "value",
    "z",
)
TOP_PLACEHOLDERS = {
    "top_channel": "comm_channels",
    "top_messenger": "comm_messenger",
    "top_frequency": "comm_frequency",
    "top_format": "learn_format",
    "top_pace": "learn_pace",
    "top_time": "learn_time",
}
PLACEHOLDERS = ("name",) + SUBJECT_PLACEHOLDERS + tuple(TOP_PLACEHOLDERS)
REASON_PLACEHOLDERS = SUBJECT_PLACEHOLDERS + ("reasons",)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class GuidanceError(ValueError):
    """A guidance file that cannot be used; ``problems`` lists every reason, each naming the
    file and the rule, so one read of the message is enough to fix them all."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {self.path}: {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s) in guidance rules\n{lines}")


@dataclass(frozen=True)
class Condition:
    kind: str  # construct | adkar | preference | choice | persona
    subject: str  # construct id, ADKAR stage, role, or persona field
    op: str  # one of OPERATORS[kind]
    threshold: float | None  # None for "top"
    value: str | None = None  # choice option value


@dataclass(frozen=True)
class Rule:
    id: str
    audience: str
    section: str
    aspect: str | None
    priority: int
    order: int
    conditions: tuple[Condition, ...]
    default: bool
    text: dict[str, str]
    answer: dict[str, str] | None = None


@dataclass(frozen=True)
class GuidanceRules:
    rules: tuple[Rule, ...]
    languages: tuple[str, ...]
    settings: dict[str, float]
    negative_constructs: frozenset[str]
    names: dict[str, dict[str, str]]
    reasons: dict[str, dict[str, str]]
    path: str

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def evaluate(self, persona: dict, lang: str, **kwargs) -> list[Advice]:
        return evaluate(self, persona, lang, **kwargs)


@dataclass(frozen=True)
class Evidence:
    """One figure behind a piece of advice: what was compared, the value, and how many people."""

    kind: str
    subject: str
    subject_name: str
    op: str
    figure: float
    n: int
    text: str  # the rendered reason, e.g. "change efficacy is 0.8 points below …, n = 34"


@dataclass(frozen=True)
class Advice:
    rule_id: str
    audience: str
    section: str
    aspect: str | None
    priority: int
    order: int
    text: str
    answer: str | None
    because: str  # the full citation, starting with "because" / "omdat"
    evidence: tuple[Evidence, ...]  # empty for default and standard advice
    default: bool


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


def load_guidance(path: str | Path | None = None) -> GuidanceRules:
    """Load and validate a guidance file; raise GuidanceError naming every problem."""
    path = Path(path) if path is not None else GUIDANCE_PATH
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise GuidanceError(path, [f"cannot read file: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise GuidanceError(path, [f"not UTF-8 text (byte {exc.start})"]) from exc
    return parse_guidance(text, path)


_CACHE: dict[tuple[str, int, int], GuidanceRules] = {}


def default_guidance() -> GuidanceRules:
    """The shipped rules, re-read only when the file changed (briefs ask for them often)."""
    stat = GUIDANCE_PATH.stat()
    key = (str(GUIDANCE_PATH), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_guidance(GUIDANCE_PATH)
    return _CACHE[key]


def parse_guidance(text: str, path: str | Path = "<text>") -> GuidanceRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidanceError(path, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    for key in sorted(set(data) - TOP_KEYS):
        problems.append(f"unknown top-level key '{key}' (expected: {', '.join(sorted(TOP_KEYS))})")

    languages = data.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) for x in languages)
    ):
        problems.append('missing \'languages\' (for example ["nl", "en"])')
        languages = ["nl", "en"]
    languages = tuple(languages)

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

    negative = data.get("negative_constructs") or []
    if not isinstance(negative, list) or not all(isinstance(x, str) for x in negative):
        problems.append("'negative_constructs' must be a list of construct ids")
        negative = []

    names = _texts_table(data.get("names") or {}, "names", languages, problems)
    reasons = _texts_table(data.get("reasons") or {}, "reasons", languages, problems)
    for key in REASON_KEYS:
        if key not in reasons:
            problems.append(f"reasons: missing '{key}' (one text per language)")
    for key, texts in reasons.items():
        if key not in REASON_KEYS:
            problems.append(f"reasons: unknown key '{key}' (expected: {', '.join(REASON_KEYS)})")
        for lang, value in texts.items():
            for ph in _placeholders(value):
                if ph not in REASON_PLACEHOLDERS:
                    problems.append(f"reasons.{key}.{lang}: unknown placeholder '{{{ph}}}'")

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
    )


def _parse_rule(
    raw: Any, index: int, languages, seen: set[str], problems: list[str]
) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"rule #{index + 1}: must be a table")
        return None
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
    where = f"rule '{rid}'"
    before = len(problems)
    for key in sorted(set(raw) - RULE_KEYS):
        problems.append(f"{where}: unknown key '{key}' (expected: {', '.join(sorted(RULE_KEYS))})")

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
    priority = raw.get("priority", 50)
    if not isinstance(priority, int) or isinstance(priority, bool):
        problems.append(f"{where}: priority must be a whole number, got {priority!r}")
        priority = 50
    order = raw.get("order", index)
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(f"{where}: order must be a whole number, got {order!r}")
        order = index
    default = raw.get("default", False)
    if not isinstance(default, bool):
        problems.append(f"{where}: default must be true or false")
        default = False

    raw_when = raw.get("when", [])
    if isinstance(raw_when, dict):
        raw_when = [raw_when]
    if not isinstance(raw_when, list):
        problems.append(f"{where}: 'when' must be a list of conditions")
        raw_when = []
    if default and raw_when:
        problems.append(
            f"{where}: a default rule has no 'when' (it applies when nothing else does)"
        )
    conditions = []
    for cond in raw_when:
        parsed = _parse_condition(cond, where, problems)
        if parsed is not None:
            conditions.append(parsed)

    text = _texts(raw.get("text"), where, "text", languages, problems)
    answer = None
    if section == "questions":
        answer = _texts(raw.get("answer"), where, "answer", languages, problems)
    elif raw.get("answer") is not None:
        problems.append(f"{where}: 'answer' only applies to questions rules")
    allowed = ("name",) if (default or not conditions) else PLACEHOLDERS
    for label, texts in (("text", text), ("answer", answer or {})):
        for lang, value in texts.items():
            for ph in _placeholders(value):
                if ph not in allowed:
                    hint = (
                        " (default and standard rules may only use {name}: they rest on no figure)"
                        if ph in PLACEHOLDERS
                        else f" (known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
                    )
                    problems.append(
                        f"{where}: {label}.{lang} uses unknown placeholder '{{{ph}}}'{hint}"
                    )
    if len(problems) > before:
        return None
    return Rule(
        id=rid,
        audience=audience,
        section=section,
        aspect=aspect,
        priority=priority,
        order=order,
        conditions=tuple(conditions),
        default=default,
        text=text,
        answer=answer,
    )


def _parse_condition(cond: Any, where: str, problems: list[str]) -> Condition | None:
    if not isinstance(cond, dict):
        problems.append(
            f"{where}: condition {cond!r} must be a table such as "
            '{construct = "change_efficacy", diff_below = -0.4}'
        )
        return None
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
    return Condition(kind, subject, op, None if threshold is None else float(threshold), value)


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


def _placeholders(text: str) -> list[str]:
    """Placeholder names in ``text``; a brace that is not part of {a_name} is reported as the
    pseudo-name it encloses, so "{name.__class__}" or a stray "{" is caught, not printed."""
    found = _PLACEHOLDER.findall(text)
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        found.append(rest[rest.find("{") if "{" in rest else rest.find("}"):][:30])
    return found


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _show(cond: dict) -> str:
    return "{" + ", ".join(f"{k} = {v!r}" for k, v in cond.items()) + "}"


# ---------------------------------------------------------------------------------------------
# Names and numbers shown to people (shared with briefs.py and charts.py)
# ---------------------------------------------------------------------------------------------


def construct_name(q, construct_id: str, lang: str) -> str:
    """The questionnaire's name for a construct in ``lang``; the id when unknown."""
    construct = getattr(q, "constructs", {}).get(construct_id) if q is not None else None
    if construct is not None:
        name = construct.name.get(lang) or next(iter(construct.name.values()), None)
        if name:
            return name
    return construct_id.replace("_", " ")


def option_label(q, role: str, value: str, lang: str) -> str:
    """The label of an option of the item with ``role``; the raw value for free text (teams)."""
    if q is not None and hasattr(q, "items_with_role"):
        for item in q.items_with_role(role):
            for option in item.options:
                if option.value == value:
                    return option.label.get(lang) or next(iter(option.label.values()), value)
    return str(value)


def number(value: float, lang: str, digits: int = 1) -> str:
    """A figure the way the reader writes it: 3,4 in Dutch, 3.4 in English."""
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace(".", ",") if lang == "nl" else text


def percent(share: float, lang: str) -> str:
    return f"{round(share * 100)}%"


def mid_sentence(name: str) -> str:
    """'Change efficacy' → 'change efficacy' inside a sentence; keeps acronyms (ADKAR)."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass
class _Fact:
    subject_name: str
    n: int
    mean: float | None = None
    org_mean: float | None = None
    diff: float | None = None
    z: float | None = None
    share: float | None = None
    value: str | None = None
    extra: dict = field(default_factory=dict)


def evaluate(
    rules: GuidanceRules,
    persona: dict,
    lang: str,
    *,
    overall: dict | None = None,
    q=None,
    min_group: int = 5,
    audience: str | None = None,
) -> list[Advice]:
    """Advice for one persona, in brief order (audience, section, aspect, priority).

    ``overall`` is the persona set's "overall" block (organisation means); ``q`` gives the
    construct and option names. Per section (and key-message aspect) the firing rules are
    kept up to ``settings.max_per_section`` (the module sequence keeps all), highest
    priority first; when none fire, the section's default rules apply instead.
    """
    if lang not in rules.languages:
        raise ValueError(
            f"guidance has no texts in '{lang}' (available: {', '.join(rules.languages)})"
        )
    ctx = _Context(rules, persona, lang, overall or {}, q, min_group)
    fired: dict[tuple, list[Advice]] = {}
    defaults: dict[tuple, list[Advice]] = {}
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

    cap = int(rules.settings["max_per_section"])
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
    """The single most important advice: highest-priority data-backed advice of the audience
    (likely questions excluded: they are not advice), else the first default."""
    candidates = [a for a in advices if a.audience == audience and a.section != "questions"]
    backed = [a for a in candidates if a.evidence]
    pool = backed or candidates
    if not pool:
        return None
    return min(pool, key=lambda a: (-a.priority, a.order))


def by_section(advices: list[Advice]) -> dict[str, list[Advice]]:
    out: dict[str, list[Advice]] = {}
    for advice in advices:
        out.setdefault(advice.section, []).append(advice)
    return out


class _Context:
    def __init__(
        self, rules: GuidanceRules, persona: dict, lang: str, overall: dict, q, min_group: int
    ):
        self.rules = rules
        self.persona = persona
        self.lang = lang
        self.overall = overall
        self.q = q
        self.min_group = max(int(min_group), 1)
        self.description = persona.get("description") or {}

    # -- facts -------------------------------------------------------------------------------

    def _ok_n(self, n) -> bool:
        return isinstance(n, int | float) and not isinstance(n, bool) and n >= self.min_group

    def _name(self, kind: str, subject: str) -> str:
        names = self.rules.names.get(subject)
        if kind in ("preference", "choice", "persona") and names:
            return names.get(self.lang) or subject
        return construct_name(self.q, subject, self.lang)

    def fact(
        self, kind: str, subject: str, value: str | None = None, op: str | None = None
    ) -> _Fact | None:
        """The figures behind a subject, or None when missing or resting on too few people."""
        name = self._name(kind, subject)
        if kind == "construct":
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
            return _Fact(
                name,
                int(entry["n"]),
                mean=mean,
                org_mean=_f(org),
                diff=_f(diff),
                z=_f(entry.get("z")),
            )
        if kind == "adkar":
            for entry in self.description.get("adkar") or []:
                if entry.get("stage") == subject and self._ok_n(entry.get("n")):
                    mean, org = _f(entry.get("mean")), _f(entry.get("org_mean"))
                    diff = mean - org if mean is not None and org is not None else None
                    return _Fact(
                        name,
                        int(entry["n"]),
                        mean=mean,
                        org_mean=org,
                        diff=diff,
                        share=_f(entry.get("barrier_share")),
                    )
            return None
        if kind == "preference":
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
            return _Fact(name, int(entry["n"]), mean=mean, org_mean=org, diff=diff)
        if kind == "choice":
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
            return _Fact(name, int(entry["n"]), share=_f(entry.get("share")), value=label)
        if kind == "persona":
            size = self.persona.get("size")
            if not self._ok_n(size):
                return None
            mean, org = _f(self.persona.get("level")), _f(self.overall.get("level"))
            if mean is None:
                return None
            return _Fact(
                name,
                int(size),
                mean=mean,
                org_mean=org,
                diff=mean - org if org is not None else None,
            )
        return None

    def check(self, cond: Condition) -> _Fact | None:
        fact = self.fact(cond.kind, cond.subject, cond.value, cond.op)
        if fact is None:
            return None
        figure = getattr(fact, _FIGURE[cond.op])
        if cond.op == "top":
            return fact
        if figure is None:
            return None
        t = cond.threshold
        holds = figure < t if cond.op.endswith("_below") else figure > t
        return fact if holds else None

    # -- rendering ---------------------------------------------------------------------------

    def _values(self, fact: _Fact) -> dict[str, str]:
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

    def render(self, rule: Rule, facts) -> Advice | None:
        lang = self.lang
        values: dict[str, str] = {"name": str(self.persona.get("name") or "")}
        if facts:
            values.update(self._values(facts[0][1]))
        evidence = []
        for cond, fact in facts:
            template = self.rules.reasons[cond.op][lang]
            reason_text = _fill(template, self._values(fact))
            if reason_text is None:
                return None
            figure = getattr(fact, _FIGURE[cond.op])
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
        for ph, role in TOP_PLACEHOLDERS.items():
            if ph in rule.text[lang] or (rule.answer and ph in rule.answer[lang]):
                top = self.fact("choice", role, op="top_share_above")
                if top is None:
                    return None  # the advice would rest on a figure we cannot show
                values[ph] = top.value
        text = _fill(rule.text[lang], values)
        answer = _fill(rule.answer[lang], values) if rule.answer else None
        if text is None or (rule.answer and answer is None):
            return None
        if evidence:
            joined = self.rules.reasons["join"][lang].join(e.text for e in evidence)
            because = _fill(self.rules.reasons["because"][lang], {"reasons": joined})
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


def _fill(template: str, values: Mapping[str, str]) -> str | None:
    """Replace {placeholders}; None when one has no value (never raises on user text)."""
    missing = False

    def sub(match: re.Match) -> str:
        nonlocal missing
        key = match.group(1)
        if key not in values:
            missing = True
            return match.group(0)
        return values[key]

    out = _PLACEHOLDER.sub(sub, template)
    return None if missing else out
