"""Personas of a round, one persona, edits, and the Word briefs to download."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from toolkit.core.personas import shown_stability
from toolkit.core.privacy import presentable_personas
from toolkit.data.audit import audit
from toolkit.data.db import NotFound
from toolkit.data.persona_checks import is_check_round
from toolkit.data.persona_sets import (
    current_persona_set,
    edit_persona,
    get_persona,
    persona_set_history,
)
from toolkit.data.rounds import round_questionnaire
from toolkit.jobs import runner as jobs
from toolkit.jobs.work import zip_path
from toolkit.services.cards import persona_cards
from toolkit.services.pipeline import brief_bytes, brief_filename
from toolkit.web import jobs as web_jobs
from toolkit.web.authz import can, requires, round_for
from toolkit.web.database import get_db
from toolkit.web.personas.forms import PersonaEditForm

bp = Blueprint("personas", __name__)
KIND_PERMISSION = {"communication": "briefs.communication", "training": "briefs.training"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.app_template_filter("stability")
def stability_filter(value) -> str:
    """A stability figure as pages show it: two decimals, never rounded into another band."""
    shown = shown_stability(value)
    return "–" if shown is None else format_decimal(shown, "0.00")


@bp.app_template_filter("band")
def band_filter(band: str | None) -> str:
    """A stability band in the reader's language."""
    return {"stable": _("stable"), "indicative": _("indicative"), "unstable": _("unstable")}.get(
        band or "", _("not assessed"))


def near_miss_traits(persona_set: dict, q, lang: str) -> list[str]:
    """What sets a near-miss group apart, as "higher X" / "lower Y" phrases (at most three)."""
    near = (persona_set.get("quality") or {}).get("near_miss") or {}
    traits = []
    for d in near.get("distinguishing", [])[:3]:
        construct = q.constructs.get(d["construct"])
        name = construct.name.get(lang, d["construct"]) if construct else d["construct"]
        traits.append(_("higher %(construct)s", construct=name) if d["direction"] == "high"
                      else _("lower %(construct)s", construct=name))
    return traits


def _lang() -> str:
    lang = request.args.get("lang", "nl")
    if lang not in ("nl", "en"):
        abort(404)
    return lang


@bp.get("/rounds/<int:round_id>/personas")
@requires("personas.view")
def overview(round_id):
    """GET /rounds/<round_id>/personas: the current set's presentable personas, a near miss if
    any, the set's history and the brief downloads. 404 for an unknown round, 403 when not granted."""
    round_ = round_for(round_id)
    db = get_db()
    persona_set = current_persona_set(db, round_id)
    q = round_questionnaire(db, round_)
    return render_template(
        "personas/overview.html", round=round_, persona_set=persona_set, q=q,
        personas=presentable_personas(persona_set, round_["min_group"]) if persona_set else [],
        near_traits=near_miss_traits(persona_set, q, g.get("lang") or "nl") if persona_set else [],
        history=persona_set_history(db, round_id),
        is_check=is_check_round(db, round_id),
    )


def _persona_for(persona_id: int) -> tuple[dict, dict, dict]:
    db = get_db()
    try:
        persona, persona_set = get_persona(db, persona_id)
    except NotFound:
        abort(404)
    round_ = round_for(persona_set["round_id"])
    if persona not in presentable_personas(persona_set, round_["min_group"]):
        abort(404)
    return persona, persona_set, round_


@bp.get("/personas/<int:persona_id>")
@requires("personas.view")
def detail(persona_id):
    """GET /personas/<persona_id>: the persona card, then its figures folded below, and the edit
    form for those who may. 404 for an unknown persona or one withheld (unstable or too small)."""
    persona, persona_set, round_ = _persona_for(persona_id)
    q = round_questionnaire(get_db(), round_)
    form = PersonaEditForm(name=persona["name"], narrative=persona["narrative"] or "")
    lang = g.get("lang") or "nl"
    option_labels = {  # role -> option value -> label, so the page shows words, not codes
        item.role: {o.value: o.label.get(lang) or o.value for o in item.options}
        for item in q.items.values() if item.role and item.options
    }
    card = persona_cards(get_db(), round_, persona_set, lang, {persona_id})[0]
    return render_template("personas/detail.html", persona=persona, persona_set=persona_set, round=round_,
                           q=q, form=form, option_labels=option_labels, card=card)


@bp.post("/personas/<int:persona_id>/edit")
@requires("personas.edit")
def edit(persona_id):
    """POST /personas/<persona_id>/edit: store the name and narrative (at most 60 and 4000
    characters) and return to the persona page with what happened."""
    _persona_for(persona_id)
    form = PersonaEditForm()
    if form.validate_on_submit():
        edit_persona(get_db(), persona_id, name=form.name.data or "", narrative=form.narrative.data or "",
                           user_id=current_user.id)
        flash(_("Saved."), "info")
    else:
        flash(_("Not saved: the name can have at most 60 characters and the narrative 4000."), "error")
    return redirect(url_for(".detail", persona_id=persona_id))


