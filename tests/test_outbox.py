"""The outbox against a real SMTP server: exactly once, retries with back-off, visible failures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from test_mail import SmtpSink, settings_for

from toolkit.data.db import connect
from toolkit.data.rounds import create_round
from toolkit.mail import outbox
from toolkit.web.rounds.views import mail_failure_reason

T0 = dt.datetime(2026, 5, 4, 7, 0, tzinfo=dt.UTC)


def make_round(db, q, *, participants=(), opens_at=T0, closes_at=T0 + dt.timedelta(days=10), works_council=True,
               language="nl", reminder_days=(3, 5), created_by=None) -> int:
    """A round with participants (email, language) inserted as the participant import stores them."""
    round_id = create_round(db, q, "Nieuwe werkwijze <IT>", opens_at=opens_at, closes_at=closes_at,
                                  language=language, reminder_days=reminder_days, created_by=created_by)
    if works_council:
        db.execute("UPDATE rounds SET works_council_date = '2026-04-01', works_council_ref = 'OR-2026-07' "
                   "WHERE id = ?", [round_id])
    for i, (email, lang) in enumerate(participants):
        db.execute("INSERT INTO participants (round_id, email, name, language, token_salt) VALUES (?, ?, ?, ?, ?)",
                   [round_id, email, f"Person {i}", lang, f"salt-{round_id}-{i}"])
    return round_id


def people(n: int, lang: str = "nl") -> list[tuple[str, str]]:
    return [(f"p{i:03d}@example.org", lang) for i in range(n)]


def queue_invitations(db, round_id, when=T0) -> None:
    db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    for pid, email in db.execute("SELECT id, email FROM participants WHERE round_id = ?", [round_id]).fetchall():
        outbox.queue(db, round_id=round_id, participant_id=pid, recipient=email, kind="invitation", due_at=when)


def rows(db, round_id):
    return list(db.query("SELECT * FROM outbox WHERE round_id = ? ORDER BY id", [round_id]))


def test_queueing_the_same_message_twice_keeps_one_row_also_without_participant(database, default_q):
    round_id = make_round(database, default_q, participants=people(1))
    pid = database.execute("SELECT id FROM participants").fetchone()[0]
    args = dict(round_id=round_id, recipient="p000@example.org", kind="invitation", due_at=T0)
    assert outbox.queue(database, participant_id=pid, **args) is True
    assert outbox.queue(database, participant_id=pid, **args) is False
    manager = dict(round_id=round_id, recipient="cm@example.org", kind="personas_ready", due_at=T0)
    assert outbox.queue(database, **manager) is True
    assert outbox.queue(database, **dict(manager, recipient="CM@example.org")) is False
    assert len(rows(database, round_id)) == 2


def test_each_participant_gets_the_message_in_their_language_with_their_own_link(database, default_q):
    from toolkit.core.tokens import participant_token, personal_link

    round_id = make_round(database, default_q, participants=[("anne@example.org", "nl"), ("bob@example.org", "en")],
                          language="participant")
    queue_invitations(database, round_id)
    with SmtpSink() as sink:
        config = settings_for(sink)
        counts = outbox.deliver_due(database, config, T0, "test")
    assert counts == {"sent": 2}
    by_rcpt = {rcpts[0]: msg for rcpts, msg in sink.messages}
    assert by_rcpt["anne@example.org"]["Subject"].startswith("Uitnodiging: Nieuwe werkwijze <IT>")
    assert by_rcpt["bob@example.org"]["Subject"].startswith("Invitation: Nieuwe werkwijze <IT>")
    anne = next(database.query("SELECT * FROM participants WHERE email = 'anne@example.org'"))
    link = personal_link(config["PUBLIC_BASE_URL"], participant_token(config["SECRET_KEY"], anne))
    assert link in by_rcpt["anne@example.org"].get_body(("plain",)).get_content()
    assert f'href="{link}"' in by_rcpt["anne@example.org"].get_body(("html",)).get_content()
    assert anne["invited_at"] == T0.isoformat()
    assert all(r["status"] == "sent" and r["sent_at"] for r in rows(database, round_id))


def test_smtp_451_then_250_is_delivered_after_the_back_off(database, default_q):
    round_id = make_round(database, default_q, participants=people(1))
    queue_invitations(database, round_id)
    with SmtpSink(data_replies=["451 4.7.1 greylisted, try again later"]) as sink:
        config = settings_for(sink)
        assert outbox.deliver_due(database, config, T0, "test") == {"retry": 1}
        [row] = rows(database, round_id)
        assert (row["status"], row["attempts"]) == ("pending", 1)
        assert "451 4.7.1 greylisted" in row["last_error"]
        assert row["next_attempt_at"] == (T0 + dt.timedelta(minutes=1)).isoformat()
        assert outbox.deliver_due(database, config, T0 + dt.timedelta(seconds=30), "test") == {}
        assert outbox.status_counts(database, round_id)["retrying"] == 1
        assert outbox.deliver_due(database, config, T0 + dt.timedelta(minutes=1), "test") == {"sent": 1}
    assert sink.recipients() == ["p000@example.org"]
    assert sink.data_attempts == 2
    assert outbox.status_counts(database, round_id) == {"pending": 0, "sending": 0, "sent": 1, "failed": 0,
                                                         "retrying": 0}


def test_smtp_550_fails_at_once_is_shown_for_hr_and_never_retried(database, default_q):
    round_id = make_round(database, default_q, participants=[("gone@example.org", "nl"), ("ok@example.org", "nl")])
    queue_invitations(database, round_id)
    with SmtpSink(reject_rcpt=["gone@example.org"]) as sink:
        config = settings_for(sink)
        assert outbox.deliver_due(database, config, T0, "test") == {"failed": 1, "sent": 1}
        for hours in (1, 24, 24 * 7):
            assert outbox.deliver_due(database, config, T0 + dt.timedelta(hours=hours), "test") == {}
    assert sink.rcpt_attempts == 2
    [failure] = outbox.failures_for_round(database, round_id)
    assert failure["recipient"] == "gone@example.org"
    assert failure["kind_base"] == "invitation" and failure["attempts"] == 1
    assert "550 5.1.1" in failure["error"] and "no such mailbox" in failure["error"]
    assert failure["reason_kind"] == "permanent"
    assert "check the address" in mail_failure_reason(failure["reason_kind"])
    assert outbox.status_counts(database, round_id)["failed"] == 1


def test_retrying_a_failed_message_after_hr_fixed_it_sends_it(database, default_q):
    round_id = make_round(database, default_q, participants=people(1))
    queue_invitations(database, round_id)
    with SmtpSink(reject_rcpt=["p000@example.org"]) as sink:
        outbox.deliver_due(database, settings_for(sink), T0, "test")
        sink.reject_rcpt.clear()
        [failure] = outbox.failures_for_round(database, round_id)
        assert outbox.retry_failed(database, failure["id"], T0, user_id=None)
        assert outbox.deliver_due(database, settings_for(sink), T0, "test") == {"sent": 1}
    assert sink.recipients() == ["p000@example.org"]


def test_unreachable_server_retries_the_batch_with_growing_back_off_then_gives_up_visibly(database, default_q):
    round_id = make_round(database, default_q, participants=people(3))
    queue_invitations(database, round_id)
    config = settings_for(None)  # nothing listens on that port: connection refused
    now = T0
    waits = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        counts = outbox.deliver_due(database, config, now, "test")
        assert sum(counts.values()) == 3
        next_at = rows(database, round_id)[0]["next_attempt_at"]
        if next_at is None:
            break
        waits.append(dt.datetime.fromisoformat(next_at) - now)
        now = dt.datetime.fromisoformat(next_at)
    assert counts == {"failed": 3}
    assert waits == sorted(waits) and waits[0] == dt.timedelta(minutes=1) and waits[-1] >= dt.timedelta(hours=3)
    failures = outbox.failures_for_round(database, round_id)
    assert len(failures) == 3
    assert all("connection refused" in f["error"].lower() or "cannot connect" in f["error"] for f in failures)
    assert all(f["last_error"].startswith("gave up: no success in 8 attempts") for f in failures)
    assert "mail settings" in mail_failure_reason(failures[0]["reason_kind"])


def test_two_senders_in_parallel_deliver_each_message_exactly_once(database, default_q, instance):
    round_id = make_round(database, default_q, participants=people(60))
    queue_invitations(database, round_id)
    with SmtpSink() as sink:
        config = settings_for(sink)
        results = {}

        def sender(name):
            db = connect(instance / "toolkit.db")
            try:
                results[name] = outbox.deliver_due(db, config, T0, name)
            finally:
                db.conn.close()

        threads = [threading.Thread(target=sender, args=(f"sender-{i}",)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sink.recipients() == sorted(e for e, _ in people(60))
    assert sum(c["sent"] for c in results.values()) == 60


def test_interrupted_claims_are_requeued_unless_the_server_may_have_the_message(database, default_q):
    round_id = make_round(database, default_q, participants=people(2))
    queue_invitations(database, round_id)
    claimed = outbox.claim(database, "dead-process", T0)
    assert len(claimed) == 2
    # The dead process had handed the first message to the server when it stopped.
    database.execute("UPDATE outbox SET handed_at = ? WHERE id = ?", [T0.isoformat(), claimed[0]["id"]])
    assert outbox.release_stale(database, T0, "new-process", takeover=True) == {"requeued": 1, "uncertain": 1}
    with SmtpSink() as sink:
        assert outbox.deliver_due(database, settings_for(sink), T0, "new-process") == {"sent": 1}
    assert sink.recipients() == [claimed[1]["recipient"]]
    [failure] = outbox.failures_for_round(database, round_id)
    assert failure["recipient"] == claimed[0]["recipient"]
    assert "may have arrived" in mail_failure_reason(failure["reason_kind"])


def test_expired_claims_are_released_only_after_their_time(database, default_q):
    round_id = make_round(database, default_q, participants=people(1))
    queue_invitations(database, round_id)
    outbox.claim(database, "slow-process", T0)
    assert outbox.release_stale(database, T0 + dt.timedelta(seconds=60), "other") == {"requeued": 0, "uncertain": 0}
    later = T0 + dt.timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    assert outbox.release_stale(database, later, "other") == {"requeued": 1, "uncertain": 0}


def test_a_process_that_lost_its_claim_does_not_send(database, default_q):
    from toolkit.mail import smtp

    round_id = make_round(database, default_q, participants=people(1))
    queue_invitations(database, round_id)
    [row] = outbox.claim(database, "paused-process", T0)
    outbox.release_stale(database, T0, "new-process", takeover=True)
    with SmtpSink() as sink:
        config = settings_for(sink)
        with smtp.SmtpSession(smtp.MailSettings.from_config(config)) as session:
            outcome, _ = outbox._deliver_row(database, config, session, row, "paused-process", T0)
        assert outcome == "lost"
        assert outbox.deliver_due(database, config, T0, "new-process") == {"sent": 1}
    assert sink.recipients() == ["p000@example.org"]


@pytest.mark.parametrize("change", ["responded", "closed"])
def test_a_reminder_is_dropped_when_the_participant_responded_or_the_round_closed(database, default_q, change):
    round_id = make_round(database, default_q, participants=people(1))
    queue_invitations(database, round_id)
    pid = database.execute("SELECT id FROM participants").fetchone()[0]
    database.execute("UPDATE outbox SET status = 'sent' WHERE round_id = ?", [round_id])
    outbox.queue(database, round_id=round_id, participant_id=pid, recipient="p000@example.org", kind="reminder:3",
                 due_at=T0)
    if change == "responded":
        database.execute("UPDATE participants SET responded = 1")
    else:
        database.execute("UPDATE rounds SET status = 'closed'")
    with SmtpSink() as sink:
        assert outbox.deliver_due(database, settings_for(sink), T0, "test") == {"dropped": 1}
    assert sink.messages == []
