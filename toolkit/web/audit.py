"""Who looked at what: every successful view or download of a round, persona, participant, account
or programme."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from toolkit.data.audit import audit
from toolkit.web.database import get_db

AUDITED_OBJECTS = ("participant_id", "persona_id", "round_id", "user_id", "programme_id")
NOT_AUDITED = {"static", "rounds.job_status"}


def _audited_object() -> str | None:
    args = request.view_args or {}
    for key in AUDITED_OBJECTS:
        if key in args:
            return f"{key.removesuffix('_id')} {args[key]}"
    return None


def mark_audit_position():
    """Before a request: remember the last audit row, so a view's own entry can be recognised."""
    if _audited_object() and request.endpoint not in NOT_AUDITED and current_user.is_authenticated:
        g.audit_mark = get_db().execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


def audit_views(response):
    """Record every successful look at or download of a round, persona, participant, account or programme.

    Views that write their own, more specific audit entry (a brief download, an edit) are not
    logged twice.
    """
    mark = g.get("audit_mark")
    if mark is None or request.method != "GET" or response.status_code != 200:
        return response
    db = get_db()
    own = db.execute("SELECT 1 FROM audit WHERE id > ? AND user_id = ?", [mark, current_user.id]).fetchone()
    if not own:
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        audit(db, current_user.id, "export" if attachment else "view", _audited_object(),
                    f"{request.endpoint} {request.path}")
    return response


def init_app(app) -> None:
    """Register the audit hooks on ``app``."""
    app.before_request(mark_audit_position)
    app.after_request(audit_views)
