"""Accounts: creation, passwords (werkzeug hashes) and the Flask-Login user object."""

from __future__ import annotations

import datetime as dt
import re

import sqlite_utils
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("admin", "hr", "change_manager", "trainer")
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class User(UserMixin):
    def __init__(self, row: dict):
        self.id = row["id"]
        self.email = row["email"]
        self.name = row["name"]
        self.role = row["role"]
        self.language = row["language"]
        self.active_flag = bool(row["active"])

    @property
    def is_active(self) -> bool:
        return self.active_flag

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


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


def authenticate(db: sqlite_utils.Database, email: str, password: str) -> User | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    if rows and rows[0]["active"] and check_password_hash(rows[0]["password_hash"], password):
        return User(rows[0])
    # Same work for unknown accounts, so timing does not tell which e-mails exist.
    check_password_hash(generate_password_hash("x"), password)
    return None


def load_user(db: sqlite_utils.Database, user_id) -> User | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [int(user_id)]))
    return User(rows[0]) if rows else None
