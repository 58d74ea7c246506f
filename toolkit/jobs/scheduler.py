"""Timed work: rounds opening and closing, invitations, reminders, review reminders, purges.

`persona-toolkit scheduler` is the only process that runs it; web workers never start a
scheduler. What is due lives in our own tables (rounds.opens_at/closes_at/reminder_days,
persona_sets.review_due, the outbox), not in APScheduler's memory: APScheduler only calls
:func:`dispatch` every minute, and dispatch works out from the tables what is due and does it.
Every step is idempotent (status changes guarded by the old status, outbox rows unique), so a
pass that is repeated, interrupted or run late does each thing once.

Grace rule for work missed while the scheduler was down (GRACE_RULE below says the same):
- opening a round and sending its invitations, closing a round, the change managers' message
  after close and review reminders are always caught up;
- a round whose close time passed before it could open is not opened (it stays draft, with a note);
- a reminder more than LATE_REMINDER (24 h) late is skipped when a later reminder is also due
  by now or the round closes within 24 h; a reminder is never sent at or after the close time;
- the retention purge runs once per local calendar day, at the first pass of the day.

A lease row ('scheduler' in `leases`), renewed every 30 seconds, makes a second scheduler
refuse to start and say which process holds it. A holder on the same machine whose process is
gone is taken over at once; one on another machine after its lease runs out (90 s).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlite_utils

from toolkit.core.messages import N_, Message
from toolkit.data.completions import completed_participant_ids
from toolkit.data.db import connect, transaction
from toolkit.data.heartbeat import record_heartbeat
from toolkit.data.responses import publish_at_close
from toolkit.data.rounds import get_round
from toolkit.jobs.process import process_gone as _holder_gone
from toolkit.jobs.process import process_name as holder_name
from toolkit.mail import outbox

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 90
RENEW_SECONDS = 30
LATE_REMINDER = dt.timedelta(hours=24)
REVIEW_HOUR = 9  # review reminders go out at 09:00 local time on the review date
DEFAULT_TIMEZONE = "Europe/Amsterdam"
GRACE_RULE = (
    "Missed work is caught up: openings with their invitations, closings, the change managers' message "
    "and review reminders always; a round whose close time passed before it opened stays draft; "
    "a reminder more than 24 h late is skipped when a later reminder is due or the round closes within 24 h; "
    "no reminder is sent at or after the close time."
)


# --- time -------------------------------------------------------------------------------


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; raises ValueError for a naive datetime (its zone would be a guess)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime was passed where a UTC time is needed")
    return moment.astimezone(dt.UTC)


def parse_utc(value: str | None) -> dt.datetime | None:
    """An ISO 8601 text from our tables as an aware UTC datetime (a text without zone is UTC);
    None for None or ''. Raises ValueError for a text that is not ISO 8601."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def timezone_of(config: Mapping) -> ZoneInfo:
    """The organisation's time zone from the app config's TIMEZONE (default Europe/Amsterdam)."""
    return ZoneInfo(config.get("TIMEZONE") or DEFAULT_TIMEZONE)


def local_to_utc(local: dt.datetime | str, tz: ZoneInfo | str) -> dt.datetime:
    """A wall-clock time as people enter it (no zone) to UTC.

    A time that does not exist (the hour skipped when clocks go forward in March) is an error
    with a message saying so; a time that happens twice (October) means the first one, summer time.
    """
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    naive = dt.datetime.fromisoformat(local) if isinstance(local, str) else local
    naive = naive.replace(tzinfo=None)
    aware = naive.replace(tzinfo=tz, fold=0)
    moment = aware.astimezone(dt.UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        raise ValueError(
            f"{naive:%d-%m-%Y %H:%M} does not exist in {tz.key}: the clocks jump forward that night; "
            "choose a time an hour later"
        )
    return moment


def add_local_days(moment: dt.datetime, days: int, tz: ZoneInfo) -> dt.datetime:
    """The same wall-clock time `days` calendar days later (so 09:00 stays 09:00 across DST)."""
    wall = moment.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=days)
    try:
        return local_to_utc(wall, tz)
    except ValueError:  # lands in the skipped hour: the first moment after it
        return wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def reminder_times(round_: Mapping, tz: ZoneInfo) -> list[tuple[int, dt.datetime]]:
    """(day, UTC moment) of each reminder of ``round_``: its opening's wall-clock time that many
    local calendar days later, days in ``reminder_days`` (a JSON list) that are above 0, in
    order; [] for a round without an opening time."""
    opens = parse_utc(round_["opens_at"])
    if opens is None:
        return []
    days = sorted({int(d) for d in json.loads(round_["reminder_days"] or "[]") if int(d) > 0})
    return [(d, add_local_days(opens, d, tz)) for d in days]


