"""The steering group's page: who the core personas are, and what the group is asked to decide.

Core personas (the articles behind the product advise to focus on one to three): personas are
ranked by *size × stability* — their share of the respondents analysed times their bootstrap
stability (Jaccard, 0–1) — so that a large but shaky group does not outrank a slightly
smaller, solid one. The first is the *primary* persona (never an indicative one while a stable
persona exists); the next are *secondary* until together they cover ``CORE_COVERAGE`` of the
respondents analysed, with at most ``MAX_CORE`` in all. The rule is printed with the table.

The decisions follow from the round's own figures and facts: approving the key message (or
first supplying the change facts), the focus, who from the leadership speaks to a persona
that needs trust first, managers' time when people want to hear it from their manager, the
training time the plans add up to, what to do with indicative personas, and the next
measurement.
"""

from __future__ import annotations

from toolkit.briefs import house, training_plan
from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.themes import persona_need
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import percent
from toolkit.core.numbers import finite_float

CORE_COVERAGE = 0.6
MAX_CORE = 3
MANAGER_VALUES = ("manager",)  # messenger options that mean "my own manager"


def weight(ctx: BriefContext, persona: dict) -> float:
    """Size × stability: the persona's share of the respondents analysed times its stability
    (0 when either is unknown)."""
    used = as_int(ctx.persona_set.get("n_used")) or 0
    size = as_int(persona.get("size")) or 0
    stability = finite_float(persona.get("stability")) or 0.0
    return (size / used if used else 0.0) * stability


def core_personas(ctx: BriefContext, shown: list[dict]) -> list[tuple[dict, str]]:
    """(persona, "primary" | "secondary") for the one to three core personas (module notes)."""
    ranked = sorted(shown, key=lambda p: -weight(ctx, p))
    if not ranked:
        return []
    stable = [p for p in ranked if p.get("stability_band") == "stable"]
    primary = stable[0] if stable else ranked[0]
    core = [(primary, "primary")]
    used = as_int(ctx.persona_set.get("n_used")) or 0
    covered = as_int(primary.get("size")) or 0
    for p in ranked:
        if len(core) >= MAX_CORE or (used and covered / used >= CORE_COVERAGE):
            break
        if p is not primary:
            core.append((p, "secondary"))
            covered += as_int(p.get("size")) or 0
    return core


