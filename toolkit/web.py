"""Flask wiring: extensions, access rules, security headers, error pages, blueprints."""

from __future__ import annotations

import datetime as dt
import functools
import time
from zoneinfo import ZoneInfo

from babel import Locale
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import Babel, format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from toolkit import ratelimit, store
from toolkit.db import DatabaseUnavailable, get_db

csrf = CSRFProtect()
login_manager = LoginManager()

# Which roles may do what. Per-round grants come on top (see `round_for`): admin and HR see
# every round (HR owns rounds); change managers and trainers only rounds granted to them, and
# trainers only personas and training briefs. tests/test_authz.py walks every route against this.
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
        if current_user and current_user.is_authenticated and current_user.language != session["lang"]:
            # The choice is the user's language from now on, on every device (issue 10).
            get_db().execute("UPDATE users SET language = ? WHERE id = ?", [session["lang"], current_user.id])
            current_user.language = session["lang"]
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
    return format_datetime(moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])), fmt, rebase=False)


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


def _is_https() -> bool:
    return request.is_secure or str(current_app.config.get("PUBLIC_BASE_URL", "")).startswith("https")


def transport_headers(response):
    if _is_https():
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


# --- sessions that end -------------------------------------------------------------------------

IDLE_STAMP = "_seen"


def end_idle_session():
    """Log out a user who has been idle longer than SESSION_IDLE_MINUTES (default 60).

    The 8-hour PERMANENT_SESSION_LIFETIME caps a session however busy; this ends a session
    left open on an unattended screen sooner.
    """
    # Respondent pages neither use nor extend a staff login (and loading it costs every answer page).
    if request.endpoint == "static" or request.blueprint == "survey" or not current_user.is_authenticated:
        return None
    now = time.time()
    idle_limit = float(current_app.config.get("SESSION_IDLE_MINUTES", 60)) * 60
    seen = session.get(IDLE_STAMP)
    if seen is not None and now - float(seen) > idle_limit:
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You were logged out after a period without activity. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if seen is None or now - float(seen) > 30:  # refresh at most every 30 s: fewer cookie rewrites
        session[IDLE_STAMP] = now
    return None


# --- guessed respondent links ------------------------------------------------------------------


def _token_key() -> str:
    return f"token-miss:{request.remote_addr}"


def slow_token_guessing():
    """Respondent links (routes with a <token>) cost more once an address has guessed wrong often.

    Wrong links are answered exactly like any unknown URL (404, same page), so guessing learns
    nothing; past TOKEN_GUESS_LIMIT misses in TOKEN_GUESS_WINDOW seconds every link request from
    that address waits TOKEN_GUESS_DELAY seconds first. A valid link still works, only slower.
    """
    if not (request.view_args and "token" in request.view_args):
        return None
    row = get_db().execute("SELECT window_start, count FROM rate_limits WHERE key = ?", [_token_key()]).fetchone()
    window = float(current_app.config.get("TOKEN_GUESS_WINDOW", 15 * 60))
    if row and time.time() - row[0] < window and row[1] >= int(current_app.config.get("TOKEN_GUESS_LIMIT", 20)):
        g.token_slowed = True
        time.sleep(float(current_app.config.get("TOKEN_GUESS_DELAY", 1.0)))
    return None


def count_token_miss(response):
    if response.status_code in (404, 429) and request.view_args and "token" in request.view_args:
        window = float(current_app.config.get("TOKEN_GUESS_WINDOW", 15 * 60))
        ratelimit.hit(get_db(), _token_key(), 10**9, window)
    return response


# --- who looked at what ---------------------------------------------------------------------

AUDITED_OBJECTS = ("participant_id", "persona_id", "round_id", "user_id")
NOT_AUDITED = {"static", "rounds.job_status"}


def _audited_object() -> str | None:
    args = request.view_args or {}
    for key in AUDITED_OBJECTS:
        if key in args:
            return f"{key.removesuffix('_id')} {args[key]}"
    return None


def mark_audit_position():
    if _audited_object() and request.endpoint not in NOT_AUDITED and current_user.is_authenticated:
        g.audit_mark = get_db().execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]


def audit_views(response):
    """Record every successful look at or download of a round, persona, participant or account.

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
        store.audit(db, current_user.id, "export" if attachment else "view", _audited_object(),
                    f"{request.endpoint} {request.path}")
    return response


def error_page(code: int, title: str, message: str):
    return render_template("error.html", code=code, title=title, message=message), code


@functools.cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def _locale_for_babel() -> Locale:
    # Flask-Babel parses a returned string anew on every request, and babel checks its locale
    # file on disk each time; a parsed Locale is passed through as it is.
    return _babel_locale(g.get("lang") or get_locale())  # g.lang: chosen once per request


def init_app(app) -> None:
    Babel(app, locale_selector=_locale_for_babel, default_translation_directories="translations")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    from toolkit.accounts import load_user

    @login_manager.user_loader
    def _load(user_id):
        return load_user(get_db(), user_id)

    if app.config.get("PREFERRED_URL_SCHEME") == "https" or str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

    app.after_request(security_headers)
    app.after_request(transport_headers)
    app.after_request(audit_views)
    app.after_request(count_token_miss)
    app.jinja_env.globals.update(can=can)
    app.jinja_env.filters.update(local_time=local_time, decimal=lambda v, f="0.0": format_decimal(v, f),
                                 percent=lambda v: format_percent(v),
                                 day=lambda v: format_date(dt.date.fromisoformat(str(v)[:10])) if v else "")

    @app.before_request
    def _session_expiry():
        if not session.permanent:  # assigning marks the session modified: a new cookie every request
            session.permanent = True
        g.lang = get_locale()
        return end_idle_session()

    app.before_request(slow_token_guessing)
    app.before_request(mark_audit_position)

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

    @app.errorhandler(405)
    def _method(_e):
        return error_page(405, _("Not possible here"), _("This page cannot be used this way. Go back and use the links and buttons on the page."))

    @app.errorhandler(429)
    def _too_many(_e):
        return error_page(429, _("Too many attempts"), _("Wait a few minutes and try again."))

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

    from toolkit.admin.views import bp as admin_bp
    from toolkit.auth.views import bp as auth_bp
    from toolkit.persona_views.views import bp as personas_bp
    from toolkit.programme_views.views import bp as programmes_bp
    from toolkit.rounds.views import bp as rounds_bp
    from toolkit.survey.views import bp as survey_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(personas_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(programmes_bp)
