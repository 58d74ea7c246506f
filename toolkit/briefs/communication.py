"""The communication brief: for the change manager who writes to one persona.

After the shared opening (sections.open_persona_brief) it shows what drives and holds the
group back, key messages by aspect (why, what, how, what is in it for me), tone, channels and
messengers, frequency, involvement, questions to expect with suggested answers, what to
avoid, the moments the change hits them, how to tell it works, and "about this brief".
"""

from __future__ import annotations

from toolkit.briefs import sections
from toolkit.briefs.context import BriefContext, as_int
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import N_
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import ASPECTS, Advice, GuidanceRules, construct_name, percent
from toolkit.core.numbers import finite_float

MAX_LINES = 5  # drivers / hold-backs listed per persona (the strongest first)
ASPECT_NAMES = {
    "why": N_("Why"),
    "what": N_("What"),
    "how": N_("How"),
    "wiifm": N_("What is in it for me?"),
}


def communication_brief(
    persona_set: dict,
    persona: dict,
    round_info: dict,
    q,
    lang: str,
    rules: GuidanceRules | None = None,
):
    """The communication brief for one persona, as a python-docx Document (save it yourself).

    ``persona_set`` is the round's persona-set dict, ``persona`` one of its personas (matched
    by ``key``), ``round_info`` the round's dict (title, min_group, dates, counts), ``q`` the
    parsed questionnaire, ``lang`` "nl" or "en", ``rules`` the guidance rules (shipped ones
    when None). Raises ``ValueError`` for another language or a persona that may not be shown.
    """
    ctx = BriefContext(persona_set, round_info, q, lang, rules)
    _ = ctx._
    persona, advice, w = sections.open_persona_brief(ctx, persona, "communication", with_quotes=True)

    w.heading(_("What drives them and what holds them back"))
    drives_and_holds(ctx, w, persona)

    w.heading(_("Key messages"))
    _key_messages(ctx, w, advice.get("key_messages", []))

    w.heading(_("Tone and language"))
    sections.statement(
        ctx, w, persona, "communication", "detail",
        N_("Preference between why and context (1) and what and how (5): %(figure)s."),
    )
    w.advice_list(advice.get("tone", []))

    _channels_and_frequency(ctx, w, persona, advice)

    w.heading(_("How to involve them"))
    sections.statement(
        ctx, w, persona, "communication", "involvement",
        N_("Wish to be involved (1–5): %(figure)s."),
    )
    w.advice_list(advice.get("involve", []))

    w.heading(_("Questions to expect"))
    _questions(ctx, w, advice.get("questions", []))

    w.heading(_("What to avoid"))
    w.advice_list(advice.get("avoid", []))

    w.heading(_("When the change hits them"))
    sections.situations(ctx, w, persona)
    w.advice_list(advice.get("triggers", []))

    w.heading(_("How to tell the communication works"))
    w.advice_list(advice.get("watch", []))

    w.heading(_("About this brief"))
    sections.about(ctx, w, persona)
    return w.doc


def _channels_and_frequency(
    ctx: BriefContext, w: Writer, persona: dict, advice: dict[str, list[Advice]]
) -> None:
    """Which channels, messengers and frequency the group chose, each with its advice."""
    _ = ctx._
    w.heading(_("Channels and messengers"))
    where = ("communication", "channels", "comm_channels")
    sections.ranked(ctx, w, persona, where, _("Channel"), intro=True)
    where = ("communication", "messenger", "comm_messenger")
    sections.ranked(ctx, w, persona, where, _("Messenger"))
    w.advice_list(advice.get("channels", []))

    w.heading(_("Frequency and timing"))
    where = ("communication", "frequency", "comm_frequency")
    sections.ranked(ctx, w, persona, where, _("Frequency"))
    w.advice_list(advice.get("frequency", []))


def _key_messages(ctx: BriefContext, w: Writer, advices: list[Advice]) -> None:
    """Theme | message table: the aspect named once, above its messages, each with its reason."""
    rows = []
    for aspect in ASPECTS:
        for i, adv in enumerate(a for a in advices if a.aspect == aspect):
            rows.append(
                [
                    ctx._(ASPECT_NAMES[aspect]) if i == 0 else "",
                    [(adv.text, S["table_text"]), (adv.because, S["table_note"])],
                ]
            )
    w.table([ctx._("Theme"), ctx.pgettext("brief", "Message")], rows, [3.6, 13.0])


