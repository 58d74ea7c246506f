"""HR's own wording of a round's invitation and reminder, per language (table ``mail_texts``).

Only storage: checking that a text keeps its required placeholders, and filling them, is
`toolkit.mail.texts`. A round without a row for a kind and language uses the standard wording.
"""

from __future__ import annotations

import sqlite_utils

from toolkit.data.audit import audit
from toolkit.data.db import iso, transaction, utcnow

KINDS = ("invitation", "reminder")
LANGUAGES = ("nl", "en")


def stored_text(db: sqlite_utils.Database, round_id: int, kind: str, lang: str) -> tuple[str, str] | None:
    """(subject, body) HR saved for the round's ``kind`` in ``lang``, or None for the standard text."""
    row = db.execute("SELECT subject, body FROM mail_texts WHERE round_id = ? AND kind = ? AND language = ?",
                     [round_id, kind, lang]).fetchone()
    return (row[0], row[1]) if row else None


def customised(db: sqlite_utils.Database, round_id: int) -> set[tuple[str, str]]:
    """The (kind, language) pairs of the round that HR reworded."""
    return {(k, lang) for k, lang in db.execute(
        "SELECT kind, language FROM mail_texts WHERE round_id = ?", [round_id]).fetchall()}


def save_text(db: sqlite_utils.Database, round_id: int, kind: str, lang: str, subject: str, body: str,
              user_id: int | None = None) -> None:
    """Store HR's wording (already checked by `toolkit.mail.texts.problems`). Raises ValueError for
    a kind outside ``KINDS`` or a language outside ``LANGUAGES``."""
    if kind not in KINDS or lang not in LANGUAGES:
        raise ValueError(f"no editable text for {kind!r} in {lang!r}")
    with transaction(db):
        db.execute(
            "INSERT INTO mail_texts (round_id, kind, language, subject, body, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, kind, language) DO UPDATE SET "
            "subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            [round_id, kind, lang, subject, body, iso(utcnow()), user_id],
        )
        audit(db, user_id, "edit", f"round {round_id}", f"{kind} text ({lang})")


def reset_text(db: sqlite_utils.Database, round_id: int, kind: str, lang: str, user_id: int | None = None) -> bool:
    """Go back to the standard wording; True when HR's own text was removed."""
    with transaction(db):
        cur = db.execute("DELETE FROM mail_texts WHERE round_id = ? AND kind = ? AND language = ?",
                         [round_id, kind, lang])
        if cur.rowcount:
            audit(db, user_id, "edit", f"round {round_id}", f"{kind} text ({lang}) back to the standard")
    return cur.rowcount == 1
