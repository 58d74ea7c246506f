"""The scheduler: what is due happens once, on time (also across DST), and only one scheduler runs."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from test_mail import SmtpSink, settings_for
from test_outbox import make_round, people

from toolkit.core.messages import Message
from toolkit.data.rounds import get_round
from toolkit.jobs import scheduler
from toolkit.jobs.scheduler import dispatch, local_to_utc
from toolkit.mail import outbox
from toolkit.web.rounds.views import mail_failure_reason

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AMS = "Europe/Amsterdam"
T0 = dt.datetime(2026, 5, 4, 7, 0, tzinfo=dt.UTC)  # Monday 09:00 in Amsterdam
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def sent(db, kind_prefix: str) -> list[str]:
    return sorted(r[0] for r in db.execute(
        "SELECT recipient FROM outbox WHERE status = 'sent' AND kind LIKE ?", [kind_prefix + "%"]))


def add_user(db, email, role, language="nl"):
    from toolkit.data.accounts import create_user

    return create_user(db, email=email, name=email.split("@")[0], role=role, password="correct-horse-1",
                       language=language)


def test_invitations_reach_every_participant_once_when_the_round_opens(database, default_q):
    round_id = make_round(database, default_q, participants=people(6))
    with SmtpSink() as sink:
        config = settings_for(sink)
        report = dispatch(database, config, T0 - MINUTE)
        assert report.opened == [] and sink.messages == []
        report = dispatch(database, config, T0)
        assert report.opened == [round_id] and report.delivery == {"sent": 6}
        for later in (T0 + MINUTE, T0 + 2 * MINUTE, T0 + DAY / 2):
            dispatch(database, config, later)
    assert sink.recipients() == [e for e, _ in people(6)]
    assert get_round(database, round_id)["status"] == "open"
    assert database.execute("SELECT count(*) FROM participants WHERE invited_at IS NULL").fetchone()[0] == 0


def test_participants_added_after_opening_are_invited_at_the_next_pass(database, default_q):
    round_id = make_round(database, default_q, participants=people(2))
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink), T0)
        database.execute("INSERT INTO participants (round_id, email, language, token_salt) "
                         "VALUES (?, 'late@example.org', 'en', 'x')", [round_id])
        dispatch(database, settings_for(sink), T0 + MINUTE)
    assert sink.recipients() == ["late@example.org", "p000@example.org", "p001@example.org"]


def test_round_without_works_council_record_stays_draft_and_says_why(database, default_q):
    round_id = make_round(database, default_q, participants=people(2), works_council=False)
    with SmtpSink() as sink:
        report = dispatch(database, settings_for(sink), T0)
        assert round_id in report.not_opened
        round_ = get_round(database, round_id)
        assert round_["status"] == "draft"
        assert "works council record" in str(Message.from_json(round_["schedule_note"]))
        assert sink.messages == []
        database.execute("UPDATE rounds SET works_council_date = '2026-04-30', works_council_ref = 'OR-1' WHERE id = ?",
                         [round_id])
        report = dispatch(database, settings_for(sink), T0 + 5 * MINUTE)
    assert report.opened == [round_id]
    assert get_round(database, round_id)["schedule_note"] is None
    assert len(sink.messages) == 2


def complete_links(db, config: dict, q, emails: tuple[str, ...]) -> None:
    """These participants finish the questionnaire, stored the way the web app stores it: in an
    anonymous round only their link's marker, in an identified round their flags."""
    from toolkit.core.tokens import done_marker, draft_key, participant_token
    from toolkit.data.responses import (
        complete_anonymous_response,
        complete_web_response,
        response_entry,
    )

    for p in db.query("SELECT p.*, r.mode FROM participants p JOIN rounds r ON r.id = p.round_id "
                      f"WHERE p.email IN ({', '.join('?' * len(emails))})", list(emails)):
        token = participant_token(config["SECRET_KEY"], p)
        entry = response_entry(q, p["round_id"], {}, random_order=True, publication=None)
        if p["mode"] == "identified":
            complete_web_response(db, entry, participant_id=p["id"], draft_key=draft_key(token))
        else:
            complete_anonymous_response(db, entry, done_marker=done_marker(token), draft_key=draft_key(token))


