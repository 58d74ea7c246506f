"""Every user-visible string is marked for translation, and the Dutch catalogue covers them all."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NL_CATALOGUE = ROOT / "toolkit" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
# Shown as they are in every language: language codes, statistical symbols, the product name.
UNTRANSLATED_OK = {"NL", "EN", "n", "z", "Persona", "Toolkit", "CSV", "XLSX", "ADKAR"}
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
VISIBLE_ATTRS = re.compile(r"""\b(?:title|alt|placeholder|aria-label)\s*=\s*"([^"{]*)\"""")


def visible_words(source: str) -> list[str]:
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    attrs = VISIBLE_ATTRS.findall(text)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", text, flags=re.S)
    words = WORD.findall(html.unescape(text)) + [w for a in attrs for w in WORD.findall(a)]
    return [w for w in words if w not in UNTRANSLATED_OK]


def test_templates_have_no_unmarked_text():
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "briefs" in path.parts:
            continue
        words = visible_words(path.read_text(encoding="utf-8"))
        if words:
            offenders[str(path.relative_to(ROOT))] = words[:8]
    assert not offenders, f"text not wrapped in _(): {offenders}"


def test_detector_finds_unmarked_text():
    assert visible_words("<p>Hello {{ _('there') }}</p>") == ["Hello"]
    assert visible_words('<img alt="A chart">') == ["chart"]
    assert visible_words("<p>{{ _('Fine') }} {% if x %}{{ y }}{% endif %}</p>") == []


def extracted_messages() -> set[tuple[str | None, str]]:
    """(context, message id) of every marked string, found the way `make i18n-update` finds them
    (pybabel's default keywords, which include N_ and pgettext, plus _l)."""
    method_map = [("toolkit/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "N_": None, "pgettext": ((1, "c"), 2)}
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.update((context, m) for m in ([message] if isinstance(message, str) else message) if m)
    return found


def test_dutch_catalogue_translates_every_message():
    with NL_CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    translated = set()
    for m in catalogue:  # a plural message is translated when every plural form is
        forms = [m.string] if isinstance(m.string, str) else list(m.string or ())
        if m.id and forms and all(forms) and not m.fuzzy:
            translated.update((m.context, i) for i in ([m.id] if isinstance(m.id, str) else m.id))
    missing = sorted(extracted_messages() - translated)
    assert not missing, f"{len(missing)} messages lack a Dutch translation (run make i18n-update), e.g. {missing[:10]}"


RESPONSE = re.compile(r"\bresponses?\b", re.IGNORECASE)
ANSWER_NL = re.compile(r"\bantwoord(en)?\b", re.IGNORECASE)


def test_dutch_says_reactie_for_a_response_and_antwoord_only_for_an_answer():
    """Issue 20: "Antwoorden" stood for both a response (one filled-in questionnaire) and an
    answer (to one question), side by side. A message about responses that does not also speak
    of answers must not say "antwoord(en)" in Dutch."""
    with NL_CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    wrong = []
    for m in catalogue:
        ids = [m.id] if isinstance(m.id, str) else list(m.id or ())
        forms = [m.string] if isinstance(m.string, str) else list(m.string or ())
        about_responses = any(RESPONSE.search(i) for i in ids)
        about_answers = any(re.search(r"\banswer", i, re.IGNORECASE) for i in ids)
        if about_responses and not about_answers and any(ANSWER_NL.search(f) for f in forms):
            wrong.append(ids[0])
    assert not wrong, f"'antwoord' used for a response in: {wrong}"
