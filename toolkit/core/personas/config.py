"""personas.toml: name pools, the level definition and the label rules, read and checked.

The file is the editable side of personas (see the comments in questionnaires/personas.toml):
an organisation changes names and labels there without touching Python. The loader reports
every problem at once, so one read of the message is enough to fix the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.core.questionnaire import QUESTIONNAIRE_DIR

PERSONAS_FILE = QUESTIONNAIRE_DIR / "personas.toml"
LABEL_LANGS = ("nl", "en")


class PersonaConfigError(ValueError):
    """personas.toml cannot be used; ``problems`` lists every reason.

    ``path`` is the file (as a string), ``problems`` one sentence per mistake; the message
    names the file and lists them all.
    """

    def __init__(self, path: str | Path, problems: list[str]):
        """Keep the path and the problems; the message lists every problem on its own line."""
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s)\n{lines}")


_CONDITION = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:-\s*([A-Za-z_][A-Za-z0-9_]*)\s*)?"
    r"(>=|<=|>|<)\s*([-+]?\d+(?:\.\d+)?)\s*$"
)
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


@dataclass(frozen=True)
class Condition:
    """``left [- right] op value`` on persona z-scores, e.g. ``change_efficacy <= -0.5``.

    ``left``/``right`` are construct or composite ids, ``op`` one of >=, <=, >, <, ``value``
    a threshold in standard deviations of the organisation, ``text`` the condition as written.
    """

    left: str
    right: str | None
    op: str
    value: float
    text: str

    def terms(self) -> tuple[str, ...]:
        """The construct or composite ids the condition reads (one or two)."""
        return (self.left,) if self.right is None else (self.left, self.right)

    def holds(self, z: Mapping[str, float]) -> bool:
        """True when the condition holds; a term without a z-score never satisfies it.

        ``z`` maps construct and composite ids to the persona's z-score (sd units).
        """
        if any(term not in z for term in self.terms()):
            return False
        value = z[self.left] - (z[self.right] if self.right else 0.0)
        return _OPS[self.op](value, self.value)


@dataclass(frozen=True)
class LabelRule:
    """One label rule: when every condition holds, the persona gets ``label``.

    ``id`` names the rule (recorded as ``rule:<id>`` in ``quality.labels``), ``label`` maps
    language to text, ``negative`` marks personas for whom the usual approach backfires.
    """

    id: str
    conditions: tuple[Condition, ...]
    label: dict[str, str]
    negative: bool = False


@dataclass(frozen=True)
class PersonaConfig:
    """The editable side of personas: name pools, level definition, label rules.

    ``name_groups``: pools of first names (e.g. women, men), Dutch and English interleaved;
    ``level_constructs``/``level_reversed``: the constructs averaged into the level and those
    mirrored on their scale; ``rules``: label rules in file order; ``fallback_*``: how a label
    is built when no rule holds; ``overall_label``: the label of the single profile (k = 1).
    """

    name_groups: tuple[tuple[str, ...], ...]  # e.g. (women, men); Dutch and English mixed
    level_constructs: tuple[str, ...]
    level_reversed: tuple[str, ...]
    rules: tuple[LabelRule, ...]
    fallback_join: dict[str, str]
    fallback_phrases: int
    fallback_none: dict[str, str]
    overall_label: dict[str, str]
    path: str

    def name_pool(self) -> tuple[str, ...]:
        """Every name of every group, in file order."""
        return tuple(dict.fromkeys(name for group in self.name_groups for name in group))


def _lang_texts(raw, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected texts for {', '.join(LABEL_LANGS)}")
        return {}
    for lang in LABEL_LANGS:
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            problems.append(f"{where}: missing {lang} text")
    return {lang: str(raw.get(lang, "")) for lang in LABEL_LANGS}


def _name_groups(data: dict[str, Any], problems: list[str]) -> list[tuple[str, ...]]:
    groups = []
    raw_names = data.get("names")
    if not isinstance(raw_names, dict) or not raw_names:
        problems.append("names: expected groups such as [names.women] and [names.men]")
        raw_names = {}
    for group_id, group in raw_names.items():
        if not isinstance(group, dict):
            problems.append(
                f"names.{group_id}: expected lists per language (nl = [...], en = [...])"
            )
            continue
        lists = []
        for lang, pool in group.items():
            if not isinstance(pool, list) or not all(
                isinstance(x, str) and x.strip() for x in pool
            ):
                problems.append(f"names.{group_id}.{lang}: expected a list of first names")
                pool = []
            lists.append([x.strip() for x in pool])
        # Languages interleaved, so a pick is as likely Dutch as English.
        merged = [
            pool[i]
            for i in range(max(map(len, lists), default=0))
            for pool in lists
            if i < len(pool)
        ]
        if not merged:
            problems.append(f"names.{group_id}: no names")
        groups.append(tuple(dict.fromkeys(merged)))
    return groups


def _level(data: dict[str, Any], problems: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    level = data.get("level") or {}
    level_constructs = tuple(level.get("constructs") or ())
    level_reversed = tuple(level.get("reversed") or ())
    for c in level_reversed:
        if c not in level_constructs:
            problems.append(f"level.reversed: '{c}' is not in level.constructs")
    return level_constructs, level_reversed


def _rule(i: int, raw, seen: set, problems: list[str]) -> LabelRule:
    rid = raw.get("id") or f"#{i + 1}"
    where = f"labels '{rid}'"
    if rid in seen:
        problems.append(f"{where}: duplicate id")
    seen.add(rid)
    conditions = []
    when = raw.get("when")
    if not isinstance(when, list) or not when:
        problems.append(f"{where}: 'when' must be a non-empty list of conditions")
        when = []
    for text in when:
        match = _CONDITION.match(str(text))
        if not match:
            problems.append(
                f"{where}: cannot read condition {text!r} "
                '(expected e.g. "change_efficacy <= -0.5" or "autonomous - controlled >= 0.5")'
            )
            continue
        left, right, op, value = match.groups()
        conditions.append(Condition(left, right, op, float(value), str(text).strip()))
    label = _lang_texts({k: raw.get(k) for k in LABEL_LANGS}, where, problems)
    return LabelRule(rid, tuple(conditions), label, bool(raw.get("negative", False)))


def _fallback(data: dict[str, Any], problems: list[str]) -> tuple[dict, int, dict[str, str]]:
    fallback = data.get("fallback") or {}
    join = fallback.get("join") or {"nl": "; ", "en": "; "}
    phrases = fallback.get("phrases", 2)
    if not isinstance(phrases, int) or phrases < 1:
        problems.append("fallback.phrases: expected a whole number of at least 1")
        phrases = 2
    none = _lang_texts(fallback.get("none"), "fallback.none", problems)
    return join, phrases, none


def load_persona_config(path: str | Path = PERSONAS_FILE) -> PersonaConfig:
    """Read and check personas.toml; raise PersonaConfigError naming every problem.

    ``path`` defaults to the shipped questionnaires/personas.toml. Raises PersonaConfigError
    when the file cannot be read, is not TOML, or has any mistake (all listed at once).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise PersonaConfigError(path, [f"cannot read file: {exc.strerror}"]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PersonaConfigError(path, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    groups = _name_groups(data, problems)
    level_constructs, level_reversed = _level(data, problems)
    seen: set = set()
    rules = [_rule(i, raw, seen, problems) for i, raw in enumerate(data.get("labels") or [])]
    join, phrases, none = _fallback(data, problems)
    overall = _lang_texts(data.get("overall"), "overall", problems)
    if problems:
        raise PersonaConfigError(path, problems)
    return PersonaConfig(
        name_groups=tuple(groups),
        level_constructs=level_constructs,
        level_reversed=level_reversed,
        rules=tuple(rules),
        fallback_join={lang: str(join.get(lang, "; ")) for lang in LABEL_LANGS},
        fallback_phrases=phrases,
        fallback_none=none,
        overall_label=overall,
        path=str(path),
    )
