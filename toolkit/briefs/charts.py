"""Charts for the briefs: matplotlib PNG bytes, nothing else.

Why PNG bytes and not figures: the briefs only need an image at a fixed width, and bytes are
easy to cache, test and hand to python-docx. matplotlib is imported lazily with the Agg
backend set explicitly, so importing this module costs nothing, works on a server without a
display, and never writes into a read-only home directory (MPLCONFIGDIR falls back to a
temp dir).

Text in charts: matplotlib does no right-to-left shaping and has no emoji glyphs, so a
persona name that cannot be drawn faithfully is replaced by "Persona 1", "Persona 2", … in
the chart; the brief's caption names the persona in full. Dollar signs never switch on math
mode. The few words a chart carries (legend, axis) come from the catalogue (toolkit.briefs.text).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import textwrap
import threading
import unicodedata
import warnings
from collections import OrderedDict
from pathlib import Path

from toolkit.briefs.text import LANGUAGES, SOURCE_LANGUAGE, Catalogue, catalogue
from toolkit.core.guidance import construct_name, number
from toolkit.core.numbers import finite_float as _num

PERSONA_COLOUR = "#C8553D"
ORG_COLOUR = "#9AA5B1"
INK = "#1F2933"
GRID = "#D9DEE4"
FIGURE_WIDTH_IN = 6.4
DPI = 150

_lock = threading.RLock()  # rcParams are global: one chart at a time
_cache: OrderedDict[str, bytes] = OrderedDict()
_CACHE_SIZE = 64
_glyphs: set[int] | None = None
# Profile charts of one language share everything but the persona's dots, lines and legend:
# the figure with its bars, labels and grid is drawn once, and each persona's chart is that
# picture (copied back) with its own marks drawn on top. See _profile_png.
_backgrounds: OrderedDict[str, tuple] = OrderedDict()
_BACKGROUNDS = 4


def clear_cache() -> None:
    """Forget every chart drawn so far (the next call draws from scratch); for measuring."""
    with _lock:
        _cache.clear()
        _backgrounds.clear()


def profile_chart(persona: dict, overall: dict, q, lang: str) -> bytes:
    """PNG bytes: the persona's mean per construct (dots) against the organisation (bars).

    ``persona`` and ``overall`` are persona-set dicts with a ``profile`` of {construct:
    {"mean", "diff", "n"}} on the questionnaire's answer scale; ``lang`` picks the wording
    ("nl" or "en"; any other language gets the English). Constructs follow the
    questionnaire's dimension order, with a gap between blocks, so the chart reads like the
    persona profile table in the brief. Identical input returns the cached bytes object.
    """
    profile = persona.get("profile") or {}
    constructs = _ordered_constructs(list(profile), q)
    rows = _profile_rows(profile, (overall or {}).get("profile") or {}, constructs, q, lang)
    name = _chart_name(persona, 1)
    key = _key("profile", lang, [(r[0], r[1], r[2], r[3]) for r in rows], name)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    words = _words(lang)
    legend = (words.gettext("Organisation"), name, words.gettext("Mean score (1–5)"))
    scale = _scale_range(q, constructs)
    if any(r[2] is None or r[3] is None for r in rows):  # gaps: drawn whole, as they are rare
        return _cache_put(key, _render(lambda: _draw_profile(rows, legend, scale)))
    return _cache_put(key, _profile_png(rows, legend, scale))


def _profile_rows(profile: dict, org_profile: dict, constructs: list[str], q, lang: str) -> list:
    """(construct id, name, persona mean, organisation mean, block) per construct."""
    rows = []
    for cid in constructs:
        entry = profile.get(cid) or {}
        mean = _num(entry.get("mean"))
        org = _num((org_profile.get(cid) or {}).get("mean"))
        if org is None and mean is not None and _num(entry.get("diff")) is not None:
            org = mean - _num(entry.get("diff"))
        rows.append((cid, construct_name(q, cid, lang), mean, org, _block(q, cid)))
    return rows


def _draw_profile(rows: list, legend: tuple[str, str, str], scale: tuple[float, float]):
    """The profile figure: organisation bars, persona dots joined to them, blocks apart.
    ``legend`` is (organisation label, persona name, x-axis label); with the name None the
    figure has no persona marks and no legend (the shared background of _profile_png)."""
    org_label, persona_name, x_label = legend
    lo, hi = scale
    height = max(2.2, 0.34 * len(rows) + 1.1)
    fig, ax = _figure(height)
    ys, previous, y = [], None, 0.0
    for row in rows:
        if previous is not None and row[4] != previous:
            y += 0.6  # breathing room between blocks (motivation | readiness)
        ys.append(y)
        previous = row[4]
        y += 1.0
    org = [r[3] if r[3] is not None else float("nan") for r in rows]
    ax.barh(
        ys,
        [o - lo for o in org],
        left=lo,
        height=0.55,
        color=ORG_COLOUR,
        label=org_label,
        zorder=2,
    )
    if persona_name is not None:
        _persona_marks(ax, rows, ys, persona_name)
    tick_labels = [_drawable(r[1]) or r[0] for r in rows]
    ax.set_yticks(ys)
    ax.set_yticklabels(tick_labels)
    ax.invert_yaxis()
    ax.set_xlim(lo, hi)
    ax.set_xticks(range(int(lo), int(hi) + 1))
    ax.set_xlabel(x_label)
    _style_axes(ax)
    if persona_name is not None:
        _legend(ax)
    _margins(fig, height, tick_labels, top_in=0.32, bottom_in=0.48)
    fig.profile_ys = ys
    return fig


def _persona_marks(ax, rows: list, ys: list[float], persona_name: str) -> list:
    """The persona's dots and the lines joining them to the organisation's bars (z-order 3,
    above bars and axes); returns the artists added."""
    org = [r[3] if r[3] is not None else float("nan") for r in rows]
    mean = [r[2] if r[2] is not None else float("nan") for r in rows]
    marks = [ax.scatter(mean, ys, s=46, color=PERSONA_COLOUR, zorder=3, label=persona_name)]
    pairs = [(yy, o, m) for yy, m, o in zip(ys, mean, org, strict=True) if m == m and o == o]
    if pairs:  # one line collection, not a Line2D per construct
        marks.append(
            ax.hlines(*zip(*pairs, strict=True), colors=PERSONA_COLOUR, linewidth=1.2, zorder=3)
        )
    return marks


def _legend(ax):
    """The legend above the plot: organisation bar and persona dot."""
    return ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)


def _profile_png(rows: list, legend: tuple[str, str, str], scale: tuple[float, float]) -> bytes:
    """The profile chart's PNG, pixel for pixel what drawing the whole figure gives, at a
    fraction of the cost: the figure without the persona (bars, labels, grid: everything
    below z-order 3) is drawn once per language and kept; for each persona that picture is
    copied back and only its dots, lines and legend are drawn on top, in the order a full
    draw would draw them (matplotlib's blitting). Same organisation figures and labels, same
    background; rows must have no missing values."""
    matplotlib = _matplotlib()
    family = _key("profile-background", [(r[0], r[1], r[3], r[4]) for r in rows], legend[0], legend[2], scale)
    with _lock, matplotlib.rc_context(_RC), warnings.catch_warnings():
        _quiet_glyph_warnings()
        if family not in _backgrounds:
            fig = _draw_profile(rows, (legend[0], None, legend[2]), scale)
            fig.canvas.draw()
            _backgrounds[family] = (fig, fig.canvas.copy_from_bbox(fig.bbox))
            while len(_backgrounds) > _BACKGROUNDS:
                _backgrounds.popitem(last=False)
        _backgrounds.move_to_end(family)
        fig, background = _backgrounds[family]
        ax = fig.axes[0]
        fig.canvas.restore_region(background)
        marks = _persona_marks(ax, rows, fig.profile_ys, legend[1])
        marks.append(_legend(ax))
        for artist in marks:
            ax.draw_artist(artist)
        png = _png(fig)
        for artist in marks:
            artist.remove()
    return png


def overview_chart(
    persona_set: dict, q, lang: str, *, min_group: int = 5, negative=frozenset()
) -> bytes:
    """PNG bytes: a heat map of every shown persona's difference from the organisation per
    construct (scale points), with the signed difference written in each cell (so it also
    reads in grey print).

    The colour says whether a difference is favourable, not whether it is positive: for a
    construct in ``negative`` (ids where a high score is bad, such as amotivation) a higher
    score is coloured as less favourable (red), so the darkest blue always means "better
    placed than the organisation". Only personas that are presented and have at least
    ``min_group`` members appear; rows are the set's ``dimensions`` (else every construct in
    a profile), in questionnaire order. Identical input returns the cached bytes object.
    """
    personas = [
        p
        for p in persona_set.get("personas") or []
        if p.get("presented") and (p.get("size") or 0) >= min_group
    ]
    dims = list(persona_set.get("dimensions") or [])
    if not dims:
        seen: dict[str, None] = {}
        for p in personas:
            seen.update(dict.fromkeys(p.get("profile") or {}))
        dims = list(seen)
    dims = _ordered_constructs(dims, q)
    names = [_chart_name(p, i + 1) for i, p in enumerate(personas)]
    org_profile = (persona_set.get("overall") or {}).get("profile") or {}
    matrix = [[_difference(p, cid, org_profile) for p in personas] for cid in dims]
    colours = favourable(matrix, dims, negative)
    row_labels = [_drawable(construct_name(q, c, lang)) or c for c in dims]
    key = _key("overview", lang, row_labels, names, matrix, colours)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    return _cache_put(key, _render(lambda: _draw_overview(matrix, colours, row_labels, names, lang)))


def favourable(matrix: list[list[float | None]], constructs: list[str], negative) -> list:
    """How favourable each difference is: the difference itself, sign-flipped on the rows of
    constructs in ``negative`` (a high amotivation is unfavourable); None stays None.
    ``matrix`` has one row per construct in ``constructs``, one column per persona."""
    return [
        [None if v is None else (-v if cid in negative else v) for v in row]
        for cid, row in zip(constructs, matrix, strict=True)
    ]


def _difference(persona: dict, cid: str, org_profile: dict) -> float | None:
    """The persona's difference from the organisation on ``cid``: its ``diff``, else the
    difference of the two means, else None."""
    entry = (persona.get("profile") or {}).get(cid) or {}
    diff = _num(entry.get("diff"))
    if (
        diff is None
        and _num(entry.get("mean")) is not None
        and _num((org_profile.get(cid) or {}).get("mean")) is not None
    ):
        diff = _num(entry["mean"]) - _num(org_profile[cid]["mean"])
    return diff


def _draw_overview(matrix: list, colours: list, row_labels: list[str], names: list[str], lang: str):
    """The heat map figure: red (less favourable) to blue (more favourable) around zero by
    ``colours`` (see ``favourable``), the signed difference itself written in every cell."""
    import numpy as np

    data = np.array([[v if v is not None else np.nan for v in row] for row in matrix], dtype=float)
    shade = np.array([[v if v is not None else np.nan for v in row] for row in colours], dtype=float)
    if data.size == 0:
        data = shade = np.zeros((max(len(row_labels), 1), max(len(names), 1)))
    height = max(2.4, 0.34 * len(row_labels) + 0.8)
    fig, ax = _figure(height)
    limit = max(1.0, float(np.nanmax(np.abs(data))) if np.isfinite(data).any() else 1.0)
    ax.imshow(shade, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_yticks(range(len(row_labels)))
    ax.set_yticklabels(row_labels)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([textwrap.fill(n, 14) for n in names])
    ax.xaxis.tick_top()
    # every cell carries its value, so no colour bar is needed (and it reads in grey print)
    for (i, j), value in np.ndenumerate(data):
        if np.isfinite(value):
            colour = "white" if abs(value) > 0.6 * limit else INK
            ax.text(j, i, _signed(value, lang), ha="center", va="center", fontsize=7.5, color=colour)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0, labelsize=8)
    wrapped = max((n.count("\n") for n in (textwrap.fill(n, 14) for n in names)), default=0)
    _margins(fig, height, row_labels, top_in=0.3 + 0.14 * wrapped, bottom_in=0.12)
    return fig


# ---------------------------------------------------------------------------------------------


def _words(lang: str) -> Catalogue:
    """The catalogue for the chart's wording; English for a language briefs do not know."""
    return catalogue(lang if lang in LANGUAGES else SOURCE_LANGUAGE)


