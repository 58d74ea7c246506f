"""Geometry of the per-construct trend charts, drawn as inline SVG by the template.

Plain numbers in, coordinates out: no JavaScript and no chart library, so the charts obey the
content security policy and print as they look.
"""

from __future__ import annotations

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 96, 12, 28


def _y(value: float, lo: float, hi: float) -> float:
    return round(TOP + (hi - value) / (hi - lo) * (HEIGHT - TOP - BOTTOM), 1)


LABEL_GAP = 11  # px between end-of-line labels, so names that end close together stay readable


def _spread_labels(lines: list[dict]) -> None:
    ordered = sorted(lines, key=lambda ln: ln["label_y"])
    for previous, current in zip(ordered, ordered[1:], strict=False):
        current["label_y"] = max(current["label_y"], previous["label_y"] + LABEL_GAP)
    overflow = (ordered[-1]["label_y"] - (HEIGHT - 4)) if ordered else 0
    if overflow > 0:
        for ln in ordered:
            ln["label_y"] = round(ln["label_y"] - overflow, 1)


def chart(trend: dict, round_labels: list[str], lo: float = 1.0, hi: float = 5.0) -> dict:
    """Coordinates for one construct: the organisation line and one line per persona.

    A round where the construct was not measured leaves a gap, never a made-up point.
    """
    values = [v for v in trend["organisation"] if v is not None]
    values += [v for p in trend["personas"] for v in p["values"] if v is not None]
    lo, hi = min([lo, *values]), max([hi, *values])
    count = len(round_labels)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    xs = [round(LEFT + i * step if count > 1 else (WIDTH - RIGHT + LEFT) / 2, 1) for i in range(count)]

    def line(name, series, css):
        segments, current, dots = [], [], []
        for x, v, label in zip(xs, series, round_labels, strict=True):
            if v is None:
                if current:
                    segments.append(current)
                current = []
                continue
            y = _y(v, lo, hi)
            current.append(f"{x},{y}")
            dots.append({"x": x, "y": y, "title": f"{label}: {v:.2f}"})
        if current:
            segments.append(current)
        last = dots[-1] if dots else None
        return {"name": name, "css": css, "segments": [" ".join(s) for s in segments], "dots": dots,
                "label_x": WIDTH - RIGHT + 6, "label_y": last["y"] + 4 if last else None}

    lines = [line(p["name"], p["values"], "persona") for p in trend["personas"]]
    lines.append(line("org", trend["organisation"], "org"))
    _spread_labels([ln for ln in lines if ln["label_y"] is not None])
    ticks = [{"y": _y(v, lo, hi), "label": f"{v:g}"} for v in range(int(lo), int(hi) + 1)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM,
            "xs": [{"x": x, "label": label} for x, label in zip(xs, round_labels, strict=True)],
            "ticks": ticks, "lines": lines}
