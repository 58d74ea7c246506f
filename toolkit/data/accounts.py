"""Accounts: creation, roles, passwords (werkzeug hashes) and per-round grants.

Rows are plain dicts; the web layer wraps them in its Flask-Login user (toolkit.web.users).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from toolkit.core.roles import ROLE_IDS

ROLES = ROLE_IDS
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(db: sqlite_utils.Database, *, email: str, name: str, role: str, password: str, language: str = "nl") -> int:
    """Add a staff account and return its id; the e-mail address is stored trimmed and lower-case.

    `role` is a role id (toolkit.core.roles); `password` is stored only as a werkzeug hash;
    `language` ("nl" or "en") is the language of the screens and mail. Raises ValueError when
    `email` is not an e-mail address, the role is unknown, the password has fewer than
    MIN_PASSWORD (10) characters, or an account with that address exists.
    """
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
    """Store a new password hash for the account ``email``; True when such an account exists.

    Every session of the account ends (its session version is bumped), so a reset locks out
    whoever had the old password. Raises ValueError for a password under MIN_PASSWORD characters.
    """
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    cur = db.execute(
        "UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE email = ?",
        [generate_password_hash(password), email.strip().lower()],
    )
    return cur.rowcount > 0


def end_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """Make every session cookie issued so far for account ``user_id`` invalid (logout everywhere)."""
    db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [int(user_id)])


_spare_hash: list[str] = []


def _comparison_hash(db: sqlite_utils.Database) -> str:
    """A stored password hash to check a password against when the account does not exist.

    Any account's real hash costs what a real check costs (same method and work factor, even after
    the defaults change); with no accounts yet, one made with the current defaults, once per process.
    """
    row = db.execute("SELECT password_hash FROM users ORDER BY id LIMIT 1").fetchone()
    if row:
        return row[0]
    if not _spare_hash:
        _spare_hash.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _spare_hash[0]


def authenticate(db: sqlite_utils.Database, email: str, password: str) -> dict | None:
    """The active account's row when ``password`` is right, else None.

    One password-hash check either way (unknown account, disabled account, wrong password), so
    the time taken does not tell which e-mail addresses have an account.
    """
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    stored = rows[0]["password_hash"] if rows else _comparison_hash(db)
    matches = check_password_hash(stored, password)
    if rows and matches and rows[0]["active"]:
        return rows[0]
    return None


def get_user(db: sqlite_utils.Database, user_id) -> dict | None:
    """The account row with id ``user_id`` (int or numeric text), or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [int(user_id)]))
    return rows[0] if rows else None


def get_user_by_email(db: sqlite_utils.Database, email: str) -> dict | None:
    """The account row for `email` (case and surrounding spaces ignored), or None.

    The row includes the password hash: keep it away from pages and exports.
    """
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    """Every account, oldest first: id, email, name, role, language, active (0/1), created_at.

    No password hashes. Disabled accounts are included.
    """
    return list(db.query("SELECT id, email, name, role, language, active, created_at FROM users ORDER BY id"))


def set_role(db: sqlite_utils.Database, user_id: int, role: str) -> None:
    """Give account ``user_id`` the role ``role``; its sessions end when the role changes.

    Raises ValueError for an unknown role, an unknown account, or demoting the last active admin.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}' (expected one of {', '.join(ROLES)})")
    _refuse_removing_last_admin(db, user_id, role=role)
    # A session carries what its role allowed at login: a new role starts with a new login.
    db.execute("UPDATE users SET role = ?, session_version = session_version + 1 WHERE id = ? AND role != ?",
               [role, user_id, role])


def set_active(db: sqlite_utils.Database, user_id: int, active: bool) -> None:
    """Enable or disable account ``user_id``; its sessions end either way.

    Raises ValueError for an unknown account or disabling the last active admin.
    """
    if not active:
        _refuse_removing_last_admin(db, user_id, role=None)
    db.execute("UPDATE users SET active = ?, session_version = session_version + 1 WHERE id = ?",
               [int(active), user_id])


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
