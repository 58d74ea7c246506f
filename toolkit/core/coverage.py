"""What an instrument measures: which parts of a persona description it can fill.

Own instruments (an exit or engagement survey) rarely ask what the default instrument asks:
no ADKAR self-check, no channel or learning preferences, no open questions. Pages, briefs and
the validation report ask here what was asked, so a section that was never measured is left out
(or said to be "not asked in this questionnaire") instead of being read as "no barrier" or
"no preference".
"""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.core.questionnaire import Questionnaire
from toolkit.core.variables import Variable

ADKAR_BLOCK = "adkar"
CONTEXT_KEYS = ("team", "role", "tenure", "age")
# Description path -> the item roles that measure it (any one is enough).
ROLE_SECTIONS = {
    "communication.channels": ("comm_channels",),
    "communication.messenger": ("comm_messenger",),
    "communication.frequency": ("comm_frequency",),
    "communication.detail": ("comm_detail",),
    "communication.involvement": ("comm_involvement",),
    "learning.format": ("learn_format",),
    "learning.pace": ("learn_pace",),
    "learning.time": ("learn_time",),
    "learning.digital": ("learn_digital",),
    "situations": ("open_situation",),
    "quotes": ("open_help", "open_worry"),
}
SECTIONS = ("adkar", "communication", "learning", "context", "open")  # for the validation report


def instrument_coverage(q: Questionnaire, variables: Sequence[Variable] = ()) -> dict[str, bool]:
    """What the instrument itself measures: description path -> bool (see ``asked``).

    Covers every path of :data:`ROLE_SECTIONS`, "communication" and "learning" (any of their
    parts), "adkar" (constructs in the ``adkar`` block), "context.<key>" and "context" (a
    ctx_* item), "outcomes" (declared in the file or in ``variables``). Context can also come
    from the participant list or import columns; :func:`describe_personas` adds that.
    """
    roles = {i.role for i in q.items.values() if i.role}
    asked = {path: any(r in roles for r in needed) for path, needed in ROLE_SECTIONS.items()}
    for section in ("communication", "learning"):
        asked[section] = any(v for path, v in asked.items() if path.startswith(section + "."))
    asked["adkar"] = any(c.block == ADKAR_BLOCK for c in q.constructs.values())
    for key in CONTEXT_KEYS:
        asked[f"context.{key}"] = f"ctx_{key}" in roles
    asked["context"] = any(asked[f"context.{key}"] for key in CONTEXT_KEYS)
    asked["outcomes"] = bool(q.outcomes) or bool(variables)
    return asked


def instrument_summary(q: Questionnaire) -> dict:
    """What an instrument measures, for its validation report.

    Returns {"dimensions": construct ids clustered on, "measured": the sections of SECTIONS
    it covers, "not_asked": the others, "outcomes": [{"id", "type"}]}; "open" stands for the
    situations and quotes.
    """
    asked = instrument_coverage(q)
    asked["open"] = asked["situations"] or asked["quotes"]
    return {
        "dimensions": q.dimension_constructs(),
        "measured": [s for s in SECTIONS if asked[s]],
        "not_asked": [s for s in SECTIONS if not asked[s]],
        "outcomes": [{"id": v.id, "type": v.type} for v in q.outcomes.values()],
    }
