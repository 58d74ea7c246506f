"""Friendly error pages: every failure a user can meet gets a page in their language, never a traceback.

A bad day on the server (the database locked past the busy timeout, a full disk, a read-only
disk) is not the user's fault and usually passes: those get 503 "busy, try again in a moment"
with a Retry-After header, and the cause goes to the log for the administrator.
"""

from __future__ import annotations

import errno
import sqlite3

from flask import current_app, g, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from toolkit.data.db import DatabaseUnavailable
from toolkit.web.authz import role_label

BUSY_RETRY_SECONDS = 5  # a lock wait that timed out: most likely over within seconds
DISK_RETRY_SECONDS = 60  # a full or read-only disk needs the administrator
DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def error_page(code: int, title: str, message: str, retry_after: int | None = None):
    """The error template with ``title`` and ``message``: (body, status) or (body, status, headers)."""
    body = render_template("error.html", code=code, title=title, message=message)
    if retry_after is None:
        return body, code
    return body, code, {"Retry-After": str(retry_after)}


def server_trouble(exc: BaseException) -> int | None:
    """Seconds to suggest waiting when ``exc`` is a passing server problem (503), else None.

    sqlite3.OperationalError "database is locked" / "busy" (a lock held past the busy timeout),
    "database or disk is full", "attempt to write a readonly database", "disk I/O error"; an
    OSError for a full, over-quota or read-only disk; DatabaseUnavailable (cannot open at all).
    """
    if isinstance(exc, DatabaseUnavailable):
        return DISK_RETRY_SECONDS
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return BUSY_RETRY_SECONDS
        if "full" in text or "readonly" in text or "read-only" in text or "disk i/o" in text:
            return DISK_RETRY_SECONDS
        return None
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        return DISK_RETRY_SECONDS
    return None


def unavailable_page(exc: BaseException, retry_after: int):
    """503 "busy, try again in a moment" with Retry-After; the real cause only in the log."""
    current_app.logger.error("503 for a passing server problem: %s: %s", exc.__class__.__name__, exc)
    # The page must not need the database that just failed: no account lookup for the menu.
    if "_login_user" not in g:
        g._login_user = current_app.login_manager.anonymous_user()
    g.lang = g.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]
    return error_page(503, _("Busy right now"), _("The server is busy. Try again in a moment."), retry_after)


def _on_server_trouble(exc: BaseException):
    retry_after = server_trouble(exc)
    if retry_after is None:
        raise exc  # not ours to soften: the 500 handler (or the test runner) sees it
    return unavailable_page(exc, retry_after)


def _on_500(exc):
    # Raised outside a view (an after_request hook writing the audit log on a full disk): Flask
    # wraps it as a 500, the original is still there to look at.
    original = getattr(exc, "original_exception", None)
    retry_after = server_trouble(original) if original is not None else None
    if retry_after is not None:
        return unavailable_page(original, retry_after)
    return error_page(500, _("Something went wrong"), _("The error was logged. Try again, or tell your administrator."))


def _on_429(_exc):
    return error_page(429, _("Too many attempts"), _("Wait a few minutes and try again."), g.get("retry_after"))


def forbidden_message() -> str:
    """Why a page is refused and whom to ask: HR shares rounds; only an administrator changes roles.

    Reads ``g.forbidden`` set by `toolkit.web.authz`: "round" (a round not shared with the
    reader) or the tuple of roles the page is for.
    """
    reason = g.get("forbidden")
    if reason == "round":
        return _("This round has not been shared with you. Ask HR to give you access to it.")
    if isinstance(reason, tuple) and reason:
        return _("This page is for %(roles)s only. Only an administrator can change what your account may do.",
                 roles=", ".join(role_label(r) for r in reason))
    return _("Your account has no access to this page. Ask an administrator if you need it.")


def init_app(app) -> None:
    """Register a handler for 400, CSRF failures, 403, 404, 405, 413, 429, 500 and passing server trouble."""
    pages = {
        400: lambda: (_("Request not understood"), _("Please go back and try again.")),
        CSRFError: lambda: (_("This form has expired"), _("Go back, reload the page and submit it again.")),
        403: lambda: (_("Not allowed"), forbidden_message()),
        404: lambda: (_("Page not found"), _("This page or link is not valid.")),
        405: lambda: (_("Not possible here"),
                      _("This page cannot be used this way. Go back and use the links and buttons on the page.")),
        # A request may be a little larger than the file it carries (MAX_CONTENT_LENGTH): name the file's limit.
        413: lambda: (_("File too large"), _("Files up to %(mb)d MB can be uploaded.", mb=current_app.config["MAX_UPLOAD_MB"])
                      + " " + _("Larger files can be imported on the command line (see the README).")),
    }
    for key, texts in pages.items():
        code = 400 if key is CSRFError else key
        app.register_error_handler(key, lambda _e, code=code, texts=texts: error_page(code, *texts()))
    app.register_error_handler(429, _on_429)
    app.register_error_handler(500, _on_500)
    for trouble in (DatabaseUnavailable, sqlite3.OperationalError, OSError):
        app.register_error_handler(trouble, _on_server_trouble)