def _matplotlib():
    """Import matplotlib on first use, headless, with a config dir that is writable.

    Only the object-oriented API is used (Figure + the Agg canvas), never pyplot: no global
    figure registry to leak, no GUI backend probing, and a faster import.
    """
    if "MPLCONFIGDIR" not in os.environ:
        home_config = Path.home() / ".config" / "matplotlib"
        if not (os.access(Path.home(), os.W_OK) or os.access(home_config, os.W_OK)):
            uid = os.getuid() if hasattr(os, "getuid") else "user"
            path = Path(tempfile.gettempdir()) / f"persona-toolkit-mpl-{uid}"
            path.mkdir(parents=True, exist_ok=True)
            os.environ["MPLCONFIGDIR"] = str(path)
    import matplotlib

    matplotlib.use("Agg", force=True)
    return matplotlib


def _figure(height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(FIGURE_WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _margins(fig, height_in: float, left_labels: list[str], *, top_in: float, bottom_in: float):
    """Room for the longest y label, measured with the renderer instead of a layout pass
    (tight_layout draws the whole figure once more: a third of a chart's time)."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(family="DejaVu Sans", size=8.5)
    widths = [renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in left_labels]
    label_in = max(widths, default=0.0) / fig.dpi
    left = min(0.6, (label_in + 0.18) / FIGURE_WIDTH_IN)
    fig.subplots_adjust(
        left=left,
        right=1 - 0.15 / FIGURE_WIDTH_IN,
        top=1 - top_in / height_in,
        bottom=bottom_in / height_in,
    )


_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.parse_math": False,  # "$" in a name is text, not TeX
}


def _quiet_glyph_warnings() -> None:
    """A glyph the font lacks is a cosmetic problem, not an error in a brief (call inside
    ``warnings.catch_warnings``)."""
    warnings.filterwarnings("ignore", message="Glyph .* missing from")
    warnings.filterwarnings("ignore", message="Matplotlib currently does not support")


def _render(draw) -> bytes:
    matplotlib = _matplotlib()
    with _lock, matplotlib.rc_context(_RC), warnings.catch_warnings():
        _quiet_glyph_warnings()
        fig = draw()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, **_PNG)
    return buffer.getvalue()


# 6 costs a third more time for 3% smaller files; no "Software" line, so bytes do not change
# with the matplotlib version
_PNG = {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": 3}}


def _png(fig) -> bytes:
    """The figure's canvas as it is now (not drawn again), as savefig writes it."""
    from matplotlib.image import imsave

    buffer = io.BytesIO()
    imsave(buffer, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi, **_PNG)
    return buffer.getvalue()


def _style_axes(ax) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", colors=INK, labelsize=8)


def _ordered_constructs(constructs: list[str], q) -> list[str]:
    if q is None or not hasattr(q, "dimension_constructs"):
        return constructs
    order = {c: i for i, c in enumerate(list(getattr(q, "constructs", {}) or {}))}
    return sorted(constructs, key=lambda c: (order.get(c, len(order)), constructs.index(c)))


def _block(q, cid: str) -> str | None:
    construct = (getattr(q, "constructs", {}) or {}).get(cid) if q is not None else None
    return getattr(construct, "block", None)


def _scale_range(q, constructs: list[str]) -> tuple[float, float]:
    """The answer scale of the constructs' items (1–5 for the default instrument)."""
    try:
        items = [q.items[i] for c in constructs for i in q.constructs[c].items]
        scales = {q.scales[i.scale] for i in items if i.scale}
        return float(min(s.min for s in scales)), float(max(s.max for s in scales))
    except (AttributeError, KeyError, TypeError, ValueError):
        return 1.0, 5.0


def _chart_name(persona: dict, index: int) -> str:
    name = _drawable(str(persona.get("name") or ""))
    return name if name else f"Persona {index}"


def _drawable(text: str) -> str:
    """``text`` when the chart font can draw it faithfully, else ''."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    if not text or len(text) > 40:
        return ""
    for ch in text:
        if unicodedata.bidirectional(ch) in ("R", "AL", "AN", "RLE", "RLO", "RLI"):
            return ""
    glyphs = _font_glyphs()
    if glyphs and any(ord(ch) not in glyphs for ch in text if not ch.isspace()):
        return ""
    return text


def _font_glyphs() -> set[int]:
    global _glyphs
    if _glyphs is None:
        try:
            _matplotlib()
            from matplotlib import font_manager
            from matplotlib.ft2font import FT2Font

            path = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
            _glyphs = set(FT2Font(path).get_charmap())
        except Exception:  # pragma: no cover - fonts are a nicety, never a failure
            _glyphs = set()
    return _glyphs


def _signed(value: float, lang: str) -> str:
    text = number(value, lang)
    return text if text.startswith("-") or text in ("0.0", "0,0") else "+" + text




def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _cache_get(key: str) -> bytes | None:
    with _lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
        return value


def _cache_put(key: str, png: bytes) -> bytes:
    with _lock:
        _cache[key] = png
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return png


def visual_png(visual, inches: float = 2.0) -> bytes:
    """PNG bytes of a persona's abstract picture (:class:`toolkit.core.visual.Visual`), square,
    ``inches`` wide at the charts' resolution, transparent around the round background; the
    same drawing as the web page's SVG (``toolkit.core.visual.visual_svg``)."""
    from toolkit.core.visual import CENTRE, SIZE

    key = _key("visual", visual.outline, visual.dots, visual.fill, visual.ink, visual.background, inches)
    cached = _cache_get(key)
    if cached is not None:
        return cached

    def draw():
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, Polygon

        fig = Figure(figsize=(inches, inches), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.patch.set_alpha(0)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, SIZE)
        ax.set_ylim(SIZE, 0)  # SVG's y axis points down
        ax.set_aspect("equal")
        ax.axis("off")
        ax.add_patch(Circle((CENTRE, CENTRE), CENTRE - 1, facecolor=visual.background, edgecolor="none"))
        ax.add_patch(Polygon(visual.outline, closed=True, facecolor=visual.fill, alpha=0.85,
                             edgecolor=visual.ink, linewidth=2 * inches / 2, joinstyle="round"))
        ax.add_patch(Circle((CENTRE, CENTRE), visual.ring, facecolor="none", edgecolor=visual.ink,
                            linewidth=1.0, linestyle=(0, (3, 3)), alpha=0.7))
        for x, y, r in visual.dots:
            ax.add_patch(Circle((x, y), r, facecolor=visual.ink, edgecolor="none"))
        return fig

    return _cache_put(key, _render(draw))
