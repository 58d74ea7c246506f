"""The round overview, written for a steering group.

Page 1: the round in two sentences, the one to three core personas (with the rule that picked
them) and the decisions asked of the steering group (summary.py). Then the key-message house
and the communication calendar per change phase (house.py), the training plan as a persona ×
module matrix for trainers (training_plan.py), the personas side by side with their first
advice and a chart, caveats and the next review. The appendix explains in plain language how
the personas were made, with the technical record, the round in figures, who was left out and
what changed since the previous round (method.py).
"""

from __future__ import annotations

import datetime as dt

from toolkit.briefs import house, method, summary, training_plan
from toolkit.briefs.charts import overview_chart
from toolkit.briefs.context import INDICATIVE, STABLE, BriefContext, as_int, stability_figure
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.sections import privacy_note
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import Advice, GuidanceRules, construct_name, number, percent, top_advice
from toolkit.core.numbers import finite_float


def overview_brief(
    persona_set: dict, round_info: dict, q, lang: str, rules: GuidanceRules | None = None
):
    """The round overview as a python-docx Document (save it yourself).

    ``persona_set`` is the round's persona-set dict, ``round_info`` the round's dict (title,
    organisation, min_group, ISO dates, invited, responses, review_due, optionally
    ``change_facts``: {"what", "why", "when", "unchanged"} and ``drift``: {lang: [sentences]}
    with ``drift_since``), ``q`` the parsed questionnaire, ``lang`` "nl" or "en", ``rules``
    the guidance rules (shipped ones when None). Only personas that may be shown appear.
    Raises ``ValueError`` for another language.
    """
    ctx = BriefContext(persona_set, round_info, q, lang, rules)
    _ = ctx._
    shown = ctx.persona_set["personas"]
    w = ctx.writer("overview", None)
    _cover(ctx, w)
    w.heading(_("Summary for the steering group"))
    summary.write_summary(ctx, w, shown)
    if shown:
        w.page_break()
        w.heading(_("Key-message house"))
        house.write_house(ctx, w, shown)
        w.heading(_("Communication calendar"))
        house.write_calendar(ctx, w, shown)
        w.heading(_("Training plan per persona"))
        training_matrix(ctx, w, shown)
        _personas(ctx, w, shown)
    w.heading(_("Caveats"))
    for text in caveats(ctx, shown):
        w.bullet(text)
    w.heading(_("Next review"))
    w.para(review_text(ctx), S["callout"])
    w.para(privacy_note(ctx), S["small"])
    _appendix(ctx, w, shown)
    return w.doc


def _personas(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """The personas side by side, their first advice, and the chart comparing them."""
    _ = ctx._
    w.heading(_("The personas side by side"))
    _side_by_side(ctx, w, shown)
    w.heading(_("First advice per persona"), 2)
    _first_advice(ctx, w, shown)
    w.heading(_("Profiles compared"), 2)
    w.picture(
        overview_chart(
            dict(ctx.source, personas=shown),
            ctx.q,
            ctx.lang,
            min_group=ctx.min_group,
            negative=ctx.rules.negative_constructs,
        ),
        _(
            "Figure: each persona's difference from the organisation per construct, in points "
            "on the 1–5 scale. Blue is more favourable than the organisation, red less "
            "favourable (for amotivation a higher score is less favourable)."
        ),
        _("The personas' differences from the organisation"),
    )


def _appendix(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """How the personas were made, the round in figures, who was left out, what changed."""
    _ = ctx._
    w.page_break()
    w.heading(_("Appendix: how the personas were made"))
    method.plain_method(ctx, w)
    w.heading(_("The round in figures"), 2)
    w.table([_("Figure"), _("Value")], method.round_figures(ctx, shown))
    w.heading(_("Method and quality"), 2)
    method.technical(ctx, w)
    if ctx.persona_set.get("no_distinct_personas"):
        w.para(_no_distinct(ctx), S["callout"])
    w.heading(_("Who was left out, and why"), 2)
    method.left_out(ctx, w, shown)
    _drift(ctx, w)


def training_matrix(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """Persona × module: "●" full module with its minutes, "○" the short version, "–" not in
    that persona's plan; a legend above it."""
    _ = ctx._
    plans = {p.get("key"): {m.module: m for m in training_plan.plan(ctx, p)} for p in shown}
    modules = [m for m in training_plan.MODULES if any(m in plan for plan in plans.values())]
    rows = []
    for module in modules:
        row: list = [_(training_plan.MODULE_NAMES[module])]
        for p in shown:
            planned = plans[p.get("key")].get(module)
            if planned is None:
                row.append("–")
            else:
                mark = "●" if planned.full else "○"
                row.append(f"{mark} {_('%(minutes)s min', minutes=planned.minutes)}")
        rows.append(row)
    w.para(
        _(
            "● full module: the group shows the gap it closes; ○ short version everyone gets; "
            "– not needed. Minutes per participant; each persona's training brief gives form, "
            "duration and group size."
        ),
        S["table_intro"],
    )
    w.table([_("Module")] + [ctx.name(p) for p in shown], rows)


def _cover(ctx: BriefContext, w: Writer) -> None:
    """The top of page 1: what this is, for which round, when made; the summary follows."""
    _ = ctx._
    lines = []
    if ctx.questionnaire_title():
        lines.append((_("Questionnaire"), ctx.questionnaire_title()))
    if ctx.round_info.get("organisation"):
        lines.append((_("Organisation"), clean_text(ctx.round_info["organisation"])))
    lines.append((_("Period"), ctx.period()))
    lines.append((_("Produced on"), ctx.date(dt.date.today())))
    subtitle = _("The personas of this round, for the steering group")
    w.cover(_("Persona overview"), ctx.round_title(), subtitle, lines)  # notice: page 1's footer


def _side_by_side(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """One row per persona: name and label, people and share, level, stability, what stands
    out. Short column headers, so that none breaks inside a word."""
    _ = ctx._
    rows = [
        [
            [(ctx.name(p), S["table_text"]), (ctx.label(p), S["table_note"])],
            _("%(size)s (%(share)s)", size=ctx.count(p.get("size")), share=ctx.share_of_used(p)),
            ctx.num(p.get("level")),
            ctx.stability(p),
            stands_out(ctx, p),
        ]
        for p in shown
    ]
    headers = [_("Persona"), _("People"), _("Level"), _("Stability"), _("Stands out for")]
    w.table(headers, rows)


def _first_advice(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """One row per persona: its top communication advice, preferred channel (when asked),
    top training advice."""
    _ = ctx._
    channels = ctx.measured.role("comm_channels")
    rows = []
    for p in shown:
        comm = top_advice(ctx.advice(p, "communication"), "communication")
        train = top_advice(ctx.advice(p, "training"), "training")
        row = [ctx.name(p), _advice_cell(comm)]
        if channels:
            row.append(ctx.top_option(p, "communication", "channels", "comm_channels"))
        rows.append(row + [_advice_cell(train)])
    headers = [_("Persona"), _("Communication")]
    headers += [_("Channel")] if channels else []
    w.table(headers + [_("Training")], rows)


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
                "Indicative personas (stability %(low)s–%(high)s): %(names)s. Test them in "
                "conversations before building much on them.",
                low=stability_figure(INDICATIVE, ctx.lang),
                high=stability_figure(STABLE, ctx.lang),
                names=ctx.join(indicative),
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
