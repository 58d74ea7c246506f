"""What deriving a round's personas again changes, and which people's work carries over.

People write on personas: a change manager renames one, writes its narrative. When the round
is derived again (more answers, another number of personas) the new personas are matched to
the current ones on their profiles, the way rounds of a programme are compared
(:func:`toolkit.core.compare.compare_persona_sets`: an optimal one-to-one assignment on the
distance between profiles, a match only within ``MATCH_DISTANCE``). A persona that persists,
grows or shrinks is the same group re-measured: it takes over the earlier persona's name,
hand-edited name and narrative. A persona that splits, merges, appears or vanishes has no one
heir; its work is not carried over and stays readable on the earlier set.

Pure: no Flask, no database. The sets are persona-set dicts as stored (each persona with
``key``, ``name`` as shown, ``derived_name``, ``narrative``, ``id``), trimmed to the personas
that may be shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from toolkit.core.compare import ONE_TO_ONE, carry_over_names, compare_persona_sets
from toolkit.core.shapes import PersonaSet


@dataclass(frozen=True)
class Match:
    """A current persona and the new persona that continues it: ``kind`` persist, grow or
    shrink; ``before`` and ``after`` the persona dicts; ``name`` the name the new persona
    gets (the earlier derived name); ``carries_edits`` True when the earlier persona has a
    hand-edited name or a narrative."""

    kind: str
    before: Mapping
    after: Mapping
    name: str
    carries_edits: bool


@dataclass(frozen=True)
class ReplacementPlan:
    """What replacing ``before`` by ``after`` does: ``matches`` (one-to-one), ``new`` (later
    personas without an earlier one), ``gone`` (earlier personas without a later one),
    ``lost`` (gone personas whose hand-edited name or narrative will not carry over) and
    ``comparable`` (False when the sets share no construct: nothing matches). ``fate`` says
    for each gone persona's key what became of it, and ``origin`` for each new persona's key
    where it came from: (change kind, names of the personas on the other side), the kind one
    of split, merge, regroup, vanish (gone) or appear (new; no names). ``names`` maps the new
    personas whose derived name changes to that name: the earlier derived name for a match,
    and for a new persona whose name a match took over, the name that match gave up (names
    in a set stay unique)."""

    matches: tuple[Match, ...]
    new: tuple[Mapping, ...]
    gone: tuple[Mapping, ...]
    lost: tuple[Mapping, ...]
    fate: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    origin: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    comparable: bool = True
    names: dict[str, str] = field(default_factory=dict)

    @property
    def carried(self) -> dict[str, int]:
        """New persona key -> id of the earlier persona whose edits it takes over."""
        return {m.after["key"]: m.before["id"] for m in self.matches if m.carries_edits}


def has_edits(persona: Mapping) -> bool:
    """True when people changed ``persona``: a name other than the derived one, or a narrative."""
    renamed = persona.get("derived_name") not in (None, persona.get("name"))
    return bool(renamed or (persona.get("narrative") or "").strip())


def replacement_plan(before: PersonaSet, after: PersonaSet, avoid: Collection[str] = ()) -> ReplacementPlan:
    """Match ``after``'s personas to ``before``'s (see the module notes) and say what carries
    over. Names are compared as derived (a hand-edited name travels as an edit), and the
    derived names the new set takes over stay unique within it
    (:func:`toolkit.core.compare.carry_over_names`). A derived name in ``avoid`` (compared
    casefolded; the first names of the round's participants) is not carried over: the new
    persona keeps the name it was derived with."""
    derived = dict(before)
    derived["personas"] = [dict(p, name=p.get("derived_name") or p.get("name")) for p in before.get("personas", [])]
    comparison = compare_persona_sets(derived, after)
    avoided = {name.casefold() for name in avoid}
    if avoided:
        kept = {k: v for k, v in comparison.get("names", {}).items() if str(v).casefold() not in avoided}
        comparison = dict(comparison, names=kept)
    named = {p["key"]: p["name"] for p in carry_over_names(comparison, after)["personas"]}
    by_key_before = {p["key"]: p for p in before.get("personas", [])}
    by_key_after = {p["key"]: p for p in after.get("personas", [])}
    matches, fate, origin = [], {}, {}
    for change in comparison["changes"]:
        for p in change["before"]:
            fate[p["key"]] = (change["kind"], tuple(named[q["key"]] for q in change["after"]))
        for p in change["after"]:
            origin[p["key"]] = (change["kind"], tuple(q["name"] for q in change["before"]))
        if change["kind"] in ONE_TO_ONE:
            old, new = by_key_before[change["before"][0]["key"]], by_key_after[change["after"][0]["key"]]
            matches.append(Match(change["kind"], old, new, named[new["key"]], has_edits(old)))
    matched_before = {m.before["key"] for m in matches}
    matched_after = {m.after["key"] for m in matches}
    gone = tuple(p for p in before.get("personas", []) if p["key"] not in matched_before)
    return ReplacementPlan(
        matches=tuple(matches),
        new=tuple(p for p in after.get("personas", []) if p["key"] not in matched_after),
        gone=gone,
        lost=tuple(p for p in gone if has_edits(p)),
        fate={k: v for k, v in fate.items() if k not in matched_before},
        origin={k: v for k, v in origin.items() if k not in matched_after},
        comparable=bool(comparison.get("comparable", True)),
        names={k: name for k, name in named.items() if name != by_key_after[k].get("name")},
    )
