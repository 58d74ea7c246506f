"""A round's dashboard figures read from the sums the database keeps (migration m017, issue 23).

Triggers keep, for every response written, counts per (publication, team, answered online or
imported) and, per construct, the number, total, high and low of the scores
(toolkit.data.figures_schema). A dashboard therefore reads a few hundred rows whatever the size
of the round. Which responses count is the rule of the `usable_responses` view (DESIGN §8): in an
identified round all of them, in an anonymous round the published ones (publication 1, 2, …;
unpublished ones are kept under publication 0 and never read as figures here).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import sqlite_utils

from toolkit.core.dashboard import LOWER, Tally
from toolkit.core.privacy import REST
from toolkit.data.db import transaction

NO_TEAM = ""  # how figure_groups and figure_sums store a response without a team


def _usable(round_: dict) -> str:
    """The SQL condition on publication that the usable_responses view applies to ``round_``."""
    return "1" if round_["mode"] == "identified" else "publication > 0"


def ensure_figures(db: sqlite_utils.Database, round_id: int, points: dict[str, tuple[float, float]]) -> bool:
    """Make sure the round's score sums are kept against ``points``; True when they were (re)built now.

    ``points`` maps construct id -> (high point, low point) in scale points
    (toolkit.core.dashboard.construct_points). When the round has exactly these points stored,
    the sums are up to date (triggers keep them) and nothing is written. Otherwise (a round
    created before m017, or points that changed) the points are stored and the sums made afresh
    from the stored scores with one GROUP BY, in one transaction.
    """
    wanted = {(c, float(high), float(low)) for c, (high, low) in points.items()}

    def stored() -> set:
        return {(c, h, lo) for c, h, lo in db.execute(
            "SELECT construct, high, low FROM figure_points WHERE round_id = ?", [round_id])}

    if stored() == wanted:
        return False
    with transaction(db):
        if stored() == wanted:  # another request built them meanwhile
            return False
        db.execute("DELETE FROM figure_points WHERE round_id = ?", [round_id])
        db.conn.executemany("INSERT INTO figure_points (round_id, construct, high, low) VALUES (?, ?, ?, ?)",
                            [(round_id, c, high, low) for c, high, low in sorted(wanted)])
        resum(db, round_id)
    return True


def resum(db: sqlite_utils.Database, round_id: int) -> None:
    """Make the round's kept counts and sums afresh from its stored responses and scores (two
    GROUP BY queries; about a second per 100k responses). Call inside a transaction."""
    db.execute("DELETE FROM figure_groups WHERE round_id = ?", [round_id])
    db.execute("DELETE FROM figure_sums WHERE round_id = ?", [round_id])
    db.execute("INSERT INTO figure_groups (round_id, publication, team, online, n) "
               "SELECT round_id, coalesce(publication, 0), coalesce(team, ''), source IS NOT 'import', count(*) "
               "FROM responses WHERE round_id = ? GROUP BY 1, 2, 3, 4", [round_id])
    db.execute(
        "INSERT INTO figure_sums (round_id, publication, team, construct, n, total, high, low) "
        "SELECT r.round_id, coalesce(r.publication, 0), coalesce(r.team, ''), s.construct, count(*), "
        "sum(s.value), sum(s.value >= p.high - 1e-9), sum(s.value <= p.low + 1e-9) "
        "FROM responses r JOIN scores s ON s.response_id = r.id "
        "JOIN figure_points p ON p.round_id = r.round_id AND p.construct = s.construct "
        "WHERE r.round_id = ? AND s.value IS NOT NULL GROUP BY 1, 2, 3, 4", [round_id])


@contextmanager
def paused(db: sqlite_utils.Database, round_id: int, *, resum_after: bool = True) -> Iterator[None]:
    """Write many of one round's responses at once without keeping its sums row by row.

    Inside the block the triggers leave the round's counts and sums alone; at its end they are
    made afresh (:func:`resum`), unless ``resum_after`` is False because the block kept them
    itself (:func:`publish_teams`). For a transaction that touches a large part of a round
    (row by row a close publishing 100k answers cost about 0.3 ms per response). Use inside the
    caller's transaction (so nobody sees the round between the two), and write only this
    round's responses inside it. On an exception the transaction is rolled back with the rest.
    Raises RuntimeError outside a transaction.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("figures.paused needs a transaction around it")
    db.execute("INSERT INTO figure_paused (round_id) VALUES (?)", [round_id])
    yield
    db.execute("DELETE FROM figure_paused WHERE round_id = ?", [round_id])
    if resum_after:
        resum(db, round_id)


