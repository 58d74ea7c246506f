"""Replacing a round's personas by a new derivation without losing people's work.

A set derived from the web waits as *pending* (toolkit.data.persona_sets) until someone has
seen what it changes (:func:`pending_review`) and confirms it (:func:`confirm`): personas that
continue an earlier one take over its name, hand-edited name and narrative
(toolkit.core.rederive); the earlier set stays readable, marked "replaced by". Or they keep
the current personas (:func:`discard`). The command line confirms at once, carrying over the
same way.
"""

from __future__ import annotations

import sqlite_utils

from toolkit.core.privacy import exportable_persona_set
from toolkit.core.rederive import ReplacementPlan, replacement_plan
from toolkit.data.db import NotFound
from toolkit.data.persona_sets import (
    activate_persona_set,
    current_persona_set,
    discard_persona_set,
    load_persona_set,
)
from toolkit.data.rounds import get_round, participant_first_names


def _plan(db: sqlite_utils.Database, round_id: int, set_id: int) -> tuple[dict | None, dict, ReplacementPlan]:
    round_ = get_round(db, round_id)
    new = load_persona_set(db, set_id)
    if new["round_id"] != round_id or not new["pending"]:
        raise NotFound(f"persona set {set_id} is not waiting for confirmation in round {round_id}")
    current = current_persona_set(db, round_id)
    # Only personas that may be shown take part: a hidden persona has no page, so no one wrote on it.
    after = exportable_persona_set(new, round_["min_group"])
    if current is None:
        return None, after, ReplacementPlan((), tuple(after["personas"]), (), ())
    before = exportable_persona_set(current, round_["min_group"])
    return before, after, replacement_plan(before, after, avoid=participant_first_names(db, round_id))


def pending_review(db: sqlite_utils.Database, round_id: int, set_id: int) -> dict:
    """What confirming pending set ``set_id`` of the round would change: {"current": the
    current set (shown personas) or None, "pending": the new set (shown personas), "plan":
    :class:`toolkit.core.rederive.ReplacementPlan`}. Raises NotFound when ``set_id`` is not a
    pending set of the round."""
    before, after, plan = _plan(db, round_id, set_id)
    return {"current": before, "pending": after, "plan": plan}


def confirm(db: sqlite_utils.Database, round_id: int, set_id: int, *, user_id: int | None) -> ReplacementPlan:
    """Make pending set ``set_id`` the round's current set, carrying names and narratives over
    to the personas that continue earlier ones; returns the plan that was applied. Raises
    NotFound when ``set_id`` is not a pending set of the round."""
    _before, _after, plan = _plan(db, round_id, set_id)
    activate_persona_set(db, round_id, set_id, names=plan.names, carried=plan.carried, user_id=user_id)
    return plan


def discard(db: sqlite_utils.Database, round_id: int, set_id: int, *, user_id: int | None) -> None:
    """Drop pending set ``set_id``; the round keeps its current personas. Raises NotFound when
    ``set_id`` is not a pending set of the round."""
    discard_persona_set(db, round_id, set_id, user_id=user_id)
