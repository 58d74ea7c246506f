"""The start page: per role, what to do next.

HR and admin: open rounds with their response rate, rounds still to set up (and what is
missing), closed rounds without personas. Change managers: new personas and briefs of the rounds
granted to them. Trainers: the training briefs of their rounds. Everyone who may see programme
pages: persona reviews that are overdue. `auth.home` ("/") renders it.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from toolkit.core.participation import ResponseCounts
from toolkit.core.privacy import ShownCount, presentable_personas, works_council_problem
from toolkit.data.db import utcnow
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.responses import response_counts
from toolkit.web.authz import can, visible_rounds
from toolkit.web.database import get_db

NEW_FOR_DAYS = 14  # persona sets derived this recently are marked "new"


def setup_steps(round_: dict) -> list[str]:
    """What a draft round still needs before it can open, in the order to do it."""
    steps = []
    if not round_["invited"]:
        steps.append(_("import participants"))
    if works_council_problem(round_):
        steps.append(_("record the works council approval"))
    if not round_["closes_at"]:
        steps.append(_("set a closing date"))
    steps.append(_("open the round"))
    return steps


def hr_overview(db, rounds: list[dict]) -> dict:
    """What HR and admin see first, from `rounds` (rows as `visible_rounds` gives them).

    Returns {"open_rounds": open rounds, each with "count" (a ShownCount of the answers given
    online: in an identified round exactly; in an anonymous one as the round may show it) and
    "rate" (that count / invited, 0..1, None without invitees or below the minimum; imported
    answers have no invitee and are never part of it, see `toolkit.core.participation`);
    "drafts": draft rounds, each with "steps" (see `setup_steps`); "to_derive": closed rounds
    with responses and no persona set yet}. `db` is the request's sqlite_utils Database.
    """
    open_rounds, drafts, to_derive = [], [], []
    derived = {r[0] for r in db.execute("SELECT DISTINCT round_id FROM persona_sets")}
    responded = dict(db.execute("SELECT p.round_id, sum(p.responded) FROM participants p JOIN rounds r "
                                "ON r.id = p.round_id WHERE r.mode = 'identified' GROUP BY p.round_id").fetchall())
    for r in rounds:
        if r["status"] == "open":
            if r["mode"] == "identified":  # invited people who answered (their flag): imports have no invitee
                counts = ResponseCounts(r["invited"], ShownCount(exact=responded.get(r["id"]) or 0), 0)
            else:  # answered online, in steps of the minimum group while open; imports apart
                counts = response_counts(db, r)
            open_rounds.append({**r, "count": counts.online, "rate": counts.rate})
        elif r["status"] == "draft":
            drafts.append({**r, "steps": setup_steps(r)})
        elif r["id"] not in derived and r["responses"]:
            to_derive.append(r)
    return {"open_rounds": open_rounds, "drafts": drafts, "to_derive": to_derive}


def persona_rounds(db, rounds: list[dict], today: dt.date) -> list[dict]:
    """Granted rounds with a current persona set, newest set first, and their shown personas."""
    result = []
    for r in rounds:
        persona_set = current_persona_set(db, r["id"])
        if not persona_set:
            continue
        created = dt.datetime.fromisoformat(persona_set["created_at"]).date()
        result.append({
            "round": r, "set": persona_set, "created": created,
            "new": (today - created).days <= NEW_FOR_DAYS,
            "personas": presentable_personas(persona_set, r["min_group"]),
        })
    return sorted(result, key=lambda x: x["set"]["created_at"], reverse=True)


def render_home():
    """The start page (home/index.html) for the logged-in user, per role.

    Everyone: the rounds they may see, split into those with a current persona set (newest
    first, with the personas that may be shown) and those still waiting. HR and admin also get
    `hr_overview`; whoever may view rounds also gets the overdue persona reviews. Needs a request
    with a logged-in user (`auth.home` checks that).
    """
    db = get_db()
    rounds = visible_rounds()
    today = utcnow().date()
    context = {"rounds": rounds, "role": current_user.role, "overdue": [],
               "format_date": format_date, "format_percent": format_percent}
    if can("rounds.manage"):
        context.update(hr_overview(db, rounds))
    context["persona_rounds"] = persona_rounds(db, rounds, today)
    context["waiting"] = [r for r in rounds if r["id"] not in {p["round"]["id"] for p in context["persona_rounds"]}]
    if can("rounds.view"):
        from toolkit.web.programmes.views import overdue_for_current_user

        context["overdue"] = overdue_for_current_user()
    return render_template("home/index.html", **context)
