"""Rounds: the list, creating one, the round page (status, response rate, participants, export),
deriving personas. Importing participants and answers: `toolkit.web.rounds.imports`."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from toolkit.core import dashboard
from toolkit.core.guidance import default_guidance
from toolkit.core.participation import ResponseCounts
from toolkit.core.privacy import (
    may_show,
    presentable_personas,
    suppress_groups,
    works_council_problem,
)
from toolkit.core.questionnaire import (
    get_questionnaire,
    library,
    list_questionnaires,
)
from toolkit.data import figures
from toolkit.data.audit import audit
from toolkit.data.db import connect, iso, transaction, utcnow
from toolkit.data.persona_checks import is_check_round
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.responses import (
    daily_counts,
    held_back,
    response_counts,
    usable_count,
)
from toolkit.data.rounds import (
    change_facts,
    create_round,
    round_counts,
    round_questionnaire,
    save_change_facts,
)
from toolkit.jobs import runner as jobs
from toolkit.mail import outbox
from toolkit.services import exports
from toolkit.services.pipeline import derive_refusal
from toolkit.web import jobs as web_jobs
from toolkit.web.authz import can, requires, round_for, visible_rounds
from toolkit.web.database import get_db
from toolkit.web.i18n import in_reader_language, translate
from toolkit.web.rounds import confirm
from toolkit.web.rounds.forms import (
    ButtonForm,
    ChangeFactsForm,
    DeriveForm,
    ParticipantUploadForm,
    RoundForm,
    UploadForm,
)

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


def mail_failure_reason(category: str) -> str:
    """What HR should do about an undelivered message, by failure category."""
    return {
        "permanent": _("The mail server refused this message; check the address, then retry."),
        "gave up": _("The mail server could not be reached for a long time; check the mail settings, then retry."),
        "uncertain": _("Sending was interrupted: the message may have arrived. Check with the recipient before retrying."),
        "message": _("The message could not be built; tell your administrator."),
    }.get(category, _("Not delivered."))


@bp.get("/")
@requires("rounds.list")
def index():
    """GET /rounds/: the rounds this user may see (all for admin and HR, granted ones otherwise)."""
    return render_template("rounds/index.html", rounds=visible_rounds())


@bp.route("/new", methods=["GET", "POST"])
@requires("rounds.manage")
def new():
    """GET/POST /rounds/new: the new-round form (HR); on a valid POST creates a draft round and
    goes to its page. Questionnaires come from the product's folder and the organisation's own."""
    form = RoundForm()
    folders = library(current_app.instance_path)
    form.questionnaire.choices = [  # the title a person knows, the id as the value
        SelectChoice(e.id, in_reader_language(e.questionnaire.title)) for e in list_questionnaires(*folders) if e.questionnaire]
    if form.validate_on_submit():
        q = get_questionnaire(form.questionnaire.data, *folders)
        db = get_db()
        round_id = create_round(
            db, q, form.title.data, mode=form.mode.data, language=form.language.data,
            min_group=form.min_group.data, created_by=current_user.id,
            opens_at=to_utc(form.opens_at.data), closes_at=to_utc(form.closes_at.data),
            reminder_days=form.reminder_list(),
            min_answered_share=form.min_answered.data / 100 if form.min_answered.data else None,
        )
        ref = (form.works_council_ref.data or "").strip() or None
        date = form.works_council_date.data.isoformat() if form.works_council_date.data else None
        db.execute("UPDATE rounds SET works_council_date = ?, works_council_ref = ?, retention_days = ? WHERE id = ?",
                   [date, ref, form.retention_days.data, round_id])
        flash(_("Round created."), "info")
        return redirect(url_for(".detail", round_id=round_id))
    return render_template("rounds/new.html", form=form)


def to_utc(local: dt.datetime | None) -> dt.datetime | None:
    """A date-time entered in the configured zone (Europe/Amsterdam) as an aware UTC moment."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(dt.UTC)


