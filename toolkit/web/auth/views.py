"""Logging in and out, and the home page."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from toolkit.data import ratelimit
from toolkit.data.accounts import authenticate, end_sessions, get_user_by_email
from toolkit.data.audit import audit
from toolkit.web.auth.forms import LoginForm
from toolkit.web.database import get_db
from toolkit.web.extensions import SESSION_VERSION
from toolkit.web.users import user_from_row

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only our own paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def home():
    """GET /, any logged-in staff member: the start page for their role (toolkit.web.home).

    Anonymous visitors are redirected to the login page.
    """
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    from toolkit.web.home import render_home

    return render_home()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; see toolkit.data.ratelimit for which failed attempts refuse which later ones."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    db = get_db()
    email, address = form.email.data.strip().lower(), request.remote_addr or "unknown"
    wait = ratelimit.login_refusal(db, email, address)
    if wait is not None:
        flash(_("Too many attempts. Wait 15 minutes and try again."), "error")
        response = make_response(render_template("auth/login.html", form=form), 429)
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    user = user_from_row(authenticate(db, email, form.password.data))
    if user is None:
        ratelimit.record_login_failure(db, email, address)
        known = get_user_by_email(db, email)
        audit(db, None, "login-failed", f"user {known['id']}" if known else "unknown account",
              f"{email} from {address}")
        flash(_("E-mail or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 200
    ratelimit.record_login_success(db, email, address)
    lang = session.get("lang")
    session.clear()  # a fresh session at login: nothing planted before it survives
    session.permanent = True  # PERMANENT_SESSION_LIFETIME caps it (8 hours)
    if lang:
        session["lang"] = lang
    session[SESSION_VERSION] = user.session_version
    login_user(user)
    audit(db, user.id, "login", f"user {user.id}")
    return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))


@bp.post("/logout")
@login_required
def logout():
    """POST /logout, any logged-in staff member: end every session of this account.

    Records the logout in the audit log, makes copies of the session cookie worthless (the
    account's session version moves on), clears the session and redirects to the login page.
    Anonymous visitors are sent to the login page; a POST without a valid CSRF token gets 400.
    """
    db = get_db()
    audit(db, current_user.id, "logout", f"user {current_user.id}")
    end_sessions(db, current_user.id)  # a copy of this session's cookie is worthless from now on
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
