"""The communication brief: for the change manager who writes to one persona.

After the shared opening (sections.open_persona_brief) it shows what drives and holds the
group back, key messages by aspect (why, what, how, what is in it for me), tone, channels and
messengers, frequency, involvement, questions to expect with suggested answers, what to
avoid, the moments the change hits them, how to tell it works, and "about this brief".
"""

from __future__ import annotations

from toolkit.briefs import card, open_themes, sections
from toolkit.briefs.context import BriefContext
from toolkit.briefs.conversations import conversations
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import ASPECTS, Advice, GuidanceRules, percent
from toolkit.core.messages import N_

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
    open_themes.section(ctx, w, persona, "communication", timing=False)

    w.heading(_("Key messages"))
    _key_messages(ctx, w, advice.get("key_messages", []))

    if ctx.measured.role("comm_detail"):
        w.heading(_("Tone and language"))
        sections.statement(
            ctx, w, persona, "communication", "detail",
            N_("Preference between why and context (1) and what and how (5): %(figure)s."),
        )
        w.advice_list(advice.get("tone", []))

    _channels_and_frequency(ctx, w, persona, advice)

    if ctx.measured.role("comm_involvement"):
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

    _when_it_hits_them(ctx, w, persona, advice)

    w.heading(_("How to tell the communication works"))
    w.advice_list(advice.get("watch", []))

    conversations(ctx, w, persona)  # what was heard in conversations: apart from every figure
    w.heading(_("About this brief"))
    sections.about(ctx, w, persona)
    return w.doc


def _when_it_hits_them(ctx: BriefContext, w: Writer, persona: dict, advice: dict[str, list[Advice]]) -> None:
    """The moments the change hits the group: the recurring ones in their open answers with
    counts (toolkit.briefs.open_themes), those they describe in their own words, the advice."""
    w.heading(ctx._("When the change hits them"))
    open_themes.moments(ctx, w, persona, "communication")
    sections.situations(ctx, w, persona)
    w.advice_list(advice.get("triggers", []))


def _channels_and_frequency(
    ctx: BriefContext, w: Writer, persona: dict, advice: dict[str, list[Advice]]
) -> None:
    """Which channels, messengers and frequency the group chose, each with its advice; a
    part the questionnaire did not ask about is left out, heading and advice included."""
    _ = ctx._
    if ctx.measured.any_role("comm_channels", "comm_messenger"):
        w.heading(_("Channels and messengers"))
        sections.ranked(ctx, w, persona, ("communication", "channels", "comm_channels"), _("Channel"))
        sections.ranked(ctx, w, persona, ("communication", "messenger", "comm_messenger"), _("Messenger"))
        w.advice_list(advice.get("channels", []))
    if ctx.measured.role("comm_frequency"):
        w.heading(_("Frequency and timing"))
        sections.ranked(ctx, w, persona, ("communication", "frequency", "comm_frequency"), _("Frequency"))
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
    w.table([ctx._("Theme"), ctx.pgettext("brief", "Message")], rows)


def _questions(ctx: BriefContext, w: Writer, advices: list[Advice]) -> None:
    """Question | suggested answer table, the answer with its reason."""
    rows = [
        [
            [(a.text, S["table_text"])],
            [(a.answer or "", S["table_text"]), (a.because, S["table_note"])],
        ]
        for a in advices
    ]
    w.table([ctx._("Question"), ctx._("Suggested answer")], rows)


def drives_and_holds(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """What drives the group, what holds it back, and what to handle with care.

    Read after self-determination theory (Ryan & Deci 2000): constructs notably on the
    favourable side of the organisation drive (autonomous motivation, readiness); notably on
    the unfavourable side hold back (amotivation, low readiness), together with ADKAR stages
    that are a barrier for a large share (when the questionnaire has them). Controlled
    motivation (inner pressure, approval, pay) is neither: high, it is listed under "handle
    with care"; low, it is not a brake and is not listed. "Notable" and "large" are the
    guidance settings ``notable_diff`` (scale points) and ``barrier_share`` (0–1).
    """
    drives, holds, care = card.drives_holds_care(ctx, persona)
    holds = [str(line) for line in holds] + card.barrier_lines(ctx, persona)
    w.heading(ctx._("What drives them"), 2)
    for line in drives:
        w.bullet(str(line))
    if not drives:
        strongest = card.strongest_line(ctx, persona)
        if strongest:
            w.para(strongest)
    w.heading(ctx._("What holds them back"), 2)
    for line in holds[:card.MAX_LINES]:
        w.bullet(line)
    if not holds:
        w.para(ctx._("No construct is clearly on the unfavourable side of the organisation."))
        if ctx.measured.adkar:
            w.para(
                ctx._(
                    "On every ADKAR stage fewer than %(share)s of this group score 3 or lower.",
                    share=percent(float(ctx.rules.settings["barrier_share"]), ctx.lang),
                )
            )
    if care:
        w.heading(ctx._("Handle with care"), 2)
        for line in care:
            w.bullet(str(line))