def response_rates(db, round_: dict) -> dict:
    """Invited per team, and (identified rounds only) responded and rate per team.

    Teams under the minimum group size are not shown, nor is the smallest team beside a single
    hidden one (its size would follow from the total): ``small`` counts the hidden teams under
    the minimum, ``guarded`` the hidden ones of the minimum size or more, and ``hidden`` both,
    with ``hidden_invited`` / ``hidden_responded`` their people together (the total minus the
    shown teams, so nothing new). An anonymous round keeps no per-person response status: it
    has no per-team response figures, `anonymous` is True and teams carry only their number of
    invited people.
    """
    anonymous = round_["mode"] != "identified"
    rows = db.execute(
        "SELECT team, count(*), sum(responded) FROM participants WHERE round_id = ? GROUP BY team ORDER BY team",
        [round_["id"]],
    ).fetchall()
    invited = {team: n for team, n, _r in rows}
    shown = suppress_groups(invited, round_["min_group"])
    teams = [{"team": team, "invited": n, "responded": None if anonymous else r,
              "rate": None if anonymous else (r / n if n else 0.0)}
             for team, n, r in rows if shown[team] is not None]
    hidden = [(n, r) for team, n, r in rows if shown[team] is None]
    small = sum(1 for n, _r in hidden if not may_show(n, round_["min_group"]))
    hidden_invited, hidden_responded = sum(n for n, _r in hidden), sum(r for _n, r in hidden)
    total, responded = sum(invited.values()), sum(r for _t, _n, r in rows)
    return {"invited": total, "teams": teams, "anonymous": anonymous,
            "rate": responded / total if total and not anonymous else None,
            "hidden": len(hidden), "small": small, "guarded": len(hidden) - small,
            "hidden_invited": hidden_invited,
            "hidden_responded": None if anonymous else hidden_responded,
            "hidden_rate": None if anonymous or not hidden_invited else hidden_responded / hidden_invited}


@bp.get("/<int:round_id>")
@requires("personas.view")
def detail(round_id):
    """GET /rounds/<round_id>: the round page (status, counts, mail, uploads, derive, exports);
    trainers go to the personas instead. 404 for an unknown round, 403 when not granted."""
    round_ = round_for(round_id)
    if not can("rounds.view"):  # trainers: the personas are their view of a round
        return redirect(url_for("personas.overview", round_id=round_id))
    db = get_db()
    persona_set = current_persona_set(db, round_id)
    running = list(db.query(
        "SELECT * FROM jobs WHERE round_id = ? AND status IN ('queued', 'running') ORDER BY id DESC LIMIT 1", [round_id]
    ))
    counted = round_counts(db, round_)
    anonymous = round_["mode"] != "identified"
    return render_template(
        "rounds/detail.html",
        round=round_,
        count=counted["count"],
        invited=counted["invited"],
        counts=response_counts(db, round_),
        held=held_back(db, round_id) if anonymous and round_["status"] == "closed" else 0,
        rates=response_rates(db, round_),
        reminder_days=json.loads(round_["reminder_days"] or "[]"),
        approval_missing=works_council_problem(round_),
        button=ButtonForm(),
        participant_form=ParticipantUploadForm(),
        persona_set=persona_set,
        personas=presentable_personas(persona_set, round_["min_group"]) if persona_set else [],
        upload_form=UploadForm(),
        derive_form=None if is_check_round(db, round_id) else DeriveForm(),
        facts_form=ChangeFactsForm(data=change_facts(db, round_id)),
        job=running[0] if running else None,
        mail_counts=outbox.status_counts(db, round_id),
        mail_failures=_mail_failures(db, round_),
    )


def _mail_failures(db, round_: dict) -> list[dict]:
    """Undelivered messages with what to do. In an anonymous round a reminder's recipient is not
    named: a reminder goes only to people who had not answered yet."""
    failures = []
    for f in outbox.failures_for_round(db, round_["id"]):
        if round_["mode"] != "identified" and f["kind_base"] == "reminder":
            f = dict(f, recipient=None, participant_name=None, error="")
        failures.append(dict(f, reason=mail_failure_reason(f["reason_kind"])))
    return failures


# --- dashboard ------------------------------------------------------------------------------


def _timeline(db, round_: dict, counts: ResponseCounts) -> list:
    """Responses given online per day, or per period of at least the minimum group in an
    anonymous round; an anonymous round that is open gets none (the figure would move when one
    person answers), and one that was reopened counts only its published answers (those held
    back since are the latest days' last ones). Imported answers have no day of answering and
    are not counted (m010)."""
    anonymous = round_["mode"] != "identified"
    if anonymous and round_["status"] == "open":
        return []
    until = utcnow().date() if round_["status"] == "open" else None
    # Anonymous: only the published (exact once closed); answers held back after a reopen are the latest.
    timeline = dashboard.timeline_from_counts(daily_counts(db, round_["id"]), counts.invited or None, until=until,
                                              limit=counts.online.exact if anonymous else None)
    return dashboard.coarsen_timeline(timeline, round_["min_group"]) if anonymous else timeline


