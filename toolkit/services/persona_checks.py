"""Persona checks: create the check round of a persona set, and read what it found.

A check is an ordinary round whose questionnaire is generated from the set's persona cards
(:mod:`toolkit.core.persona_check`), so participants, invitations, anonymous or personal links,
reminders, closing and the publication rules of anonymous rounds are the round machinery's.
Figures come only from the responses that may be used (anonymous rounds: published at the
close) and follow :mod:`toolkit.core.privacy`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import sqlite_utils

from toolkit.briefs.text import catalogue
from toolkit.core.persona_check import (
    LANGUAGES,
    MAX_LINES,
    CheckCard,
    PersonaCheckResult,
    check_source,
    persona_results,
)
from toolkit.core.privacy import ShownCount, presentable_personas
from toolkit.core.questionnaire import parse_questionnaire
from toolkit.data.db import NotFound
from toolkit.data.persona_checks import (
    check_count,
    checks_of_sets,
    link_check,
    store_generated_questionnaire,
)
from toolkit.data.persona_sets import load_persona_set
from toolkit.data.responses import raw_answers
from toolkit.data.rounds import create_round, get_round, round_counts
from toolkit.services.cards import persona_cards
from toolkit.services.participants import import_participants


class CheckError(ValueError):
    """A persona check that cannot be made; the message says why."""


# A line that carries its own figure ends in "(n = 48 of 48 people)": respondents read the words.
_COUNT = re.compile(r"\s*\(n = [^()]*\)\s*$")


def _lines(lines) -> list[str]:
    return [_COUNT.sub("", line.text) for line in lines[:MAX_LINES]]


def check_cards(db: sqlite_utils.Database, round_: dict, persona_set: dict) -> list[CheckCard]:
    """The cards a check of ``persona_set`` (of ``round_``) shows, largest persona first: each
    shown persona's name, label and at most two drivers and two brakes, in Dutch and English,
    as the persona card says them (toolkit.services.cards), without their counts. Personas
    that may not be shown (toolkit.core.privacy) are left out."""
    by_lang = {lang: persona_cards(db, round_, persona_set, lang) for lang in LANGUAGES}
    cards = []
    for index, nl_card in enumerate(by_lang["nl"], start=1):
        content = {lang: by_lang[lang][index - 1].content for lang in LANGUAGES}
        cards.append(CheckCard(
            f"pc{index}", nl_card.persona_id, {k: c.name for k, c in content.items()},
            {k: c.label for k, c in content.items()}, {k: _lines(c.drivers) for k, c in content.items()},
            {k: _lines(c.brakes) for k, c in content.items()}))
    return cards


def create_check(db: sqlite_utils.Database, set_id: int, *, title: str = "", mode: str = "anonymous",
                 user_id: int | None = None) -> int:
    """Create a draft check round for persona set ``set_id`` and return its round id.

    ``title`` ('' for "Persona check: <round title>"); ``mode`` "anonymous" or "identified".
    The round takes the language and minimum group of the set's round; HR then adds its
    participants (a sample, :func:`invite_sample`, or the colleagues who were interviewed) and
    opens it as any round. Raises NotFound for an unknown set and CheckError when the set has
    no persona to show.
    """
    persona_set = load_persona_set(db, set_id)
    round_ = get_round(db, persona_set["round_id"])
    cards = check_cards(db, round_, persona_set)
    if not cards:
        raise CheckError("this persona set has no persona that may be shown, so there is nothing to check")
    translate = {lang: catalogue(lang).gettext for lang in LANGUAGES}
    source = check_source(cards, set_id, f"{set_id}.{check_count(db, set_id) + 1}", translate)
    q = parse_questionnaire(source.encode("utf-8"), f"persona check of set {set_id}")
    store_generated_questionnaire(db, q, source)  # create_round finds the text by its hash
    round_id = create_round(db, q, title.strip() or f"Persona check: {round_['title']}", mode=mode,
                            language=round_["language"], min_group=round_["min_group"], created_by=user_id)
    try:
        link_check(db, round_id, set_id, [{"prefix": c.prefix, "persona_id": c.persona_id} for c in cards], user_id)
    except Exception:
        db.execute("DELETE FROM rounds WHERE id = ?", [round_id])
        raise
    return round_id


def invite_sample(db: sqlite_utils.Database, check_id: int, size: int, secret_key: str, *,
                  user_id: int | None = None, rng: random.Random | None = None) -> int:
    """Make a random sample of ``size`` participants of the checked round (the round whose
    persona set check round ``check_id`` shows) the check's participants, each with a new
    personal link derived from ``secret_key``; return how many were added (fewer when the round
    has fewer participants). Their e-mail, name, team and language are copied, nothing else.
    ``rng`` only for tests (default: the operating system's randomness). Raises NotFound when
    ``check_id`` is not a persona check, ValueError for a size under 1, and
    toolkit.services.participants.ImportProblem when one of them is already in the check.
    """
    if size < 1:
        raise ValueError("a sample needs at least one person")
    row = db.execute("SELECT s.round_id FROM persona_checks c JOIN persona_sets s ON s.id = c.set_id "
                     "WHERE c.round_id = ?", [check_id]).fetchone()
    if row is None:
        raise NotFound(f"round {check_id} is not a persona check")
    people = [dict(zip(("email", "name", "team", "language"), p, strict=True)) for p in db.execute(
        "SELECT email, name, team, language FROM participants WHERE round_id = ? ORDER BY id", [row[0]])]
    chosen = (rng or random.SystemRandom()).sample(people, min(size, len(people)))
    rows = [{**p, "row": i + 2, "attributes": {}} for i, p in enumerate(chosen)]
    return import_participants(db, check_id, rows, secret_key, filename=f"sample of round {row[0]}",
                               user_id=user_id) if rows else 0


@dataclass(frozen=True)
class CheckSummary:
    """One check of a persona: ``round`` (the check round's row with ``count``, the
    :class:`ShownCount` of its responses), ``result`` (its :class:`PersonaCheckResult`) and
    ``waiting`` (True while an anonymous check is open: nothing is published before the close)."""

    round: dict
    result: PersonaCheckResult
    waiting: bool

    @property
    def count(self) -> ShownCount:
        """How many responses the check round may be said to have."""
        return self.round["count"]


def _summaries(db: sqlite_utils.Database, check: dict) -> dict[int, CheckSummary]:
    """persona id -> its summary, for one check row of :func:`checks_of_sets`."""
    round_ = round_counts(db, {k: v for k, v in check.items() if k not in ("set_id", "personas")})
    answers = raw_answers(db, round_["id"])
    waiting = round_["mode"] != "identified" and round_["status"] == "open"
    return {page["persona_id"]: CheckSummary(round_, persona_results(answers, page["prefix"], round_["min_group"]),
                                             waiting)
            for page in check["personas"]}


def persona_checks(db: sqlite_utils.Database, persona_id: int) -> list[CheckSummary]:
    """Every check of the set ``persona_id`` belongs to that showed this persona, newest
    first; an empty list for an unknown persona or a set never checked."""
    row = db.execute("SELECT set_id FROM personas WHERE id = ?", [persona_id]).fetchone()
    if row is None:
        return []
    return [s[persona_id] for check in checks_of_sets(db, [row[0]]) if persona_id in (s := _summaries(db, check))]


def programme_checks(db: sqlite_utils.Database, set_ids: list[int]) -> list[dict]:
    """The checks of persona sets ``set_ids`` (a programme's current sets), newest first, for the
    programme review: each {"round": the check round with ``count``, "set_round": the title of
    the checked round, "rows": [(persona name, CheckSummary), ...] largest persona first}."""
    result = []
    for check in checks_of_sets(db, set_ids):
        try:
            persona_set = load_persona_set(db, check["set_id"])
            source = get_round(db, persona_set["round_id"])
        except NotFound:
            continue
        summaries = _summaries(db, check)
        shown = presentable_personas(persona_set, source["min_group"])
        rows = [(p["name"], summaries[p["id"]]) for p in shown if p["id"] in summaries]
        first = next(iter(summaries.values()), None)
        result.append({"round": first.round if first else check, "set_round": source["title"], "rows": rows})
    return result
