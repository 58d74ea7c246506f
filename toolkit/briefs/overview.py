"""The round overview: the round in figures, the shown personas side by side with their first
advice and a chart, how the personas were made, who was left out and why, what changed since
the previous round, caveats, and when to look again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from toolkit.briefs.charts import overview_chart
from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.sections import privacy_note
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import N_, UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import (
    Advice,
    GuidanceRules,
    construct_name,
    mid_sentence,
    number,
    percent,
    top_advice,
)
from toolkit.core.numbers import finite_float

# Why respondents were left out of the analysis, by the persona set's reason key.
EXCLUSION_REASONS = {"too_many_missing": N_("too many missing answers")}


def overview_brief(
    persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None = None
):
    """The round overview as a python-docx Document (save it yourself).

    ``persona_set`` is the round's persona-set dict, ``round_info`` the round's dict (title,
    organisation, min_group, ISO dates, invited, responses, review_due, and optionally
    ``drift``: {lang: [sentences]} with ``drift_since``), ``q`` the parsed questionnaire,
    ``lang`` "nl" or "en", ``rules`` the guidance rules (shipped ones when None). Only
    personas that may be shown appear. Raises ``ValueError`` for another language.
    """
    ctx = BriefContext(persona_set, round_info, q, lang, rules)
    _ = ctx._
    shown = ctx.persona_set["personas"]
    w = ctx.writer("overview", None)
    _cover(ctx, w)

    w.heading(_("The round in figures"))
    w.table([_("Figure"), _("Value")], round_figures(ctx, shown), [9.0, 7.6])

    w.heading(_("The personas side by side"))
    if ctx.source.get("no_distinct_personas") or not shown:
        w.para(_no_distinct(ctx), S["callout"])
    if shown:
        _side_by_side(ctx, w, shown)
        w.heading(_("First advice per persona"), 2)
        _first_advice(ctx, w, shown)
        w.heading(_("Profiles compared"))
        w.picture(
            overview_chart(dict(ctx.source, personas=shown), q, lang, min_group=ctx.min_group),
            _(
                "Figure: each persona's difference from the organisation per construct, in "
                "points on the 1–5 scale. Blue is higher, red is lower."
            ),
            _("The personas' differences from the organisation"),
        )

    w.heading(_("Method and quality"))
    method(ctx, w)
    w.heading(_("Who was left out, and why"), 2)
    left_out(ctx, w, shown)
    _drift(ctx, w)

    w.heading(_("Caveats"))
    for text in caveats(ctx, shown):
        w.bullet(text)

    w.heading(_("Next review"))
    w.para(review_text(ctx), S["callout"])
    w.para(privacy_note(ctx), S["small"])
    return w.doc


def _cover(ctx: BriefContext, w: Writer) -> None:
    _ = ctx._
    lines = [(_("Round"), ctx.round_title())]
    if ctx.questionnaire_title():
        lines.append((_("Questionnaire"), ctx.questionnaire_title()))
    if ctx.round_info.get("organisation"):
        lines.append((_("Organisation"), clean_text(ctx.round_info["organisation"])))
    lines.append((_("Period"), ctx.period()))
    lines.append((_("Produced on"), ctx.date(dt.date.today())))
    title = _("The personas of this round")
    w.cover(_("Persona overview"), ctx.round_title(), title, lines, ctx.note())


def _side_by_side(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """One row per persona: name, label, size, share, level, stability, what stands out."""
    _ = ctx._
    used = as_int(ctx.source.get("n_used"))
    rows = [
        [
            ctx.name(p),
            ctx.label(p),
            ctx.count(p.get("size")),
            percent(p["size"] / used, ctx.lang) if used else UNKNOWN,
            ctx.num(p.get("level")),
            ctx.stability(p),
            stands_out(ctx, p),
        ]
        for p in shown
    ]
    headers = [
        _("Persona"),
        _("Label"),
        _("Size"),
        _("Share"),
        _("Level"),
        _("Stability"),
        _("Stands out for"),
    ]
    w.table(headers, rows, [2.4, 3.6, 1.5, 1.5, 1.4, 2.4, 3.8])


def _first_advice(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """One row per persona: its top communication advice, preferred channel, top training advice."""
    _ = ctx._
    rows = []
    for p in shown:
        comm = top_advice(ctx.advice(p, "communication"), "communication")
        train = top_advice(ctx.advice(p, "training"), "training")
        channel = ctx.top_option(p, "communication", "channels", "comm_channels")
        rows.append([ctx.name(p), _advice_cell(comm), channel, _advice_cell(train)])
    headers = [
        _("Persona"),
        _("Most important communication advice"),
        _("Preferred channel"),
        _("First training advice"),
    ]
    w.table(headers, rows, [2.4, 6.0, 2.6, 5.6])


def _advice_cell(advice: Advice | None) -> list[tuple[str, str]]:
    return [
        (advice.text if advice else UNKNOWN, S["table_text"]),
        (advice.because if advice else "", S["table_note"]),
    ]


def _drift(ctx: BriefContext, w: Writer) -> None:
    """What changed since the round this one is compared with, when the pipeline said so."""
    drift = (ctx.round_info.get("drift") or {}).get(ctx.lang)
    if not drift:
        return
    w.heading(ctx.pgettext("brief", "What changed since the last round"))
    since = clean_text(ctx.round_info.get("drift_since") or "")
    w.para(ctx._("Compared with: %(round)s.", round=since), S["small"])
    for text in drift:
        w.bullet(clean_text(text))


def _no_distinct(ctx: BriefContext) -> str:
    return ctx._(
        "The data show no clearly distinct personas. Treat the organisation as one group."
    )


def round_figures(ctx: BriefContext, shown: list[dict]) -> list[list[str]]:
    """Figure | value rows: questionnaire, period, invited, responses, response rate, used in
    the analysis, overall level, personas shown, smallest group shown."""
    _, info = ctx._, ctx.round_info
    invited, responses = as_int(info.get("invited")), as_int(info.get("responses"))
    rows = []
    if ctx.questionnaire_title():
        rows.append([_("Questionnaire"), ctx.questionnaire_title()])
    rows.append([_("Period"), ctx.period()])
    rows.append([_("Invited"), ctx.count(invited) if invited else UNKNOWN])
    imported = as_int(info.get("imported")) or 0
    if imported:  # answers from files have no invitation: counted apart, never in the rate
        rows.append([_("Answered online"), ctx.count(as_int(info.get("answered_online")) or 0)])
        rows.append([_("Imported from elsewhere"), ctx.count(imported)])
    rows.append([_("Completed questionnaires"), ctx.count(responses)])
    rate = ctx.response_rate()
    rate_text = percent(rate, ctx.lang) if rate is not None else UNKNOWN
    rows.append([ctx.pgettext("brief", "Response rate"), rate_text])
    rows.append([_("Used in the analysis"), ctx.count(ctx.persona_set.get("n_used"))])
    rows.append([_("Overall level (scale 1–5)"), ctx.num(ctx.overall.get("level"))])
    rows.append([_("Personas in this overview"), str(len(shown))])
    rows.append([_("Smallest group shown"), _("%(n)s people", n=ctx.min_group)])
    return rows


def stands_out(ctx: BriefContext, persona: dict) -> list[tuple[str, str]] | str:
    """Up to three constructs where the persona differs most, "Name +0.7", as table-cell
    paragraphs; "–" when none rests on the minimum group."""
    parts = []
    for entry in (persona.get("distinguishing") or [])[:3]:
        diff = finite_float(entry.get("diff"))
        if diff is None or (as_int(entry.get("n")) or 0) < ctx.min_group:
            continue
        sign = "+" if diff > 0 else "−"
        name = construct_name(ctx.q, entry.get("construct"), ctx.lang)
        parts.append(f"{name} {sign}{number(abs(diff), ctx.lang)}")
    return [(p, S["table_text"]) for p in parts] if parts else UNKNOWN


def method(ctx: BriefContext, w: Writer) -> None:
    """How the personas were made: method, criterion, k, dimensions, stability check, seed,
    and the score of every k that was tried."""
    ps, _ = ctx.persona_set, ctx._
    requested = ps.get("k_requested")
    dims = ", ".join(
        mid_sentence(construct_name(ctx.q, c, ctx.lang)) for c in ps.get("dimensions") or []
    )
    asked = (" " + _("(requested: %(k)s)", k=requested)) if requested else ""
    w.para(
        _(
            "Method: %(method)s. The number of personas was chosen by %(criterion)s: k = "
            "%(k)s%(requested)s. The personas are based on: %(dimensions)s.",
            method=clean_text(ps.get("method")) or UNKNOWN,
            criterion=clean_text(ps.get("criterion")) or UNKNOWN,
            k=ps.get("k", UNKNOWN),
            requested=asked,
            dimensions=dims or UNKNOWN,
        )
    )
    quality = ps.get("quality") or {}
    bootstrap = quality.get("bootstrap")
    if bootstrap:
        w.para(
            _(
                "Stability was measured with %(bootstrap)s bootstrap resamples (Jaccard overlap): "
                "0.75 or more is stable, 0.60–0.75 indicative; below that a group is not shown "
                "as a persona.",
                bootstrap=bootstrap,
            )
        )
    if ps.get("seed") is not None:
        w.para(_("Seed %(seed)s; the same data give the same personas.", seed=ps.get("seed")), S["small"])
    scores = quality.get("k_scores") or {}
    if isinstance(scores, Mapping) and scores:
        rows = []
        for k, score in sorted(scores.items(), key=lambda kv: as_int(kv[0]) or 0):
            chosen = _("chosen") if str(k) == str(ps.get("k")) else ""
            rows.append([str(k), ctx.num(score, 1), chosen])
        headers = [_("Number of personas (k)"), _("Score"), _("Chosen")]
        w.table(headers, rows, [6.0, 5.0, 5.6])
    if ps.get("no_distinct_personas"):
        w.para(_no_distinct(ctx), S["callout"])


def left_out(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """Respondents excluded from the analysis (count and reason), and groups not shown because
    they are unstable or smaller than the minimum group; one sentence when nobody was."""
    _ = ctx._
    anything = False
    for reason, count in (ctx.persona_set.get("excluded") or {}).items():
        if not as_int(count):
            continue
        anything = True
        if isinstance(reason, str) and reason in EXCLUSION_REASONS:
            reason_text = _(EXCLUSION_REASONS[reason])
        else:
            reason_text = clean_text(reason).replace("_", " ")
        w.bullet(_("%(count)s respondents not included: %(reason)s.", count=ctx.count(count), reason=reason_text))
    shown_keys = {p.get("key") for p in shown}
    hidden = [p for p in ctx.source.get("personas") or [] if p.get("key") not in shown_keys]
    small = [p for p in hidden if (as_int(p.get("size")) or 0) < ctx.min_group]
    unstable = [p for p in hidden if p not in small]
    if unstable:
        anything = True
        people = ctx.count(sum(as_int(p.get("size")) or 0 for p in unstable))
        w.bullet(
            _(
                "%(groups)s group(s) not shown because they are not stable enough (stability "
                "below 0.60), %(people)s people in all.",
                groups=len(unstable),
                people=people,
            )
        )
    if small:
        anything = True
        w.bullet(
            _(
                "%(groups)s group(s) not shown because they have fewer than %(min_group)s people.",
                groups=len(small),
                min_group=ctx.min_group,
            )
        )
    if not anything:
        w.para(_("Every respondent analysed belongs to a persona shown here."))


def caveats(ctx: BriefContext, shown: list[dict]) -> list[str]:
    """The caveats as sentences: three always, then a low response rate (under 50%),
    indicative personas, groups not shown, and no distinct personas where they apply."""
    _ = ctx._
    out = [
        _("Personas are tendencies, not boxes: not everyone in a group will recognise themselves."),
        _("The data are self-reports at one moment; they will move with the change itself."),
        _("Never use personas to make decisions about individual employees."),
    ]
    rate = ctx.response_rate()
    if rate is not None and rate < 0.5:
        out.append(
            _(
                "The response rate is %(rate)s; those who did not respond may think differently "
                "from those who did.",
                rate=percent(rate, ctx.lang),
            )
        )
    indicative = [ctx.name(p) for p in shown if p.get("stability_band") == "indicative"]
    if indicative:
        out.append(
            _(
                "Indicative personas (stability 0.60–0.75): %(names)s. Test them in "
                "conversations before building much on them.",
                names=", ".join(indicative),
            )
        )
    used = as_int(ctx.persona_set.get("n_used"))
    if used and len(shown) < len(ctx.persona_set.get("personas") or []):
        covered = sum(p["size"] for p in shown) / used
        out.append(
            _(
                "Not every group is shown; the personas shown cover %(covered)s of the "
                "respondents analysed.",
                covered=percent(covered, ctx.lang),
            )
        )
    if ctx.persona_set.get("no_distinct_personas"):
        out.append(_no_distinct(ctx))
    return out


def review_text(ctx: BriefContext) -> str:
    """When to review: the planned date; else about six months after the round closed
    (day capped at 28); else "within six months"."""
    _ = ctx._
    due = ctx.round_info.get("review_due")
    if due:
        return _(
            "Next review planned for %(date)s. Repeat the questionnaire then and compare the "
            "personas with this round.",
            date=ctx.date(due),
        )
    closes = ctx.round_info.get("closes_at")
    if closes:
        try:
            closed = dt.date.fromisoformat(str(closes)[:10])
        except ValueError:
            return _("No date has been set. Review within six months.")
        month = closed.month + 6
        year = closed.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        suggested = dt.date(year, month, min(closed.day, 28))
        return _(
            "No date has been set. Review within six months of the round closing, around "
            "%(date)s.",
            date=ctx.date(suggested),
        )
    return _("No date has been set. Review within six months.")
