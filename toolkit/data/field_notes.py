"""Field notes on a round: stored masked, linked to personas and/or a theme, read back per round,
per persona and for the briefs.

The text, theme and tags of a note are masked (toolkit.core.field_notes) before they reach the
database: the unmasked text is never stored, not in the audit log either (it records the note's
number only). A note linked to a persona stays with the personas that later take that one's
place when a round is derived again (``personas.carried_from``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import sqlite_utils

from toolkit.core.field_notes import MAX_TEXT, Masked, check_note, mask_personal_data, name_index
from toolkit.core.messages import N_, MessageError
from toolkit.data.audit import audit
from toolkit.data.db import NotFound, iso, transaction, utcnow

# Every persona of a set with itself and each persona it carried over from, however far back.
_LINEAGE = """WITH RECURSIVE lineage(persona_id, ancestor) AS (
    SELECT id, id FROM personas WHERE set_id = ?
    UNION SELECT lineage.persona_id, p.carried_from FROM lineage JOIN personas p ON p.id = lineage.ancestor
    WHERE p.carried_from IS NOT NULL)"""


def participant_names(db: sqlite_utils.Database, round_id: int) -> list[str]:
    """The names on the round's participant list (empty names left out)."""
    return [name for (name,) in db.execute(
        "SELECT name FROM participants WHERE round_id = ? AND name != ''", [round_id])]


def _current_set_id(db: sqlite_utils.Database, round_id: int) -> int | None:
    row = db.execute("SELECT id FROM persona_sets WHERE round_id = ? AND current = 1 ORDER BY id DESC LIMIT 1",
                     [round_id]).fetchone()
    return row[0] if row else None


def _prepared(db: sqlite_utils.Database, round_id: int, fields: Mapping, persona_ids: Iterable[int],
              markers: Mapping[str, str] | None) -> tuple[dict, list[int], dict[str, int]]:
    """The checked, masked note, its persona ids (checked against the round's current set) and
    what masking replaced, summed over text, theme and tags."""
    if not db.execute("SELECT 1 FROM rounds WHERE id = ?", [round_id]).fetchone():
        raise NotFound(f"round {round_id} does not exist")
    note = check_note(**{k: fields.get(k) for k in ("kind", "held_on", "people", "text", "theme")},
                      tags=fields.get("tags") or ())
    ids = sorted({int(i) for i in persona_ids})
    set_id = _current_set_id(db, round_id)
    allowed = {i for (i,) in db.execute("SELECT id FROM personas WHERE set_id = ?", [set_id])} if set_id else set()
    if set(ids) - allowed:
        raise MessageError(N_("A note can only be linked to personas of the round's current set."))
    if not ids and not note["theme"]:
        raise MessageError(N_("Link the note to at least one persona or give it a theme."))
    index = name_index(participant_names(db, round_id))
    counts = {"name": 0, "email": 0, "phone": 0}
    masked_parts: list[Masked] = []
    for key in ("text", "theme"):
        result = mask_personal_data(note[key], index, markers)
        note[key] = result.text
        masked_parts.append(result)
    tags = [mask_personal_data(tag, index, markers) for tag in note["tags"]]
    note["tags"] = [t.text for t in tags]
    for result in [*masked_parts, *tags]:
        for kind, n in result.counts.items():
            counts[kind] += n
    if len(note["text"]) > MAX_TEXT:  # a marker can be longer than the name it replaces
        raise MessageError(N_("With names and numbers masked the note has %(n)s characters; at most %(max)s fit. "
                              "Shorten it a little."), n=len(note["text"]), max=MAX_TEXT)
    return note, ids, counts


def add_note(db: sqlite_utils.Database, round_id: int, fields: Mapping, *, persona_ids: Iterable[int] = (),
             author_id: int | None, markers: Mapping[str, str] | None = None) -> tuple[int, dict[str, int]]:
    """Store a new note on round ``round_id``; return (note id, what masking replaced by kind).

    ``fields``: kind, held_on, people, text, theme, tags as :func:`toolkit.core.field_notes.check_note`
    takes them; ``persona_ids``: personas of the round's current set; ``markers``: the
    replacement texts in the writer's language. Raises NotFound for an unknown round and
    :class:`MessageError` for a note that breaks a rule, links to another set's persona or has
    neither a persona nor a theme.
    """
    note, ids, counts = _prepared(db, round_id, fields, persona_ids, markers)
    with transaction(db):
        cur = db.execute(
            "INSERT INTO field_notes (round_id, kind, held_on, people, text, theme, tags, author_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [round_id, note["kind"], note["held_on"], note["people"], note["text"], note["theme"],
             json.dumps(note["tags"], ensure_ascii=False), author_id, iso(utcnow())])
        note_id = cur.lastrowid
        db.conn.executemany("INSERT INTO field_note_personas (note_id, persona_id) VALUES (?, ?)",
                            [(note_id, i) for i in ids])
        audit(db, author_id, "create", f"field note {note_id} of round {round_id}")
    return note_id, counts


