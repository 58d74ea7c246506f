"""One SQLite connection per request or command, opened with WAL and a busy timeout.

Writes that belong together go through :func:`transaction`, which takes the write lock up front
(BEGIN IMMEDIATE) so two writers never deadlock half-way, and rolls back on any error so an
import or a derivation either lands whole or leaves the previous state untouched.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or written; the message says what to do."""


def connect(path: str | Path, *, readonly_ok: bool = False) -> sqlite_utils.Database:
    path = Path(path)
    if not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"instance folder {path.parent} does not exist: run 'persona-toolkit init-db' "
            "or set PERSONA_TOOLKIT_INSTANCE to an existing folder"
        )
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnavailable(f"cannot open database {path}: {exc}") from exc
    if mode != "wal" and not readonly_ok:
        raise DatabaseUnavailable(f"database {path} could not switch to WAL mode (got {mode}); is it read-only?")
    return sqlite_utils.Database(conn)


@contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception. Use plain SQL inside."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


# --- Flask glue -------------------------------------------------------------------------


def get_db() -> sqlite_utils.Database:
    from flask import current_app, g

    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