def _construct_setup(q, lang: str) -> tuple[list[str], dict, dict, dict]:
    """Constructs, their favourable point and direction (high amotivation is not favourable), names."""
    negative = default_guidance().negative_constructs
    constructs = [c.id for c in q.constructs.values()]
    points, directions, scale_points = {}, {}, dashboard.construct_points(q)
    for construct in q.constructs.values():
        directions[construct.id] = dashboard.construct_direction(construct.id, construct.block, negative)
        high, low = scale_points[construct.id]
        points[construct.id] = low if directions[construct.id] == dashboard.LOWER else high
    names = {c.id: c.name.get(lang) or c.id for c in q.constructs.values()}
    return constructs, points, directions, names


def dashboard_figures(db, round_: dict) -> dict:
    """Everything the dashboard shows, from the sums the database keeps of the round's usable
    responses (toolkit.data.figures) through the pure dashboard module: a few hundred rows read
    whatever the round's size. Teams are sized and hidden before any of their sums is read."""
    round_id, min_group = round_["id"], round_["min_group"]
    q = round_questionnaire(db, round_)
    constructs, _points, directions, names = _construct_setup(q, g.get("lang") or "nl")
    figures.ensure_figures(db, round_id, dashboard.construct_points(q))
    groups = figures.group_counts(db, round_)
    counted, counts = round_counts(db, round_), response_counts(db, round_)
    timeline = _timeline(db, round_, counts)
    has_rate = bool(timeline) and timeline[-1].rate is not None
    hidden = dashboard.hidden_teams(groups.teams, groups.usable, min_group, groups.per_publication)
    sums = figures.tallies(db, round_, directions, [t for t in groups.teams if t not in hidden])
    overall = dashboard.scores_from_tallies(sums[None], constructs, min_group=min_group, directions=directions)
    heatmap = dashboard.heatmap_from_tallies(groups.teams, hidden, sums, constructs, min_group=min_group,
                                             directions=directions,
                                             organisation={s.construct: s.favourable for s in overall})
    persona_set = current_persona_set(db, round_id)
    distribution, rest = ([], None)
    if persona_set:
        distribution, rest = dashboard.persona_distribution(
            presentable_personas(persona_set, min_group), persona_set.get("n_used") or 0, min_group=min_group)
    charts = _charts(timeline, overall, distribution, names, has_rate, min_group)
    return {"q": q, "names": names, "timeline": timeline, "invited": counts.invited, "overall": overall,
            "heatmap": heatmap, "persona_set": persona_set, "distribution": distribution, "rest": rest,
            "charts": charts, "norm": (dashboard.GREEN_FROM, dashboard.AMBER_FROM, dashboard.TEAM_MARGIN),
            "share": format_percent, "min_group": min_group,
            "responses": groups.usable, "count": counted["count"], "counts": counts,
            "has_rate": has_rate,
            "waiting": round_["mode"] != "identified" and round_["status"] == "open"}


def _charts(timeline, overall, distribution, names: dict, has_rate: bool, min_group: int) -> dict:
    share = format_percent
    band_names = {"green": _("favourable"), "amber": _("mixed"), "red": _("needs attention")}
    return {
        "timeline": Markup(dashboard.timeline_svg(
            timeline, ident="chart-timeline",
            title=_("Response rate per day") if has_rate else _("Responses per day"),
            desc=_("Cumulative responses from the first answer to the latest day; the table below has the figures."),
            format_day=lambda d: format_date(d, "d MMM"), format_share=share,
        )) if timeline else None,
        "scores": Markup(dashboard.bars_html(
            [(_("%(construct)s (low is favourable)", construct=names[s.construct])
              if s.direction == dashboard.LOWER else names[s.construct], s.favourable,
              (share(s.favourable) + (f" · {band_names[s.band]}" if s.band else "")) if s.shown
              else _("fewer than %(n)d", n=min_group), s.band) for s in overall if s.direction],
            ident="chart-scores", title=_("Favourable answers per construct"),
            thresholds=(dashboard.AMBER_FROM, dashboard.GREEN_FROM),
        )) if any(s.shown for s in overall if s.direction) else None,
        "neutral": Markup(dashboard.bars_html(
            [(names[s.construct], s.favourable, share(s.favourable) if s.shown else _("fewer than %(n)d", n=min_group),
              None) for s in overall if not s.direction],
            ident="chart-neutral", title=_("High scores on kinds of motivation without a better direction"),
        )) if any(s.shown for s in overall if not s.direction) else None,
        "personas": Markup(dashboard.bars_html(
            [(p.name, p.share, _("%(n)d people · %(share)s", n=p.size, share=share(p.share)), "persona")
             for p in distribution],
            ident="chart-personas", title=_("Persona distribution"),
        )) if distribution else None,
    }


