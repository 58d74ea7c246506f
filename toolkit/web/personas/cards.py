"""Persona cards to take into a meeting: a print view, the slides for the steering group, and the
trainers' view of the training modules each persona needs."""

from __future__ import annotations

import io

from flask import Blueprint, abort, g, render_template, request, send_file
from flask_login import current_user

from toolkit.data.audit import audit
from toolkit.data.persona_sets import current_persona_set
from toolkit.services import cards
from toolkit.web.authz import requires, round_for
from toolkit.web.database import get_db

bp = Blueprint("cards", __name__)


def _current_set(round_id: int) -> tuple[dict, dict]:
    """(round, its current persona set); 403/404 as round_for says, 404 without personas."""
    round_ = round_for(round_id)
    persona_set = current_persona_set(get_db(), round_id)
    if persona_set is None:
        abort(404)
    return round_, persona_set


@bp.get("/rounds/<int:round_id>/personas/cards")
@requires("personas.view")
def print_view(round_id):
    """Every card of the round (or, with ?persona=<id>, one), each on its own printed page."""
    round_, persona_set = _current_set(round_id)
    wanted = request.args.get("persona", type=int)
    shown = cards.persona_cards(get_db(), round_, persona_set, g.get("lang") or "nl",
                                {wanted} if wanted else None)
    if wanted and not shown:
        abort(404)
    return render_template("personas/cards.html", round=round_, persona_set=persona_set, cards=shown,
                           single=bool(wanted))


@bp.get("/rounds/<int:round_id>/personas/cards.pptx")
@requires("briefs.overview")
def deck(round_id):
    """All cards of the round as slides (one per persona) for the steering group."""
    round_, persona_set = _current_set(round_id)
    lang = request.args.get("lang", "nl")
    if lang not in ("nl", "en"):
        abort(404)
    data = cards.card_deck(get_db(), round_, persona_set, lang)
    audit(get_db(), current_user.id, "download", f"round {round_id}", f"persona card slides {lang}")
    return send_file(io.BytesIO(data), mimetype=cards.PPTX, as_attachment=True,
                     download_name=cards.deck_filename(round_, lang))


@bp.get("/rounds/<int:round_id>/training-modules")
@requires("briefs.training")
def modules(round_id):
    """Persona × module: which training modules each persona needs, and why."""
    round_, persona_set = _current_set(round_id)
    names, rows = cards.module_matrix(get_db(), round_, persona_set, g.get("lang") or "nl")
    return render_template("personas/modules.html", round=round_, modules=names, rows=rows)
