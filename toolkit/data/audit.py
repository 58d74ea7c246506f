"""The audit log: who viewed, exported, edited or deleted what, and when."""

from __future__ import annotations

import sqlite_utils

from toolkit.data.db import iso, utcnow


def audit(db: sqlite_utils.Database, user_id: int | None, action: str, obj: str, detail: str = "") -> None:
    """Append one entry to the audit log (``obj`` e.g. "round 3"; never passwords or answers)."""
    db.execute(
        "INSERT INTO audit (at, user_id, action, object, detail) VALUES (?, ?, ?, ?, ?)",
        [iso(utcnow()), user_id, action, obj, detail],
    )
