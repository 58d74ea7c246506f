"""Rounds: the list, creating one, the round page, importing answers, deriving personas."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import jobs, store
from ..db import get_db
from ..imports import ImportProblem, parse_responses, read_table
from ..privacy import presentable_personas
from ..questionnaire import available_questionnaires, get_questionnaire
from ..web import requires, round_for
from .forms import DeriveForm, RoundForm, UploadForm

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


def visible_rounds() -> list[dict]:
    rounds = store.list_rounds(get_db())
    if current_user.role in ("admin", "hr"):
        return rounds
    granted = {r[0] for r in get_db().execute("SELECT round_id FROM round_access WHERE user_id = ?", [current_user.id])}
    return [r for r in rounds if r["id"] in granted]


@bp.get("/")
@requires("rounds.list")
def index():
    return render_template("rounds/index.html", rounds=visible_rounds())


@bp.route("/new", methods=["GET", "POST"])
@requires("rounds.manage")
def new():
    form = RoundForm()
    form.questionnaire.choices = [(qid, qid) for qid in available_questionnaires()]
    if form.validate_on_submit():
        q = get_questionnaire(form.questionnaire.data)
        round_id = store.create_round(
            get_db(), q, form.title.data, mode=form.mode.data, language=form.language.data,
            min_group=form.min_group.data, created_by=current_user.id,
        )
        flash(_("Round created."), "info")
        return redirect(url_for(".detail", round_id=round_id))
    return render_template("rounds/new.html", form=form)


@bp.get("/<int:round_id>")
@requires("personas.view")
def detail(round_id):
    round_ = round_for(round_id)
    if current_user.role == "trainer":
        return redirect(url_for("personas.overview", round_id=round_id))
    db = get_db()
    persona_set = store.current_persona_set(db, round_id)
    running = list(db.query(
        "SELECT * FROM jobs WHERE round_id = ? AND status IN ('queued', 'running') ORDER BY id DESC LIMIT 1", [round_id]
    ))
    return render_template(
        "rounds/detail.html",
        round=round_,
        responses=store.response_count(db, round_id),
        invited=db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0],
        persona_set=persona_set,
        personas=presentable_personas(persona_set, round_["min_group"]) if persona_set else [],
        upload_form=UploadForm(),
        derive_form=DeriveForm(),
        job=running[0] if running else None,
    )


@bp.post("/<int:round_id>/responses")
@requires("rounds.manage")
def upload_responses(round_id):
    round_ = round_for(round_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV or XLSX file to import."), "error")
        return redirect(url_for(".detail", round_id=round_id))
    db = get_db()
    q = store.round_questionnaire(db, round_)
    upload = form.file.data
    try:
        parsed = parse_responses(q, read_table(upload.read(), upload.filename or "upload"))
        count = store.import_responses(db, round_, q, parsed, user_id=current_user.id)
    except (ImportProblem, ValueError) as exc:
        problems = getattr(exc, "problems", [str(exc)])
        return render_template("rounds/import_failed.html", round=round_, filename=upload.filename,
                               problems=problems), 422
    flash(_("Imported %(n)d responses.", n=count), "info")
    return redirect(url_for(".detail", round_id=round_id))


@bp.post("/<int:round_id>/derive")
@requires("personas.derive")
def derive(round_id):
    round_for(round_id)
    form = DeriveForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    job_id = jobs.create(db, "derive", round_id, {"k": int(form.k.data) if form.k.data else None}, current_user.id)
    jobs.start_derive(current_app.config["DATABASE"], job_id)
    return redirect(url_for(".job", round_id=round_id, job_id=job_id))


def _job_for(round_id: int, job_id: int) -> dict:
    round_for(round_id)
    job = jobs.get(get_db(), job_id)
    if job is None or job["round_id"] != round_id:
        abort(404)
    return job


@bp.get("/<int:round_id>/jobs/<int:job_id>")
@requires("personas.derive")
def job(round_id, job_id):
    job = _job_for(round_id, job_id)
    if job["status"] == "done":
        flash(_("Personas derived."), "info")
        return redirect(url_for("personas.overview", round_id=round_id))
    return render_template("rounds/job.html", round_id=round_id, job=job)


@bp.get("/<int:round_id>/jobs/<int:job_id>.json")
@requires("personas.derive")
def job_status(round_id, job_id):
    job = _job_for(round_id, job_id)
    return jsonify(status=job["status"], progress=job["progress"], message=job["message"])
