"""The tables and triggers that keep a round's dashboard figures as sums (migration m017, issue 23).

History, like a migration: m017 runs :func:`create` once. A later change to these tables or
triggers is a new migration that drops and recreates them, not an edit here.

- figure_groups: responses per (round, publication, team, answered online or imported). Unpublished
  responses (publication NULL) are kept under publication 0, responses without a team under
  team ''. Kept for every round, from every write to `responses`.
- figure_points: per round and construct, the two points the favourable counts are taken against
  (``high``: a score at or above it counts as high; ``low``: at or below it as low; see
  toolkit.core.dashboard.construct_points). A round's sums are kept only once its points are stored
  (toolkit.data.figures.ensure_figures stores them and sums what is there already).
- figure_sums: per (round, publication, team, construct) the number of scores, their total, and
  how many are high and how many low.
- figure_paused: rounds whose upkeep is paused inside one transaction that writes many of their
  responses at once (a close publishing 100k answers); it ends by summing the round afresh
  (toolkit.data.figures.paused). Empty outside such a transaction.

Triggers keep both in the statement that writes a response or a score, whichever path writes it
(web completion, import, publication at a close, retention, deleting a participant): a score
added or removed adds or subtracts itself under its response's group, a response that moves to
another publication or team moves its scores along, and a response that is deleted first
deletes its scores (a cascade would run after the response row is gone, when the group can no
longer be found).
"""

from __future__ import annotations

import sqlite_utils

_GROUP = "coalesce({r}.publication, 0), coalesce({r}.team, '')"
_COUNTS = ("{sign}1, {sign}{s}.value, {sign}({s}.value >= p.high - 1e-9), {sign}({s}.value <= p.low + 1e-9)")
_UPSERT = ("ON CONFLICT DO UPDATE SET n = n + excluded.n, total = total + excluded.total, "
           "high = high + excluded.high, low = low + excluded.low")


def _sums(r: str, s: str, sign: str, source: str, where: str) -> str:
    """One upsert into figure_sums: the scores ``s`` of response ``r`` (SQL names; ``source``
    names the tables they come from, ``where`` joins them), added (``sign`` '') or subtracted
    ('-') under the response's group, for rounds with stored points."""
    return (f"INSERT INTO figure_sums (round_id, publication, team, construct, n, total, high, low) "
            f"SELECT {r}.round_id, {_GROUP.format(r=r)}, {s}.construct, {_COUNTS.format(sign=sign, s=s)} "
            f"FROM {source}figure_points p WHERE p.round_id = {r}.round_id AND p.construct = {s}.construct "
            f"AND {s}.value IS NOT NULL AND {where} {_UPSERT}")


def _groups(r: str, step: str) -> str:
    """One upsert into figure_groups: response ``r`` counted (``step`` 1) or uncounted (-1)."""
    return (f"INSERT INTO figure_groups (round_id, publication, team, online, n) "
            f"SELECT {r}.round_id, {_GROUP.format(r=r)}, {r}.source IS NOT 'import', {step} WHERE 1 "
            f"ON CONFLICT DO UPDATE SET n = n + excluded.n")


def _kept(round_id: str) -> str:
    """SQL: true unless the upkeep of round ``round_id`` (an SQL expression) is paused."""
    return f"NOT EXISTS (SELECT 1 FROM figure_paused WHERE round_id = {round_id})"


def create(db: sqlite_utils.Database) -> None:
    """Create the tables and their triggers, and count the responses stored so far."""
    db.execute("""CREATE TABLE figure_groups (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE, publication INTEGER NOT NULL,
        team TEXT NOT NULL, online INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (round_id, publication, team, online)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE figure_points (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE, construct TEXT NOT NULL,
        high REAL NOT NULL, low REAL NOT NULL, PRIMARY KEY (round_id, construct)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE figure_sums (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE, publication INTEGER NOT NULL,
        team TEXT NOT NULL, construct TEXT NOT NULL, n INTEGER NOT NULL, total REAL NOT NULL,
        high INTEGER NOT NULL, low INTEGER NOT NULL,
        PRIMARY KEY (round_id, publication, team, construct)) WITHOUT ROWID""")
    db.execute("CREATE TABLE figure_paused (round_id INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO figure_groups (round_id, publication, team, online, n) "
               "SELECT round_id, coalesce(publication, 0), coalesce(team, ''), source IS NOT 'import', count(*) "
               "FROM responses GROUP BY 1, 2, 3, 4")
    def score(s: str, sign: str) -> str:
        return _sums("r", s, sign, "responses r, ", f"r.id = {s}.response_id AND {_kept('r.round_id')}")

    db.execute(f"CREATE TRIGGER figures_score_added AFTER INSERT ON scores BEGIN {score('NEW', '')}; END")
    db.execute(f"CREATE TRIGGER figures_score_removed AFTER DELETE ON scores BEGIN {score('OLD', '-')}; END")
    db.execute(f"CREATE TRIGGER figures_score_changed AFTER UPDATE ON scores BEGIN "
               f"{score('OLD', '-')}; {score('NEW', '')}; END")
    db.execute(f"""CREATE TRIGGER figures_response_added AFTER INSERT ON responses WHEN {_kept('NEW.round_id')} BEGIN
        {_groups('NEW', '1')};
    END""")
    db.execute(f"""CREATE TRIGGER figures_response_leaving BEFORE DELETE ON responses WHEN {_kept('OLD.round_id')} BEGIN
        DELETE FROM scores WHERE response_id = OLD.id;
    END""")
    db.execute(f"""CREATE TRIGGER figures_response_removed AFTER DELETE ON responses WHEN {_kept('OLD.round_id')} BEGIN
        {_groups('OLD', '-1')};
    END""")
    moved = ("OLD.round_id IS NOT NEW.round_id OR OLD.publication IS NOT NEW.publication "
             "OR OLD.team IS NOT NEW.team OR (OLD.source IS 'import') IS NOT (NEW.source IS 'import')")
    db.execute(f"""CREATE TRIGGER figures_response_moved AFTER UPDATE ON responses
        WHEN ({moved}) AND {_kept('OLD.round_id')} AND {_kept('NEW.round_id')} BEGIN
        {_groups('OLD', '-1')};
        {_groups('NEW', '1')};
        {_sums('OLD', 's', '-', 'scores s, ', 's.response_id = OLD.id')};
        {_sums('NEW', 's', '', 'scores s, ', 's.response_id = NEW.id')};
    END""")
