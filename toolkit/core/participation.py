"""Who took part in a round, counted apart: invited, answered online, imported from elsewhere.

A response rate is only ever the share of the invited who answered through their personal
link: answers imported from a file (collected on paper, in another tool, before the round had
a participant list) are counted as what they are and never divided by the invited, so no rate
can exceed 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.privacy import ShownCount


@dataclass(frozen=True)
class ResponseCounts:
    """A round's counts: ``invited`` (participants with a personal link), ``online`` (responses
    given through the survey pages -- the demo's synthetic answers count as such -- as the round
    may show them: exactly, or "at least N" / "fewer than N" while an anonymous round is open)
    and ``imported`` (responses imported from files, exactly)."""

    invited: int
    online: ShownCount
    imported: int

    @property
    def rate(self) -> float | None:
        """Answered online per invited person, in [0, 1] (a lower bound when ``online`` is "at
        least N"); None without invited people, below the minimum group, or when more answered
        online than were invited (figures that do not belong together)."""
        shown = self.online.exact if self.online.exact is not None else self.online.at_least
        return response_rate(shown, self.invited) if shown is not None else None


def response_rate(answered: int, invited: int | None) -> float | None:
    """``answered`` / ``invited`` as a fraction in [0, 1], or None when ``invited`` is 0 or None
    or smaller than ``answered`` (a rate above 100 % would mean the counts are of different people)."""
    if not invited or answered > invited:
        return None
    return answered / invited
