"""Sections every persona brief shares: the opening pages, ranked answers, a one-figure
statement, the moments people describe, and "about this brief".

Each function writes into a ``Writer`` from what a ``BriefContext`` knows; none decides
advice (that is the guidance rules' job) or privacy (toolkit.core.privacy's).
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs.card import persona_card
from toolkit.briefs.charts import profile_chart
from toolkit.briefs.context import BriefContext, as_int, stability_figure
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import Advice, by_section, construct_name, mid_sentence, percent
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float


def open_persona_brief(
    ctx: BriefContext, persona: dict, audience: str, *, with_quotes: bool
) -> tuple[dict, dict[str, list[Advice]], Writer]:
    """The persona card (page 1) and "who is this": how every persona brief begins.

    ``audience`` is "communication" or "training". Returns the privacy-trimmed persona, its
    advice by section and the writer to go on with. Raises ``ValueError`` (from
    ``ctx.shown``) for a persona that may not be shown.
    """
    persona = ctx.shown(persona)
    advices = ctx.advice(persona, audience)
    w = ctx.writer(audience, persona)
    persona_card(ctx, w, persona, audience)
    w.heading(ctx._("Who is %(name)s?", name=ctx.name(persona)))
    who(ctx, w, persona, with_quotes=with_quotes)
    return persona, by_section(advices), w


def who(ctx: BriefContext, w: Writer, persona: dict, *, with_quotes: bool) -> None:
    """The persona in words, its profile chart and (``with_quotes``) up to three quotes."""
    w.para(narrative(ctx, persona), S["lead"], multi_line=True)
    w.picture(
        profile_chart(persona, ctx.overall, ctx.q, ctx.lang),
        ctx._(
            "Figure: %(name)s's mean score (dot) against the organisation (bar), per construct "
            "on a scale of 1 to 5.",
            name=ctx.name(persona),
        ),
        ctx._("Profile of %(name)s against the organisation", name=ctx.name(persona)),
    )
    if not (with_quotes and ctx.measured.open_answers):
        return
    quotes = ctx.verbatim(persona, "quotes")[:3]
    if quotes:
        w.para(ctx._("In their own words:"), "Normal")
        for quote in quotes:
            w.quote(quote)
    elif (persona.get("size") or 0) < ctx.min_quote:
        w.para(
            ctx._(
                "Quotes and own words are shown only for groups of at least %(min_quote)s people.",
                min_quote=ctx.min_quote,
            ),
            S["small"],
        )


def narrative(ctx: BriefContext, persona: dict) -> str:
    """The persona's own narrative in this language, else one written from its figures: size
    and share, up to three constructs where it differs from the organisation, overall level.
    Every sentence has its subject ("this group scores higher on …")."""
    own = persona.get("narrative")
    if isinstance(own, Mapping):
        own = own.get(ctx.lang)
    if isinstance(own, str) and own.strip():
        return clean_text(own, single_line=False)
    parts = [
        ctx._(
            "%(name)s stands for %(size)s people, %(share)s of the respondents analysed.",
            name=ctx.name(persona),
            size=ctx.count(persona.get("size")),
            share=ctx.share_of_used(persona),
        )
    ]
    higher, lower = _distinguishing(ctx, persona)
    if higher and lower:
        parts.append(
            ctx._(
                "Compared with the organisation as a whole, this group scores higher on "
                "%(higher)s and lower on %(lower)s.",
                higher=ctx.join(higher),
                lower=ctx.join(lower),
            )
        )
    elif higher or lower:
        message = (
            N_("Compared with the organisation as a whole, this group scores higher on %(constructs)s.")
            if higher
            else N_("Compared with the organisation as a whole, this group scores lower on %(constructs)s.")
        )
        parts.append(ctx._(message, constructs=ctx.join(higher or lower)))
    else:
        parts.append(ctx._("This group's profile is close to that of the organisation as a whole."))
    if finite_float(persona.get("level")) is not None and finite_float(ctx.overall.get("level")) is not None:
        parts.append(
            ctx._(
                "The overall level of this group is %(level)s, against %(org_level)s in the "
                "organisation.",
                level=ctx.num(persona.get("level")),
                org_level=ctx.num(ctx.overall.get("level")),
            )
        )
    return " ".join(parts)


def _distinguishing(ctx: BriefContext, persona: dict) -> tuple[list[str], list[str]]:
    """(higher, lower): up to three distinguishing constructs as "name (figure)"."""
    higher, lower = [], []
    for entry in (persona.get("distinguishing") or [])[:3]:
        if (as_int(entry.get("n")) or 0) < ctx.min_group or not entry.get("construct"):
            continue
        name = mid_sentence(construct_name(ctx.q, entry["construct"], ctx.lang))
        figure = ctx.figure(entry.get("mean"), entry.get("org_mean"), entry.get("n"), persona.get("size"))
        high = entry.get("direction") == "high" or (finite_float(entry.get("diff")) or 0) > 0
        (higher if high else lower).append(f"{name} ({figure})")
    return higher, lower


def ranked(ctx: BriefContext, w: Writer, persona: dict, where: tuple[str, str, str], column: str) -> None:
    """A table of the options the persona's members chose, most chosen first, with how many
    answered the question (the base of every share) above it.

    ``where`` is (description section, key, questionnaire role), e.g. ("communication",
    "channels", "comm_channels"); ``column`` the translated heading of the option column.
    Nothing at all when the questionnaire did not ask the question; a sentence when no
    option rests on the minimum group.
    """
    section, key, role = where
    if not ctx.measured.role(role):
        return
    entries = ctx.options(persona, section, key)
    if not entries:
        w.para(f"{column}: {no_data(ctx)}", S["small"])
        return
    base = ctx.option_base(entries)
    if base is not None:
        multi = _is_multi(ctx, role)
        message = (
            N_("%(base)s of the %(size)s people in this group answered; several answers were possible.")
            if multi
            else N_("%(base)s of the %(size)s people in this group answered.")
        )
        w.para(ctx._(message, base=ctx.count(base), size=ctx.count(persona.get("size"))), S["table_intro"])
    rows = []
    for i, e in enumerate(entries, start=1):
        share = finite_float(e.get("share"))
        rows.append(
            [
                str(i),
                ctx.option_text(role, e.get("value")),
                ctx.count(e.get("n")),
                percent(share, ctx.lang) if share is not None else UNKNOWN,
            ]
        )
    w.table(["#", column, ctx._("Chosen by"), ctx._("Share")], rows)


def _is_multi(ctx: BriefContext, role: str) -> bool:
    items = ctx.q.items_with_role(role) if ctx.q is not None and hasattr(ctx.q, "items_with_role") else []
    return any(getattr(i, "type", None) == "multi" for i in items)


def statement(
    ctx: BriefContext, w: Writer, persona: dict, section: str, key: str, message: str
) -> None:
    """One preference figure, ``description[section][key]``, as a sentence: ``message`` is an
    ``N_``-marked message id with a ``%(figure)s`` placeholder. Says there are no data when
    the figure rests on fewer than the minimum group."""
    entry = ((persona.get("description") or {}).get(section) or {}).get(key)
    if (
        isinstance(entry, Mapping)
        and (as_int(entry.get("n")) or 0) >= ctx.min_group
        and finite_float(entry.get("mean")) is not None
    ):
        figure = ctx.figure(entry.get("mean"), entry.get("org_mean"), entry.get("n"), persona.get("size"))
        w.para(ctx._(message, figure=figure), S["lead"])
    else:
        w.para(no_data(ctx), S["small"])


def situations(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """Up to three moments the members describe themselves, under their own subheading, and
    an "Advice" subheading for what follows; nothing when there are none to show."""
    moments = ctx.verbatim(persona, "situations")[:3]
    if moments:
        w.heading(ctx._("Moments they describe themselves"), 2)
        for text in moments:
            w.quote(text)
        w.heading(ctx._("Advice"), 2)


def about(ctx: BriefContext, w: Writer, persona: dict) -> None:
    """What the brief rests on, how to read the scores, what privacy left out."""
    _ = ctx._
    w.para(
        _(
            "This brief was made from the answers of %(n)s people in round ‘%(round)s’. Under "
            "every piece of advice it says why it is given: the construct, the figure and the "
            "number of people (n) behind it. ‘General advice’ does not rest on a particular "
            "signal in the data.",
            n=ctx.count(persona.get("size")),
            round=ctx.round_title(),
        )
    )
    w.para(
        _(
            "Scores run from 1 (low) to 5 (high). ‘Against the organisation’ compares with the "
            "mean of all respondents analysed."
        )
    )
    w.para(privacy_note(ctx))
    suppressed = (persona.get("description") or {}).get("suppressed") or []
    if suppressed:
        w.para(
            _(
                "For this persona %(count)s breakdowns were left out because they would rest on "
                "too few people.",
                count=len(suppressed),
            )
        )
    if persona.get("stability_band") == "indicative":
        w.para(
            _(
                "Note: this persona is indicative (stability %(value)s). Treat the picture as a "
                "working hypothesis and test it in conversations.",
                value=stability_figure(finite_float(persona.get("stability")) or 0.0, ctx.lang),
            ),
            S["callout"],
        )


def privacy_note(ctx: BriefContext) -> str:
    """Which groups are never shown and (when the questionnaire has open questions) from
    which size own words are quoted."""
    if not ctx.measured.open_answers:
        return ctx._(
            "Groups and answer categories with fewer than %(min_group)s people are never shown.",
            min_group=ctx.min_group,
        )
    return ctx._(
        "Groups and answer categories with fewer than %(min_group)s people are never shown; own "
        "words only for groups of at least %(min_quote)s people.",
        min_group=ctx.min_group,
        min_quote=ctx.min_quote,
    )


def no_data(ctx: BriefContext) -> str:
    """Says a figure is missing or rests on fewer people than the minimum group."""
    return ctx._(
        "No data, or fewer than %(min_group)s people answered this.", min_group=ctx.min_group
    )
