"""The audit log in the reader's language.

Audit rows keep what happened in stable English codes ("view", "round 3", "was draft"), so they
can be filtered and compared whatever language recorded them; this module says them in the
reader's language on the audit page, and turns an object typed in Dutch ("ronde 3") back into
its stored form.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from toolkit.web.authz import role_label

ACTIONS = {
    "view": _l("viewed"), "export": _l("exported"), "download": _l("downloaded"), "edit": _l("edited"),
    "delete": _l("deleted"), "create": _l("created"), "login": _l("logged in"), "logout": _l("logged out"),
    "derive": _l("derived personas"), "open": _l("opened"), "close": _l("closed"), "reopen": _l("reopened"),
    "import": _l("imported"), "grant": _l("granted access"), "revoke": _l("took access away"),
    "review": _l("reviewed"), "confirm": _l("confirmed"), "discard": _l("discarded"),
    "send now": _l("sent mail now"), "test mail": _l("sent a test mail"),
    "change facts": _l("edited the change facts"), "backup": _l("made a backup"),
}
# Object kinds as stored, longest first so "persona set 4" is not read as "persona ...".
OBJECTS = {
    "persona set": _l("persona set %(id)s"), "participant": _l("participant %(id)s"), "programme": _l("programme %(id)s"),
    "persona": _l("persona %(id)s"), "round": _l("round %(id)s"), "user": _l("account %(id)s"),
}
OBJECTS["field note"] = _l("note %(id)s")  # issue 22: a note from conversations
_OBJECT = re.compile(r"^(" + "|".join(OBJECTS) + r") (\d+)(?: of round (\d+))?$")
_DETAILS = {
    "opened by the scheduler": _l("opened by the scheduler"), "closed by the scheduler": _l("closed by the scheduler"),
    "enabled": _l("enabled"), "disabled": _l("disabled"), "password reset": _l("password reset"),
}
_STATUSES = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")}
_WAS = re.compile(r"^was (draft|open|closed)$")
_ROLE_CHANGE = re.compile(r"^role (\w+) -> (\w+)$")
_COUNTED = re.compile(r"^(\d+) (participants|responses)$")
_DERIVED = re.compile(r"^persona set (\d+), k=(\d+)$")
_VIEWED = re.compile(r"^[a-z_]+\.[a-z_]+ (/\S*)$")  # "rounds.detail /rounds/3": the endpoint and the path


def action_text(action: str) -> str:
    """An audit action ("view") in the reader's language ("bekeken"); an unknown one as stored."""
    return str(ACTIONS[action]) if action in ACTIONS else action


def object_text(obj: str | None) -> str:
    """An audit object ("round 3", "participant 7 of round 2") in the reader's language."""
    match = _OBJECT.match(obj or "")
    if not match:
        return _("database") if obj == "database" else (obj or "")
    kind, number, round_id = match.groups()
    text = str(OBJECTS[kind]) % {"id": number}
    return _("%(what)s of %(round)s", what=text, round=str(OBJECTS["round"]) % {"id": round_id}) if round_id else text


def detail_text(detail: str | None) -> str | Markup:
    """An audit detail in the reader's language where it is one of the known forms; a page's
    address as code; anything else (a count, a file name) as stored."""
    detail = detail or ""
    if detail in _DETAILS:
        return str(_DETAILS[detail])
    if match := _WAS.match(detail):
        return _("was %(status)s", status=str(_STATUSES[match.group(1)]))
    if match := _ROLE_CHANGE.match(detail):
        return _("role %(old)s → %(new)s", old=role_label(match.group(1)), new=role_label(match.group(2)))
    if match := _COUNTED.match(detail):
        count = int(match.group(1))
        if match.group(2) == "participants":
            return ngettext("%(num)d participant", "%(num)d participants", count)
        return ngettext("%(num)d response", "%(num)d responses", count)
    if match := _DERIVED.match(detail):
        return ngettext("%(set)s, %(num)d persona", "%(set)s, %(num)d personas", int(match.group(2)),
                        set=str(OBJECTS["persona set"]) % {"id": match.group(1)})
    if _OBJECT.match(detail):
        return object_text(detail)
    if match := _VIEWED.match(detail):
        return Markup("<code>{}</code>").format(match.group(1))
    return detail


def stored_object(typed: str) -> str:
    """What a person typed in the object filter ("ronde 3" or "round 3") as the audit log stores it."""
    typed = " ".join(typed.split())
    for kind, label in OBJECTS.items():
        prefix = (str(label) % {"id": ""}).strip().lower()
        if typed.lower().startswith(prefix + " ") and typed[len(prefix) + 1:].isdigit():
            return f"{kind} {typed[len(prefix) + 1:]}"
    return typed
