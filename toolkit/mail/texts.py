"""The wording of invitations and reminders: a text HR may edit, with placeholders the app fills.

A text is a subject and a body. The body is plain paragraphs (separated by an empty line) with
placeholders in braces, e.g. ``{link}``. Three are required, so that no reworded invitation
loses them: ``{link}`` (the personal link), ``{deadline}`` (the close time) and ``{anonymity}``
(one sentence, worded by the app, on what anonymity means in this round). The others are
optional: ``{name}``, ``{title}``, ``{change}`` and ``{purpose}`` (the change facts "what" and
"why"), ``{minutes}`` (estimated time) and ``{contact}`` (privacy contact). Each has a Dutch
alias (``{sluitdatum}``, ``{anonimiteit}``, …), so HR can write in either language.

A line whose placeholder has no value (no close date, no privacy contact, a change fact not
entered) is left out, and so is a paragraph left empty. Nothing here knows Flask: the wording
comes from the catalogue through the ``_`` (gettext) the caller passes, see
`toolkit.mail.render`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

EDITABLE_KINDS = ("invitation", "reminder")
REQUIRED = ("link", "deadline", "anonymity")
OPTIONAL = ("name", "title", "change", "purpose", "minutes", "contact")
SUBJECT_PLACEHOLDERS = ("title", "name", "deadline", "minutes")
# The name HR sees and types, per language; every alias is accepted in every language.
ALIASES = {
    "en": {name: name for name in (*REQUIRED, *OPTIONAL)},
    "nl": {"link": "link", "deadline": "sluitdatum", "anonymity": "anonimiteit", "name": "naam",
           "title": "titel", "change": "verandering", "purpose": "doel", "minutes": "minuten",
           "contact": "contact"},
}
CANONICAL = {alias: name for names in ALIASES.values() for name, alias in names.items()}
MAX_SUBJECT = 200
MAX_BODY = 5000
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class MailText:
    """A subject and a body with placeholders, as HR edits them."""

    subject: str
    body: str


@dataclass(frozen=True)
class TextProblem:
    """Why a text cannot be used. ``code``: 'empty', 'too_long', 'braces', 'unknown', 'missing' or
    'subject' (a placeholder the subject cannot hold); ``names``: the placeholders concerned, as
    written in the text's language; ``part``: 'subject' or 'body'."""

    code: str
    part: str
    names: tuple[str, ...] = ()


def alias(name: str, lang: str) -> str:
    """The placeholder ``name`` (canonical) as written in ``lang``, with braces: '{sluitdatum}'."""
    return "{" + ALIASES.get(lang, ALIASES["en"])[name] + "}"


def default_text(kind: str, _: Gettext) -> MailText:
    """The standard wording of ``kind`` ('invitation' or 'reminder') from the catalogue ``_``.

    The msgids use the English placeholder names; the Dutch catalogue uses the Dutch aliases.
    Raises ValueError for another kind.
    """
    if kind == "invitation":
        return MailText(_("Invitation: {title}"), _(
            "Dear {name},\n\n"
            "You are invited to fill in the questionnaire \"{title}\". It asks how you experience the change "
            "and what helps you.\n\n"
            "{change}\n{purpose}\n\n"
            "{anonymity}\n\n"
            "It takes about {minutes} minutes. Your answers are saved at every page, so you can stop and "
            "carry on later with the same link.\n\n"
            "Your personal link:\n{link}\n\n"
            "The questionnaire closes on {deadline}.\n\n"
            "Please do not share the link: it is yours alone.\n\n"
            "Questions about privacy? Contact {contact}.\n\n"
            "Kind regards,\nHR"))
    if kind == "reminder":
        return MailText(_("Reminder: {title}"), _(
            "Dear {name},\n\n"
            "We have not yet received your answers to the questionnaire \"{title}\". Every voice counts: the "
            "more colleagues take part, the better the approach fits what people need.\n\n"
            "{anonymity}\n\n"
            "Your personal link:\n{link}\n\n"
            "The questionnaire closes on {deadline}.\n\n"
            "Did you just fill it in? Then please ignore this message.\n\n"
            "Kind regards,\nHR"))
    raise ValueError(f"no editable text for {kind!r}; expected one of {', '.join(EDITABLE_KINDS)}")


