"""GET/POST /rounds/<round_id>/notes: a round's field notes; add, edit (own) and delete.

Everyone who sees the round's personas reads its notes; HR, change managers and administrators
add them ("personas.edit"), edit their own, and delete their own (HR and administrators anyone's;
toolkit.core.field_notes.may_change). The text is masked before it is stored, and the writer is
told how many names, e-mail addresses and phone numbers were replaced, never which.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from toolkit.core.field_notes import KIND_NAMES, MARKERS, may_change
from toolkit.core.messages import MessageError
from toolkit.core.privacy import presentable_personas
from toolkit.data.db import NotFound
from toolkit.data.field_notes import (
    add_note,
    delete_note,
    get_note,
    persona_notes,
    round_notes,
    update_note,
)
from toolkit.data.persona_sets import current_persona_set
from toolkit.web.authz import requires, round_for
from toolkit.web.database import get_db
from toolkit.web.i18n import translate
from toolkit.web.notes.forms import NoteForm
from toolkit.web.rounds.forms import ButtonForm

bp = Blueprint("notes", __name__)


@bp.app_template_global("note_kind_names")
def kind_names() -> dict[str, str]:
    """Kind of conversation -> its name in the reader's language."""
    return {kind: _(name) for kind, name in KIND_NAMES.items()}


@bp.app_template_global("persona_field_notes")
def persona_field_notes(persona_id: int) -> list[dict]:
    """The notes that belong to a persona, for the persona page's include (the page has already
    checked that the reader may see the persona); latest conversation first."""
    try:
        return persona_notes(get_db(), persona_id)
    except NotFound:
        return []


def _shown_personas(round_: dict) -> list[dict]:
    persona_set = current_persona_set(get_db(), round_["id"])
    return presentable_personas(persona_set, round_["min_group"]) if persona_set else []


def _page(round_: dict, form: NoteForm, editing: dict | None = None, chosen=(), status: int = 200):
    personas = _shown_personas(round_)
    return render_template(
        "notes/index.html", round=round_, notes=round_notes(get_db(), round_["id"]), form=form, editing=editing,
        personas=personas, persona_names={p["id"]: p["name"] for p in personas}, kinds=kind_names(),
        chosen=set(chosen), button=ButtonForm(), may_change=_may, today=dt.date.today().isoformat(),
    ), status


def _may(action: str, note: dict) -> bool:
    return may_change(action, author_id=note.get("author_id"), user_id=current_user.id, role=current_user.role)


@bp.get("/rounds/<int:round_id>/notes")
@requires("personas.view")
def index(round_id):
    """GET /rounds/<round_id>/notes: the round's notes, and the form to add one (or, with
    ``?edit=<note id>``, to change one's own). 404 for an unknown round, 403 when not granted."""
    round_ = round_for(round_id)
    editing = None
    if request.args.get("edit", "").isdigit():
        try:
            editing = get_note(get_db(), round_id, int(request.args["edit"]))
        except NotFound:
            abort(404)
        if not _may("edit", editing):
            abort(403)
        form = NoteForm(data={**editing, "held_on": dt.date.fromisoformat(editing["held_on"]),
                              "tags": ", ".join(editing["tags"])})
        return _page(round_, form, editing, editing["persona_ids"])
    persona = request.args.get("persona", "")
    return _page(round_, NoteForm(data={"held_on": dt.date.today()}), chosen=[int(persona)] if persona.isdigit() else [])


def _fields(form: NoteForm) -> dict:
    return {"kind": form.kind.data, "held_on": form.held_on.data, "people": form.people.data,
            "text": form.text.data or "", "theme": form.theme.data or "", "tags": form.tags.data or ""}


def _persona_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("personas") if v.isdigit()]


def _tell_what_was_masked(counts: dict[str, int]) -> None:
    """Flash how many names, e-mail addresses and phone numbers were replaced (not which)."""
    parts = []
    if counts.get("name"):
        parts.append(ngettext("%(num)d name", "%(num)d names", counts["name"]))
    if counts.get("email"):
        parts.append(ngettext("%(num)d e-mail address", "%(num)d e-mail addresses", counts["email"]))
    if counts.get("phone"):
        parts.append(ngettext("%(num)d phone number", "%(num)d phone numbers", counts["phone"]))
    if parts:
        listed = parts[0] if len(parts) == 1 else _("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
        flash(_("Before storing we replaced %(what)s by a marker such as %(marker)s: personal data does not belong "
                "in a note. Check that your note still reads well.", what=listed, marker=_(MARKERS["name"])),
              "warning")


def _save(round_: dict, note_id: int | None):
    """Validate and store the posted note (new when ``note_id`` is None); back to the list, or
    the form again with what is wrong (HTTP 400)."""
    form = NoteForm()
    chosen = _persona_ids()
    editing = get_note(get_db(), round_["id"], note_id) if note_id is not None else None
    if form.validate_on_submit():
        markers = {kind: _(marker) for kind, marker in MARKERS.items()}
        try:
            if note_id is None:
                _id, counts = add_note(get_db(), round_["id"], _fields(form), persona_ids=chosen,
                                       author_id=current_user.id, markers=markers)
            else:
                counts = update_note(get_db(), round_["id"], note_id, _fields(form), persona_ids=chosen,
                                     user_id=current_user.id, markers=markers)
        except MessageError as exc:
            g.note_error = translate(exc.message)
        else:
            _tell_what_was_masked(counts)
            flash(_("Note saved."))
            return redirect(url_for(".index", round_id=round_["id"], _anchor="notes"))
    return _page(round_, form, editing, chosen, status=400)


@bp.post("/rounds/<int:round_id>/notes")
@requires("personas.edit")
def add(round_id):
    """POST /rounds/<round_id>/notes: store a new note, masked, linked to the checked personas
    and/or its theme."""
    return _save(round_for(round_id), None)


@bp.post("/rounds/<int:round_id>/notes/<int:note_id>")
@requires("personas.edit")
def edit(round_id, note_id):
    """POST /rounds/<round_id>/notes/<note_id>: store the writer's changes to their own note;
    403 for someone else's, 404 for an unknown note."""
    round_ = round_for(round_id)
    try:
        note = get_note(get_db(), round_id, note_id)
    except NotFound:
        abort(404)
    if not _may("edit", note):
        abort(403)
    return _save(round_, note_id)


@bp.post("/rounds/<int:round_id>/notes/<int:note_id>/delete")
@requires("personas.edit")
def delete(round_id, note_id):
    """POST /rounds/<round_id>/notes/<note_id>/delete: delete a note (the writer's own; HR and
    administrators anyone's). 403 otherwise, 404 for an unknown note."""
    round_for(round_id)
    try:
        note = get_note(get_db(), round_id, note_id)
    except NotFound:
        abort(404)
    if not _may("delete", note):
        abort(403)
    delete_note(get_db(), round_id, note_id, user_id=current_user.id)
    flash(_("Note deleted."))
    return redirect(url_for(".index", round_id=round_id, _anchor="notes"))
