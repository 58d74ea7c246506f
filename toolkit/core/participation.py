"""Who took part in a round, counted apart: invited, answered online, imported from elsewhere.

A response rate is only ever the share of the invited who answered through their personal
link: answers imported from a file (collected on paper, in another tool, before the round had
a participant list) are counted as what they are and never divided by the invited, so no rate
can exceed 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseCounts:
    """A round's counts (people): ``invited`` (participants with a personal link), ``online``
    (responses given through the survey pages; the demo's synthetic answers count as such) and
    ``imported`` (responses imported from files)."""

    invited: int
    online: int
    imported: int

    @property
    def total(self) -> int:
        """Every response, online and imported: what the figures are made of."""
        return self.online + self.imported

    @property
    def rate(self) -> float | None:
        """Answered online per invited person, in [0, 1]; None without invited people, or when
        more answered online than were invited (figures that do not belong together)."""
        return response_rate(self.online, self.invited)


def response_rate(answered: int, invited: int | None) -> float | None:
    """``answered`` / ``invited`` as a fraction in [0, 1], or None when ``invited`` is 0 or None
    or smaller than ``answered`` (a rate above 100 % would mean the counts are of different people)."""
    if not invited or answered > invited:
        return None
    return answered / invited
