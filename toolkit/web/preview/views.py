"""Questionnaire preview and print: every page of the questionnaire on one page, rendered with
the survey's own fields (read-only), in each of its languages; for a round with its welcome
page, as the round's respondents see it. The print view is the same content without the app's
menus, with a print stylesheet, for the works council to approve (Print, or save as PDF).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from toolkit.core.questionnaire import (
    Questionnaire,
    available_questionnaires,
    get_questionnaire,
    library,
)
from toolkit.core.welcome import estimated_minutes, question_count
from toolkit.data.db import iso, utcnow
from toolkit.data.rounds import round_questionnaire
from toolkit.data.welcome import welcome_facts
from toolkit.mail.render import anonymity_sentence, local_datetime
from toolkit.web.authz import requires, round_for
from toolkit.web.database import get_db
from toolkit.web.survey.forms import page_form_class

bp = Blueprint("preview", __name__)


def _pages(q: Questionnaire, lang: str) -> list[dict]:
    """Each block with a read-only form of its questions: block, form, item_map (id -> Item)."""
    return [{"block": block, "form": page_form_class(q, block.id, lang)(formdata=None),
             "item_map": {iid: q.items[iid] for iid in block.items}} for block in q.blocks]


def _questionnaire_html(q: Questionnaire, lang: str, round_: dict | None, heading: str) -> Markup:
    """The respondents' pages (and a round's welcome page) in ``lang``: their language is the
    questionnaire's, whatever the reader's menus are in."""
    welcome = {}
    if round_ is not None:
        facts = welcome_facts(get_db(), round_, q, current_app.config.get("PRIVACY_CONTACT"))
        welcome = {"facts": facts, "anonymity": anonymity_sentence(lang, facts.anonymous, facts.min_group),
                   "closes": local_datetime(round_["closes_at"], lang, current_app.config["TIMEZONE"])}
    with force_locale(lang):
        return Markup(render_template("preview/_questionnaire.html", q=q, lang=lang, pages=_pages(q, lang),
                                      heading=heading, **welcome))


def _language(q: Questionnaire, qlang: str) -> str:
    if qlang not in q.languages:
        abort(404)
    return qlang


def _page(q: Questionnaire, lang: str, round_: dict | None, *, printed: bool):
    template = "preview/print.html" if printed else "preview/questionnaire.html"
    return render_template(template, q=q, lang=lang, round=round_, minutes=estimated_minutes(q),
                           questions=question_count(q), now_iso=iso(utcnow()),
                           body=_questionnaire_html(q, lang, round_, "h2"))


@bp.get("/rounds/<int:round_id>/questionnaire/<qlang>")
@requires("rounds.view")
def round_questionnaire_page(round_id, qlang):
    """The round's questionnaire (the exact version stored with it) as its respondents see it."""
    round_ = round_for(round_id)
    q = round_questionnaire(get_db(), round_)
    return _page(q, _language(q, qlang), round_, printed=False)


@bp.get("/rounds/<int:round_id>/questionnaire/<qlang>/print")
@requires("rounds.view")
def round_questionnaire_print(round_id, qlang):
    """The round's questionnaire as a printable document, with what identifies its version."""
    round_ = round_for(round_id)
    q = round_questionnaire(get_db(), round_)
    return _page(q, _language(q, qlang), round_, printed=True)


@bp.app_template_global()
def previewable_questionnaires() -> list[Questionnaire]:
    """The library's questionnaires (the product's and the organisation's own), for the preview
    links next to the questionnaire choice."""
    folders = library(current_app.instance_path)
    return [get_questionnaire(qid, *folders) for qid in available_questionnaires(*folders)]


def _library_questionnaire(qid: str) -> Questionnaire:
    folders = library(current_app.instance_path)
    if qid not in available_questionnaires(*folders):
        abort(404)
    return get_questionnaire(qid, *folders)


@bp.get("/questionnaires/<qid>/preview/<qlang>")
@requires("rounds.manage")
def questionnaire_page(qid, qlang):
    """A questionnaire from the library, before any round uses it."""
    q = _library_questionnaire(qid)
    return _page(q, _language(q, qlang), None, printed=False)


@bp.get("/questionnaires/<qid>/preview/<qlang>/print")
@requires("rounds.manage")
def questionnaire_print(qid, qlang):
    """A library questionnaire as a printable document."""
    q = _library_questionnaire(qid)
    return _page(q, _language(q, qlang), None, printed=True)
