"""Rounds and the exact questionnaire text each round was created with."""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from toolkit.core.questionnaire import Questionnaire, parse_questionnaire
from toolkit.data.audit import audit
from toolkit.data.db import NotFound, iso, transaction, utcnow
from toolkit.data.responses import response_counts


def store_questionnaire_version(db: sqlite_utils.Database, q: Questionnaire) -> int:
    """Keep the exact instrument text with the data, so old rounds read after the file changes."""
    row = db.execute("SELECT id FROM questionnaire_versions WHERE file_hash = ?", [q.file_hash]).fetchone()
    if row:
        return row[0]
    with open(q.path, encoding="utf-8") as fh:
        source = fh.read()
    cur = db.execute(
        "INSERT INTO questionnaire_versions (questionnaire_id, version, file_hash, source, stored_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [q.id, q.version, q.file_hash, source, iso(utcnow())],
    )
    return cur.lastrowid


# Parsed instruments by the hash of their text: a hash names exactly one text, so this never
# goes stale, whichever database the process is looking at.
_by_hash: dict[str, Questionnaire] = {}


def round_questionnaire(db: sqlite_utils.Database, round_: dict) -> Questionnaire:
    """The instrument stored with the round. A caller that read `questionnaire_hash` along with the
    round (the respondent pages do, in the same query) is answered without another query."""
    known = _by_hash.get(round_.get("questionnaire_hash") or "")
    if known is not None:
        return known
    source, qid, version, file_hash = db.execute(
        "SELECT source, questionnaire_id, version, file_hash FROM questionnaire_versions WHERE id = ?",
        [round_["questionnaire_version_id"]],
    ).fetchone()
    q = _by_hash.get(file_hash)
    if q is None:
        q = parse_questionnaire(source.encode("utf-8"), f"{qid} v{version} (stored with round {round_['id']})")
        if len(_by_hash) < 256:
            _by_hash[file_hash] = q
    return q


def create_round(
    db: sqlite_utils.Database,
    q: Questionnaire,
    title: str,
    *,
    mode: str = "anonymous",
    language: str = "nl",
    min_group: int = 5,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    reminder_days: tuple[int, ...] = (3, 5),
    created_by: int | None = None,
    programme_id: int | None = None,
    round_kind: str = "baseline",
    min_answered_share: float | None = None,
) -> int:
    """Store a new round (status draft) with the exact questionnaire text; returns its id.

    ``min_answered_share``: the share (0-1] of the closed questions a respondent must answer
    before sending, or None for the default rule (`toolkit.core.completion`). Raises ValueError
    for an empty title, a minimum group under 5, a close before the open, or a share outside (0, 1].
    """
    title = title.strip()
    if not title:
        raise ValueError("a round needs a title")
    if min_group < 5:
        raise ValueError("the minimum group size cannot be below 5")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("the round must close after it opens")
    if min_answered_share is not None and not 0 < min_answered_share <= 1:
        raise ValueError("the minimum answered share lies between 0 and 1 (0 excluded)")
    with transaction(db):
        version_id = store_questionnaire_version(db, q)
        cur = db.execute(
            "INSERT INTO rounds (questionnaire_id, questionnaire_version_id, title, language, mode, "
            "opens_at, closes_at, reminder_days, min_group, created_by, created_at, programme_id, round_kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [q.id, version_id, title, language, mode, iso(opens_at), iso(closes_at),
             json.dumps(list(reminder_days)), min_group, created_by, iso(utcnow()), programme_id, round_kind],
        )
        round_id = cur.lastrowid
        if min_answered_share is not None:
            db.execute("UPDATE rounds SET min_answered_share = ? WHERE id = ?", [min_answered_share, round_id])
        audit(db, created_by, "create", f"round {round_id}", title)
    return round_id


def get_round(db: sqlite_utils.Database, round_id: int) -> dict:
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [round_id]))
    if not rows:
        raise NotFound(f"round {round_id} does not exist")
    return rows[0]


def list_rounds(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT r.*, (SELECT count(*) FROM responses WHERE round_id = r.id) AS responses, "
            "(SELECT count(*) FROM participants WHERE round_id = r.id) AS invited "
            "FROM rounds r ORDER BY r.id DESC"
        )
    )


def response_count(db: sqlite_utils.Database, round_id: int) -> int:
    return db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0]


def round_info(db: sqlite_utils.Database, round_: dict, q: Questionnaire, persona_set: dict | None) -> dict:
    """What the briefs need to know about a round (:class:`toolkit.core.shapes.RoundInfo`):
    among it the three counts -- ``invited``, ``answered_online``, ``imported`` -- and
    ``responses``, their total."""
    counts = response_counts(db, round_["id"])
    return {
        "id": round_["id"],
        "title": round_["title"],
        "questionnaire_title": q.title,
        "opens_at": round_["opens_at"],
        "closes_at": round_["closes_at"],
        "invited": counts.invited or None,
        "answered_online": counts.online,
        "imported": counts.imported,
        "responses": counts.total,
        "min_group": round_["min_group"],
        "review_due": (persona_set or {}).get("review_due"),
        "organisation": None,
    }
