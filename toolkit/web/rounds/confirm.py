"""What opening and closing a round will do, said before HR does it (the GET of those actions)."""

from __future__ import annotations

import json

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from toolkit.web.confirm import confirmation_page
from toolkit.web.database import get_db


def _invited(round_id: int) -> int:
    return get_db().execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]


def close_page(round_: dict) -> str:
    """The confirmation before "Close now" for ``round_`` (a rounds row)."""
    invited = _invited(round_["id"])
    consequences = [_("Personal links stop working: nobody can answer any more.")]
    if round_["status"] == "open":
        if round_["mode"] != "identified":
            consequences.append(_("The answers given so far are published all at once: the figures, the answer "
                                  "export and the personas of this round are made from them."))
        if invited:
            consequences.append(_("Invitations and reminders not sent yet are cancelled."))
        consequences.append(_("Change managers with access to this round are told that personas can be derived."))
        if round_["mode"] != "identified":
            consequences.append(_("You can reopen the round, but answers that come in after that are used only "
                                  "in groups of at least %(n)d.", n=round_["min_group"]))
    else:
        consequences.append(_("The round never opened, so it closes without answers from personal links."))
    return confirmation_page(
        title=_("Close “%(title)s” now?", title=round_["title"]),
        lead=_("Closing ends the round before its closing time."),
        consequences=consequences, action=url_for("rounds.close", round_id=round_["id"]),
        confirm_label=_("Yes, close the round now"), back=back_to(round_))


def open_page(round_: dict) -> str:
    """The confirmation before "Open the round" for ``round_`` (a rounds row)."""
    invited = _invited(round_["id"])
    days = json.loads(round_["reminder_days"] or "[]")
    consequences = [_("Personal links start working now.")]
    if invited:
        consequences.append(ngettext(
            "The invitation goes to %(num)d participant within a minute, while the scheduler runs.",
            "Invitations go to %(num)d participants within a minute, while the scheduler runs.", invited))
        if days:
            consequences.append(_("Reminders follow %(days)s days after opening, to people who have not answered.",
                                  days=", ".join(str(d) for d in days)))
    else:
        consequences.append(_("No participants yet: nobody is invited until you import them."))
    consequences.append(_("Sent invitations cannot be called back. Check the texts first under "
                          "‘Invitations and reminders’."))
    return confirmation_page(
        title=_("Open “%(title)s” now?", title=round_["title"]),
        lead=_("Opening starts the round at once, whatever opening time was planned."),
        consequences=consequences, action=url_for("rounds.open_round", round_id=round_["id"]),
        confirm_label=_("Yes, open the round"), back=back_to(round_), danger=False)


def back_to(round_: dict) -> str:
    """The round page, where each confirmation returns to without acting."""
    return url_for("rounds.detail", round_id=round_["id"])