# --- lease ------------------------------------------------------------------------------


class LeaseHeld(RuntimeError):
    """Another scheduler holds the lease; the message says which and what to do."""


def acquire_lease(db: sqlite_utils.Database, holder: str, *, ttl: float = LEASE_SECONDS,
                  now: float | None = None) -> str | None:
    """Take the scheduler lease or raise LeaseHeld; returns the previous holder taken over, if any."""
    import time

    now = time.time() if now is None else now
    with transaction(db):
        row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?", [LEASE_NAME]).fetchone()
        if row and row[0] != holder and row[1] > now and not _holder_gone(row[0]):
            host, _, rest = row[0].partition(":")
            until = dt.datetime.fromtimestamp(row[1], dt.UTC).strftime("%H:%M:%S UTC")
            raise LeaseHeld(
                f"another scheduler is already running (process {rest.partition(':')[0]} on {host}, "
                f"lease renewed until {until}). Only one scheduler may run: stop the other one "
                "(systemctl stop persona-toolkit-scheduler), or if it crashed on another machine, "
                f"start again after {LEASE_SECONDS} seconds."
            )
        db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
            [LEASE_NAME, holder, now + ttl],
        )
    return row[0] if row and row[0] != holder else None


def renew_lease(db: sqlite_utils.Database, holder: str, *, ttl: float = LEASE_SECONDS) -> bool:
    """Extend ``holder``'s lease by ``ttl`` seconds from now; False when it no longer holds it."""
    import time

    with transaction(db):
        cur = db.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?",
                         [time.time() + ttl, LEASE_NAME, holder])
    return cur.rowcount == 1


def release_lease(db: sqlite_utils.Database, holder: str) -> None:
    """Give the lease up if ``holder`` holds it (a stopping scheduler), so a new one starts at once."""
    with transaction(db):
        db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [LEASE_NAME, holder])


# --- dispatch ---------------------------------------------------------------------------


@dataclass
class DispatchReport:
    """What one pass did: round ids opened, not opened (id -> reason) and closed, outbox rows
    queued per kind, late reminders skipped as (round id, day), the retention purge's result
    (None when it did not run) and mail delivery outcomes per status."""

    opened: list[int] = field(default_factory=list)
    not_opened: dict[int, str] = field(default_factory=dict)
    closed: list[int] = field(default_factory=list)
    queued: Counter = field(default_factory=Counter)
    skipped_reminders: list[tuple[int, int]] = field(default_factory=list)
    purged: object = None
    delivery: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for the log, "nothing due" when the pass did nothing."""
        parts = []
        if self.opened:
            parts.append(f"opened rounds {self.opened}")
        if self.closed:
            parts.append(f"closed rounds {self.closed}")
        for rid, reason in self.not_opened.items():
            parts.append(f"round {rid} not opened: {reason}")
        if self.queued:
            parts.append("queued " + ", ".join(f"{n} {k}" for k, n in sorted(self.queued.items())))
        if self.skipped_reminders:
            parts.append(f"skipped late reminders {self.skipped_reminders}")
        if self.delivery:
            parts.append("mail " + ", ".join(f"{n} {k}" for k, n in sorted(self.delivery.items())))
        if self.purged is not None:
            parts.append(f"retention purge: {self.purged}")
        return "; ".join(parts) or "nothing due"


_process_holder: str | None = None


def process_holder() -> str:
    """This process's lease holder name, made once (:func:`toolkit.jobs.process.process_name`)."""
    global _process_holder
    if _process_holder is None:
        _process_holder = holder_name()
    return _process_holder


