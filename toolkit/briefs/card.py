"""Page 1 of every persona brief: the persona card.

One page a reader can act on without reading further: the name and one-line label, size and
stability (with its band), the three traits that set the persona apart, its worries and
wishes (from the scores and, for groups large enough to quote, its own words), the channel
and messenger it prefers, do's and don'ts (the strongest advice, each with its reason), and
one drafted key sentence. Every figure says what its n counts and of how many.

A row the questionnaire gave no basis for is left out (no channels without a channel
question, no quotes without open questions).
"""

from __future__ import annotations

import datetime as dt

from toolkit.briefs import house
from toolkit.briefs.context import KINDS, BriefContext, as_int
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import N_
from toolkit.briefs.writer import Cell, Writer
from toolkit.core.guidance import Advice, construct_name, mid_sentence, percent, top_advice
from toolkit.core.numbers import finite_float

MAX_DOS, MAX_DONTS, MAX_QUOTES = 3, 2, 2
CONTROLLED = ("introjected", "external_social", "external_material")  # neither drive nor brake


def persona_card(ctx: BriefContext, w: Writer, persona: dict, audience: str) -> None:
    """Write the card of ``persona`` (privacy-trimmed) as page 1, then a page break.
    ``audience`` ("communication" or "training") names the brief in the kicker."""
    _ = ctx._
    w.cover(_(KINDS[audience]), ctx.name(persona), ctx.label(persona), [], None)
    meta = [ctx.round_title()]
    if ctx.round_info.get("organisation"):
        meta.append(clean_text(ctx.round_info["organisation"]))
    meta.append(_("produced on %(date)s", date=ctx.date(dt.date.today())))
    w.para(" · ".join(meta), S["cover_meta"])
    w.rich(
        [(_("Key sentence:") + " ", S["figure_char"]), (house.key_sentence(ctx, persona), None)],
        S["key_sentence"],
    )
    w.card(card_rows(ctx, persona))  # the confidentiality notice is page 1's footer
    w.page_break()


def card_rows(ctx: BriefContext, persona: dict) -> list[tuple[str, Cell]]:
    """The card's (label, content) rows, leaving out what the questionnaire did not ask."""
    _ = ctx._
    rows: list[tuple[str, Cell]] = [(_("Size and stability"), size_line(ctx, persona))]
    rows.append((_("What sets them apart"), _bullets(traits(ctx, persona))))
    rows.append((_("Worries"), _bullets(worries(ctx, persona))))
    wishes_ = wishes(ctx, persona)
    if wishes_:
        rows.append((_("Wishes"), _bullets(wishes_)))
    if ctx.measured.open_answers:
        rows.append((_("In their own words"), own_words(ctx, persona)))
    if ctx.measured.any_role("comm_channels", "comm_messenger"):
        rows.append((_("Channel and messenger"), channel_line(ctx, persona)))
    advices = ctx.advice(persona, "communication")
    rows.append((_("Do"), _advice_cell(dos(advices))))
    donts_ = donts(advices)
    if donts_:
        rows.append((_("Don't"), _advice_cell(donts_)))
    return rows


def size_line(ctx: BriefContext, persona: dict) -> str:
    """"96 people · 40% of the 240 respondents analysed · stable (0.98)"."""
    used = as_int(ctx.persona_set.get("n_used"))
    share = ctx._(
        "%(share)s of the %(used)s respondents analysed",
        share=ctx.share_of_used(persona),
        used=ctx.count(used),
    )
    people = ctx._("%(size)s people", size=ctx.count(persona.get("size")))
    return " · ".join([people, share, ctx.stability(persona)])


def traits(ctx: BriefContext, persona: dict) -> list[str]:
    """The three constructs on which the persona departs most from the organisation, each in
    the questionnaire's words with its figure."""
    lines = []
    for entry in (persona.get("distinguishing") or [])[:3]:
        if (as_int(entry.get("n")) or 0) < ctx.min_group or not entry.get("construct"):
            continue
        high = entry.get("direction") == "high" or (finite_float(entry.get("diff")) or 0) > 0
        lines.append(_trait_line(ctx, persona, entry["construct"], high, entry))
    return lines


