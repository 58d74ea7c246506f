"""Long work (deriving with bootstrap, building zips) runs beside the web worker, not in it.

A job is a row in `jobs`; a thread with its own database connection does the work and writes
its progress there, and the page that started it polls the row. The request returns at once.
"""

from __future__ import annotations

import json
import threading
import traceback

import sqlite_utils

from toolkit.data.db import connect, iso, utcnow


def create(db: sqlite_utils.Database, kind: str, round_id: int, params: dict, user_id: int | None) -> int:
    cur = db.execute(
        "INSERT INTO jobs (kind, round_id, params, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        [kind, round_id, json.dumps(params), user_id, iso(utcnow())],
    )
    return cur.lastrowid


def get(db: sqlite_utils.Database, job_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
    return rows[0] if rows else None


def _run(database_path: str, job_id: int, work) -> None:
    """One job's life: running, progress, done with its result, or failed with a message.

    `work(db, job, params, progress)` does the job and returns the result dict. A person sees
    a ValueError's own words, otherwise only the kind of error; the traceback stays in `result`.
    """
    db = connect(database_path)
    try:
        job = get(db, job_id)

        def progress(fraction: float, message: str = "") -> None:
            db.execute("UPDATE jobs SET progress = ?, message = ? WHERE id = ?", [round(fraction, 3), message, job_id])

        db.execute("UPDATE jobs SET status = 'running' WHERE id = ?", [job_id])
        result = work(db, job, json.loads(job["params"]), progress)
        db.execute(
            "UPDATE jobs SET status = 'done', progress = 1, result = ?, finished_at = ? WHERE id = ?",
            [json.dumps(result), iso(utcnow()), job_id],
        )
    except Exception as exc:  # a failed job is reported on its page, never lost silently
        message = str(exc) if isinstance(exc, ValueError) else exc.__class__.__name__
        try:
            db.execute(
                "UPDATE jobs SET status = 'failed', message = ?, result = ?, finished_at = ? WHERE id = ?",
                [message, traceback.format_exc()[-4000:], iso(utcnow()), job_id],
            )
        except Exception:  # noqa: S110 - the database itself is gone (a test's folder removed)
            pass
    finally:
        db.conn.close()


def start(database_path: str, job_id: int, work) -> threading.Thread:
    """Run `work` for the job in a thread of its own, beside the web worker."""
    thread = threading.Thread(target=_run, args=(database_path, job_id, work), name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread


def _derive(db: sqlite_utils.Database, job: dict, params: dict, progress) -> dict:
    from toolkit.services.pipeline import derive_round

    set_id = derive_round(db, job["round_id"], k=params.get("k"), seed=params.get("seed", 0),
                          bootstrap=params.get("bootstrap", 100), user_id=job["created_by"], progress=progress)
    return {"set_id": set_id}


def start_derive(database_path: str, job_id: int) -> threading.Thread:
    return start(database_path, job_id, _derive)
