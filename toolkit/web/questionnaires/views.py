"""Questionnaires: the product's and the organisation's own, broken files with their problems,
and an upload that checks a file in full and stores a copy in the instance."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from toolkit.core.coverage import instrument_summary
from toolkit.core.questionnaire import QuestionnaireError, library, list_questionnaires
from toolkit.data.audit import audit
from toolkit.services.questionnaires import add_questionnaire
from toolkit.web.authz import requires
from toolkit.web.database import get_db

bp = Blueprint("questionnaires", __name__, url_prefix="/questionnaires")


class QuestionnaireUploadForm(FlaskForm):
    """A questionnaire file (TOML) and whether it may replace an own file with the same id."""

    file = FileField(_l("Questionnaire file (.toml)"), validators=[FileRequired()])
    replace = BooleanField(_l("Replace my earlier file with the same id (rounds keep their own copy)"))
    submit = SubmitField(_l("Check and add"))


def _page(form: QuestionnaireUploadForm, problems: list[str] | None = None, filename: str = "", status: int = 200):
    entries = list_questionnaires(*library(current_app.instance_path))
    summaries = {e.path: instrument_summary(e.questionnaire) for e in entries if e.questionnaire}
    return render_template("questionnaires/index.html", entries=entries, summaries=summaries, form=form,
                           problems=problems, filename=filename), status


@bp.get("/")
@requires("rounds.manage")
def index():
    """The questionnaire library (product's and own, broken files with their problems) and the upload form."""
    return _page(QuestionnaireUploadForm())


@bp.post("/")
@requires("rounds.manage")
def upload():
    """Check an uploaded TOML file in full: store a copy in the instance and say so, or show every
    problem (422) and store nothing."""
    form = QuestionnaireUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a questionnaire file (.toml) to add."), "error")
        return redirect(url_for(".index"))
    upload_ = form.file.data
    filename = upload_.filename or "upload.toml"
    try:
        q, replaced = add_questionnaire(current_app.instance_path, upload_.read(), filename,
                                        replace=bool(form.replace.data))
    except QuestionnaireError as exc:
        return _page(form, exc.problems, filename, 422)
    audit(get_db(), current_user.id, "add", f"questionnaire {q.id}", f"v{q.version}, {q.file_hash[:12]}")
    if replaced:
        flash(_("Questionnaire %(id)s replaced; new rounds use this version.", id=q.id), "info")
    else:
        flash(_("Questionnaire %(id)s added; you can choose it for a new round.", id=q.id), "info")
    return redirect(url_for(".index") + f"#q-{q.id}")