@bp.get("/<int:round_id>/dashboard")
@requires("rounds.view")
def dashboard_page(round_id):
    """GET /rounds/<round_id>/dashboard: construct scores against the stated norm, teams
    against the organisation, response over time; every group under the minimum hidden."""
    round_ = round_for(round_id)
    figures = dashboard_figures(get_db(), round_)
    return render_template("rounds/dashboard.html", round=round_, format_decimal=format_decimal,
                           format_date=format_date, **figures)


@bp.post("/<int:round_id>/change-facts")
@requires("rounds.manage")
def save_facts(round_id):
    """Store the round's change facts (what, why, when, what stays the same) for the briefs."""
    round_for(round_id)
    form = ChangeFactsForm()
    if not form.validate_on_submit():
        flash(_("Not saved: each change fact can have at most 600 characters."), "error")
        return redirect(url_for(".detail", round_id=round_id, _anchor="change-facts"))
    facts = {key: getattr(form, key).data or "" for key in ("what", "why", "when", "unchanged")}
    save_change_facts(get_db(), round_id, facts, user_id=current_user.id)
    flash(_("Change facts saved: the next briefs draft their key messages from them."))
    return redirect(url_for(".detail", round_id=round_id, _anchor="change-facts"))


@bp.post("/<int:round_id>/derive")
@requires("personas.derive")
def derive(round_id):
    """POST /rounds/<round_id>/derive: queue a derive job (k from the form or chosen by BIC) and
    show its progress; refuses with a message when the round may not be derived now."""
    round_ = round_for(round_id)
    form = DeriveForm()
    if not form.validate_on_submit():
        abort(400)
    if is_check_round(get_db(), round_id):
        flash(_("A persona check rates the persona cards of another round: it has no personas of its own."),
              "error")
        return redirect(url_for(".detail", round_id=round_id))
    if derive_refusal(get_db(), round_):
        flash(_("Personas of an anonymous round are derived once the round has closed: until then its "
                "answers are not published."), "error")
        return redirect(url_for(".detail", round_id=round_id))
    job_id = web_jobs.submit("derive", round_id, {"k": int(form.k.data) if form.k.data else None, "review": True},
                             current_user.id)
    return redirect(url_for(".job", round_id=round_id, job_id=job_id))


def _job_for(round_id: int, job_id: int) -> dict:
    round_for(round_id)
    job = jobs.get(get_db(), job_id)
    if job is None or job["round_id"] != round_id:
        abort(404)
    return job


@bp.get("/<int:round_id>/jobs/<int:job_id>")
@requires("personas.derive")
def job(round_id, job_id):
    """GET /rounds/<round_id>/jobs/<job_id>: a derive job's progress page; when done, the personas
    or, for a round that had personas, the review of what the new set changes."""
    job = _job_for(round_id, job_id)
    if job["status"] == "done":
        result = json.loads(job["result"] or "{}")
        if result.get("pending"):  # the round had personas: show what the new set changes first
            return redirect(url_for("persona_sets.review", round_id=round_id, set_id=result["set_id"]))
        flash(_("Personas derived."), "info")
        return redirect(url_for("personas.overview", round_id=round_id))
    return render_template("rounds/job.html", round_id=round_id, job=job, **web_jobs.job_page_context(job))


@bp.get("/<int:round_id>/jobs/<int:job_id>.json")
@requires("personas.derive")
def job_status(round_id, job_id):
    """GET /rounds/<round_id>/jobs/<job_id>.json: {"status", "progress" (0-1), "message"} for
    the progress page's polling."""
    job = _job_for(round_id, job_id)
    return jsonify(status=job["status"], progress=job["progress"], message=translate(job["message"]))


# --- status: open, close now, reopen --------------------------------------------------------


