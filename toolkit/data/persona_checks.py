"""Persona checks as stored: the round generated from a persona set, and which persona each of
its pages is about (table ``persona_checks``, migration m016)."""

from __future__ import annotations

import json

import sqlite_utils

from toolkit.core.questionnaire import Questionnaire
from toolkit.data.db import iso, transaction, utcnow


def store_generated_questionnaire(db: sqlite_utils.Database, q: Questionnaire, source: str) -> int:
    """Keep the text of a questionnaire that has no file (a generated persona check) with the
    data, as :func:`toolkit.data.rounds.store_questionnaire_version` does for files, and return
    its ``questionnaire_versions`` id. ``source`` is the exact text ``q`` was parsed from; a text
    stored before (same ``q.file_hash``) is not stored twice."""
    with transaction(db):
        db.execute(
            "INSERT INTO questionnaire_versions (questionnaire_id, version, file_hash, source, stored_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_hash) DO NOTHING",
            [q.id, q.version, q.file_hash, source, iso(utcnow())],
        )
    return db.execute("SELECT id FROM questionnaire_versions WHERE file_hash = ?", [q.file_hash]).fetchone()[0]


def link_check(db: sqlite_utils.Database, round_id: int, set_id: int, personas: list[dict],
               user_id: int | None = None) -> None:
    """Record that round ``round_id`` checks persona set ``set_id``; ``personas`` lists
    {"prefix": "pc1", "persona_id": 12} per page. Raises sqlite3.IntegrityError for a round that
    is already a check or an unknown round or set."""
    with transaction(db):
        db.execute(
            "INSERT INTO persona_checks (round_id, set_id, personas, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            [round_id, set_id, json.dumps(personas), user_id, iso(utcnow())],
        )


def _row(row: dict) -> dict:
    return {**row, "personas": json.loads(row["personas"])}


def checks_of_sets(db: sqlite_utils.Database, set_ids: list[int]) -> list[dict]:
    """The checks of the persona sets ``set_ids``, newest first: each the check's round row
    (``id`` is the round id, with ``status``, ``mode``, ``min_group``, ``title`` ...) with
    ``set_id`` and ``personas`` (the list given to :func:`link_check`)."""
    if not set_ids:
        return []
    marks = ", ".join("?" for _ in set_ids)
    rows = db.query(
        f"SELECT r.*, c.set_id, c.personas FROM persona_checks c JOIN rounds r ON r.id = c.round_id "
        f"WHERE c.set_id IN ({marks}) ORDER BY c.round_id DESC", list(set_ids))
    return [_row(r) for r in rows]


def check_count(db: sqlite_utils.Database, set_id: int) -> int:
    """How many checks persona set ``set_id`` has had."""
    return db.execute("SELECT count(*) FROM persona_checks WHERE set_id = ?", [set_id]).fetchone()[0]


def is_check_round(db: sqlite_utils.Database, round_id: int) -> bool:
    """Whether round ``round_id`` is a persona check (its questionnaire rates persona cards)."""
    return db.execute("SELECT 1 FROM persona_checks WHERE round_id = ?", [round_id]).fetchone() is not None
