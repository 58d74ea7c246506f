"""Finding English on a Dutch page: every visible text a reader meets, compared with the English
msgids that the Dutch catalogue translates differently and with English words Dutch never uses.

Used by test_dutch_browser.py; kept apart so the rules of what counts as a leak read in one place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "toolkit" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"

# English words that are not Dutch words, so one of them on a Dutch page is English that leaked.
# Left out on purpose, because Dutch uses them too: "of" (or), "open", "is", "was", "in", "team",
# "manager", "trainer", "persona", "label", "record", "download", "upload", "administrator",
# "status", "start", "dashboard", "export", "mail", "link", "code", "test", "score", "module",
# "item", "scheduler" (the name of the command `persona-toolkit scheduler`) and "pulse".
ENGLISH_WORDS = frozenset("""
the and with not without round rounds response responses answer answers closed draft drafts fitting
bootstrap error errors row rows column columns expected which this that these those your you please
missing opened closes opens invalid should must cannot can't don't isn't there their they been being
from for to at by on into about after before while until when where what who why how
queued sent failed waiting pending attempts attempt retried retry none yes
people person participant participants questionnaire invitation invitations reminder reminders
derive derived deriving settings setting save saved delete deleted cancel confirm
back next previous page pages new old edit edited name level stability stable unstable share size
members group groups works council reference date dates running finished done stopped nothing due
checked minutes minute hours days or but also only every each any all more less than fewer
""".split())

# Texts that may stay as they are on a Dutch page, with the reason.
ALLOWED = {
    "HR",  # the same abbreviation in Dutch
    "E-mail", "e-mail",  # Dutch writes e-mail
    "OK",
}

WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sd]")


@dataclass(frozen=True)
class Leak:
    """One English text on a page: ``kind`` is 'catalogue' (an untranslated msgid), 'word'
    (an English word), 'identifier' (a raw snake_case id), 'decimal' (3.5 in Dutch) or 'date'
    (an ISO date among Dutch ones)."""

    page: str
    kind: str
    text: str
    evidence: str


@cache
def english_patterns() -> tuple[tuple[re.Pattern, bool, str], ...]:
    """(pattern, whole_node_only, msgid) for each English msgid whose Dutch text differs.

    Placeholders match any text. Short msgids (under three words) must be a whole text node,
    so that "Name" does not fire inside a longer Dutch sentence; longer ones may be part of one.
    """
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    # A msgid that Dutch writes the same in one context ("Construct" on screen) is no leak where
    # another context translates it differently ("Kenmerk" in a brief).
    same = {i for m in catalogue if m.id for i in (m.id if isinstance(m.id, tuple) else (m.id,))
            if i in (m.string if isinstance(m.string, tuple) else (m.string,))}
    out = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings):
            continue
        for msgid in ids:
            if msgid in strings or msgid in same:  # Dutch writes it the same ("%(num)d persona")
                continue
            bare = PLACEHOLDER.sub(" ", msgid)
            words = WORD.findall(bare)
            if not words or all(w in ALLOWED for w in words):
                continue
            if len(words) < 3 and sum(map(len, words)) < 4:  # "%(what)s of %(round)s" fits any Dutch "of"
                continue
            parts = [re.escape(p) for p in PLACEHOLDER.split(msgid)[::2]]
            body = r"\s+".join(".+?".join(parts).split(r"\ "))
            out.append((re.compile(body), len(words) < 3, msgid))
    return tuple(out)


EMAIL = re.compile(r"\S+@\S+")
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a raw id such as change_manager
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
VERSION = re.compile(r"\b(v|versie |version )\d+(\.\d+)+")  # a questionnaire's version number is no decimal
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")  # 2026-01-10 where Dutch writes 10 jan 2026
URL = re.compile(r"https?://\S+")


def leaks_in(page_name: str, texts: list[str]) -> list[Leak]:
    """The English in ``texts`` (visible text nodes and attribute values of one page)."""
    found = []
    for raw in texts:
        text = " ".join(URL.sub(" ", raw).split())
        if not text or text in ALLOWED:
            continue
        for pattern, whole, msgid in english_patterns():
            if (pattern.fullmatch(text) if whole else pattern.search(text)):
                found.append(Leak(page_name, "catalogue", text, msgid))
                break
        else:
            # An all-capital word is an abbreviation ("OR" is the Dutch works council), not English.
            words = [w for w in WORD.findall(text) if w.lower() in ENGLISH_WORDS and not w.isupper()]
            if words:
                found.append(Leak(page_name, "word", text, ", ".join(words)))
        identifier = SNAKE_CASE.search(EMAIL.sub(" ", text))
        if identifier:
            found.append(Leak(page_name, "identifier", text, identifier.group()))
        decimal = DECIMAL_POINT.search(VERSION.sub(" ", text))
        if decimal:
            found.append(Leak(page_name, "decimal", text, decimal.group()))
        if ISO_DATE.search(text):
            found.append(Leak(page_name, "date", text, ISO_DATE.search(text).group()))
    return found


# Every text a reader meets: visible text nodes, and the attributes that are read out or shown.
VISIBLE_TEXTS_JS = """
() => {
  const out = [document.title];
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  // Text marked as another language (the "English" link of the language switch) is not a leak.
  const foreign = (el) => { const l = el.closest('[lang]'); return l && !l.lang.startsWith('nl'); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    if (el.closest('code, kbd, samp')) continue;  // what the reader types: commands, column syntax
    if (el.closest('blockquote')) continue;  // respondents' own words, shown as they wrote them
    if (foreign(el)) continue;
    if (el.tagName === 'OPTION' || visible(el)) out.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[title], [alt], [aria-label], [placeholder]')) {
    if (foreign(el)) continue;
    for (const a of ['title', 'alt', 'aria-label', 'placeholder']) if (el.hasAttribute(a)) out.push(el.getAttribute(a));
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
    if (!foreign(el)) out.push(el.value || '');
  }
  return out;
}
"""


def summary(leaks: list[Leak]) -> str:
    """Counts per page and kind, then each distinct leak once: what a failing test prints."""
    per = Counter((leak.page, leak.kind) for leak in leaks)
    lines = [f"{n:3d}  {kind:10s} {page}" for (page, kind), n in sorted(per.items())]
    seen = dict.fromkeys((leak.kind, leak.text[:160], leak.evidence) for leak in leaks)
    lines += [f"- [{kind}] {text!r}  <- {evidence}" for kind, text, evidence in seen]
    return "\n".join(lines)
