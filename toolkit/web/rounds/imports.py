"""Bringing data into a round: participant lists and answer files, each read, previewed and
confirmed before anything is stored; and the answer template to fill in.

Every refusal lists its problems in the reader's language (:func:`problem_texts`).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from toolkit.core.intake import ImportProblem, ParsedAnswers, read_table
from toolkit.core.mapping import (
    CONTEXT_COLUMNS,
    ColumnUse,
    Mapping,
    choose,
    propose,
    read_mapping,
    variable_id,
    with_types,
)
from toolkit.core.problems import MAX_CELLS, Problem
from toolkit.core.tabular import Limits
from toolkit.data.rounds import round_questionnaire
from toolkit.services import exports, participants, uploads
from toolkit.web.authz import requires, round_for
from toolkit.web.database import get_db
from toolkit.web.rounds.forms import ButtonForm, ParticipantUploadForm, UploadForm

# The same URLs as the round pages (/rounds/<id>/...), in a blueprint of their own.
bp = Blueprint("imports", __name__, url_prefix="/rounds")


def problem_texts(problems: list) -> list[str]:
    """Each problem in the reader's language (a plain string is shown as it is)."""
    gettext = get_translations().ugettext
    return [p.translated(gettext) if isinstance(p, Problem) else str(p) for p in problems]


def refusal_texts(exc: ImportProblem) -> list[str]:
    """The problems of a refused file in the reader's language, and how many more were found
    beyond those listed (:class:`toolkit.core.problems.Problems`)."""
    more = [_("… and %(n)d more problems like these.", n=exc.more)] if getattr(exc, "more", 0) else []
    return problem_texts(exc.problems) + more


def _failed(round_: dict, exc: ImportProblem):
    return render_template("rounds/import_failed.html", round=round_, filename=exc.filename,
                           problems=refusal_texts(exc)), 422


def _upload_or_404(round_id: int, upload_id: str, kind: str) -> dict:
    upload = uploads.get_upload(get_db(), round_id, upload_id, current_user.id, kind)
    if upload is None:
        abort(404)
    return upload


