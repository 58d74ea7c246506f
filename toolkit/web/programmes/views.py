"""Programme list and page: comparison table, drift report, trend charts, reviews.

Every view sends anonymous visitors to the login page and refuses a logged-in user whose role
lacks the view's permission with 403 (`toolkit.web.authz.requires`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from toolkit.data.db import NotFound, utcnow
from toolkit.data.rounds import round_questionnaire
from toolkit.services import programmes
from toolkit.web.authz import can, current_visible_round_ids, requires
from toolkit.web.database import get_db
from toolkit.web.i18n import in_reader_language
from toolkit.web.programmes.forms import AddRoundForm, MajorChangeForm, ProgrammeForm, ReviewForm
from toolkit.web.programmes.trend import chart

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


def _visible(programme_id: int, visible: set[int] | None) -> bool:
    if visible is None:
        return True
    ids = [r[0] for r in get_db().execute("SELECT id FROM rounds WHERE programme_id = ?", [programme_id])]
    return bool(ids) and set(ids) <= visible


def _programme_for(programme_id: int) -> dict:
    """404 when the programme does not exist, 403 when one of its rounds is not granted."""
    try:
        programme = programmes.get_programme(get_db(), programme_id)
    except NotFound:
        abort(404)
    if not _visible(programme_id, current_visible_round_ids()):
        abort(403)
    return programme


def overdue_for_current_user(today=None) -> list[dict]:
    """Overdue reviews the logged-in user may see (for the home page)."""
    return programmes.overdue_reviews(get_db(), today, round_ids=current_visible_round_ids())


@bp.route("/", methods=["GET", "POST"])
@requires("programmes.view")
def index():
    """GET/POST /programmes/, admin, HR and change managers: the programme list.

    Lists the programmes whose rounds the user may all see (admin and HR: every programme; a
    change manager: programmes with rounds, all granted), newest first, with the overdue
    persona reviews, and renders programmes/index.html. A valid POST creates a programme and
    redirects to its page; only admin and HR may (403 for a change manager). A refused name
    renders the list again with a message.
    """
    form = ProgrammeForm()
    if form.validate_on_submit():
        if not can("rounds.manage"):
            abort(403)
        try:
            programme_id = programmes.create_programme(get_db(), form.name.data, form.description.data,
                                                       user_id=current_user.id)
        except programmes.ProgrammeError:
            flash(_("Not created: a programme needs a name of at most 200 characters."), "error")
        else:
            flash(_("Programme created. Add its baseline round next."), "info")
            return redirect(url_for(".detail", programme_id=programme_id))
    visible = current_visible_round_ids()
    rows = [p for p in programmes.list_programmes(get_db()) if _visible(p["id"], visible)]
    return render_template("programmes/index.html", programmes=rows, form=form,
                           overdue=overdue_for_current_user())


def _add_round_form() -> AddRoundForm:
    form = AddRoundForm()
    free = get_db().execute("SELECT id, title FROM rounds WHERE programme_id IS NULL ORDER BY id DESC").fetchall()
    form.round_id.choices = [(rid, f"{title} (#{rid})") for rid, title in free]
    return form


@bp.get("/<int:programme_id>")
@requires("programmes.view")
def detail(programme_id):
    """GET /programmes/<programme_id>: one programme's page, read-only for roles that may not
    manage rounds or edit personas (trainers see it for the rounds granted to them).

    Renders programmes/detail.html: its rounds in time order, each consecutive pair compared,
    the latest drift report, a trend chart per construct, the reviews and major changes, and
    (for those who may) the forms to add a round, record a review and register a change.
    Refuses with 404 for an unknown programme and 403 when one of its rounds is not granted to
    the user (for someone who sees only granted rounds, also while the programme has no rounds).
    """
    programme = _programme_for(programme_id)
    db = get_db()
    result = programmes.compare_programme(db, programme_id)
    labels = [r["title"] for r in result["rounds"]]
    charts = [{"construct": t["construct"], "name": t["name"], "chart": chart(t, labels)} for t in result["trends"]]
    rounds = programmes.programme_rounds(db, programme_id)
    for r in rounds:  # the title a person knows, not the file's id
        r["questionnaire_title"] = in_reader_language(round_questionnaire(db, r).title)
    latest_set = next((r for r in reversed(rounds) if r["set_id"]), None)
    reviews = {r["set_id"]: programmes.reviews_for_set(db, r["set_id"]) for r in rounds if r["set_id"]}
    return render_template(
        "programmes/detail.html", programme=programme, result=result, charts=charts, rounds=rounds,
        latest=latest_set, reviews=reviews, today=utcnow().date().isoformat(),
        changes=programmes.major_changes(db, programme_id),
        review_form=ReviewForm(), change_form=MajorChangeForm(), add_form=_add_round_form(),
    )


@bp.post("/<int:programme_id>/rounds")
@requires("rounds.manage")
def add_round(programme_id):
    """POST /programmes/<programme_id>/rounds, admin and HR: put a round in the programme.

    Redirects to the programme page with a message: added, or why not (no round or kind chosen,
    the round is in another programme, or its questionnaire does not fit the baseline). Refuses
    with 404 for an unknown programme.
    """
    _programme_for(programme_id)
    form = _add_round_form()
    if not form.validate_on_submit():
        flash(_("Not added: choose a round and its kind."), "error")
    else:
        try:
            programmes.add_round(get_db(), programme_id, form.round_id.data, form.kind.data, user_id=current_user.id)
        except programmes.ProgrammeError as exc:
            flash(_("Not added: %(reason)s", reason=str(exc)), "error")
        else:
            flash(_("Round added. Personas that persist keep their names."), "info")
    return redirect(url_for(".detail", programme_id=programme_id))


@bp.post("/<int:programme_id>/major-change")
@requires("rounds.manage")
def major_change(programme_id):
    """POST /programmes/<programme_id>/major-change, admin and HR: register a major change.

    Brings the review of the programme's current personas forward (within 30 days) and
    redirects to the programme page with the new date, or with a message when the note is empty
    or over 500 characters. Refuses with 404 for an unknown programme.
    """
    _programme_for(programme_id)
    form = MajorChangeForm()
    if form.validate_on_submit():
        due = programmes.register_major_change(get_db(), programme_id, form.note.data, user_id=current_user.id)
        flash(_("Major change registered: the personas of this programme are due for review by %(due)s.", due=due),
              "info")
    else:
        flash(_("Not registered: describe the change in at most 500 characters."), "error")
    return redirect(url_for(".detail", programme_id=programme_id))


@bp.post("/<int:programme_id>/sets/<int:set_id>/review")
@requires("personas.edit")
def review(programme_id, set_id):
    """POST /programmes/<programme_id>/sets/<set_id>/review, admin, HR and change managers.

    Records a review of persona set `set_id` (the next one falls due a year later) and redirects
    to the reviews on the programme page, with a message saying whether it was recorded.
    Refuses with 404 for an unknown programme or a set outside it, 403 when one of the
    programme's rounds is not granted to the user.
    """
    _programme_for(programme_id)
    if not get_db().execute("SELECT 1 FROM persona_sets s JOIN rounds r ON r.id = s.round_id "
                            "WHERE s.id = ? AND r.programme_id = ?", [set_id, programme_id]).fetchone():
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Not recorded: say why, in at most 4000 characters per field."), "error")
    else:
        try:
            programmes.record_review(get_db(), set_id, user_id=current_user.id, why=form.why.data,
                                     kept=form.kept.data, changed=form.changed.data)
        except programmes.ProgrammeError:
            flash(_("Not recorded: say what was kept, what was changed, or both."), "error")
        else:
            flash(_("Review recorded. The next review is due in a year."), "info")
    return redirect(url_for(".detail", programme_id=programme_id) + "#reviews")
