"""Reading and writing the toolkit's tables. Every multi-row write is one transaction."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3

import sqlite_utils

from toolkit.core.intake import ImportedResponse, decode_value, encode_value
from toolkit.core.questionnaire import Questionnaire, parse_questionnaire
from toolkit.core.scoring import construct_scores
from toolkit.data.db import transaction, write

DEFAULT_REVIEW_DAYS = 365


class NotFound(LookupError):
    """The thing asked for does not exist (shown as 'not found', never a traceback)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def audit(db: sqlite_utils.Database, user_id: int | None, action: str, obj: str, detail: str = "") -> None:
    db.execute(
        "INSERT INTO audit (at, user_id, action, object, detail) VALUES (?, ?, ?, ?, ?)",
        [iso(utcnow()), user_id, action, obj, detail],
    )


# --- questionnaires and rounds ----------------------------------------------------------


def store_questionnaire_version(db: sqlite_utils.Database, q: Questionnaire) -> int:
    """Keep the exact instrument text with the data, so old rounds read after the file changes."""
    row = db.execute("SELECT id FROM questionnaire_versions WHERE file_hash = ?", [q.file_hash]).fetchone()
    if row:
        return row[0]
    with open(q.path, encoding="utf-8") as fh:
        source = fh.read()
    cur = db.execute(
        "INSERT INTO questionnaire_versions (questionnaire_id, version, file_hash, source, stored_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [q.id, q.version, q.file_hash, source, iso(utcnow())],
    )
    return cur.lastrowid


# Parsed instruments by the hash of their text: a hash names exactly one text, so this never
# goes stale, whichever database the process is looking at.
_by_hash: dict[str, Questionnaire] = {}


def round_questionnaire(db: sqlite_utils.Database, round_: dict) -> Questionnaire:
    """The instrument stored with the round. A caller that read `questionnaire_hash` along with the
    round (the respondent pages do, in the same query) is answered without another query."""
    known = _by_hash.get(round_.get("questionnaire_hash") or "")
    if known is not None:
        return known
    source, qid, version, file_hash = db.execute(
        "SELECT source, questionnaire_id, version, file_hash FROM questionnaire_versions WHERE id = ?",
        [round_["questionnaire_version_id"]],
    ).fetchone()
    q = _by_hash.get(file_hash)
    if q is None:
        q = parse_questionnaire(source.encode("utf-8"), f"{qid} v{version} (stored with round {round_['id']})")
        if len(_by_hash) < 256:
            _by_hash[file_hash] = q
    return q


def create_round(
    db: sqlite_utils.Database,
    q: Questionnaire,
    title: str,
    *,
    mode: str = "anonymous",
    language: str = "nl",
    min_group: int = 5,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    reminder_days: tuple[int, ...] = (3, 5),
    created_by: int | None = None,
    programme_id: int | None = None,
    round_kind: str = "baseline",
) -> int:
    title = title.strip()
    if not title:
        raise ValueError("a round needs a title")
    if min_group < 5:
        raise ValueError("the minimum group size cannot be below 5")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("the round must close after it opens")
    with transaction(db):
        version_id = store_questionnaire_version(db, q)
        cur = db.execute(
            "INSERT INTO rounds (questionnaire_id, questionnaire_version_id, title, language, mode, "
            "opens_at, closes_at, reminder_days, min_group, created_by, created_at, programme_id, round_kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [q.id, version_id, title, language, mode, iso(opens_at), iso(closes_at),
             json.dumps(list(reminder_days)), min_group, created_by, iso(utcnow()), programme_id, round_kind],
        )
        round_id = cur.lastrowid
        audit(db, created_by, "create", f"round {round_id}", title)
    return round_id


def get_round(db: sqlite_utils.Database, round_id: int) -> dict:
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [round_id]))
    if not rows:
        raise NotFound(f"round {round_id} does not exist")
    return rows[0]


def list_rounds(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "SELECT r.*, (SELECT count(*) FROM responses WHERE round_id = r.id) AS responses, "
            "(SELECT count(*) FROM participants WHERE round_id = r.id) AS invited "
            "FROM rounds r ORDER BY r.id DESC"
        )
    )


def response_count(db: sqlite_utils.Database, round_id: int) -> int:
    return db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0]


# --- responses --------------------------------------------------------------------------


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
    user_id: int | None = None,
) -> int:
    """Store validated responses all together, or none of them."""
    with transaction(db):
        clash = db.execute(
            f"SELECT external_id FROM responses WHERE round_id = ? AND external_id IN "
            f"({','.join('?' * len(responses))})",
            [round_["id"], *[r.external_id for r in responses]],
        ).fetchall()
        if clash:
            raise ValueError(
                f"respondent_id {clash[0][0]} was already imported into round {round_['id']}; nothing was imported"
            )
        for r in responses:
            insert_response(db, q, round_["id"], r.answers, external_id=r.external_id,
                            context=r.context, source="import")
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


# --- persona sets -----------------------------------------------------------------------


