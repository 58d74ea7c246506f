import math

import numpy as np

from toolkit.core.scoring import construct_score, construct_scores, score_matrix


def test_reverse_item_is_mirrored(default_q):
    # appropriateness: rdy_app_1, rdy_app_2 normal, rdy_app_3 reverse
    answers = {"rdy_app_1": 4, "rdy_app_2": 5, "rdy_app_3": 2}
    assert construct_score(default_q, "appropriateness", answers) == (4 + 5 + 4) / 3


def test_two_of_three_items_is_enough(default_q):
    assert construct_score(default_q, "appropriateness", {"rdy_app_1": 4, "rdy_app_2": 2}) == 3.0


def test_one_of_three_items_is_missing_not_zero(default_q):
    assert construct_score(default_q, "appropriateness", {"rdy_app_1": 4}) is None
    assert construct_score(default_q, "appropriateness", {}) is None


def test_single_item_construct(default_q):
    assert construct_score(default_q, "ability", {"adk_abi": 2}) == 2


def test_composites_are_means_of_present_constructs(default_q):
    answers = {f"mot_int_{i}": 5 for i in (1, 2, 3)} | {f"mot_ide_{i}": 3 for i in (1, 2, 3)}
    scores = construct_scores(default_q, answers)
    assert scores["autonomous"] == 4.0
    assert scores["controlled"] is None


def test_score_matrix_uses_nan_for_missing(default_q):
    matrix = score_matrix(default_q, {"b": {"rdy_app_1": 4, "rdy_app_2": 4}, "a": {}})
    assert matrix.response_ids == ("a", "b")
    assert np.isnan(matrix.values[0]).all()
    col = matrix.constructs.index("appropriateness")
    assert matrix.values[1, col] == 4.0
    assert math.isnan(matrix.values[1, matrix.constructs.index("intrinsic")])