def dispatch(db: sqlite_utils.Database, config: Mapping, now: dt.datetime, *, holder: str | None = None,
             deliver: bool = True) -> DispatchReport:
    """Do everything due at `now` (UTC) from our tables, then send what the outbox holds.

    Writes the heartbeat first, so HR's pages know mail is moving (`toolkit.data.heartbeat`).
    """
    now = utc(now).replace(microsecond=0)
    tz = timezone_of(config)
    holder = holder or process_holder()
    report = DispatchReport()
    record_heartbeat(db, now)
    _open_due_rounds(db, now, report)
    _close_due_rounds(db, now, report)
    _queue_invitations(db, config, now, report)
    _queue_reminders(db, config, now, tz, report)
    _queue_review_reminders(db, now, tz, report)
    _daily_purge(db, now, tz, report)
    if deliver:
        outbox.release_stale(db, now, holder)
        report.delivery = outbox.deliver_due(db, config, now, holder)
    return report


# Why the scheduler left a draft round alone: stored as a Message in rounds.schedule_note and
# translated on the round page (an older English note is rewritten on the next pass).
CLOSED_BEFORE_OPEN = N_("Not opened: its closing time passed before it could open. Set new dates to run it.")
NO_WORKS_COUNCIL_RECORD = N_("Not opened: the works council record (date and reference) is missing. "
                             "Add it and the round opens within a minute.")


def _set_note(db, round_: Mapping, note: Message | None) -> None:
    text = note.to_json() if note else None
    if (round_["schedule_note"] or None) != text:
        db.execute("UPDATE rounds SET schedule_note = ? WHERE id = ?", [text, round_["id"]])
        if note:
            log.warning("round %s: %s", round_["id"], note)


def _audit(db, now: dt.datetime, action: str, obj: str, detail: str = "") -> None:
    db.execute("INSERT INTO audit (at, user_id, action, object, detail) VALUES (?, NULL, ?, ?, ?)",
               [outbox.iso(now), action, obj, detail])


def _open_due_rounds(db, now: dt.datetime, report: DispatchReport) -> None:
    now_s = outbox.iso(now)
    due = list(db.query("SELECT * FROM rounds WHERE status = 'draft' AND opens_at IS NOT NULL AND opens_at <= ?",
                        [now_s]))
    for round_ in due:
        with transaction(db):
            if round_["closes_at"] and parse_utc(round_["closes_at"]) <= now:
                note = Message(CLOSED_BEFORE_OPEN)
            elif not (round_["works_council_date"] and round_["works_council_ref"]):
                note = Message(NO_WORKS_COUNCIL_RECORD)
            else:
                note = None
            if note:
                _set_note(db, round_, note)
                report.not_opened[round_["id"]] = str(note)
                continue
            cur = db.execute("UPDATE rounds SET status = 'open', schedule_note = NULL WHERE id = ? AND status = 'draft'",
                             [round_["id"]])
            if cur.rowcount:
                _audit(db, now, "open", f"round {round_['id']}", "opened by the scheduler")
                report.opened.append(round_["id"])


def close_round(db, round_id: int, now: dt.datetime, *, user_id: int | None = None,
                detail: str = "closed by the scheduler") -> int | None:
    """Close an open round: publish its waiting answers, drop participants' pending mail, tell
    its change managers.

    Used by the scheduler at the close time and by HR's "close now", so both end a round the
    same way. An anonymous round's answers are published here, all at once (see
    `toolkit.data.responses.publish_at_close`). Returns the number of change managers told, or
    None when the round was not open.
    """
    with transaction(db):
        cur = db.execute("UPDATE rounds SET status = 'closed' WHERE id = ? AND status = 'open'", [round_id])
        if not cur.rowcount:
            return None
        published = publish_at_close(db, get_round(db, round_id))
        if published.published or published.held:
            detail += f"; {published.published} answers published, {published.held} held back"
        # Nothing for participants goes out after the close; sent and failed rows stay as a record.
        db.execute("DELETE FROM outbox WHERE round_id = ? AND status = 'pending' AND participant_id IS NOT NULL",
                   [round_id])
        told = 0
        for (email,) in db.execute(
            "SELECT u.email FROM round_access a JOIN users u ON u.id = a.user_id "
            "WHERE a.round_id = ? AND u.role = 'change_manager' AND u.active = 1 ORDER BY u.id", [round_id],
        ).fetchall():
            told += outbox.queue(db, round_id=round_id, kind="personas_ready", recipient=email, due_at=now)
        db.execute("INSERT INTO audit (at, user_id, action, object, detail) VALUES (?, ?, 'close', ?, ?)",
                   [outbox.iso(now), user_id, f"round {round_id}", detail])
    return told