def _trait_line(ctx: BriefContext, persona: dict, construct: str, high: bool, entry) -> str:
    phrase = ctx.phrase(construct, high)
    phrase = phrase[:1].upper() + phrase[1:]
    figure = ctx.figure(entry.get("mean"), ctx.org_mean(construct), entry.get("n"), persona.get("size"))
    return f"{phrase} — {figure}"


def worries(ctx: BriefContext, persona: dict) -> list[str]:
    """What holds the persona back, from its scores: constructs notably on the unfavourable
    side (controlled motivation is neither), not already a trait; then ADKAR stages that
    are a barrier for a large share. At most three; one sentence when there are none."""
    notable = float(ctx.rules.settings["notable_diff"])
    shown = {e.get("construct") for e in (persona.get("distinguishing") or [])[:3]}
    found = []
    for cid, entry in (persona.get("profile") or {}).items():
        diff, n = finite_float(entry.get("diff")), as_int(entry.get("n"))
        if diff is None or n is None or n < ctx.min_group or cid in CONTROLLED or cid in shown:
            continue
        unfavourable = diff > 0 if cid in ctx.rules.negative_constructs else diff < 0
        if unfavourable and abs(diff) >= notable:
            found.append((abs(diff), _trait_line(ctx, persona, cid, diff > 0, entry)))
    lines = [line for _, line in sorted(found, key=lambda x: -x[0])]
    lines += barrier_lines(ctx, persona)
    if not lines:
        return [ctx._("No score is clearly on the unfavourable side of the organisation.")]
    return lines[:3]


def barrier_lines(ctx: BriefContext, persona: dict) -> list[str]:
    """ADKAR stages scored 3 or lower by at least ``barrier_share`` of the group, largest
    first; empty when the questionnaire has no ADKAR self-check."""
    if not ctx.measured.adkar:
        return []
    limit = float(ctx.rules.settings["barrier_share"])
    found = []
    for entry in ctx.adkar(persona):
        share = finite_float(entry.get("barrier_share"))
        if share is not None and share >= limit:
            line = ctx._(
                "%(stage)s is a barrier: %(share)s score 3 or lower (%(counted)s)",
                stage=construct_name(ctx.q, entry["stage"], ctx.lang),
                share=percent(share, ctx.lang),
                counted=ctx.counted(entry.get("n"), persona.get("size")),
            )
            found.append((share, line))
    return [line for _, line in sorted(found, key=lambda x: -x[0])]


def wishes(ctx: BriefContext, persona: dict) -> list[str]:
    """What the persona asks for, from the preference questions it answered: detail,
    involvement, frequency, learning format and time (each only when asked)."""
    lines = []
    detail = _preference(ctx, persona, "communication", "detail")
    if detail:
        mean, figure = detail
        key = (
            N_("Wants the what and the how, concretely")
            if mean >= 3.5
            else N_("Wants the why and the context first")
            if mean <= 2.5
            else N_("Wants both the why and the how")
        )
        lines.append(ctx._("%(wish)s (%(figure)s)", wish=ctx._(key), figure=figure))
    involvement = _preference(ctx, persona, "communication", "involvement")
    if involvement and (involvement[0] >= 3.5 or involvement[0] <= 2.5):
        key = (
            N_("Wants a say in how it is done")
            if involvement[0] >= 3.5
            else N_("Wants to be informed well rather than to co-decide")
        )
        lines.append(ctx._("%(wish)s (%(figure)s)", wish=ctx._(key), figure=involvement[1]))
    for section, key, role, message in (
        ("communication", "frequency", "comm_frequency", N_("Updates: %(option)s (%(chosen)s)")),
        ("learning", "format", "learn_format", N_("Learns best: %(option)s (%(chosen)s)")),
        (
            "learning",
            "time",
            "learn_time",
            N_("Time for learning per week: %(option)s (%(chosen)s)"),
        ),
    ):
        line = _top_choice(ctx, persona, (section, key, role), message)
        if line:
            lines.append(line)
    return lines[:3]