def save_persona_set(
    db: sqlite_utils.Database, round_id: int, persona_set: dict, *, user_id: int | None = None,
    review_days: int = DEFAULT_REVIEW_DAYS,
) -> int:
    """Store a derived set as the round's current one; earlier sets stay for comparison."""
    review_due = (utcnow().date() + dt.timedelta(days=review_days)).isoformat()
    data = {k: v for k, v in persona_set.items() if k != "personas"}
    params = {"k_requested": persona_set.get("k_requested"), "seed": persona_set.get("seed")}
    with transaction(db):
        db.execute("UPDATE persona_sets SET current = 0 WHERE round_id = ?", [round_id])
        cur = db.execute(
            "INSERT INTO persona_sets (round_id, method, k, params, quality, data, current, review_due, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            [round_id, persona_set.get("method", ""), persona_set["k"], json.dumps(params),
             json.dumps(persona_set.get("quality", {})), json.dumps(data), review_due, user_id, iso(utcnow())],
        )
        set_id = cur.lastrowid
        for persona in persona_set["personas"]:
            evidence = {k: v for k, v in persona.items()
                        if k not in ("key", "name", "label", "size", "profile", "members", "presented")}
            db.execute(
                "INSERT INTO personas (set_id, key, name, label, size, presented, profile, evidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [set_id, persona["key"], persona["name"], json.dumps(persona["label"], ensure_ascii=False),
                 persona["size"], int(bool(persona.get("presented", True))), json.dumps(persona["profile"]),
                 json.dumps(evidence, ensure_ascii=False)],
            )
            db.conn.executemany(
                "INSERT INTO assignments (set_id, response_id, persona_key) VALUES (?, ?, ?)",
                [(set_id, rid, persona["key"]) for rid in persona.get("members", [])],
            )
        audit(db, user_id, "derive", f"round {round_id}", f"persona set {set_id}, k={persona_set['k']}")
    return set_id


def _persona_from_row(row: dict) -> dict:
    persona = {
        "id": row["id"],
        "key": row["key"],
        "name": row["edited_name"] or row["name"],
        "derived_name": row["name"],
        "label": json.loads(row["label"]),
        "size": row["size"],
        "presented": bool(row["presented"]),
        "profile": json.loads(row["profile"]),
        "narrative": row["narrative"],
        "edited_by": row.get("editor"),
        "edited_at": row["edited_at"],
    }
    persona.update(json.loads(row["evidence"]))
    return persona


def load_persona_set(db: sqlite_utils.Database, set_id: int, *, members: bool = False) -> dict:
    rows = list(db.query("SELECT * FROM persona_sets WHERE id = ?", [set_id]))
    if not rows:
        raise NotFound(f"persona set {set_id} does not exist")
    row = rows[0]
    persona_set = json.loads(row["data"])
    persona_set.update(id=row["id"], round_id=row["round_id"], review_due=row["review_due"],
                       created_at=row["created_at"], current=bool(row["current"]))
    persona_set["personas"] = [
        _persona_from_row(p)
        for p in db.query(
            "SELECT p.*, u.name AS editor FROM personas p LEFT JOIN users u ON u.id = p.edited_by "
            "WHERE set_id = ? ORDER BY p.size DESC, p.key", [set_id]
        )
    ]
    if members:
        by_key: dict[str, list[str]] = {}
        for rid, key in db.execute(
            "SELECT response_id, persona_key FROM assignments WHERE set_id = ? ORDER BY response_id", [set_id]
        ):
            by_key.setdefault(key, []).append(rid)
        for persona in persona_set["personas"]:
            persona["members"] = by_key.get(persona["key"], [])
    return persona_set


def current_persona_set(db: sqlite_utils.Database, round_id: int, *, members: bool = False) -> dict | None:
    row = db.execute(
        "SELECT id FROM persona_sets WHERE round_id = ? AND current = 1 ORDER BY id DESC LIMIT 1", [round_id]
    ).fetchone()
    return load_persona_set(db, row[0], members=members) if row else None


def get_persona(db: sqlite_utils.Database, persona_id: int) -> tuple[dict, dict]:
    """(persona, its set) for a persona id."""
    row = db.execute("SELECT set_id FROM personas WHERE id = ?", [persona_id]).fetchone()
    if not row:
        raise NotFound(f"persona {persona_id} does not exist")
    persona_set = load_persona_set(db, row[0])
    persona = next(p for p in persona_set["personas"] if p["id"] == persona_id)
    return persona, persona_set


def edit_persona(db: sqlite_utils.Database, persona_id: int, *, name: str, narrative: str, user_id: int) -> None:
    with transaction(db):
        db.execute(
            "UPDATE personas SET edited_name = ?, narrative = ?, edited_by = ?, edited_at = ? WHERE id = ?",
            [name.strip() or None, narrative.strip() or None, user_id, iso(utcnow()), persona_id],
        )
        audit(db, user_id, "edit", f"persona {persona_id}", name)


def round_info(db: sqlite_utils.Database, round_: dict, q: Questionnaire, persona_set: dict | None) -> dict:
    """What the briefs need to know about a round."""
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_["id"]]).fetchone()[0]
    return {
        "id": round_["id"],
        "title": round_["title"],
        "questionnaire_title": q.title,
        "opens_at": round_["opens_at"],
        "closes_at": round_["closes_at"],
        "invited": invited or None,
        "responses": response_count(db, round_["id"]),
        "min_group": round_["min_group"],
        "review_due": (persona_set or {}).get("review_due"),
        "organisation": None,
    }
