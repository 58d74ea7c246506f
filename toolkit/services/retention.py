"""Deleting personal data: whole rounds after their retention period, or one participant on request.

What stays after a purge is what a works council agreed to keep: the round itself and its
persona sets (group-level figures for groups of at least the minimum size). Verbatim quotes are
answers, so they go with the answers; so do the field notes from conversations.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from toolkit.core.open_themes import drop_verbatim, verbatim_count
from toolkit.data.audit import audit
from toolkit.data.db import NotFound, transaction, utcnow
from toolkit.data.rounds import get_round


def _moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def purge_due(round_: dict) -> dt.datetime | None:
    """When the round's answers and participant data are deleted (None: no close date yet)."""
    if not round_.get("closes_at"):
        return None
    return _moment(round_["closes_at"]) + dt.timedelta(days=int(round_["retention_days"]))


def _held(db: sqlite_utils.Database, round_id: int) -> dict[str, int]:
    one = lambda sql: db.execute(sql, [round_id]).fetchone()[0]  # noqa: E731
    return {
        "responses": one("SELECT count(*) FROM responses WHERE round_id = ?"),
        "participants": one("SELECT count(*) FROM participants WHERE round_id = ?"),
        "drafts": one("SELECT count(*) FROM drafts WHERE round_id = ?"),
        "pending uploads": one("SELECT count(*) FROM participant_uploads WHERE round_id = ?")
        if "participant_uploads" in db.table_names() else 0,
        "field notes": one("SELECT count(*) FROM field_notes WHERE round_id = ?"),  # issue 22: heard, not figures
        "quotes": sum(
            1 for (evidence,) in db.execute(
                "SELECT p.evidence FROM personas p JOIN persona_sets s ON s.id = p.set_id WHERE s.round_id = ?",
                [round_id])
            if _has_verbatim(json.loads(evidence))
        ),
    }


def _has_verbatim(evidence: dict) -> bool:
    description = evidence.get("description") or {}
    return bool(description.get("quotes") or description.get("situations")
                or verbatim_count(description.get("open_themes")))


def purge_round(db: sqlite_utils.Database, round_id: int, *, user_id: int | None = None, reason: str = "") -> dict[str, int]:
    """Delete every answer, response, draft and participant of a round in one transaction."""
    with transaction(db):
        held = _held(db, round_id)
        if not any(held.values()):
            return held
        response_ids = "SELECT id FROM responses WHERE round_id = ?"
        db.execute(f"DELETE FROM answers WHERE response_id IN ({response_ids})", [round_id])
        db.execute(f"DELETE FROM scores WHERE response_id IN ({response_ids})", [round_id])
        db.execute(f"DELETE FROM assignments WHERE response_id IN ({response_ids})", [round_id])
        db.execute("DELETE FROM responses WHERE round_id = ?", [round_id])
        db.execute("DELETE FROM drafts WHERE round_id = ?", [round_id])
        db.execute("DELETE FROM completed_links WHERE round_id = ?", [round_id])
        db.execute("DELETE FROM outbox WHERE round_id = ?", [round_id])
        db.execute("DELETE FROM participants WHERE round_id = ?", [round_id])
        db.execute("DELETE FROM field_notes WHERE round_id = ?", [round_id])  # their persona links cascade
        if held["pending uploads"]:
            db.execute("DELETE FROM participant_uploads WHERE round_id = ?", [round_id])
        for persona_id, evidence in db.execute(
            "SELECT p.id, p.evidence FROM personas p JOIN persona_sets s ON s.id = p.set_id WHERE s.round_id = ?",
            [round_id],
        ).fetchall():
            evidence = json.loads(evidence)
            if _has_verbatim(evidence):
                evidence["description"].update(quotes=[], situations=[])
                drop_verbatim(evidence["description"].get("open_themes"))
                db.execute("UPDATE personas SET evidence = ? WHERE id = ?",
                           [json.dumps(evidence, ensure_ascii=False), persona_id])
        detail = ", ".join(f"{n} {what}" for what, n in held.items() if n)
        audit(db, user_id, "delete", f"round {round_id}", f"{reason}: {detail}" if reason else detail)
    return held


