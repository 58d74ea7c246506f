"""The key-message house and the communication calendar, drafted from the round's change facts.

HR enters four change facts once per round (what changes, why, when, what stays the same;
``round_info["change_facts"]``). From them and each persona's need (toolkit.briefs.themes)
this module drafts:

- the *core message* (the roof): what changes and why, in HR's own words;
- one *supporting message* per persona (the pillars) that leads with what that persona needs
  — trust, the why, support, clarity or ownership — and is also the key sentence on its card;
- *proof points* (the foundation): the timing and what stays the same, and per persona the
  figure that made its message lead with its theme;
- a *calendar* per change phase (announce, prepare, go-live, embed) per persona, with the
  channel and messenger that persona chose where the questionnaire asked for them.

A fact HR has not entered is shown as a bracketed blank ("[why]") and the house says what to
fill in and where, so a draft never pretends to know the change.
"""

from __future__ import annotations

from toolkit.briefs.context import BriefContext
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.themes import persona_need
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import construct_name
from toolkit.core.messages import N_

FACTS = ("what", "why", "when", "unchanged")
FACT_NAMES = {
    "what": N_("what changes"),
    "why": N_("why"),
    "when": N_("when"),
    "unchanged": N_("what stays the same"),
}
BLANKS = {
    "what": N_("[what changes]"),
    "why": N_("[why it changes]"),
    "when": N_("[when]"),
    "unchanged": N_("[what stays the same]"),
}
# The supporting message per theme, addressed to the persona ("je"); facts fill the blanks.
KEY_SENTENCES = {
    "trust": N_(
        "We only promise what we will keep. What stays the same for you: %(unchanged)s You "
        "hear every next step first from %(messenger)s."
    ),
    "why": N_(
        "Why we are doing this: %(why)s In your own team we show what it means for your work, "
        "and we listen to your doubts."
    ),
    "support": N_(
        "You will not have to manage this on your own: %(when)s You get explanation and time "
        "to practise first, and mistakes at the start are part of learning."
    ),
    "clarity": N_(
        "This is what changes for you: %(what)s We tell you exactly what is expected of you "
        "and when, and how you know you are doing it right."
    ),
    "ownership": N_(
        "%(what)s You know how the work really goes: help us decide how your team makes it work."
    ),
    "general": N_(
        "%(what)s We keep you informed at every step, and your questions are always welcome."
    ),
}
THEME_NAMES = {
    "trust": N_("trust before content"),
    "why": N_("the why first"),
    "support": N_("support and practice"),
    "clarity": N_("clarity and structure"),
    "ownership": N_("room to shape it"),
    "general": N_("the general story"),
}
# The messenger a persona chose most (default instrument's option values), as the key
# sentence addresses the persona ("you") and as the calendar speaks of it ("them").
MESSENGER_YOU = {
    "manager": N_("your own manager"),
    "senior_leader": N_("someone from senior management"),
    "hr": N_("HR"),
    "colleague": N_("a colleague you know"),
}
MESSENGER_THEM = {
    "manager": N_("their own manager"),
    "senior_leader": N_("a member of senior management"),
    "hr": N_("HR"),
    "colleague": N_("a colleague or change champion they know"),
}
UNKNOWN_MESSENGER = {"you": N_("us"), "them": N_("the person they trust most")}
PHASES = ("announce", "prepare", "go_live", "embed")
PHASE_NAMES = {
    "announce": N_("Announce (6 to 4 weeks before the start)"),
    "prepare": N_("Prepare (4 weeks to 1 week before)"),
    "go_live": N_("Go-live (the first weeks)"),
    "embed": N_("Embed (1 to 3 months after)"),
}
# (theme, phase) -> what to do in that phase for a persona with that theme.
CALENDAR = {
    ("trust", "announce"): N_("Let %(messenger)s bring the news in person, before any memo."),
    ("trust", "prepare"): N_("Name one promise and report on it; answer criticism openly."),
    ("trust", "go_live"): N_("Be present on the floor; fix the first problems visibly."),
    ("trust", "embed"): N_("Show what was done with their objections, with examples."),
    ("why", "announce"): N_("Start with the problem the change solves, with an example from their work."),
    ("why", "prepare"): N_("Hold a session where doubts may be voiced and are answered."),
    ("why", "go_live"): N_("Show the first results that prove the why."),
    ("why", "embed"): N_("Share figures on what has improved, and what has not yet."),
    ("support", "announce"): N_("Announce together with the help that comes with it."),
    ("support", "prepare"): N_("Plan practice time in working hours; name a go-to person."),
    ("support", "go_live"): N_("Provide floor support and a short checklist."),
    ("support", "embed"): N_("Hold a follow-up session; celebrate what already works."),
    ("clarity", "announce"): N_("Give the timeline and what is expected of them, on one page."),
    ("clarity", "prepare"): N_("Send the steps in writing, with dates and who to ask."),
    ("clarity", "go_live"): N_("Confirm daily what is done and what comes next."),
    ("clarity", "embed"): N_("Confirm the new agreements and recognise progress."),
    ("ownership", "announce"): N_("Share the direction and invite them to think along."),
    ("ownership", "prepare"): N_("Let them test and help shape the way of working."),
    ("ownership", "go_live"): N_("Ask them to act as ambassadors in their team."),
    ("ownership", "embed"): N_("Use their improvement ideas and say what became of them."),
    ("general", "announce"): N_("Announce what changes, why and when."),
    ("general", "prepare"): N_("Explain what is needed from them and where to ask questions."),
    ("general", "go_live"): N_("Keep updates short and regular."),
    ("general", "embed"): N_("Evaluate with them and share what was learned."),
}


