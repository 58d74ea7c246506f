"""Accounts: creation, roles, passwords (werkzeug hashes) and per-round grants.

Rows are plain dicts; the web layer wraps them in its Flask-Login user (toolkit.web.users).
"""

from __future__ import annotations

import datetime as dt
import re

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from toolkit.core.roles import ROLE_IDS

ROLES = ROLE_IDS
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(db: sqlite_utils.Database, *, email: str, name: str, role: str, password: str, language: str = "nl") -> int:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(f"'{email}' is not an e-mail address")
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}' (expected one of {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
        raise ValueError(f"an account with e-mail {email} already exists")
    cur = db.execute(
        "INSERT INTO users (email, name, role, password_hash, language, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [email, name.strip(), role, generate_password_hash(password), language,
         dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
    )
    return cur.lastrowid


def set_password(db: sqlite_utils.Database, email: str, password: str) -> bool:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    cur = db.execute("UPDATE users SET password_hash = ? WHERE email = ?", [generate_password_hash(password), email.lower()])
    return cur.rowcount > 0


def authenticate(db: sqlite_utils.Database, email: str, password: str) -> dict | None:
    """The active account's row when ``password`` is right, else None (same work either way)."""
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    if rows and rows[0]["active"] and check_password_hash(rows[0]["password_hash"], password):
        return rows[0]
    # Same work for unknown accounts, so timing does not tell which e-mails exist.
    check_password_hash(generate_password_hash("x"), password)
    return None


def get_user(db: sqlite_utils.Database, user_id) -> dict | None:
    """The account row with id ``user_id`` (int or numeric text), or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [int(user_id)]))
    return rows[0] if rows else None


def get_user_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT id, email, name, role, language, active, created_at FROM users ORDER BY id"))


def set_role(db: sqlite_utils.Database, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}' (expected one of {', '.join(ROLES)})")
    _refuse_removing_last_admin(db, user_id, role=role)
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def set_active(db: sqlite_utils.Database, user_id: int, active: bool) -> None:
    if not active:
        _refuse_removing_last_admin(db, user_id, role=None)
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])


def _refuse_removing_last_admin(db: sqlite_utils.Database, user_id: int, role: str | None) -> None:
    """Keep at least one active admin, so nobody locks the organisation out of its own tool."""
    row = db.execute("SELECT role, active FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise ValueError(f"no account with id {user_id}")
    if row[0] == "admin" and row[1] and role != "admin":
        others = db.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?", [user_id]
        ).fetchone()[0]
        if others == 0:
            raise ValueError("this is the last active admin account; make another admin first")
