"""The one place that decides whether a group is large enough to be shown.

Every screen, export and brief asks here. A group under the minimum size is never shown, and
when hiding one group would still let a reader work it out by subtraction (a team of 7 shown
as "5 + hidden", or a team of 7 beside a subgroup of 4 of it, which leaves 3), more is hidden
until every hidden part is itself at least the minimum size.

Rules, in one list so a works council can read them:
- anonymous rounds: while open, the number of responses is shown only in steps of the minimum
  (`shown_response_count`) and no figure is computed from answers that are not yet published
  (`toolkit.data.responses` publishes at the close, later batches only in groups of the minimum);
- a count, average or share may be shown for a group of at least `min_group` people
  (5 by default; a round may raise it, never lower it);
- verbatim answers (quotes, situations) only for groups of at least twice that, and at least 10;
- a subgroup shown beside its whole: both the subgroup and the rest of the whole must be
  shown-size (or the rest empty), otherwise the subgroup is hidden;
- in a breakdown whose total is known, hidden categories together must be shown-size too.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass

from toolkit.core.shapes import Persona, PersonaSet

MIN_GROUP = 5
MIN_VERBATIM_GROUP = 10
REST = "\x00rest"  # the implicit "everyone else" category of a breakdown with a known total


def effective_min(min_group: int = MIN_GROUP) -> int:
    """A round can raise the minimum group size, never lower it below the product floor."""
    return max(int(min_group or MIN_GROUP), MIN_GROUP)


def may_show(n: int, min_group: int = MIN_GROUP) -> bool:
    """True when a figure about ``n`` people may be shown (n >= the effective minimum)."""
    return n >= effective_min(min_group)


def may_quote(n: int, min_group: int = MIN_GROUP) -> bool:
    """True when verbatim answers of a group of ``n`` may be shown (twice the minimum, >= 10)."""
    return n >= max(effective_min(min_group) * 2, MIN_VERBATIM_GROUP)


def may_show_part(whole: int, part: int, min_group: int = MIN_GROUP) -> bool:
    """May `part` people be shown beside a `whole` the reader already sees?

    Showing both reveals `whole - part` by subtraction, so the rest must be empty or large
    enough itself: a team of 7 with a 4-person subgroup split out reveals a group of 3.
    """
    rest = whole - part
    return may_show(part, min_group) and (rest == 0 or may_show(rest, min_group))


def suppress_groups(
    counts: dict[str, int], min_group: int = MIN_GROUP, total_known: bool = True, total: int | None = None
) -> dict[str, int | None]:
    """Return counts with small groups replaced by None (shown as "fewer than N").

    With `total_known` the reader can subtract the shown groups from the total, so when exactly
    one group is hidden, or the hidden ones add up to fewer than min_group, the smallest shown
    groups are hidden too until the hidden part is itself at least min_group.

    `total` is the size of the whole when the categories do not cover everyone (people who did
    not answer the question): the uncovered rest then counts as one more category that the
    reader can work out, and is protected like the others. Raises ValueError when the counts
    add up to more than ``total``.
    """
    minimum = effective_min(min_group)
    counts = dict(counts)
    rest = (total - sum(counts.values())) if total is not None else 0
    if rest < 0:
        raise ValueError(f"the categories add up to {sum(counts.values())}, more than the total {total}")
    work = dict(counts)
    if rest > 0:
        work[REST] = rest
        total_known = True
    hidden = {k for k, n in work.items() if 0 < n < minimum}
    if total_known and hidden:
        shown = sorted((n, k) for k, n in work.items() if k not in hidden and n > 0)
        while shown and (len(hidden) == 1 or sum(work[k] for k in hidden) < minimum):
            hidden.add(shown.pop(0)[1])
    return {k: (None if k in hidden else n) for k, n in counts.items()}


def suppress_breakdown(
    wholes: dict[str, int], parts: dict[str, dict[str, int]], min_group: int = MIN_GROUP
) -> dict[str, dict[str, int | None]]:
    """A two-level table (team -> persona -> n) where the team sizes are shown too.

    Each team's row is suppressed as a breakdown of that team's known size, so a subgroup is
    never shown when the rest of its team would be small; a team that is itself too small
    shows nothing at all.
    """
    result = {}
    for key, row in parts.items():
        whole = wholes.get(key, sum(row.values()))
        if not may_show(whole, min_group):
            result[key] = {k: None for k in row}
        else:
            result[key] = suppress_groups(row, min_group, total=whole)
    return result


def shown_count(n: int | None, min_group: int = MIN_GROUP) -> str:
    """How a (possibly suppressed) count reads in exports: the number or "<N"."""
    return f"<{effective_min(min_group)}" if n is None or not may_show(n, min_group) else str(n)


def _presentable(persona: Persona, min_group: int) -> bool:
    return persona.get("presented", True) and may_show(persona["size"], min_group)


def presentable_personas(persona_set: PersonaSet, min_group: int = MIN_GROUP) -> list[Persona]:
    """Personas that may appear anywhere: stable enough and large enough.

    Their descriptions are trimmed in place to what this round's minimum allows (the same
    dicts are returned, so `persona in presentable_personas(...)` keeps working).
    """
    shown = [p for p in persona_set.get("personas", []) if _presentable(p, min_group)]
    for persona in shown:
        _trim_description(persona, min_group)
    return shown


def exportable_persona_set(persona_set: PersonaSet, min_group: int = MIN_GROUP) -> PersonaSet:
    """A copy with only presentable personas, trimmed to this round's minimum.

    Description categories and quotes that the describing step kept but the (possibly
    raised) minimum of this round does not allow are removed and counted in ``suppressed``;
    ``withheld_personas`` (int) is added: the personas left out.
    """
    result = copy.deepcopy(persona_set)
    result["personas"] = [p for p in result.get("personas", []) if _presentable(p, min_group)]
    result["withheld_personas"] = len(persona_set.get("personas", [])) - len(result["personas"])
    for persona in result["personas"]:
        _trim_description(persona, min_group)
    return result


def _trim_description(persona: Persona, min_group: int) -> None:
    description = persona.get("description")
    if not isinstance(description, dict):
        return
    for section in ("communication", "learning", "context"):
        for key, value in (description.get(section) or {}).items():
            if isinstance(value, list):
                kept = [c for c in value if not isinstance(c, dict) or "n" not in c or may_show(c["n"], min_group)]
                if len(kept) != len(value):
                    description.setdefault("suppressed", []).append(
                        f"{section}.{key}: {len(value) - len(kept)} categories under {effective_min(min_group)}"
                    )
                description[section][key] = kept
    for key, categories in (description.get("context") or {}).items():
        # One value per person: the persona's size minus the shown categories is known, so the
        # rest (other categories and no answer) must itself be empty or shown-size.
        kept = sorted(categories, key=lambda c: -c.get("n", 0))
        while kept and 0 < persona.get("size", 0) - sum(c.get("n", 0) for c in kept) < effective_min(min_group):
            kept.pop()
        if len(kept) != len(categories):
            description.setdefault("suppressed", []).append(
                f"context.{key}: {len(categories) - len(kept)} more hidden so the rest cannot be worked out"
            )
            description["context"][key] = kept
    _trim_outcomes(description, min_group)
    if not may_quote(persona.get("size", 0), min_group):
        for key in ("quotes", "situations"):
            if description.get(key):
                description[key] = []
    _trim_open_themes(description.get("open_themes"), may_quote(persona.get("size", 0), min_group), min_group)


def _trim_open_themes(found: dict | None, quote: bool, min_group: int) -> None:
    """Themes, situations and words of open answers under this round's minimum go (counted as
    hidden); their quotes and examples too unless the persona may be quoted."""
    if not isinstance(found, dict):
        return
    for key, hidden in (("themes", "hidden"), ("situations", "hidden_situations"), ("words", None)):
        entries = [e for e in found.get(key) or [] if isinstance(e, dict)]
        kept = [e for e in entries if may_show(e.get("n", 0), min_group)]
        if hidden:
            found[hidden] = found.get(hidden, 0) + len(entries) - len(kept)
        for entry in kept if not quote else ():
            entry.update({k: None for k in ("quote", "example") if k in entry})
        found[key] = kept


def _trim_outcomes(description: dict, min_group: int) -> None:
    """An outcome whose figures rest on fewer people than this round's minimum is hidden whole."""
    for outcome in description.get("outcomes") or []:
        if not outcome.get("shown"):
            continue
        counts = [outcome.get("n", 0), *(c.get("n", 0) for c in outcome.get("categories") or [])]
        if not all(may_show(n, min_group) for n in counts):
            outcome.update(shown=False, categories=[], mean=None, rest_mean=None, diff=None, ci=None, effect=None)
            description.setdefault("suppressed", []).append(
                f"outcomes.{outcome.get('variable')}: hidden, fewer than {effective_min(min_group)} people"
            )
        elif not may_show(outcome.get("rest_n", 0), min_group):  # no comparison with a small rest
            outcome.update(rest_mean=None, diff=None, ci=None, effect=None)
            for category in outcome.get("categories") or []:
                category.update(rest_share=None, diff=None, ci=None)

