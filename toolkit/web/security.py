"""The real client address, response headers, sessions that end when idle, and refusing
addresses that guess respondent links."""

from __future__ import annotations

import math
import time

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

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


def refuse_token_guessing():
    """Respondent links (routes with a <token>) from an address that guessed wrong too often: 429.

    Wrong links are answered exactly like any unknown URL (404, same page), so guessing learns
    nothing. Past TOKEN_GUESS_LIMIT misses in TOKEN_GUESS_WINDOW seconds, every link request from
    that address gets 429 at once, with Retry-After saying when its window ends; the link is not
    even looked up. Nothing waits inside a worker, so guessing never holds up other people's pages.
    """
    if not (request.view_args and "token" in request.view_args):
        return None
    config = current_app.config
    misses, left = ratelimit.peek(get_db(), _token_key(), float(config["TOKEN_GUESS_WINDOW"]))
    if misses >= int(config["TOKEN_GUESS_LIMIT"]):
        g.retry_after = max(1, math.ceil(left))
        abort(429)
    return None


def count_token_miss(response):
    """Count a 404 on a respondent link against the requesting address."""
    if response.status_code == 404 and request.view_args and "token" in request.view_args:
        ratelimit.hit(get_db(), _token_key(), 10**9, float(current_app.config["TOKEN_GUESS_WINDOW"]))
    return response


def start_request():
    """Every request: a permanent (8-hour) session, the reader's language, the idle check."""
    if not session.permanent:  # assigning marks the session modified: a new cookie every request
        session.permanent = True
    g.lang = get_locale()
    return end_idle_session()


def trust_proxies(app) -> None:
    """Take the client address (and http/https) from the TRUSTED_PROXIES reverse proxies in front.

    With TRUSTED_PROXIES = 0 (the default) the address is the connecting one: right for a server
    reached directly, wrong behind a proxy, where everyone would share the proxy's address and so
    its login and link-guessing limits. With N > 0 the N-th address from the right of
    X-Forwarded-For is the client; addresses further left are what the client claimed and are
    ignored, so a client cannot pick its own address.
    """
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_app(app) -> None:
    """Register the proxy fix, the session start, the headers and the link-guessing guard on ``app``."""
    trust_proxies(app)
    app.before_request(start_request)
    app.before_request(refuse_token_guessing)
    app.after_request(security_headers)
    app.after_request(transport_headers)
    app.after_request(count_token_miss)
