"""Respondent pages: exchange a personal link for a session, one page per block, save & resume.

Privacy: in anonymous rounds the response is stored with a random id, no day and no
participant id, unpublished until the round closes; the respondent's progress lives in `drafts`
under a key derived from the link (not from the participant) and is deleted when the response is
stored. Completing is one statement: in an anonymous round it stores a marker derived from the
link (sha256("done:" + token)), the response and deletes the draft, writing nothing that names
the participant; in an identified round it marks the participant responded instead.

Robustness: every page posts a signed ticket alongside the CSRF token. When the session or
CSRF token has expired, the ticket still says whose progress this is, so the posted answers
are saved and the respondent is asked to confirm them — never sent to an error page.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms.validators import ValidationError

from toolkit.core import completion, tokens
from toolkit.core.privacy import may_show
from toolkit.core.questionnaire import Questionnaire
from toolkit.data.db import utcnow, write
from toolkit.data.responses import (
    AlreadyCompleted,
    complete_anonymous_response,
    complete_web_response,
    response_entry,
)
from toolkit.data.rounds import get_round, round_questionnaire
from toolkit.data.welcome import welcome_facts
from toolkit.mail.render import anonymity_sentence, local_datetime
from toolkit.services import participants
from toolkit.web.database import get_db
from toolkit.web.extensions import csrf
from toolkit.web.survey.forms import answers_from_form, form_data, page_form_class, posted_form

bp = Blueprint("survey", __name__)
csrf.exempt(bp)  # checked in `save` itself, so an expired token never loses answers


# --- who is answering -----------------------------------------------------------------


def _ticket_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="survey-ticket")


def _respondent_from_request() -> dict | None:
    who = session.get("survey")
    if who:
        return who
    ticket = request.form.get("ticket") if request.method == "POST" else None
    if ticket:
        try:
            who = _ticket_serializer().loads(ticket)
        except BadSignature:
            return None
        session["survey"] = who  # the ticket restores an expired session
        return who
    return None


PARTICIPANT_FIELDS = ("id", "round_id", "team", "language", "link_used")


def _done_marker(db, who: dict) -> str:
    """The marker completing this respondent's link stores. Kept in the session since the link was
    followed; derived again (it needs SECRET_KEY) for a session from before markers existed."""
    if "m" not in who:
        row = db.execute("SELECT id, round_id, token_salt FROM participants WHERE id = ?", [who["p"]]).fetchone()
        if row is None:
            abort(404)
        participant = dict(zip(("id", "round_id", "token_salt"), row, strict=True))
        who["m"] = tokens.done_marker(tokens.participant_token(current_app.config["SECRET_KEY"], participant))
    return who["m"]


def _load(db, who: dict) -> tuple[dict, dict, dict]:
    """The participant, their round and their draft in one query (every respondent request starts here).

    The participant's `link_used` is true when their link completed a response: their own flag
    (identified rounds) or their link's marker (anonymous rounds).
    """
    cursor = db.execute(
        "SELECT p.id, p.round_id, p.team, p.language, "
        "p.link_used OR EXISTS (SELECT 1 FROM completed_links WHERE marker = ?), "
        "d.answers AS draft_answers, d.page AS draft_page, r.*, qv.file_hash AS questionnaire_hash "
        "FROM participants p JOIN rounds r ON r.id = p.round_id "
        "LEFT JOIN questionnaire_versions qv ON qv.id = r.questionnaire_version_id "
        "LEFT JOIN drafts d ON d.key = ? WHERE p.id = ?",
        [_done_marker(db, who), who["d"], who["p"]],
    )
    row = cursor.fetchone()
    if row is None:
        abort(404)
    width, names = len(PARTICIPANT_FIELDS), [d[0] for d in cursor.description]
    answers, page = row[width:width + 2]
    draft = {"answers": json.loads(answers) if answers else {}, "page": page or 0}
    round_ = dict(zip(names[width + 2:], row[width + 2:], strict=True))
    return dict(zip(PARTICIPANT_FIELDS, row[:width], strict=True)), round_, draft


def round_state(round_: dict, now: dt.datetime | None = None) -> str:
    """'open', 'not_open' or 'closed' for respondents."""
    now = now or utcnow()
    closes = dt.datetime.fromisoformat(round_["closes_at"]) if round_["closes_at"] else None
    opens = dt.datetime.fromisoformat(round_["opens_at"]) if round_["opens_at"] else None
    if round_["status"] == "closed" or (closes and now >= closes):
        return "closed"
    if round_["status"] != "open" or (opens and now < opens):
        return "not_open"
    return "open"


def _notice(kind: str, status: int = 200):
    return render_template("survey/notice.html", kind=kind), status


def _gate(participant: dict, round_: dict):
    """A friendly page when this respondent cannot answer now, else None."""
    if participant["link_used"]:
        return _notice("completed")
    state = round_state(round_)
    if state != "open":
        return _notice(state)
    return None


@dataclass(frozen=True)
class Respondent:
    """The respondent of this browser session and what they answer: ``who`` (the session's
    survey entry), the participant and round rows, their draft and the round's questionnaire."""

    who: dict
    participant: dict
    round: dict
    draft: dict
    q: Questionnaire


