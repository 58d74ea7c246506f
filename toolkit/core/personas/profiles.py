"""Profiles and level: what a persona scores per construct, against the organisation.

A persona's profile gives per dimension construct its mean in scale points, the difference
from the organisation's mean, and that difference in the organisation's standard deviations
(z). The *distinguishing* constructs are those with |z| >= ``DISTINGUISHING_Z``, strongest
first. The *level* is the mean of the level constructs' means (personas.toml ``[level]``:
the readiness constructs plus amotivation mirrored on its scale, so higher = more positive
about the change); if none of them exist in the questionnaire, all dimension constructs
count, none mirrored. The level is reported, never clustered on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from toolkit.core.personas.config import PersonaConfig
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.shapes import Distinguishing, ProfileEntry

DECIMALS = 3
DISTINGUISHING_Z = 0.5
DISTINGUISHING_TOP = 4


def rounded(value: float | None, decimals: int = DECIMALS) -> float | None:
    """``value`` rounded to ``decimals`` places as a float; None for None, NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), decimals)


def column_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sd (ddof 1) and count of observed values per column, without empty-slice warnings.

    ``x`` is an (n, d) float array with NaN for missing. Returns three (d,) arrays: mean
    (NaN when a column has no value), sd (NaN with fewer than two values) and count (int).
    """
    observed = ~np.isnan(x)
    count = observed.sum(axis=0)
    total = np.where(observed, x, 0.0).sum(axis=0)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    dev = np.where(observed, x - mean, 0.0)
    var = np.where(count > 1, (dev**2).sum(axis=0) / np.maximum(count - 1, 1), np.nan)
    return mean, np.sqrt(var), count


def _scale_range(q: Questionnaire, construct: str) -> tuple[int, int]:
    item = q.items[q.constructs[construct].items[0]]
    scale = q.scales[item.scale]
    return scale.min, scale.max


def level(
    q: Questionnaire,
    means: Mapping[str, float | None],
    parts: Sequence[str],
    reversed_: Sequence[str],
) -> float | None:
    """The level in scale points: the mean of ``means`` over ``parts``, ``reversed_`` mirrored.

    ``means`` maps construct ids to a mean score (None or NaN = no data, skipped); a reversed
    construct counts as min + max - mean on its own scale. None when no part has a mean.
    """
    values = []
    for c in parts:
        m = means.get(c)
        if m is None or not math.isfinite(m):
            continue
        if c in reversed_:
            lo, hi = _scale_range(q, c)
            m = lo + hi - m
        values.append(m)
    return float(np.mean(values)) if values else None


def level_definition(
    q: Questionnaire, dims: Sequence[str], config: PersonaConfig
) -> tuple[list[str], list[str]]:
    """(constructs, reversed constructs) that make up the level for these dimensions.

    The configured level constructs present among ``dims``; all of ``dims`` (none reversed)
    when none of them is.
    """
    parts = [c for c in config.level_constructs if c in dims]
    if not parts:
        return list(dims), []
    return parts, [c for c in config.level_reversed if c in parts]


def persona_profile(
    dims: Sequence[str], mean: np.ndarray, count: np.ndarray, org_mean: np.ndarray,
    org_sd: np.ndarray,
) -> dict[str, ProfileEntry]:
    """Per construct: the persona's mean, n, difference from the organisation and z.

    ``mean``/``count`` are the persona's (d,) column statistics, ``org_mean``/``org_sd`` the
    organisation's, all in scale points and in the order of ``dims``. z is the difference in
    organisation sd (0.0 when that sd is 0); every figure None when no member answered.
    """
    profile = {}
    for j, construct in enumerate(dims):
        m = float(mean[j]) if count[j] else None
        diff = m - org_mean[j] if m is not None else None
        zval = (
            diff / org_sd[j]
            if diff is not None and org_sd[j] > 0
            else (0.0 if diff is not None else None)
        )
        profile[construct] = {
            "mean": rounded(m),
            "n": int(count[j]),
            "diff": rounded(diff),
            "z": rounded(zval),
        }
    return profile


def distinguishing(
    dims: Sequence[str], profile: Mapping[str, ProfileEntry], org_mean: np.ndarray
) -> list[Distinguishing]:
    """The constructs with |z| >= DISTINGUISHING_Z, strongest first, at most DISTINGUISHING_TOP.

    Ties in |z| keep the order of ``dims``. ``org_mean`` is the organisation's (d,) mean in
    scale points, in the order of ``dims``.
    """
    candidates = [
        (construct, v)
        for construct, v in profile.items()
        if v["z"] is not None and abs(v["z"]) >= DISTINGUISHING_Z
    ]
    candidates.sort(key=lambda cv: (-abs(cv[1]["z"]), dims.index(cv[0])))
    return [
        {
            "construct": construct,
            "mean": v["mean"],
            "org_mean": rounded(org_mean[dims.index(construct)]),
            "diff": v["diff"],
            "z": v["z"],
            "n": v["n"],
            "direction": "high" if v["z"] > 0 else "low",
        }
        for construct, v in candidates[:DISTINGUISHING_TOP]
    ]
