"""The outbox: every e-mail the toolkit sends is a row here first, then delivered exactly once.

A row is unique per (participant, round, kind) — and per (round, kind, recipient) for messages
without a participant — so queueing the same thing twice is a no-op. Delivery:

1. claim: a process marks a batch of due rows 'sending' with its name (BEGIN IMMEDIATE, so two
   processes never claim the same row);
2. handed: just before the message data goes to the SMTP server, the row records that, but only
   if this process still holds the claim (a fence against a process that was paused and lost it);
3. sent / retry / failed, from the server's answer.

Temporary failures (4xx, refused connection, timeout) are retried with back-off
(BACKOFF_MINUTES) up to MAX_ATTEMPTS; permanent ones (5xx) fail at once. Both keep the server's
words in last_error for HR. A row left 'sending' by a process that died is put back to pending
when it was never handed over, and marked failed ("may have been delivered") when it was: the
toolkit never sends a message twice on a guess.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Mapping
from email.message import EmailMessage

import sqlite_utils

from toolkit.data.completions import has_completed
from toolkit.data.db import transaction
from toolkit.data.responses import usable_count
from toolkit.mail import render, smtp

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360)
MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300
BATCH_SIZE = 50
STATUSES = ("pending", "sending", "sent", "failed")


def iso(moment: dt.datetime) -> str:
    """`moment` as the outbox stores times: UTC ISO 8601 to the second ("2026-03-30T07:00:00+00:00").

    Stored times compare correctly as text only because they all have this one form. A naive
    `moment` is taken as the machine's local time.
    """
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def template_kind(kind: str) -> str:
    """'reminder:3' -> 'reminder', 'review:12' -> 'review_due'."""
    base = kind.partition(":")[0]
    return "review_due" if base == "review" else base


# --- queueing ---------------------------------------------------------------------------


def queue(db: sqlite_utils.Database, *, round_id: int | None, kind: str, recipient: str, due_at: dt.datetime,
          participant_id: int | None = None) -> bool:
    """Add a message unless the same one is already there; True when a row was added.

    Plain SQL, so it can run inside the caller's transaction.
    """
    cur = db.execute(
        "INSERT OR IGNORE INTO outbox (round_id, participant_id, recipient, kind, due_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [round_id, participant_id, recipient, kind, iso(due_at), iso(due_at)],
    )
    return cur.rowcount == 1


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait before the next try after `attempts` (>= 1) failed ones.

    1, 5, 15, 60, 180 minutes, then 360 minutes for the sixth attempt and every one after it
    (BACKOFF_MINUTES).
    """
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


# --- claiming ---------------------------------------------------------------------------


def claim(db: sqlite_utils.Database, holder: str, now: dt.datetime, limit: int = BATCH_SIZE) -> list[dict]:
    """Mark up to `limit` due rows as being sent by `holder` and return them."""
    now_s = iso(now)
    with transaction(db):
        ids = [r[0] for r in db.execute(
            "SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ? "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY due_at, id LIMIT ?",
            [now_s, now_s, limit],
        )]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        db.execute(
            f"UPDATE outbox SET status = 'sending', claimed_by = ?, claimed_until = ?, handed_at = NULL, "
            f"updated_at = ? WHERE id IN ({marks})",
            [holder, iso(now + dt.timedelta(seconds=CLAIM_SECONDS)), now_s, *ids],
        )
    return list(db.query(f"SELECT * FROM outbox WHERE id IN ({marks}) ORDER BY due_at, id", ids))


def release_stale(db: sqlite_utils.Database, now: dt.datetime, holder: str, *, takeover: bool = False) -> dict:
    """Rows other processes left 'sending': back to pending if never handed over, else failed.

    takeover=True (the caller holds the scheduler lease, so every other claimant is gone)
    releases all of them; otherwise only claims whose time ran out.
    """
    who = "claimed_by IS NOT ?" + ("" if takeover else " AND claimed_until < ?")
    params = [holder] if takeover else [holder, iso(now)]
    with transaction(db):
        back = db.execute(
            f"UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL, updated_at = ? "
            f"WHERE status = 'sending' AND handed_at IS NULL AND {who}", [iso(now), *params],
        ).rowcount
        unsure = db.execute(
            f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, "
            f"last_error = ?, updated_at = ? WHERE status = 'sending' AND handed_at IS NOT NULL AND {who}",
            ["uncertain: the sending process stopped while the mail server was accepting this message; "
             "it may have arrived, so it is not sent again automatically", iso(now), *params],
        ).rowcount
    if back or unsure:
        log.warning("outbox: %d interrupted messages put back in the queue, %d marked uncertain", back, unsure)
    return {"requeued": back, "uncertain": unsure}


