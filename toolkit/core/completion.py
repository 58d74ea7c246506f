"""When a respondent may send their answers: a response needs answers, not only clicks.

A round may set a minimum answered share (``rounds.min_answered_share``, 0-1): that share of
the closed questions (scale, single and multiple choice; open questions never count) must be
answered, and every required item. Without a share the default rule holds: every required item,
and at least two thirds of the items of each construct that personas are derived from (the
persona-dimension blocks) -- the share a construct score needs (`toolkit.core.scoring`), so
every response that can be sent can be placed in a persona.

Pure: the survey pages pass the answers in and show what :func:`unanswered` returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolkit.core.questionnaire import Questionnaire
from toolkit.core.scoring import MIN_ANSWERED_SHARE

CLOSED_TYPES = ("likert", "single", "multi")


@dataclass(frozen=True)
class Shortfall:
    """What keeps a response from being sent: ``required`` item ids still open (in questionnaire
    order), ``constructs`` (construct id -> how many more of its items are needed), and
    ``closed`` (how many more closed questions the round's share needs; 0 when met)."""

    required: tuple[str, ...] = ()
    constructs: tuple[tuple[str, int], ...] = ()
    closed: int = 0

    def __bool__(self) -> bool:
        """True while something is still needed."""
        return bool(self.required or self.constructs or self.closed)


def _answered(answers: dict, item_id: str) -> bool:
    return answers.get(item_id) not in (None, "", [])


def shortfall(q: Questionnaire, answers: dict, min_share: float | None = None) -> Shortfall:
    """What ``answers`` (item id -> value) still lack under the round's rule (see the module).

    ``min_share`` is the round's minimum answered share in (0, 1], or None for the default
    rule. Returns an empty (false) Shortfall when the response may be sent.
    """
    order = [iid for block in q.blocks for iid in block.items]
    required = tuple(iid for iid in order if q.items[iid].required and not _answered(answers, iid))
    if min_share is not None:
        closed = [iid for iid in order if q.items[iid].type in CLOSED_TYPES]
        needed = math.ceil(len(closed) * min_share - 1e-9)
        done = sum(1 for iid in closed if _answered(answers, iid))
        return Shortfall(required, (), max(0, needed - done))
    lacking = []
    for cid in q.dimension_constructs():
        items = q.constructs[cid].items
        needed = math.ceil(len(items) * MIN_ANSWERED_SHARE - 1e-9)
        done = sum(1 for iid in items if _answered(answers, iid))
        if done < needed:
            lacking.append((cid, needed - done))
    return Shortfall(required, tuple(lacking), 0)


def needed_items(q: Questionnaire, answers: dict, min_share: float | None = None) -> set[str]:
    """The unanswered item ids that answering would help to meet the rule: the required ones,
    those of the constructs still short, or (with a share) every unanswered closed question."""
    short = shortfall(q, answers, min_share)
    needed = set(short.required)
    for cid, _more in short.constructs:
        needed |= {iid for iid in q.constructs[cid].items if not _answered(answers, iid)}
    if short.closed:
        needed |= {iid for iid, item in q.items.items() if item.type in CLOSED_TYPES and not _answered(answers, iid)}
    return needed


@dataclass(frozen=True)
class UnansweredPage:
    """A page with unanswered questions: its number (0-based), block id, and the unanswered
    item ids in page order, each with True when it is needed to meet the rule."""

    page: int
    block: str
    items: tuple[tuple[str, bool], ...]


def unanswered(q: Questionnaire, answers: dict, min_share: float | None = None) -> list[UnansweredPage]:
    """Every page with questions still unanswered, in page order (the list on the last page)."""
    needed = needed_items(q, answers, min_share)
    pages = []
    for number, block in enumerate(q.blocks):
        items = tuple((iid, iid in needed) for iid in block.items if not _answered(answers, iid))
        if items:
            pages.append(UnansweredPage(number, block.id, items))
    return pages