def update_note(db: sqlite_utils.Database, round_id: int, note_id: int, fields: Mapping, *,
                persona_ids: Iterable[int] = (), user_id: int | None,
                markers: Mapping[str, str] | None = None) -> dict[str, int]:
    """Replace note ``note_id`` of round ``round_id`` (fields and persona links as for
    :func:`add_note`); return what masking replaced. Who may is the caller's to decide
    (:func:`toolkit.core.field_notes.may_change`). Raises NotFound and MessageError as add_note."""
    get_note(db, round_id, note_id)
    note, ids, counts = _prepared(db, round_id, fields, persona_ids, markers)
    with transaction(db):
        db.execute(
            "UPDATE field_notes SET kind = ?, held_on = ?, people = ?, text = ?, theme = ?, tags = ?, "
            "updated_at = ? WHERE id = ?",
            [note["kind"], note["held_on"], note["people"], note["text"], note["theme"],
             json.dumps(note["tags"], ensure_ascii=False), iso(utcnow()), note_id])
        db.execute("DELETE FROM field_note_personas WHERE note_id = ?", [note_id])
        db.conn.executemany("INSERT INTO field_note_personas (note_id, persona_id) VALUES (?, ?)",
                            [(note_id, i) for i in ids])
        audit(db, user_id, "edit", f"field note {note_id} of round {round_id}")
    return counts


def delete_note(db: sqlite_utils.Database, round_id: int, note_id: int, *, user_id: int | None) -> None:
    """Delete note ``note_id`` of round ``round_id`` with its persona links; NotFound when the
    round has no such note."""
    with transaction(db):
        if db.execute("DELETE FROM field_notes WHERE id = ? AND round_id = ?", [note_id, round_id]).rowcount != 1:
            raise NotFound(f"round {round_id} has no note {note_id}")
        audit(db, user_id, "delete", f"field note {note_id} of round {round_id}")


def _row(row: Mapping) -> dict:
    note = dict(row)
    note["tags"] = json.loads(note["tags"] or "[]")
    return note


_SELECT = ("SELECT n.*, u.name AS author FROM field_notes n LEFT JOIN users u ON u.id = n.author_id ")


def get_note(db: sqlite_utils.Database, round_id: int, note_id: int) -> dict:
    """One note of the round as a dict (the columns, ``tags`` as a list, ``author`` the writer's
    name, ``persona_ids`` the personas it is linked to); NotFound when the round has none such."""
    rows = list(db.query(_SELECT + "WHERE n.id = ? AND n.round_id = ?", [note_id, round_id]))
    if not rows:
        raise NotFound(f"round {round_id} has no note {note_id}")
    note = _row(rows[0])
    note["persona_ids"] = [i for (i,) in db.execute(
        "SELECT persona_id FROM field_note_personas WHERE note_id = ? ORDER BY persona_id", [note_id])]
    return note


def _keys_by_note(db: sqlite_utils.Database, set_id: int | None) -> dict[int, list[int]]:
    """note id -> ids of the set's personas it is linked to, directly or through the personas
    they carried over from."""
    if set_id is None:
        return {}
    found: dict[int, list[int]] = {}
    for note_id, persona_id in db.execute(
        _LINEAGE + " SELECT DISTINCT l.note_id, lineage.persona_id FROM lineage "
        "JOIN field_note_personas l ON l.persona_id = lineage.ancestor ORDER BY l.note_id, lineage.persona_id",
        [set_id],
    ):
        found.setdefault(note_id, []).append(persona_id)
    return found


def round_notes(db: sqlite_utils.Database, round_id: int, persona_set: Mapping | None = None) -> list[dict]:
    """The round's notes, latest conversation first, each as :func:`get_note` gives it with
    ``personas``: the ids of the personas of ``persona_set`` (the round's current set when None)
    it belongs to, and ``linked``: whether it was linked to any persona at all."""
    set_id = persona_set["id"] if persona_set else _current_set_id(db, round_id)
    by_note = _keys_by_note(db, set_id)
    linked = {i for (i,) in db.execute(
        "SELECT DISTINCT l.note_id FROM field_note_personas l JOIN field_notes n ON n.id = l.note_id "
        "WHERE n.round_id = ?", [round_id])}
    notes = []
    for row in db.query(_SELECT + "WHERE n.round_id = ? ORDER BY n.held_on DESC, n.id DESC", [round_id]):
        note = _row(row)
        note["personas"] = by_note.get(note["id"], [])
        note["linked"] = note["id"] in linked
        notes.append(note)
    return notes


def persona_notes(db: sqlite_utils.Database, persona_id: int) -> list[dict]:
    """The notes that belong to persona ``persona_id``: linked to it, or to a persona it carried
    over from; latest conversation first (dicts as :func:`round_notes`)."""
    row = db.execute("SELECT p.set_id, s.round_id FROM personas p JOIN persona_sets s ON s.id = p.set_id "
                     "WHERE p.id = ?", [persona_id]).fetchone()
    if not row:
        raise NotFound(f"persona {persona_id} does not exist")
    set_id, round_id = row
    return [n for n in round_notes(db, round_id, {"id": set_id}) if persona_id in n["personas"]]


def notes_for_briefs(db: sqlite_utils.Database, round_id: int, persona_set: Mapping | None) -> list[dict]:
    """What the briefs show of the round's notes: per note kind, held_on, people, text, theme,
    tags and ``persona_keys``, the keys of ``persona_set``'s personas it belongs to (see
    :func:`round_notes`); [] without a stored persona set."""
    if not persona_set or persona_set.get("id") is None:
        return []
    key_of = {p["id"]: p["key"] for p in persona_set.get("personas", []) if "id" in p}
    return [
        {"kind": n["kind"], "held_on": n["held_on"], "people": n["people"], "text": n["text"],
         "theme": n["theme"], "tags": n["tags"], "persona_keys": [key_of[i] for i in n["personas"] if i in key_of]}
        for n in round_notes(db, round_id, persona_set)
    ]