@pytest.mark.parametrize("mode", ["anonymous", "identified"])
def test_reminders_reach_only_non_responders_and_stop_at_close(database, default_q, mode):
    manager = add_user(database, "cm@example.org", "change_manager", "en")
    trainer = add_user(database, "trainer@example.org", "trainer")
    round_id = make_round(database, default_q, participants=people(5), closes_at=T0 + 7 * DAY)
    database.execute("UPDATE rounds SET mode = ? WHERE id = ?", [mode, round_id])
    database.conn.executemany("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)",
                              [(round_id, manager), (round_id, trainer)])
    with SmtpSink() as sink:
        config = settings_for(sink)
        dispatch(database, config, T0)
        complete_links(database, config, default_q, ("p000@example.org", "p001@example.org"))
        assert dispatch(database, config, T0 + 3 * DAY - MINUTE).delivery == {}
        assert dispatch(database, config, T0 + 3 * DAY).delivery == {"sent": 3}
        dispatch(database, config, T0 + 3 * DAY + MINUTE)
        complete_links(database, config, default_q, ("p002@example.org",))
        dispatch(database, config, T0 + 5 * DAY)
        report = dispatch(database, config, T0 + 7 * DAY)
        assert report.closed == [round_id]
        dispatch(database, config, T0 + 8 * DAY)
    assert sent(database, "reminder:3") == ["p002@example.org", "p003@example.org", "p004@example.org"]
    assert sent(database, "reminder:5") == ["p003@example.org", "p004@example.org"]
    assert sent(database, "personas_ready") == ["cm@example.org"]  # the trainer is not a change manager
    [(_, ready)] = [(r, m) for r, m in sink.messages if r == ["cm@example.org"]]
    assert ready["Subject"].startswith("Round closed")  # the manager's own language
    assert get_round(database, round_id)["status"] == "closed"
    flags = database.execute("SELECT sum(responded) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]
    assert flags == (0 if mode == "anonymous" else 3)  # an anonymous round marks links, not people


def test_reminder_days_never_fire_at_or_after_close(database, default_q):
    round_id = make_round(database, default_q, participants=people(2), closes_at=T0 + 4 * DAY, reminder_days=(3, 5))
    with SmtpSink() as sink:
        for moment in (T0, T0 + 3 * DAY, T0 + 4 * DAY, T0 + 5 * DAY, T0 + 6 * DAY):
            dispatch(database, settings_for(sink), moment)
    assert sent(database, "reminder:5") == []
    assert len(sent(database, "reminder:3")) == 2
    assert get_round(database, round_id)["status"] == "closed"


def test_after_downtime_a_stale_reminder_is_skipped_when_a_later_one_is_due(database, default_q):
    make_round(database, default_q, participants=people(2), closes_at=T0 + 10 * DAY)
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink), T0)
        # Down from day 1 to day 5 + 2 h: day 3 is 2 days late and day 5 is due, so only day 5 goes out.
        report = dispatch(database, settings_for(sink), T0 + 5 * DAY + 2 * dt.timedelta(hours=1))
    assert report.skipped_reminders == [(1, 3)]
    assert sent(database, "reminder:3") == [] and len(sent(database, "reminder:5")) == 2


def test_after_downtime_invitations_are_caught_up_but_not_a_reminder_just_before_close(database, default_q):
    make_round(database, default_q, participants=people(2), closes_at=T0 + 4 * DAY, reminder_days=(1,))
    with SmtpSink() as sink:
        report = dispatch(database, settings_for(sink), T0 + 3 * DAY + 12 * dt.timedelta(hours=1))
    assert report.opened == [1] and len(sent(database, "invitation")) == 2
    assert report.skipped_reminders == [(1, 1)] and sent(database, "reminder") == []


def test_a_round_whose_close_passed_before_it_could_open_stays_draft(database, default_q):
    round_id = make_round(database, default_q, participants=people(1), closes_at=T0 + DAY)
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink), T0 + 2 * DAY)
    assert get_round(database, round_id)["status"] == "draft"
    assert "closing time passed" in str(Message.from_json(get_round(database, round_id)["schedule_note"]))
    assert sink.messages == []


