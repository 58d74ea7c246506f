"""The scheduler's heartbeat: a row it writes at every pass, so the web app can tell HR when
mail and background jobs are not moving because no scheduler is running.

The row lives in ``scheduler_runs`` (name 'heartbeat', the time of the last pass in UTC), beside
the daily purge's row. The scheduler passes once a minute, so a heartbeat older than
``STALE_AFTER`` means it stopped, hangs, or was never started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from toolkit.data.db import iso, transaction

HEARTBEAT = "heartbeat"
STALE_AFTER = dt.timedelta(minutes=5)


def record_heartbeat(db: sqlite_utils.Database, now: dt.datetime) -> None:
    """Write the time of this scheduler pass (aware datetime, stored as UTC ISO text)."""
    with transaction(db):
        db.execute(
            "INSERT INTO scheduler_runs (name, last_run_at) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at",
            [HEARTBEAT, iso(now)],
        )


def last_heartbeat(db: sqlite_utils.Database) -> dt.datetime | None:
    """The time of the scheduler's last pass (aware, UTC), or None when it never ran here."""
    row = db.execute("SELECT last_run_at FROM scheduler_runs WHERE name = ?", [HEARTBEAT]).fetchone()
    if not row:
        return None
    moment = dt.datetime.fromisoformat(row[0])
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class SchedulerStatus:
    """Whether the scheduler is checking in.

    ``running``: its last pass is at most ``STALE_AFTER`` old; ``last``: the time of that pass
    (aware UTC) or None when it never ran; ``minutes_silent``: whole minutes since then (None
    when it never ran).
    """

    running: bool
    last: dt.datetime | None
    minutes_silent: int | None


def scheduler_status(db: sqlite_utils.Database, now: dt.datetime) -> SchedulerStatus:
    """The scheduler's state at ``now`` (aware datetime) from its heartbeat row."""
    last = last_heartbeat(db)
    if last is None:
        return SchedulerStatus(running=False, last=None, minutes_silent=None)
    silent = now - last
    return SchedulerStatus(running=silent <= STALE_AFTER, last=last,
                           minutes_silent=max(int(silent.total_seconds() // 60), 0))
