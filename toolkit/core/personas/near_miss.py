"""Near misses: a group the chosen k does not show, but the next larger k would, stably enough.

k = 1 ("no distinct personas") or a small k is an honest answer, but not the whole story when
one more split would find a real group: on a real survey the default said k = 1 while a forced
k = 2 found a quarter of the people with 50 % job dissatisfaction against 7 %, stability 0.68.
So after the set is made, the method is run once more at the next k that gives more groups
than the set has (after merging small clusters), exactly as ``--k`` would run it -- the same
fit, the same merging, the same bootstrap with the same seed -- so the stability reported here
is the one the user gets when they try that k. The group of that partition that overlaps
least with the set's own personas (Jaccard) is "the new group"; when its stability is
indicative or better (>= 0.6) it is recorded as a near miss, with its size and what sets it
apart, and never presented as a persona.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from toolkit.core.personas import method as clustering
from toolkit.core.personas.merging import merge_small_clusters, rank_by_size
from toolkit.core.personas.profiles import column_stats, distinguishing, persona_profile, rounded
from toolkit.core.personas.stability import (
    INDICATIVE_FROM,
    bootstrap_stability,
    clusterwise_jaccard,
    stability_band,
    stability_value,
)
from toolkit.core.shapes import NearMiss


def larger_partition(search, labels: np.ndarray, k_fit: int, min_count: int):
    """(k, merged labels) of the first k above ``k_fit`` whose partition, after merging, has
    more groups than ``labels``; None when no k up to the search's largest gives more."""
    k_now = int(labels.max()) + 1
    k_max = max(len(search.scores), k_fit)
    for k_try in range(k_fit + 1, k_max + 1):
        merged, _sizes = merge_small_clusters(search.z, search.partition(k_try).labels, min_count)
        if int(merged.max()) + 1 > k_now:
            return k_try, rank_by_size(merged)
    return None


def find_near_miss(
    z: np.ndarray,
    raw: np.ndarray,
    labels: np.ndarray,
    search,
    k_fit: int,
    min_count: int,
    bootstrap: int,
    seed: int,
    organisation: tuple,
    progress: Callable[[int], None] | None = None,
) -> NearMiss | None:
    """The near miss of a persona set (shape :class:`NearMiss`), or None.

    ``z``/``raw``: the (n, d) z-scores and scale-point scores of the included rows, canonical
    order; ``labels``: the set's (n,) clusters after merging and ranking; ``search``: the k
    search (``method.search_k``) or None; ``k_fit``: the k the set was fitted with;
    ``min_count``: the merging floor; ``bootstrap``: resamples (0: nothing is checked);
    ``seed``: the data seed; ``organisation``: (dims, org_mean, org_sd) for the profile.
    ``progress(done)`` is called per resample. None when there is no larger k with more
    groups, when stability is not assessed, or when the new group is below indicative.
    """
    if search is None or not bootstrap:
        return None
    found = larger_partition(search, labels, k_fit, min_count)
    if found is None:
        return None
    k_try, bigger = found
    stability = bootstrap_stability(
        z, bigger, k_try, min_count, bootstrap, seed, progress, fit=clustering.fit_partition
    )
    overlap = clusterwise_jaccard(bigger, np.arange(len(z)), labels)
    new = int(np.nanargmin(overlap))
    if not stability[new] >= INDICATIVE_FROM:
        return None
    dims, org_mean, org_sd = organisation
    rows = bigger == new
    mean, _sd, count = column_stats(raw[rows])
    profile = persona_profile(dims, mean, count, org_mean, org_sd)
    return {
        "k": int(k_try),
        "size": int(rows.sum()),
        "share": rounded(rows.sum() / len(rows)),
        "stability": stability_value(float(stability[new])),
        "stability_band": stability_band(float(stability[new])),
        "overlap": rounded(float(overlap[new])),
        "distinguishing": distinguishing(dims, profile, org_mean),
    }
