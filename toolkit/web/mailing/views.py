"""The round's mail page (`/rounds/<id>/mail`): what participants are sent, in each language,
HR's own wording with its required placeholders, a preview, a test message to oneself and
"send now" — all through the outbox, which only the scheduler delivers. Also one participant's
link (shown or sent again, identified rounds only) and the warning on every HR page when the
scheduler has not checked in for a few minutes.
"""

from __future__ import annotations

import sqlite3

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from toolkit.data import mail_texts
from toolkit.data.audit import audit
from toolkit.data.db import utcnow
from toolkit.data.heartbeat import scheduler_status
from toolkit.jobs.scheduler import queue_invitations
from toolkit.mail import outbox, render, texts
from toolkit.mail.render import participant_link
from toolkit.web.authz import can, requires, round_for
from toolkit.web.database import get_db
from toolkit.web.mailing.forms import MailTextForm
from toolkit.web.rounds.forms import ButtonForm

bp = Blueprint("mailing", __name__, url_prefix="/rounds")


def round_languages(round_: dict) -> tuple[str, ...]:
    """The languages the round's participants are written in: its language, or both."""
    return (round_["language"],) if round_["language"] in mail_texts.LANGUAGES else mail_texts.LANGUAGES


def _checked(round_id: int, kind: str, lang: str) -> dict:
    round_ = round_for(round_id)
    if kind not in mail_texts.KINDS or lang not in mail_texts.LANGUAGES:
        abort(404)
    return round_


@bp.app_template_global()
def mail_counts_text(counts: dict) -> str:
    """'3 sent, 1 waiting, 1 being retried, 2 failed' with each part in the right number; the
    parts that are 0 are left out (all 0: '')."""
    retrying = counts.get("retrying", 0)
    parts = [
        ngettext("%(num)d sent", "%(num)d sent", counts.get("sent", 0)) if counts.get("sent") else "",
        ngettext("%(num)d waiting", "%(num)d waiting", counts.get("pending", 0) - retrying)
        if counts.get("pending", 0) - retrying else "",
        ngettext("%(num)d being retried", "%(num)d being retried", retrying) if retrying else "",
        ngettext("%(num)d failed", "%(num)d failed", counts.get("failed", 0)) if counts.get("failed") else "",
    ]
    return ", ".join(p for p in parts if p)


@bp.app_context_processor
def scheduler_warning() -> dict:
    """``scheduler_down`` for base.html: the scheduler's status when it has not checked in for
    more than a few minutes and the reader is HR or admin, else None. Never fails a page."""
    if not can("rounds.manage"):
        return {"scheduler_down": None}
    try:
        status = scheduler_status(get_db(), utcnow())
    except sqlite3.Error:  # the error page of a database problem must still render
        return {"scheduler_down": None}
    return {"scheduler_down": None if status.running else status}


@bp.get("/<int:round_id>/mail")
@requires("rounds.manage")
def overview(round_id):
    """Every text the round sends, per language, with what was sent and the latest tests."""
    round_ = round_for(round_id)
    db = get_db()
    counts = outbox.status_counts(db, round_id)
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]
    return render_template(
        "mailing/overview.html", round=round_, languages=round_languages(round_), kinds=mail_texts.KINDS,
        customised=mail_texts.customised(db, round_id), counts=counts, counts_text=mail_counts_text(counts),
        invited=invited, tests=outbox.tests_for(db, round_id, current_user.email),
        scheduler=scheduler_status(db, utcnow()), button=ButtonForm(),
    )


