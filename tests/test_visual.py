"""A persona's visual identity: abstract, drawn only from its key and scores, the same every time."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

from toolkit.core import visual

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "persona_set_example.json"


def example_set() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_picture_is_drawn_from_the_key_and_the_scores_only():
    # No argument could carry gender, age or ethnicity: the key and construct z-scores.
    assert list(inspect.signature(visual.persona_visual).parameters) == ["key", "z_by_construct", "colour"]
    persona = example_set()["personas"][0]
    z = visual.profile_z(persona)
    assert z and all(c in persona["profile"] for c in z)
    assert visual.persona_visual(persona["key"], z) == visual.persona_visual(persona["key"], dict(reversed(z.items())))


def test_different_profiles_give_different_shapes_and_the_shape_follows_the_scores():
    flat = visual.persona_visual("p1", {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0})
    high_a = visual.persona_visual("p1", {"a": 1.5, "b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0})
    assert flat.outline != high_a.outline
    # spoke "a" points up: a high score reaches further out than the organisation ring
    top = min(y for _x, y in high_a.outline)
    assert visual.CENTRE - top > visual.RING + 10
    assert flat.dots == ()  # nothing stands out, nothing is marked
    assert len(high_a.dots) == 1


def test_personas_of_one_set_get_different_colours():
    personas = [{"key": f"p{i}", "profile": {"a": {"z": i / 3}}} for i in range(6)]
    pictures = visual.set_visuals(personas)
    assert len({v.fill for v in pictures.values()}) == 6


def test_svg_stays_inside_its_box_and_needs_no_style_or_image():
    svg = visual.visual_svg(visual.persona_visual("x", {"a": 9.0, "b": -9.0, "c": 3.0}))
    assert 'aria-hidden="true"' in svg and "<image" not in svg and "style=" not in svg
    numbers = [float(v) for v in re.findall(r"[ML] ([\d.]+) ([\d.]+)", svg) for v in v]
    assert numbers and min(numbers) >= 0 and max(numbers) <= visual.SIZE
