"""The staff roles and what each may do: the one table that adding a role changes.

A role is data: its id (stored in ``users.role``), its label (an English msgid, translated by
the screens), whether it sees every round or only rounds granted to it, and the permissions
the web layer checks (``toolkit.web.authz.requires``). Respondents have no account and no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.messages import N_


@dataclass(frozen=True)
class Role:
    """One staff role.

    ``permissions`` are names such as ``"rounds.manage"`` (see `PERMISSIONS`);
    ``sees_every_round`` False means the role sees only rounds granted to its accounts.
    """

    id: str
    label: str
    sees_every_round: bool
    permissions: frozenset[str]


_EVERYONE = ("rounds.list", "personas.view", "briefs.training", "programmes.view")
_CHANGE = ("rounds.view", "personas.derive", "personas.edit", "briefs.communication", "briefs.overview")
_HR = ("rounds.manage", "rounds.grant", "rounds.privacy", "participants.data")

ROLES: dict[str, Role] = {
    "admin": Role("admin", N_("administrator"), True, frozenset(_EVERYONE + _CHANGE + _HR + ("admin.users", "admin.audit"))),
    "hr": Role("hr", N_("HR"), True, frozenset(_EVERYONE + _CHANGE + _HR)),
    "change_manager": Role("change_manager", N_("change manager"), False, frozenset(_EVERYONE + _CHANGE)),
    "trainer": Role("trainer", N_("trainer"), False, frozenset(_EVERYONE)),
}
ROLE_IDS: tuple[str, ...] = tuple(ROLES)
GRANTABLE_ROLES: tuple[str, ...] = tuple(r.id for r in ROLES.values() if not r.sees_every_round)
PERMISSIONS: dict[str, tuple[str, ...]] = {
    permission: tuple(r.id for r in ROLES.values() if permission in r.permissions)
    for permission in dict.fromkeys(p for r in ROLES.values() for p in sorted(r.permissions))
}


def sees_every_round(role: str) -> bool:
    """True for roles that see every round (admin, HR); False for roles that need a grant."""
    return ROLES[role].sees_every_round if role in ROLES else False
