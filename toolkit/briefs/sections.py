"""Sections every persona brief shares: the opening pages, ranked answers, a one-figure
statement, the moments people describe, and "about this brief".

Each function writes into a ``Writer`` from what a ``BriefContext`` knows; none decides
advice (that is the guidance rules' job) or privacy (toolkit.core.privacy's).
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs.charts import profile_chart
from toolkit.briefs.context import KINDS, BriefContext, as_int
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import Advice, by_section, percent, top_advice
from toolkit.core.numbers import finite_float


def open_persona_brief(
    ctx: BriefContext, persona: dict, audience: str, *, with_quotes: bool
) -> tuple[dict, dict[str, list[Advice]], Writer]:
    """Cover, "at a glance" and "who is this": how every persona brief begins.

    ``audience`` is "communication" or "training". Returns the privacy-trimmed persona, its
    advice by section and the writer to go on with. Raises ``ValueError`` (from
    ``ctx.shown``) for a persona that may not be shown.
    """
    persona = ctx.shown(persona)
    advices = ctx.advice(persona, audience)
    w = ctx.writer(audience, persona)
    w.cover(
        ctx._(KINDS[audience]),
        ctx.name(persona),
        ctx.label(persona),
        ctx.cover_lines(persona),
        ctx.note(),
    )
    w.heading(ctx._("At a glance"))
    glance(ctx, w, persona, top_advice(advices, audience))
    w.heading(ctx._("Who is %(name)s?", name=ctx.name(persona)))
    who(ctx, w, persona, with_quotes=with_quotes)
    return persona, by_section(advices), w


def glance(ctx: BriefContext, w: Writer, persona: dict, top: Advice | None) -> None:
    """Size, share and stability in one line, then the most important advice and its reason."""
    w.para(
        ctx._(
            "%(size)s people · %(share)s of respondents · %(band)s",
            size=ctx.count(persona.get("size")),
            share=ctx.share_of_used(persona),
            band=ctx.band(persona),
        ),
        S["lead"],
    )
    if top is not None:
        label = ctx._("Most important advice:") + " "
        w.rich([(label, S["figure_char"]), (top.text, None)], S["callout"])
        w.rich([(top.because, S["because_char"])], S["callout"])


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
    if not with_quotes:
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
    and share, up to three constructs where it differs from the organisation, overall level."""
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
    phrases = _distinguishing_phrases(ctx, persona)
    if phrases:
        and_ = ctx._("and")
        joined = (
            phrases[0]
            if len(phrases) == 1
            else (", ".join(phrases[:-1]) + f" {and_} " + phrases[-1])
        )
        parts.append(
            ctx._("Compared with the organisation as a whole, this group %(phrases)s.", phrases=joined)
        )
    else:
        parts.append(ctx._("This group's profile is close to that of the organisation as a whole."))
    if finite_float(persona.get("level")) is not None and finite_float(ctx.overall.get("level")) is not None:
        parts.append(
            ctx._(
                "The overall level is %(level)s, against %(org_level)s in the organisation.",
                level=ctx.num(persona.get("level")),
                org_level=ctx.num(ctx.overall.get("level")),
            )
        )
    return " ".join(parts)


def _distinguishing_phrases(ctx: BriefContext, persona: dict) -> list[str]:
    phrases = []
    for entry in (persona.get("distinguishing") or [])[:3]:
        if (as_int(entry.get("n")) or 0) < ctx.min_group:
            continue
        phrase = ctx.phrase(
            entry.get("construct"),
            entry.get("direction") == "high" or (finite_float(entry.get("diff")) or 0) > 0,
        )
        if phrase:
            figure = ctx.figure(entry.get("mean"), entry.get("org_mean"), entry.get("n"))
            phrases.append(f"{phrase} ({figure})")
    return phrases


def ranked(
    ctx: BriefContext,
    w: Writer,
    persona: dict,
    where: tuple[str, str, str],
    column: str,
    intro: bool = False,
) -> None:
    """A table of the options the persona's members chose, most chosen first.

    ``where`` is (description section, key, questionnaire role), e.g. ("communication",
    "channels", "comm_channels"); ``column`` the translated heading of the option column.
    Without options that rest on the minimum group it says there are no data.
    """
    section, key, role = where
    entries = ctx.options(persona, section, key)
    if intro and entries:
        w.para(
            ctx._(
                "How often each option was chosen in this group (channels and formats allow "
                "several answers):"
            ),
            S["small"],
        )
    if not entries:
        w.para(f"{column}: {no_data(ctx)}", S["small"])
        return
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
    w.table(["#", column, ctx._("People"), ctx._("Share")], rows, [1.0, 10.0, 2.8, 2.8])


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
        figure = ctx.figure(entry.get("mean"), entry.get("org_mean"), entry.get("n"))
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
                value=ctx.num(persona.get("stability"), 2),
            ),
            S["callout"],
        )


def privacy_note(ctx: BriefContext) -> str:
    """Which groups are never shown and from which size own words are quoted."""
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
