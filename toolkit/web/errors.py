"""Friendly error pages: every failure a user can meet gets a page in their language, never a traceback."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from toolkit.data.db import DatabaseUnavailable


def error_page(code: int, title: str, message: str):
    """The error template with ``title`` and ``message``, as a (body, status) pair."""
    return render_template("error.html", code=code, title=title, message=message), code


def _database_down(exc):
    current_app.logger.error("database unavailable: %s", exc)
    return error_page(503, _("Temporarily unavailable"), _("The database cannot be reached. Try again in a minute."))


def init_app(app) -> None:
    """Register a handler for 400, CSRF failures, 403, 404, 405, 413, 429, 500 and a lost database."""
    pages = {
        400: lambda: (_("Request not understood"), _("Please go back and try again.")),
        CSRFError: lambda: (_("This form has expired"), _("Go back, reload the page and submit it again.")),
        403: lambda: (_("Not allowed"), _("Your account has no access to this page. Ask HR to grant you access.")),
        404: lambda: (_("Page not found"), _("This page or link is not valid.")),
        405: lambda: (_("Not possible here"),
                      _("This page cannot be used this way. Go back and use the links and buttons on the page.")),
        429: lambda: (_("Too many attempts"), _("Wait a few minutes and try again.")),
        413: lambda: (_("File too large"), _("Files up to 10 MB can be uploaded.")),
        500: lambda: (_("Something went wrong"), _("The error was logged. Try again, or tell your administrator.")),
    }
    for key, texts in pages.items():
        code = 400 if key is CSRFError else key
        app.register_error_handler(key, lambda _e, code=code, texts=texts: error_page(code, *texts()))
    app.register_error_handler(DatabaseUnavailable, _database_down)
