"""Outcome and extra variables of a round: their declarations and each response's values.

A variable is declared in the questionnaire file (``[[outcomes]]``) or when answers are
imported (stored here per round); its values are stored per response (migration m009), and in
identified rounds they may also come from the participant list's column of the same name.
Readers take the response ids to read from the caller, who got them from the data layer's
response readers: this module never decides which responses count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import sqlite_utils

from toolkit.core.messages import N_
from toolkit.core.problems import Problem
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.variables import Variable, decode, encode
from toolkit.data.db import iso, utcnow


def declare_round_variables(db: sqlite_utils.Database, round_id: int, variables: Sequence[Variable]) -> None:
    """Record variables declared at an import for the round (call inside the import's transaction).

    Raises ValueError (its argument a :class:`~toolkit.core.problems.Problem`) when an id was
    declared for the round before with another type.
    """
    known = {row[0]: row[1] for row in db.execute(
        "SELECT id, type FROM round_variables WHERE round_id = ?", [round_id])}
    for variable in variables:
        if known.get(variable.id, variable.type) != variable.type:
            raise ValueError(Problem(
                N_("outcome '%(id)s' was imported into this round before as %(before)s; it cannot become %(type)s "
                   "(keep it as %(before)s, or import the column under another name)"),
                id=variable.id, before=known[variable.id], type=variable.type))
        db.execute(
            "INSERT OR IGNORE INTO round_variables (round_id, id, type, declared_at) VALUES (?, ?, ?, ?)",
            [round_id, variable.id, variable.type, iso(utcnow())],
        )


def round_variables(db: sqlite_utils.Database, round_id: int, q: Questionnaire) -> list[Variable]:
    """The round's variables: the questionnaire's outcomes, then those declared at imports."""
    variables = list(q.outcomes.values())
    for vid, vtype in db.execute(
        "SELECT id, type FROM round_variables WHERE round_id = ? ORDER BY rowid", [round_id]
    ):
        if vid not in q.outcomes:
            variables.append(Variable(id=vid, type=vtype, source="import"))
    return variables


def store_values(db: sqlite_utils.Database, response_id: str, values: Mapping[str, object]) -> None:
    """Store one response's variable values (variable id -> parsed value; None is left out)."""
    db.conn.executemany(
        "INSERT INTO response_values (response_id, variable, value) VALUES (?, ?, ?)",
        [(response_id, vid, encode(value)) for vid, value in values.items() if value is not None],
    )


def values_by_response(
    db: sqlite_utils.Database, response_ids: Iterable[str], variables: Sequence[Variable]
) -> dict[str, dict[str, object]]:
    """response id -> variable id -> value (float for numeric, else text), for ``response_ids``.

    Only ``variables`` are read; a value that no longer fits its declaration is left out.
    """
    by_id = {v.id: v for v in variables}
    ids = json.dumps(sorted(response_ids))
    result: dict[str, dict[str, object]] = {}
    for rid, vid, text in db.execute(
        "SELECT response_id, variable, value FROM response_values "
        "WHERE response_id IN (SELECT value FROM json_each(?))", [ids]
    ):
        if vid in by_id and (value := decode(by_id[vid], text)) is not None:
            result.setdefault(rid, {})[vid] = value
    return result


def participant_values(
    db: sqlite_utils.Database,
    round_id: int,
    participant_of: Mapping[str, int],
    variables: Sequence[Variable],
) -> dict[str, dict[str, object]]:
    """Values from the participant list's extra columns: response id -> variable id -> value.

    For identified rounds: ``participant_of`` maps response id -> participant id; a column
    counts for a variable when its header equals the variable's id (case and spaces ignored).
    Cells that do not fit the variable's type are left out.
    """
    attributes = {pid: json.loads(text or "{}") for pid, text in db.execute(
        "SELECT id, attributes FROM participants WHERE round_id = ?", [round_id])}
    result: dict[str, dict[str, object]] = {}
    for rid, pid in participant_of.items():
        columns = {"_".join(k.casefold().split()): v for k, v in attributes.get(pid, {}).items()}
        for variable in variables:
            value = decode(variable, columns.get(variable.id.casefold()))
            if value is not None:
                result.setdefault(rid, {})[variable.id] = value
    return result
