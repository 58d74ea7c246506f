"""Stability of each persona: Hennig's clusterwise Jaccard bootstrap, and its bands.

Draw resamples with replacement, rerun the *whole* method on each at the fitted k (fresh
starts, the same merging rule), and for each persona take the best Jaccard overlap with any
resample cluster, computed on the distinct respondents in the resample; the persona's
stability is the mean over resamples (as ``fpc::clusterboot`` does). >= 0.75 is stable,
>= 0.6 indicative, below that unstable (not presented as a persona).

Each resample is one fit on n x d floats and an O(n) contingency count (no n x n matrices),
so 10 000 respondents x 100 resamples take seconds (tests/benchmarks/bench_personas.py).

Source: C. Hennig (2007), "Cluster-wise assessment of cluster stability", *Computational
Statistics & Data Analysis* 52(1), 258-271.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from toolkit.core.personas import method
from toolkit.core.personas.merging import merge_small_clusters

STABLE_FROM = 0.75
INDICATIVE_FROM = 0.6

FitPartition = Callable[[np.ndarray, int, int], method.Partition]


def clusterwise_jaccard(
    labels: np.ndarray, rows: np.ndarray, boot_labels: np.ndarray
) -> np.ndarray:
    """Best Jaccard overlap of each original cluster with any resample cluster (Hennig 2007).

    ``labels``: (n,) int array, each original row's cluster 0..k-1. ``rows``: (m,) int array
    of the *distinct* original rows present in the resample; ``boot_labels``: (m,) int array,
    their cluster in the resample, 0..kb-1. Returns a (k,) float array in [0, 1]; clusters
    without a row in the resample get NaN (not counted).
    """
    k = int(labels.max()) + 1
    kb = int(boot_labels.max()) + 1
    table = np.bincount(labels[rows] * kb + boot_labels, minlength=k * kb).reshape(k, kb)
    n_orig = table.sum(axis=1)
    n_boot = table.sum(axis=0)
    union = n_orig[:, None] + n_boot[None, :] - table
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, table / np.maximum(union, 1), 0.0).max(axis=1)
    return np.where(n_orig > 0, jaccard, np.nan)


def first_draws(idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, first): the distinct rows of a resample and where each was first drawn.

    ``idx`` is the (n_draws,) int array of drawn rows, each in 0..n-1. Returns ``rows``, the
    (m,) sorted distinct rows, and ``first``, the (m,) position in ``idx`` of each one's
    first draw -- what ``np.unique(idx, return_index=True)`` gives, by one pass over the
    draws instead of a sort.
    """
    first_at = np.full(n, len(idx), dtype=np.intp)
    np.minimum.at(first_at, idx, np.arange(len(idx), dtype=np.intp))
    rows = np.flatnonzero(first_at < len(idx))
    return rows, first_at[rows]


def bootstrap_stability(
    z: np.ndarray,
    labels: np.ndarray,
    k_fit: int,
    min_count: int,
    resamples: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    fit: FitPartition = method.fit_partition,
) -> np.ndarray:
    """Mean clusterwise Jaccard per cluster over ``resamples`` bootstrap refits (Hennig 2007).

    ``z``: (n, d) float z-scores the partition was fitted on; ``labels``: (n,) int array, the
    final clusters 0..k-1 (after merging); ``k_fit``: the k the method was fitted with
    (before merging); ``min_count``: the merging floor in respondents; ``seed``: int >= 0.
    Resample b is drawn from one generator seeded by ``seed`` and refitted with seed
    ``seed + 1 + b`` (mod 2**32) by ``fit`` (the clustering method). ``progress(done)`` is
    called after each resample. Returns a (k,) float array in [0, 1]; NaN for a cluster that
    never appeared in a resample.
    """
    k = int(labels.max()) + 1
    n = len(z)
    rng = np.random.default_rng([seed, 7919])
    total = np.zeros(k)
    counted = np.zeros(k)
    for b in range(resamples):
        idx = rng.integers(0, n, size=n)
        zb = z[idx]
        refit = fit(zb, k_fit, (seed + 1 + b) % (2**32))
        boot, _ = merge_small_clusters(zb, refit.labels, min_count)
        rows, first = first_draws(idx, n)
        jac = clusterwise_jaccard(labels, rows, boot[first])
        seen = ~np.isnan(jac)
        total[seen] += jac[seen]
        counted[seen] += 1
        if progress:
            progress(b + 1)
    return np.where(counted > 0, total / np.maximum(counted, 1), np.nan)


def stability_band(stability: float | None) -> str:
    """The band of a stability value: "stable", "indicative", "unstable" or "not_assessed".

    ``stability`` is a mean Jaccard in [0, 1], or None when no bootstrap ran. Stable from
    ``STABLE_FROM`` (0.75), indicative from ``INDICATIVE_FROM`` (0.6), after Hennig (2007).
    """
    if stability is None:
        return "not_assessed"
    if stability >= STABLE_FROM:
        return "stable"
    if stability >= INDICATIVE_FROM:
        return "indicative"
    return "unstable"


def _without_crossing(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals``, or cut off towards its own band when rounding would
    carry it into another band (0.748 -> 0.74 at 2 decimals: 0.75 would read as stable)."""
    near = round(value, decimals)
    if stability_band(near) == stability_band(value):
        return near
    step = 10.0**-decimals
    return math.floor(value / step + 1e-9) * step if near > value else math.ceil(value / step - 1e-9) * step


def stability_value(stability: float | None, decimals: int = 3) -> float | None:
    """A mean Jaccard as stored: rounded to ``decimals``, never across a band threshold.

    ``stability`` in [0, 1] or None (not assessed; NaN counts as None). 0.74996 is stored as
    0.749, not 0.750, so the stored figure and :func:`stability_band` of the unrounded value
    always agree.
    """
    if stability is None or not math.isfinite(stability):
        return None
    return round(_without_crossing(float(stability), decimals), decimals)


def shown_stability(stability: float | None, decimals: int = 2) -> float | None:
    """A stability as shown on a page, a brief or the command line: ``decimals`` places, its band kept.

    0.748 (indicative) is shown as 0.74, never 0.75; 0.596 (unstable) as 0.59. Use it with the
    band beside it (:func:`stability_band` of the stored value). None stays None.
    """
    if stability is None or not math.isfinite(stability):
        return None
    return round(_without_crossing(float(stability), decimals), decimals)


def stability_text(stability: float | None) -> str:
    """Plain English for the command line: "0.74 (indicative)", "0.91 (stable)", "not assessed".

    The figure is :func:`shown_stability` (two decimals, its band kept), the band that of
    ``stability`` itself.
    """
    if stability is None or not math.isfinite(stability):
        return "not assessed"
    return f"{shown_stability(stability):.2f} ({stability_band(stability)})"
