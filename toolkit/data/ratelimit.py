"""A fixed-window counter in SQLite, shared by every worker process (login, link guessing)."""

from __future__ import annotations

import time

import sqlite_utils

from toolkit.data.db import transaction


def hit(db: sqlite_utils.Database, key: str, limit: int, window_seconds: float, now: float | None = None) -> bool:
    """Count one attempt for `key`; return False once `limit` attempts fall in the window."""
    now = time.time() if now is None else now
    with transaction(db):
        row = db.execute("SELECT window_start, count FROM rate_limits WHERE key = ?", [key]).fetchone()
        if row is None or now - row[0] >= window_seconds:
            db.execute("INSERT OR REPLACE INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", [key, now])
            return True
        db.execute("UPDATE rate_limits SET count = count + 1 WHERE key = ?", [key])
        return row[1] + 1 <= limit


def reset(db: sqlite_utils.Database, key: str) -> None:
    db.execute("DELETE FROM rate_limits WHERE key = ?", [key])
