"""What a respondent is told before the first question, and again in the invitation: the change
(the round's title and the what/why change facts HR entered), whether the round is anonymous,
how long it takes, until when, and whom to ask about privacy.

One function gathers these facts for the welcome page (web) and for the invitation (mail), so
both always say the same; the wording lives with each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from toolkit.core.questionnaire import Questionnaire
from toolkit.core.welcome import estimated_minutes, question_count
from toolkit.data.audit import audit
from toolkit.data.db import transaction
from toolkit.data.rounds import change_facts, get_round

PRIVACY_CONTACT_MAX_CHARS = 200


@dataclass(frozen=True)
class WelcomeFacts:
    """The facts of one round for its respondents.

    ``title``: the round's title, the change's name as HR gave it; ``what`` / ``why``: the change
    facts (one sentence each, '' when not entered); ``anonymous``: the round's mode;
    ``min_group``: the smallest group any figure is shown for; ``minutes``: the estimated time
    (`toolkit.core.welcome.estimated_minutes`); ``questions`` / ``pages``: counts of the
    questionnaire; ``contact``: the privacy contact ('' when neither the round nor the instance
    has one); ``closes_at``: the close time as stored (ISO UTC) or None.
    """

    title: str
    what: str
    why: str
    anonymous: bool
    min_group: int
    minutes: int
    questions: int
    pages: int
    contact: str
    closes_at: str | None


def welcome_facts(db: sqlite_utils.Database, round_: dict, q: Questionnaire,
                  default_contact: str | None = "") -> WelcomeFacts:
    """The facts for ``round_`` (a rounds row) answered with ``q``; ``default_contact`` is the
    instance's PRIVACY_CONTACT setting, used when the round has none of its own."""
    facts = change_facts(db, round_["id"])
    contact = (round_.get("privacy_contact") or default_contact or "").strip()
    return WelcomeFacts(
        title=round_["title"], what=facts["what"], why=facts["why"],
        anonymous=round_["mode"] != "identified", min_group=round_["min_group"],
        minutes=estimated_minutes(q), questions=question_count(q), pages=len(q.blocks),
        contact=contact, closes_at=round_["closes_at"],
    )


def save_privacy_contact(db: sqlite_utils.Database, round_id: int, contact: str,
                         user_id: int | None = None) -> str:
    """Store the round's privacy contact (a name, address or both; '' clears it so the instance's
    setting applies) and return it stripped. Raises ValueError over
    ``PRIVACY_CONTACT_MAX_CHARS`` characters and NotFound for an unknown round."""
    contact = " ".join((contact or "").split())
    if len(contact) > PRIVACY_CONTACT_MAX_CHARS:
        raise ValueError(f"the privacy contact can have at most {PRIVACY_CONTACT_MAX_CHARS} characters")
    get_round(db, round_id)
    with transaction(db):
        db.execute("UPDATE rounds SET privacy_contact = ? WHERE id = ?", [contact or None, round_id])
        audit(db, user_id, "edit", f"round {round_id}", "privacy contact")
    return contact