def publish_teams(db: sqlite_utils.Database, round_id: int, teams: set[str], number: int) -> None:
    """Inside :func:`paused`: the counts and sums of the round's unpublished responses of ``teams``
    (team names, ``NO_TEAM`` for none) become those of publication ``number``, a number no
    stored response has yet. Exact only when every unpublished response of those teams is
    published as ``number`` (as a close publishes: whole teams); a few rows, whatever the size."""
    chosen = json.dumps(sorted(teams), ensure_ascii=False)
    for table in ("figure_groups", "figure_sums"):
        db.execute(f"DELETE FROM {table} WHERE round_id = ? AND publication = ?", [round_id, number])  # emptied ones
        db.execute(f"UPDATE {table} SET publication = ? WHERE round_id = ? AND publication = 0 "
                   f"AND team IN (SELECT value FROM json_each(?))", [number, round_id, chosen])


class GroupCounts(NamedTuple):
    """A round's response counts from figure_groups.

    ``stored_online`` and ``stored_imported``: every response stored, published or not, by
    source (not figures to show as they are); ``usable_online`` and
    ``usable_imported``: those the figures are made of, by source; ``teams``: usable responses
    per team (responses without a team left out); ``per_publication``: publication -> team (or
    ``REST`` for no team) -> usable responses, for anonymous rounds (empty for identified ones).
    """

    stored_online: int
    stored_imported: int
    usable_online: int
    usable_imported: int
    teams: dict[str, int]
    per_publication: dict[int, dict[str, int]]

    @property
    def usable(self) -> int:
        """Every usable response (online and imported)."""
        return self.usable_online + self.usable_imported


def group_counts(db: sqlite_utils.Database, round_: dict) -> GroupCounts:
    """The round's counts (:class:`GroupCounts`) from its kept sums: one row per publication,
    team and source, so a few dozen rows whatever the round's size."""
    anonymous = round_["mode"] != "identified"
    stored_online = stored_imported = usable_online = usable_imported = 0
    teams: dict[str, int] = {}
    per_publication: dict[int, dict[str, int]] = {}
    for publication, team, online, n in db.execute(
        "SELECT publication, team, online, n FROM figure_groups WHERE round_id = ? AND n != 0", [round_["id"]]
    ):
        if online:
            stored_online += n
        else:
            stored_imported += n
        if anonymous and publication == 0:
            continue
        if online:
            usable_online += n
        else:
            usable_imported += n
        if team != NO_TEAM:
            teams[team] = teams.get(team, 0) + n
        if anonymous:
            counts = per_publication.setdefault(publication, {})
            key = team if team != NO_TEAM else REST
            counts[key] = counts.get(key, 0) + n
    return GroupCounts(stored_online, stored_imported, usable_online, usable_imported, teams, per_publication)


def tallies(db: sqlite_utils.Database, round_: dict, directions: dict[str, str | None],
            teams: list[str] | None = None) -> dict[str | None, dict[str, Tally]]:
    """Summed usable scores: team -> construct -> :class:`toolkit.core.dashboard.Tally`, with
    the whole round under None. ``teams`` limits the teams read (None: no team at all, only the
    whole round); ``directions`` (construct -> HIGHER, LOWER or None) says which count is the
    favourable one. Call :func:`ensure_figures` first: a round without points has no sums.
    """
    result: dict[str | None, dict[str, Tally]] = {None: {}}
    usable = _usable(round_)
    rows = db.execute(
        f"SELECT construct, sum(n), sum(total), sum(high), sum(low) FROM figure_sums "
        f"WHERE round_id = ? AND {usable} GROUP BY construct", [round_["id"]]).fetchall()
    if teams:
        rows += db.execute(
            f"SELECT team, construct, sum(n), sum(total), sum(high), sum(low) FROM figure_sums "
            f"WHERE round_id = ? AND {usable} AND team IN (SELECT value FROM json_each(?)) "
            f"GROUP BY team, construct", [round_["id"], json.dumps(teams, ensure_ascii=False)]).fetchall()
    for row in rows:
        team, (construct, n, total, high, low) = (None, row) if len(row) == 5 else (row[0], row[1:])
        favourable = low if directions.get(construct) == LOWER else high
        result.setdefault(team, {})[construct] = Tally(n, total, favourable)
    return result
