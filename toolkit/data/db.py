"""SQLite connections opened with WAL and a busy timeout; one reused per server thread.

Writes that belong together go through :func:`transaction`, which takes the write lock up front
(BEGIN IMMEDIATE) so two writers never deadlock half-way, and rolls back on any error so an
import or a derivation either lands whole or leaves the previous state untouched.

Web requests reuse one connection per thread (server threads live as long as their worker), because
opening a connection costs more than most requests: the PRAGMAs and reading the schema. The
reused connection is checked at the end of every request (no transaction left open) and
dropped after a database error or when the file at the path is no longer the same file.

At rest the files are the owner's only: a database this module creates starts as an empty 0600
file (SQLite gives its -wal and -shm the database's mode), and every connection runs with
`secure_delete`, so deleted drafts and rows are overwritten instead of lingering in free pages.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or written; the message says what to do."""


def explain(path: str | Path, exc: BaseException) -> str:
    """A sentence an administrator can act on, for an error SQLite or the OS gave on `path`."""
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (f"database {path} is damaged or is not a Persona Toolkit database ({text}); "
                "restore the latest backup with 'persona-toolkit restore FILE'")
    if "readonly" in lowered or "read-only" in lowered or "permission denied" in lowered:
        return (f"database {path} is read-only ({text}); the account running the toolkit needs write "
                f"access to the file and to its folder {Path(path).parent} (SQLite writes -wal and -shm files there)")
    if "disk is full" in lowered or "no space left" in lowered or "file too large" in lowered:
        return (f"no room to write {path} ({text}); free disk space on that volume, then start again "
                "(nothing that was saved before is lost)")
    if "unable to open" in lowered:
        return (f"cannot open database {path} ({text}); check that the folder {Path(path).parent} exists "
                "and the account running the toolkit may write in it")
    return f"cannot use database {path}: {text}"


def create_owner_only(path: str | Path) -> bool:
    """Create `path` as an empty file readable and writable by its owner only (0600).

    Returns False when it already existed (it is then left as it is). An empty file is a valid
    empty SQLite database, so a database created this way never exists with looser permissions.
    Raises OSError when the folder does not allow it.
    """
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE))
    except FileExistsError:
        return False
    return True


def database_files(path: str | Path) -> list[Path]:
    """The database and, when they exist, its -wal and -shm files."""
    path = Path(path)
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def restrict_to_owner(path: str | Path) -> None:
    """Take group and other permissions off an existing file or folder; the owner's stay as they are
    (a read-only database stays read-only). Raises OSError when the account does not own it."""
    path = Path(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(mode & 0o700)


def explain_folder(folder: str | Path, exc: OSError) -> str:
    """A sentence an administrator can act on when the instance ``folder`` itself cannot be written."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"instance folder {folder} is read-only ({exc.strerror}); the account running the toolkit needs "
                "write access to that folder (it holds the database, its -wal and -shm files, and config.py)")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"no room to write in instance folder {folder} ({exc.strerror}); free disk space on that volume"
    return f"cannot use instance folder {folder}: {exc.strerror or exc}"


def connect(path: str | Path, *, readonly_ok: bool = False) -> sqlite_utils.Database:
    """Open the SQLite file at `path` (created owner-only, 0600, when missing) the toolkit's way.

    Autocommit mode (transactions only through :func:`transaction`), WAL journal, foreign keys
    and secure_delete on, synchronous NORMAL and a busy timeout of BUSY_TIMEOUT_MS (10,000 ms);
    usable from any thread. Raises DatabaseUnavailable, with a sentence an administrator can act
    on, when the folder does not exist, the file cannot be created, SQLite cannot open or read
    it, or it cannot switch to WAL (read-only) unless `readonly_ok` is True.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"instance folder {path.parent} does not exist: run 'persona-toolkit init-db' "
            "or set PERSONA_TOOLKIT_INSTANCE to an existing folder"
        )
    conn = None
    try:
        create_owner_only(path)
    except OSError as exc:
        raise DatabaseUnavailable(explain(path, exc)) from exc
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise DatabaseUnavailable(explain(path, exc)) from exc
    if mode != "wal" and not readonly_ok:
        conn.close()
        raise DatabaseUnavailable(f"database {path} could not switch to WAL mode (got {mode}); is it read-only?")
    return sqlite_utils.Database(conn)


_WRITER = threading.RLock()


@contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception. Use plain SQL inside."""
    conn = db.conn
    # Threads of one process queue here instead of in SQLite's busy handler, which sleeps in
    # steps of up to 100 ms while the write lock is taken: with 8 server threads writing
    # answers that sleeping, not the writing, was what limited throughput.
    with _WRITER:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")


def write(db: sqlite_utils.Database, sql: str, parameters=()) -> list:
    """One write statement, applied whole by SQLite without a transaction of ours; its RETURNING rows.

    It queues on the same in-process lock as :func:`transaction`: SQLite's own wait for a busy
    database sleeps 1, 2, 5 … ms between tries, which with 8 threads of one process writing
    answers cost more than the writing (other processes still meet that wait; their writes
    are single statements of well under a millisecond). Inside a transaction (the lock is
    re-entrant) it simply runs.
    """
    with _WRITER:
        return db.execute(sql, parameters).fetchall()


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    """SQLite's own check of the whole file (PRAGMA integrity_check): [] when sound.

    Otherwise one line per problem SQLite found, as it words them. Reads every page, so it
    takes time on a large database.
    """
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


# --- Flask glue -------------------------------------------------------------------------

_per_thread = threading.local()


def _file_identity(path: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return path, st.st_dev, st.st_ino


def thread_connection(path: str) -> sqlite_utils.Database:
    """This thread's connection to `path`, opened once and reused while the file stays the same.

    One connection per thread at most: a thread that moves to another database (tests do)
    closes the previous one.
    """
    identity = _file_identity(path)
    cached = getattr(_per_thread, "cached", None)
    if cached is not None:
        if identity is not None and cached[0] == identity:
            return cached[1]
        drop_thread_connection()
    db = connect(path)
    _per_thread.cached = (_file_identity(path), db)
    return db


_inherited: list = []


def forget_thread_connection() -> None:
    """In a freshly forked process: stop using the parent's connection, without closing it
    (closing would act on SQLite state that belongs to the parent), so it is kept referenced."""
    cached = getattr(_per_thread, "cached", None)
    if cached is not None:
        _inherited.append(cached)
    _per_thread.cached = None


def drop_thread_connection() -> None:
    """Close this thread's reused connection, if it has one; the next request opens a new one.

    Used after a request ended in a database error, when this thread moves to another database
    file, and before the server starts its workers.
    """
    cached = getattr(_per_thread, "cached", None)
    _per_thread.cached = None
    if cached is not None:
        cached[1].conn.close()


class NotFound(LookupError):
    """The thing asked for does not exist (shown as 'not found', never a traceback)."""


def utcnow() -> dt.datetime:
    """Now in UTC, to the second (what every stored time is)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime | None) -> str | None:
    """``moment`` as stored: ISO 8601 in UTC to the second; None stays None."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None
