"""The job queue: huey with its SQLite storage, beside the instance database, and its consumer.

The web app calls :func:`submit`: a `jobs` row plus a message on the queue, nothing more; no
web worker ever runs a job. :class:`JobConsumer` runs in the scheduler process
(`persona-toolkit scheduler`): huey worker threads take messages and hand each job to
toolkit.jobs.runner.supervise, which runs it in a child process with a heartbeat and a timeout.

The queue file (`jobs-queue.db` next to `toolkit.db`) only carries job ids; the `jobs` table
is the truth. So at start the consumer first settles what a previous process left behind
(running jobs whose process is gone: re-queued once, then failed as interrupted), then empties
the queue and puts every queued job on it again: a lost, stale or restored queue file loses
nothing, and a job queued twice still runs once (only a queued row can be claimed).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import sqlite_utils
from huey import SqliteHuey
from huey.consumer import Consumer

from toolkit.data.db import connect
from toolkit.jobs import runner

log = logging.getLogger(__name__)

QUEUE_FILE = "jobs-queue.db"
LEASE_PREFIX = "job-consumer:"  # leases rows: one per running consumer, so pages can tell one is up
LEASE_SECONDS = 90
KEEP_SECONDS = 15  # how often the consumer renews its lease and looks for stale jobs

_hueys: dict[tuple[int, str], tuple[SqliteHuey, object]] = {}  # (pid, path) -> (huey, its run_job task)
_running: dict[str, runner.Supervision] = {}  # database path -> the consumer of this process


def queue_path(database_path: str | Path) -> Path:
    """The huey queue file for the instance database at ``database_path``."""
    return Path(database_path).with_name(QUEUE_FILE)


def _run_job(database_path: str, job_id: int) -> None:
    """The huey task: run one job under this process's consumer; enqueue it again if it asks."""
    supervision = _running.get(database_path) or runner.Supervision()
    outcome = runner.supervise(database_path, job_id, supervision)
    log.info("job %s: %s", job_id, outcome)
    if outcome == "requeue":
        enqueue(database_path, job_id)


def huey_for(database_path: str | Path) -> SqliteHuey:
    """This process's huey for the instance at ``database_path`` (one per process and path)."""
    key = (os.getpid(), str(database_path))
    if key not in _hueys:
        path = queue_path(database_path)
        fresh = not path.exists()
        huey = SqliteHuey(name="persona-toolkit-jobs", filename=str(path), results=False, store_none=False,
                          utc=True, timeout=10)
        task = huey.task(name="run_job", retries=0)(_run_job)
        if fresh:
            path.chmod(0o600)  # files at rest are the toolkit account's only
        _hueys[key] = (huey, task)
    return _hueys[key][0]


def enqueue(database_path: str | Path, job_id: int) -> None:
    """Put job ``job_id`` on the queue (raises sqlite3.OperationalError when the disk is full)."""
    huey_for(database_path)
    _hueys[(os.getpid(), str(database_path))][1](str(database_path), job_id)


def submit(db: sqlite_utils.Database, database_path: str, kind: str, round_id: int, params: dict,
           user_id: int | None) -> int:
    """Create a queued job and put it on the queue; returns its id.

    When the queue cannot take it the row is failed at once (the person sees why) and the error
    raised, so the page shows the "busy, try again" page rather than a job that never starts.
    """
    job_id = runner.create(db, kind, round_id, params, user_id)
    try:
        enqueue(database_path, job_id)
    except Exception:
        runner.fail(db, job_id, None, "error", "the job queue could not be written")
        raise
    return job_id


def consumer_alive(db: sqlite_utils.Database, now: float | None = None) -> bool:
    """True when some process runs a job consumer for this database (its lease is current)."""
    now = time.time() if now is None else now
    return db.execute("SELECT 1 FROM leases WHERE name LIKE ? AND expires_at > ?",
                      [LEASE_PREFIX + "%", now]).fetchone() is not None


class _Consumer(Consumer):
    def _set_signal_handlers(self) -> None:
        """The process that hosts the consumer (the scheduler command, a test) owns its signals."""


class JobConsumer:
    """huey's consumer for one instance database, with recovery at start and a keeper thread.

    ``workers``: jobs run at the same time (threads, each supervising one child process);
    ``timeout``: seconds a job may run; ``worker``: this process's name in `jobs.worker`.
    Use start() and stop(); stop() hands running jobs back to the queue uncounted.
    """

    def __init__(self, database_path: str | Path, *, workers: int = 2, timeout: float = runner.DEFAULT_TIMEOUT,
                 worker: str | None = None):
        """Prepare the consumer for the database at `database_path`; nothing runs until start().

        `workers` (>= 1), `timeout` (seconds) and `worker` as in the class description; the
        worker name defaults to this host and process.
        """
        self.database_path = str(database_path)
        self.supervision = runner.Supervision(worker=worker or runner.worker_name(), timeout=timeout)
        self.huey = huey_for(self.database_path)
        self.consumer = _Consumer(self.huey, workers=workers, periodic=False, initial_delay=0.1, max_delay=1.0,
                                  worker_type="thread", health_check_interval=10)
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    def start(self) -> dict:
        """Settle what a previous process left, queue every queued job, start the threads.

        Returns {"requeued": ids put back after an interruption, "queued": ids on the queue now}.
        """
        db = connect(self.database_path)
        try:
            self._renew_lease(db)
            requeued = runner.recover(db, self.supervision.worker)
            self.huey.flush()
            queued = [r[0] for r in db.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY id")]
        finally:
            db.conn.close()
        for job_id in queued:
            enqueue(self.database_path, job_id)
        if requeued:
            log.warning("jobs %s were interrupted (their process is gone) and run again", requeued)
        _running[self.database_path] = self.supervision
        self.consumer.start()
        self._keeper = threading.Thread(target=self._keep, name="job-keeper", daemon=True)
        self._keeper.start()
        return {"requeued": requeued, "queued": queued}

    def _renew_lease(self, db) -> None:
        db.execute("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET expires_at = excluded.expires_at",
                   [LEASE_PREFIX + self.supervision.worker, self.supervision.worker, time.time() + LEASE_SECONDS])

    def _keep(self) -> None:
        """Every KEEP_SECONDS: renew the lease, and re-queue jobs whose heartbeat went stale."""
        while not self._stop.wait(KEEP_SECONDS):
            try:
                db = connect(self.database_path)
                try:
                    self._renew_lease(db)
                    for job_id in runner.recover(db, self.supervision.worker):
                        enqueue(self.database_path, job_id)
                finally:
                    db.conn.close()
            except Exception:  # a busy or full disk now and then must not end the keeper
                log.exception("job keeper pass failed; trying again in %s s", KEEP_SECONDS)

    def stop(self) -> None:
        """Stop taking jobs; running ones are stopped and put back on the queue for the next start."""
        self._stop.set()
        self.supervision.stopping.set()
        self.consumer.stop(graceful=True)
        if self._keeper:
            self._keeper.join(5)
        _running.pop(self.database_path, None)
        try:
            db = connect(self.database_path)
            try:
                db.execute("DELETE FROM leases WHERE name = ?", [LEASE_PREFIX + self.supervision.worker])
            finally:
                db.conn.close()
        except Exception:  # noqa: S110 - the lease runs out by itself
            pass
