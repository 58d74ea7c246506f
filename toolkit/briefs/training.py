"""The training brief: for the trainer who prepares learning for one persona.

After the shared opening (sections.open_persona_brief, without quotes) it shows the readiness
gaps to close first, learning formats and pace, digital confidence, support and time, a
suggested sequence of modules, who is in the group, how to evaluate, and "about this brief".
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs import sections
from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import N_, UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import Advice, GuidanceRules, construct_name, percent
from toolkit.core.numbers import finite_float

# Work context shown for group composition: (description key, questionnaire role, heading).
CONTEXT_ROWS = (
    ("team", "ctx_team", N_("Team or department")),
    ("role", "ctx_role", N_("Type of role")),
    ("tenure", "ctx_tenure", N_("Length of service")),
    ("age", "ctx_age", N_("Age")),
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

    w.heading(_("Readiness gaps to close first"))
    gaps_table(ctx, w, persona)
    w.advice_list(advice.get("gaps", []))

    w.heading(_("Formats and pace"))
    where = ("learning", "format", "learn_format")
    sections.ranked(ctx, w, persona, where, ctx.pgettext("brief", "Format"), intro=True)
    sections.ranked(ctx, w, persona, ("learning", "pace", "learn_pace"), _("Pace"))
    w.advice_list(advice.get("format", []) + advice.get("pace", []))

    w.heading(_("Digital confidence"))
    sections.statement(
        ctx, w, persona, "learning", "digital",
        N_("Confidence with digital tools (1–5): %(figure)s."),
    )
    w.advice_list(advice.get("digital", []))

    w.heading(_("Support and time"))
    sections.ranked(ctx, w, persona, ("learning", "time", "learn_time"), _("Time per week"))
    w.advice_list(advice.get("support", []))

    w.heading(_("Suggested sequence of modules"))
    _sequence(ctx, w, advice.get("sequence", []))

    w.heading(_("Group composition"))
    context_table(ctx, w, persona)
    w.advice_list(advice.get("group", []))

    w.heading(_("How to evaluate"))
    w.advice_list(advice.get("evaluate", []))

    w.heading(_("About this brief"))
    sections.about(ctx, w, persona)
    return w.doc


def _sequence(ctx: BriefContext, w: Writer, advices: list[Advice]) -> None:
    """Step | module table, numbered from 1, each module with its reason."""
    rows = [
        [str(i), [(a.text, S["table_text"]), (a.because, S["table_note"])]]
        for i, a in enumerate(advices, start=1)
    ]
    w.table([ctx._("Step"), ctx._("Module")], rows, [1.4, 15.2])


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
    w.table(headers, [r[1] for r in rows], [6.0, 2.4, 3.0, 3.0, 2.2])


def context_table(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """Where the members work (team, role, tenure, age), categories of at least the minimum
    group only; nothing at all when no category may be shown."""
    rows = []
    for key, role, heading in CONTEXT_ROWS:
        for i, e in enumerate(ctx.options(persona, "context", key)):
            rows.append(
                [
                    ctx._(heading) if i == 0 else "",
                    ctx.option_text(role, e.get("value")),
                    ctx.count(e.get("n")),
                ]
            )
    if rows:
        w.para(
            ctx._(
                "Where these people work (only groups of at least %(min_group)s people):",
                min_group=ctx.min_group,
            ),
            S["small"],
        )
        w.table([ctx._("Characteristic"), ctx._("Group"), ctx._("People")], rows, [4.6, 9.0, 3.0])
