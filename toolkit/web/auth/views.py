"""Logging in and out, and the home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from toolkit.data import ratelimit
from toolkit.data.accounts import authenticate
from toolkit.data.audit import audit
from toolkit.web.auth.forms import LoginForm
from toolkit.web.database import get_db
from toolkit.web.users import user_from_row

bp = Blueprint("auth", __name__)
LOGIN_LIMIT = 10  # attempts per address and account per 15 minutes
ADDRESS_LIMIT = 50  # attempts per address over all accounts per 15 minutes (password spraying)


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
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    from toolkit.web.home import render_home

    return render_home()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_db()
        key = f"login:{request.remote_addr}:{form.email.data.lower()}"
        address_ok = ratelimit.hit(db, f"login:{request.remote_addr}", ADDRESS_LIMIT, 15 * 60)
        if not ratelimit.hit(db, key, LOGIN_LIMIT, 15 * 60) or not address_ok:
            flash(_("Too many attempts. Wait 15 minutes and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        user = user_from_row(authenticate(db, form.email.data, form.password.data))
        if user is None:
            flash(_("E-mail or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 200
        ratelimit.reset(db, key)
        lang = session.get("lang")
        session.clear()  # a fresh session at login: nothing planted before it survives
        session.permanent = True  # PERMANENT_SESSION_LIFETIME caps it (8 hours)
        if lang:
            session["lang"] = lang
        login_user(user)
        audit(db, user.id, "login", f"user {user.id}")
        return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    audit(get_db(), current_user.id, "logout", f"user {current_user.id}")
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