def _session_respondent():
    """The :class:`Respondent` of this session, or the page to show instead: no session, or a
    round they cannot answer now (completed, not yet open, closed)."""
    who = session.get("survey")
    if not who:
        return _notice("no_session")
    db = get_db()
    participant, round_, draft = _load(db, who)
    blocked = _gate(participant, round_)
    if blocked:
        return blocked
    return Respondent(who, participant, round_, draft, round_questionnaire(db, round_))


# --- the link -------------------------------------------------------------------------


@bp.get("/s/<token>")
def exchange(token):
    """Swap the personal link for a session and continue at /survey (or, before anything is
    answered, at the welcome page), so no token stays in the URL."""
    db = get_db()
    participant = participants.find_by_token(db, token)
    if participant is None:
        # The same page as any unknown URL; web.py counts misses per address and slows guessing.
        abort(404)
    round_ = get_round(db, participant["round_id"])
    who = {"p": participant["id"], "d": tokens.draft_key(token), "m": tokens.done_marker(token)}
    if db.execute("SELECT 1 FROM completed_links WHERE marker = ?", [who["m"]]).fetchone():
        participant["link_used"] = 1
    blocked = _gate(participant, round_)
    if blocked:
        return blocked
    session.pop("survey", None)
    session["survey"] = who
    lang = round_["language"] if round_["language"] in ("nl", "en") else participant["language"]
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    write(
        db,
        "INSERT OR IGNORE INTO drafts (key, round_id, answers, page, language, updated_on) VALUES (?, ?, '{}', 0, ?, ?)",
        [who["d"], round_["id"], lang, utcnow().date().isoformat()],
    )
    fresh = db.execute("SELECT answers = '{}' AND page = 0 FROM drafts WHERE key = ?", [who["d"]]).fetchone()
    # Nothing answered yet: the welcome page first; otherwise straight back to where they were.
    return redirect(url_for(".welcome" if fresh and fresh[0] else ".page"), 303)


# --- pages ----------------------------------------------------------------------------


def _save_draft(db, who: dict, round_id: int, page_answers: dict, cleared: set[str], page: int) -> None:
    """Merge one page's answers into the draft.

    One statement, so SQLite applies it whole without an explicit transaction: the merge is
    SQLite's json_patch (an emptied question is patched with null, which removes it).
    """
    patch = json.dumps({**page_answers, **dict.fromkeys(cleared)}, ensure_ascii=False)
    write(
        db,
        "INSERT INTO drafts (key, round_id, answers, page, language, updated_on) "
        "VALUES (:key, :round, json_patch('{}', :patch), :page, :lang, :day) "
        "ON CONFLICT(key) DO UPDATE SET answers = json_patch(drafts.answers, :patch), page = excluded.page, "
        "language = excluded.language, updated_on = excluded.updated_on",
        {"key": who["d"], "round": round_id, "patch": patch, "page": page, "lang": g.lang,
         "day": utcnow().date().isoformat()},
    )