@dataclass(frozen=True)
class ShownCount:
    """A number of responses as it may be shown: exactly, as "at least N" or as "fewer than N"
    (one of the three is set)."""

    exact: int | None = None
    at_least: int | None = None
    fewer_than: int | None = None

    def text(self) -> str:
        """Plain English for the command line: "42", "at least 40" or "fewer than 5"."""
        if self.exact is not None:
            return str(self.exact)
        return f"at least {self.at_least}" if self.at_least else f"fewer than {self.fewer_than}"

    def share_of(self, invited: int) -> float | None:
        """The shown number as a share of `invited` (the lower bound for "at least"); None without invitees
        or below the minimum."""
        n = self.exact if self.exact is not None else self.at_least
        return n / invited if invited and n is not None else None


def shown_response_count(stored: int, published: int, *, anonymous: bool, open_: bool,
                         min_group: int = MIN_GROUP) -> ShownCount:
    """How many responses a round may be said to have, on any screen or in any command's output.

    Identified rounds: every stored response. An anonymous round that is open: the stored count
    rounded down to a multiple of the minimum group ("at least 15"; below it "fewer than 5"), so
    the number does not move when one person answers. An anonymous round that is not open: the
    published responses exactly (all of them were published together at the close).
    """
    if not anonymous:
        return ShownCount(exact=stored)
    if not open_:
        return ShownCount(exact=published)
    minimum = effective_min(min_group)
    if stored < minimum:
        return ShownCount(fewer_than=minimum)
    return ShownCount(at_least=stored - stored % minimum)


