"""A persona's visual identity: an abstract picture drawn from its key and its scores.

Never a photo, never a face, and never derived from gender, age, ethnicity or any other trait
of the people in the group: the picture is a closed shape around a dashed ring. The ring
stands for the organisation; the shape reaches outwards on every construct where the persona
scores above the organisation and inwards where it scores below (its z-score, clipped at
``Z_CLIP``), so two personas with different profiles look different and a persona that is
re-derived on the same answers keeps its look. The two constructs furthest from the
organisation get a dot. The colour comes from the persona's key (a hash), moved on to the next
free colour when two personas of one set would share one.

The geometry is plain data (:class:`Visual`), drawn as inline SVG here (``visual_svg``, for
the web pages) and as a PNG by the slides (toolkit.briefs.slides). Pure: no Flask, no files.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from toolkit.core.numbers import finite_float

SIZE = 120  # the picture's width and height in its own units
CENTRE = SIZE / 2
RING = 32.0  # radius of the organisation ring
Z_STEP = 13.0  # radius units per standard deviation
Z_CLIP = 1.8  # z beyond this is drawn at this (the shape stays inside the picture)
MIN_SPOKES = 5  # fewer constructs than this are padded with the organisation's level
SAMPLES = 10  # points per spoke on the smooth outline
# (shape, ink, background): calm colours that print well and differ for colour-blind readers.
PALETTE = (
    ("#4f7fc4", "#1f4f8f", "#e3ecf8"),
    ("#d08a3c", "#8a5314", "#f8ecdd"),
    ("#5aa37a", "#2a6645", "#e2f1e8"),
    ("#9b6fc0", "#5e3b85", "#efe6f7"),
    ("#c4606b", "#84303a", "#f7e3e5"),
    ("#3e9fa6", "#1d6469", "#dff1f2"),
    ("#a38f3a", "#675812", "#f3efd9"),
    ("#7a8496", "#434b5c", "#eceef2"),
)


@dataclass(frozen=True)
class Visual:
    """The picture of one persona, in a ``SIZE`` x ``SIZE`` box.

    ``outline``: closed smooth outline as (x, y) points; ``ring``: the organisation ring's
    radius around the centre; ``dots``: (x, y, radius) accents; ``fill``, ``ink`` and
    ``background``: "#rrggbb" colours; ``spokes``: the constructs, in drawing order.
    """

    outline: tuple[tuple[float, float], ...]
    ring: float
    dots: tuple[tuple[float, float, float], ...]
    fill: str
    ink: str
    background: str
    spokes: tuple[str, ...]


def colour_index(key: str) -> int:
    """The palette entry a persona key hashes to (0 to ``len(PALETTE) - 1``)."""
    digest = hashlib.sha256(str(key).encode("utf-8")).digest()
    return digest[0] % len(PALETTE)


def profile_z(persona: Mapping, dimensions: Iterable[str] | None = None) -> dict[str, float]:
    """The persona's z-score per construct (``profile[c]["z"]``), only finite ones; limited to
    ``dimensions`` (the constructs the personas were formed on) when given."""
    wanted = set(dimensions) if dimensions else None
    result = {}
    for construct, entry in (persona.get("profile") or {}).items():
        z = finite_float(entry.get("z")) if isinstance(entry, Mapping) else None
        if z is not None and (wanted is None or construct in wanted):
            result[construct] = z
    return result


def persona_visual(key: str, z_by_construct: Mapping[str, float], colour: int | None = None) -> Visual:
    """The picture of the persona with ``key`` and z-scores ``z_by_construct`` (construct id
    -> z against the organisation). ``colour`` picks a palette entry (default: the key's
    hash, :func:`colour_index`). Constructs are drawn in id order, so the picture does not
    depend on the order of a dict."""
    spokes = sorted(z_by_construct)
    values = [max(-Z_CLIP, min(Z_CLIP, float(z_by_construct[c]))) for c in spokes]
    values += [0.0] * max(0, MIN_SPOKES - len(values))
    points = [_spoke_point(i, len(values), RING + Z_STEP * z) for i, z in enumerate(values)]
    outline = tuple(_smooth_closed(points, SAMPLES))
    strongest = sorted(range(len(spokes)), key=lambda i: (-abs(values[i]), spokes[i]))[:2]
    dots = tuple((*points[i], 4.0) for i in strongest if abs(values[i]) >= 0.3)
    fill, ink, background = PALETTE[(colour_index(key) if colour is None else colour) % len(PALETTE)]
    return Visual(outline, RING, dots, fill, ink, background, tuple(spokes))


def set_visuals(personas: Iterable[Mapping], dimensions: Iterable[str] | None = None) -> dict[str, Visual]:
    """The pictures of a set's personas by key, each with its own colour as long as the palette
    lasts: in key order, a persona whose hashed colour is taken gets the next free one."""
    dimensions = list(dimensions or [])
    taken: set[int] = set()
    result = {}
    for persona in sorted(personas, key=lambda p: str(p.get("key"))):
        colour = colour_index(str(persona.get("key")))
        for step in range(len(PALETTE)):
            if (colour + step) % len(PALETTE) not in taken:
                colour = (colour + step) % len(PALETTE)
                break
        taken.add(colour)
        result[str(persona.get("key"))] = persona_visual(
            str(persona.get("key")), profile_z(persona, dimensions), colour)
    return result


def visual_svg(visual: Visual, css_class: str = "persona-visual") -> str:
    """The picture as inline SVG markup (decorative: hidden from screen readers, which read
    the card's words instead). Colours are SVG attributes, not style, so a strict
    Content-Security-Policy allows them."""
    path = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in visual.outline) + " Z"
    parts = [
        f'<svg class="{escape(css_class)}" viewBox="0 0 {SIZE} {SIZE}" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{CENTRE - 1}" fill="{visual.background}"/>',
        f'<path d="{path}" fill="{visual.fill}" fill-opacity="0.85" stroke="{visual.ink}" '
        'stroke-width="2" stroke-linejoin="round"/>',
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{visual.ring}" fill="none" stroke="{visual.ink}" '
        'stroke-width="1.2" stroke-dasharray="3 3" stroke-opacity="0.7"/>',
    ]
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{visual.ink}"/>' for x, y, r in visual.dots]
    parts.append("</svg>")
    return "".join(parts)


def _spoke_point(index: int, count: int, radius: float) -> tuple[float, float]:
    angle = 2 * math.pi * index / count - math.pi / 2  # the first spoke points up
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


def _smooth_closed(points: list[tuple[float, float]], samples: int) -> list[tuple[float, float]]:
    """A closed Catmull-Rom curve through ``points``, ``samples`` points per segment."""
    n = len(points)
    out = []
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        for step in range(samples):
            t = step / samples
            t2, t3 = t * t, t * t * t
            out.append(tuple(
                0.5 * (2 * p1[a] + (p2[a] - p0[a]) * t + (2 * p0[a] - 5 * p1[a] + 4 * p2[a] - p3[a]) * t2
                       + (3 * p1[a] - p0[a] - 3 * p2[a] + p3[a]) * t3)
                for a in (0, 1)))
    return [(min(SIZE - 1.0, max(1.0, x)), min(SIZE - 1.0, max(1.0, y))) for x, y in out]