def _lang(q) -> str:
    return g.lang if g.lang in q.languages else q.languages[0]


def _render_page(q, round_, who, page_no: int, form, *, answers: dict, notice: str | None = None,
                 status: int = 200, review: bool = False):
    """One page; the last one also lists every question still unanswered (``answers``: all so far)."""
    block = q.blocks[page_no]
    lang = _lang(q)
    last = page_no == len(q.blocks) - 1
    return render_template(
        "survey/page.html", q=q, round=round_, block=block, lang=lang, form=form, page_no=page_no,
        pages=len(q.blocks), notice=notice, ticket=_ticket_serializer().dumps(who),
        items={iid: q.items[iid] for iid in block.items}, review=review and not last,
        unanswered=completion.unanswered(q, answers, round_.get("min_answered_share")) if last else [],
    ), status


def _requested_page(q, default: int) -> int:
    """The page asked for with ?page=N (a link from the list of unanswered questions), else ``default``."""
    try:
        wanted = int(request.args.get("page", default))
    except ValueError:
        wanted = default
    return min(max(wanted, 0), len(q.blocks) - 1)


@bp.get("/survey")
def page():
    """GET /survey[?page=N&review=1]: the respondent's current page (or page N, from the list of
    unanswered questions) with their saved answers; ``review`` sends them back to the last page."""
    state = _session_respondent()
    if not isinstance(state, Respondent):
        return state
    who, q, draft = state.who, state.q, state.draft
    page_no = _requested_page(q, draft["page"])
    block = q.blocks[page_no]
    form = page_form_class(q, block.id, _lang(q))(formdata=None, data=form_data(q, block.id, draft["answers"]))
    return _render_page(q, state.round, who, page_no, form, answers=draft["answers"],
                        review="review" in request.args and "page" in request.args)


def _asked_about_empty_page(who: dict) -> bool:
    """True once this respondent has been asked whether to skip an empty page (we ask once:
    one accidental tap is caught, and someone who skips on purpose is not asked on every page)."""
    if session.get("survey_asked") == who["d"]:
        return True
    session["survey_asked"] = who["d"]
    return False


@bp.get("/survey/welcome")
def welcome():
    """Before page 1: the change, what anonymity means here, the time it takes, until when, and
    whom to ask about privacy. A fresh link lands here; its "Start" goes to /survey."""
    state = _session_respondent()
    if not isinstance(state, Respondent):
        return state
    q, round_ = state.q, state.round
    lang = _lang(q)
    facts = welcome_facts(get_db(), round_, q, current_app.config.get("PRIVACY_CONTACT"))
    return render_template("survey/welcome.html", q=q, lang=lang, facts=facts,
                           anonymity=anonymity_sentence(lang, facts.anonymous, facts.min_group),
                           closes=local_datetime(round_["closes_at"], lang, current_app.config["TIMEZONE"]))


