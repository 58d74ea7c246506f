"""Persona sets of a round over time: review a new derivation before it replaces the current
personas, confirm or discard it, and read an earlier set that was replaced."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from toolkit.core.privacy import presentable_personas
from toolkit.data.db import NotFound
from toolkit.data.persona_sets import load_persona_set
from toolkit.services import rederive
from toolkit.web.authz import can, requires, round_for
from toolkit.web.database import get_db

bp = Blueprint("persona_sets", __name__)


def _set_of(round_id: int, set_id: int) -> tuple[dict, dict]:
    round_ = round_for(round_id)
    try:
        persona_set = load_persona_set(get_db(), set_id)
    except NotFound:
        abort(404)
    if persona_set["round_id"] != round_id:
        abort(404)
    return round_, persona_set


@bp.get("/rounds/<int:round_id>/persona-sets/<int:set_id>")
@requires("personas.view")
def show(round_id, set_id):
    """An earlier set of the round, readable as it was, marked "replaced by"."""
    round_, persona_set = _set_of(round_id, set_id)
    if persona_set["current"]:
        return redirect(url_for("personas.overview", round_id=round_id))
    if persona_set["pending"]:
        if not can("personas.derive"):
            abort(404)
        return redirect(url_for(".review", round_id=round_id, set_id=set_id))
    return render_template("personas/set.html", round=round_, persona_set=persona_set,
                           personas=presentable_personas(persona_set, round_["min_group"]))


@bp.get("/rounds/<int:round_id>/persona-sets/<int:set_id>/review")
@requires("personas.derive")
def review(round_id, set_id):
    """What the new derivation changes: matched, new and gone personas, and what carries over."""
    round_ = round_for(round_id)
    try:
        found = rederive.pending_review(get_db(), round_id, set_id)
    except NotFound:
        abort(404)
    return render_template("personas/review_set.html", round=round_, set_id=set_id, form=FlaskForm(), **found)


@bp.post("/rounds/<int:round_id>/persona-sets/<int:set_id>/confirm")
@requires("personas.derive")
def confirm(round_id, set_id):
    """Put the new personas in use, carrying names and narratives over."""
    round_for(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        plan = rederive.confirm(get_db(), round_id, set_id, user_id=current_user.id)
    except NotFound:
        abort(404)
    carried = len(plan.carried)
    flash(_("The new personas are in use.") + " " + ngettext(
        "%(num)d persona took over an earlier name or narrative.",
        "%(num)d personas took over an earlier name or narrative.", carried) if carried
        else _("The new personas are in use."), "info")
    return redirect(url_for("personas.overview", round_id=round_id))


@bp.post("/rounds/<int:round_id>/persona-sets/<int:set_id>/discard")
@requires("personas.derive")
def discard(round_id, set_id):
    """Keep the current personas and drop the new derivation."""
    round_for(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        rederive.discard(get_db(), round_id, set_id, user_id=current_user.id)
    except NotFound:
        abort(404)
    flash(_("The new derivation was discarded; the current personas stay."), "info")
    return redirect(url_for("personas.overview", round_id=round_id))
