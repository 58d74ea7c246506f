"""What one document needs: the privacy-trimmed persona set, the round, the language's wording,
the guidance rules, and how numbers, dates and head counts are written.

No count below the round's minimum group is printed (it reads "fewer than 5"), and every
persona is looked up in a copy that toolkit.core.privacy has trimmed: personas that may be
shown, with description categories and quotes this round's minimum allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel.dates import get_month_names

from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.text import N_, UNKNOWN, catalogue
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
from toolkit.core.numbers import finite_float
from toolkit.core.participation import response_rate

ADKAR_ORDER = ("awareness", "desire", "knowledge", "ability", "reinforcement")
BANDS = {"stable": N_("stable"), "indicative": N_("indicative"), "unstable": N_("unstable")}
KINDS = {
    "communication": N_("Communication brief"),
    "training": N_("Training brief"),
    "overview": N_("Persona overview"),
}


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
        self.persona_set = privacy.exportable_persona_set(persona_set, self.min_group)
        self.overall = self.persona_set.get("overall") or {}
        self._advice_cache: dict[tuple, list[Advice]] = {}

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
        return Writer(self.lang, self.round_title(), title, self.round_title())

    def advice(self, persona: dict, audience: str) -> list[Advice]:
        """The guidance rules' advice for ``persona`` and ``audience`` ("communication" or
        "training"), evaluated once per document."""
        key = (persona.get("key"), id(persona), audience)
        if key not in self._advice_cache:
            self._advice_cache[key] = evaluate(
                self.rules,
                persona,
                self.lang,
                overall=self.overall,
                q=self.q,
                min_group=self.min_group,
                audience=audience,
            )
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
        """The persona's ``quotes`` or ``situations`` (by ``key``), only for groups of at least
        the quote minimum; empty otherwise."""
        if not privacy.may_quote(as_int(persona.get("size")) or 0, self.min_group):
            return []
        items = (persona.get("description") or {}).get(key) or []
        return [t for t in (clean_text(x) for x in items if isinstance(x, str)) if t]

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
        """The label of the persona's most chosen option, or "–"."""
        entries = self.options(persona, section, key)
        return self.option_text(role, entries[0].get("value")) if entries else UNKNOWN

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
        """The band and the stability figure, "stable (0.86)"; the band alone, or "–"."""
        band_text = self.band(persona, clean_text(persona.get("stability_band") or ""))
        value = finite_float(persona.get("stability"))
        if value is None:
            return band_text or UNKNOWN
        return f"{band_text} ({number(value, self.lang, 2)})"

    def figure(self, mean, org, n) -> str:
        """The evidence behind a statement: "3.1 vs 3.4 in the organisation, n = 80", or
        "mean 3.1, n = 80" without an organisation figure."""
        if finite_float(org) is None:
            return self._("mean %(mean)s, n = %(n)s", mean=self.num(mean), n=self.count(n))
        return self._(
            "%(mean)s vs %(org)s in the organisation, n = %(n)s",
            mean=self.num(mean),
            org=self.num(org),
            n=self.count(n),
        )

    # -- the cover ---------------------------------------------------------------------------

    def cover_lines(self, persona: dict) -> list[tuple[str, str]]:
        """(label, value) lines under a persona brief's title: round, organisation, group size,
        stability, date made."""
        _ = self._
        lines = [(_("Round"), self.round_title())]
        if self.round_info.get("organisation"):
            lines.append((_("Organisation"), clean_text(self.round_info["organisation"])))
        size = _(
            "%(size)s people (%(share)s of the respondents analysed)",
            size=self.count(persona.get("size")),
            share=self.share_of_used(persona),
        )
        lines.append((_("Group"), size))
        lines.append((_("Stability"), self.stability(persona)))
        lines.append((_("Produced on"), self.date(dt.date.today())))
        return lines

    def note(self) -> str:
        """The confidentiality note on every cover."""
        return self._(
            "Confidential. This brief describes groups of at least %(min_group)s people, not "
            "individuals. Do not use it to judge individuals, and share it only with people "
            "who work with these groups.",
            min_group=self.min_group,
        )
