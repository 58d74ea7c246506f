"""What one document needs: the privacy-trimmed persona set, the round, the language's wording,
the guidance rules, and how numbers, dates and head counts are written.

No count below the round's minimum group is printed (it reads "fewer than 5"), and every
persona is looked up in a copy that toolkit.core.privacy has trimmed: personas that may be
shown, with description categories and quotes this round's minimum allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from babel.dates import get_month_names

from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.text import UNKNOWN, catalogue
from toolkit.briefs.visibility import min_group_of, min_quote_of
from toolkit.briefs.writer import Writer
from toolkit.core import privacy
from toolkit.core.guidance import (
    Advice,
    GuidanceRules,
    construct_name,
    default_guidance,
    evaluate,
    mid_sentence,
    number,
    option_label,
    percent,
)
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float
from toolkit.core.participation import response_rate
from toolkit.core.text_language import in_language_first

ADKAR_ORDER = ("awareness", "desire", "knowledge", "ability", "reinforcement")
ADKAR_BLOCK = "adkar"
BANDS = {"stable": N_("stable"), "indicative": N_("indicative"), "unstable": N_("unstable")}
# Jaccard stability: from STABLE up a persona is stable, from INDICATIVE up indicative
# (Hennig 2007's bootstrap cluster-wise stability, the thresholds of DESIGN.md §6).
STABLE, INDICATIVE = 0.75, 0.60
OPEN_ROLES = ("open_situation", "open_help", "open_worry")
# The questions a brief section rests on: without any of them the section (and its advice) is
# left out. "adkar" stands for the ADKAR self-check, "construct:<id>" for a construct.
SECTION_BASIS = {
    ("communication", "tone"): ("comm_detail",),
    ("communication", "channels"): ("comm_channels", "comm_messenger"),
    ("communication", "frequency"): ("comm_frequency",),
    ("communication", "involve"): ("comm_involvement",),
    ("training", "gaps"): ("adkar", "construct:change_efficacy"),
    ("training", "format"): ("learn_format",),
    ("training", "pace"): ("learn_pace",),
    ("training", "digital"): ("learn_digital",),
    ("training", "support"): ("learn_time",),
}
KINDS = {
    "communication": N_("Communication brief"),
    "training": N_("Training brief"),
    "overview": N_("Persona overview"),
}


# What the documents of one run share (see ``one_run``); None outside a run.
_RUN: ContextVar[dict | None] = ContextVar("toolkit_briefs_run", default=None)


@contextmanager
def one_run() -> Iterator[None]:
    """Within this block, documents made from the same inputs share what does not differ
    between them instead of working it out once per document: the privacy-trimmed copy of the
    persona set, each persona's advice per audience and its card's content. Two documents
    share only when they get the very same persona set, round info, questionnaire, language
    and rules objects, and those must not change inside the block (``write_round_briefs``
    writes a round's briefs in one such block). A nested block joins the outer one.
    """
    if _RUN.get() is not None:
        yield
        return
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)


def _run_shared(inputs: tuple, make: Callable[[], object]):
    """``make()``, or inside ``one_run`` what it returned for the same ``inputs`` objects
    (compared by identity; the memo keeps them alive, so an id is never reused)."""
    memo = _RUN.get()
    if memo is None:
        return make()
    key = tuple(id(x) for x in inputs)
    if key not in memo:
        memo[key] = (inputs, make())
    return memo[key][1]


def stability_figure(value: float, lang: str) -> str:
    """A stability value with as many decimals (2 to 4) as it takes not to cross a band
    threshold by rounding: 0.748 is "0.748" (indicative), never "0.75" (which reads stable)."""
    for digits in (2, 3, 4):
        shown = round(value, digits)
        if all((value < t) == (shown < t) for t in (STABLE, INDICATIVE)):
            return number(value, lang, digits)
    return number(int(value * 10_000) / 10_000, lang, 4)


def band_of(value: float) -> str:
    """"stable", "indicative" or "unstable" for a stability value (0–1)."""
    return "stable" if value >= STABLE else "indicative" if value >= INDICATIVE else "unstable"


class Measured:
    """What the round's questionnaire asked, so that a brief speaks only of that.

    With a questionnaire (``q``), a part counts as measured when the questionnaire has its
    items: a question with the given role, a construct in the ADKAR block, an open question.
    Without one (old data, tests) the data decide: a part is measured when the persona set
    holds figures for it.
    """

    def __init__(self, q, persona_set: Mapping):
        """Keep `q` (a Questionnaire or None) and the personas of `persona_set` to look in."""
        self.q = q
        self._personas = list(persona_set.get("personas") or [])

    def role(self, role: str) -> bool:
        """True when the questionnaire asks the question with ``role`` (e.g. "comm_channels")."""
        if self.q is not None and hasattr(self.q, "items_with_role"):
            return bool(self.q.items_with_role(role))
        from toolkit.core.guidance import CHOICES, PREFERENCES

        where = CHOICES.get(role) or PREFERENCES.get(role)
        if where is None:
            return False
        return any(
            ((p.get("description") or {}).get(where[0]) or {}).get(where[1]) for p in self._personas
        )

    def any_role(self, *roles: str) -> bool:
        """True when at least one of ``roles`` is asked."""
        return any(self.role(r) for r in roles)

    @property
    def adkar(self) -> bool:
        """True when the questionnaire has the ADKAR self-check (constructs in its ADKAR block)."""
        if self.q is not None and hasattr(self.q, "constructs"):
            return any(c.block == ADKAR_BLOCK for c in self.q.constructs.values())
        return any((p.get("description") or {}).get("adkar") for p in self._personas)

    @property
    def open_answers(self) -> bool:
        """True when the questionnaire has open questions whose answers can be quoted."""
        if self.q is not None and hasattr(self.q, "items_with_role"):
            return any(self.q.items_with_role(r) for r in OPEN_ROLES)
        return any(
            (p.get("description") or {}).get(k) for p in self._personas for k in ("quotes", "situations")
        )

    def section(self, audience: str, section: str) -> bool:
        """True when the questionnaire asked what brief ``section`` of ``audience`` rests on
        (``SECTION_BASIS``); sections without a listed basis always count as measured."""
        basis = SECTION_BASIS.get((audience, section))
        if basis is None:
            return True
        for need in basis:
            if need == "adkar":
                found = self.adkar
            elif need.startswith("construct:"):
                found = self.construct(need.split(":", 1)[1])
            else:
                found = self.role(need)
            if found:
                return True
        return False

    def construct(self, construct: str) -> bool:
        """True when ``construct`` is one of the questionnaire's constructs."""
        if self.q is not None and hasattr(self.q, "constructs"):
            return construct in self.q.constructs
        return any(construct in (p.get("profile") or {}) for p in self._personas)


def as_int(value) -> int | None:
    """``value`` rounded to the nearest whole number, or None when it is not a finite number."""
    f = finite_float(value)
    return None if f is None else int(round(f))


class BriefContext:
    """Everything one document needs, and the small formatting rules every section shares.

    ``persona_set`` is a persona-set dict (``personas``, ``overall``, ``n_used``, …) as stored
    by the pipeline; ``round_info`` a dict with the round's ``title``, ``min_group``, dates
    (ISO strings), ``invited`` and ``responses``; ``q`` the parsed questionnaire (or None);
    ``rules`` the guidance rules (the shipped ones when None). Raises ``ValueError`` for a
    language briefs are not written in.
    """

    def __init__(
        self, persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None
    ):
        """Load the wording of `lang` and keep a privacy-trimmed copy of `persona_set`.

        `persona_set` itself is not changed. Raises ValueError for a language briefs are not
        written in and LookupError when its catalogue is missing (see `catalogue`).
        """
        self.text = catalogue(lang)
        self._ = self.text.gettext
        self.pgettext = self.text.pgettext
        self.round_info = round_info
        self.q = q
        self.lang = lang
        self.rules = rules or default_guidance()
        self.min_group = min_group_of(round_info)
        self.min_quote = min_quote_of(self.min_group)
        # Everything below reads a copy trimmed by privacy.py: personas that may be shown,
        # with description categories and quotes this round's minimum allows (including
        # categories that the rest of the persona would reveal by subtraction).
        self.source = persona_set
        # inside one_run, documents of the same inputs share the copy and the memo below
        self._memo: dict = _run_shared((persona_set, round_info, q, lang, self.rules), dict)
        if "persona_set" not in self._memo:
            self._memo["persona_set"] = privacy.exportable_persona_set(persona_set, self.min_group)
        self.persona_set = self._memo["persona_set"]
        self.overall = self.persona_set.get("overall") or {}
        self.measured = Measured(q, persona_set)
        self._advice_cache: dict[tuple, list[Advice]] = self._memo.setdefault("advice", {})

    # -- lookups -----------------------------------------------------------------------------

    def shown(self, persona: dict) -> dict:
        """The privacy-trimmed copy of ``persona``; ``ValueError`` for a persona that is not
        presented or has fewer members than the round's minimum group."""
        key = persona.get("key")
        for candidate in self.persona_set["personas"]:
            if candidate.get("key") == key:
                return candidate
        raise ValueError(
            f"persona '{clean_text(key)}' gets no brief: it is not presented or "
            f"has fewer than {self.min_group} members"
        )

    def writer(self, kind: str, persona: dict | None) -> Writer:
        """A new document of ``kind`` (a key of ``KINDS``), titled with the persona's name."""
        title = self._(KINDS[kind]) + (f" · {self.name(persona)}" if persona else "")
        return Writer(self.lang, self.round_title(), title, self.round_title(), self.note())

    def remembered(self, key: tuple, make: Callable[[], object]):
        """``make()``, worked out once per document, or once per ``one_run`` for documents of
        the same inputs; ``key`` names what is made (e.g. ("card", persona key))."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def advice(self, persona: dict, audience: str) -> list[Advice]:
        """The guidance rules' advice for ``persona`` and ``audience`` ("communication" or
        "training"), evaluated once per document (once per ``one_run``); advice of a section the questionnaire gave
        no basis for (``Measured.section``) is left out, so no brief speaks of it."""
        key = (persona.get("key"), id(persona), audience)
        if key not in self._advice_cache:
            advices = evaluate(
                self.rules,
                persona,
                self.lang,
                overall=self.overall,
                q=self.q,
                min_group=self.min_group,
                audience=audience,
            )
            self._advice_cache[key] = [
                a for a in advices if self.measured.section(a.audience, a.section)
            ]
        return self._advice_cache[key]

    def name(self, persona: dict) -> str:
        """The persona's name, or its key when it has none."""
        return clean_text(persona.get("name")) or clean_text(persona.get("key"))

    def label(self, persona: dict) -> str:
        """The persona's label in this language (else its first one), or ''."""
        label = persona.get("label")
        if isinstance(label, Mapping):
            label = label.get(self.lang) or next(iter(label.values()), "")
        return clean_text(label)

    def round_title(self) -> str:
        """The round's title, or "–"."""
        return clean_text(self.round_info.get("title")) or UNKNOWN

    def questionnaire_title(self) -> str:
        """The questionnaire's title in this language (from the round, else from ``q``), or ''."""
        title = self.round_info.get("questionnaire_title")
        if isinstance(title, Mapping):
            title = title.get(self.lang) or next(iter(title.values()), "")
        if not title and self.q is not None:
            title = (getattr(self.q, "title", {}) or {}).get(self.lang)
        return clean_text(title)

    def org_mean(self, construct: str):
        """The organisation's mean score on ``construct`` (scale units), or None."""
        return ((self.overall.get("profile") or {}).get(construct) or {}).get("mean")

    def phrase(self, construct: str | None, high: bool) -> str:
        """How the questionnaire words a high (or low) score on ``construct``; without such
        wording the construct's name with ↑ or ↓. '' without a construct."""
        if not construct:
            return ""
        c = (getattr(self.q, "constructs", {}) or {}).get(construct) if self.q is not None else None
        texts = (c.high if high else c.low) if c is not None else {}
        text = texts.get(self.lang) if texts else None
        if text:
            return text
        name = mid_sentence(construct_name(self.q, construct, self.lang))
        return f"{name} ↑" if high else f"{name} ↓"

    def verbatim(self, persona: dict, key: str) -> list[str]:
        """The persona's ``quotes`` or ``situations`` (by ``key``), those written in the brief's
        language first; only for groups of at least the quote minimum, empty otherwise."""
        if not privacy.may_quote(as_int(persona.get("size")) or 0, self.min_group):
            return []
        items = (persona.get("description") or {}).get(key) or []
        return in_language_first([t for t in (clean_text(x) for x in items if isinstance(x, str)) if t], self.lang)

    def options(self, persona: dict, section: str, key: str) -> list[dict]:
        """The persona's answer options for ``description[section][key]`` that at least the
        minimum group chose, most chosen first (ties by value)."""
        entries = ((persona.get("description") or {}).get(section) or {}).get(key) or []
        kept = [
            e
            for e in entries
            if isinstance(e, Mapping) and (as_int(e.get("n")) or 0) >= self.min_group
        ]
        return sorted(kept, key=lambda e: (-(as_int(e.get("n")) or 0), str(e.get("value"))))

    def option_text(self, role: str, value) -> str:
        """The questionnaire's label of answer ``value`` for question ``role``."""
        return clean_text(option_label(self.q, role, str(value), self.lang))

    def top_option(self, persona: dict, section: str, key: str, role: str) -> str:
        """The label of the persona's most chosen option ("Chat and Team meeting" when two
        tie), or "–"."""
        tied = self.top_options(persona, section, key)
        if not tied:
            return UNKNOWN
        return self.join([self.option_text(role, e.get("value")) for e in tied])

    def top_options(self, persona: dict, section: str, key: str) -> list[dict]:
        """The persona's most chosen options: one entry, or every entry tied at the top."""
        entries = self.options(persona, section, key)
        if not entries:
            return []
        most = as_int(entries[0].get("n"))
        return [e for e in entries if as_int(e.get("n")) == most]

    def option_base(self, entries: list[dict]) -> int | None:
        """How many people answered a question, worked out from its options' counts and
        shares (share = chosen / answered); None when no option has both."""
        bases = [
            as_int(e.get("n")) / finite_float(e.get("share"))
            for e in entries
            if as_int(e.get("n")) and finite_float(e.get("share"))
        ]
        return int(round(max(bases))) if bases else None

    def chosen(self, entry: Mapping, base: int | None) -> str:
        """How many chose an option, with the base: "44 of 62 people, 71%"."""
        share = finite_float(entry.get("share"))
        if base is None or share is None:
            return self._("%(n)s people", n=self.count(entry.get("n")))
        return self._(
            "%(n)s of %(base)s people, %(share)s",
            n=self.count(entry.get("n")),
            base=self.count(base),
            share=percent(share, self.lang),
        )

    def join(self, items: list[str]) -> str:
        """"a", "a and b", "a, b and c" in this language."""
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " " + self._("and") + " " + items[-1]

    def adkar(self, persona: dict) -> list[dict]:
        """The persona's ADKAR stages that rest on at least the minimum group, in ADKAR order."""
        entries = [
            e
            for e in (persona.get("description") or {}).get("adkar") or []
            if isinstance(e, Mapping)
            and e.get("stage")
            and (as_int(e.get("n")) or 0) >= self.min_group
        ]
        order = {s: i for i, s in enumerate(ADKAR_ORDER)}
        return sorted(entries, key=lambda e: order.get(e["stage"], len(order)))

    def response_rate(self) -> float | None:
        """The invited who answered online, as a share of the invited (0–1), or None without
        both figures; answers imported from files are not part of it, so it never passes 100 %
        (:func:`toolkit.core.participation.response_rate`)."""
        info = self.round_info
        online = as_int(info.get("answered_online", info.get("responses")))
        return response_rate(online, as_int(info.get("invited"))) if online is not None else None

    # -- numbers, dates and counts as the reader sees them ------------------------------------

    def num(self, value, digits: int = 1) -> str:
        """A score with ``digits`` decimals in this language's notation ("3,4"), or "–"."""
        value = finite_float(value)
        return UNKNOWN if value is None else number(value, self.lang, digits)

    def count(self, n) -> str:
        """A head count, or "fewer than 5" when it is under the minimum group; "–" if missing."""
        n = as_int(n)
        if n is None:
            return UNKNOWN
        if n < self.min_group:
            return self._("fewer than %(min_group)s", min_group=self.min_group)
        return str(n)

    def share_of_used(self, persona: dict) -> str:
        """The persona's share of the respondents analysed, as a percentage ("43%"), or "–"."""
        used = as_int(self.persona_set.get("n_used"))
        share = persona.get("share")
        if used:
            share = persona["size"] / used
        return percent(share, self.lang) if finite_float(share) is not None else UNKNOWN

    def date(self, value) -> str:
        """A date, datetime or ISO string as "3 March 2025" ("3 maart 2025"); "–" when empty,
        the cleaned text itself when it is not a date."""
        if value is None or value == "":
            return UNKNOWN
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
            except ValueError:
                try:
                    value = dt.date.fromisoformat(str(value)[:10])
                except ValueError:
                    return clean_text(value)
        month = get_month_names("wide", locale=self.lang)[value.month]
        return f"{value.day} {month} {value.year}"

    def period(self) -> str:
        """The round's "opens – closes" dates, or "–" when neither is known."""
        opens, closes = self.round_info.get("opens_at"), self.round_info.get("closes_at")
        if not opens and not closes:
            return UNKNOWN
        return f"{self.date(opens)} – {self.date(closes)}"

    def band(self, persona: dict, unknown: str = "") -> str:
        """The persona's stability band in words ("stable"); ``unknown`` when it has none."""
        band = persona.get("stability_band")
        return self._(BANDS[band]) if isinstance(band, str) and band in BANDS else unknown

    def stability(self, persona: dict) -> str:
        """The band and the stability figure, "stable (0.86)", never rounded across a band
        threshold ("indicative (0.748)"); the band alone, or "–"."""
        value = finite_float(persona.get("stability"))
        if value is None:
            return self.band(persona, clean_text(persona.get("stability_band") or "")) or UNKNOWN
        band = persona.get("stability_band")
        band_text = self._(BANDS[band if band in BANDS else band_of(value)])
        return f"{band_text} ({stability_figure(value, self.lang)})"

    def figure(self, mean, org, n, base=None) -> str:
        """The evidence behind a statement: "3.1 vs 3.4 in the organisation; n = 78 of 80
        people", or "mean 3.1; n = …" without an organisation figure. ``n`` is how many
        answered, ``base`` the group they belong to (left out when unknown)."""
        counted = self.counted(n, base)
        if finite_float(org) is None:
            return self._("mean %(mean)s; %(counted)s", mean=self.num(mean), counted=counted)
        return self._(
            "%(mean)s vs %(org)s in the organisation; %(counted)s",
            mean=self.num(mean),
            org=self.num(org),
            counted=counted,
        )

    def counted(self, n, base=None) -> str:
        """What ``n`` counts: "n = 78 of 80 people" (who answered, of the group), or
        "n = 80 people" without a base."""
        if as_int(base) is None:
            return self._("n = %(n)s people", n=self.count(n))
        return self._("n = %(n)s of %(base)s people", n=self.count(n), base=self.count(base))

    # -- the confidentiality notice -----------------------------------------------------------

    def note(self) -> str:
        """The confidentiality note on every cover."""
        return self._(
            "Confidential. This brief describes groups of at least %(min_group)s people, not "
            "individuals. Do not use it to judge individuals, and share it only with people "
            "who work with these groups.",
            min_group=self.min_group,
        )