@pytest.mark.parametrize(
    ("opens_local", "reminder_local", "reminder_utc"),
    [
        # March: opens in winter time (CET, UTC+1), reminder after the switch (CEST, UTC+2).
        ("2026-03-27T09:00", "2026-03-30T09:00", dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)),
        # October: opens in summer time, reminder after clocks go back.
        ("2026-10-23T10:00", "2026-10-26T10:00", dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)),
    ],
)
def test_reminder_across_a_dst_change_fires_at_the_same_local_time(database, default_q, opens_local, reminder_local,
                                                                    reminder_utc):
    opens = local_to_utc(opens_local, AMS)
    make_round(database, default_q, participants=people(1), opens_at=opens, closes_at=opens + 10 * DAY,
               reminder_days=(3,))
    assert local_to_utc(reminder_local, AMS) == reminder_utc
    with SmtpSink() as sink:
        config = settings_for(sink)
        dispatch(database, config, opens)
        dispatch(database, config, reminder_utc - MINUTE)
        assert sent(database, "reminder") == []
        dispatch(database, config, reminder_utc)
    assert sent(database, "reminder") == ["p000@example.org"]
    [reminder] = [m for _, m in sink.messages if m["Subject"].startswith("Herinnering")]
    assert reminder["Date"]  # and the local time in the text is the wall-clock time HR chose
    assert dt.datetime.fromisoformat(reminder_local).strftime("%H:%M") in mail_local(reminder_utc)


def mail_local(moment):
    from toolkit.mail.render import local_datetime

    return local_datetime(moment, "nl", AMS)


@pytest.mark.parametrize(
    ("opens_local", "opens_utc"),
    [("2026-03-29T09:00", dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC)),   # first day of summer time
     ("2026-10-25T09:00", dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC))],  # first day of winter time
)
def test_a_round_opening_on_a_dst_day_opens_at_the_local_time_entered(database, default_q, opens_local, opens_utc):
    opens = local_to_utc(opens_local, AMS)
    assert opens == opens_utc
    round_id = make_round(database, default_q, participants=people(1), opens_at=opens, closes_at=opens + 5 * DAY)
    with SmtpSink() as sink:
        assert dispatch(database, settings_for(sink), opens_utc - dt.timedelta(seconds=1)).opened == []
        assert dispatch(database, settings_for(sink), opens_utc).opened == [round_id]
    assert len(sink.messages) == 1


def test_local_times_that_do_not_exist_are_refused_and_doubled_ones_mean_summer_time():
    with pytest.raises(ValueError, match="29-03-2026 02:30 does not exist in Europe/Amsterdam"):
        local_to_utc("2026-03-29T02:30", AMS)
    assert local_to_utc("2026-10-25T02:30", AMS) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_review_reminder_goes_once_to_change_managers_and_the_hr_creator(database, default_q):
    hr = add_user(database, "hr@example.org", "hr")
    manager = add_user(database, "cm@example.org", "change_manager")
    add_user(database, "other-cm@example.org", "change_manager")  # not granted this round
    round_id = make_round(database, default_q, participants=[], created_by=hr)
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, manager])
    database.execute(
        "INSERT INTO persona_sets (round_id, method, k, params, quality, data, review_due, created_at) "
        "VALUES (?, 'gaussian-mixture', 1, '{}', '{}', '{}', '2027-05-04', ?)", [round_id, T0.isoformat()])
    due = local_to_utc("2027-05-04T09:00", AMS)
    with SmtpSink() as sink:
        config = settings_for(sink)
        dispatch(database, config, due - MINUTE)
        assert sink.messages == []
        dispatch(database, config, due)
        dispatch(database, config, due + DAY)
    assert sink.recipients() == ["cm@example.org", "hr@example.org"]
    assert all(m["Subject"].startswith("Personas toe aan herziening") for _, m in sink.messages)


def test_retention_purge_runs_once_per_local_day(database, default_q):
    with SmtpSink() as sink:
        config = settings_for(sink)
        first = dispatch(database, config, T0)
        again = dispatch(database, config, T0 + dt.timedelta(hours=10))  # 19:00 the same day
        next_day = dispatch(database, config, T0 + DAY)
    assert first.purged is not None and again.purged is None and next_day.purged is not None