def _problem_text(problem: texts.TextProblem, lang: str) -> str:
    names = ", ".join(problem.names)
    if problem.code == "empty":
        return _("Write a subject.") if problem.part == "subject" else _("Write the text of the message.")
    if problem.code == "too_long":
        limit = texts.MAX_SUBJECT if problem.part == "subject" else texts.MAX_BODY
        return _("This can have at most %(n)d characters.", n=limit)
    if problem.code == "braces":
        return _("A brace { or } stands alone: a placeholder is a name between braces, such as %(example)s.",
                 example=texts.alias("link", lang))
    if problem.code == "unknown":
        known = ", ".join(texts.alias(n, lang) for n in (*texts.REQUIRED, *texts.OPTIONAL))
        return _("Unknown placeholder %(names)s. You can use: %(known)s.", names=names, known=known)
    if problem.code == "subject":
        allowed = ", ".join(texts.alias(n, lang) for n in texts.SUBJECT_PLACEHOLDERS)
        return _("The subject can only hold %(allowed)s, not %(names)s.", allowed=allowed, names=names)
    required = ", ".join(texts.alias(n, lang) for n in texts.REQUIRED)
    return _("Not saved: the text must keep %(required)s, so that nobody gets an invitation without their "
             "link, the closing date or what anonymity means in this round. Missing: %(names)s.",
             required=required, names=names)


def _placeholder_rows(lang: str) -> list[tuple[str, str, bool]]:
    """(placeholder as written in ``lang``, what it stands for, required) for the edit page."""
    meaning = {
        "link": _("the participant's personal link"),
        "deadline": _("the closing date and time; a line with it is left out while the round has none"),
        "anonymity": _("one sentence on what anonymity means in this round (worded by the toolkit)"),
        "name": _("the participant's name, or ‘colleague’"),
        "title": _("the round's title"),
        "change": _("the change fact ‘What changes’; a line with it is left out while it is empty"),
        "purpose": _("the change fact ‘Why’; a line with it is left out while it is empty"),
        "minutes": _("the estimated time in minutes, from the number of questions"),
        "contact": _("the privacy contact; a line with it is left out while none is set"),
    }
    return [(texts.alias(n, lang), meaning[n], n in texts.REQUIRED) for n in (*texts.REQUIRED, *texts.OPTIONAL)]


@bp.route("/<int:round_id>/mail/<message>/<lang>", methods=["GET", "POST"])
@requires("rounds.manage")
def edit(round_id, message, lang):
    """HR's wording of ``message`` (the kind) in ``lang``: the form, the placeholders, and a preview of the text."""
    kind = message
    round_ = _checked(round_id, kind, lang)
    db = get_db()
    stored = mail_texts.stored_text(db, round_id, kind, lang)
    current = texts.MailText(*stored) if stored else render.default_text(kind, lang)
    form = MailTextForm(data={"subject": current.subject, "body": current.body})
    text, status = current, 200
    if form.validate_on_submit():
        text = texts.MailText(form.subject.data or "", form.body.data or "")
        found = texts.problems(text, lang)
        for problem in found:
            form[problem.part].errors.append(_problem_text(problem, lang))
        if found:
            text, status = current, 422
        elif form.save.data:
            mail_texts.save_text(db, round_id, kind, lang, text.subject, text.body, user_id=current_user.id)
            flash(_("Text saved: from now on every %(kind)s in this language uses it.", kind=kind_label(kind)), "info")
            return redirect(url_for(".edit", round_id=round_id, message=kind, lang=lang, _anchor="preview"))
    preview = outbox.preview(db, current_app.config, round_, kind, lang, name=current_user.name, text=text)
    return render_template(
        "mailing/edit.html", round=round_, kind=kind, lang=lang, form=form, preview=preview,
        customised=stored is not None, placeholders=_placeholder_rows(lang), button=ButtonForm(),
        kind_label=kind_label(kind),
    ), status


def kind_label(kind: str) -> str:
    """'invitation' or 'reminder' in the reader's language."""
    return {"invitation": _("invitation"), "reminder": _("reminder")}.get(kind, kind)


@bp.post("/<int:round_id>/mail/<message>/<lang>/reset")
@requires("rounds.manage")
def reset(round_id, message, lang):
    """Back to the standard wording of ``kind`` in ``lang``."""
    kind = message
    _checked(round_id, kind, lang)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if mail_texts.reset_text(get_db(), round_id, kind, lang, user_id=current_user.id):
        flash(_("The standard text is used again."), "info")
    return redirect(url_for(".edit", round_id=round_id, message=kind, lang=lang))