def _close_due_rounds(db, now: dt.datetime, report: DispatchReport) -> None:
    due = list(db.query("SELECT id FROM rounds WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= ?",
                        [outbox.iso(now)]))
    for round_ in due:
        told = close_round(db, round_["id"], now)
        if told is not None:
            report.queued["personas_ready"] += told
            report.closed.append(round_["id"])


def _completed(db, config: Mapping, round_: dict) -> str:
    """The round's participants who completed their link, as a JSON list for `json_each`.

    Anonymous rounds keep no flag on the participant: their markers are derived with SECRET_KEY
    (`toolkit.data.completions`), which only the scheduler and the web app hold.
    """
    return json.dumps(sorted(completed_participant_ids(db, config.get("SECRET_KEY") or "", round_)))


def _queue_invitations(db, config: Mapping, now: dt.datetime, report: DispatchReport) -> None:
    # Also picks up participants imported after the round opened.
    due = list(db.query(
        "SELECT DISTINCT r.id, r.mode FROM rounds r JOIN participants p ON p.round_id = r.id "
        "WHERE r.status = 'open' AND p.invited_at IS NULL"))
    for round_ in due:
        queued = queue_invitations(db, config, round_, now)
        if queued > 0:
            report.queued["invitation"] += queued


def queue_invitations(db: sqlite_utils.Database, config: Mapping, round_: Mapping, now: dt.datetime) -> int:
    """Queue the invitation of every participant of ``round_`` (a row with id and mode) who has
    none yet and has not answered; returns how many were queued.

    Exactly once per participant: a participant with an invitation row (in any state) gets no
    second one. Due at the round's opening time, or at ``now`` for a round opened by hand
    without one. The scheduler calls it every pass; HR's "send now" calls it too, so a new
    participant need not wait for the next pass to be queued.
    """
    with transaction(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox (round_id, participant_id, recipient, kind, due_at, updated_at) "
            "SELECT p.round_id, p.id, p.email, 'invitation', coalesce(r.opens_at, :now), :now FROM participants p "
            "JOIN rounds r ON r.id = p.round_id "
            "WHERE r.id = :round AND r.status = 'open' AND p.invited_at IS NULL "
            "AND p.id NOT IN (SELECT value FROM json_each(:completed)) "
            "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participant_id = p.id AND o.kind = 'invitation')",
            {"now": outbox.iso(now), "round": round_["id"], "completed": _completed(db, config, dict(round_))},
        )
    return max(cur.rowcount, 0)


def _queue_reminders(db, config: Mapping, now: dt.datetime, tz: ZoneInfo, report: DispatchReport) -> None:
    for round_ in db.query("SELECT * FROM rounds WHERE status = 'open'"):
        closes = parse_utc(round_["closes_at"])
        times = reminder_times(round_, tz)
        for index, (day, due) in enumerate(times):
            if due > now or (closes and (due >= closes or now >= closes)):
                continue
            if now - due > LATE_REMINDER:
                later_due = any(t <= now for _, t in times[index + 1:])
                closing_soon = closes is not None and closes - now < LATE_REMINDER
                if later_due or closing_soon:
                    report.skipped_reminders.append((round_["id"], day))
                    continue
            kind = f"reminder:{day}"
            # Only people invited before the reminder fell due, who have not responded.
            with transaction(db):
                cur = db.execute(
                    "INSERT OR IGNORE INTO outbox (round_id, participant_id, recipient, kind, due_at, updated_at) "
                    "SELECT p.round_id, p.id, p.email, ?, ?, ? FROM participants p "
                    "WHERE p.round_id = ? AND p.id NOT IN (SELECT value FROM json_each(?)) "
                    "AND p.invited_at IS NOT NULL AND p.invited_at <= ? "
                    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participant_id = p.id AND o.kind = ?)",
                    [kind, outbox.iso(due), outbox.iso(now), round_["id"], _completed(db, config, round_),
                     outbox.iso(due), kind],
                )
            if cur.rowcount > 0:
                report.queued["reminder"] += cur.rowcount