def test_a_second_scheduler_is_refused_and_told_who_holds_the_lease(database):
    scheduler.acquire_lease(database, "otherhost:4242:abc")
    with pytest.raises(scheduler.LeaseHeld, match="another scheduler is already running \\(process 4242 on otherhost"):
        scheduler.acquire_lease(database, scheduler.holder_name())


def test_the_lease_of_a_dead_process_on_this_machine_is_taken_over(database):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = f"{socket.gethostname()}:{proc.pid}:abc"
    scheduler.acquire_lease(database, dead)
    assert scheduler.acquire_lease(database, scheduler.holder_name()) == dead


def test_an_expired_lease_on_another_machine_is_taken_over(database):
    scheduler.acquire_lease(database, "otherhost:4242:abc", now=time.time() - 3600)
    assert scheduler.acquire_lease(database, scheduler.holder_name()) == "otherhost:4242:abc"


# --- the real command, as separate processes ---------------------------------------------


def command(instance, *args) -> list[str]:
    return [sys.executable, "-c", "from toolkit.cli import main; main()", "scheduler", *args]


def configure(instance, sink) -> None:
    with (instance / "config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"MAIL_SERVER = '127.0.0.1'\nMAIL_PORT = {sink.port}\nPUBLIC_BASE_URL = 'https://toolkit.example.org'\n")


def env_for(instance) -> dict:
    return dict(os.environ, PERSONA_TOOLKIT_INSTANCE=str(instance), PYTHONPATH=ROOT)


def test_scheduler_command_has_help(cli):
    result = cli("scheduler", "--help")
    text = " ".join(result.output.split())
    assert "--once" in text and "Only one scheduler may run" in text


def test_scheduler_killed_mid_batch_and_restarted_delivers_each_invitation_once(database, default_q, instance):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    round_id = make_round(database, default_q, participants=people(30), opens_at=now - MINUTE, closes_at=now + DAY)
    with SmtpSink(stall_at=12) as sink:
        configure(instance, sink)
        first = subprocess.Popen(command(instance, "--once"), cwd=ROOT, env=env_for(instance),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert sink.stalled.wait(60), "the first scheduler never reached the 12th message"
            first.send_signal(signal.SIGKILL)  # killed while the server is taking message 12
            first.wait(10)
        finally:
            sink.release.set()
        second = subprocess.run(command(instance, "--once"), cwd=ROOT, env=env_for(instance),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stdout + second.stderr
    assert sink.recipients() == [e for e, _ in people(30)]  # each exactly once
    counts = outbox.status_counts(database, round_id)
    # The message the server was taking when the process died is never re-sent on a guess.
    assert counts["sent"] == 29 and counts["failed"] == 1
    [unsure] = outbox.failures_for_round(database, round_id)
    assert "may have arrived" in mail_failure_reason(unsure["reason_kind"])


def test_a_second_scheduler_started_in_parallel_refuses_and_mail_goes_out_once(database, default_q, instance):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    make_round(database, default_q, participants=people(10), opens_at=now - MINUTE, closes_at=now + DAY)
    with SmtpSink() as sink:
        configure(instance, sink)
        first = subprocess.Popen(command(instance), cwd=ROOT, env=env_for(instance),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while len(sink.messages) < 10 and time.monotonic() < deadline:
                time.sleep(0.1)
            second = subprocess.run(command(instance, "--once"), cwd=ROOT, env=env_for(instance),
                                    capture_output=True, text=True, timeout=60)
            assert second.returncode == 1
            assert "another scheduler is already running" in second.stderr
            assert f"process {first.pid}" in second.stderr
        finally:
            first.send_signal(signal.SIGTERM)
            output, _ = first.communicate(timeout=30)
        assert first.returncode == 0, output
        assert "Scheduler running" in output
    assert sink.recipients() == [e for e, _ in people(10)]
    assert database.execute("SELECT count(*) FROM leases").fetchone()[0] == 0  # released on a clean stop


def test_the_web_app_starts_no_scheduler_and_takes_no_lease(database, instance):
    import threading

    from toolkit import create_app

    before = {t.name for t in threading.enumerate()}
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    app.test_client().get("/login")
    assert {t.name for t in threading.enumerate()} == before
    assert database.execute("SELECT count(*) FROM leases").fetchone()[0] == 0
