"""The training plan of a persona: which modules, in which form, how long, in what group.

Modules follow the stages of a change a person goes through (ADKAR: awareness, desire,
knowledge, ability, reinforcement — Hiatt 2006) and the readiness beliefs behind them
(appropriateness, valence, management support, efficacy — Armenakis & Harris 2009):

- a module is *full* when the persona's figures show the gap it closes (an ADKAR stage that
  is a barrier for a large share, or a readiness construct well below the organisation);
- the modules everyone needs to work the new way (knowledge, practice, follow-up) are *short*
  when there is no gap, so the plan never pretends a group needs nothing;
- a module whose gap the questionnaire did not measure, and that is not a standard one, is
  left out.

The form follows what the group chose (learning format, pace, time per week) where the
questionnaire asked; the way of teaching follows its motivation type (self-determination
theory, Ryan & Deci 2000: choice and purpose for autonomous motivation, structure and
recognition without pressure for controlled motivation, relevance and a quick first success
for amotivation). Durations are minutes per participant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.themes import motivation_type, z_of
from toolkit.core.guidance import construct_name, percent
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float

MODULES = ("why", "meaning", "trust", "knowledge", "practice", "digital", "embed")
STANDARD = ("knowledge", "practice", "embed")
MODULE_NAMES = {
    "why": N_("Why this change"),
    "meaning": N_("What it means for you"),
    "trust": N_("In conversation with leadership"),
    "knowledge": N_("What changes in your work"),
    "practice": N_("Practising in your own work"),
    "digital": N_("Digital basics"),
    "embed": N_("Follow-up session"),
}
# module -> (ADKAR stage or None, ((construct, sign), ...)): sign -1 = a low score is the gap.
GAPS = {
    "why": ("awareness", (("appropriateness", -1),)),
    "meaning": ("desire", (("personal_valence", -1), ("affective_commitment", -1))),
    "trust": (None, (("management_support", -1), ("amotivation", 1))),
    "knowledge": ("knowledge", ()),
    "practice": ("ability", (("change_efficacy", -1),)),
    "digital": (None, ()),
    "embed": ("reinforcement", ()),
}
MINUTES = {  # (full, short) minutes per participant
    "why": (60, 0),
    "meaning": (60, 0),
    "trust": (75, 0),
    "knowledge": (90, 45),
    "practice": (180, 60),
    "digital": (120, 0),
    "embed": (60, 30),
}
GAP_Z = 0.5  # a construct this far on the unfavourable side is a gap
DIGITAL_LOW = 2.8  # digital confidence (1–5) at or below this asks for the digital module
SESSION_MINUTES = {"under_1h": 45, "1_2h": 90, "over_2h": 180}
BASE_FORMATS = {
    "why": N_("Team session led by their own manager"),
    "meaning": N_("Conversation in a small group"),
    "trust": N_("Dialogue with a member of senior management"),
    "knowledge": N_("Classroom session"),
    "practice": N_("On the job, with an experienced colleague"),
    "digital": N_("Hands-on practice, step by step"),
    "embed": N_("Follow-up session in the team"),
}
PREFERRED_FORMATS = {  # top learning format -> form of the knowledge and practice modules
    "classroom": (N_("Classroom session"), N_("Practice session in a group")),
    "on_the_job": (N_("Instruction on the job"), N_("On the job, with an experienced colleague")),
    "elearning": (N_("E-learning with a short live Q&A"), N_("Practice assignments in their own work")),
    "video": (N_("Short how-to videos and a Q&A"), N_("Practice assignments in their own work")),
    "manual": (N_("Reference guide with a walk-through"), N_("Practice assignments in their own work")),
    "coaching": (N_("Coaching by an experienced colleague"), N_("Coaching on the job")),
}
GROUPS = {
    "why": N_("the whole team, up to 20"),
    "meaning": N_("6 to 10"),
    "trust": N_("6 to 10"),
    "knowledge": N_("8 to 12"),
    "practice": N_("4 to 6"),
    "digital": N_("4 to 6"),
    "embed": N_("the team, up to 12"),
}
ALONE_FORMATS = ("elearning", "video", "manual")
ONE_TO_ONE = ("coaching", "on_the_job")
MOTIVATION_ADVICE = {
    "autonomous": N_(
        "Autonomous motivation: give choice. Let participants pick cases and order, explain "
        "the purpose of each part, and skip compulsory tests and checks; they work against it."
    ),
    "controlled": N_(
        "Controlled motivation: give structure. Clear learning goals, a fixed build-up and "
        "visible recognition at every step. Never use pressure or guilt, and explain the why "
        "here too, so that the motivation becomes their own."
    ),
    "amotivated": N_(
        "Little motivation: start with relevance. Show what it solves in their own work, keep "
        "the first session short, voluntary and practical, and let them succeed quickly."
    ),
    "mixed": N_(
        "Mixed motivation: combine a clear structure with room for their own choices, and "
        "explain the purpose of each part."
    ),
}


@dataclass(frozen=True)
class PlannedModule:
    """One module of a persona's plan: ``module`` a key of ``MODULES``, ``full`` whether the
    figures show its gap (else the short standard version), ``reason`` the figure behind it
    ('' for a standard module), ``form``, ``duration`` and ``group`` as the reader sees them,
    ``minutes`` per participant."""

    module: str
    full: bool
    reason: str
    form: str
    duration: str
    group: str
    minutes: int


def plan(ctx: BriefContext, persona: dict) -> list[PlannedModule]:
    """The modules of ``persona`` (privacy-trimmed), in ``MODULES`` order."""
    out = []
    for module in MODULES:
        reason = gap_reason(ctx, persona, module)
        if reason is None and module not in STANDARD:
            continue
        full = reason is not None
        minutes = MINUTES[module][0 if full else 1]
        out.append(
            PlannedModule(
                module=module,
                full=full,
                reason=reason or "",
                form=form_of(ctx, persona, module),
                duration=duration_of(ctx, persona, minutes),
                group=group_of(ctx, persona, module),
                minutes=minutes,
            )
        )
    return out


def gap_reason(ctx: BriefContext, persona: dict, module: str) -> str | None:
    """The figure that shows the gap ``module`` closes, or None when there is none (or the
    questionnaire did not measure it)."""
    if module == "digital":
        return _digital_gap(ctx, persona)
    stage, constructs = GAPS[module]
    if stage and ctx.measured.adkar:
        limit = float(ctx.rules.settings["barrier_share"])
        for entry in ctx.adkar(persona):
            share = finite_float(entry.get("barrier_share"))
            if entry.get("stage") == stage and share is not None and share >= limit:
                return ctx._(
                    "%(stage)s: %(share)s score 3 or lower (%(counted)s)",
                    stage=construct_name(ctx.q, stage, ctx.lang),
                    share=percent(share, ctx.lang),
                    counted=ctx.counted(entry.get("n"), persona.get("size")),
                )
    gaps = []
    for construct, sign in constructs:
        z = z_of(persona, ctx.overall, construct, ctx.min_group)
        if z is not None and sign * z >= GAP_Z:
            gaps.append((sign * z, construct))
    if not gaps:
        return None
    construct = max(gaps)[1]  # the strongest signal is the reason given
    entry = (persona.get("profile") or {})[construct]
    return ctx._(
        "%(construct)s: %(figure)s",
        construct=construct_name(ctx.q, construct, ctx.lang),
        figure=ctx.figure(entry.get("mean"), ctx.org_mean(construct), entry.get("n"), persona.get("size")),
    )


def _digital_gap(ctx: BriefContext, persona: dict) -> str | None:
    if not ctx.measured.role("learn_digital"):
        return None
    entry = ((persona.get("description") or {}).get("learning") or {}).get("digital")
    if not isinstance(entry, dict) or (as_int(entry.get("n")) or 0) < ctx.min_group:
        return None
    mean, org = finite_float(entry.get("mean")), finite_float(entry.get("org_mean"))
    if mean is None or not (mean <= DIGITAL_LOW or (org is not None and mean - org <= -0.4)):
        return None
    return ctx._(
        "Digital confidence: %(figure)s",
        figure=ctx.figure(mean, org, entry.get("n"), persona.get("size")),
    )


def form_of(ctx: BriefContext, persona: dict, module: str) -> str:
    """How the module is given: for knowledge and practice the group's preferred format
    (with how many chose it), otherwise the module's own form."""
    top = _top(ctx, persona, "format")
    if module in ("knowledge", "practice") and top is not None:
        value = str(top.get("value"))
        if value in PREFERRED_FORMATS:
            form = ctx._(PREFERRED_FORMATS[value][0 if module == "knowledge" else 1])
        else:
            form = ctx.option_text("learn_format", value)
        base = ctx.option_base(ctx.options(persona, "learning", "format"))
        return ctx._("%(form)s (their preference: %(chosen)s)", form=form, chosen=ctx.chosen(top, base))
    return ctx._(BASE_FORMATS[module])


