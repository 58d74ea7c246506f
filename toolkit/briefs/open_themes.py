"""What a persona's members write about, in the briefs: the themes of their open answers and
the moments the change hits them ("wanneer het hen raakt" / "when it hits them").

The figures come from ``Persona.description["open_themes"]``
(:class:`toolkit.core.open_themes.OpenThemes`, worked out when the personas were derived), in
the copy that toolkit.core.privacy trimmed to this round's minimum group: no theme or moment
under it, no quote or example for a group under the quote minimum. Personas derived before
themes existed have none, and the section is left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs.context import BriefContext
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core import privacy
from toolkit.core.guidance import percent
from toolkit.core.messages import N_
from toolkit.core.numbers import finite_float
from toolkit.core.open_themes import Z_MARKED  # from here a theme "sets them apart"

TIMING = {
    "communication": N_(
        "Time your messages by these moments: say what changes for them shortly before, and be "
        "reachable while they happen."
    ),
    "training": N_(
        "Plan training and support just before these moments, and be at hand while they happen."
    ),
}


def _found(persona: Mapping) -> Mapping | None:
    found = (persona.get("description") or {}).get("open_themes")
    return found if isinstance(found, Mapping) else None


def _label(entry: Mapping) -> str:
    return " · ".join(clean_text(w) for w in entry.get("label") or [] if clean_text(w)) or UNKNOWN


def section(ctx: BriefContext, w: Writer, persona: dict, audience: str, *, timing: bool = True) -> None:
    """The "What they write about" section: a table of the persona's themes (people, share,
    the organisation's share, whether it sets them apart), a quote per theme for groups of
    the quote minimum, the words they use more than the rest, and with ``timing`` the moments
    it hits them (:func:`moments`) under their own subheading. ``audience`` is "communication"
    or "training". Nothing when the questionnaire has no open questions or the persona set
    has no themes."""
    found = _found(persona)
    if found is None or not ctx.measured.open_answers:
        return
    _ = ctx._
    w.heading(_("What they write about"))
    themes = [t for t in found.get("themes") or [] if (finite_float(t.get("n")) or 0) >= ctx.min_group]
    if themes:
        w.para(_("%(answered)s of the %(size)s people in this group answered an open question; the themes in "
                 "their answers, those that set them apart from the organisation first:",
                 answered=ctx.count(found.get("answered")), size=ctx.count(persona.get("size"))), S["table_intro"])
        w.table([_("Theme"), _("People"), _("Organisation"), _("Sets them apart")],
                [_theme_row(ctx, t) for t in themes])
        _quotes(ctx, w, persona, themes)
    else:
        w.para(_("No theme in the open answers is mentioned by %(min_group)s or more people in this group.",
                 min_group=ctx.min_group), S["small"])
    words = [x for x in found.get("words") or [] if (finite_float(x.get("n")) or 0) >= ctx.min_group]
    if words:
        w.para(_("Words they use more than the rest of the organisation: %(words)s.",
                 words=", ".join(f"{clean_text(x.get('word'))} ({ctx.count(x.get('n'))})" for x in words)))
    w.para(_("How themes are found: words are taken in their dictionary form, common words and the words of "
             "the question are left out, and answers that share words are grouped (k-means clustering); a "
             "theme's label holds its most typical words (class-based TF-IDF). ‘More’ or ‘less than "
             "elsewhere’: the group mentions the theme clearly more or less often than the rest of the "
             "organisation (log-odds ratio with the organisation as prior, Monroe et al. 2008). Themes "
             "mentioned by fewer than %(min_group)s people are not shown.", min_group=ctx.min_group), S["small"])
    if timing:
        w.heading(_("When it hits them"), 2)
        moments(ctx, w, persona, audience)


def _theme_row(ctx: BriefContext, theme: Mapping) -> list[str]:
    share, org, z = (finite_float(theme.get(k)) for k in ("share", "org_share", "z"))
    people = ctx.count(theme.get("n")) + (f" ({percent(share, ctx.lang)})" if share is not None else "")
    apart = (ctx._("more than elsewhere") if z is not None and z >= Z_MARKED
             else ctx._("less than elsewhere") if z is not None and z <= -Z_MARKED else UNKNOWN)
    return [_label(theme), people, percent(org, ctx.lang) if org is not None else UNKNOWN, apart]


def _quotes(ctx: BriefContext, w: Writer, persona: dict, themes: list[Mapping]) -> None:
    """One quote per theme, only for a group of at least the quote minimum."""
    if not privacy.may_quote(int(finite_float(persona.get("size")) or 0), ctx.min_group):
        return
    quotes = [(t, clean_text(t.get("quote"))) for t in themes if clean_text(t.get("quote"))]
    if quotes:
        w.para(ctx._("In their own words, per theme:"))
        for theme, quote in quotes:  # the theme's words are ours, not theirs: outside the quotation marks
            w.bullet(_label(theme))
            w.quote(quote)


def moments(ctx: BriefContext, w: Writer, persona: dict, audience: str) -> None:
    """The recurring moments the persona's members describe ("when …" parts of the situation
    question, grouped), each with how many describe it and, for groups of the quote minimum,
    an example; then the timing advice for ``audience``. A sentence when none reaches the
    minimum group; nothing for a persona set without themes."""
    found = _found(persona)
    if found is None or not ctx.measured.open_answers:
        return
    _ = ctx._
    shown = [s for s in found.get("situations") or [] if (finite_float(s.get("n")) or 0) >= ctx.min_group]
    if not shown:
        w.para(_("No moment is described by %(min_group)s or more people in this group.",
                 min_group=ctx.min_group), S["small"])
        return
    w.para(_("Recurring moments in their own descriptions (“When …, I want …”), with how many people "
             "describe each:"), S["table_intro"])
    quote = privacy.may_quote(int(finite_float(persona.get("size")) or 0), ctx.min_group)
    for entry in shown:
        line = _("%(moment)s: %(n)s people", moment=_label(entry), n=ctx.count(entry.get("n")))
        example = clean_text(entry.get("example")) if quote else ""
        w.bullet(f"{line} — “{example}”" if example else line)
    w.para(_(TIMING[audience]), S["lead"])
