"""Long work (deriving with bootstrap, building zips) as jobs that survive restarts.

A job is a row in `jobs`, the one truth about it: queued, running (with the process running it,
its attempt number and a heartbeat), done with its result, or failed with a reason a person
can read. The web app only creates the row and puts its id on the queue (toolkit.jobs.queue);
the scheduler process takes it from there:

- :func:`supervise` (in a queue worker thread) claims the row, starts the work in a child
  process of its own, renews the heartbeat every HEARTBEAT_SECONDS while the child runs, and
  kills the child at the timeout. A child process can be stopped at any moment; a thread cannot.
- :func:`child_main` (the child) does the work and writes progress, result or error, each
  write guarded by the attempt number, so a late write of an abandoned attempt changes nothing.
  It ends itself when the process that started it is gone (kill -9 of the scheduler).
- :func:`recover` finds running jobs whose process is gone or whose heartbeat went stale,
  and puts them back on the queue once (MAX_ATTEMPTS), or marks them failed ("interrupted").
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from toolkit.core.messages import Message, MessageError, stored
from toolkit.data.db import connect, iso, utcnow
from toolkit.jobs.process import process_gone as worker_gone
from toolkit.jobs.process import process_name as worker_name

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = 60.0  # seconds without a heartbeat: the process running the job is gone
MAX_ATTEMPTS = 2  # the first run and one re-run after an interruption
DEFAULT_TIMEOUT = 30 * 60.0


def create(db: sqlite_utils.Database, kind: str, round_id: int, params: dict, user_id: int | None) -> int:
    """Insert a queued job; returns its id. ``kind`` is a key of toolkit.jobs.work.WORK."""
    cur = db.execute(
        "INSERT INTO jobs (kind, round_id, params, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        [kind, round_id, json.dumps(params), user_id, iso(utcnow())],
    )
    return cur.lastrowid


def get(db: sqlite_utils.Database, job_id: int) -> dict | None:
    """The job row as a dict, or None."""
    rows = list(db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
    return rows[0] if rows else None


def claim(db: sqlite_utils.Database, job_id: int, worker: str) -> int | None:
    """Mark a queued job running for ``worker``; its attempt number, or None when it is not queued."""
    rows = db.execute(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?, started_at = ?, heartbeat_at = ?, "
        "progress = 0, message = '' WHERE id = ? AND status = 'queued' RETURNING attempts",
        [worker, iso(utcnow()), time.time(), job_id],
    ).fetchall()
    return rows[0][0] if rows else None


_THIS_ATTEMPT = "id = ? AND attempts = ? AND status = 'running'"


def beat(db: sqlite_utils.Database, job_id: int, attempt: int) -> bool:
    """Renew the heartbeat of a running attempt; False when the attempt is no longer running."""
    cur = db.execute(f"UPDATE jobs SET heartbeat_at = ? WHERE {_THIS_ATTEMPT}", [time.time(), job_id, attempt])
    return cur.rowcount == 1


def finish(db: sqlite_utils.Database, job_id: int, attempt: int, result: dict) -> None:
    """Record the result of a running attempt: status done, progress 1."""
    db.execute(f"UPDATE jobs SET status = 'done', progress = 1, result = ?, finished_at = ? WHERE {_THIS_ATTEMPT}",
               [json.dumps(result), iso(utcnow()), job_id, attempt])


def fail(db: sqlite_utils.Database, job_id: int, attempt: int | None, failure: str, message: str = "",
         detail: str | None = None) -> None:
    """Mark a job failed. ``failure``: 'error' (``message`` is shown), 'timeout' or 'interrupted'.

    ``attempt`` None fails it whatever its attempt; ``detail`` (a traceback) stays on the server.
    """
    guard, args = (_THIS_ATTEMPT, [job_id, attempt]) if attempt is not None else ("id = ?", [job_id])
    db.execute(f"UPDATE jobs SET status = 'failed', failure = ?, message = ?, result = coalesce(?, result), "
               f"finished_at = ? WHERE {guard}", [failure, message, detail, iso(utcnow()), *args])


def release(db: sqlite_utils.Database, job_id: int, attempt: int) -> None:
    """Give a running attempt back to the queue uncounted (the scheduler is stopping, not failing)."""
    db.execute(f"UPDATE jobs SET status = 'queued', attempts = attempts - 1, worker = NULL, progress = 0, "
               f"message = '' WHERE {_THIS_ATTEMPT}", [job_id, attempt])


def requeue_or_fail(db: sqlite_utils.Database, job: dict) -> bool:
    """An interrupted running job: back to the queue if it has an attempt left (True), else failed."""
    if job["attempts"] < MAX_ATTEMPTS:
        cur = db.execute("UPDATE jobs SET status = 'queued', worker = NULL, progress = 0, message = '' "
                         f"WHERE {_THIS_ATTEMPT}", [job["id"], job["attempts"]])
        return cur.rowcount == 1
    fail(db, job["id"], job["attempts"], "interrupted")
    return False


def recover(db: sqlite_utils.Database, me: str, *, stale_after: float = STALE_AFTER,
            now: float | None = None) -> list[int]:
    """Running jobs left by a process that is gone (or silent for ``stale_after`` s): re-queued
    once, or failed as interrupted. Returns the ids put back on the queue (to enqueue again)."""
    now = time.time() if now is None else now
    requeued = []
    for job in db.query("SELECT * FROM jobs WHERE status = 'running' AND coalesce(worker, '') != ?", [me]):
        if worker_gone(job["worker"]) or (job["heartbeat_at"] or 0) < now - stale_after:
            if requeue_or_fail(db, job):
                requeued.append(job["id"])
    return requeued


@dataclass
class Supervision:
    """How this process runs jobs: its worker name, the timeout (s), and a flag set when stopping."""

    worker: str = field(default_factory=worker_name)
    timeout: float = DEFAULT_TIMEOUT
    stopping: threading.Event = field(default_factory=threading.Event)


def supervise(database_path: str, job_id: int, supervision: Supervision) -> str:
    """Run one queued job to its end in a child process; returns what happened.

    'skipped' (not queued any more: done, failed or taken), 'finished' (the child recorded done or
    failed), 'timeout', 'released' (stopping: back on the queue), 'requeue' (the child died without
    a word and the job has an attempt left: the caller enqueues it again) or 'interrupted'.
    """
    db = connect(database_path)
    try:
        attempt = claim(db, job_id, supervision.worker)
        if attempt is None:
            return "skipped"
        child = multiprocessing.get_context("spawn").Process(
            target=child_main, args=(database_path, job_id, attempt, os.getpid()), name=f"job-{job_id}", daemon=True)
        child.start()
        outcome = _watch(db, child, job_id, attempt, supervision)
        if outcome:
            return outcome
        job = get(db, job_id)
        if job and job["status"] == "running" and job["attempts"] == attempt:  # died without a word
            return "requeue" if requeue_or_fail(db, job) else "interrupted"
        return "finished"
    finally:
        db.conn.close()


def _watch(db, child, job_id: int, attempt: int, supervision: Supervision) -> str | None:
    """Beat while ``child`` runs; stop it at the timeout or when stopping. None once it ended by itself."""
    deadline = time.monotonic() + supervision.timeout
    next_beat = time.monotonic() + HEARTBEAT_SECONDS
    while child.is_alive():
        child.join(0.2)
        if supervision.stopping.is_set() and child.is_alive():
            child.kill()
            child.join()
            release(db, job_id, attempt)
            return "released"
        if time.monotonic() >= deadline and child.is_alive():
            child.kill()
            child.join()
            fail(db, job_id, attempt, "timeout", f"{supervision.timeout / 60:g}")
            return "timeout"
        if time.monotonic() >= next_beat:
            beat(db, job_id, attempt)
            next_beat += HEARTBEAT_SECONDS
    return None


def _end_with_parent(parent_pid: int) -> None:
    """In the child: exit at once when the process that started it is gone (its parent changes)."""
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(70)


def progress_recorder(db: sqlite_utils.Database, job_id: int, attempt: int) -> Callable[..., None]:
    """The ``progress(fraction, message)`` a job's work calls: stores the fraction (0..1) and the
    message on attempt ``attempt`` of job ``job_id`` (a write of an abandoned attempt changes nothing).

    A :class:`~toolkit.core.messages.Message` is stored as its JSON and translated where it is
    shown (``toolkit.web.jobs``); a plain string is stored as it is."""

    def progress(fraction: float, message: Message | str = "") -> None:
        db.execute(f"UPDATE jobs SET progress = ?, message = ? WHERE {_THIS_ATTEMPT}",
                   [round(fraction, 3), stored(message), job_id, attempt])

    return progress


def child_main(database_path: str, job_id: int, attempt: int, parent_pid: int) -> None:
    """The child process: do the job's work, record progress and the result or the error.

    A person sees a ValueError's own words (a MessageError's in their language), otherwise only
    the kind of error; the traceback stays in `result`.
    """
    from toolkit.jobs.work import WORK

    # Ctrl+C in a terminal reaches the whole process group; the supervisor decides when this stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, args=(parent_pid,), daemon=True).start()
    db = connect(database_path)
    try:
        job = get(db, job_id)
        progress = progress_recorder(db, job_id, attempt)
        try:
            result = WORK[job["kind"]](db, job, json.loads(job["params"]), progress)
        except Exception as exc:  # a failed job is reported on its page, never lost silently
            if isinstance(exc, MessageError):  # translated on the job's page
                message = exc.message.to_json()
            else:
                message = str(exc) if isinstance(exc, ValueError) else exc.__class__.__name__
            fail(db, job_id, attempt, "error", message, traceback.format_exc()[-4000:])
        else:
            finish(db, job_id, attempt, result)
    finally:
        db.conn.close()
