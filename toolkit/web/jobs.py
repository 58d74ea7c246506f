"""What a progress page says about a background job: why it failed, or that it waits for a worker."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from toolkit.jobs import queue
from toolkit.web.database import get_db
from toolkit.web.i18n import translate


def submit(kind: str, round_id: int, params: dict, user_id: int) -> int:
    """Queue a job of ``kind`` for the scheduler process; returns its id (nothing runs in this worker)."""
    return queue.submit(get_db(), current_app.config["DATABASE"], kind, round_id, params, user_id)


def failure_reason(job: dict) -> str:
    """Why ``job`` failed, in the reader's language: its own message, or the timeout or interruption."""
    if job["failure"] == "timeout":
        return _("it took longer than %(minutes)s minutes and was stopped", minutes=job["message"] or "?")
    if job["failure"] == "interrupted":
        return _("it was interrupted twice because the server restarted")
    return translate(job["message"])


def job_page_context(job: dict) -> dict:
    """Extra names for a progress page: ``failure`` (text or None), ``progress_text`` (what the
    job is doing, in the reader's language) and ``waiting`` (no worker running)."""
    return {
        "failure": failure_reason(job) if job["status"] == "failed" else None,
        "progress_text": translate(job["message"]) if job["status"] != "failed" else "",
        "waiting": job["status"] == "queued" and not queue.consumer_alive(get_db()),
    }