def _mark_handed(db, row_id: int, holder: str, now: dt.datetime) -> bool:
    with transaction(db):
        cur = db.execute(
            "UPDATE outbox SET handed_at = ?, updated_at = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?",
            [iso(now), iso(now), row_id, holder],
        )
    return cur.rowcount == 1


def _finish(db, row: dict, holder: str, now: dt.datetime, *, status: str, error: str | None = None,
            next_attempt: dt.datetime | None = None) -> None:
    with transaction(db):
        db.execute(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
            "sent_at = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? "
            "WHERE id = ? AND claimed_by = ?",
            [status, error, iso(next_attempt) if next_attempt else None, iso(now) if status == "sent" else None,
             iso(now), row["id"], holder],
        )
        if status == "sent" and row["kind"] == "invitation" and row["participant_id"]:
            db.execute("UPDATE participants SET invited_at = coalesce(invited_at, ?) WHERE id = ?",
                       [iso(now), row["participant_id"]])


def _cancel(db, row: dict, holder: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM outbox WHERE id = ? AND claimed_by = ?", [row["id"], holder])


# --- composing --------------------------------------------------------------------------


class NotWanted(Exception):
    """The message is no longer needed (responded, round closed): the row is dropped."""


def compose(db: sqlite_utils.Database, config: Mapping, row: dict, now: dt.datetime) -> EmailMessage:
    """The e-mail for an outbox row, in the recipient's language, built at send time.

    Built late on purpose: the personal link is derived from the secret key and never stored,
    and a reminder is dropped when its participant responded or the round closed meanwhile.
    """
    settings = smtp.MailSettings.from_config(config)
    kind = template_kind(row["kind"])
    round_ = _one(db, "SELECT * FROM rounds WHERE id = ?", [row["round_id"]]) if row["round_id"] else None
    if round_ is None:
        raise NotWanted("round no longer exists")
    context = {"round_title": round_["title"], "round_url": f"{settings.public_base_url}/rounds/{round_['id']}"}
    if row["participant_id"]:
        participant = _one(db, "SELECT * FROM participants WHERE id = ?", [row["participant_id"]])
        if participant is None:
            raise NotWanted("participant was removed")
        if kind == "reminder":
            if has_completed(db, config.get("SECRET_KEY") or "", participant, round_["mode"]):
                raise NotWanted("participant has responded")
            closes = round_["closes_at"]
            if round_["status"] != "open" or (closes and closes <= iso(now)):
                raise NotWanted("round is no longer open")
        if kind in ("invitation", "reminder") and round_["status"] == "closed":
            raise NotWanted("round is closed")
        lang = round_["language"] if round_["language"] in render.LANGUAGES else participant["language"]
        lang = render.language_for(lang)
        context.update(name=participant["name"], link=render.participant_link(config, participant),
                       closes_at=render.local_datetime(round_["closes_at"], lang, settings.timezone))
    else:
        user = _one(db, "SELECT name, language FROM users WHERE email = ? COLLATE NOCASE", [row["recipient"]])
        lang = render.language_for(user["language"] if user else None)
        context.update(name=user["name"] if user else "", responses=usable_count(db, round_["id"]))
        if kind == "review_due":
            set_id = int(row["kind"].partition(":")[2])
            due = _one(db, "SELECT review_due FROM persona_sets WHERE id = ?", [set_id])
            if due is None:
                raise NotWanted("persona set was removed")
            context["review_due"] = render.local_date(due["review_due"], lang)
    rendered = render.render(kind, lang, context)
    return smtp.build_message(settings, to=row["recipient"], rendered=rendered, lang=lang, now=now,
                              message_id=smtp.outbox_message_id(settings, row["id"], row["kind"]))


def _one(db, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


# --- delivering -------------------------------------------------------------------------


class _ClaimLost(Exception):
    pass


def deliver_due(db: sqlite_utils.Database, config: Mapping, now: dt.datetime, holder: str) -> Counter:
    """Send every message due at `now`; returns how many were sent, retried, failed, dropped."""
    counts: Counter = Counter()
    with smtp.SmtpSession(smtp.MailSettings.from_config(config)) as session:
        while rows := claim(db, holder, now):
            for position, row in enumerate(rows):
                outcome, detail = _deliver_row(db, config, session, row, holder, now)
                if outcome == "unreachable":
                    # The server cannot be reached: the rest of the batch waits for the same
                    # back-off instead of each trying (and timing out) on its own.
                    for rest in [row, *rows[position + 1:]]:
                        counts[_retry(db, rest, holder, now, detail)] += 1
                    return counts
                counts[outcome] += 1
    return counts


def _retry(db, row: dict, holder: str, now: dt.datetime, detail: str) -> str:
    attempts = row["attempts"] + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(db, row, holder, now, status="failed", error=f"gave up: no success in {attempts} attempts; last: {detail}")
        return "failed"
    _finish(db, row, holder, now, status="pending", error=f"temporary: {detail}", next_attempt=now + backoff(attempts))
    return "retry"


def _deliver_row(db, config: Mapping, session: smtp.SmtpSession, row: dict, holder: str,
                 now: dt.datetime) -> tuple[str, str]:
    try:
        message = compose(db, config, row, now)
    except NotWanted as why:
        log.info("outbox %s (%s to %s) dropped: %s", row["id"], row["kind"], row["recipient"], why)
        _cancel(db, row, holder)
        return "dropped", str(why)
    except Exception as exc:  # a broken template or bad data must not stall the whole queue
        log.exception("outbox %s: cannot build the message", row["id"])
        _finish(db, row, holder, now, status="failed", error=f"message: could not build the e-mail: {exc}")
        return "failed", str(exc)

    def handed() -> None:
        if not _mark_handed(db, row["id"], holder, now):
            raise _ClaimLost()

    try:
        session.send(message, on_handed=handed)
    except _ClaimLost:
        log.warning("outbox %s: claim lost to another process; not sending", row["id"])
        return "lost", ""
    except smtp.TemporaryFailure as exc:
        log.warning("outbox %s to %s: temporary failure: %s", row["id"], row["recipient"], exc.detail)
        if isinstance(exc, smtp.ConnectFailure):
            return "unreachable", exc.detail
        return _retry(db, row, holder, now, exc.detail), exc.detail
    except smtp.PermanentFailure as exc:
        log.error("outbox %s to %s: permanent failure: %s", row["id"], row["recipient"], exc.detail)
        _finish(db, row, holder, now, status="failed", error=f"permanent: {exc.detail}")
        return "failed", exc.detail
    except smtp.UncertainDelivery as exc:
        log.error("outbox %s to %s: delivery uncertain: %s", row["id"], row["recipient"], exc.detail)
        _finish(db, row, holder, now, status="failed", error=f"uncertain: {exc.detail}")
        return "failed", exc.detail
    _finish(db, row, holder, now, status="sent")
    return "sent", ""


# --- what HR sees -----------------------------------------------------------------------


def failures_for_round(db: sqlite_utils.Database, round_id: int) -> list[dict]:
    """Messages of a round that will not be sent without someone acting, with the server's words.

    ``reason_kind`` is the failure category (permanent, gave up, uncertain, message); the web
    layer words it for the reader.
    """
    rows = db.query(
        "SELECT o.id, o.recipient, o.kind, o.attempts, o.last_error, o.updated_at, p.name AS participant_name "
        "FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id "
        "WHERE o.round_id = ? AND o.status = 'failed' ORDER BY o.updated_at, o.id", [round_id],
    )
    return [dict(r, kind_base=template_kind(r["kind"]), reason_kind=(r["last_error"] or "").partition(":")[0],
                 error=(r["last_error"] or "").partition(": ")[2] or (r["last_error"] or "")) for r in rows]


def status_counts(db: sqlite_utils.Database, round_id: int) -> dict[str, int]:
    """Messages of a round per status, plus 'retrying' (pending after a temporary failure)."""
    counts = dict.fromkeys((*STATUSES, "retrying"), 0)
    for status, retrying, n in db.execute(
        "SELECT status, attempts > 0 AND status = 'pending', count(*) FROM outbox WHERE round_id = ? GROUP BY 1, 2",
        [round_id],
    ):
        counts[status] += n
        if retrying:
            counts["retrying"] += n
    return counts


def retry_failed(db: sqlite_utils.Database, outbox_id: int, now: dt.datetime, user_id: int | None = None) -> bool:
    """HR asks to try a failed message again (after fixing an address or the mail settings)."""
    with transaction(db):
        cur = db.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, handed_at = NULL, "
            "updated_at = ? WHERE id = ? AND status = 'failed'", [iso(now), outbox_id],
        )
        if cur.rowcount:
            db.execute("INSERT INTO audit (at, user_id, action, object, detail) VALUES (?, ?, 'retry', ?, '')",
                       [iso(now), user_id, f"outbox {outbox_id}"])
    return cur.rowcount == 1


def summary(counts: Mapping[str, int]) -> str:
    """`counts` as one line of JSON for a log, keys sorted and zero counts left out."""
    return json.dumps({k: v for k, v in sorted(counts.items()) if v}, sort_keys=True)
