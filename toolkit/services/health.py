"""Is this instance fit to run? Integrity, schema version, write access and free disk space.

Files readable by other accounts (the instance folder, the database and its -wal and -shm, the
backups folder) are a problem too: they hold the answers.

`persona-toolkit check` prints every finding and exits 1 when something needs fixing, so it
fits a monitoring probe or a systemd ExecStartPre. `serve` runs the same checks (with SQLite's
quicker variant of the integrity check) and refuses to start with the reason, instead of
failing on the first respondent's answer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.data import migrations
from toolkit.data.db import DatabaseUnavailable, connect, database_files, explain, explain_folder

MIN_FREE_MB = 200  # a round of 5 000 respondents with drafts and backups stays well below this
PROBE_BYTES = 1024 * 1024


@dataclass
class HealthReport:
    """What `check_instance` found: `facts` that are fine and `problems` that need fixing.

    Both are lists of sentences for an administrator; each problem says what to do about it.
    """

    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing (no problems; facts do not count)."""
        return not self.problems


def check_instance(database_path: str | Path, *, min_free_mb: int = MIN_FREE_MB, quick: bool = False) -> HealthReport:
    """Everything that stops the toolkit from saving answers safely, each with what to do.

    Checks, in order: the instance folder and the database file at `database_path` exist; at
    least `min_free_mb` MB (200) are free on the volume and a 1 MB file can be written there;
    the folder, its backups and the database files give other accounts no access; SQLite's
    integrity check passes (`quick`: its faster quick_check); every known migration is applied
    and none unknown; the write lock can be taken. Stops at the first missing folder or file.
    Never raises for what it finds: everything goes into the report.
    """
    report = HealthReport()
    path = Path(database_path)
    folder = path.parent
    if not folder.is_dir():
        report.problems.append(f"instance folder {folder} does not exist: run 'persona-toolkit init-db' or set "
                               "PERSONA_TOOLKIT_INSTANCE to the right folder")
        return report
    if not path.is_file():
        report.problems.append(f"database {path} does not exist: run 'persona-toolkit init-db'")
        return report
    _check_disk(report, folder, min_free_mb)
    _check_modes(report, folder, path)
    try:
        db = connect(path)
    except DatabaseUnavailable as exc:
        report.problems.append(str(exc))
        return report
    try:
        _check_database(report, db, path, quick)
    except sqlite3.DatabaseError as exc:
        report.problems.append(explain(path, exc))
    finally:
        db.conn.close()
    return report


def _check_modes(report: HealthReport, folder: Path, path: Path) -> None:
    """Other accounts on the machine must not read the answers: the folder 0700, the files 0600."""
    loose = [(p, "700") for p in (folder, folder / "backups") if p.is_dir() and p.stat().st_mode & 0o077]
    loose += [(p, "600") for p in database_files(path) if p.stat().st_mode & 0o077]
    for p, wanted in loose:
        report.problems.append(f"{p} can be read by other accounts on this machine (mode "
                               f"{stat.S_IMODE(p.stat().st_mode):o}): run 'chmod {wanted} {p}' "
                               "('persona-toolkit init-db' does it for the instance folder and database)")
    if not loose:
        report.facts.append(f"instance folder {folder} and its database are the owner's only")


def _check_disk(report: HealthReport, folder: Path, min_free_mb: int) -> None:
    free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    if free_mb < min_free_mb:
        report.problems.append(f"only {free_mb} MB free on the volume of {folder}; at least {min_free_mb} MB is "
                               "needed to take answers safely: free space or move the instance folder")
    else:
        report.facts.append(f"{free_mb} MB free on the volume of {folder}")
    # Free space is not the same as being able to write (quotas, file size limits, read-only
    # mounts): write and remove a small file beside the database.
    probe = folder / f".write-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * PROBE_BYTES)
            fh.flush()
            os.fsync(fh.fileno())
        report.facts.append(f"instance folder {folder} is writable")
    except OSError as exc:
        report.problems.append(explain_folder(folder, exc))
    finally:
        probe.unlink(missing_ok=True)


def _check_database(report: HealthReport, db, path: Path, quick: bool) -> None:
    pragma = "quick_check" if quick else "integrity_check"
    rows = [r[0] for r in db.execute(f"PRAGMA {pragma}").fetchall()]
    if rows != ["ok"]:
        report.problems.append(f"database {path} fails SQLite's {pragma.replace('_', ' ')}: {'; '.join(rows[:5])}; "
                               "restore the latest backup with 'persona-toolkit restore FILE'")
    else:
        report.facts.append(f"database {path} passes SQLite's {pragma.replace('_', ' ')}")
    done = migrations.applied(db)
    known = [m.__name__ for m in migrations._discover()]
    unknown = [name for name in done if name not in known]
    pending = [name for name in known if name not in done]
    if unknown:
        report.problems.append(f"database {path} was written by a newer toolkit (schema steps {', '.join(unknown)} "
                               "are unknown here): upgrade the toolkit")
    elif pending:
        report.problems.append(f"database schema is behind ({', '.join(pending)} not applied): "
                               "run 'persona-toolkit init-db'")
    else:
        report.facts.append(f"schema up to date ({done[-1] if done else 'empty'}, {len(done)} steps)")
    try:
        # Take the write lock and touch page 1, then roll back: proves writing works, changes nothing.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.conn.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
        report.facts.append(f"database {path} is writable")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            report.problems.append(f"database {path} stayed locked by another process for "
                                   f"{db.execute('PRAGMA busy_timeout').fetchone()[0] / 1000:.0f} s")
        else:
            report.problems.append(explain(path, exc))
