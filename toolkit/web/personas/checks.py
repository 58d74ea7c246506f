"""Persona checks on the web: start a check of a persona set, and the results on the persona page
and the programme page.

The results reach those pages through template globals (`persona_check_results`,
`programme_persona_checks`), read by their own include templates (personas/_check.html,
programmes/_checks.html), so the persona and programme views stay as they are. Answering a
check is the survey's; opening, inviting and closing it the round pages'.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from toolkit.data.db import NotFound
from toolkit.data.persona_sets import load_persona_set
from toolkit.services import persona_checks
from toolkit.web.authz import requires, round_for
from toolkit.web.database import get_db

bp = Blueprint("persona_checks", __name__)


class CheckForm(FlaskForm):
    """Start a persona check: an optional ``title`` (at most 200 characters) and the ``mode``
    of its round, anonymous (the default) or with personal answers kept per participant; an
    optional ``sample`` size: that many of the checked round's participants are invited."""

    title = StringField(_l("Title of the check round"), validators=[Length(max=200)])
    mode = SelectField(_l("Answers"), choices=[SelectChoice("anonymous", _l("anonymous")),
                                                  SelectChoice("identified", _l("identified"))],
                       default="anonymous")
    sample = IntegerField(_l("Invite a random sample of this round's participants (how many)"),
                          validators=[Optional(), NumberRange(min=1, max=100_000)])
    submit = SubmitField(_l("Start a persona check"))


@bp.app_template_global()
def persona_check_form() -> CheckForm:
    """A fresh :class:`CheckForm` for the persona page's include."""
    return CheckForm()


@bp.app_template_global()
def persona_check_results(persona_id: int) -> list[persona_checks.CheckSummary]:
    """The checks of persona ``persona_id``, newest first (toolkit.services.persona_checks); the
    page that calls this has already checked that the reader may see the persona."""
    return persona_checks.persona_checks(get_db(), persona_id)


@bp.app_template_global()
def programme_persona_checks(rounds: list[dict]) -> list[dict]:
    """The checks of the current persona sets of a programme's ``rounds`` (rows with ``set_id``),
    newest first, as :func:`toolkit.services.persona_checks.programme_checks` gives them."""
    return persona_checks.programme_checks(get_db(), [r["set_id"] for r in rounds if r.get("set_id")])


def _form_problems(form: CheckForm) -> list[str]:
    """What is wrong with a check form that did not validate, one phrase per field, in the
    reader's language (the session's CSRF token expiring is the last possibility)."""
    problems = []
    if form.title.errors:
        problems.append(_("the title can have at most 200 characters"))
    if form.mode.errors:
        problems.append(_("choose whether the answers are anonymous or identified"))
    if form.sample.errors:
        problems.append(_("a sample is a whole number from 1"))
    return problems or [_("the form had expired; please try again")]


@bp.post("/persona-sets/<int:set_id>/check")
@requires("rounds.manage")
def create(set_id):
    """POST /persona-sets/<set_id>/check, admin and HR: create a draft check round of the set
    (with a random sample of the round's participants invited, when a size is given) and go to
    its round page (to add participants and open it). Back to the personas with a
    message when the form is invalid or the set has nothing to show; 404 for an unknown set,
    403 when its round is not granted."""
    try:
        round_id = load_persona_set(get_db(), set_id)["round_id"]
    except NotFound:
        abort(404)
    round_for(round_id)
    form = CheckForm()
    back = redirect(url_for("personas.overview", round_id=round_id))
    if not form.validate_on_submit():
        flash(_("Not started: %(problems)s.", problems="; ".join(_form_problems(form))), "error")
        return back
    try:
        check_id = persona_checks.create_check(get_db(), set_id, title=form.title.data or "", mode=form.mode.data,
                                               user_id=current_user.id)
    except persona_checks.CheckError:
        flash(_("Not started: this set has no persona that may be shown."), "error")
        return back
    if form.sample.data:
        added = persona_checks.invite_sample(get_db(), check_id, form.sample.data, current_app.config["SECRET_KEY"],
                                             user_id=current_user.id)
        flash(_("Persona check created with a random sample of %(n)d participants of the round. Open the round "
                "when you are ready.", n=added), "info")
    else:
        flash(_("Persona check created. Add the people who will check the personas, then open the round."), "info")
    return redirect(url_for("rounds.detail", round_id=check_id))
