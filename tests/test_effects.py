"""Effect sizes and intervals against published worked examples and direct computation."""

import math

import numpy as np
import pytest

from toolkit.core.effects import (
    cramers_v,
    magnitude,
    mean_difference,
    newcombe_difference,
    wilson_interval,
)


def test_wilson_interval_matches_newcombes_table():
    # Newcombe (1998), table II: 81 of 263 -> 0.2553 to 0.3662; 0 of 10 -> 0 to 0.2775
    assert [round(x, 4) for x in wilson_interval(81, 263)] == [0.2553, 0.3662]
    assert [round(x, 4) for x in wilson_interval(0, 10)] == [0.0, 0.2775]


def test_newcombe_difference_matches_the_worked_example():
    # Newcombe (1998), example (a): 56/70 against 48/80 -> difference 0.2000, 0.0524 to 0.3339
    diff, low, high = newcombe_difference(56, 70, 48, 80)
    assert (round(diff, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)


def test_cramers_v_is_phi_for_two_by_two_and_zero_without_association():
    table = [[40, 60], [15, 285]]
    a, b, c, d = 40, 60, 15, 285
    phi = (a * d - b * c) / math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    assert cramers_v(table) == pytest.approx(abs(phi))
    assert cramers_v([[10, 20], [20, 40]]) == pytest.approx(0.0)
    assert cramers_v([[5, 0], [7, 0]]) is None  # one column left: nothing to associate


def test_welch_interval_and_cohens_d():
    first, second = [1, 2, 3, 4, 5], [2, 3, 4, 5, 6, 7]
    diff, low, high, d = mean_difference(first, second)
    va, vb = np.var(first, ddof=1) / 5, np.var(second, ddof=1) / 6
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 5)
    assert df == pytest.approx(8.99, abs=0.01)
    assert diff == -1.5 and (round(low, 3), round(high, 3)) == (-3.855, 0.855)  # t(8.99) = 2.262
    assert d == pytest.approx(-1.5 / math.sqrt((4 * 2.5 + 5 * 3.5) / 9))


@pytest.mark.parametrize("value, measure, word", [
    (0.05, "cramers_v", "negligible"), (0.1, "cramers_v", "small"), (0.35, "cramers_v", "medium"),
    (0.5, "cramers_v", "large"), (-0.6, "cohens_d", "medium"), (0.1, "cohens_d", "negligible"), (None, "cohens_d", None),
])
def test_magnitude_words_follow_cohen(value, measure, word):
    assert magnitude(value, measure) == word
