"""Responses with their answers and construct scores: stored in one statement each."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3

import sqlite_utils

from toolkit.core.intake import ImportedResponse, decode_value, encode_value
from toolkit.core.participation import ResponseCounts
from toolkit.core.problems import N_, ImportProblem, Problem
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.scoring import construct_scores
from toolkit.data.audit import audit
from toolkit.data.db import transaction, utcnow, write

# Random row positions lie in 1 .. 9e18: a clash is as unlikely as guessing a 62-bit number.
RANDOM_ROWS = 9_000_000_000_000_000_000


class AlreadyCompleted(Exception):
    """The personal link was used to complete a response before."""


def new_response_id() -> str:
    return secrets.token_hex(16)


def response_entry(
    q: Questionnaire,
    round_id: int,
    answers: dict,
    *,
    external_id: str | None = None,
    context: dict | None = None,
    participant_id: int | None = None,
    language: str | None = None,
    source: str = "web",
    day: dt.date | None = None,
    random_order: bool = False,
) -> dict:
    """One row for the response_entries view (migration m007): the response, its answers, its scores.

    `random_order` gives the response row a random position, so that in an anonymous round the
    order of the rows does not reveal the order in which people answered. Answer and score rows
    are kept in the order of the (random) response id anyway (migration m007).
    """
    context = dict(context or {})
    return {
        "id": new_response_id(), "round_id": round_id, "participant_id": participant_id,
        "external_id": external_id, "submitted_on": (day or utcnow().date()).isoformat(), "language": language,
        "team": context.pop("team", None), "attributes": json.dumps(context, ensure_ascii=False, sort_keys=True),
        "source": source,
        "response_rowid": secrets.randbelow(RANDOM_ROWS) + 1 if random_order else None,
        "answers": json.dumps({item: encode_value(value) for item, value in answers.items()}, ensure_ascii=False),
        "scores": json.dumps(construct_scores(q, answers)),
    }


def _insert_entry(db: sqlite_utils.Database, view: str, entry: dict) -> None:
    write(db, f"INSERT INTO {view} ({', '.join(entry)}) VALUES ({', '.join(':' + c for c in entry)})", entry)


def insert_response(db: sqlite_utils.Database, q: Questionnaire, round_id: int, answers: dict, **options) -> str:
    """Insert one complete response with its answers and scores, in one statement.

    Options as :func:`response_entry`. Callers storing several responses together hold a
    transaction around them.
    """
    entry = response_entry(q, round_id, answers, **options)
    _insert_entry(db, "response_entries", entry)
    return entry["id"]


def complete_web_response(db: sqlite_utils.Database, entry: dict, *, participant_id: int, draft_key: str) -> str:
    """Mark the participant's link used, store the response, delete the draft: one statement.

    Raises AlreadyCompleted when the link was used before (nothing is then stored).
    """
    try:
        _insert_entry(db, "web_completions", {**entry, "for_participant": participant_id, "draft_key": draft_key})
    except sqlite3.IntegrityError as exc:
        if "already completed" in str(exc):
            raise AlreadyCompleted from exc
        raise
    return entry["id"]


def import_responses(
    db: sqlite_utils.Database, round_: dict, q: Questionnaire, responses: list[ImportedResponse],
    user_id: int | None = None, *, filename: str = "import",
) -> int:
    """Store validated responses all together, or none of them; returns how many.

    Context (team and other kept context variables) goes into the response's team and
    attributes; kept outcome variables into its attributes as ``outcome:<name>``. Raises
    ImportProblem (named after ``filename``) when a respondent id was imported into the round
    before, naming each such row; nothing is then stored.
    """
    with transaction(db):
        ids = json.dumps([r.external_id for r in responses if r.external_id is not None])
        before = {row[0] for row in db.execute(
            "SELECT external_id FROM responses WHERE round_id = ? AND external_id IN (SELECT value FROM json_each(?))",
            [round_["id"], ids])}
        if before:
            raise ImportProblem(filename, [
                Problem(N_("row %(row)d: respondent id '%(id)s' was imported into this round before"),
                        row=r.row, id=r.external_id) for r in responses if r.external_id in before])
        for r in responses:
            insert_response(db, q, round_["id"], r.answers, external_id=r.external_id,
                            context={**r.context, **{f"outcome:{k}": v for k, v in r.outcomes.items()}},
                            source="import")
        audit(db, user_id, "import", f"round {round_['id']}", f"{len(responses)} responses")
    return len(responses)


def answers_by_response(db: sqlite_utils.Database, round_id: int, q: Questionnaire) -> dict[str, dict]:
    result: dict[str, dict] = {}
    for rid, item_id, value in db.execute(
        "SELECT a.response_id, a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id "
        "WHERE r.round_id = ?",
        [round_id],
    ):
        result.setdefault(rid, {})[item_id] = decode_value(q.items.get(item_id), value)
    for (rid,) in db.execute("SELECT id FROM responses WHERE round_id = ?", [round_id]):
        result.setdefault(rid, {})
    return result


def contexts_by_response(db: sqlite_utils.Database, round_id: int) -> dict[str, dict]:
    result = {}
    for rid, team, attributes in db.execute(
        "SELECT id, team, attributes FROM responses WHERE round_id = ?", [round_id]
    ):
        context = json.loads(attributes or "{}")
        if team:
            context["team"] = team
        result[rid] = context
    return result


def response_counts(db: sqlite_utils.Database, round_id: int) -> ResponseCounts:
    """The round's invited participants, responses given online and responses imported from files."""
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]
    online, imported = db.execute(
        "SELECT count(*) FILTER (WHERE source != 'import'), count(*) FILTER (WHERE source = 'import') "
        "FROM responses WHERE round_id = ?", [round_id]).fetchone()
    return ResponseCounts(invited, online, imported)
