"""Accounts and roles (admin), round access and privacy records (HR, admin), the audit log,
and one participant's data on request (export, delete).

Every view sends anonymous visitors to the login page and refuses a logged-in user whose role
lacks the view's permission with 403 (`toolkit.web.authz.requires`).
"""

from __future__ import annotations

import json
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from toolkit.core.privacy import works_council_problem
from toolkit.core.roles import GRANTABLE_ROLES
from toolkit.data import access as round_access
from toolkit.data import accounts
from toolkit.data.audit import audit as record_audit
from toolkit.data.db import NotFound
from toolkit.data.welcome import save_privacy_contact
from toolkit.services import retention
from toolkit.web.admin import audit_text
from toolkit.web.admin.forms import (
    AuditFilterForm,
    ButtonForm,
    GrantForm,
    PrivacyForm,
    RoleForm,
    UserForm,
)
from toolkit.web.authz import requires, role_label, round_for
from toolkit.web.confirm import confirmation_page
from toolkit.web.database import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 100


def _user_or_404(user_id: int) -> dict:
    rows = list(get_db().query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        abort(404)
    return rows[0]


# --- accounts -------------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@requires("admin.users")
def users():
    """GET/POST /admin/users, admins only: the account list and the form for a new account.

    A valid POST creates the account with a random password, records it in the audit log and
    renders admin/password.html, which shows that password once. A refused address (not an
    e-mail address, or already taken) goes back to the form with the reason under the e-mail
    field; anything else renders admin/users.html.
    """
    db = get_db()
    form = UserForm()
    if form.validate_on_submit():
        password = secrets.token_urlsafe(12)
        try:
            user_id = accounts.create_user(db, email=form.email.data, name=form.name.data, role=form.role.data,
                                           password=password, language=form.language.data)
        except ValueError as exc:
            form.email.errors.append(str(exc))
        else:
            record_audit(db, current_user.id, "create", f"user {user_id}", form.role.data)
            return render_template("admin/password.html", email=form.email.data.strip().lower(), password=password)
    return render_template("admin/users.html", users=accounts.list_users(db), form=form,
                           role_form=RoleForm(), button=ButtonForm())


@bp.post("/users/<int:user_id>/role")
@requires("admin.users")
def set_role(user_id):
    """POST /admin/users/<user_id>/role, admins only: give the account another role.

    Redirects to the account list with a message; refuses with 404 for an unknown account, 400
    for a form without a valid CSRF token or role, and (as a message, nothing changed) taking
    the admin role from the last active admin.
    """
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    try:
        accounts.set_role(db, user_id, form.role.data)
    except ValueError as exc:
        flash(_("Role not changed: %(reason)s", reason=str(exc)), "error")
    else:
        record_audit(db, current_user.id, "edit", f"user {user_id}", f"role {user['role']} -> {form.role.data}")
        flash(_("%(email)s now has the role %(role)s.", email=user["email"], role=role_label(form.role.data)), "info")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/active")
@requires("admin.users")
def toggle_active(user_id):
    """POST /admin/users/<user_id>/active, admins only: disable an active account, or enable again.

    A disabled account cannot log in. Redirects to the account list; refuses with 404 for an
    unknown account, 400 without a valid CSRF token, and (as a message) disabling the last
    active admin.
    """
    user = _user_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    try:
        accounts.set_active(db, user_id, not user["active"])
    except ValueError as exc:
        flash(_("Not changed: %(reason)s", reason=str(exc)), "error")
    else:
        record_audit(db, current_user.id, "edit", f"user {user_id}", "enabled" if not user["active"] else "disabled")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/password")
@requires("admin.users")
def reset_password(user_id):
    """POST /admin/users/<user_id>/password, admins only: give the account a new random password.

    Renders admin/password.html, which shows it once, ends the account's sessions and records
    the reset in the audit log (without the password). Refuses with 404 for an unknown account, 400 without a valid CSRF
    token.
    """
    user = _user_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    password = secrets.token_urlsafe(12)
    db = get_db()
    accounts.set_password(db, user["email"], password)
    record_audit(db, current_user.id, "edit", f"user {user_id}", "password reset")
    return render_template("admin/password.html", email=user["email"], password=password)


# --- audit log ------------------------------------------------------------------------------


@bp.get("/audit")
@requires("admin.audit")
def audit():
    """GET /admin/audit, admins only: the audit log, newest first, 100 entries a page.

    Query string: `object` and `action` filter (the AuditFilterForm); `before` (an entry id)
    pages to older entries. Renders admin/audit.html with `older`, the id for the next page's
    link, or None on the last page.
    """
    form = AuditFilterForm(request.args)
    where, params = [], []
    if form.object.data:
        where.append("a.object = ?")
        params.append(audit_text.stored_object(form.object.data))
    if form.action.data:
        where.append("a.action = ?")
        params.append(form.action.data)
    before = request.args.get("before", type=int)
    if before:
        where.append("a.id < ?")
        params.append(before)
    sql = ("SELECT a.*, u.email FROM audit a LEFT JOIN users u ON u.id = a.user_id "
           + ("WHERE " + " AND ".join(where) if where else "") + f" ORDER BY a.id DESC LIMIT {AUDIT_PAGE}")
    entries = list(get_db().query(sql, params))
    more = len(entries) == AUDIT_PAGE
    return render_template("admin/audit.html", entries=entries, form=form, words=audit_text,
                           older=entries[-1]["id"] if more else None)


# --- round access and privacy records ---------------------------------------------------------


@bp.route("/rounds/<int:round_id>/access", methods=["GET", "POST"])
@requires("rounds.grant")
def access(round_id):
    """GET/POST /admin/rounds/<round_id>/access, admin and HR: who else may see this round.

    GET renders admin/access.html with the people granted the round and a form offering the
    active change managers and trainers who are not granted yet. A valid POST grants the round
    to the chosen person, records it in the audit log and redirects back here. Refuses with
    404 for an unknown round.
    """
    round_ = round_for(round_id)
    db = get_db()
    granted = round_access.granted_users(db, round_id)
    form = GrantForm()
    form.user_id.choices = [
        SelectChoice(u["id"], f"{u['name']} ({u['email']}, {role_label(u['role'])})") for u in accounts.list_users(db)
        if u["role"] in GRANTABLE_ROLES and u["active"] and u["id"] not in {g["id"] for g in granted}
    ]
    if form.validate_on_submit():
        try:
            round_access.grant_round(db, round_id, form.user_id.data)
        except ValueError as exc:
            flash(str(exc), "error")
        else:
            record_audit(db, current_user.id, "grant", f"round {round_id}", f"user {form.user_id.data}")
            flash(_("Access given."), "info")
        return redirect(url_for(".access", round_id=round_id))
    return render_template("admin/access.html", round=round_, granted=granted, form=form, button=ButtonForm())


@bp.route("/rounds/<int:round_id>/access/<int:user_id>/revoke", methods=["GET", "POST"])
@requires("rounds.grant")
def revoke(round_id, user_id):
    """/admin/rounds/<round_id>/access/<user_id>/revoke, admin and HR. GET: a confirmation page
    saying what removing this person's access will do; POST: take the grant away.

    Records it in the audit log and redirects to the round's access page (also when the person
    had no grant). Refuses with 404 for an unknown round (or, on GET, user), 400 without a valid
    CSRF token.
    """
    round_ = round_for(round_id)
    if request.method == "GET":
        user = _user_or_404(user_id)
        back = url_for(".access", round_id=round_id)
        return confirmation_page(
            title=_("Remove the access of %(name)s?", name=user["name"]),
            lead=_("%(name)s (%(role)s) may now see “%(title)s”.", name=user["name"], role=role_label(user["role"]),
                   title=round_["title"]),
            consequences=[_("The round, its personas and its briefs disappear from their pages at once."),
                          _("Briefs they already downloaded stay on their computer."),
                          _("You can give access again later on this page.")],
            action=url_for(".revoke", round_id=round_id, user_id=user_id),
            confirm_label=_("Yes, remove the access"), back=back)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    round_access.revoke_round(db, round_id, user_id)
    record_audit(db, current_user.id, "revoke", f"round {round_id}", f"user {user_id}")
    flash(_("Access removed."), "info")
    return redirect(url_for(".access", round_id=round_id))


@bp.route("/rounds/<int:round_id>/privacy", methods=["GET", "POST"])
@requires("rounds.privacy")
def privacy(round_id):
    """GET/POST /admin/rounds/<round_id>/privacy, admin and HR: the round's privacy record.

    GET renders admin/privacy.html with the works council's approval (date and reference), the
    retention period in days, whether approval is still missing and when the round's answers
    will be purged. A valid POST saves the record, audits it and redirects back here; an
    invalid one renders the form with its errors. Refuses with 404 for an unknown round.
    """
    round_ = round_for(round_id)
    db = get_db()
    form = PrivacyForm(data={
        "works_council_date": _date(round_["works_council_date"]),
        "works_council_ref": round_["works_council_ref"],
        "retention_days": round_["retention_days"],
        "privacy_contact": round_["privacy_contact"] or "",
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        date = form.works_council_date.data.isoformat() if form.works_council_date.data else None
        ref = (form.works_council_ref.data or "").strip() or None
        db.execute("UPDATE rounds SET works_council_date = ?, works_council_ref = ?, retention_days = ? WHERE id = ?",
                   [date, ref, form.retention_days.data, round_id])
        record_audit(db, current_user.id, "edit", f"round {round_id}",
                    f"works council {date or '-'} {ref or '-'}, retention {form.retention_days.data} days")
        if (form.privacy_contact.data or "").strip() != (round_["privacy_contact"] or ""):
            save_privacy_contact(db, round_id, form.privacy_contact.data or "", user_id=current_user.id)
        flash(_("Saved."), "info")
        return redirect(url_for(".privacy", round_id=round_id))
    return render_template("admin/privacy.html", round=round_, form=form,
                           missing_approval=works_council_problem(round_) is not None,
                           purge_due=retention.purge_due(round_),
                           instance_contact=current_app.config.get("PRIVACY_CONTACT") or "")


def _date(value):
    import datetime as dt

    return dt.date.fromisoformat(value[:10]) if value else None


# --- one participant's data -----------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/participants")
@requires("participants.data")
def participants(round_id):
    """GET /admin/rounds/<round_id>/participants?q=..., admin and HR: find one participant.

    `q` is matched (as plain text, no wildcards) against e-mail addresses and names; at most 50
    matches, ordered by e-mail address. Renders admin/participants.html, from which a participant's data
    can be exported or deleted. Refuses with 404 for an unknown round.
    """
    round_ = round_for(round_id)
    query = (request.args.get("q") or "").strip()
    rows = []
    if query:
        rows = list(get_db().query(
            "SELECT id, email, name, team FROM participants WHERE round_id = ? "
            "AND (email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\') ORDER BY email LIMIT 50",
            [round_id, *[f"%{_like(query)}%"] * 2]))
    return render_template("admin/participants.html", round=round_, query=query, rows=rows, button=ButtonForm())


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@bp.get("/rounds/<int:round_id>/participants/<int:participant_id>.json")
@requires("participants.data")
def participant_export(round_id, participant_id):
    """GET /admin/rounds/<round_id>/participants/<participant_id>.json, admin and HR.

    Everything the toolkit holds about one participant (a data subject's request), as a JSON
    attachment; the export is recorded in the audit log. Refuses with 404 for an unknown round
    or a participant who is not in it.
    """
    round_for(round_id)
    try:
        data = retention.participant_data(get_db(), round_id, participant_id)
    except NotFound:
        abort(404)
    record_audit(get_db(), current_user.id, "export", f"participant {participant_id} of round {round_id}",
                "data subject export")
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=round-{round_id}-participant-{participant_id}.json"})


@bp.route("/rounds/<int:round_id>/participants/<int:participant_id>/delete", methods=["GET", "POST"])
@requires("participants.data")
def participant_delete(round_id, participant_id):
    """/admin/rounds/<round_id>/participants/<participant_id>/delete, admin and HR. GET: a
    confirmation page saying what deleting removes; POST: delete.

    Deletes the participant, their messages and (in an identified round) their responses, says
    how many went and redirects to the participant search. Refuses with 404 for an unknown round
    or participant, 400 without a valid CSRF token.
    """
    round_ = round_for(round_id)
    if request.method == "GET":
        return _delete_confirmation(round_, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        done = retention.delete_participant(get_db(), round_id, participant_id, user_id=current_user.id)
    except NotFound:
        abort(404)
    flash(_("Deleted the participant, %(r)d responses and %(m)d messages.", r=done["responses"], m=done["messages"]),
          "info")
    return redirect(url_for(".participants", round_id=round_id, q=request.form.get("q", "")))


def _delete_confirmation(round_: dict, participant_id: int):
    rows = list(get_db().query("SELECT id, email, name FROM participants WHERE id = ? AND round_id = ?",
                               [participant_id, round_["id"]]))
    if not rows:
        abort(404)
    person = rows[0]
    query = request.args.get("q", "")
    if round_["mode"] == "identified":
        consequences = [_("Their e-mail address, name, team and other details are deleted."),
                        _("Their answers are deleted, and so are the messages sent to them."),
                        _("Personas derived earlier keep their sizes until personas are derived again.")]
    else:
        consequences = [_("Their e-mail address, name, team and other details are deleted, and so are the "
                          "messages sent to them."),
                        _("Answers in an anonymous round are not linked to anyone, so they stay.")]
    consequences.append(_("This cannot be undone."))
    return confirmation_page(
        title=_("Delete the data of %(who)s?", who=person["name"] or person["email"]),
        lead=_("%(email)s, participant of “%(title)s”.", email=person["email"], title=round_["title"]),
        consequences=consequences, action=url_for(".participant_delete", round_id=round_["id"],
                                                  participant_id=participant_id),
        confirm_label=_("Yes, delete this data"), back=url_for(".participants", round_id=round_["id"], q=query),
        hidden={"q": query})