def _preference(ctx: BriefContext, persona: dict, section: str, key: str):
    entry = ((persona.get("description") or {}).get(section) or {}).get(key)
    if not isinstance(entry, dict) or (as_int(entry.get("n")) or 0) < ctx.min_group:
        return None
    mean = finite_float(entry.get("mean"))
    if mean is None:
        return None
    return mean, ctx.figure(mean, entry.get("org_mean"), entry.get("n"), persona.get("size"))


def _top_choice(ctx: BriefContext, persona: dict, where, message: str) -> str:
    section, key, role = where
    tied = ctx.top_options(persona, section, key)
    if not tied:
        return ""
    base = ctx.option_base(ctx.options(persona, section, key))
    labels = [ctx.option_text(role, e.get("value")) for e in tied]
    option = ctx.join(labels[:1] + [mid_sentence(label) for label in labels[1:]])
    chosen = ctx.chosen(tied[0], base)
    if len(tied) > 1:
        chosen = ctx._("a tie: each %(chosen)s", chosen=chosen)
    return ctx._(message, option=option, chosen=chosen)


def channel_line(ctx: BriefContext, persona: dict) -> Cell:
    """The preferred channel and messenger, ties stated, each with how many chose it of how
    many answered."""
    parts = []
    for where, message in (
        (("communication", "channels", "comm_channels"), N_("Channel: %(option)s (%(chosen)s)")),
        (
            ("communication", "messenger", "comm_messenger"),
            N_("Messenger: %(option)s (%(chosen)s)"),
        ),
    ):
        line = _top_choice(ctx, persona, where, message)
        if line:
            parts.append((line, S["card_text"]))
    return parts or ctx._("No option was chosen by at least %(min_group)s people.", min_group=ctx.min_group)


def own_words(ctx: BriefContext, persona: dict) -> Cell:
    """Up to two quotes (what would help, what worries them); a note when the group is too
    small to quote."""
    quotes = ctx.verbatim(persona, "quotes")[:MAX_QUOTES]
    if not quotes:
        return ctx._(
            "Own words are shown only for groups of at least %(min_quote)s people.",
            min_quote=ctx.min_quote,
        )
    return [(f"“{q}”", S["card_text"]) for q in quotes]


def dos(advices: list[Advice]) -> list[Advice]:
    """The strongest communication advice, one per section: the most important first, then
    data-backed advice in brief order (no likely questions, nothing to avoid)."""
    pool = [a for a in advices if a.section not in ("questions", "avoid", "watch")]
    top = top_advice(pool, "communication")
    ordered = ([top] if top else []) + [a for a in pool if a.evidence] + [a for a in pool if not a.evidence]
    picked, sections = [], set()
    for advice in ordered:
        if advice.section in sections or advice in picked:
            continue
        picked.append(advice)
        sections.add(advice.section)
        if len(picked) == MAX_DOS:
            break
    return picked


def donts(advices: list[Advice]) -> list[Advice]:
    """What to avoid, data-backed advice first, at most ``MAX_DONTS``."""
    avoid = [a for a in advices if a.section == "avoid"]
    return ([a for a in avoid if a.evidence] + [a for a in avoid if not a.evidence])[:MAX_DONTS]


def _advice_cell(advices: list[Advice]) -> Cell:
    """Each advice as a bullet with its reason below; advice in a row that share one reason
    get it once, after the last of them, so the card keeps to one page."""
    cell: list[tuple[str, str]] = []
    for i, advice in enumerate(advices):
        cell.append((advice.text, S["card_bullet"]))
        following = advices[i + 1] if i + 1 < len(advices) else None
        if following is None or following.because != advice.because:
            cell.append((advice.because, S["table_note"]))
    return cell or "–"


def _bullets(lines: list[str]) -> Cell:
    return [(line, S["card_bullet"]) for line in lines] or "–"