def upload_limits() -> Limits:
    """A web upload's limits: MAX_UPLOAD_MB (a setting) and cells in proportion (MAX_CELLS per 10 MB)."""
    megabytes = current_app.config["MAX_UPLOAD_MB"]
    return Limits(megabytes * 1024 * 1024, max(MAX_CELLS, MAX_CELLS * megabytes // 10))


def _posted_file(form) -> tuple[bytes, str]:
    upload = form.file.data
    return upload.read(upload_limits().file_bytes + 1), upload.filename or "upload"


# --- participants: upload, preview, confirm -------------------------------------------------


@bp.post("/<int:round_id>/participants")
@requires("rounds.manage")
def upload_participants(round_id):
    """Read and check a participant list; show its preview (nothing stored yet) or its problems."""
    round_ = round_for(round_id)
    form = ParticipantUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV or XLSX file with participants."), "error")
        return redirect(url_for("rounds.detail", round_id=round_id))
    data, filename = _posted_file(form)
    db = get_db()
    try:
        rows = participants.read_participants(data, filename, round_["language"], upload_limits())
        participants.already_in_round(db, round_id, rows, filename)
    except ImportProblem as exc:
        return _failed(round_, exc)
    upload_id = uploads.keep_upload(db, round_id, current_user.id, "participants", filename, rows)
    return redirect(url_for(".participants_preview", round_id=round_id, upload_id=upload_id))


@bp.get("/<int:round_id>/participants/<upload_id>")
@requires("rounds.manage")
def participants_preview(round_id, upload_id):
    """The checked participant list, to confirm or cancel."""
    round_ = round_for(round_id)
    upload = _upload_or_404(round_id, upload_id, "participants")
    rows = upload["payload"]
    attribute_keys = sorted({k for r in rows for k in r["attributes"]})
    return render_template("rounds/participants_preview.html", round=round_, upload=upload, rows=rows[:100],
                           total=len(rows), attribute_keys=attribute_keys, button=ButtonForm())


@bp.post("/<int:round_id>/participants/<upload_id>")
@requires("rounds.manage")
def participants_confirm(round_id, upload_id):
    """Store the previewed participants, all or none."""
    round_ = round_for(round_id)
    upload = _upload_or_404(round_id, upload_id, "participants")
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    try:
        count = participants.import_participants(db, round_id, upload["payload"], current_app.config["SECRET_KEY"],
                                                 filename=upload["filename"], user_id=current_user.id)
    except ImportProblem as exc:
        return _failed(round_, exc)
    uploads.drop_upload(db, upload_id)
    flash(_("Imported %(n)d participants.", n=count), "info")
    return redirect(url_for("rounds.detail", round_id=round_id))


def _cancel(round_id: int, upload_id: str, kind: str):
    round_for(round_id)
    _upload_or_404(round_id, upload_id, kind)
    if not ButtonForm().validate_on_submit():
        abort(400)
    uploads.drop_upload(get_db(), upload_id)
    flash(_("Nothing was imported."), "info")
    return redirect(url_for("rounds.detail", round_id=round_id))


@bp.post("/<int:round_id>/participants/<upload_id>/cancel")
@requires("rounds.manage")
def participants_cancel(round_id, upload_id):
    """Forget a previewed participant list; nothing is stored."""
    return _cancel(round_id, upload_id, "participants")


@bp.post("/<int:round_id>/responses/<upload_id>/cancel")
@requires("rounds.manage")
def answers_cancel(round_id, upload_id):
    """Forget an answer file waiting for its mapping; nothing is stored."""
    return _cancel(round_id, upload_id, "answers")


# --- answers: upload, map the columns, confirm ------------------------------------------------


@bp.post("/<int:round_id>/responses")
@requires("rounds.manage")
def upload_responses(round_id):
    """Read an answer file and show what each column will be used for (nothing stored yet)."""
    round_ = round_for(round_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV or XLSX file to import."), "error")
        return redirect(url_for("rounds.detail", round_id=round_id))
    data, filename = _posted_file(form)
    try:
        table = read_table(data, filename, upload_limits())
    except ImportProblem as exc:
        return _failed(round_, exc)
    upload_id = uploads.keep_upload(get_db(), round_id, current_user.id, "answers", table.filename,
                                    uploads.table_payload(table))
    return redirect(url_for(".answers_preview", round_id=round_id, upload_id=upload_id))


def _use_choices(q, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The uses a column can get, grouped for the preview's select lists."""
    words = {"team": _("Team"), "role": _("Type of role"), "tenure": _("Length of service"), "age": _("Age")}
    about = [("respondent_id", _("Respondent id (to recognise a second import)"))]
    about += [(f"context:{c}", _("Context: %(name)s", name=words[c])) for c in CONTEXT_COLUMNS]
    groups = [(_("Not imported"), [("ignore", _("Ignore this column"))]), (_("About the respondent"), about)]
    for block in q.blocks:
        title = block.title.get(lang) or next(iter(block.title.values()))
        groups.append((title, [(f"item:{iid}", f"{iid} · {_short(q.items[iid].text, lang)}") for iid in block.items]))
    return groups


def _variable_choices(use: ColumnUse, choices: list) -> list[tuple[str, str]]:
    """The ways to keep one column as a variable: as context, or as an outcome of each type
    (named after the column, or as the use names it). A use none of the lists offers (a wrong
    choice shown back) is added, so it stays selected."""
    name = use.target if use.kind == "outcome" and use.target else variable_id(use.column)
    context = use.use if use.kind == "context" and use.target not in CONTEXT_COLUMNS else f"context:{use.column}"
    options = [(context, _("Keep as context variable")),
               (f"outcome:{name}:yes_no", _("Keep as outcome: yes/no")),
               (f"outcome:{name}:categorical", _("Keep as outcome: categories")),
               (f"outcome:{name}:numeric", _("Keep as outcome: number"))]
    offered = {value for _group, group_options in choices for value, _label in group_options}
    if use.use not in offered | {value for value, _label in options}:
        options.append((use.use, use.use))
    return options


def _short(texts: dict, lang: str, limit: int = 70) -> str:
    text = texts.get(lang) or next(iter(texts.values()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _render_preview(round_, upload, mapping, *, problems=(), status=200):
    q = round_questionnaire(get_db(), round_)
    table = uploads.table_from_payload(upload["filename"], upload["payload"])
    lang = g.get("lang") or "nl"
    choices = _use_choices(q, lang)
    return render_template(
        "rounds/answers_preview.html", round=round_, upload=upload, table=table, mapping=with_types(q, mapping),
        examples=uploads.examples(table), choices=choices, problems=problem_texts(list(problems)),
        variable_choices=lambda use: _variable_choices(use, choices), button=ButtonForm(),
        rows=len(table.rows)), status


@bp.get("/<int:round_id>/responses/<upload_id>")
@requires("rounds.manage")
def answers_preview(round_id, upload_id):
    """Each column of the uploaded answer file with the use proposed for it, to confirm or correct."""
    round_ = round_for(round_id)
    upload = _upload_or_404(round_id, upload_id, "answers")
    q = round_questionnaire(get_db(), round_)
    return _render_preview(round_, upload, propose(q, upload["payload"]["headers"]))


@bp.post("/<int:round_id>/responses/<upload_id>")
@requires("rounds.manage")
def answers_confirm(round_id, upload_id):
    """Import with the mapping as chosen; or apply a saved mapping; or download the mapping."""
    round_ = round_for(round_id)
    upload = _upload_or_404(round_id, upload_id, "answers")
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    q = round_questionnaire(db, round_)
    headers = upload["payload"]["headers"]
    action = request.form.get("action", "import")
    posted = {h: request.form.get(f"use-{i}", "ignore") for i, h in enumerate(headers)}
    shown = Mapping(q.id, tuple(ColumnUse(h, posted[h]) for h in headers))  # as chosen, even when wrong
    try:
        if action == "apply":
            saved = request.files.get("mapping")
            text = saved.read(1024 * 1024).decode("utf-8-sig", errors="replace") if saved else ""
            return _render_preview(round_, upload, read_mapping(q, headers, text, saved.filename if saved else "mapping"))
        mapping = choose(q, headers, posted)
        if action == "download":
            return Response(mapping.to_json(), mimetype="application/json", headers={
                "Content-Disposition": f"attachment; filename=mapping-{q.id}.json"})
        parsed = uploads.import_answer_upload(db, round_, q, upload, mapping, current_user.id)
    except ImportProblem as exc:
        return _render_preview(round_, upload, shown, problems=exc.problems + refusal_texts(exc)[len(exc.problems):],
                               status=422)
    flash(imported_message(parsed), "info")
    return redirect(url_for("rounds.detail", round_id=round_id))


def imported_message(parsed: ParsedAnswers) -> str:
    """What an answer import did, in the reader's language: responses stored, rows skipped,
    outcome columns kept."""
    parts = [ngettext("Imported %(num)d response.", "Imported %(num)d responses.", len(parsed.responses))]
    if parsed.empty_rows:
        parts.append(ngettext("%(num)d empty row was skipped.", "%(num)d empty rows were skipped.", parsed.empty_rows))
    if parsed.unanswered_rows:
        parts.append(ngettext("%(num)d row without any answer was skipped (row %(rows)s).",
                              "%(num)d rows without any answer were skipped (rows %(rows)s).",
                              len(parsed.unanswered_rows), rows=", ".join(map(str, parsed.unanswered_rows[:10]))))
    if parsed.text_rows:
        parts.append(ngettext("%(num)d row of question texts was skipped.", "%(num)d rows of question texts were skipped.",
                              len(parsed.text_rows)))
    outcomes = [c.target for c in parsed.mapping.columns if c.kind == "outcome"]
    if outcomes:
        parts.append(ngettext("Kept as an outcome: %(names)s.", "Kept as outcomes: %(names)s.", len(outcomes),
                              names=", ".join(outcomes)))
    return " ".join(parts)


# --- the answer template ---------------------------------------------------------------------------


@bp.get("/<int:round_id>/answer-template.<fmt>")
@requires("rounds.manage")
def answer_template(round_id, fmt):
    """An empty answer file for the round's questionnaire (CSV or XLSX): item ids, and the
    question texts in the reader's language on the row below."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    q = round_questionnaire(get_db(), round_for(round_id))
    headers, rows = exports.answer_template(q, g.get("lang") or "nl")
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, rows), "text/csv"  # Werkzeug adds the charset
    else:
        body = exports.to_xlsx(headers, rows, title=q.id)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=answer-template-{q.id}.{fmt}"})
