"""The clustering method: a tied-covariance Gaussian mixture, k chosen by BIC.

Everything specific to the method lives in this file; the rest of the package sees only
:func:`fit_partition` (one partition of the rows into k groups) and :func:`search_k` (the
k-selection, which hands its fitted partitions back so they are not fitted twice), plus the
texts that describe the method in the persona set's ``quality`` record. Another method is
another file with the same names (``NAME``, ``criterion``, ``quality_notes``,
``fit_partition``, ``search_k``), imported as ``clustering`` in ``derive.py``.

**Why a tied-covariance mixture.** Survey answers have a strong general factor: some people
are simply more positive about everything. K-means (or a diagonal mixture) slices that one
elongated cloud into "happy / neutral / unhappy" groups -- exactly the personas we do not
want. One shared ("tied") full covariance models that correlation *inside* every cluster, so
one cloud that only varies in overall positivity stays one cluster, and clusters must differ
in the *location* of their profile. Each fit starts from k-means centres.

**Why BIC with a minimum gain.** BIC (Schwarz 1978) trades log-likelihood against the number
of parameters. Plain BIC keeps rewarding tiny departures from normality (rounded likert
answers, clipped scale ends) as n grows, so the chosen k is the *smallest* k whose BIC is
within ``MIN_BIC_GAIN_PER_RESPONDENT`` x n of the lowest: a split has to earn its place by a
minimum improvement per respondent (0.1 BIC units = 0.05 nats of average log-likelihood).

Sources: G. Schwarz (1978), "Estimating the dimension of a model", *Annals of Statistics* 6(2),
461-464; the mixture and k-means themselves are scikit-learn's ``GaussianMixture`` and
``KMeans``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

# scikit-learn is imported inside the functions that fit a model: it takes seconds to load, and
# every command of the command line (which imports the web app) would otherwise pay that.
if TYPE_CHECKING:
    from sklearn.mixture import GaussianMixture


NAME = "gaussian-mixture"
K_MAX = 6
MIN_BIC_GAIN_PER_RESPONDENT = 0.1
KMEANS_SAMPLE = 3000  # rows the k-means starts look at (see fit_mixture)
KMEANS_STARTS = 10  # k-means restarts per fit: with 4, some seeds settled in a poor optimum
REG_COVAR = 1e-3  # on z-scores; keeps the shared covariance invertible with rounded answers


@dataclass(frozen=True)
class Partition:
    """One fitted partition of the rows.

    ``labels`` is an int array of shape (n,) with each row's group, 0..k-1 (a group may be
    empty: the method does not promise k non-empty groups). ``converged`` says whether the
    fit reached its convergence criterion (False = stopped at the iteration limit).
    """

    labels: np.ndarray
    converged: bool


def criterion(k_max: int = K_MAX) -> str:
    """The rule that chooses k, in one sentence, as stored in the persona set's ``criterion``."""
    return (
        f"BIC of a tied-covariance Gaussian mixture, k = 1..{k_max}: the smallest k whose BIC "
        f"is within {MIN_BIC_GAIN_PER_RESPONDENT} x n of the lowest"
    )


def quality_notes() -> dict[str, str | float]:
    """How the method was run, for the persona set's ``quality`` record (keys in that order).

    ``model`` describes the fitted model, ``k_scores_are`` what ``quality.k_scores`` holds,
    ``min_bic_gain_per_respondent`` the margin of the k rule (BIC units per respondent).
    """
    return {
        "model": "Gaussian mixture, one shared full covariance (tied), started from k-means "
        f"(n_init={KMEANS_STARTS}, on at most {KMEANS_SAMPLE} rows), reg_covar={REG_COVAR}",
        "k_scores_are": "BIC per k (lower is better)",
        "min_bic_gain_per_respondent": MIN_BIC_GAIN_PER_RESPONDENT,
    }


def _mixture(z: np.ndarray, k: int, random_state: int) -> GaussianMixture:
    """The unfitted tied-covariance mixture of :func:`fit_mixture`, its means started from k-means.

    Same arguments as :func:`fit_mixture`; the k-means restarts run here, on a random sample
    of at most KMEANS_SAMPLE rows (only rows' positions are drawn: no copy of ``z`` when it
    is smaller than that).
    """
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    centres = None
    if k > 1:
        sample = z
        if len(z) > KMEANS_SAMPLE:
            rows = np.random.default_rng(random_state).choice(len(z), KMEANS_SAMPLE, replace=False)
            sample = z[np.sort(rows)]
        km = KMeans(n_clusters=k, n_init=KMEANS_STARTS, random_state=random_state).fit(sample)
        centres = km.cluster_centers_
    return GaussianMixture(
        n_components=k,
        covariance_type="tied",
        means_init=centres,
        reg_covar=REG_COVAR,
        random_state=random_state,
    )


