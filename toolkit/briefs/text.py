"""The briefs' wording: the one Babel catalogue of the app, read for one language, without Flask.

Every sentence a brief shows is an English message id in the code, marked so that
``make i18n-update`` extracts it (``catalogue(lang).gettext("...")``, ``ctx._("...")`` or
``N_("...")`` where the message is chosen at run time), and translated in
toolkit/translations/<lang>/LC_MESSAGES/messages.po next to the web pages' wording. A few
messages carry the context ``"brief"`` (``pgettext``) because the web pages translate the same
English word differently ("Format" is "Vorm" on a page and "Leervorm" in a training brief).

Placeholders are Python's named ones (``%(name)s``), as everywhere else in the catalogue.
"""

from __future__ import annotations

import functools
import io

import babel.support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from toolkit import paths

# The languages a brief can be written in, with the Word language tag of each.
LANGUAGES = {"nl": "nl-NL", "en": "en-GB"}
SOURCE_LANGUAGE = "en"  # the message ids are English
DOMAIN = "messages"
UNKNOWN = "–"  # shown for a missing figure, in every language


def check_language(lang: str) -> None:
    """Raise ``ValueError`` unless briefs can be written in ``lang`` (``"nl"`` or ``"en"``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"briefs are available in {', '.join(LANGUAGES)}, not '{lang}'")


class Catalogue:
    """The brief wording of one language: message id in, translated (and filled) text out.

    ``lang`` is a key of ``LANGUAGES``; ``translations`` is the loaded Babel catalogue. An id
    that the catalogue lacks comes back as the English id itself (gettext's rule).
    """

    def __init__(self, lang: str, translations: babel.support.NullTranslations):
        """Wrap `translations` for `lang`; use `catalogue(lang)` instead, which caches and checks."""
        self.lang = lang
        self._translations = translations

    def gettext(self, message: str, **values) -> str:
        """``message`` translated; with ``values``, its ``%(name)s`` placeholders filled.

        Raises ``KeyError`` when the translation names a placeholder ``values`` lacks.
        """
        text = self._translations.gettext(message)
        return text % values if values else text

    _ = gettext

    def pgettext(self, context: str, message: str, **values) -> str:
        """Like ``gettext`` for a message that the catalogue keeps under ``context``."""
        text = self._translations.pgettext(context, message)
        return text % values if values else text


@functools.cache
def catalogue(lang: str) -> Catalogue:
    """The wording of ``lang``, loaded once per process.

    Reads the compiled catalogue (``make translations``); when that is missing or older than
    its ``messages.po`` (a checkout that has not been compiled since the last pull), the .po
    is compiled in memory instead, so a Dutch brief never silently comes out in English.
    Raises ``ValueError`` for a language briefs do not support and ``LookupError`` when a
    translated language has no catalogue at all.
    """
    check_language(lang)
    folder = paths.TRANSLATIONS / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if po.is_file() and (not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime):
        return Catalogue(lang, _compile(po, lang))
    translations = babel.support.Translations.load(str(paths.TRANSLATIONS), [lang], DOMAIN)
    if not isinstance(translations, babel.support.Translations) and lang != SOURCE_LANGUAGE:
        raise LookupError(f"no '{lang}' catalogue in {paths.TRANSLATIONS}; run 'make translations'")
    return Catalogue(lang, translations)


def _compile(po_path, lang: str) -> babel.support.Translations:
    with open(po_path, "rb") as fh:
        parsed = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return babel.support.Translations(buffer, domain=DOMAIN)
