"""Page 1 of every persona brief: the persona card.

One page a reader can act on without reading further: the name and one-line label, size and
stability (with its band), the three traits that set the persona apart, its worries and
wishes (from the scores and, for groups large enough to quote, its own words), the channel
and messenger it prefers, do's and don'ts (the strongest advice, each with its reason), and
one drafted key sentence. Every figure says what its n counts and of how many.

A row the questionnaire gave no basis for is left out (no channels without a channel
question, no quotes without open questions).

What the card says is worked out once, in plain text, by :func:`card_content`: the Word card
below and the web's persona card and slides (toolkit.services.cards) all show that one
:class:`CardContent`, so a persona reads the same on paper, on screen and on a slide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toolkit.briefs import house
from toolkit.briefs.context import INDICATIVE, KINDS, STABLE, BriefContext, as_int, stability_figure
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.writer import Cell, Writer
from toolkit.core.guidance import Advice, construct_name, mid_sentence, percent, top_advice
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float

MAX_DOS, MAX_DONTS, MAX_QUOTES = 3, 2, 2
CONTROLLED = ("introjected", "external_social", "external_material")  # neither drive nor brake
CHANNEL = N_("Channel: %(option)s (%(chosen)s)")
MESSENGER = N_("Messenger: %(option)s (%(chosen)s)")
MAX_LINES = 5  # drivers / hold-backs listed per persona (the strongest first)
CARE = N_(
    "%(line)s. This pushes in the short run but does not carry a change: use clear agreements "
    "and recognition, never pressure or guilt."
)


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


@dataclass(frozen=True)
class CardLine:
    """One statement on the card: ``text`` in words ("Sees little reason to make an effort"),
    ``figure`` the evidence behind it ("Amotivation: 3.9 vs 1.9 in the organisation; n = 29 of
    29 people"), '' when the text carries its own figure. ``str()`` joins them with a dash."""

    text: str
    figure: str = ""

    def __str__(self) -> str:
        """The text and its figure joined with a dash, or the text alone."""
        return f"{self.text} — {self.figure}" if self.figure else self.text


@dataclass(frozen=True)
class CardContent:
    """Everything the persona card says, as plain text in the context's language.

    ``people`` ("96 people"), ``share`` ("40% of the 240 respondents analysed"),
    ``stability`` ("stable (0.98)", never rounded across a band), ``stability_band`` (stable,
    indicative, unstable or '') and ``stability_note`` (what the figure means, one sentence).
    ``traits`` and ``worries`` are the Word card's rows; ``drivers``, ``brakes`` and ``care``
    (controlled motivation: handle with care) the reading of the communication brief, with
    ``no_drivers`` the sentence shown when nothing drives the group more than the organisation.
    ``quotes`` are own words, only for groups large enough to quote (toolkit.core.privacy).
    ``channel`` and ``messenger`` are '' when the questionnaire did not ask; ``asks`` lists
    what it asked of "channels", "messenger" and "open". ``dos`` and ``donts`` are the
    guidance's communication advice, each with its reason (``Advice.because``).
    """

    key: str
    name: str
    label: str
    key_sentence: str
    people: str
    share: str
    stability: str
    stability_band: str
    stability_note: str
    traits: tuple[str, ...]
    worries: tuple[str, ...]
    drivers: tuple[CardLine, ...]
    no_drivers: str
    brakes: tuple[CardLine, ...]
    care: tuple[CardLine, ...]
    wishes: tuple[str, ...]
    quotes: tuple[str, ...]
    quote_note: str
    channel: str
    messenger: str
    no_choice: str
    asks: frozenset[str]
    dos: tuple[Advice, ...]
    donts: tuple[Advice, ...]


def card_content(ctx: BriefContext, persona: dict) -> CardContent:
    """What the card of ``persona`` says (see :class:`CardContent`). ``persona`` is looked up
    in the privacy-trimmed set first, so ``ValueError`` for one that may not be shown. Worked
    out once per persona for the documents of one run (``BriefContext.remembered``)."""
    persona = ctx.shown(persona)
    return ctx.remembered(("card", persona.get("key"), id(persona)), lambda: _card_content(ctx, persona))


def _card_content(ctx: BriefContext, persona: dict) -> CardContent:
    drives, holds, care = drives_holds_care(ctx, persona)
    asks = {"channels": ctx.measured.role("comm_channels"),
            "messenger": ctx.measured.role("comm_messenger"), "open": ctx.measured.open_answers}
    channel = _top_choice(ctx, persona, ("communication", "channels", "comm_channels"), CHANNEL)
    messenger = _top_choice(ctx, persona, ("communication", "messenger", "comm_messenger"), MESSENGER)
    advices = ctx.advice(persona, "communication")
    band = persona.get("stability_band")
    return CardContent(
        key=str(persona.get("key")), name=ctx.name(persona), label=ctx.label(persona),
        key_sentence=house.key_sentence(ctx, persona),
        people=ctx._("%(size)s people", size=ctx.count(persona.get("size"))),
        share=_share_text(ctx, persona), stability=ctx.stability(persona),
        stability_band=band if isinstance(band, str) else "", stability_note=stability_note(ctx),
        traits=tuple(traits(ctx, persona)), worries=tuple(worries(ctx, persona)),
        drivers=tuple(drives[:3]), no_drivers="" if drives else strongest_line(ctx, persona),
        brakes=tuple((holds + [CardLine(b) for b in barrier_lines(ctx, persona)])[:3]),
        care=tuple(care), wishes=tuple(wishes(ctx, persona)),
        quotes=tuple(ctx.verbatim(persona, "quotes")[:MAX_QUOTES]),
        quote_note=ctx._("Own words are shown only for groups of at least %(min_quote)s people.",
                         min_quote=ctx.min_quote),
        channel=channel if asks["channels"] else "", messenger=messenger if asks["messenger"] else "",
        no_choice=ctx._("No option was chosen by at least %(min_group)s people.", min_group=ctx.min_group),
        asks=frozenset(k for k, v in asks.items() if v),
        dos=tuple(dos(advices)), donts=tuple(donts(advices)),
    )


def card_rows(ctx: BriefContext, persona: dict) -> list[tuple[str, Cell]]:
    """The Word card's (label, content) rows, from :func:`card_content`, leaving out what the
    questionnaire did not ask."""
    _ = ctx._
    c = card_content(ctx, persona)
    rows: list[tuple[str, Cell]] = [(_("Size and stability"), " · ".join([c.people, c.share, c.stability]))]
    rows.append((_("What sets them apart"), _bullets(list(c.traits))))
    rows.append((_("Worries"), _bullets(list(c.worries))))
    if c.wishes:
        rows.append((_("Wishes"), _bullets(list(c.wishes))))
    if "open" in c.asks:
        quotes: Cell = [(f"“{q}”", S["card_text"]) for q in c.quotes]
        rows.append((_("In their own words"), quotes or c.quote_note))
    if c.asks & {"channels", "messenger"}:
        parts: Cell = [(line, S["card_text"]) for line in (c.channel, c.messenger) if line]
        rows.append((_("Channel and messenger"), parts or c.no_choice))
    rows.append((_("Do"), _advice_cell(list(c.dos))))
    if c.donts:
        rows.append((_("Don't"), _advice_cell(list(c.donts))))
    return rows


def stability_note(ctx: BriefContext) -> str:
    """What a stability figure means, in one sentence with the band thresholds (Hennig 2007)."""
    return ctx._(
        "Stability: how often this group comes back when the analysis is repeated on "
        "resampled answers (0 to 1). From %(stable)s it is stable, from %(indicative)s "
        "indicative; below that it is not shown as a persona.",
        stable=stability_figure(STABLE, ctx.lang), indicative=stability_figure(INDICATIVE, ctx.lang),
    )


def _share_text(ctx: BriefContext, persona: dict) -> str:
    used = as_int(ctx.persona_set.get("n_used"))
    return ctx._(
        "%(share)s of the %(used)s respondents analysed",
        share=ctx.share_of_used(persona),
        used=ctx.count(used),
    )


def size_line(ctx: BriefContext, persona: dict) -> str:
    """"96 people · 40% of the 240 respondents analysed · stable (0.98)"."""
    people = ctx._("%(size)s people", size=ctx.count(persona.get("size")))
    return " · ".join([people, _share_text(ctx, persona), ctx.stability(persona)])


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


def drives_holds_care(
    ctx: BriefContext, persona: dict
) -> tuple[list[CardLine], list[CardLine], list[CardLine]]:
    """(drives, holds, care) of ``persona``: one line per construct notably far from the
    organisation (``notable_diff`` scale points), furthest first, at most ``MAX_LINES`` each.

    Read after self-determination theory (Ryan & Deci 2000): notably on the favourable side a
    construct drives (autonomous motivation, readiness), on the unfavourable side it holds back
    (amotivation and the guidance's other ``negative_constructs`` when high, readiness when
    low). Controlled motivation is neither: high, it is to be handled with care; low, nothing.
    """
    notable = float(ctx.rules.settings["notable_diff"])
    lists: dict[str, list[tuple[float, CardLine]]] = {"drives": [], "holds": [], "care": []}
    for cid, entry in (persona.get("profile") or {}).items():
        mean, diff, n = finite_float(entry.get("mean")), finite_float(entry.get("diff")), as_int(entry.get("n"))
        if mean is None or n is None or n < ctx.min_group:
            continue
        org = ctx.org_mean(cid)
        if diff is None and finite_float(org) is not None:
            diff = mean - float(org)
        if diff is None or abs(diff) < notable:
            continue
        phrase = ctx.phrase(cid, diff > 0)
        line = CardLine(
            f"{phrase[:1].upper()}{phrase[1:]}",
            f"{construct_name(ctx.q, cid, ctx.lang)}: "
            f"{ctx.figure(mean, org if org is not None else mean - diff, n, persona.get('size'))}",
        )
        if cid in CONTROLLED:
            if diff > 0:
                lists["care"].append((abs(diff), CardLine(ctx._(CARE, line=str(line)))))
            continue
        good = (diff > 0) != (cid in ctx.rules.negative_constructs)
        lists["drives" if good else "holds"].append((abs(diff), line))
    drives, holds, care = (
        [line for _, line in sorted(lists[k], key=lambda x: -x[0])][:MAX_LINES]
        for k in ("drives", "holds", "care")
    )
    return drives, holds, care


def strongest_line(ctx: BriefContext, persona: dict) -> str:
    """Without a clear driver: the highest-scoring favourable construct (not a negative one,
    not controlled motivation) in a sentence with its figure; '' when there is none."""
    negative = ctx.rules.negative_constructs
    best = max(
        (
            (cid, e)
            for cid, e in (persona.get("profile") or {}).items()
            if finite_float(e.get("mean")) is not None
            and (as_int(e.get("n")) or 0) >= ctx.min_group
            and cid not in negative
            and cid not in CONTROLLED
        ),
        key=lambda x: x[1]["mean"],
        default=None,
    )
    if best is None:
        return ""
    return ctx._(
        "No construct is clearly above the organisation. The highest score: "
        "%(construct)s (%(figure)s).",
        construct=construct_name(ctx.q, best[0], ctx.lang),
        figure=ctx.figure(best[1]["mean"], ctx.org_mean(best[0]), best[1].get("n"), persona.get("size")),
    )


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
        (("communication", "channels", "comm_channels"), CHANNEL),
        (("communication", "messenger", "comm_messenger"), MESSENGER),
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