def purge_expired(db: sqlite_utils.Database, now: dt.datetime | None = None) -> dict[int, dict[str, int]]:
    """Purge every round whose retention period after closing has passed; return what went, per round."""
    now = now or utcnow()
    purged = {}
    for round_ in db.query("SELECT id, closes_at, retention_days FROM rounds WHERE closes_at IS NOT NULL ORDER BY id"):
        due = purge_due(round_)
        if due is not None and due <= now:
            held = purge_round(db, round_["id"], reason=f"retention period of {round_['retention_days']} days ended")
            if any(held.values()):
                purged[round_["id"]] = held
    return purged


# --- one participant (a data subject's request) ------------------------------------------------


def participant_data(db: sqlite_utils.Database, round_id: int, participant_id: int) -> dict:
    """Everything the toolkit holds about one participant of a round, as plain data.

    Identified rounds: contact details, messages, whether they responded and their answers.
    Anonymous rounds: contact details and the invitation only, with a note. Whether they answered
    is not held with them (and a reminder would tell it: it goes only to those who had not), so
    this export cannot serve anyone as a way to find out who answered.
    Raises NotFound when the participant is not in the round.
    """
    rows = list(db.query("SELECT * FROM participants WHERE id = ? AND round_id = ?", [participant_id, round_id]))
    if not rows:
        raise NotFound(f"participant {participant_id} is not in round {round_id}")
    p = rows[0]
    round_ = get_round(db, round_id)
    identified = round_["mode"] == "identified"
    data = {
        "round": {"id": round_id, "title": round_["title"], "mode": round_["mode"]},
        "participant": {
            "email": p["email"], "name": p["name"], "team": p["team"], "language": p["language"],
            "attributes": json.loads(p["attributes"] or "{}"), "invited_at": p["invited_at"],
        },
        "messages": [
            {"kind": m["kind"], "status": m["status"], "due_at": m["due_at"], "sent_at": m["sent_at"]}
            for m in db.query("SELECT * FROM outbox WHERE participant_id = ? ORDER BY id", [participant_id])
            if identified or m["kind"] == "invitation"
        ],
        "responses": [],
    }
    if identified:
        data["participant"]["responded"] = bool(p["responded"])
        data["responses"] = _identified_responses(db, participant_id)
    else:
        data["note"] = ("anonymous round: answers are not linked to participants and whether this person "
                        "answered is not recorded with them, so neither can be included; reminders are "
                        "left out because they went only to people who had not answered yet")
    return data


def _identified_responses(db: sqlite_utils.Database, participant_id: int) -> list[dict]:
    result = []
    for r in db.query("SELECT * FROM responses WHERE participant_id = ? ORDER BY submitted_on", [participant_id]):
        answers = {item: value for item, value in db.execute(
            "SELECT item_id, value FROM answers WHERE response_id = ? ORDER BY item_id", [r["id"]])}
        personas = [key for (key,) in db.execute(
            "SELECT a.persona_key FROM assignments a JOIN persona_sets s ON s.id = a.set_id "
            "WHERE a.response_id = ? AND s.current = 1", [r["id"]])]
        result.append({"submitted_on": r["submitted_on"], "team": r["team"],
                       "attributes": json.loads(r["attributes"] or "{}"),
                       "answers": answers, "persona": personas[0] if personas else None})
    return result


def delete_participant(db: sqlite_utils.Database, round_id: int, participant_id: int, *, user_id: int | None) -> dict:
    """Delete one participant, their messages and (identified rounds) their responses."""
    with transaction(db):
        row = db.execute("SELECT id FROM participants WHERE id = ? AND round_id = ?", [participant_id, round_id]).fetchone()
        if row is None:
            raise NotFound(f"participant {participant_id} is not in round {round_id}")
        responses = [r for (r,) in db.execute("SELECT id FROM responses WHERE participant_id = ?", [participant_id])]
        for rid in responses:
            for table in ("answers", "scores", "assignments"):
                db.execute(f"DELETE FROM {table} WHERE response_id = ?", [rid])
        db.execute("DELETE FROM responses WHERE participant_id = ?", [participant_id])
        messages = db.execute("DELETE FROM outbox WHERE participant_id = ?", [participant_id]).rowcount
        db.execute("DELETE FROM participants WHERE id = ?", [participant_id])
        done = {"responses": len(responses), "messages": messages}
        audit(db, user_id, "delete", f"participant {participant_id} of round {round_id}",
                    f"{done['responses']} responses, {done['messages']} messages")
    return done