def _queue_review_reminders(db, now: dt.datetime, tz: ZoneInfo, report: DispatchReport) -> None:
    today = now.astimezone(tz).date().isoformat()
    due_sets = list(db.query(
        "SELECT s.id, s.round_id, s.review_due, r.created_by FROM persona_sets s JOIN rounds r ON r.id = s.round_id "
        "WHERE s.current = 1 AND substr(s.review_due, 1, 10) <= ?", [today],
    ))
    for persona_set in due_sets:
        due = local_to_utc(dt.datetime.fromisoformat(persona_set["review_due"][:10]).replace(hour=REVIEW_HOUR), tz)
        if due > now:
            continue
        recipients = [r[0] for r in db.execute(
            "SELECT u.email FROM users u WHERE u.active = 1 AND ("
            "u.id IN (SELECT a.user_id FROM round_access a JOIN users m ON m.id = a.user_id "
            "         WHERE a.round_id = ? AND m.role = 'change_manager') "
            "OR (u.id = ? AND u.role IN ('hr', 'admin'))) ORDER BY u.id",
            [persona_set["round_id"], persona_set["created_by"]],
        ).fetchall()]
        with transaction(db):
            for email in recipients:
                if outbox.queue(db, round_id=persona_set["round_id"], kind=f"review:{persona_set['id']}",
                                recipient=email, due_at=due):
                    report.queued["review"] += 1


def _daily_purge(db, now: dt.datetime, tz: ZoneInfo, report: DispatchReport) -> None:
    row = db.execute("SELECT last_run_at FROM scheduler_runs WHERE name = 'retention'").fetchone()
    today = now.astimezone(tz).date()
    if row and parse_utc(row[0]).astimezone(tz).date() >= today:
        return
    try:
        from toolkit.services.retention import purge_expired
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.retention":
            raise
        return  # retention is another area's module; nothing to run until it exists
    try:
        report.purged = purge_expired(db, now)
    except Exception:  # a failing purge is logged and retried tomorrow; it must not stop the mail
        log.exception("retention purge failed")
        report.purged = "failed (see log)"
    with transaction(db):
        db.execute("INSERT INTO scheduler_runs (name, last_run_at) VALUES ('retention', ?) "
                   "ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at", [outbox.iso(now)])


# --- the command ------------------------------------------------------------------------


def run_pass(database_path: str, config: Mapping, holder: str) -> DispatchReport | None:
    """One pass with its own connection (APScheduler runs jobs in worker threads)."""
    db = connect(database_path)
    try:
        if not renew_lease(db, holder):
            log.error("scheduler lease lost to another process; this scheduler stops")
            return None
        report = dispatch(db, config, dt.datetime.now(dt.UTC), holder=holder)
        if report.summary() != "nothing due":
            log.info("%s", report.summary())
        return report
    finally:
        db.conn.close()


def run_blocking(database_path: str, config: Mapping, holder: str) -> None:
    """Run the scheduler in the foreground: a pass every minute and a lease renewal every
    RENEW_SECONDS (APScheduler 3 BlockingScheduler), until SIGTERM/SIGINT or the lease is lost;
    running passes finish first. ``holder`` must already hold the lease (:func:`acquire_lease`)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BlockingScheduler(timezone=dt.UTC)

    def stop(reason: str) -> None:
        log.info("scheduler stopping: %s", reason)
        # From a helper thread, so that running passes finish before start() returns.
        threading.Thread(target=lambda: scheduler.running and scheduler.shutdown(wait=True), daemon=True).start()

    def pass_job() -> None:
        if run_pass(database_path, config, holder) is None:
            stop("lease lost")

    def renew_job() -> None:
        db = connect(database_path)
        try:
            if not renew_lease(db, holder):
                stop("lease lost")
        finally:
            db.conn.close()

    scheduler.add_job(pass_job, IntervalTrigger(minutes=1), id="dispatch", max_instances=1, coalesce=True,
                      next_run_time=dt.datetime.now(dt.UTC), misfire_grace_time=None)
    scheduler.add_job(renew_job, IntervalTrigger(seconds=RENEW_SECONDS), id="lease", max_instances=1,
                      coalesce=True, misfire_grace_time=None)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: stop(signal.Signals(s).name))
    scheduler.start()
