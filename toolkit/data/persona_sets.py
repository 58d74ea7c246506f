"""Persona sets: each derivation of a round's personas, with its personas and their members."""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from toolkit.data.audit import audit
from toolkit.data.db import NotFound, iso, transaction, utcnow

DEFAULT_REVIEW_DAYS = 365


def save_persona_set(
    db: sqlite_utils.Database, round_id: int, persona_set: dict, *, user_id: int | None = None,
    review_days: int = DEFAULT_REVIEW_DAYS, pending: bool = False,
) -> int:
    """Store a derived set; return its id. Earlier sets stay, for comparison and to read.

    By default the set becomes the round's current one and the set it replaces is marked
    ``replaced_by`` it. With ``pending`` it waits for :func:`activate_persona_set` (someone
    confirms what it changes) and the current set stays; an older pending set of the round is
    dropped, as the newer derivation supersedes it.
    """
    review_due = (utcnow().date() + dt.timedelta(days=review_days)).isoformat()
    data = {k: v for k, v in persona_set.items() if k != "personas"}
    params = {"k_requested": persona_set.get("k_requested"), "seed": persona_set.get("seed")}
    now = iso(utcnow())
    with transaction(db):
        db.execute("DELETE FROM persona_sets WHERE round_id = ? AND pending = 1", [round_id])
        cur = db.execute(
            "INSERT INTO persona_sets (round_id, method, k, params, quality, data, current, pending, review_due, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [round_id, persona_set.get("method", ""), persona_set["k"], json.dumps(params),
             json.dumps(persona_set.get("quality", {})), json.dumps(data), int(not pending), int(pending),
             review_due, user_id, now],
        )
        set_id = cur.lastrowid
        if not pending:
            db.execute("UPDATE persona_sets SET current = 0, replaced_by = ?, replaced_at = ? "
                       "WHERE round_id = ? AND current = 1 AND id != ?", [set_id, now, round_id, set_id])
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
        "carried_from": row.get("carried_from"),
    }
    persona.update(json.loads(row["evidence"]))
    return persona


def load_persona_set(db: sqlite_utils.Database, set_id: int, *, members: bool = False) -> dict:
    """The stored persona set ``set_id`` as a :class:`toolkit.core.shapes.PersonaSet`, with its
    row's facts (id, round_id, review_due, created_at, current, pending, replaced_by,
    replaced_at) and its personas largest first, each with its edits (name, narrative, editor).
    With ``members``, each persona also lists its response ids. Raises NotFound for an unknown id."""
    rows = list(db.query("SELECT * FROM persona_sets WHERE id = ?", [set_id]))
    if not rows:
        raise NotFound(f"persona set {set_id} does not exist")
    row = rows[0]
    persona_set = json.loads(row["data"])
    persona_set.update(id=row["id"], round_id=row["round_id"], review_due=row["review_due"],
                       created_at=row["created_at"], current=bool(row["current"]), pending=bool(row["pending"]),
                       replaced_by=row["replaced_by"], replaced_at=row["replaced_at"])
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
    """The round's current persona set (see :func:`load_persona_set`), or None before any was derived."""
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
    """Store a person's name and narrative for a persona (blank: back to the derived name, no
    narrative), who edited it and when, and audit it."""
    with transaction(db):
        db.execute(
            "UPDATE personas SET edited_name = ?, narrative = ?, edited_by = ?, edited_at = ? WHERE id = ?",
            [name.strip() or None, narrative.strip() or None, user_id, iso(utcnow()), persona_id],
        )
        audit(db, user_id, "edit", f"persona {persona_id}", name)


def pending_persona_set(db: sqlite_utils.Database, round_id: int) -> dict | None:
    """The round's set that waits for confirmation (see :func:`save_persona_set`), or None."""
    row = db.execute(
        "SELECT id FROM persona_sets WHERE round_id = ? AND pending = 1 ORDER BY id DESC LIMIT 1", [round_id]
    ).fetchone()
    return load_persona_set(db, row[0]) if row else None


def persona_set_history(db: sqlite_utils.Database, round_id: int) -> list[dict]:
    """Every set of the round, newest first: id, k, created_at, current, pending, replaced_by,
    replaced_at (no personas)."""
    return list(db.query(
        "SELECT id, k, created_at, current, pending, replaced_by, replaced_at FROM persona_sets "
        "WHERE round_id = ? ORDER BY id DESC", [round_id]))


def activate_persona_set(
    db: sqlite_utils.Database, round_id: int, set_id: int, *, names: dict[str, str],
    carried: dict[str, int], user_id: int | None,
) -> None:
    """Make pending set ``set_id`` the round's current one, in one transaction.

    ``names`` (persona key -> derived name) renames personas of the new set (names that carry
    over); ``carried`` (persona key -> id of an earlier persona) copies that persona's
    hand-edited name and narrative, with who wrote them and when, and records where they came
    from. The set it replaces is marked ``replaced_by``. Raises NotFound when ``set_id`` is not
    a pending set of the round.
    """
    now = iso(utcnow())
    with transaction(db):
        if not db.execute("SELECT 1 FROM persona_sets WHERE id = ? AND round_id = ? AND pending = 1",
                          [set_id, round_id]).fetchone():
            raise NotFound(f"persona set {set_id} is not waiting for confirmation in round {round_id}")
        db.execute("UPDATE persona_sets SET current = 0, replaced_by = ?, replaced_at = ? "
                   "WHERE round_id = ? AND current = 1", [set_id, now, round_id])
        db.execute("UPDATE persona_sets SET current = 1, pending = 0 WHERE id = ?", [set_id])
        db.conn.executemany("UPDATE personas SET name = ? WHERE set_id = ? AND key = ?",
                            [(name, set_id, key) for key, name in names.items()])
        db.conn.executemany(
            "UPDATE personas SET (edited_name, narrative, edited_by, edited_at, carried_from) = "
            "(SELECT edited_name, narrative, edited_by, edited_at, id FROM personas WHERE id = ?) "
            "WHERE set_id = ? AND key = ?", [(old_id, set_id, key) for key, old_id in carried.items()])
        audit(db, user_id, "confirm", f"persona set {set_id}",
              f"round {round_id}; carried over from personas {sorted(carried.values())}")


def discard_persona_set(db: sqlite_utils.Database, round_id: int, set_id: int, *, user_id: int | None) -> None:
    """Drop pending set ``set_id`` (its personas and assignments with it); the current set
    stays. Raises NotFound when it is not a pending set of the round."""
    with transaction(db):
        cur = db.execute("DELETE FROM persona_sets WHERE id = ? AND round_id = ? AND pending = 1", [set_id, round_id])
        if cur.rowcount != 1:
            raise NotFound(f"persona set {set_id} is not waiting for confirmation in round {round_id}")
        audit(db, user_id, "discard", f"persona set {set_id}", f"round {round_id}")
