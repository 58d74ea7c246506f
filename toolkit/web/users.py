"""The logged-in staff member as Flask-Login sees them."""

from __future__ import annotations

from flask_login import UserMixin


class User(UserMixin):
    """An account row (``users`` table) as the current user: id, email, name, role, language and
    session_version (the number a session must carry to count as this user's)."""

    def __init__(self, row: dict):
        """Copy the fields from `row`, a ``users`` row; raises KeyError when one is missing.

        A row from before migration added ``session_version`` counts as version 1.
        """
        self.id = row["id"]
        self.email = row["email"]
        self.name = row["name"]
        self.role = row["role"]
        self.language = row["language"]
        self.active_flag = bool(row["active"])
        self.session_version = row.get("session_version", 1)

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot log in or keep a session."""
        return self.active_flag

    def has_role(self, *roles: str) -> bool:
        """True when the account's role is one of ``roles``."""
        return self.role in roles


def user_from_row(row: dict | None) -> User | None:
    """``User`` for an account row, None for None."""
    return User(row) if row else None
