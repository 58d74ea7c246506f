"""Flask wiring: extensions, access rules, security headers, error pages, blueprints."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, render_template, request, session
from flask_babel import Babel, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from . import store
from .db import DatabaseUnavailable, get_db

csrf = CSRFProtect()
login_manager = LoginManager()

# Which roles may do what. Per-round grants come on top (see `round_for`).
PERMISSIONS = {
    "rounds.list": ("admin", "hr", "change_manager", "trainer"),
    "rounds.manage": ("admin", "hr"),
    "rounds.view": ("admin", "hr", "change_manager"),
    "personas.view": ("admin", "hr", "change_manager", "trainer"),
    "personas.derive": ("admin", "hr", "change_manager"),
    "personas.edit": ("admin", "hr", "change_manager"),
    "briefs.communication": ("admin", "hr", "change_manager"),
    "briefs.training": ("admin", "hr", "change_manager", "trainer"),
    "briefs.overview": ("admin", "hr", "change_manager"),
}


def requires(permission: str):
    """Allow a view only to logged-in users whose role has `permission`."""
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
    return current_user.is_authenticated and current_user.role in PERMISSIONS[permission]


def round_for(round_id: int) -> dict:
    """The round if the current user may see it: 404 when it does not exist, 403 when not granted."""
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


def get_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request.args.get("lang") in languages:
        session["lang"] = request.args["lang"]
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(value: str | None, fmt: str = "medium") -> str:
    """Show a stored UTC time in the configured zone (Europe/Amsterdam by default)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])), fmt)


def security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint and not request.endpoint.startswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(code: int, title: str, message: str):
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app) -> None:
    Babel(app, locale_selector=get_locale, default_translation_directories="translations")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    from .accounts import load_user

    @login_manager.user_loader
    def _load(user_id):
        return load_user(get_db(), user_id)

    if app.config.get("PREFERRED_URL_SCHEME") == "https" or str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)

    app.after_request(security_headers)
    app.jinja_env.globals.update(can=can)
    app.jinja_env.filters.update(local_time=local_time, decimal=lambda v, f="0.0": format_decimal(v, f))

    @app.before_request
    def _session_expiry():
        session.permanent = True
        g.lang = get_locale()

    @app.errorhandler(400)
    def _bad_request(_e):
        return error_page(400, _("Request not understood"), _("Please go back and try again."))

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return error_page(400, _("This form has expired"), _("Go back, reload the page and submit it again."))

    @app.errorhandler(403)
    def _forbidden(_e):
        return error_page(403, _("Not allowed"), _("Your account has no access to this page. Ask HR to grant you access."))

    @app.errorhandler(404)
    def _not_found(_e):
        return error_page(404, _("Page not found"), _("This page or link is not valid."))

    @app.errorhandler(413)
    def _too_large(_e):
        return error_page(413, _("File too large"), _("Files up to 10 MB can be uploaded."))

    @app.errorhandler(DatabaseUnavailable)
    def _db_down(e):
        current_app.logger.error("database unavailable: %s", e)
        return error_page(503, _("Temporarily unavailable"), _("The database cannot be reached. Try again in a minute."))

    @app.errorhandler(500)
    def _server_error(_e):
        return error_page(500, _("Something went wrong"), _("The error was logged. Try again, or tell your administrator."))

    from .auth.views import bp as auth_bp
    from .persona_views.views import bp as personas_bp
    from .rounds.views import bp as rounds_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(personas_bp)