def write_summary(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """The round in two sentences, the core personas with the rule, and the decisions."""
    _ = ctx._
    w.para(opening(ctx, shown), S["lead"])
    core = core_personas(ctx, shown)
    if core:
        w.heading(_("Core personas"), 2)
        rows = [
            [
                _("primary") if role == "primary" else _("secondary"),
                [(ctx.name(p), S["table_text"]), (ctx.label(p), S["table_note"])],
                ctx._("%(size)s (%(share)s)", size=ctx.count(p.get("size")), share=ctx.share_of_used(p)),
                ctx.stability(p),
                ctx._(house.THEME_NAMES[persona_need(p, ctx.overall, ctx.min_group).theme]),
            ]
            for p, role in core
        ]
        headers = [_("Role"), _("Persona"), _("People"), _("Stability"), _("Leads with")]
        w.table(headers, rows)
        w.para(
            _(
                "Rule: personas are ranked by size × stability (their share of the respondents "
                "analysed times their stability). The first is the primary persona, never an "
                "indicative one while a stable one exists; the next are secondary until together "
                "they cover %(coverage)s of the respondents analysed, at most three in all.",
                coverage=percent(CORE_COVERAGE, ctx.lang),
            ),
            S["small"],
        )
    w.heading(_("Decisions asked of the steering group"), 2)
    for line in decisions(ctx, shown, core):
        w.bullet(line)


def opening(ctx: BriefContext, shown: list[dict]) -> str:
    """How many answered and how many personas came out, in one or two sentences."""
    _ = ctx._
    invited, responses = as_int(ctx.round_info.get("invited")), as_int(ctx.round_info.get("responses"))
    imported = as_int(ctx.round_info.get("imported")) or 0
    rate = ctx.response_rate()  # of the invited who answered online: never above 100 %
    if invited and rate is not None:
        first = _(
            "Of the %(invited)s people invited, %(responses)s filled in the questionnaire (%(rate)s).",
            invited=ctx.count(invited),
            responses=ctx.count((responses or 0) - imported),
            rate=percent(rate, ctx.lang),
        )
        if imported:
            first += " " + _("Another %(n)s answers were imported from elsewhere.", n=ctx.count(imported))
    else:
        first = _("%(responses)s people filled in the questionnaire.", responses=ctx.count(responses))
    if not shown:
        return first + " " + _("The data show no clearly distinct personas. Treat the organisation as one group.")
    return first + " " + _(
        "Their answers show %(k)s personas: groups that differ in motivation and readiness for "
        "the change, and so need a different approach.",
        k=len(shown),
    )


def decisions(ctx: BriefContext, shown: list[dict], core: list[tuple[dict, str]]) -> list[str]:
    """The decisions the figures and facts of this round ask for, most basic first."""
    _ = ctx._
    out = []
    missing = house.missing_facts(ctx)
    if missing:
        out.append(
            _(
                "Have HR enter the change facts that are still missing (%(facts)s); then approve "
                "the core message and the supporting messages.",
                facts=ctx.join([_(house.FACT_NAMES[k]) for k in missing]),
            )
        )
    elif shown:
        out.append(_("Approve the core message and the supporting message per persona (the key-message house)."))
    if core:
        secondary = [ctx.name(p) for p, role in core if role == "secondary"]
        primary = core[0][0]
        focus = _(
            "Aim the approach first at %(primary)s (%(share)s of the respondents analysed).",
            primary=ctx.name(primary),
            share=ctx.share_of_used(primary),
        )
        if secondary:
            focus += " " + _("Then at %(names)s.", names=ctx.join(secondary))
        out.append(focus)
    out += _trust_and_messengers(ctx, shown)
    training = _training_time(ctx, shown)
    if training:
        out.append(training)
    indicative = [ctx.name(p) for p in shown if p.get("stability_band") == "indicative"]
    if indicative:
        out.append(
            _(
                "Decide whether to test %(names)s in conversations before building on them "
                "(indicative, not yet stable).",
                names=ctx.join(indicative),
            )
        )
    out.append(_("Set the date of the next measurement (%(when)s).", when=_review_hint(ctx)))
    return out


def _trust_and_messengers(ctx: BriefContext, shown: list[dict]) -> list[str]:
    _ = ctx._
    out = []
    for p in shown:
        if persona_need(p, ctx.overall, ctx.min_group).theme != "trust":
            continue
        if ctx.top_options(p, "communication", "messenger"):
            out.append(
                _(
                    "Decide how the story reaches %(name)s: through %(messenger)s, the "
                    "messenger they chose most; and which one promise the leadership makes "
                    "and visibly keeps.",
                    name=ctx.name(p),
                    messenger=house.messenger(ctx, p, "them"),
                )
            )
        else:
            out.append(
                _(
                    "Decide who brings the story to %(name)s, and which one promise the "
                    "leadership makes and visibly keeps.",
                    name=ctx.name(p),
                )
            )
    if ctx.measured.role("comm_messenger"):
        managers = [
            ctx.name(p)
            for p in shown
            if any(
                str(e.get("value")) in MANAGER_VALUES
                for e in ctx.top_options(p, "communication", "messenger")
            )
        ]
        if managers:
            out.append(
                _(
                    "Give managers time and a short conversation guide: %(names)s want to hear "
                    "it first from their own manager.",
                    names=ctx.join(managers),
                )
            )
    return out


def _training_time(ctx: BriefContext, shown: list[dict]) -> str:
    """Training time per participant the plans add up to, weighted by persona size."""
    minutes = {ctx.name(p): sum(m.minutes for m in training_plan.plan(ctx, p)) for p in shown}
    sizes = {ctx.name(p): as_int(p.get("size")) or 0 for p in shown}
    total = sum(sizes.values())
    if not minutes or not total:
        return ""
    mean = sum(minutes[n] * sizes[n] for n in minutes) / total
    return ctx._(
        "Make time for training in working hours: on average %(hours)s hours per participant, "
        "from %(low)s to %(high)s hours depending on the persona (see the training plan).",
        hours=ctx.num(mean / 60),
        low=ctx.num(min(minutes.values()) / 60),
        high=ctx.num(max(minutes.values()) / 60),
    )


def _review_hint(ctx: BriefContext) -> str:
    due = ctx.round_info.get("review_due")
    if due:
        return ctx._("planned for %(date)s", date=ctx.date(due))
    return ctx._("advice: within six months")