@bp.post("/survey")
def save():
    """POST /survey: keep the page's answers and go back, on, or send. The draft is committed
    before any page says so; an expired token keeps what was typed and asks to confirm; an empty
    page is asked about once; the last page sends only when the round's completion rule is met
    (otherwise it lists the unanswered questions, 422); a used link sends nothing twice."""
    who = _respondent_from_request()
    if not who:
        return _notice("no_session", 400)
    db = get_db()
    participant, round_, draft = _load(db, who)
    blocked = _gate(participant, round_)
    if blocked:
        return blocked
    q = round_questionnaire(db, round_)
    try:
        page_no = min(max(int(request.form.get("page", "0")), 0), len(q.blocks) - 1)
    except ValueError:
        page_no = 0
    block = q.blocks[page_no]
    form = posted_form(q, block.id, _lang(q), request.form)
    page_answers, cleared = answers_from_form(q, form, block.id)
    answers = {iid: value for iid, value in draft["answers"].items() if iid not in cleared} | page_answers

    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # Expired session or form: keep what was typed, then ask to confirm with a fresh token.
        _save_draft(db, who, round_["id"], page_answers, cleared, page_no)
        return _render_page(q, round_, who, page_no, form, answers=answers, notice="confirm")

    if request.form.get("action") == "back":
        _save_draft(db, who, round_["id"], page_answers, cleared, max(page_no - 1, 0))
        return redirect(url_for(".page"), 303)

    if any(field.errors for field in form.item_fields()):  # answers_from_form validated each field
        _save_draft(db, who, round_["id"], page_answers, cleared, page_no)
        return _render_page(q, round_, who, page_no, form, answers=answers, notice="errors", status=422)

    last = len(q.blocks) - 1
    if page_no < last:
        if not page_answers and not _asked_about_empty_page(who):
            _save_draft(db, who, round_["id"], page_answers, cleared, page_no)
            return _render_page(q, round_, who, page_no, form, answers=answers, notice="empty",
                                review=bool(request.form.get("review")))
        next_page = last if request.form.get("review") else page_no + 1
        _save_draft(db, who, round_["id"], page_answers, cleared, next_page)
        return redirect(url_for(".page"), 303)
    # The last page: its answers are committed with the response itself (one statement), or
    # with the draft while the round's rule (toolkit.core.completion) still wants answers.
    if completion.shortfall(q, answers, round_.get("min_answered_share")):
        _save_draft(db, who, round_["id"], page_answers, cleared, last)
        return _render_page(q, round_, who, last, form, answers=answers, notice="incomplete", status=422)
    try:
        complete(db, q, round_, participant, who, answers)
    except AlreadyCompleted:
        return _notice("completed")
    session.pop("survey", None)
    return redirect(url_for(".thanks"), 303)


@bp.get("/survey/thanks")
def thanks():
    """GET /survey/thanks: the confirmation after the answers were stored."""
    return render_template("survey/thanks.html")


# --- completing -----------------------------------------------------------------------


def _response_context(db, round_: dict, participant: dict) -> dict:
    if round_["mode"] == "identified":
        attributes = db.execute("SELECT attributes FROM participants WHERE id = ?", [participant["id"]]).fetchone()[0]
        context = json.loads(attributes or "{}")
        if participant["team"]:
            context["team"] = participant["team"]
        return context
    # Anonymous: the team only when it is big enough to hide in, and no other attributes.
    if participant["team"]:
        size = db.execute("SELECT count(*) FROM participants WHERE round_id = ? AND team = ?",
                          [round_["id"], participant["team"]]).fetchone()[0]
        if may_show(size, round_["min_group"]):
            return {"team": participant["team"]}
    return {}


def complete(db, q, round_: dict, participant: dict, who: dict, answers: dict) -> str:
    """Store the response and drop the draft in one statement; returns the response id.

    Anonymous rounds store the link's marker and an unpublished response that names nobody;
    identified rounds mark the participant responded. `answers` are the draft's answers with the
    last page's merged in. The team check needs no lock and is done first; the writes are one
    INSERT (see migration m008). Raises AlreadyCompleted when the link completed before.
    """
    context = _response_context(db, round_, participant)
    if round_["mode"] == "identified":
        entry = response_entry(q, round_["id"], answers, participant_id=participant["id"], language=g.lang,
                               context=context)
        return complete_web_response(db, entry, participant_id=participant["id"], draft_key=who["d"])
    # Row order would reveal the order of submission; give the rows random positions.
    entry = response_entry(q, round_["id"], answers, context=context, random_order=True, publication=None)
    return complete_anonymous_response(db, entry, done_marker=_done_marker(db, who), draft_key=who["d"])
