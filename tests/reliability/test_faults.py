"""Faults: mail server down, disk full, a damaged or read-only database, a scheduler killed mid-run."""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import os
import resource
import signal
import sqlite3
import subprocess

import pytest
from test_mail import SmtpSink, settings_for
from test_outbox import make_round, people

from toolkit.jobs.scheduler import dispatch
from toolkit.mail import outbox

from .conftest import ROOT, instance_env, toolkit_command

T0 = dt.datetime(2026, 5, 4, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


def run_toolkit(instance, *args, preexec_fn=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(toolkit_command(*args), cwd=ROOT, env=instance_env(instance), capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec_fn)


def file_size_limit(max_bytes: int):
    """For a child process: writes past max_bytes fail with EFBIG, as on a full disk."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def without_root_override() -> None:
    """For a child process run as root: drop the capabilities that ignore file permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP; takes effect at exec
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# --- mail -----------------------------------------------------------------------------


def test_mail_server_down_during_a_reminder_run_sends_every_reminder_once_when_it_is_back(database, default_q):
    round_id = make_round(database, default_q, participants=people(8), closes_at=T0 + 7 * DAY, reminder_days=(3,))
    with SmtpSink() as first:
        dispatch(database, settings_for(first), T0)  # invitations go out
    assert outbox.status_counts(database, round_id)["sent"] == 8

    later = SmtpSink()  # its port is reserved, nothing listens yet: the server is down
    config = settings_for(later, MAIL_TIMEOUT=2)
    down = dispatch(database, config, T0 + 3 * DAY)
    assert down.queued["reminder"] == 8 and down.delivery.get("sent", 0) == 0
    assert down.delivery["retry"] == 8
    again = dispatch(database, config, T0 + 3 * DAY + 30 * MINUTE)  # still down, after the back-off
    assert again.delivery.get("sent", 0) == 0
    with later:
        back = dispatch(database, config, T0 + 3 * DAY + 3 * 60 * MINUTE)
        assert back.delivery["sent"] == 8
        assert dispatch(database, config, T0 + 4 * DAY).delivery.get("sent", 0) == 0
    assert later.recipients() == [e for e, _ in people(8)]  # each once
    assert outbox.failures_for_round(database, round_id) == []


def test_scheduler_killed_while_sending_reminders_sends_none_twice(database, default_q, instance):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    round_id = make_round(database, default_q, participants=people(20), opens_at=now - 3 * DAY - 2 * MINUTE,
                          closes_at=now + 4 * DAY, reminder_days=(3,))
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    database.execute("UPDATE participants SET invited_at = ? WHERE round_id = ?",
                     [outbox.iso(now - 3 * DAY - MINUTE), round_id])
    with SmtpSink(stall_at=7) as sink:
        with (instance / "config.py").open("a", encoding="utf-8") as fh:
            fh.write(f"MAIL_SERVER = '127.0.0.1'\nMAIL_PORT = {sink.port}\n")
        first = subprocess.Popen(toolkit_command("scheduler", "--once"), cwd=ROOT, env=instance_env(instance),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert sink.stalled.wait(60), "the scheduler never reached the 7th reminder"
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            sink.release.set()
        second = run_toolkit(instance, "scheduler", "--once")
        assert second.returncode == 0, second.stdout + second.stderr
        third = run_toolkit(instance, "scheduler", "--once")
        assert third.returncode == 0, third.stdout + third.stderr
    recipients = sink.recipients()
    assert len(recipients) == len(set(recipients)) == 20  # every reminder, none twice
    counts = outbox.status_counts(database, round_id)
    # The one the server was taking at the kill is delivered but not re-sent on a guess: shown to HR.
    assert counts["sent"] == 19 and counts["failed"] == 1


# --- briefs and a full disk -------------------------------------------------------------


@pytest.fixture
def round_with_briefs(cli, database, default_q, tmp_path):
    from toolkit.core.synthetic import generate_responses
    from toolkit.data.db import transaction
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import create_round
    from toolkit.services.pipeline import derive_round

    round_id = create_round(database, default_q, "Briefs under pressure")
    answers, _labels, contexts = generate_responses(default_q, 120, seed=3)
    with transaction(database):
        for rid in sorted(answers):
            insert_response(database, default_q, round_id, answers[rid], external_id=rid,
                                  context=contexts.get(rid))
    derive_round(database, round_id, bootstrap=10)  # four clear, stable personas: nine briefs
    out = tmp_path / "briefs"
    cli("briefs", "make", "--round", round_id, "--out", out, "--lang", "en")
    return round_id, out


def test_disk_full_while_writing_briefs_keeps_the_previous_briefs_intact(round_with_briefs, instance, database):
    round_id, out = round_with_briefs
    before = digests(out)
    assert before and all(name.endswith(".docx") for name in before)
    # A new persona set, so the new briefs would differ; then the disk "fills" halfway through.
    database.execute("UPDATE personas SET name = 'Renamed' WHERE set_id = (SELECT max(id) FROM persona_sets)")
    sizes = sorted((out / name).stat().st_size for name in before)
    limit = sizes[-1] - 1  # the biggest brief cannot be finished; the ones before it were written
    assert len(sizes) >= 5 and limit > 64 * 1024, sizes  # room for SQLite's 32 KB -shm file
    result = run_toolkit(instance, "briefs", "make", "--round", round_id, "--out", out, "--lang", "en",
                         preexec_fn=file_size_limit(limit))
    assert result.returncode == 1, (sizes, result.stdout)
    assert "Traceback" not in result.stderr
    assert "could not write the briefs" in result.stderr and "unchanged" in result.stderr
    assert digests(out) == before  # every previous brief byte for byte, nothing half-written
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no staging left
    again = run_toolkit(instance, "briefs", "make", "--round", round_id, "--out", out, "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert digests(out) != before


# --- start-up: what an administrator sees --------------------------------------------------


def test_check_reports_a_healthy_instance(cli, database):
    result = cli("check")
    assert "passes SQLite's integrity check" in result.output and "schema up to date" in result.output
    assert result.output.strip().endswith("healthy")


def test_missing_instance_folder_is_a_clear_error(tmp_path):
    result = run_toolkit(tmp_path / "nowhere", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"instance folder {tmp_path / 'nowhere'} does not exist" in result.stderr


def test_damaged_database_stops_serve_with_the_reason(database, instance):
    database.conn.close()
    path = instance / "toolkit.db"
    data = bytearray(path.read_bytes())
    data[:16] = b"not sqlite at all"[:16]
    path.write_bytes(bytes(data))
    for command in (("check",), ("serve", "--port", "9")):
        result = run_toolkit(instance, *command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "is damaged or is not a Persona Toolkit database" in result.stderr
        assert "persona-toolkit restore" in result.stderr


def test_damaged_pages_fail_the_integrity_check(database, instance):
    database.execute("CREATE TABLE filler (x TEXT)")
    database.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(400)])
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.close()
    path = instance / "toolkit.db"
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    for offset in range(len(data) - 20 * page, len(data) - page, page):  # scribble over b-tree pages
        data[offset:offset + 64] = os.urandom(64)
    path.write_bytes(bytes(data))
    result = run_toolkit(instance, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "PROBLEM" in result.stderr and ("integrity check" in result.stderr or "damaged" in result.stderr)


def test_read_only_database_is_refused_at_start_with_what_to_fix(database, instance):
    database.conn.close()
    path = instance / "toolkit.db"
    for leftover in ("toolkit.db-wal", "toolkit.db-shm"):
        (instance / leftover).unlink(missing_ok=True)
    path.chmod(0o444)
    try:
        for command in (("check",), ("serve", "--port", "9")):
            result = run_toolkit(instance, *command, preexec_fn=without_root_override)
            assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
            assert "read-only" in result.stderr and "write access" in result.stderr
    finally:
        path.chmod(0o644)


def test_full_disk_is_refused_at_start(database, instance):
    result = run_toolkit(instance, "check", preexec_fn=file_size_limit(256 * 1024))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no room to write" in result.stderr
    with (instance / "config.py").open("a", encoding="utf-8") as fh:
        fh.write("MIN_FREE_MB = 10 ** 9\n")  # more than any disk has: the free-space rule trips
    result = run_toolkit(instance, "serve", "--port", "9")
    assert result.returncode == 1 and "MB free on the volume" in result.stderr
