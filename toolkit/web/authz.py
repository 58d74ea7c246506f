"""Who may do what: the role table, the view decorator and the per-round check.

The role table is `toolkit.core.roles`; per-round grants come on top of it (see `round_for`): admin and HR see every round
(HR owns rounds); change managers and trainers only rounds granted to them, and trainers only
personas, training briefs and the (read-only) comparison of programmes of granted rounds. tests/test_authz.py walks every route against this table, so a new
route needs a permission there.
"""

from __future__ import annotations

import functools

from flask import abort, g
from flask_babel import gettext
from flask_login import current_user

from toolkit.core.roles import PERMISSIONS, ROLES
from toolkit.data.access import may_see_round, visible_round_ids
from toolkit.data.db import NotFound
from toolkit.data.rounds import get_round, list_rounds
from toolkit.web.database import get_db
from toolkit.web.extensions import login_manager


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
                g.forbidden = roles  # the 403 page names who may, and whom to ask
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
        round_ = get_round(get_db(), round_id)
    except NotFound:
        abort(404)
    if not may_see_round(get_db(), current_user.id, current_user.role, round_id):
        g.forbidden = "round"  # HR grants rounds: the 403 page says to ask HR
        abort(403)
    return round_


def current_visible_round_ids() -> set[int] | None:
    """Round ids the current user may see, or None when they see every round (admin, HR)."""
    return visible_round_ids(get_db(), current_user.id, current_user.role)


def visible_rounds() -> list[dict]:
    """The rounds the current user may see, newest first, with response and invitation counts."""
    rounds = list_rounds(get_db())
    visible = current_visible_round_ids()
    return rounds if visible is None else [r for r in rounds if r["id"] in visible]


def role_label(role: str) -> str:
    """The role's name in the reader's language ("wijzigingsmanager"); the id for an unknown role."""
    return gettext(ROLES[role].label) if role in ROLES else role