@bp.get("/personas/<int:persona_id>/brief/<kind>.docx")
@requires("personas.view")
def brief(persona_id, kind):
    """GET /personas/<persona_id>/brief/<kind>.docx?lang=nl|en: the communication or training
    brief as a Word file, audited. 404 for an unknown kind or language, 403 without its permission."""
    if kind not in KIND_PERMISSION:
        abort(404)
    if not can(KIND_PERMISSION[kind]):
        abort(403)
    persona, persona_set, round_ = _persona_for(persona_id)
    lang = _lang()
    data = brief_bytes(get_db(), round_, persona_set, persona, kind, lang)
    audit(get_db(), current_user.id, "download", f"persona {persona_id}", f"{kind} brief {lang}")
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=brief_filename(round_, persona, kind, lang))


@bp.get("/rounds/<int:round_id>/overview.docx")
@requires("briefs.overview")
def overview_brief(round_id):
    """GET /rounds/<round_id>/overview.docx?lang=nl|en: the steering group's overview as a Word
    file, audited; 404 before the round has personas."""
    round_ = round_for(round_id)
    persona_set = current_persona_set(get_db(), round_id)
    if persona_set is None:
        abort(404)
    lang = _lang()
    data = brief_bytes(get_db(), round_, persona_set, None, "overview", lang)
    audit(get_db(), current_user.id, "download", f"round {round_id}", f"overview brief {lang}")
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=brief_filename(round_, None, "overview", lang))


# --- all briefs as a zip, built by the scheduler process -----------------------------------------
# Writing a dozen Word files takes seconds; a job does it (toolkit.jobs.work.briefs_zip) and the
# page shows progress, so no web worker waits. The zip holds what the requesting user may
# download, so only they get it.

ZIP_KEEP = dt.timedelta(hours=24)


def _zip_folder() -> Path:
    folder = Path(current_app.instance_path) / "zips"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # the zips hold briefs: the owner's only
    return folder


@bp.post("/rounds/<int:round_id>/briefs-zip")
@requires("personas.view")
def start_briefs_zip(round_id):
    """POST /rounds/<round_id>/briefs-zip: queue a job that writes every brief this user may
    download into one zip (zips older than 24 hours are removed first), then show its progress.
    400 without a valid CSRF token."""
    round_for(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if current_persona_set(get_db(), round_id) is None:
        flash(_("There are no personas yet, so there are no briefs to download."), "error")
        return redirect(url_for(".overview", round_id=round_id))
    lang = _lang()
    folder = _zip_folder()
    cutoff = dt.datetime.now().timestamp() - ZIP_KEEP.total_seconds()
    for old in folder.glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    params = {"lang": lang, "overview": can("briefs.overview"), "folder": str(folder),
              "kinds": [k for k, perm in KIND_PERMISSION.items() if can(perm)]}
    job_id = web_jobs.submit("briefs_zip", round_id, params, current_user.id)
    return redirect(url_for(".zip_job", round_id=round_id, job_id=job_id))


def _zip_job_for(round_id: int, job_id: int) -> dict:
    round_for(round_id)
    job = jobs.get(get_db(), job_id)
    if job is None or job["kind"] != "briefs_zip" or job["round_id"] != round_id or job["created_by"] != current_user.id:
        abort(404)
    return job


@bp.get("/rounds/<int:round_id>/zips/<int:job_id>")
@requires("personas.view")
def zip_job(round_id, job_id):
    """GET /rounds/<round_id>/zips/<job_id>: the zip job's progress, or its download link; only
    for the user who asked for it (404 for anyone else)."""
    job = _zip_job_for(round_id, job_id)
    result = json.loads(job["result"] or "{}")
    return render_template("personas/zip_job.html", round=round_for(round_id), job=job, result=result,
                           format_percent=format_percent, **web_jobs.job_page_context(job))


@bp.get("/rounds/<int:round_id>/zips/<int:job_id>/download")
@requires("personas.view")
def zip_download(round_id, job_id):
    """GET /rounds/<round_id>/zips/<job_id>/download: the finished zip, audited; 404 while it is
    not done, once it was removed, or for another user."""
    job = _zip_job_for(round_id, job_id)
    path = zip_path(_zip_folder(), job_id)
    if job["status"] != "done" or not path.exists():
        abort(404)
    lang = json.loads(job["params"]).get("lang", "nl")
    audit(get_db(), current_user.id, "download", f"round {round_id}", f"briefs zip {lang} (job {job_id})")
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"round-{round_id}-briefs-{lang}.zip")
