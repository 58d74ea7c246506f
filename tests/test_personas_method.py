"""The clustering method behind one function: fit_partition, the k search, and the seam."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.core.personas import method
from toolkit.core.personas.derive import standardise
from toolkit.core.personas.profiles import column_stats
from toolkit.core.personas.stability import bootstrap_stability
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import score_matrix
from toolkit.core.synthetic import generate_responses


@pytest.fixture(scope="module")
def z():
    q = load_questionnaire("questionnaires/default.toml")
    answers, _, _ = generate_responses(q, 200, seed=5)
    raw = score_matrix(q, answers).values
    mean, sd, _ = column_stats(raw)
    return standardise(raw, mean, sd)


def test_the_search_hands_back_the_partition_fit_partition_gives(z):
    search = method.search_k(z, 4, seed=2)
    assert sorted(search.scores) == [1, 2, 3, 4]
    assert search.suggested == method.choose_k(search.scores, len(z))
    for k in (2, 3, 4, 5):  # 5 is above the search's k_max: fitted on demand
        direct = method.fit_partition(z, k, 2)
        assert np.array_equal(search.partition(k).labels, direct.labels)
        assert search.partition(k).converged == direct.converged
    assert not search.partition(1).labels.any()


def test_fit_partition_is_deterministic_per_seed(z):
    first = method.fit_partition(z, 3, 7).labels
    assert np.array_equal(first, method.fit_partition(z, 3, 7).labels)
    assert first.shape == (len(z),) and set(np.unique(first)) <= {0, 1, 2}


def test_stability_takes_any_method_with_the_same_signature():
    rng = np.random.default_rng(0)
    z = np.vstack([rng.normal(-3, 0.3, (40, 2)), rng.normal(3, 0.3, (40, 2))])
    labels = (z[:, 0] > 0).astype(np.int64)

    def by_sign(zb: np.ndarray, k: int, seed: int) -> method.Partition:
        return method.Partition((zb[:, 0] > 0).astype(np.int64), True)

    stability = bootstrap_stability(z, labels, 2, 5, 10, seed=0, fit=by_sign)
    assert stability.tolist() == [1.0, 1.0]
