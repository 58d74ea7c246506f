"""Which rounds an account may see: the one place that answers it.

Roles that see every round (admin, HR: ``toolkit.core.roles``) see them all; the other roles see
the rounds granted to their account in ``round_access``.
"""

from __future__ import annotations

import sqlite_utils

from toolkit.core.roles import GRANTABLE_ROLES, sees_every_round


def visible_round_ids(db: sqlite_utils.Database, user_id: int, role: str) -> set[int] | None:
    """The ids of the rounds this account may see, or None when it may see every round."""
    if sees_every_round(role):
        return None
    return {r[0] for r in db.execute("SELECT round_id FROM round_access WHERE user_id = ?", [user_id])}


def may_see_round(db: sqlite_utils.Database, user_id: int, role: str, round_id: int) -> bool:
    """True when the account may see round ``round_id`` (whether or not the round exists)."""
    if sees_every_round(role):
        return True
    return db.execute(
        "SELECT 1 FROM round_access WHERE round_id = ? AND user_id = ?", [round_id, user_id]
    ).fetchone() is not None


def granted_users(db: sqlite_utils.Database, round_id: int) -> list[dict]:
    """Accounts granted round ``round_id``: dicts with id, email, name, role, by name."""
    return list(db.query(
        "SELECT u.id, u.email, u.name, u.role FROM round_access a JOIN users u ON u.id = a.user_id "
        "WHERE a.round_id = ? ORDER BY u.name", [round_id]))


def grant_round(db: sqlite_utils.Database, round_id: int, user_id: int) -> None:
    """Let account ``user_id`` see round ``round_id`` (idempotent).

    Raises ValueError for an unknown account or a role that sees every round anyway.
    """
    row = db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise ValueError(f"no account with id {user_id}")
    if row[0] not in GRANTABLE_ROLES:
        raise ValueError("only change managers and trainers are granted rounds; admin and HR see every round")
    db.execute("INSERT OR IGNORE INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, user_id])


def revoke_round(db: sqlite_utils.Database, round_id: int, user_id: int) -> None:
    """Take round ``round_id`` away from account ``user_id`` (no error when it was not granted)."""
    db.execute("DELETE FROM round_access WHERE round_id = ? AND user_id = ?", [round_id, user_id])
