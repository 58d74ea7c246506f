"""The Flask extensions every part of the web app shares: CSRF protection and the login manager."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from toolkit.data.accounts import get_user
from toolkit.web.database import get_db
from toolkit.web.users import user_from_row

csrf = CSRFProtect()
login_manager = LoginManager()


def init_app(app) -> None:
    """Attach CSRF protection and Flask-Login to ``app``; cookies are Secure behind https."""
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(lambda user_id: user_from_row(get_user(get_db(), user_id)))
    if app.config.get("PREFERRED_URL_SCHEME") == "https" or str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