def anonymity_sentence(_: Gettext, anonymous: bool, min_group: int) -> str:
    """What anonymity means in the round, in one sentence (the same on the welcome page)."""
    if anonymous:
        return _("Your answers are anonymous: nobody, HR included, can see which answers are yours, and "
                 "results are only shown for groups of at least %(n)d people.") % {"n": min_group}
    return _("This round is not anonymous: HR can see which answers are yours. Results are only shown "
             "for groups of at least %(n)d people.") % {"n": min_group}


def _placeholders(text: str) -> tuple[list[str], bool]:
    """(names inside braces, stripped) and whether a brace stands alone."""
    names = [m.group(1).strip() for m in PLACEHOLDER.finditer(text)]
    rest = PLACEHOLDER.sub("", text)
    return names, "{" in rest or "}" in rest


def problems(text: MailText, lang: str) -> list[TextProblem]:
    """Everything wrong with ``text`` in one list (empty when it can be used); names in ``lang``."""
    found: list[TextProblem] = []
    for part, value, limit in (("subject", text.subject, MAX_SUBJECT), ("body", text.body, MAX_BODY)):
        if not value.strip():
            found.append(TextProblem("empty", part))
            continue
        if len(value) > limit:
            found.append(TextProblem("too_long", part))
        names, stray = _placeholders(value)
        if stray:
            found.append(TextProblem("braces", part))
        unknown = tuple(dict.fromkeys("{" + n + "}" for n in names if n.lower() not in CANONICAL))
        if unknown:
            found.append(TextProblem("unknown", part, unknown))
        canonical = {CANONICAL[n.lower()] for n in names if n.lower() in CANONICAL}
        if part == "subject":
            wrong = tuple(alias(n, lang) for n in sorted(canonical - set(SUBJECT_PLACEHOLDERS)))
            if wrong:
                found.append(TextProblem("subject", part, wrong))
        else:
            missing = tuple(alias(n, lang) for n in REQUIRED if n not in canonical)
            if missing:
                found.append(TextProblem("missing", part, missing))
    return found


@dataclass(frozen=True)
class Filled:
    """A text with its placeholders filled: ``subject``, ``text`` (plain) and ``html_paragraphs``
    (one escaped Markup per paragraph, lines joined with <br>, the link as an anchor)."""

    subject: str
    text: str
    html_paragraphs: tuple[Markup, ...]


def _line_segments(line: str, values: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """[(kind, text)] with kind 'text' or 'link'; None when a placeholder of the line is empty."""
    segments, position = [], 0
    for match in PLACEHOLDER.finditer(line):
        name = CANONICAL.get(match.group(1).strip().lower())
        value = values.get(name, "") if name else match.group(0)
        if not value:
            return None
        segments.append(("text", line[position:match.start()]))
        segments.append(("link" if name == "link" else "text", value))
        position = match.end()
    segments.append(("text", line[position:]))
    return [s for s in segments if s[1]]


def _html_line(segments: list[tuple[str, str]], link_label: str) -> Markup:
    alone = len(segments) == 1 and segments[0][0] == "link"
    parts = []
    for kind, value in segments:
        if kind == "link":
            parts.append(Markup('<a href="{0}">{1}</a>').format(value, link_label if alone else value))
        else:
            parts.append(escape(value))
    return Markup("").join(parts)


def fill(text: MailText, values: Mapping[str, str], link_label: str) -> Filled:
    """``text`` with placeholders replaced by ``values`` (canonical name -> text).

    A line with a placeholder whose value is empty is left out, and so is a paragraph left
    empty. In HTML a line that is only the link reads ``link_label``.
    """
    plain_paragraphs, html_paragraphs = [], []
    for paragraph in re.split(r"\n[ \t]*\n", text.body.replace("\r\n", "\n").strip()):
        lines = [seg for line in paragraph.split("\n") if (seg := _line_segments(line.strip(), values))]
        if not lines:
            continue
        plain_paragraphs.append("\n".join("".join(v for _k, v in segments) for segments in lines))
        html_paragraphs.append(Markup("<br>\n").join(_html_line(segments, link_label) for segments in lines))
    subject = PLACEHOLDER.sub(lambda m: values.get(CANONICAL.get(m.group(1).strip().lower(), ""), ""), text.subject)
    subject = " ".join(subject.split())
    return Filled(subject=subject, text="\n\n".join(plain_paragraphs) + "\n", html_paragraphs=tuple(html_paragraphs))
