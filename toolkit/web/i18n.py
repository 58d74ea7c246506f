"""The reader's language (nl or en) and the number and date filters templates use."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app, g, request, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, format_percent, gettext
from flask_login import current_user
from markupsafe import Markup

from toolkit import paths
from toolkit.core.compare import KIND_NAMES
from toolkit.core.messages import Message
from toolkit.web.database import get_db


def get_locale() -> str:
    """The language of this request: ``?lang=``, then the session, the account, the browser.

    A ``?lang=`` choice is stored on the account, so it holds on every device.
    """
    languages = current_app.config["LANGUAGES"]
    if request.args.get("lang") in languages:
        session["lang"] = request.args["lang"]
        if current_user and current_user.is_authenticated and current_user.language != session["lang"]:
            get_db().execute("UPDATE users SET language = ? WHERE id = ?", [session["lang"], current_user.id])
            current_user.language = session["lang"]
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(value: str | None, fmt: str = "medium") -> str:
    """A stored UTC ISO time shown in the configured TIMEZONE (Europe/Amsterdam by default)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])), fmt, rebase=False)


def translate(message: Message | str | None) -> str:
    """A message from core, services or jobs in the reader's language.

    ``message`` is a :class:`Message`, the JSON a database column keeps of one, or older plain
    text (shown as it is); None gives "".
    """
    if message is None:
        return ""
    if isinstance(message, str):
        parsed = Message.from_json(message)
        if parsed is None:
            return message
        message = parsed
    return gettext(message.msgid, **message.params)


def in_reader_language(texts: dict[str, str]) -> str:
    """One text of a language -> text mapping (a questionnaire's title): the reader's, else the first."""
    return texts.get(g.get("lang") or get_locale()) or next(iter(texts.values()), "")


def columns_code(names) -> Markup:
    """Column names, types or other words a person types, as ``<code>`` joined by commas (HTML)."""
    return Markup(", ").join(Markup("<code>{}</code>").format(name) for name in names)


@functools.cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def _locale_for_babel() -> Locale:
    # Flask-Babel parses a returned string anew on every request, and babel checks its locale
    # file on disk each time; a parsed Locale is passed through as it is.
    return _babel_locale(g.get("lang") or get_locale())  # g.lang: chosen once per request


def init_app(app) -> None:
    """Flask-Babel with our catalogues, and the ``local_time``, ``decimal``, ``percent``, ``day`` and
    ``translate`` filters."""
    Babel(app, locale_selector=_locale_for_babel, default_translation_directories=str(paths.TRANSLATIONS))
    app.jinja_env.filters.update(local_time=local_time, translate=translate, decimal=lambda v, f="0.0": format_decimal(v, f),
                                 percent=lambda v: format_percent(v),
                                 day=lambda v: format_date(dt.date.fromisoformat(str(v)[:10])) if v else "")
    app.jinja_env.globals.update(columns_code=columns_code, in_reader_language=in_reader_language,
                                 change_kind_names=KIND_NAMES)
