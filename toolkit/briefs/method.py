"""The overview's appendix: how the personas were made, in plain language, then the details.

A steering group member should be able to follow the first part without statistics: who
answered, which questions formed the groups, how the number of groups was chosen, how
stability was checked, what privacy keeps out and how the core personas were picked. The
technical record (method, criterion, seed, the score of every number of groups tried) follows
in small print for whoever wants to check or repeat it. Method names are translated here;
free text the analysis produced in English is never printed in a Dutch brief.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.briefs.context import INDICATIVE, STABLE, BriefContext, as_int, stability_figure
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.briefs.text import UNKNOWN
from toolkit.briefs.writer import Writer
from toolkit.core.guidance import construct_name, mid_sentence, percent
from toolkit.core.messages import N_

# Why respondents were left out of the analysis, by the persona set's reason key.
EXCLUSION_REASONS = {"too_many_missing": N_("too many missing answers")}
METHOD_NAMES = {
    "gaussian-mixture": N_("a Gaussian mixture model"),
    "kmeans": N_("k-means clustering"),
    "k-means": N_("k-means clustering"),
}
CRITERIA = {  # a word in the analysis' criterion -> how it is explained
    "bic": N_(
        "the Bayesian information criterion (BIC), which rewards a good fit and penalises "
        "every extra group"
    ),
    "silhouette": N_("the silhouette score, which measures how clearly the groups are apart"),
}


def plain_method(ctx: BriefContext, w: Writer) -> None:
    """How the personas were made, as paragraphs a non-statistician can follow."""
    ps, _ = ctx.persona_set, ctx._
    dims = [mid_sentence(construct_name(ctx.q, c, ctx.lang)) for c in ps.get("dimensions") or []]
    w.para(
        _(
            "Everyone answered the same questionnaire. Only the questions on %(dimensions)s "
            "decided who belongs to which group; the other questions describe the groups "
            "afterwards.",
            dimensions=ctx.join(dims) or UNKNOWN,
        )
    )
    tried = sorted(as_int(k) or 0 for k in ((ps.get("quality") or {}).get("k_scores") or {}))
    w.para(
        _(
            "A statistical method (%(method)s) looks for groups of people who answered alike. "
            "It tried %(low)s to %(high)s groups and kept %(k)s: the number that describes the "
            "answers best without needless groups, judged by %(criterion)s.",
            method=_method_name(ctx),
            low=tried[0] if tried else UNKNOWN,
            high=tried[-1] if tried else UNKNOWN,
            criterion=_criterion(ctx),
            k=ps.get("k", UNKNOWN),
        )
    )
    bootstrap = (ps.get("quality") or {}).get("bootstrap")
    if bootstrap:
        w.para(
            _(
                "The grouping was then repeated %(bootstrap)s times on samples drawn from the "
                "same answers. A persona that keeps coming back with the same people (an overlap "
                "of %(stable)s or more) is stable; from %(indicative)s to %(stable)s it is "
                "indicative, a working hypothesis. Groups below that are not shown as personas.",
                bootstrap=bootstrap,
                stable=stability_figure(STABLE, ctx.lang),
                indicative=stability_figure(INDICATIVE, ctx.lang),
            )
        )
    w.para(_privacy(ctx))
    w.para(
        _(
            "The advice in the briefs comes from rules that name the figure they rest on; under "
            "every piece of advice it says which figure and how many people (n) it rests on, and "
            "of how many."
        )
    )


def _method_name(ctx: BriefContext) -> str:
    method = str(ctx.persona_set.get("method") or "")
    return ctx._(METHOD_NAMES[method]) if method in METHOD_NAMES else ctx._("a clustering method")


def _criterion(ctx: BriefContext) -> str:
    criterion = str(ctx.persona_set.get("criterion") or "").lower()
    for word, message in CRITERIA.items():
        if word in criterion:
            return ctx._(message)
    return ctx._("the method's own measure of fit")


def _privacy(ctx: BriefContext) -> str:
    if ctx.measured.open_answers:
        return ctx._(
            "Privacy: a group or answer of fewer than %(min_group)s people is never shown, and "
            "people's own words only for groups of at least %(min_quote)s.",
            min_group=ctx.min_group,
            min_quote=ctx.min_quote,
        )
    return ctx._(
        "Privacy: a group or answer of fewer than %(min_group)s people is never shown.",
        min_group=ctx.min_group,
    )


def technical(ctx: BriefContext, w: Writer) -> None:
    """The technical record: method, criterion, k, seed, and the score of every k tried."""
    ps, _ = ctx.persona_set, ctx._
    requested = ps.get("k_requested")
    w.para(
        _(
            "Technical record: %(method)s (%(method_id)s); %(k)s groups%(requested)s; seed "
            "%(seed)s (the same data give the same personas).",
            method=_method_name(ctx),
            method_id=clean_text(ps.get("method")) or UNKNOWN,
            k=ps.get("k", UNKNOWN),
            requested=(", " + _("requested: %(k)s", k=requested)) if requested else "",
            seed=ps.get("seed", UNKNOWN),
        ),
        S["small"],
    )
    scores = (ps.get("quality") or {}).get("k_scores") or {}
    if isinstance(scores, Mapping) and scores:
        rows = []
        for k, score in sorted(scores.items(), key=lambda kv: as_int(kv[0]) or 0):
            chosen = _("chosen") if str(k) == str(ps.get("k")) else ""
            rows.append([str(k), ctx.num(score, 1), chosen])
        w.para(_("Score of every number of groups tried (lower is better for the BIC):"), S["table_intro"])
        w.table([_("Groups (k)"), _("Score"), _("Chosen")], rows)


def round_figures(ctx: BriefContext, shown: list[dict]) -> list[list[str]]:
    """Figure | value rows: questionnaire, period, invited, responses, response rate, used in
    the analysis, overall level, personas shown, smallest group shown."""
    _, info = ctx._, ctx.round_info
    invited, responses = as_int(info.get("invited")), as_int(info.get("responses"))
    rows = []
    if ctx.questionnaire_title():
        rows.append([_("Questionnaire"), ctx.questionnaire_title()])
    rows.append([_("Period"), ctx.period()])
    rows.append([_("Invited"), ctx.count(invited) if invited else UNKNOWN])
    imported = as_int(info.get("imported")) or 0
    if imported:  # answers from files have no invitation: counted apart, never in the rate
        rows.append([_("Answered online"), ctx.count(as_int(info.get("answered_online")) or 0)])
        rows.append([_("Imported from elsewhere"), ctx.count(imported)])
    rows.append([_("Completed questionnaires"), ctx.count(responses)])
    rate = ctx.response_rate()
    rate_text = percent(rate, ctx.lang) if rate is not None else UNKNOWN
    rows.append([ctx.pgettext("brief", "Response rate"), rate_text])
    rows.append([_("Used in the analysis"), ctx.count(ctx.persona_set.get("n_used"))])
    rows.append([_("Overall level (scale 1–5)"), ctx.num(ctx.overall.get("level"))])
    rows.append([_("Personas in this overview"), str(len(shown))])
    rows.append([_("Smallest group shown"), _("%(n)s people", n=ctx.min_group)])
    return rows


def left_out(ctx: BriefContext, w: Writer, shown: list[dict]) -> None:
    """Respondents excluded from the analysis (count and reason), and groups not shown because
    they are unstable or smaller than the minimum group; one sentence when nobody was."""
    _ = ctx._
    anything = False
    for reason, count in (ctx.persona_set.get("excluded") or {}).items():
        if not as_int(count):
            continue
        anything = True
        if isinstance(reason, str) and reason in EXCLUSION_REASONS:
            reason_text = _(EXCLUSION_REASONS[reason])
        else:
            reason_text = clean_text(reason).replace("_", " ")
        w.bullet(_("%(count)s respondents not included: %(reason)s.", count=ctx.count(count), reason=reason_text))
    shown_keys = {p.get("key") for p in shown}
    hidden = [p for p in ctx.source.get("personas") or [] if p.get("key") not in shown_keys]
    small = [p for p in hidden if (as_int(p.get("size")) or 0) < ctx.min_group]
    unstable = [p for p in hidden if p not in small]
    if unstable:
        anything = True
        w.bullet(
            _(
                "%(groups)s group(s) not shown because they are not stable enough (stability "
                "below %(indicative)s), %(people)s people in all.",
                groups=len(unstable),
                indicative=stability_figure(INDICATIVE, ctx.lang),
                people=ctx.count(sum(as_int(p.get("size")) or 0 for p in unstable)),
            )
        )
    if small:
        anything = True
        w.bullet(
            _(
                "%(groups)s group(s) not shown because they have fewer than %(min_group)s people.",
                groups=len(small),
                min_group=ctx.min_group,
            )
        )
    if not anything:
        w.para(_("Every respondent analysed belongs to a persona shown here."))