@bp.post("/<int:round_id>/mail/<message>/<lang>/test")
@requires("rounds.manage")
def send_test(round_id, message, lang):
    """Queue the saved text of ``kind`` in ``lang`` as a test message to the reader's own address."""
    kind = message
    _checked(round_id, kind, lang)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    outbox.queue_test(db, round_id, kind, lang, current_user.email, utcnow())
    audit(db, current_user.id, "test mail", f"round {round_id}", f"{kind} ({lang}) to {current_user.email}")
    if scheduler_status(db, utcnow()).running:
        flash(_("Test message queued for %(email)s: the scheduler sends it within a minute.",
                email=current_user.email), "info")
    else:
        flash(_("Test message queued for %(email)s, but the scheduler is not running: it is sent once the "
                "scheduler runs.", email=current_user.email), "error")
    return redirect(url_for(".overview", round_id=round_id, _anchor="tests"))


@bp.post("/<int:round_id>/mail/send-now")
@requires("rounds.manage")
def send_now(round_id):
    """Queue the invitation of everyone who has none yet and make waiting messages due now.

    Exactly once per participant still holds: invitation rows are unique per participant and
    only 'pending' rows are hurried. Only for an open round (a draft sends when it opens).
    """
    round_ = round_for(round_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if round_["status"] != "open":
        flash(_("Invitations go out when the round opens; open the round first."), "error")
        return redirect(url_for(".overview", round_id=round_id))
    db = get_db()
    now = utcnow()
    queued = queue_invitations(db, current_app.config, round_, now)
    waiting = outbox.hurry(db, round_id, now)
    audit(db, current_user.id, "send now", f"round {round_id}", f"{queued} invitations queued, {waiting} waiting")
    message = ngettext("%(num)d message is ready to go.", "%(num)d messages are ready to go.", waiting)
    if not scheduler_status(db, now).running:
        flash(message + " " + _("The scheduler is not running: nothing is sent until it runs."), "error")
    elif waiting:
        flash(message + " " + _("The scheduler sends them within a minute."), "info")
    else:
        flash(_("Nothing is waiting: every participant already has their invitation."), "info")
    return redirect(url_for(".overview", round_id=round_id))


# --- one participant's link (identified rounds) ---------------------------------------------


def _identified_participant(round_id: int, participant_id: int) -> tuple[dict, dict]:
    round_ = round_for(round_id)
    if round_["mode"] != "identified":
        abort(404)  # an anonymous round's link would tell HR whether that person answered
    rows = list(get_db().query("SELECT * FROM participants WHERE id = ? AND round_id = ?", [participant_id, round_id]))
    if not rows:
        abort(404)
    return round_, rows[0]


@bp.post("/<int:round_id>/participants/<int:participant_id>/link")
@requires("rounds.manage")
def show_link(round_id, participant_id):
    """One participant's personal link, to copy into a message of HR's own (audited)."""
    round_, participant = _identified_participant(round_id, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    audit(get_db(), current_user.id, "view link", f"participant {participant_id} of round {round_id}")
    return render_template("mailing/link.html", round=round_, participant=participant,
                           link=participant_link(current_app.config, participant),
                           back=request.form.get("q", ""), button=ButtonForm())


@bp.post("/<int:round_id>/participants/<int:participant_id>/resend")
@requires("rounds.manage")
def resend(round_id, participant_id):
    """Send one participant their invitation again, through the outbox."""
    _round, participant = _identified_participant(round_id, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    outbox.resend_link(db, round_id, participant_id, utcnow(), user_id=current_user.id)
    flash(_("The invitation for %(email)s is queued again; the scheduler sends it within a minute.",
            email=participant["email"]), "info")
    return redirect(url_for("admin.participants", round_id=round_id, q=request.form.get("q", "")))