def fit_mixture(z: np.ndarray, k: int, random_state: int) -> GaussianMixture:
    """Tied-covariance Gaussian mixture with k components, started from k-means centres.

    ``z`` is an (n, d) float array without NaN (z-scores), ``k`` >= 1 and at most n,
    ``random_state`` a non-negative int below 2**32 that seeds both k-means and EM. Returns
    the fitted scikit-learn model. Raises ValueError (from scikit-learn) when k > n.

    k-means with ten restarts gives better starting centres than the mixture's own single
    k-means start, which too often merges two real groups and splits a third. The restarts
    run on a random sample of at most KMEANS_SAMPLE rows: centres only need to be roughly
    right (EM on all rows finishes the job), and on structureless data k-means otherwise
    spends most of the bootstrap's time iterating on every row.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # Rounded answers produce duplicate points; sklearn warns when k-means finds fewer
        # distinct clusters than asked. The mixture then simply has an empty component.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _mixture(z, k, random_state).fit(z)


def fit_partition(z: np.ndarray, k: int, seed: int) -> Partition:
    """Partition the rows of ``z`` into (at most) ``k`` groups: the method behind one call.

    ``z``: (n, d) float array of z-scores, no NaN; ``k``: 1..n; ``seed``: int in
    [0, 2**32) -- the same arguments give the same labels. Returns a :class:`Partition`
    whose labels are each row's most probable mixture component. Raises ValueError when
    k > n (from scikit-learn).

    The labels come from the fit's own last E-step (scikit-learn's ``fit_predict``, which
    makes that step so that its labels equal ``fit(z).predict(z)``), so the bootstrap's many
    refits do not pass over all rows once more to predict.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm = _mixture(z, k, seed)
        labels = gm.fit_predict(z)
    return Partition(labels, bool(gm.converged_))


def choose_k(
    bics: Mapping[int, float], n: int, min_gain: float = MIN_BIC_GAIN_PER_RESPONDENT
) -> int:
    """Smallest k whose BIC is within ``min_gain`` x n of the lowest BIC (Schwarz 1978).

    ``bics`` maps k to the BIC of the fit with k components (lower is better), ``n`` is the
    number of rows fitted, ``min_gain`` the margin in BIC units per row. Raises ValueError
    when ``bics`` is empty.
    """
    best = min(bics.values())
    return min(k for k, bic in bics.items() if bic <= best + min_gain * n)


@dataclass
class KSearch:
    """The k-selection's outcome: a score per k, the suggested k, and the fits behind them.

    ``scores`` maps k (1..k_max) to its BIC (lower is better); ``suggested`` is the k chosen
    by :func:`choose_k`. :meth:`partition` returns the partition at any k, reusing the fit
    made during the search when there is one.
    """

    z: np.ndarray
    seed: int
    scores: dict[int, float]
    suggested: int
    _fits: dict[int, GaussianMixture] = field(default_factory=dict, repr=False)

    def partition(self, k: int) -> Partition:
        """The partition into ``k`` groups (k >= 1); one group of everyone when k = 1.

        A k the search did not fit (a forced k above k_max) is fitted now with the same seed.
        Raises ValueError when k exceeds the number of rows.
        """
        gm = self._fits.get(k)
        if k == 1:
            return Partition(np.zeros(len(self.z), dtype=np.int64), bool(gm.converged_))
        if gm is None:
            return fit_partition(self.z, k, self.seed)
        return Partition(gm.predict(self.z), bool(gm.converged_))


def search_k(
    z: np.ndarray,
    k_max: int,
    seed: int,
    on_k: Callable[[int], None] | None = None,
) -> KSearch:
    """Fit k = 1..``k_max`` and suggest k by the BIC rule of :func:`choose_k`.

    ``z``: (n, d) float z-scores without NaN, n >= 2; ``k_max``: 1..n; ``seed``: int in
    [0, 2**32), used for every k. ``on_k(k)`` is called before the fit with k components
    starts (progress). Returns a :class:`KSearch`. Raises ValueError when n < 2 or
    k_max > n (from scikit-learn).
    """
    fits: dict[int, GaussianMixture] = {}
    bics: dict[int, float] = {}
    for k in range(1, k_max + 1):
        if on_k:
            on_k(k)
        fits[k] = fit_mixture(z, k, random_state=seed)
        bics[k] = float(fits[k].bic(z))
    return KSearch(z, seed, bics, choose_k(bics, len(z)), fits)
