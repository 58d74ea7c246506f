"""Response headers, sessions that end when idle, and slowing down guessed respondent links."""

from __future__ import annotations

import time

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from toolkit.data import ratelimit
from toolkit.web.database import get_db
from toolkit.web.i18n import get_locale

IDLE_STAMP = "_seen"


def security_headers(response):
    """CSP without inline script, no referrer, no sniffing, no framing, no caching of pages."""
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
    """HSTS over https, and the cross-origin and permissions policies."""
    if _is_https():
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


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
    """Count a 404/429 on a respondent link against the requesting address."""
    if response.status_code in (404, 429) and request.view_args and "token" in request.view_args:
        window = float(current_app.config.get("TOKEN_GUESS_WINDOW", 15 * 60))
        ratelimit.hit(get_db(), _token_key(), 10**9, window)
    return response


def start_request():
    """Every request: a permanent (8-hour) session, the reader's language, the idle check."""
    if not session.permanent:  # assigning marks the session modified: a new cookie every request
        session.permanent = True
    g.lang = get_locale()
    return end_idle_session()


def init_app(app) -> None:
    """Register the session start, the headers and the link-guessing guard on ``app``."""
    app.before_request(start_request)
    app.before_request(slow_token_guessing)
    app.after_request(security_headers)
    app.after_request(transport_headers)
    app.after_request(count_token_miss)
