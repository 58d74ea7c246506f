"""How long a questionnaire takes, for the respondent's welcome page and the invitation.

The estimate is a rule of thumb of this product, not a figure from a study: it adds a generous
time per question by type and a little per page, then rounds up to whole five minutes, so that
people rather finish early than late. The seconds per type are in ``SECONDS_PER_ITEM``.
"""

from __future__ import annotations

import math

from toolkit.core.questionnaire import Questionnaire

# Seconds a respondent needs per question, by item type: reading a statement and choosing on a
# scale, choosing one or several options, and writing a few sentences (open questions are
# optional, so this is an average over people who write and people who skip).
SECONDS_PER_ITEM = {"likert": 8, "single": 10, "multi": 15, "text": 45}
SECONDS_PER_PAGE = 10
ROUND_TO_MINUTES = 5


def estimated_minutes(q: Questionnaire) -> int:
    """Minutes to fill in ``q``: the sum of ``SECONDS_PER_ITEM`` over its items (an unknown type
    counts as a text question) plus ``SECONDS_PER_PAGE`` per block, rounded up to a multiple of
    ``ROUND_TO_MINUTES``; at least that many. The default questionnaire (53 items on 7 pages)
    gives 15, the pulse (15 items on 2 pages) 5."""
    seconds = sum(SECONDS_PER_ITEM.get(item.type, SECONDS_PER_ITEM["text"]) for item in q.items.values())
    seconds += SECONDS_PER_PAGE * len(q.blocks)
    return max(ROUND_TO_MINUTES, math.ceil(seconds / 60 / ROUND_TO_MINUTES) * ROUND_TO_MINUTES)


def question_count(q: Questionnaire) -> int:
    """The number of questions respondents see (every item of every block)."""
    return sum(len(block.items) for block in q.blocks)