def _change_status(round_id: int, allowed_from: tuple[str, ...], to: str, message: str):
    round_ = round_for(round_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if round_["status"] not in allowed_from:
        flash(_("The round is already %(status)s.", status=status_label(round_["status"])), "error")
        return redirect(url_for(".detail", round_id=round_id))
    db = get_db()
    with transaction(db):
        db.execute("UPDATE rounds SET status = ? WHERE id = ?", [to, round_id])
        if to == "open" and round_["status"] == "draft" and (
                not round_["opens_at"] or dt.datetime.fromisoformat(round_["opens_at"]) > utcnow()):
            # Opened by hand: it opened now, which the round page shows and the invitations are due at.
            db.execute("UPDATE rounds SET opens_at = ? WHERE id = ?", [iso(utcnow()), round_id])
        if to == "open" and round_["closes_at"] and dt.datetime.fromisoformat(round_["closes_at"]) <= utcnow():
            # Reopening after the close date: keep it open until HR closes it.
            db.execute("UPDATE rounds SET closes_at = NULL WHERE id = ?", [round_id])
        audit(db, current_user.id, to, f"round {round_id}", f"was {round_['status']}")
    flash(message, "info")
    return redirect(url_for(".detail", round_id=round_id))


def status_label(status: str) -> str:
    """A round status in the reader's language."""
    return {"draft": _("draft"), "open": _("open"), "closed": _("closed")}.get(status, status)


@bp.route("/<int:round_id>/open", methods=["GET", "POST"])
@requires("rounds.manage")
def open_round(round_id):
    """GET: what opening will do; POST: open the round now (it needs the works council record)."""
    round_ = round_for(round_id)
    if works_council_problem(round_):
        flash(_("Record the works council's approval (date and reference) before the round opens."), "error")
        return redirect(url_for(".detail", round_id=round_id))
    if request.method == "GET":
        return confirm.open_page(round_) if round_["status"] == "draft" else redirect(url_for(".detail", round_id=round_id))
    return _change_status(round_id, ("draft",), "open", _("The round is open: personal links work now."))


@bp.route("/<int:round_id>/close", methods=["GET", "POST"])
@requires("rounds.manage")
def close(round_id):
    """GET: what closing now will do; POST: close the round (the scheduler's close, done now)."""
    round_ = round_for(round_id)
    if request.method == "GET":
        if round_["status"] == "closed":
            return redirect(url_for(".detail", round_id=round_id))
        return confirm.close_page(round_)
    if round_["status"] != "open":
        return _change_status(round_id, ("draft",), "closed", _("The round is closed: no more answers are accepted."))
    if not ButtonForm().validate_on_submit():
        abort(400)
    from toolkit.jobs.scheduler import close_round

    close_round(get_db(), round_id, utcnow(), user_id=current_user.id, detail="closed now by HR")
    flash(_("The round is closed: no more answers are accepted."), "info")
    return redirect(url_for(".detail", round_id=round_id))


@bp.post("/<int:round_id>/reopen")
@requires("rounds.manage")
def reopen(round_id):
    """POST /rounds/<round_id>/reopen: open a closed round again (400 without a valid CSRF token)."""
    return _change_status(round_id, ("closed",), "open", _("The round is open again."))


@bp.post("/<int:round_id>/mail/<int:message_id>/retry")
@requires("rounds.manage")
def retry_mail(round_id, message_id):
    """Send a failed invitation or reminder again, after HR fixed the address or the settings."""
    round_for(round_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_db()
    row = db.execute("SELECT round_id FROM outbox WHERE id = ?", [message_id]).fetchone()
    if row is None or row[0] != round_id:
        abort(404)
    if outbox.retry_failed(db, message_id, utcnow(), current_user.id):
        flash(_("The message will be sent again within a minute."), "info")
    else:
        flash(_("This message is no longer marked as failed."), "info")
    return redirect(url_for(".detail", round_id=round_id))


# --- export ---------------------------------------------------------------------------------


def _closing(chunks, reader):
    """The chunks of a download, then the download's own connection closed: when the last chunk
    is written, when the client goes away (the server closes the response) or when an unread
    response is dropped."""
    try:
        yield from chunks
    finally:
        reader.conn.close()


@bp.get("/<int:round_id>/answers.<fmt>")
@requires("rounds.manage")
def export(round_id, fmt):
    """GET /rounds/<round_id>/answers.csv|xlsx: the answers, audited; anonymous rounds only their
    published answers from the minimum group on, without participant data, ids or days."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    round_ = round_for(round_id)
    db = get_db()
    q = round_questionnaire(db, round_)
    # The rows are read while the response is written, after this view has returned: on a connection
    # of the download's own, closed when it ends, so no request context has to outlive the request.
    reader = connect(current_app.config["DATABASE"])
    try:
        headers, rows = exports.answer_rows(reader, round_, q)
    except exports.ExportRefused:
        reader.conn.close()
        flash(_("Anonymous answers can be exported once at least %(n)d of them are published: "
                "they are published when the round closes.", n=max(round_["min_group"], 5)), "error")
        return redirect(url_for(".detail", round_id=round_id))
    if fmt == "csv":
        body, mimetype = exports.csv_chunks(headers, rows), "text/csv"  # Werkzeug adds the charset
    else:
        body = exports.xlsx_chunks(headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    count = len(rows) if isinstance(rows, list) else usable_count(db, round_id)  # identified: every usable response
    audit(db, current_user.id, "export", f"round {round_id}", f"answers.{fmt}, {count} rows")
    return Response(_closing(body, reader), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=round-{round_id}-answers.{fmt}"})
