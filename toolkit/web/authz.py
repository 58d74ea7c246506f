"""Who may do what: the role table, the view decorator and the per-round check.

Per-round grants come on top of the role table (see `round_for`): admin and HR see every round
(HR owns rounds); change managers and trainers only rounds granted to them, and trainers only
personas and training briefs. tests/test_authz.py walks every route against this table, so a new
route needs a rule here.
"""

from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user

from toolkit.data import store
from toolkit.web.database import get_db
from toolkit.web.extensions import login_manager

PERMISSIONS = {
    "rounds.list": ("admin", "hr", "change_manager", "trainer"),
    "rounds.manage": ("admin", "hr"),
    "rounds.grant": ("admin", "hr"),
    "rounds.privacy": ("admin", "hr"),
    "participants.data": ("admin", "hr"),
    "admin.users": ("admin",),
    "admin.audit": ("admin",),
    "rounds.view": ("admin", "hr", "change_manager"),
    "personas.view": ("admin", "hr", "change_manager", "trainer"),
    "personas.derive": ("admin", "hr", "change_manager"),
    "personas.edit": ("admin", "hr", "change_manager"),
    "briefs.communication": ("admin", "hr", "change_manager"),
    "briefs.training": ("admin", "hr", "change_manager", "trainer"),
    "briefs.overview": ("admin", "hr", "change_manager"),
}


def requires(permission: str):
    """Decorator: allow a view only to logged-in users whose role has ``permission``.

    Anonymous visitors go to the login page; a logged-in user without the permission gets 403.
    Raises KeyError at import time for a permission that is not in `PERMISSIONS`.
    """
    roles = PERMISSIONS[permission]

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def can(permission: str) -> bool:
    """True when the current user is logged in and their role has ``permission``."""
    return current_user.is_authenticated and current_user.role in PERMISSIONS[permission]


def round_for(round_id: int) -> dict:
    """The round row if the current user may see it; aborts 404 when it does not exist, 403 when not granted."""
    try:
        round_ = store.get_round(get_db(), round_id)
    except store.NotFound:
        abort(404)
    if current_user.role not in ("admin", "hr"):
        granted = get_db().execute(
            "SELECT 1 FROM round_access WHERE round_id = ? AND user_id = ?", [round_id, current_user.id]
        ).fetchone()
        if not granted:
            abort(403)
    return round_
