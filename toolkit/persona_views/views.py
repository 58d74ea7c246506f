"""Personas of a round, one persona, edits, and the Word briefs to download."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import store
from ..db import get_db
from ..pipeline import brief_bytes, brief_filename
from ..privacy import presentable_personas
from ..web import can, requires, round_for
from .forms import PersonaEditForm

bp = Blueprint("personas", __name__)
KIND_PERMISSION = {"communication": "briefs.communication", "training": "briefs.training"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _lang() -> str:
    lang = request.args.get("lang", "nl")
    if lang not in ("nl", "en"):
        abort(404)
    return lang


@bp.get("/rounds/<int:round_id>/personas")
@requires("personas.view")
def overview(round_id):
    round_ = round_for(round_id)
    db = get_db()
    persona_set = store.current_persona_set(db, round_id)
    q = store.round_questionnaire(db, round_)
    return render_template(
        "personas/overview.html", round=round_, persona_set=persona_set, q=q,
        personas=presentable_personas(persona_set, round_["min_group"]) if persona_set else [],
    )


def _persona_for(persona_id: int) -> tuple[dict, dict, dict]:
    db = get_db()
    try:
        persona, persona_set = store.get_persona(db, persona_id)
    except store.NotFound:
        abort(404)
    round_ = round_for(persona_set["round_id"])
    if persona not in presentable_personas(persona_set, round_["min_group"]):
        abort(404)
    return persona, persona_set, round_


@bp.get("/personas/<int:persona_id>")
@requires("personas.view")
def detail(persona_id):
    persona, persona_set, round_ = _persona_for(persona_id)
    q = store.round_questionnaire(get_db(), round_)
    form = PersonaEditForm(name=persona["name"], narrative=persona["narrative"] or "")
    return render_template("personas/detail.html", persona=persona, persona_set=persona_set, round=round_,
                           q=q, form=form)


@bp.post("/personas/<int:persona_id>/edit")
@requires("personas.edit")
def edit(persona_id):
    _persona_for(persona_id)
    form = PersonaEditForm()
    if form.validate_on_submit():
        store.edit_persona(get_db(), persona_id, name=form.name.data or "", narrative=form.narrative.data or "",
                           user_id=current_user.id)
        flash(_("Saved."), "info")
    else:
        flash(_("Not saved: the name can have at most 60 characters and the narrative 4000."), "error")
    return redirect(url_for(".detail", persona_id=persona_id))


@bp.get("/personas/<int:persona_id>/brief/<kind>.docx")
@requires("personas.view")
def brief(persona_id, kind):
    if kind not in KIND_PERMISSION:
        abort(404)
    if not can(KIND_PERMISSION[kind]):
        abort(403)
    persona, persona_set, round_ = _persona_for(persona_id)
    lang = _lang()
    data = brief_bytes(get_db(), round_, persona_set, persona, kind, lang)
    store.audit(get_db(), current_user.id, "download", f"persona {persona_id}", f"{kind} brief {lang}")
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=brief_filename(round_, persona, kind, lang))


@bp.get("/rounds/<int:round_id>/overview.docx")
@requires("briefs.overview")
def overview_brief(round_id):
    round_ = round_for(round_id)
    persona_set = store.current_persona_set(get_db(), round_id)
    if persona_set is None:
        abort(404)
    lang = _lang()
    data = brief_bytes(get_db(), round_, persona_set, None, "overview", lang)
    store.audit(get_db(), current_user.id, "download", f"round {round_id}", f"overview brief {lang}")
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=brief_filename(round_, None, "overview", lang))


@bp.get("/rounds/<int:round_id>/briefs.zip")
@requires("personas.view")
def briefs_zip(round_id):
    round_ = round_for(round_id)
    persona_set = store.current_persona_set(get_db(), round_id)
    if persona_set is None:
        abort(404)
    lang = _lang()
    kinds = [k for k, perm in KIND_PERMISSION.items() if can(perm)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if can("briefs.overview"):
            archive.writestr(brief_filename(round_, None, "overview", lang),
                             brief_bytes(get_db(), round_, persona_set, None, "overview", lang))
        for persona in presentable_personas(persona_set, round_["min_group"]):
            for kind in kinds:
                archive.writestr(brief_filename(round_, persona, kind, lang),
                                 brief_bytes(get_db(), round_, persona_set, persona, kind, lang))
    store.audit(get_db(), current_user.id, "download", f"round {round_id}", f"briefs zip {lang}")
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"round-{round_id}-briefs-{lang}.zip")
