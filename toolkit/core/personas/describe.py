"""Describe each persona: preferences, ADKAR stages, context, outcomes, open answers -- privacy first.

``describe_personas`` adds a ``description`` (:class:`toolkit.core.shapes.PersonaDescription`)
to every persona of a set: what its members choose for communication and learning, where
they stand on the ADKAR stages (Hiatt 2006), which teams and role types they come from,
how they differ on the round's outcome variables (``outcomes.py``), and what they wrote in
the open questions. Every figure says how many people it rests on; a category with fewer
than the minimum group is left out and counted in ``suppressed``, and so is a context cell
that would give a small group away by subtraction across personas.

Only what was measured is described: ``asked`` says per section whether the instrument (or,
for context, the stored data) covers it, so pages and briefs leave out what was never asked
instead of reading an empty section as "no barrier" or "no preference".

Source: J. Hiatt (2006), *ADKAR: a model for change in business, government and our
community*, Prosci (awareness, desire, knowledge, ability, reinforcement; a score of 3 or
lower on the 1-5 self-check counts as a barrier).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from toolkit.core.coverage import ADKAR_BLOCK, CONTEXT_KEYS, instrument_coverage
from toolkit.core.open_themes import persona_open_themes
from toolkit.core.personas.merging import MIN_SIZE_FLOOR
from toolkit.core.personas.outcomes import profile_outcomes
from toolkit.core.personas.profiles import rounded
from toolkit.core.questionnaire import Item, Questionnaire
from toolkit.core.scoring import keyed_value, score_matrix
from toolkit.core.shapes import (
    AdkarStage,
    ChoiceShare,
    ContextCount,
    Persona,
    PersonaDescription,
    PersonaSet,
    PreferenceMean,
)
from toolkit.core.variables import Variable

ADKAR_BARRIER_MAX = 3
MAX_TEXTS = 5
MAX_TEXT_CHARS = 400
def _likert_value(q: Questionnaire, item: Item, value) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    scale = q.scales[item.scale]
    if not scale.min <= value <= scale.max:
        return None
    return keyed_value(q, item.id, value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word.replace('category', 'categories')}"


class _Describer:
    """Per persona summaries of one round; holds org-wide figures computed once."""

    def __init__(
        self,
        q: Questionnaire,
        answers_by_response: Mapping[str, dict],
        contexts_by_response: Mapping[str, dict] | None,
        everyone: list[str],
        min_group: int,
        min_quote_group: int,
        lang: str | None,
    ):
        """Score the ADKAR constructs of ``everyone`` (the set's members) once for all personas."""
        self.q = q
        self.answers = answers_by_response
        self.contexts = contexts_by_response or {}
        self.min_group = min_group
        self.min_quote_group = min_quote_group
        self.lang = lang
        self.adkar = [c.id for c in q.constructs.values() if c.block == ADKAR_BLOCK]
        self.adkar_scores: dict[str, np.ndarray] = {}
        if self.adkar and everyone:
            m = score_matrix(q, {rid: self.answers.get(rid, {}) for rid in everyone}, self.adkar)
            self.adkar_row = {rid: i for i, rid in enumerate(m.response_ids)}
            self.adkar_values = m.values
        else:
            self.adkar_row, self.adkar_values = {}, np.empty((0, len(self.adkar)))
        self.everyone = everyone
        self.asked = instrument_coverage(q)
        # Looked up once, not per respondent per persona (a round can have 100 000 members).
        self._items: dict[str, Item | None] = {}
        self._org_likert: dict[str, list[int]] = {}
        self._context_values: dict[str, dict[str, str | None]] = {}

    def cover(self, variables: Sequence[Variable]) -> None:
        """Complete ``asked``: context known from stored data counts, and the variables profiled."""
        for key in CONTEXT_KEYS:
            if not self.asked[f"context.{key}"]:
                self.asked[f"context.{key}"] = any(
                    (self.contexts.get(rid) or {}).get(key) not in (None, "") for rid in self.everyone
                )
        self.asked["context"] = any(self.asked[f"context.{key}"] for key in CONTEXT_KEYS)
        self.asked["outcomes"] = bool(variables)

    def item(self, role: str) -> Item | None:
        """The first item with ``role``, or None when the instrument has none."""
        if role not in self._items:
            found = self.q.items_with_role(role)
            self._items[role] = found[0] if found else None
        return self._items[role]

    def choices(
        self, role: str, members: Sequence[str], path: str, suppressed: list[str]
    ) -> list[ChoiceShare]:
        """Options of the choice item with ``role`` among ``members``, most chosen first.

        Shares are of the members who answered; options chosen by fewer than the minimum
        group are left out and counted under ``path`` in ``suppressed``.
        """
        item = self.item(role)
        if item is None or item.type not in ("single", "multi"):
            return []
        values = [o.value for o in item.options]
        valid = set(values)
        counts = dict.fromkeys(values, 0)
        answered = 0
        for rid in members:
            value = self.answers.get(rid, {}).get(item.id)
            chosen = (
                {value}
                if isinstance(value, str)
                else set(value)
                if isinstance(value, list)
                else set()
            )
            chosen &= valid
            if chosen:
                answered += 1
                for v in chosen:
                    counts[v] += 1
        entries, hidden = [], 0
        for index, v in enumerate(values):
            if counts[v] == 0:
                continue
            if counts[v] < self.min_group:
                hidden += 1
                continue
            entry = {"value": v, "n": counts[v], "share": rounded(counts[v] / answered)}
            if self.lang:
                entry["label"] = item.option(v).label.get(self.lang, v)
            entries.append((-counts[v], index, entry))
        if hidden:
            suppressed.append(f"{path}: {_plural(hidden, 'category')} under {self.min_group}")
        return [e for *_, e in sorted(entries, key=lambda t: (t[0], t[1]))]

    def likert(
        self, role: str, members: Sequence[str], path: str, suppressed: list[str]
    ) -> PreferenceMean | None:
        """Mean answer to the likert item with ``role`` (keyed), members and everyone.

        None when the instrument has no such likert item; the members' mean is None when
        fewer than the minimum group answered.
        """
        item = self.item(role)
        if item is None or item.type != "likert":
            return None

        def values(rids):
            out = [
                _likert_value(self.q, item, self.answers.get(rid, {}).get(item.id)) for rid in rids
            ]
            return [v for v in out if v is not None]

        if item.id not in self._org_likert:
            self._org_likert[item.id] = values(self.everyone)
        mine, org = values(members), self._org_likert[item.id]
        org_mean = rounded(float(np.mean(org))) if org else None
        if len(mine) < self.min_group:
            if mine:
                suppressed.append(f"{path}: fewer than {self.min_group} answers")
            return {"mean": None, "n": len(mine), "org_mean": org_mean}
        return {"mean": rounded(float(np.mean(mine))), "n": len(mine), "org_mean": org_mean}

    def adkar_stages(self, members: Sequence[str], suppressed: list[str]) -> list[AdkarStage]:
        """One entry per ADKAR construct: mean, organisation mean and share at a barrier."""
        if not self.adkar:
            return []
        rows = [self.adkar_row[rid] for rid in members if rid in self.adkar_row]
        mine = self.adkar_values[rows]
        stages = []
        for j, stage in enumerate(self.adkar):
            col = mine[:, j]
            col = col[~np.isnan(col)]
            org = self.adkar_values[:, j]
            org = org[~np.isnan(org)]
            entry = {
                "stage": stage,
                "mean": None,
                "org_mean": rounded(float(org.mean())) if org.size else None,
                "barrier_share": None,
                "n": int(col.size),
            }
            if col.size >= self.min_group:
                entry["mean"] = rounded(float(col.mean()))
                entry["barrier_share"] = rounded(float((col <= ADKAR_BARRIER_MAX).mean()))
            elif col.size:
                suppressed.append(f"adkar.{stage}: fewer than {self.min_group} answers")
            stages.append(entry)
        return stages

    def context_value(self, rid: str, key: str) -> str | None:
        """A respondent's context ``key`` (team, role, ...): stored context, else the ctx item.

        Whitespace is collapsed; None when unknown, blank, or not an option of the item.
        Worked out once per respondent and key (each persona's table and the check across
        personas both ask).
        """
        known = self._context_values.setdefault(key, {})
        if rid not in known:
            known[rid] = self._context_value(rid, key)
        return known[rid]

    def _context_value(self, rid: str, key: str) -> str | None:
        value = (self.contexts.get(rid) or {}).get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            item = self.item(f"ctx_{key}")
            value = self.answers.get(rid, {}).get(item.id) if item else None
            if item and item.type == "single" and item.option(str(value)) is None:
                value = None
        if value is None:
            return None
        value = " ".join(str(value).split())
        return value or None

    def context(
        self, members: Sequence[str], suppressed: list[str]
    ) -> dict[str, list[ContextCount]]:
        """Per context key, the categories with at least the minimum group, largest first."""
        out = {}
        for key in CONTEXT_KEYS:
            counts: dict[str, int] = {}
            for rid in members:
                value = self.context_value(rid, key)
                if value is not None:
                    counts[value] = counts.get(value, 0) + 1
            shown = sorted(
                ((v, c) for v, c in counts.items() if c >= self.min_group),
                key=lambda vc: (-vc[1], vc[0]),
            )
            hidden = sum(1 for c in counts.values() if c < self.min_group)
            if hidden:
                suppressed.append(
                    f"context.{key}: {_plural(hidden, 'category')} under {self.min_group}"
                )
            out[key] = [{"value": v, "n": c} for v, c in shown]
        return out

    def texts(self, roles: Sequence[str], members: Sequence[str]) -> list[str]:
        """Up to MAX_TEXTS cleaned, distinct answers; roles take turns so each is heard."""
        per_role = []
        for role in roles:
            found: dict[str, str] = {}
            for item in self.q.items_with_role(role):
                for rid in members:
                    value = self.answers.get(rid, {}).get(item.id)
                    if not isinstance(value, str):
                        continue
                    text = " ".join(value.split())
                    if not text:
                        continue
                    if len(text) > MAX_TEXT_CHARS:
                        text = text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
                    found.setdefault(text.casefold(), text)
            # Hash order: deterministic, and not "whoever answered first" (ids can be dated).
            ordered = sorted(found.values(), key=lambda t: hashlib.sha256(t.encode()).hexdigest())
            per_role.append(ordered)
        out: list[str] = []
        for i in range(MAX_TEXTS):
            for texts in per_role:
                if i < len(texts) and len(out) < MAX_TEXTS:
                    out.append(texts[i])
        return out

    def describe(self, persona: Persona) -> PersonaDescription:
        """The description of one persona (shape: :class:`PersonaDescription`)."""
        members = persona["members"]
        suppressed: list[str] = []
        description = {
            "communication": {
                "channels": self.choices(
                    "comm_channels", members, "communication.channels", suppressed
                ),
                "messenger": self.choices(
                    "comm_messenger", members, "communication.messenger", suppressed
                ),
                "frequency": self.choices(
                    "comm_frequency", members, "communication.frequency", suppressed
                ),
                "detail": self.likert("comm_detail", members, "communication.detail", suppressed),
                "involvement": self.likert(
                    "comm_involvement", members, "communication.involvement", suppressed
                ),
            },
            "learning": {
                "format": self.choices("learn_format", members, "learning.format", suppressed),
                "pace": self.choices("learn_pace", members, "learning.pace", suppressed),
                "time": self.choices("learn_time", members, "learning.time", suppressed),
                "digital": self.likert("learn_digital", members, "learning.digital", suppressed),
            },
            "adkar": self.adkar_stages(members, suppressed),
            "context": self.context(members, suppressed),
            "situations": [],
            "quotes": [],
            "suppressed": suppressed,
            "asked": dict(self.asked),
            "outcomes": [],
        }
        if len(members) >= self.min_quote_group:
            description["situations"] = self.texts(("open_situation",), members)
            description["quotes"] = self.texts(("open_help", "open_worry"), members)
        return description


def describe_personas(
    persona_set: PersonaSet,
    q: Questionnaire,
    answers_by_response: Mapping[str, dict],
    contexts_by_response: Mapping[str, dict] | None = None,
    *,
    min_group: int = 5,
    min_quote_group: int = 10,
    lang: str | None = None,
    variables: Sequence[Variable] | None = None,
    values_by_response: Mapping[str, Mapping[str, object]] | None = None,
) -> PersonaSet:
    """A copy of ``persona_set`` with a ``description`` per persona (:class:`PersonaDescription`).

    ``answers_by_response`` maps response id -> answers (item id -> value, as stored);
    ``contexts_by_response`` maps response id -> stored context ({"team": ...}), or None.
    Organisation figures (``org_mean``) are over all members of the set; respondents left out
    of the set (too many missing answers) count nowhere, they are reported as excluded. Choice
    shares are of the members who answered that question. Categories with fewer than
    ``min_group`` people are left out and counted in ``suppressed``; open answers appear only
    for personas with at least ``min_quote_group`` members. ``lang`` adds option labels in
    that language. ``open_themes``: themes and recurring situations in the open answers
    (:func:`toolkit.core.open_themes.persona_open_themes`). ``variables`` are the outcome
    variables to profile (default: those the questionnaire declares), ``values_by_response``
    maps response id -> variable id -> value (see
    :func:`toolkit.core.personas.outcomes.profile_outcomes`).

    Raises ValueError when ``min_group`` is below 5 (privacy floor), ``min_quote_group`` is
    below ``min_group``, or ``lang`` is not a language of the questionnaire.
    """
    if min_group < MIN_SIZE_FLOOR:
        raise ValueError(f"min_group must be at least {MIN_SIZE_FLOOR} (privacy floor)")
    if min_quote_group < min_group:
        raise ValueError("min_quote_group cannot be below min_group")
    if lang is not None and lang not in q.languages:
        raise ValueError(
            f"language '{lang}' is not in the questionnaire ({', '.join(q.languages)})"
        )
    result = copy.deepcopy(persona_set)
    everyone = [rid for p in result["personas"] for rid in p["members"]]
    variables = list(q.outcomes.values()) if variables is None else list(variables)
    describer = _Describer(
        q, answers_by_response, contexts_by_response, everyone, min_group, min_quote_group, lang
    )
    describer.cover(variables)
    for persona in result["personas"]:
        persona["description"] = describer.describe(persona)
    _suppress_context_across_personas(result, describer, min_group)
    outcomes = profile_outcomes(result["personas"], variables, values_by_response or {}, min_group)
    themes = persona_open_themes(q, answers_by_response, {p["key"]: p["members"] for p in result["personas"]},
                                 min_group=min_group, min_quote_group=min_quote_group)
    for persona in result["personas"]:
        persona["description"]["outcomes"] = outcomes[persona["key"]]
        persona["description"]["open_themes"] = themes[persona["key"]]
    return result


def _suppress_context_across_personas(
    persona_set: PersonaSet,
    describer: _Describer,
    min_group: int,
) -> None:
    """Hide context cells that would give away a small group by subtraction across personas.

    A team's size among the set's members can be known (the response rate per team shows the
    respondents; the set reports how many were excluded). When the personas together show all
    but 1-4 of that team's members, those few are known to sit in the remaining persona(s);
    so the smallest shown cells of that category are hidden until the unexplained rest is
    empty or at least ``min_group``. Respondents excluded from the set are not members of
    any persona: they are counted as excluded, not as a hidden part of a persona.
    """
    for key in CONTEXT_KEYS:
        totals: dict[str, int] = {}
        for rid in describer.everyone:
            value = describer.context_value(rid, key)
            if value is not None:
                totals[value] = totals.get(value, 0) + 1
        for value, total in totals.items():
            cells = [
                (p, cell)
                for p in persona_set["personas"]
                for cell in p["description"]["context"][key]
                if cell["value"] == value
            ]
            rest = total - sum(cell["n"] for _p, cell in cells)
            cells.sort(key=lambda pc: pc[1]["n"])
            while cells and 0 < rest < min_group:
                persona, cell = cells.pop(0)
                persona["description"]["context"][key].remove(cell)
                persona["description"]["suppressed"].append(
                    f"context.{key}: 1 category hidden so that a smaller group cannot be worked out"
                )
                rest += cell["n"]
