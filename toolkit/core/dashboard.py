"""The round dashboard: figures and inline SVG charts, computed from plain data.

No Flask, no database: the round view loads rows and passes them in, and passes the words and
number formats of the reader's language (so this module stays pure and testable).

Favourability, as stated on the page, follows each construct's direction: for a construct where
high is good (readiness, ADKAR, autonomous motivation) it is the share of respondents whose
score is at or above the favourable point (4 on a 1–5 scale); for one where high is the problem
(amotivation: the guidance's ``negative_constructs``) the share at or below the mirrored point
(2 on a 1–5 scale). Controlled motivation (introjected, external) has no better direction
(Ryan & Deci 2000): it gets a share of high scores, never called favourable, and no colour.

Colours steer only when they differ. The organisation's constructs are coloured against a
stated norm: at least half of the respondents favourable is green (``GREEN_FROM``), at least
35 % amber (``AMBER_FROM``), fewer red. (The former norm, 75 % favourable, is an engagement
survey's; on change readiness in the middle of a change it coloured nearly every construct
red.) A team is coloured against the organisation: above or below it when its favourable
share differs by at least ``TEAM_MARGIN`` and by more than two binomial standard errors of a
team of its size (so a small team is not marked for one person's answer), else "about the
same".

Privacy: every figure is about a group of at least the round's minimum size. Teams are sized
first (`toolkit.core.privacy.suppress_groups`, with the people without a team as the known rest) and
only teams that may be shown are scored at all.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from toolkit.core.participation import response_rate
from toolkit.core.privacy import REST, effective_min, may_show, suppress_groups
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.shapes import Persona

GREEN_FROM = 0.50  # the norm: at least half of the respondents favourable
AMBER_FROM = 0.35
TEAM_MARGIN = 0.10  # a team differs from the organisation from 10 points on (and beyond chance)
UNBANDED_BLOCKS = ("motivation",)  # kinds of motivation: only some have a better direction
AUTONOMOUS = ("intrinsic", "identified")  # autonomous motivation: high is good (Ryan & Deci 2000)
HIGHER, LOWER = "higher", "lower"  # which side of a construct's scale is favourable


def band(share: float | None) -> str | None:
    """Against the norm: green from ``GREEN_FROM`` (50 %), amber from ``AMBER_FROM`` (35 %),
    red below; None when there is no share."""
    if share is None:
        return None
    if share >= GREEN_FROM - 1e-9:
        return "green"
    if share >= AMBER_FROM - 1e-9:
        return "amber"
    return "red"


def team_band(share: float | None, org_share: float | None, n: int) -> str | None:
    """A team's favourable share against the organisation's: "above", "below" or "same".

    Above or below only when the difference is at least ``TEAM_MARGIN`` and more than two
    standard errors of a share among ``n`` people drawn from the organisation
    (sqrt(p(1-p)/n) with p the organisation's share); None without both shares.
    """
    if share is None or org_share is None or n <= 0:
        return None
    diff = share - org_share
    noise = 2 * math.sqrt(max(org_share * (1 - org_share), 0.0) / n)
    if abs(diff) + 1e-9 < max(TEAM_MARGIN, noise):
        return "same"
    return "above" if diff > 0 else "below"


def construct_direction(construct: str, block: str | None, negative: Iterable[str] = ()) -> str | None:
    """Which side of ``construct``'s scale is favourable: ``HIGHER``, ``LOWER`` (a construct
    in ``negative``, where a high score is the problem: amotivation) or None (controlled
    motivation, which has no better direction). ``block`` is the questionnaire block."""
    if construct in set(negative):
        return LOWER
    if block in UNBANDED_BLOCKS and construct not in AUTONOMOUS:
        return None
    return HIGHER


def favourable_point(scale_min: int, scale_max: int, direction: str | None = HIGHER) -> float:
    """The score from which an answer counts as favourable: 4 on a 1–5 scale, or, for a
    construct where low is favourable, 2 and lower."""
    fraction = 0.25 if direction == LOWER else 0.75
    return scale_min + fraction * (scale_max - scale_min)


def construct_points(q: Questionnaire) -> dict[str, tuple[float, float]]:
    """Per construct of ``q``: (the favourable point where high is good, the point where low is
    good), from the scale of its first item that has one (1–5 when none has): (4, 2) on 1–5."""
    result = {}
    for construct in q.constructs.values():
        scale = next((q.scales[q.items[i].scale] for i in construct.items if q.items[i].scale in q.scales), None)
        low_end, high_end = (scale.min, scale.max) if scale else (1, 5)
        result[construct.id] = (favourable_point(low_end, high_end, HIGHER), favourable_point(low_end, high_end, LOWER))
    return result


# --- response rate over time ------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    """Responses on one day (or, with ``until``, in the period of days from ``day`` to ``until``):
    that count, the running total and the running rate.

    ``rate`` is ``cumulative`` / invited, a fraction in [0, 1]; None when nobody was invited
    through the app or the total passes the invited (the counts are then of different people:
    the timeline is given the answers given online only, see the round's dashboard view).
    """

    day: dt.date
    count: int
    cumulative: int
    rate: float | None  # cumulative / invited, never above 1; None when it has no meaning
    until: dt.date | None = None  # last day of a coarsened period (None: the period is one day)


def response_timeline(days: Iterable[str | dt.date], invited: int | None, until: dt.date | None = None) -> list[DayCount]:
    """One entry per day from the first response to the last (or `until`), gaps filled in.

    ``days`` holds one date (or ISO date/time string; only its first 10 characters count) per
    response; ``invited`` is the number invited or None. Returns [] without responses.
    Raises ValueError for a string that is not an ISO date.
    """
    counts: dict[dt.date, int] = {}
    for day in days:
        d = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        counts[d] = counts.get(d, 0) + 1
    return timeline_from_counts(counts, invited, until)


def timeline_from_counts(counts: dict[dt.date, int], invited: int | None, until: dt.date | None = None,
                         limit: int | None = None) -> list[DayCount]:
    """:func:`response_timeline` from responses counted per day (date -> count).

    With ``limit`` only the first ``limit`` responses in day order count (the rest, the latest
    days' last ones, are left out as if never given). Returns [] without responses.
    """
    kept: dict[dt.date, int] = {}
    left = limit
    for day in sorted(counts):
        n = counts[day] if left is None else min(counts[day], left)
        if n > 0:
            kept[day] = n
        if left is not None:
            left -= n
    if not kept:
        return []
    first, last = min(kept), max(kept)
    if until and until > last:
        last = until
    result, total, day = [], 0, first
    while day <= last:
        total += kept.get(day, 0)
        result.append(DayCount(day, kept.get(day, 0), total, response_rate(total, invited)))
        day += dt.timedelta(days=1)
    return result


def coarsen_timeline(timeline: list[DayCount], min_group: int) -> list[DayCount]:
    """Periods of adjacent days, each with at least the minimum group of responses.

    Days are added to a period until it holds `min_group` responses or more; a last period that
    stays short is merged into the one before it (a round with fewer responses than the minimum
    gets no periods at all). So no day, or run of days, shows fewer people than any other group
    may. Each period keeps its first day in `day`, its last in `until`, and the cumulative figures
    at its end. Source: the threshold rule for time dimensions in DESIGN §8.
    """
    minimum = effective_min(min_group)
    periods: list[list[DayCount]] = []
    current: list[DayCount] = []
    for day in timeline:
        current.append(day)
        if sum(d.count for d in current) >= minimum:
            periods.append(current)
            current = []
    if current and periods:
        periods[-1] += current
    return [DayCount(p[0].day, sum(d.count for d in p), p[-1].cumulative, p[-1].rate,
                     p[-1].day if p[-1].day != p[0].day else None) for p in periods]


# --- construct favourability -----------------------------------------------------------


@dataclass(frozen=True)
class ConstructScore:
    """A construct's figures for a group: n, mean (scale points), favourable share, band.

    ``favourable`` is the share on the favourable side of the scale (``direction`` HIGHER: at
    or above the favourable point; LOWER: at or below it); for a construct without a better
    direction (``direction`` None) it is the share of high scores and ``band`` is None.
    ``band`` is green, amber or red against the norm (``band``), or above, same or below
    against the organisation (``team_band``, heatmap cells). When ``shown`` is False (fewer
    than the minimum group have a score) every figure is None.
    """

    construct: str
    n: int
    mean: float | None
    favourable: float | None
    band: str | None
    shown: bool  # False when fewer than the minimum group have a score
    direction: str | None = HIGHER


def favourability(values: list[float], point: float, direction: str | None = HIGHER) -> float | None:
    """Share of ``values`` (scale points) on the favourable side of ``point``, in [0, 1]: at
    or above it, or at or below it for ``direction`` LOWER; None when empty."""
    if not values:
        return None
    if direction == LOWER:
        return sum(1 for v in values if v <= point + 1e-9) / len(values)
    return sum(1 for v in values if v >= point - 1e-9) / len(values)


@dataclass(frozen=True)
class Tally:
    """A group's scores on one construct, summed: how many (``n``), their ``total`` (scale
    points) and how many lie on the favourable side (``favourable``, see :func:`favourability`)."""

    n: int
    total: float
    favourable: int


def tally(values: Iterable[float | None], point: float, direction: str | None = HIGHER) -> Tally:
    """The :class:`Tally` of ``values`` (scale points; None = missing, left out) against the
    favourable ``point`` in ``direction`` (LOWER: at or below it; else at or above it)."""
    present = [v for v in values if v is not None]
    if direction == LOWER:
        favourable = sum(1 for v in present if v <= point + 1e-9)
    else:
        favourable = sum(1 for v in present if v >= point - 1e-9)
    return Tally(len(present), sum(present), favourable)


def scores_from_tallies(
    tallies: dict[str, Tally], constructs: list[str], *, min_group: int,
    directions: dict[str, str | None] | None = None, organisation: dict[str, float | None] | None = None,
) -> list[ConstructScore]:
    """Mean and favourable share per construct, in the given order, from summed scores.

    ``tallies`` maps construct id -> :class:`Tally` (missing: no scores); ``directions`` and
    ``organisation`` as for :func:`construct_scores`. A construct with fewer than ``min_group``
    scores is not shown (its n is kept, every figure None).
    """
    result = []
    for cid in constructs:
        counted = tallies.get(cid) or Tally(0, 0.0, 0)
        direction = (directions or {}).get(cid, HIGHER)
        if not may_show(counted.n, min_group):
            result.append(ConstructScore(cid, counted.n, None, None, None, False, direction))
            continue
        share = counted.favourable / counted.n
        if direction is None:
            colour = None
        elif organisation is not None:
            colour = team_band(share, organisation.get(cid), counted.n)
        else:
            colour = band(share)
        result.append(ConstructScore(cid, counted.n, counted.total / counted.n, share, colour, True, direction))
    return result


def construct_scores(
    values_by_construct: dict[str, list[float]], constructs: list[str], *, min_group: int,
    points: dict[str, float] | None = None, directions: dict[str, str | None] | None = None,
    organisation: dict[str, float | None] | None = None,
) -> list[ConstructScore]:
    """Mean and favourable share per construct, in the given order; small n is not shown.

    ``values_by_construct`` maps construct id -> scores in scale points (None = missing);
    ``points`` the favourable point per construct (default 4.0, the point of its direction);
    ``directions`` construct -> HIGHER, LOWER or None (default HIGHER; None: no band).
    Bands follow the norm (``band``), or with ``organisation`` (construct -> the
    organisation's favourable share) the comparison with it (``team_band``). A construct
    with fewer than ``min_group`` scores is not shown.
    """
    tallies = {}
    for cid in constructs:
        direction = (directions or {}).get(cid, HIGHER)
        point = (points or {}).get(cid, favourable_point(1, 5, direction))
        tallies[cid] = tally(values_by_construct.get(cid, []), point, direction)
    return scores_from_tallies(tallies, constructs, min_group=min_group, directions=directions,
                               organisation=organisation)


# --- heatmap: constructs by team -------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    """One team of the heatmap: its name, respondents, and a ConstructScore per construct."""

    team: str
    n: int
    cells: tuple[ConstructScore, ...]


@dataclass(frozen=True)
class Heatmap:
    """Favourability per team and construct; teams under the minimum only counted as hidden."""

    constructs: tuple[str, ...]
    teams: tuple[TeamRow, ...]
    hidden_teams: int  # teams not shown because they (or the rest) are under the minimum
    min_group: int


def hidden_teams(sizes: dict[str, int], total: int, min_group: int,
                 per_publication: dict[int, dict[str, int]] | None = None) -> set[str]:
    """The teams the heatmap may not show.

    ``sizes`` maps team -> respondents; ``total`` counts every respondent (those without a
    team are the known rest, `toolkit.core.privacy.suppress_groups`). With ``per_publication``
    (publication number -> team, or ``REST`` for people without a team -> respondents;
    anonymous rounds published at more than one close) a team small in any publication stays
    hidden too, and the hidden teams add up to the minimum within every publication, so
    comparing the heatmap before and after a publication never leaves fewer people than the
    minimum.
    """
    hidden = {t for t, n in suppress_groups(sizes, min_group, total=total).items() if n is None}
    if per_publication:
        hidden |= _hidden_in_any_publication(per_publication, min_group)
    return hidden


def heatmap_from_tallies(
    sizes: dict[str, int], hidden: set[str], tallies_by_team: dict[str, dict[str, Tally]], constructs: list[str],
    *, min_group: int, directions: dict[str, str | None] | None = None,
    organisation: dict[str, float | None] | None = None,
) -> Heatmap:
    """The heatmap of the teams in ``sizes`` (team -> respondents) not in ``hidden``
    (:func:`hidden_teams`), in name order, from their summed scores (team -> construct ->
    :class:`Tally`; only shown teams are looked up); cells as :func:`scores_from_tallies`."""
    rows = []
    for team in sorted(t for t in sizes if t not in hidden):
        cells = scores_from_tallies(tallies_by_team.get(team, {}), constructs, min_group=min_group,
                                    directions=directions, organisation=organisation)
        rows.append(TeamRow(team, sizes[team], tuple(cells)))
    return Heatmap(tuple(constructs), tuple(rows), len(hidden), effective_min(min_group))


def team_heatmap(
    scores_by_response: dict[str, dict[str, float | None]], team_by_response: dict[str, str | None],
    constructs: list[str], *, min_group: int, points: dict[str, float] | None = None,
    directions: dict[str, str | None] | None = None, organisation: dict[str, float | None] | None = None,
    publication_by_response: dict[str, int] | None = None,
) -> Heatmap:
    """Favourable share per team and construct from each response's scores; teams in name order.

    ``scores_by_response`` maps response id -> construct id -> score (scale points);
    ``team_by_response`` maps response id -> team or None; ``points`` and ``directions`` as
    for :func:`construct_scores`; ``organisation`` the organisation's favourable share per
    construct, against which each cell is coloured (``team_band``; without it, the norm).
    Teams are sized and suppressed (:func:`hidden_teams`) before any score of theirs is
    looked at, so a small team's answers are never computed. ``publication_by_response``
    (response id -> publication number) applies the rule across publications of
    :func:`hidden_teams`. The dashboard reads the same figures as sums kept in the database
    (toolkit.data.figures); this computation from every response is their test oracle.
    """
    sizes: dict[str, int] = {}
    for rid in scores_by_response:
        team = team_by_response.get(rid)
        if team:
            sizes[team] = sizes.get(team, 0) + 1
    per_publication: dict[int, dict[str, int]] = {}
    for rid, publication in (publication_by_response or {}).items():
        counts = per_publication.setdefault(publication, {})
        team = team_by_response.get(rid) or REST
        counts[team] = counts.get(team, 0) + 1
    hidden = hidden_teams(sizes, len(scores_by_response), min_group, per_publication)
    tallies: dict[str, dict[str, Tally]] = {}
    for team in sizes:
        if team in hidden:
            continue
        members = [rid for rid in scores_by_response if team_by_response.get(rid) == team]
        tallies[team] = {c: tally((scores_by_response[r].get(c) for r in members),
                                  (points or {}).get(c, favourable_point(1, 5, (directions or {}).get(c, HIGHER))),
                                  (directions or {}).get(c, HIGHER)) for c in constructs}
    return heatmap_from_tallies(sizes, hidden, tallies, constructs, min_group=min_group, directions=directions,
                                organisation=organisation)


def _hidden_in_any_publication(per_publication: dict[int, dict[str, int]], min_group: int) -> set[str]:
    """Teams to hide so that, within each publication, every shown team and the hidden rest
    (hidden teams and people without a team, ``REST``) are each empty or at least the minimum."""
    hidden: set[str] = set()
    for counts in per_publication.values():
        teams = {t: n for t, n in counts.items() if t != REST}
        shown = suppress_groups(teams, min_group, total=sum(counts.values()))
        hidden |= {t for t, n in shown.items() if n is None}
    changed = True
    while changed:
        changed = False
        for counts in per_publication.values():
            rest = sum(n for t, n in counts.items() if t in hidden or t == REST)
            candidates = sorted((n, t) for t, n in counts.items() if t not in hidden and t != REST)
            if 0 < rest < effective_min(min_group) and candidates:
                hidden.add(candidates[0][1])
                changed = True
    return hidden


# --- persona distribution --------------------------------------------------------------


@dataclass(frozen=True)
class PersonaShare:
    """A shown persona's size (people) and share of the respondents used (fraction)."""

    key: str
    name: str
    size: int
    share: float


def persona_distribution(
    presentable: list[Persona], n_used: int, *, min_group: int
) -> tuple[list[PersonaShare], int | None]:
    """Shown personas with their share of the respondents used, and the rest.

    ``presentable`` are persona dicts (:class:`toolkit.core.shapes.Persona`) that may be
    shown; ``n_used`` the respondents in the persona set. The rest counts the people in no
    shown persona -- None when it is under the minimum and so may not be shown.
    """
    rows = [PersonaShare(p["key"], p["name"], p["size"], p["size"] / n_used if n_used else 0.0) for p in presentable]
    rest = n_used - sum(r.size for r in rows)
    return rows, (rest if rest == 0 or may_show(rest, min_group) else None)


# --- inline SVG ------------------------------------------------------------------------
# Charts are drawn with classes only (colours live in style.css; the CSP allows no inline
# style). The timeline has role="img", a <title> and a <desc>; the page shows the same figures
# as a table too, so nothing depends on seeing the picture.


def _svg_open(width: int, height: int, ident: str, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def timeline_svg(timeline: list[DayCount], *, ident: str, title: str, desc: str,
                 format_day: Callable[[dt.date], str], format_share: Callable[[float], str]) -> str:
    """A line of the cumulative response rate (0–100 %; the count when there is no rate) per day.

    Returns an inline SVG string (480 x 220 user units) with a <title> and <desc> for screen
    readers; ``ident`` makes their ids unique on the page; ``format_day`` and
    ``format_share`` write axis labels in the reader's language. Texts are HTML-escaped.
    """
    width, height, left, right, top, bottom = 480, 220, 44, 14, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    use_rate = bool(timeline) and all(d.rate is not None for d in timeline)
    values = [(d.rate if use_rate else d.cumulative) for d in timeline]
    top_value = 1.0 if use_rate else max(1, max(values or [1]))
    parts = _svg_open(width, height, ident, title, desc, "timeline")
    ticks = [0, 0.25, 0.5, 0.75, 1.0] if use_rate else sorted({0, round(top_value / 2), top_value})
    for t in ticks:
        y = top + plot_h - (t / top_value) * plot_h
        label = format_share(t) if use_rate else str(int(t))
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    n = len(timeline)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    points = [(x_at(i), top + plot_h - (v / top_value) * plot_h) for i, v in enumerate(values)]
    if points:
        parts.append('<polyline class="line" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        for (x, y), d in zip(points, timeline, strict=True):
            if d.count:
                parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
        label_at = sorted({0, n - 1} | ({n // 2} if n > 4 else set()))
        for i in label_at:
            anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
            parts.append(f'<text class="tick" x="{x_at(i):.1f}" y="{height - 10}" text-anchor="{anchor}">'
                         f'{escape(format_day(timeline[i].day))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def bars_html(rows: list[tuple[str, float | None, str, str | None]], *, ident: str, title: str,
              thresholds: tuple[float, ...] = ()) -> str:
    """Horizontal bars on a 0–100 % scale: (label, share or None, value text, css band) per row.

    Names and values are HTML text (readable and wrapping at 360 px, read out by screen
    readers); each bar is a small inline SVG that stretches to the width available."""
    parts = [f'<ul class="bars" id="{ident}" aria-label="{escape(title)}">']
    for label, share, value_text, css in rows:
        bar = ""
        if share is not None:
            width = max(0.0, min(1.0, share)) * 100
            bar = f'<rect class="bar {escape(css or "neutral")}" x="0" y="0" width="{width:.1f}" height="10"/>'
        lines = "".join(
            f'<line class="threshold" x1="{t * 100:.1f}" x2="{t * 100:.1f}" y1="0" y2="10" '
            f'vector-effect="non-scaling-stroke"/>' for t in thresholds)
        parts.append(
            f'<li><span class="bar-label">{escape(label)}</span>'
            f'<svg class="bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            f'<rect class="track" x="0" y="0" width="100" height="10"/>{bar}{lines}</svg>'
            f'<span class="bar-value">{escape(value_text)}</span></li>')
    parts.append("</ul>")
    return "\n".join(parts)
