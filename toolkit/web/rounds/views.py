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
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from toolkit.core import dashboard
from toolkit.core.participation import ResponseCounts
from toolkit.core.privacy import presentable_personas, suppress_groups, works_council_problem
from toolkit.core.questionnaire import available_questionnaires, get_questionnaire
from toolkit.data.audit import audit
from toolkit.data.db import transaction, utcnow
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.responses import response_counts
from toolkit.data.rounds import create_round, round_questionnaire
from toolkit.jobs import runner as jobs
from toolkit.mail import outbox
from toolkit.services import exports
from toolkit.web import jobs as web_jobs
from toolkit.web.authz import can, requires, round_for, visible_rounds
from toolkit.web.database import get_db
from toolkit.web.rounds.forms import (
    ButtonForm,
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
    return render_template("rounds/index.html", rounds=visible_rounds())


@bp.route("/new", methods=["GET", "POST"])
@requires("rounds.manage")
def new():
    form = RoundForm()
    form.questionnaire.choices = [SelectChoice(qid, qid) for qid in available_questionnaires()]
    if form.validate_on_submit():
        q = get_questionnaire(form.questionnaire.data)
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
    """Overall and per-team response rate; teams under the minimum group size are not shown."""
    rows = db.execute(
        "SELECT team, count(*), sum(responded) FROM participants WHERE round_id = ? GROUP BY team ORDER BY team",
        [round_["id"]],
    ).fetchall()
    invited = {team: n for team, n, _r in rows}
    shown = suppress_groups(invited, round_["min_group"])
    teams = [{"team": team, "invited": n, "responded": r, "rate": r / n if n else 0.0}
             for team, n, r in rows if shown[team] is not None]
    total, responded = sum(invited.values()), sum(r for _t, _n, r in rows)
    return {"invited": total, "responded": responded, "rate": responded / total if total else None,
            "teams": teams, "hidden": sum(1 for v in shown.values() if v is None)}


@bp.get("/<int:round_id>")
@requires("personas.view")
def detail(round_id):
    round_ = round_for(round_id)
    if not can("rounds.view"):  # trainers: the personas are their view of a round
        return redirect(url_for("personas.overview", round_id=round_id))
    db = get_db()
    persona_set = current_persona_set(db, round_id)
    running = list(db.query(
        "SELECT * FROM jobs WHERE round_id = ? AND status IN ('queued', 'running') ORDER BY id DESC LIMIT 1", [round_id]
    ))
    return render_template(
        "rounds/detail.html",
        round=round_,
        counts=response_counts(db, round_id),
        rates=response_rates(db, round_),
        reminder_days=json.loads(round_["reminder_days"] or "[]"),
        approval_missing=works_council_problem(round_),
        button=ButtonForm(),
        participant_form=ParticipantUploadForm(),
        persona_set=persona_set,
        personas=presentable_personas(persona_set, round_["min_group"]) if persona_set else [],
        upload_form=UploadForm(),
        derive_form=DeriveForm(),
        job=running[0] if running else None,
        mail_counts=outbox.status_counts(db, round_id),
        mail_failures=[dict(f, reason=mail_failure_reason(f["reason_kind"])) for f in outbox.failures_for_round(db, round_id)],
    )


# --- dashboard ------------------------------------------------------------------------------


def online_timeline(db, round_: dict) -> tuple[ResponseCounts, list[dashboard.DayCount]]:
    """The round's three counts, and the day-by-day rate of the invited who answered online
    (imported answers have no invitation and no day of answering: they are counted apart)."""
    days = [r[0] for r in db.execute(
        "SELECT submitted_on FROM responses WHERE round_id = ? AND source != 'import'", [round_["id"]])]
    counts = response_counts(db, round_["id"])
    until = utcnow().date() if round_["status"] == "open" else None
    return counts, dashboard.response_timeline(days, counts.invited or None, until=until)


def dashboard_figures(db, round_: dict) -> dict:
    """Everything the dashboard shows, from the database through the pure dashboard module."""
    round_id, min_group = round_["id"], round_["min_group"]
    q = round_questionnaire(db, round_)
    lang = g.get("lang") or "nl"
    constructs = [c.id for c in q.constructs.values()]
    points = {}
    for construct in q.constructs.values():
        scale = next((q.scales[q.items[i].scale] for i in construct.items if q.items[i].scale in q.scales), None)
        points[construct.id] = dashboard.favourable_point(scale.min, scale.max) if scale else 4.0
    unbanded = [c.id for c in q.constructs.values() if c.block in dashboard.UNBANDED_BLOCKS]
    names = {c.id: c.name.get(lang) or c.id for c in q.constructs.values()}

    counts, timeline = online_timeline(db, round_)
    invited, has_rate = counts.invited, bool(timeline) and timeline[-1].rate is not None

    scores: dict[str, dict[str, float | None]] = {}
    teams: dict[str, str | None] = {}
    for rid, team in db.execute("SELECT id, team FROM responses WHERE round_id = ?", [round_id]):
        scores[rid], teams[rid] = {}, team
    for rid, construct, value in db.execute(
        "SELECT s.response_id, s.construct, s.value FROM scores s JOIN responses r ON r.id = s.response_id "
        "WHERE r.round_id = ?", [round_id]
    ):
        scores[rid][construct] = value
    by_construct = {c: [s.get(c) for s in scores.values()] for c in constructs}
    overall = dashboard.construct_scores(by_construct, constructs, min_group=min_group, points=points,
                                         unbanded=unbanded)
    heatmap = dashboard.team_heatmap(scores, teams, constructs, min_group=min_group, points=points,
                                     unbanded=unbanded)
    persona_set = current_persona_set(db, round_id)
    distribution, rest = ([], None)
    if persona_set:
        distribution, rest = dashboard.persona_distribution(
            presentable_personas(persona_set, min_group), persona_set.get("n_used") or 0, min_group=min_group)

    def share(value: float) -> str:
        return format_percent(value)

    band_names = {"green": _("favourable"), "amber": _("mixed"), "red": _("needs attention")}

    charts = {
        "timeline": Markup(dashboard.timeline_svg(
            timeline, ident="chart-timeline",
            title=_("Response rate per day") if has_rate else _("Responses per day"),
            desc=_("Cumulative responses from the first answer to the latest day; the table below has the figures."),
            format_day=lambda d: format_date(d, "d MMM"), format_share=share,
        )) if timeline else None,
        "scores": Markup(dashboard.bars_html(
            [(names[s.construct], s.favourable,
              (share(s.favourable) + (f" · {band_names[s.band]}" if s.band else "")) if s.shown
              else _("fewer than %(n)d", n=min_group), s.band) for s in overall],
            ident="chart-scores", title=_("Favourable answers per construct"),
            thresholds=(dashboard.AMBER_FROM, dashboard.GREEN_FROM),
        )) if any(s.shown for s in overall) else None,
        "personas": Markup(dashboard.bars_html(
            [(p.name, p.share, _("%(n)d people · %(share)s", n=p.size, share=share(p.share)), "persona")
             for p in distribution],
            ident="chart-personas", title=_("Persona distribution"),
        )) if distribution else None,
    }
    return {"q": q, "names": names, "timeline": timeline, "invited": invited, "overall": overall,
            "heatmap": heatmap, "persona_set": persona_set, "distribution": distribution, "rest": rest,
            "charts": charts, "unbanded": set(unbanded), "share": share, "min_group": min_group,
            "responses": len(scores), "counts": counts, "has_rate": has_rate}


@bp.get("/<int:round_id>/dashboard")
@requires("rounds.view")
def dashboard_page(round_id):
    round_ = round_for(round_id)
    figures = dashboard_figures(get_db(), round_)
    return render_template("rounds/dashboard.html", round=round_, format_decimal=format_decimal,
                           format_date=format_date, **figures)


@bp.post("/<int:round_id>/derive")
@requires("personas.derive")
def derive(round_id):
    round_for(round_id)
    form = DeriveForm()
    if not form.validate_on_submit():
        abort(400)
    job_id = web_jobs.submit("derive", round_id, {"k": int(form.k.data) if form.k.data else None}, current_user.id)
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
    job = _job_for(round_id, job_id)
    if job["status"] == "done":
        flash(_("Personas derived."), "info")
        return redirect(url_for("personas.overview", round_id=round_id))
    return render_template("rounds/job.html", round_id=round_id, job=job, **web_jobs.job_page_context(job))


@bp.get("/<int:round_id>/jobs/<int:job_id>.json")
@requires("personas.derive")
def job_status(round_id, job_id):
    job = _job_for(round_id, job_id)
    return jsonify(status=job["status"], progress=job["progress"], message=job["message"])


# --- status: open, close now, reopen --------------------------------------------------------


def _change_status(round_id: int, allowed_from: tuple[str, ...], to: str, message: str):
    round_ = round_for(round_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if round_["status"] not in allowed_from:
        flash(_("The round is already %(status)s.", status=round_["status"]), "error")
        return redirect(url_for(".detail", round_id=round_id))
    db = get_db()
    with transaction(db):
        db.execute("UPDATE rounds SET status = ? WHERE id = ?", [to, round_id])
        if to == "open" and round_["closes_at"] and dt.datetime.fromisoformat(round_["closes_at"]) <= utcnow():
            # Reopening after the close date: keep it open until HR closes it.
            db.execute("UPDATE rounds SET closes_at = NULL WHERE id = ?", [round_id])
        audit(db, current_user.id, to, f"round {round_id}", f"was {round_['status']}")
    flash(message, "info")
    return redirect(url_for(".detail", round_id=round_id))


@bp.post("/<int:round_id>/open")
@requires("rounds.manage")
def open_round(round_id):
    round_ = round_for(round_id)
    if works_council_problem(round_):
        flash(_("Record the works council's approval (date and reference) before the round opens."), "error")
        return redirect(url_for(".detail", round_id=round_id))
    return _change_status(round_id, ("draft",), "open", _("The round is open: personal links work now."))


@bp.post("/<int:round_id>/close")
@requires("rounds.manage")
def close(round_id):
    round_ = round_for(round_id)
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


@bp.get("/<int:round_id>/answers.<fmt>")
@requires("rounds.manage")
def export(round_id, fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    round_ = round_for(round_id)
    db = get_db()
    q = round_questionnaire(db, round_)
    try:
        headers, rows = exports.answer_table(db, round_, q)
    except exports.ExportRefused:
        flash(_("Anonymous answers can be exported once the round has at least %(n)d responses.",
                n=max(round_["min_group"], 5)), "error")
        return redirect(url_for(".detail", round_id=round_id))
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit(db, current_user.id, "export", f"round {round_id}", f"answers.{fmt}, {len(rows)} rows")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=round-{round_id}-answers.{fmt}"})
