"""Files read and checked, waiting for HR to confirm them: participant lists and answer files.

An upload is kept (table ``participant_uploads``, migration m010 adds its ``kind``) between the
upload and HR's confirmation on the preview page: a participant list as its checked rows, an
answer file as its read table, whose columns HR maps to items on the preview. Only the person
who uploaded sees it; it is deleted on confirm or cancel, after UPLOAD_MAX_AGE, and with the
round's data (`toolkit.services.retention`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlite_utils

from toolkit.core.intake import ParsedAnswers, parse_responses
from toolkit.core.mapping import Mapping
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.tabular import Table
from toolkit.data.db import iso, transaction, utcnow
from toolkit.data.responses import import_responses

UPLOAD_MAX_AGE = dt.timedelta(hours=24)
KINDS = ("participants", "answers")


def keep_upload(db: sqlite_utils.Database, round_id: int, user_id: int, kind: str, filename: str,
                payload) -> str:
    """Store ``payload`` (JSON-able: participant rows, or :func:`table_payload`) for the preview;
    returns the upload's random id. Uploads older than UPLOAD_MAX_AGE are deleted on the way."""
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    upload_id = secrets.token_urlsafe(16)
    with transaction(db):
        db.execute("DELETE FROM participant_uploads WHERE created_at < ?", [iso(utcnow() - UPLOAD_MAX_AGE)])
        db.execute(
            "INSERT INTO participant_uploads (id, round_id, user_id, kind, filename, rows, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [upload_id, round_id, user_id, kind, filename, json.dumps(payload, ensure_ascii=False), iso(utcnow())])
    return upload_id


def get_upload(db: sqlite_utils.Database, round_id: int, upload_id: str, user_id: int, kind: str) -> dict | None:
    """The upload (its row, with ``payload`` decoded) if this user made it for this round, else None."""
    rows = list(db.query(
        "SELECT * FROM participant_uploads WHERE id = ? AND round_id = ? AND user_id = ? AND kind = ?",
        [upload_id, round_id, user_id, kind]))
    if not rows:
        return None
    return {**rows[0], "payload": json.loads(rows[0]["rows"])}


def drop_upload(db: sqlite_utils.Database, upload_id: str) -> None:
    """Delete an upload (confirmed or cancelled)."""
    db.execute("DELETE FROM participant_uploads WHERE id = ?", [upload_id])


def table_payload(table: Table) -> dict:
    """A read answer file as stored with its upload (see :func:`table_from_payload`)."""
    return {"headers": table.headers, "rows": table.rows, "skipped": table.skipped,
            "skipped_rows": table.skipped_rows}


def table_from_payload(filename: str, payload: dict) -> Table:
    """The Table stored by :func:`table_payload`."""
    return Table(filename, payload["headers"], [(n, cells) for n, cells in payload["rows"]],
                 payload["skipped"], payload["skipped_rows"])


def examples(table: Table, per_column: int = 3) -> dict[str, list[str]]:
    """column -> its first ``per_column`` different non-empty values, for the preview."""
    found: dict[str, list[str]] = {h: [] for h in table.headers}
    for _number, cells in table.rows:
        for header, value in cells.items():
            if value and len(found[header]) < per_column and value not in found[header]:
                found[header].append(value)
    return found


def import_answer_upload(db: sqlite_utils.Database, round_: dict, q: Questionnaire, upload: dict,
                         mapping: Mapping, user_id: int) -> ParsedAnswers:
    """Check the uploaded answers through ``mapping`` and store them, all or none; the upload is
    then deleted, and the outcome variables it declares are recorded for the round. Returns what
    was parsed (responses stored, outcomes kept, rows skipped). Raises ImportProblem
    (nothing stored, the upload kept for another try)."""
    table = table_from_payload(upload["filename"], upload["payload"])
    parsed = parse_responses(q, table, mapping)
    import_responses(db, round_, q, parsed.responses, user_id=user_id, filename=upload["filename"],
                     variables=parsed.variables)
    drop_upload(db, upload["id"])
    return parsed
