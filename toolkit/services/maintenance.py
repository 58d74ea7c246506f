"""Backup, restore and the retention purge: the admin's maintenance commands.

`backup` uses SQLite's online backup API, so it is consistent while the web app and the
scheduler keep writing. `restore` checks the file first (PRAGMA integrity_check, our tables,
known migrations), keeps a copy of the current database, and copies the backup in through the
same API, so other processes see either the old or the restored database, never a mix.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import sqlite_utils

from toolkit.data import migrations
from toolkit.data.db import OWNER_ONLY_FOLDER, connect, create_owner_only

REQUIRED_TABLES = ("_migrations", "users", "rounds", "participants", "responses", "answers", "audit")


class BackupProblem(ValueError):
    """The file cannot be used as a backup; the message says why."""


def backup_database(db: sqlite_utils.Database, out: Path) -> Path:
    """Copy the live database to `out` (a single self-contained file, no -wal needed).

    The copy is the owner's only from its first byte (0600), and so is a folder this creates
    (0700). Raises BackupProblem when `out` exists, OSError when it cannot be written.
    """
    out = Path(out)
    if out.exists():
        raise BackupProblem(f"{out} already exists; choose a new file name so no backup is overwritten")
    if not out.parent.exists():
        out.parent.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a crash: it may have been made with other permissions
    create_owner_only(partial)
    target = sqlite3.connect(str(partial))
    try:
        db.conn.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
    partial.replace(out)  # a crash leaves a .partial file, never a half backup under the real name
    return out


def check_backup(path: Path) -> list[str]:
    """Why `path` is not a usable backup of this toolkit (empty list: it is)."""
    path = Path(path)
    if not path.is_file():
        return [f"{path} does not exist"]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                return [f"{path} fails SQLite's integrity check: {'; '.join(result[:5])}"]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                return [f"{path} is not a Persona Toolkit database: tables {', '.join(missing)} are missing"]
            known = {f.__name__ for f in migrations._discover()}
            unknown = [r[0] for r in conn.execute("SELECT name FROM _migrations") if r[0] not in known]
            if unknown:
                return [f"{path} comes from a newer version of the toolkit (unknown schema steps: "
                        f"{', '.join(unknown)}); upgrade the toolkit first"]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"{path} is not a readable SQLite database ({exc})"]
    return []


def restore_database(live_path: Path, backup: Path, keep_dir: Path) -> Path:
    """Replace the live database with `backup`; return where the previous database was kept."""
    problems = check_backup(backup)
    if problems:
        raise BackupProblem("; ".join(problems))
    live = connect(live_path)
    try:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        kept = backup_database(live, Path(keep_dir) / f"before-restore-{stamp}.db")
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            source.backup(live.conn, pages=1024)
        finally:
            source.close()
        migrations.migrate(live)  # an older backup is brought up to the current schema
        from toolkit.data.audit import audit

        audit(live, None, "restore", "database", f"from {backup}; previous database kept as {kept}")
    finally:
        live.conn.close()
    return kept