def duration_of(ctx: BriefContext, persona: dict, minutes: int) -> str:
    """"2 × 45 min, spread over 2 weeks": sessions no longer than the time the group has per
    week, spread or in one block as its preferred pace says."""
    time = _top(ctx, persona, "time")
    pace = _top(ctx, persona, "pace")
    pace_value = str(pace.get("value")) if pace else ""
    longest = SESSION_MINUTES.get(str(time.get("value")) if time else "", 90)
    if pace_value == "short_intensive":
        longest = max(longest, min(minutes, 240))
    sessions = max(1, math.ceil(minutes / longest))
    each = int(math.ceil(minutes / sessions / 15) * 15)
    text = (
        ctx._("%(minutes)s min", minutes=each)
        if sessions == 1
        else ctx._("%(sessions)s × %(minutes)s min", sessions=sessions, minutes=each)
    )
    if sessions > 1 and pace_value == "spread_out":
        text += ", " + ctx._("spread over %(weeks)s weeks", weeks=sessions)
    elif pace_value == "self_paced":
        text += ", " + ctx._("at their own pace")
    return text


def group_of(ctx: BriefContext, persona: dict, module: str) -> str:
    """Group size for the module; one-to-one or alone when the preferred format is so."""
    top = _top(ctx, persona, "format")
    value = str(top.get("value")) if top else ""
    if module in ("knowledge", "practice") and value in ONE_TO_ONE:
        return ctx._("1 to 3")
    if module == "knowledge" and value in ALONE_FORMATS:
        return ctx._("on their own, with a joint Q&A")
    return ctx._(GROUPS[module])


def motivation_note(ctx: BriefContext, persona: dict) -> str:
    """How to teach this group, from its motivation type; '' when the questionnaire did not
    measure motivation."""
    kind = motivation_type(persona, ctx.overall, ctx.min_group)
    return ctx._(MOTIVATION_ADVICE[kind]) if kind else ""


def _top(ctx: BriefContext, persona: dict, key: str) -> dict | None:
    if not ctx.measured.role(f"learn_{key}"):
        return None
    tied = ctx.top_options(persona, "learning", key)
    return tied[0] if tied else None
