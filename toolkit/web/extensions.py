"""The Flask extensions every part of the web app shares: CSRF protection and the login manager."""

from __future__ import annotations

from flask import session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from toolkit.data.accounts import get_user
from toolkit.web.database import get_db
from toolkit.web.users import User, user_from_row

SESSION_VERSION = "_sv"  # the account's session_version when this session logged in

csrf = CSRFProtect()
login_manager = LoginManager()


def load_user(user_id: str) -> User | None:
    """The account of this session, or None (anonymous: the login page) when the account is gone,
    disabled, or ended every session since this one logged in (logout, new password, new role)."""
    user = user_from_row(get_user(get_db(), user_id))
    if user is None or session.get(SESSION_VERSION) != user.session_version:
        return None
    return user


def init_app(app) -> None:
    """Attach CSRF protection and Flask-Login to ``app``; cookies are Secure behind https."""
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    if app.config.get("PREFERRED_URL_SCHEME") == "https" or str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
