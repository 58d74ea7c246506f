"""E-mail wording: each message kind rendered from templates/mail/ in the reader's language.

Every sentence is marked for translation; plain text and HTML are rendered from the same
catalogue. No Flask here: the scheduler calls this with the app's config mapping.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import babel.support
import jinja2
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from toolkit import paths
from toolkit.core.tokens import participant_token, personal_link

MAIL_TEMPLATES = paths.MAIL_TEMPLATES
KINDS = ("invitation", "reminder", "personas_ready", "review_due")
LANGUAGES = ("nl", "en")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def participant_link(config: Mapping, participant: Mapping) -> str:
    """The participant's personal survey link.

    The token is derived (HMAC) from the secret key, so it can be rebuilt for a reminder without
    ever storing it; only its hash lives in the database (see toolkit.core.tokens).
    """
    base_url = str(config.get("PUBLIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    return personal_link(base_url, participant_token(config.get("SECRET_KEY") or "", dict(participant)))


@dataclass(frozen=True)
class Rendered:
    """One message in one language, rendered from the same catalogue in both forms.

    `subject` is one line; `text` is the plain-text body ending in a newline; `html` is the
    HTML body.
    """

    subject: str
    text: str
    html: str


TRANSLATIONS = paths.TRANSLATIONS
_environments: dict[str, jinja2.Environment] = {}


def _translations(lang: str) -> babel.support.Translations:
    """The app's catalogue for `lang`, falling back to templates/mail/messages.<lang>.po.

    The fallback keeps mail in the participant's language while the main catalogue does not
    (yet) cover the mail templates; the main catalogue wins wherever it has a translation.
    """
    main = babel.support.Translations.load(str(TRANSLATIONS), [lang], domain="messages")
    local_po = MAIL_TEMPLATES / f"messages.{lang}.po"
    if local_po.exists():
        with local_po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        fallback = babel.support.Translations(buffer)
        if isinstance(main, babel.support.Translations):
            main.add_fallback(fallback)
        else:
            main = fallback
    return main


def _env(lang: str) -> jinja2.Environment:
    if lang not in _environments:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(MAIL_TEMPLATES)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(_translations(lang), newstyle=True)
        _environments[lang] = env
    return _environments[lang]


def language_for(lang: str | None) -> str:
    """`lang` when mail exists in it ("nl" or "en"), otherwise Dutch, the product's default."""
    return lang if lang in LANGUAGES else LANGUAGES[0]


def render(kind: str, lang: str, context: Mapping) -> Rendered:
    """Subject, plain text and HTML of one message kind in one language.

    Each kind has templates/mail/<kind>.txt (which sets `subject`) and <kind>.html, with every
    sentence marked for translation; they are rendered with the catalogue of `lang`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}; expected one of {', '.join(KINDS)}")
    lang = language_for(lang)
    env = _env(lang)
    text_module = env.get_template(f"{kind}.txt").make_module(dict(context, lang=lang))
    html = env.get_template(f"{kind}.html").render(dict(context), lang=lang)
    subject = " ".join(str(getattr(text_module, "subject", "")).split())
    if not subject:
        raise ValueError(f"template {kind}.txt does not set a subject")
    return Rendered(subject=subject, text=str(text_module).strip() + "\n", html=html)


def local_datetime(value: str | dt.datetime | None, lang: str, timezone: str) -> str:
    """A stored UTC time as the reader's clock shows it, e.g. '30 maart 2026 om 09:00'."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(ZoneInfo(timezone))
    return format_datetime(local, "d MMMM y, HH:mm", locale=language_for(lang)) + " " + local.tzname()


def local_date(value: str | dt.date | None, lang: str) -> str:
    """A date as the reader writes it, e.g. '30 maart 2026' or '30 March 2026'.

    `value` is a date or an ISO string (only its first ten characters, YYYY-MM-DD, count); empty
    or None gives "". Raises ValueError when the string does not start with an ISO date.
    """
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, "d MMMM y", locale=language_for(lang))


