"""The shortcuts that make deriving a large round fast give exactly what the slower steps gave.

Issue 23: derive at 100 000 responses within 1.2x plain scikit-learn (timed in
tests/benchmarks/bench_scale_derive.py, not here). Each shortcut below replaced a slower way to
compute the same thing; these tests hold them to the same answer, bit for bit, because the
persona set must stay identical for the same answers (issue 17).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from toolkit.core.personas import method
from toolkit.core.personas.merging import merge_small_clusters
from toolkit.core.personas.stability import first_draws
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import construct_score, score_matrix
from toolkit.core.synthetic import generate_responses

ROOT = Path(__file__).resolve().parents[1]


def test_first_draws_are_what_a_sort_gives():
    rng = np.random.default_rng(3)
    for n in (1, 2, 9, 1000):
        idx = rng.integers(0, n, size=n)
        rows, first = first_draws(idx, n)
        want_rows, want_first = np.unique(idx, return_index=True)
        assert rows.tolist() == want_rows.tolist()
        assert first.tolist() == want_first.tolist()


def test_merging_numbers_groups_without_gaps_in_their_order():
    z = np.zeros((12, 2))
    labels = np.array([5, 5, 5, 5, 2, 2, 2, 2, 9, 9, 9, 9])  # components 0, 1, 3.. left empty
    merged, sizes = merge_small_clusters(z, labels, min_count=4)
    assert merged.tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2]
    assert merged.dtype == np.int64 and sizes == []


def test_partition_labels_are_the_fitted_mixtures_predictions():
    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    answers, _, _ = generate_responses(q, 4000, seed=5, missing_rate=0.02)
    values = score_matrix(q, answers).values
    z = (np.nan_to_num(values, nan=3.0) - 3.0) / 1.1
    for k in (2, 4, 5):
        partition = method.fit_partition(z, k, seed=11)
        assert partition.labels.tolist() == method.fit_mixture(z, k, 11).predict(z).tolist()


def test_score_matrix_cells_are_construct_scores():
    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    answers, _, _ = generate_responses(q, 300, seed=8, missing_rate=0.35)
    first = next(iter(q.constructs.values())).items
    answers["odd"] = {first[0]: True, first[1]: "4", first[2]: 5}  # a bool and a text do not count
    constructs = list(q.constructs)
    matrix = score_matrix(q, answers, constructs)
    for row, rid in enumerate(matrix.response_ids):
        for col, cid in enumerate(constructs):
            want = construct_score(q, cid, answers[rid])
            got = matrix.values[row, col]
            assert (np.isnan(got) and want is None) or got == want
