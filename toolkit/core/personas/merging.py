"""Minimum persona size: clusters below the floor are merged into their nearest neighbour.

A cluster smaller than max(``min_size``, ``min_share`` x n) is merged into the cluster with
the nearest centroid (in z-space), smallest first, repeated until every cluster is large
enough. Both floors may be raised, never lowered below ``MIN_SIZE_FLOOR`` people and
``MIN_SHARE_FLOOR`` of the respondents (privacy: no persona describes fewer people).
"""

from __future__ import annotations

import math

import numpy as np

MIN_SIZE_FLOOR = 5
MIN_SHARE_FLOOR = 0.05


def min_persona_size(n: int, min_size: int, min_share: float) -> int:
    """The merging floor in respondents: max(``min_size``, ceil(``min_share`` x ``n``)).

    ``n`` is the number of respondents clustered, ``min_size`` a count, ``min_share`` a
    fraction in [0, 1]. The tiny tolerance keeps 0.05 x 100 at 5, not 6.
    """
    return max(int(min_size), math.ceil(min_share * n - 1e-9))


def _consecutive(labels: np.ndarray) -> np.ndarray:
    """Relabel to 0..m-1 (sorted old labels), so empty mixture components leave no gaps.

    ``labels`` are ints >= 0. A count per label instead of ``np.unique``: no sort of the n
    rows, which the bootstrap does several times per resample.
    """
    if not labels.size:
        return labels.astype(np.int64)
    new_number = np.cumsum(np.bincount(labels) > 0) - 1
    return new_number[labels].astype(np.int64)


def _centroids(z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(labels, minlength=k).astype(float)
    sums = np.zeros((k, z.shape[1]))
    for c in range(k):
        sums[c] = z[labels == c].sum(axis=0)
    return sums / np.maximum(counts, 1.0)[:, None]


def merge_small_clusters(
    z: np.ndarray, labels: np.ndarray, min_count: int
) -> tuple[np.ndarray, list[int]]:
    """Merge clusters below ``min_count`` into the nearest centroid; return labels and sizes merged.

    ``z``: (n, d) float z-scores; ``labels``: (n,) int array of clusters (gaps allowed);
    ``min_count``: the floor in respondents. Returns the new (n,) int64 labels, numbered
    0..m-1 without gaps, and the sizes of the merged clusters in merge order.

    The smallest cluster goes first and centroids are recomputed after each merge, so the
    result does not depend on the order clusters happen to be numbered in (ties in size go
    to the lower number).
    """
    labels = _consecutive(labels)
    merged: list[int] = []
    while True:
        k = int(labels.max()) + 1 if labels.size else 0
        if k <= 1:
            return labels, merged
        counts = np.bincount(labels, minlength=k)
        small = [c for c in range(k) if counts[c] < min_count]
        if not small:
            return labels, merged
        victim = min(small, key=lambda c: (counts[c], c))
        centres = _centroids(z, labels, k)
        distance = np.linalg.norm(centres - centres[victim], axis=1)
        distance[victim] = np.inf
        target = int(np.argmin(distance))
        merged.append(int(counts[victim]))
        labels = _consecutive(np.where(labels == victim, target, labels))


def rank_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 by size, largest first; ties by their first row.

    ``labels`` is an (n,) int array of clusters 0..k-1 without gaps, rows in canonical order
    (so the first row of a cluster is a matter of content). Returns the renumbered (n,) array.
    """
    k_final = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=k_final)
    first_row = np.array([np.flatnonzero(labels == c)[0] for c in range(k_final)])
    ranking = sorted(range(k_final), key=lambda c: (-sizes[c], first_row[c]))
    relabel = np.empty(k_final, dtype=np.int64)
    relabel[ranking] = np.arange(k_final)
    return relabel[labels]