def _questions(ctx: BriefContext, w: Writer, advices: list[Advice]) -> None:
    """Question | suggested answer table, the answer with its reason."""
    rows = [
        [
            [(a.text, S["table_text"])],
            [(a.answer or "", S["table_text"]), (a.because, S["table_note"])],
        ]
        for a in advices
    ]
    w.table([ctx._("Question"), ctx._("Suggested answer")], rows, [6.6, 10.0])


def drives_and_holds(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """Two lists: constructs where the group is notably better placed than the organisation
    (drives) and notably worse, plus ADKAR stages that are a barrier for a large share
    (holds back). "Notable" and "large" are the guidance settings ``notable_diff`` (scale
    points) and ``barrier_share`` (0–1). Constructs in ``negative_constructs`` count the
    other way round. At most ``MAX_LINES`` constructs per list, furthest first."""
    drives, holds = _construct_lines(ctx, persona)
    holds += _barrier_lines(ctx, persona)
    w.heading(ctx._("What drives them"), 2)
    if drives:
        for line in drives:
            w.bullet(line)
    else:
        _strongest(ctx, w, persona.get("profile") or {})
    w.heading(ctx._("What holds them back"), 2)
    if holds:
        for line in holds:
            w.bullet(line)
    else:
        w.para(
            ctx._(
                "No construct is clearly below the organisation, and no ADKAR stage is a "
                "barrier for a large part of the group."
            )
        )


def _construct_lines(ctx: BriefContext, persona: dict) -> tuple[list[str], list[str]]:
    """(drives, holds): one line per notable construct, by distance from the organisation."""
    notable = float(ctx.rules.settings["notable_diff"])
    negative = ctx.rules.negative_constructs
    drives, holds = [], []
    for cid, entry in (persona.get("profile") or {}).items():
        mean, diff, n = (
            finite_float(entry.get("mean")),
            finite_float(entry.get("diff")),
            as_int(entry.get("n")),
        )
        if mean is None or n is None or n < ctx.min_group:
            continue
        org = ctx.org_mean(cid)
        if diff is None and finite_float(org) is not None:
            diff = mean - float(org)
        if diff is None or abs(diff) < notable:
            continue
        good = (diff > 0) != (cid in negative)
        line = (
            f"{ctx.phrase(cid, diff > 0)} — {construct_name(ctx.q, cid, ctx.lang)}: "
            f"{ctx.figure(mean, org if org is not None else mean - diff, n)}"
        )
        (drives if good else holds).append((abs(diff), line))
    drives = [line for _, line in sorted(drives, key=lambda x: -x[0])][:MAX_LINES]
    holds = [line for _, line in sorted(holds, key=lambda x: -x[0])][:MAX_LINES]
    return drives, holds


def _barrier_lines(ctx: BriefContext, persona: dict) -> list[str]:
    """ADKAR stages scored 3 or lower by at least ``barrier_share`` of the group, largest first."""
    barrier_share = float(ctx.rules.settings["barrier_share"])
    barriers = []
    for entry in ctx.adkar(persona):
        share = finite_float(entry.get("barrier_share"))
        if share is not None and share >= barrier_share:
            line = ctx._(
                "%(stage)s: %(share)s score 3 or lower (n = %(n)s)",
                stage=construct_name(ctx.q, entry["stage"], ctx.lang),
                share=percent(share, ctx.lang),
                n=ctx.count(entry.get("n")),
            )
            barriers.append((share, line))
    return [line for _, line in sorted(barriers, key=lambda x: -x[0])]


def _strongest(ctx: BriefContext, w: Writer, profile: dict) -> None:
    """Without a clear driver: name the highest-scoring construct that is not a negative one."""
    negative = ctx.rules.negative_constructs
    best = max(
        (
            (cid, e)
            for cid, e in profile.items()
            if finite_float(e.get("mean")) is not None
            and (as_int(e.get("n")) or 0) >= ctx.min_group
            and cid not in negative
        ),
        key=lambda x: x[1]["mean"],
        default=None,
    )
    if best:
        w.para(
            ctx._(
                "No construct is clearly above the organisation. The highest score: "
                "%(construct)s (%(figure)s).",
                construct=construct_name(ctx.q, best[0], ctx.lang),
                figure=ctx.figure(best[1]["mean"], ctx.org_mean(best[0]), best[1].get("n")),
            )
        )
