"""Answers to construct scores.

A construct score is the mean of its items on the item scale, after reverse keying. It needs at
least two thirds of the construct's items answered: a half-answered construct says more about
the respondent's patience than about their motivation, so it is missing, never zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from toolkit.core.questionnaire import Questionnaire

MIN_ANSWERED_SHARE = 2 / 3


def keyed_value(q: Questionnaire, item_id: str, value: int) -> int:
    """The value as it counts towards its construct (reverse items mirrored on the scale).

    ``value`` is an answer in scale points; a reverse-keyed item gives min + max - value.
    Raises KeyError for an unknown item id.
    """
    item = q.items[item_id]
    if not item.reverse:
        return value
    scale = q.scales[item.scale]
    return scale.min + scale.max - value


def construct_score(q: Questionnaire, construct_id: str, answers: dict) -> float | None:
    """Mean keyed answer of the construct's items, in scale points; None when too few answered.

    ``answers`` maps item id -> value (only integer answers count); at least two thirds of
    the construct's items must be answered. Raises KeyError for an unknown construct id.
    """
    construct = q.constructs[construct_id]
    values = [
        keyed_value(q, iid, answers[iid])
        for iid in construct.items
        if isinstance(answers.get(iid), int) and not isinstance(answers.get(iid), bool)
    ]
    needed = math.ceil(len(construct.items) * MIN_ANSWERED_SHARE - 1e-9)
    if not values or len(values) < needed:
        return None
    return sum(values) / len(values)


def construct_scores(q: Questionnaire, answers: dict) -> dict[str, float | None]:
    """Every construct and composite score of one respondent (None = missing).

    Scale points; a composite (e.g. autonomous motivation) is the mean of its constructs
    that have a score, None when none has.
    """
    scores: dict[str, float | None] = {c: construct_score(q, c, answers) for c in q.constructs}
    for name, parts in q.composites.items():
        present = [scores[p] for p in parts if scores.get(p) is not None]
        scores[name] = sum(present) / len(present) if present else None
    return scores


@dataclass(frozen=True)
class ScoreMatrix:
    """Construct scores of many respondents as one float matrix.

    ``values`` has shape (len(response_ids), len(constructs)), scale points, NaN where a
    score is missing; rows follow ``response_ids``, columns ``constructs``.
    """

    response_ids: tuple[str, ...]
    constructs: tuple[str, ...]
    values: np.ndarray  # shape (n, len(constructs)); NaN where the score is missing

    def column(self, construct: str) -> np.ndarray:
        """The (n,) scores of one construct; raises ValueError for a construct not in the matrix."""
        return self.values[:, self.constructs.index(construct)]


def score_matrix(
    q: Questionnaire, answers_by_response: dict[str, dict], constructs: list[str] | None = None
) -> ScoreMatrix:
    """Scores of many respondents as one float matrix, rows in sorted response-id order.

    ``answers_by_response`` maps response id -> answers; ``constructs`` (construct ids)
    defaults to the persona-dimension constructs. Raises KeyError for an unknown construct.
    Every cell is :func:`construct_score` of that respondent, computed the same way (the
    same integer sum divided by the same count); the construct definitions are looked up
    once per matrix, not once per respondent, which at 100 000 respondents was most of the
    time.
    """
    constructs = list(constructs or q.dimension_constructs())
    plans = [_score_plan(q, cid) for cid in constructs]
    ids = tuple(sorted(answers_by_response))
    cells: list[float] = []
    nan = math.nan
    for rid in ids:
        answers = answers_by_response[rid]
        for keys, needed in plans:
            values = [
                value if mirror is None else mirror - value
                for iid, mirror in keys
                if isinstance(value := answers.get(iid), int) and not isinstance(value, bool)
            ]
            cells.append(sum(values) / len(values) if values and len(values) >= needed else nan)
    values = np.array(cells, dtype=float).reshape(len(ids), len(constructs))
    return ScoreMatrix(ids, tuple(constructs), values)


def _score_plan(q: Questionnaire, construct_id: str) -> tuple[list[tuple[str, int | None]], int]:
    """(items, needed) of one construct: each item id with min + max of its scale when it is
    reverse keyed (None otherwise), and the number of answers the score needs (as in
    :func:`construct_score`). Raises KeyError for an unknown construct id."""
    construct = q.constructs[construct_id]
    keys = []
    for iid in construct.items:
        item = q.items[iid]
        scale = q.scales[item.scale]
        keys.append((iid, scale.min + scale.max if item.reverse else None))
    return keys, math.ceil(len(construct.items) * MIN_ANSWERED_SHARE - 1e-9)