def change_facts(ctx: BriefContext) -> dict[str, str]:
    """The round's change facts as cleaned text per key of ``FACTS`` ('' when not entered)."""
    raw = ctx.round_info.get("change_facts") or {}
    return {key: clean_text(raw.get(key) or "", single_line=True) for key in FACTS}


def missing_facts(ctx: BriefContext) -> list[str]:
    """The keys of the facts HR has not entered yet, in ``FACTS`` order."""
    return [key for key, text in change_facts(ctx).items() if not text]


def fact(ctx: BriefContext, key: str) -> str:
    """A fact ready to stand in a sentence: ending in a full stop, or its bracketed blank."""
    text = change_facts(ctx)[key]
    if not text:
        return ctx._(BLANKS[key])
    return text if text[-1] in ".!?" else text + "."


def key_sentence(ctx: BriefContext, persona: dict) -> str:
    """The supporting message for ``persona`` (its card's key sentence), drafted from its
    theme, the change facts and (for trust) the messenger it chose most."""
    need = persona_need(persona, ctx.overall, ctx.min_group)
    values = {key: fact(ctx, key) for key in FACTS}
    return ctx._(KEY_SENTENCES[need.theme], messenger=messenger(ctx, persona, "you"), **values)


def messenger(ctx: BriefContext, persona: dict, person: str) -> str:
    """The persona's most chosen messenger as a phrase, ``person`` "you" (addressing the
    persona) or "them" (speaking of it); a neutral phrase when the questionnaire did not ask
    or the option is not one of the default instrument's."""
    table = MESSENGER_YOU if person == "you" else MESSENGER_THEM
    tied = ctx.top_options(persona, "communication", "messenger")
    value = str(tied[0].get("value")) if tied else ""
    return ctx._(table[value]) if value in table else ctx._(UNKNOWN_MESSENGER[person])


def core_message(ctx: BriefContext) -> str:
    """The roof of the house: what changes and why (blanks where HR has not said)."""
    return ctx._("%(what)s %(why)s", what=fact(ctx, "what"), why=fact(ctx, "why"))


def need_figure(ctx: BriefContext, persona: dict) -> str:
    """The figure behind a persona's theme ("Amotivation: 3.9 vs 1.9 …"), or '' for the
    general theme."""
    need = persona_need(persona, ctx.overall, ctx.min_group)
    if need.construct is None or need.entry is None:
        return ""
    entry = need.entry
    return ctx._(
        "%(construct)s: %(figure)s",
        construct=construct_name(ctx.q, need.construct, ctx.lang),
        figure=ctx.figure(entry.get("mean"), ctx.org_mean(need.construct), entry.get("n"), persona.get("size")),
    )


def write_house(ctx: BriefContext, w: Writer, personas: list[dict]) -> None:
    """The key-message house: roof, pillars (one per persona) and foundation."""
    _ = ctx._
    missing = missing_facts(ctx)
    if missing:
        names = ctx.join([_(FACT_NAMES[k]) for k in missing])
        w.para(
            _(
                "To be filled in by HR: %(facts)s. Enter them on the round page under ‘Change "
                "facts’ (or with ‘persona-toolkit round facts’); the drafts below then use them.",
                facts=names,
            ),
            S["callout"],
        )
    w.heading(_("Core message"), 3)
    w.para(core_message(ctx), S["key_sentence"])
    rows = []
    for p in personas:
        need = persona_need(p, ctx.overall, ctx.min_group)
        rows.append(
            [
                [(ctx.name(p), S["table_text"]), (_(THEME_NAMES[need.theme]), S["table_note"])],
                key_sentence(ctx, p),
                need_figure(ctx, p) or "–",
            ]
        )
    w.table([_("Persona"), _("Supporting message"), _("Proof from the data")], rows)
    w.heading(_("Proof points everyone hears"), 3)
    w.bullet(_("When: %(when)s", when=fact(ctx, "when")))
    w.bullet(_("What stays the same: %(unchanged)s", unchanged=fact(ctx, "unchanged")))


def write_calendar(ctx: BriefContext, w: Writer, personas: list[dict]) -> None:
    """Per change phase, per persona: what to do, and (where asked) through which channel
    and messenger."""
    _ = ctx._
    via = ctx.measured.any_role("comm_channels", "comm_messenger")
    rows = []
    for phase in PHASES:
        for i, p in enumerate(personas):
            theme = persona_need(p, ctx.overall, ctx.min_group).theme
            action = _(CALENDAR[(theme, phase)], messenger=messenger(ctx, p, "them"))
            row = [_(PHASE_NAMES[phase]) if i == 0 else "", ctx.name(p), action]
            if via:
                row.append(channel_and_messenger(ctx, p))
            rows.append(row)
    headers = [_("Phase"), _("Persona"), _("What to do")] + ([_("Channel · messenger")] if via else [])
    w.table(headers, rows)
    if change_facts(ctx)["when"]:
        w.para(_("Start of the change, as HR entered it: %(when)s", when=fact(ctx, "when")), S["small"])


def channel_and_messenger(ctx: BriefContext, persona: dict) -> str:
    """"Chat · own manager": the persona's most chosen channel and messenger ("–" for one the
    group did not choose or was not asked)."""
    channel = ctx.top_option(persona, "communication", "channels", "comm_channels")
    messenger = ctx.top_option(persona, "communication", "messenger", "comm_messenger")
    return f"{channel} · {messenger}"
