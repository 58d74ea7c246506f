"""What a persona needs most from the change story, and what kind of motivation it runs on.

Two readings of a persona's profile (z-scores against the organisation) that the documents
build on — the key sentence on the card, the key-message house, the calendar and the
training plan:

- ``persona_need``: the theme the message should lead with. Each theme has signal constructs
  (a high amotivation or low management support asks for *trust* first; low appropriateness
  or valence for the *why*; low change efficacy for *support*; high controlled motivation for
  *clarity*; high autonomous motivation, valence or commitment for *ownership*). The theme
  whose strongest signal departs furthest from the organisation wins, if it departs by at
  least ``MIN_SIGNAL_Z``; otherwise the persona gets the *general* story. Readiness constructs
  after Armenakis & Harris (2009) and Holt et al. (2007).
- ``motivation_type``: autonomous, controlled or amotivated, after self-determination theory
  (Ryan & Deci 2000): intrinsic and identified regulation are autonomous; introjected and
  external (social, material) regulation are controlled. Training is designed differently for
  each (choice and purpose; structure and recognition; relevance and a quick first success).

Only constructs the questionnaire measured and that rest on at least the minimum group count;
an instrument without them gives the general theme and no motivation type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from toolkit.core.numbers import finite_float

THEMES = ("trust", "why", "support", "clarity", "ownership", "general")
# theme -> (construct, sign): +1 when a high score signals the theme, -1 when a low one does.
SIGNALS: dict[str, tuple[tuple[str, int], ...]] = {
    "trust": (("amotivation", 1), ("management_support", -1)),
    "why": (("appropriateness", -1), ("personal_valence", -1), ("affective_commitment", -1)),
    "support": (("change_efficacy", -1),),
    "clarity": (("introjected", 1), ("external_social", 1), ("external_material", 1)),
    "ownership": (
        ("intrinsic", 1),
        ("identified", 1),
        ("personal_valence", 1),
        ("affective_commitment", 1),
    ),
}
MIN_SIGNAL_Z = 0.5
AUTONOMOUS = ("intrinsic", "identified")
CONTROLLED = ("introjected", "external_social", "external_material")
AMOTIVATION = "amotivation"
AMOTIVATED_Z = 1.0  # amotivation this far above the organisation outweighs the rest
TYPE_GAP_Z = 0.5  # autonomous and controlled must differ this much to name a type


@dataclass(frozen=True)
class Need:
    """The theme a persona's story should lead with, and the figure behind it.

    ``theme`` is one of ``THEMES``; ``construct`` the signal construct that decided it (None
    for "general"), ``z`` its standardised difference from the organisation and ``entry``
    its profile entry (mean, n, diff, z) on the questionnaire's scale.
    """

    theme: str
    construct: str | None = None
    z: float | None = None
    entry: Mapping | None = None


def z_of(persona: Mapping, overall: Mapping, construct: str, min_group: int) -> float | None:
    """The persona's standardised difference from the organisation on ``construct``: its
    ``z``, else ``diff`` divided by the organisation's standard deviation; None when the
    construct is missing or rests on fewer than ``min_group`` people."""
    entry = (persona.get("profile") or {}).get(construct)
    if not isinstance(entry, Mapping):
        return None
    n = finite_float(entry.get("n"))
    if n is None or n < min_group:
        return None
    z = finite_float(entry.get("z"))
    if z is not None:
        return z
    diff = finite_float(entry.get("diff"))
    sd = finite_float(((overall.get("profile") or {}).get(construct) or {}).get("sd"))
    return diff / sd if diff is not None and sd else None


def persona_need(persona: Mapping, overall: Mapping, min_group: int) -> Need:
    """The theme ``persona`` needs most (see the module notes); ties go to the earlier theme
    in ``THEMES`` (trust before the why before support …)."""
    best = Need("general")
    for theme in THEMES[:-1]:
        for construct, sign in SIGNALS[theme]:
            z = z_of(persona, overall, construct, min_group)
            if z is None or sign * z < MIN_SIGNAL_Z:
                continue
            if best.z is None or sign * z > abs(best.z):
                entry = (persona.get("profile") or {}).get(construct)
                best = Need(theme, construct, z, entry)
    return best


def motivation_type(persona: Mapping, overall: Mapping, min_group: int) -> str | None:
    """"autonomous", "controlled", "amotivated" or "mixed" (see the module notes); None when
    the questionnaire measured neither autonomous nor controlled motivation."""
    amotivation = z_of(persona, overall, AMOTIVATION, min_group)
    if amotivation is not None and amotivation >= AMOTIVATED_Z:
        return "amotivated"
    autonomous = _mean_z(persona, overall, AUTONOMOUS, min_group)
    controlled = _mean_z(persona, overall, CONTROLLED, min_group)
    if autonomous is None and controlled is None:
        return None
    gap = (autonomous or 0.0) - (controlled or 0.0)
    if gap >= TYPE_GAP_Z:
        return "autonomous"
    if gap <= -TYPE_GAP_Z:
        return "controlled"
    return "mixed"


def _mean_z(persona, overall, constructs, min_group) -> float | None:
    values = [z_of(persona, overall, c, min_group) for c in constructs]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None
