"""The training brief: for the trainer who prepares learning for one persona.

After the shared opening (the persona card, then "who is this" without quotes) it shows the
training plan (modules by readiness gap and ADKAR barrier, in the form, duration and group
size the group's preferences and motivation ask for; toolkit.briefs.training_plan), the
readiness gaps, learning formats and pace, digital confidence, support and time, who is in the
group, how to evaluate, and "about this brief". A part the questionnaire did not ask about is
left out, heading included.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs import open_themes, sections, training_plan
from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.conversations import conversations
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import Advice, GuidanceRules, construct_name, percent
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float

# Work context shown for group composition: (description key, questionnaire role, heading).
CONTEXT_ROWS = (
    ("team", "ctx_team", N_("Team or department")),
    ("role", "ctx_role", N_("Type of role")),
    ("tenure", "ctx_tenure", N_("Length of service")),
    ("age", "ctx_age", N_("Age")),
)
AGE_NOTE = N_(
    "Age is not the cause: digital confidence differs between people of every age. Plan by the "
    "confidence people report, not by their age."
)


def training_brief(
    persona_set: dict,
    persona: dict,
    round_info: dict,
    q,
    lang: str,
    rules: GuidanceRules | None = None,
):
    """The training brief for one persona, as a python-docx Document (save it yourself).

    Arguments as for ``communication_brief``: the round's persona-set dict, one of its
    personas, the round's dict, the parsed questionnaire, "nl" or "en", the guidance rules
    (shipped ones when None). Raises ``ValueError`` for another language or a persona that
    may not be shown.
    """
    ctx = BriefContext(persona_set, round_info, q, lang, rules)
    _ = ctx._
    persona, advice, w = sections.open_persona_brief(ctx, persona, "training", with_quotes=False)

    w.heading(_("Training plan"))
    plan_table(ctx, w, persona)
    backed = [a for a in advice.get("sequence", []) if a.evidence]
    if backed:
        w.heading(_("What to stress along the way"), 2)
        w.advice_list(backed)

    if ctx.measured.adkar or ctx.measured.construct("change_efficacy"):
        w.heading(_("Readiness gaps to close first"))
        gaps_table(ctx, w, persona)
        w.advice_list(advice.get("gaps", []))

    learning_preferences(ctx, w, persona, advice)

    if context_table(ctx, w, persona, heading=_("Group composition")):
        w.advice_list(advice.get("group", []))
    open_themes.section(ctx, w, persona, "training")

    w.heading(_("How to evaluate"))
    w.advice_list(advice.get("evaluate", []))

    conversations(ctx, w, persona)

    w.heading(_("About this brief"))
    sections.about(ctx, w, persona)
    return w.doc


def learning_preferences(
    ctx: BriefContext, w: Writer, persona: dict, advice: dict[str, list[Advice]]
) -> None:
    """Formats and pace, digital confidence, support and time: each only when asked, with its
    advice. Where an age table follows, the digital part says that age is not the cause."""
    _ = ctx._
    if ctx.measured.any_role("learn_format", "learn_pace"):
        w.heading(_("Formats and pace"))
        where = ("learning", "format", "learn_format")
        sections.ranked(ctx, w, persona, where, ctx.pgettext("brief", "Format"))
        sections.ranked(ctx, w, persona, ("learning", "pace", "learn_pace"), _("Pace"))
        w.advice_list(advice.get("format", []) + advice.get("pace", []))
    if ctx.measured.role("learn_digital"):
        w.heading(_("Digital confidence"))
        sections.statement(
            ctx, w, persona, "learning", "digital",
            N_("Confidence with digital tools (1–5): %(figure)s."),
        )
        if ctx.options(persona, "context", "age"):  # an age table follows in this brief
            w.para(_(AGE_NOTE), S["small"])
        w.advice_list(advice.get("digital", []))
    if ctx.measured.role("learn_time"):
        w.heading(_("Support and time"))
        sections.ranked(ctx, w, persona, ("learning", "time", "learn_time"), _("Time per week"))
        w.advice_list(advice.get("support", []))


def plan_table(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """The persona's modules (training_plan.plan): module and why, form, duration, group
    size; then how to teach this group, from its motivation type."""
    _ = ctx._
    rows = []
    for m in training_plan.plan(ctx, persona):
        name = ctx._(training_plan.MODULE_NAMES[m.module])
        why = m.reason or _("standard for everyone; short version")
        rows.append([[(name, S["table_text"]), (why, S["table_note"])], m.form, m.duration, m.group])
    w.para(
        _(
            "Modules in the order of a change: first understanding, then knowing, then being "
            "able to, then keeping it up. A module with a figure beneath it closes a gap this "
            "group shows; the others are the short version everyone gets."
        ),
        S["table_intro"],
    )
    w.table([_("Module"), ctx.pgettext("brief", "Format"), _("Duration"), _("Group size")], rows)
    note = training_plan.motivation_note(ctx, persona)
    if note:
        w.para(note, S["callout"])


def gaps_table(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """Change efficacy and the ADKAR stages: the group's score, the organisation's, the share
    scoring 3 or lower and n; the largest barrier first (efficacy below the organisation
    ranks as a full barrier). Says there are no data when nothing rests on the minimum group."""
    rows = []
    entry = (persona.get("profile") or {}).get("change_efficacy")
    if isinstance(entry, Mapping) and (as_int(entry.get("n")) or 0) >= ctx.min_group:
        rank = -(1.0 if (finite_float(entry.get("diff")) or 0) < 0 else 0.0)
        rows.append(
            (
                rank,
                [
                    construct_name(ctx.q, "change_efficacy", ctx.lang),
                    ctx.num(entry.get("mean")),
                    ctx.num(ctx.org_mean("change_efficacy")),
                    UNKNOWN,
                    ctx.count(entry.get("n")),
                ],
            )
        )
    for e in ctx.adkar(persona):
        share = finite_float(e.get("barrier_share"))
        rows.append(
            (
                -(share or 0.0),
                [
                    construct_name(ctx.q, e["stage"], ctx.lang),
                    ctx.num(e.get("mean")),
                    ctx.num(e.get("org_mean")),
                    percent(share, ctx.lang) if share is not None else UNKNOWN,
                    ctx.count(e.get("n")),
                ],
            )
        )
    if not rows:
        w.para(sections.no_data(ctx), S["small"])
        return
    rows.sort(key=lambda r: r[0])
    headers = [
        ctx.pgettext("brief", "Construct"),
        ctx._("Score"),
        ctx._("Organisation"),
        ctx._("Barrier (≤ 3)"),
        "n",
    ]
    w.table(headers, [r[1] for r in rows])


def context_table(ctx: BriefContext, w: Writer, persona: dict, *, heading: str) -> bool:
    """Under ``heading``: where the members work (team, role, tenure, age), categories of at
    least the minimum group only. With an age row it says that age is not the cause of
    digital confidence. Writes nothing and returns False when no category may be shown."""
    rows = []
    has_age = False
    for key, role, row_heading in CONTEXT_ROWS:
        for i, e in enumerate(ctx.options(persona, "context", key)):
            has_age = has_age or key == "age"
            rows.append(
                [
                    ctx._(row_heading) if i == 0 else "",
                    ctx.option_text(role, e.get("value")),
                    ctx.count(e.get("n")),
                ]
            )
    if not rows:
        return False
    w.heading(heading)
    w.para(
        ctx._(
            "Where these people work (only groups of at least %(min_group)s people):",
            min_group=ctx.min_group,
        ),
        S["table_intro"],
    )
    w.table([ctx._("Characteristic"), ctx._("Group"), ctx._("People")], rows)
    if has_age:
        w.para(ctx._(AGE_NOTE), S["small"])
    return True
