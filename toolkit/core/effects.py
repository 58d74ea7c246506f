"""Effect sizes and their intervals: how large a difference between a persona and the rest is.

Each function takes plain counts or values and returns plain floats, so a persona page can say
"40 % against 5 % elsewhere, a difference of 35 points (95 % CI 25 to 44), Cramér's V 0.41".

- :func:`wilson_interval`: the score interval of one proportion (Wilson 1927), which stays
  inside [0, 1] and behaves at 0 % and 100 %, unlike the textbook normal interval;
- :func:`newcombe_difference`: the difference of two independent proportions with Newcombe's
  hybrid score interval built from the two Wilson intervals (Newcombe 1998, method 10);
- :func:`cramers_v`: the strength of association in a contingency table (Cramér 1946), 0 = no
  association, 1 = complete; for a 2 x 2 table it equals the absolute phi coefficient;
- :func:`mean_difference`: the difference of two means with Welch's interval, which does not
  assume equal variances (Welch 1947), and Cohen's d with the pooled standard deviation;
- :func:`magnitude`: Cohen's (1988) words for the size of V (one degree of freedom) or d.

Sources: E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
inference", *JASA* 22(158), 209-212; R. G. Newcombe (1998), "Interval estimation for the
difference between independent proportions: comparison of eleven methods", *Statistics in
Medicine* 17(8), 873-890; H. Cramér (1946), *Mathematical Methods of Statistics*, Princeton
University Press, p. 282; B. L. Welch (1947), "The generalization of 'Student's' problem when
several different population variances are involved", *Biometrika* 34(1-2), 28-35; J. Cohen
(1988), *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., Erlbaum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
# Cohen (1988): small, medium and large for a correlation-like measure (V with one degree of
# freedom, phi) and for a standardised mean difference (d).
V_STEPS = (0.1, 0.3, 0.5)
D_STEPS = (0.2, 0.5, 0.8)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (Wilson 1927) of the proportion ``successes`` / ``n``.

    ``successes`` and ``n`` are counts with 0 <= successes <= n and n >= 1; ``z`` the normal
    quantile (1.96 for 95 %). Returns (lower, upper) as fractions in [0, 1]. Raises
    ValueError for n < 1 or successes outside 0..n.
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(
    k1: int, n1: int, k2: int, n2: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference p1 - p2 of two independent proportions with Newcombe's hybrid score interval.

    ``k1`` of ``n1`` and ``k2`` of ``n2`` are counts (n >= 1). Returns (difference, lower,
    upper) as fractions in [-1, 1]; the interval combines the Wilson intervals of both
    proportions (Newcombe 1998, method 10). Raises ValueError as :func:`wilson_interval`.
    """
    p1, p2 = k1 / n1 if n1 else math.nan, k2 / n2 if n2 else math.nan
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    diff = p1 - p2
    lower = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, max(-1.0, lower), min(1.0, upper)


def cramers_v(table: Sequence[Sequence[float]]) -> float | None:
    """Cramér's V of a contingency table of counts (Cramér 1946): sqrt(chi2 / (n (m - 1))).

    ``table`` is rows x columns of non-negative counts; rows and columns without any count are
    left out first. m is the smaller of the remaining numbers of rows and columns. Returns V in
    [0, 1], or None when fewer than two rows or columns remain (no association to measure).
    """
    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.ndim != 2 or min(counts.shape) < 2:
        return None
    n = counts.sum()
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / n
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (n * (min(counts.shape) - 1)))


def mean_difference(
    first: Sequence[float], second: Sequence[float], level: float = 0.95
) -> tuple[float, float, float, float | None]:
    """Difference of two means with Welch's interval (Welch 1947) and Cohen's d (Cohen 1988).

    ``first`` and ``second`` are the values of two independent groups, each with at least two
    values; ``level`` the confidence level. Returns (mean1 - mean2, lower, upper, d), where d
    is the difference in pooled standard deviations (None when both groups have no spread; the
    interval is then the difference itself). Raises ValueError when a group has fewer than two
    values.
    """
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError("each group needs at least two values")
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    pooled = math.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2))
    d = diff / pooled if pooled > 0 else None
    if va + vb == 0:
        return diff, diff, diff, d
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    from scipy.special import stdtrit

    half = float(stdtrit(df, 0.5 + level / 2)) * math.sqrt(va + vb)
    return diff, diff - half, diff + half, d


def magnitude(value: float | None, measure: str) -> str | None:
    """Cohen's (1988) word for an effect: "negligible", "small", "medium" or "large".

    ``measure`` is "cramers_v" (thresholds 0.1, 0.3, 0.5, as for one degree of freedom) or
    "cohens_d" (0.2, 0.5, 0.8); the sign of ``value`` is ignored. None when value is None.
    Raises ValueError for another measure.
    """
    if value is None:
        return None
    steps = {"cramers_v": V_STEPS, "cohens_d": D_STEPS}.get(measure)
    if steps is None:
        raise ValueError(f"unknown effect measure '{measure}'")
    size = abs(value)
    words = ("negligible", "small", "medium", "large")
    return words[sum(size >= s for s in steps)]