def works_council_problem(round_: dict) -> str | None:
    """Why a round may not open yet for lack of a works-council approval record, or None.

    ``round_`` is a round row (dict) with ``works_council_date`` and ``works_council_ref``;
    the record is required by the Dutch Works Councils Act (WOR art. 27).
    """
    if not (round_.get("works_council_date") and (round_.get("works_council_ref") or "").strip()):
        return "record the works council's approval (date and reference) before the round opens"
    return None




def protect_table(
    headers: list[str], rows: list[list], quasi_columns: list[str], verbatim_columns: list[str],
    min_group: int = MIN_GROUP,
) -> list[list]:
    """Row-level export of an anonymous round: no row may single out a small group.

    - each context column (team, role, tenure, age band …): values held by fewer than the
      minimum, and any value a reader could work out by subtraction, become "<N";
    - the combination of context values on a row must be shared by at least the minimum number
      of rows, otherwise all context cells of that row become "<N" (team × age band can single
      out one person even when each is large on its own);
    - verbatim (open text) columns are emptied unless the round has enough respondents to quote.

    ``rows`` are lists in the order of ``headers``; returns new lists (input untouched).
    """
    marker = f"<{effective_min(min_group)}"
    index = {h: i for i, h in enumerate(headers)}
    quasi = [index[c] for c in quasi_columns if c in index]
    verbatim = [index[c] for c in verbatim_columns if c in index]
    result = [list(r) for r in rows]
    for col in quasi:
        _mask_small_values(result, col, marker, min_group)
    _mask_small_combinations(result, quasi, marker, min_group)
    if not may_quote(len(result), min_group):
        for row in result:
            for c in verbatim:
                row[c] = ""
    return result


def _filled(value) -> bool:
    return value not in ("", None)


def _mask_small_values(rows: list[list], col: int, marker: str, min_group: int) -> None:
    """Replace, in column ``col``, each value held by too few rows (or found by subtraction)."""
    counts = Counter(str(row[col]) for row in rows if _filled(row[col]))
    shown = suppress_groups(dict(counts), min_group, total=len(rows))
    for row in rows:
        if _filled(row[col]) and shown[str(row[col])] is None:
            row[col] = marker


def _mask_small_combinations(rows: list[list], quasi: list[int], marker: str, min_group: int) -> None:
    """Replace every context cell of a row whose combination of context values is too rare."""
    if not quasi:
        return
    combos = Counter(tuple(str(row[c]) for c in quasi) for row in rows)
    for row in rows:
        if not may_show(combos[tuple(str(row[c]) for c in quasi)], min_group):
            for c in quasi:
                if _filled(row[c]):
                    row[c] = marker


def protect_answer_export(headers: list[str], rows: list[list], q, round_: dict) -> list[list]:
    """`protect_table` for a round's answer export; identified rounds are exported as they are.

    ``q`` is the round's Questionnaire: its ctx_* items (and ``team``) are the context
    columns, its other text items the verbatim ones; ``round_`` the round row (dict).
    """
    if round_.get("mode") == "identified":
        return rows
    quasi = [i.id for i in q.items.values() if (i.role or "").startswith("ctx_")] + ["team"]
    verbatim = [i.id for i in q.items.values() if i.type == "text" and not (i.role or "").startswith("ctx_")]
    return protect_table(headers, rows, quasi, verbatim, round_.get("min_group", MIN_GROUP))
