"""The dashboard's kept sums give exactly the figures of the full recomputation (issue 23).

Rounds are built through the real paths (answers through personal links in the web app, HR's
close and reopen, a CLI import, deleting one participant, the retention purge; identified and
anonymous). After every step the dashboard's figures, read from the sums the database keeps
(toolkit.data.figures), are compared with the old computation from every response's scores
(toolkit.core.dashboard.construct_scores / team_heatmap over scores_by_response, the test
oracle; counts from the responses themselves), and the kept sums with sums made afresh from the
stored rows.
"""

from __future__ import annotations

import csv

import pytest
from conftest import login, make_users
from respondents import SECRET, answer, open_round

from toolkit.core import dashboard
from toolkit.core.participation import ResponseCounts
from toolkit.core.privacy import shown_response_count
from toolkit.data.db import utcnow
from toolkit.data.figures import paused
from toolkit.data.responses import (
    daily_counts,
    held_back,
    scores_by_response,
    usable_count,
    usable_responses,
)
from toolkit.data.rounds import get_round, list_rounds, round_questionnaire, with_counts
from toolkit.services.retention import delete_participant, purge_round


@pytest.fixture
def app(database, instance):
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def hr(app, database):
    client = app.test_client()
    login(client, make_users(database)["hr"][1])
    return client


def varied(number: int):
    """Answers that differ per person and item (1-5), so means and shares are not round."""
    return lambda item_id: 1 + (number * 7 + 3 * sum(map(ord, item_id)) + number * number) % 5


def oracle(db, round_: dict) -> dict:
    """The dashboard's figures computed the old way: every usable response's scores read and walked."""
    from toolkit.web.rounds.views import _construct_setup

    q = round_questionnaire(db, round_)
    constructs, points, directions, _names = _construct_setup(q, "en")
    scores, teams = scores_by_response(db, round_["id"])
    publications = None
    if round_["mode"] != "identified":
        publications = {r["id"]: r["publication"] for r in usable_responses(db, round_["id"])}
    overall = dashboard.construct_scores({c: [s.get(c) for s in scores.values()] for c in constructs}, constructs,
                                         min_group=round_["min_group"], points=points, directions=directions)
    heatmap = dashboard.team_heatmap(scores, teams, constructs, min_group=round_["min_group"], points=points,
                                     directions=directions, organisation={s.construct: s.favourable for s in overall},
                                     publication_by_response=publications)
    counts = counted(db, round_)
    return {"overall": overall, "heatmap": heatmap, **counts, "responses": len(scores),
            "timeline": old_timeline(db, round_, counts["counts"])}


def old_timeline(db, round_: dict, counts: ResponseCounts) -> list:
    """The response timeline as it was computed before: one day entry per response, then counted."""
    anonymous = round_["mode"] != "identified"
    if anonymous and round_["status"] == "open":
        return []
    days = [day for day, n in daily_counts(db, round_["id"]).items() for _ in range(n)]
    if anonymous:
        days = days[:counts.online.exact]
    until = utcnow().date() if round_["status"] == "open" else None
    timeline = dashboard.response_timeline(days, counts.invited or None, until=until)
    return dashboard.coarsen_timeline(timeline, round_["min_group"]) if anonymous else timeline


def counted(db, round_: dict) -> dict:
    """The round's counts as they were counted before m017: from the responses themselves."""
    r = round_["id"]
    invited = db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [r]).fetchone()[0]
    stored_online, usable_online, imported, stored, usable, waiting = db.execute(
        "SELECT (SELECT count(*) FROM responses WHERE round_id = :r AND source != 'import'), "
        "(SELECT count(*) FROM usable_responses WHERE round_id = :r AND source != 'import'), "
        "(SELECT count(*) FROM usable_responses WHERE round_id = :r AND source = 'import'), "
        "(SELECT count(*) FROM responses WHERE round_id = :r), (SELECT count(*) FROM usable_responses WHERE round_id = :r), "
        "(SELECT count(*) FROM responses WHERE round_id = :r AND publication IS NULL)", {"r": r}).fetchone()
    online = shown_response_count(stored_online, usable_online, anonymous=round_["mode"] != "identified",
                                  open_=round_["status"] == "open", min_group=round_["min_group"])
    return {"counts": ResponseCounts(invited, online, imported), "count": with_counts(round_, stored, usable)["count"],
            "usable": usable, "waiting": waiting}


def same_scores(kept: list, computed: list) -> None:
    assert [(s.construct, s.n, s.shown, s.favourable, s.band, s.direction) for s in kept] == \
        [(s.construct, s.n, s.shown, s.favourable, s.band, s.direction) for s in computed]
    for a, b in zip(kept, computed, strict=True):
        assert (a.mean is None and b.mean is None) or a.mean == pytest.approx(b.mean, abs=1e-9)


def check(app, db, round_id: int) -> dict:
    """Compare the dashboard's figures with the oracle and the kept sums with fresh ones; the figures."""
    from toolkit.web.rounds.views import dashboard_figures

    round_ = get_round(db, round_id)
    expected = oracle(db, round_)
    with app.test_request_context("/?lang=en"):
        figures = dashboard_figures(db, round_)
    same_scores(figures["overall"], expected["overall"])
    kept, computed = figures["heatmap"], expected["heatmap"]
    assert (kept.constructs, kept.hidden_teams, kept.min_group) == \
        (computed.constructs, computed.hidden_teams, computed.min_group)
    assert [(t.team, t.n) for t in kept.teams] == [(t.team, t.n) for t in computed.teams]
    for a, b in zip(kept.teams, computed.teams, strict=True):
        same_scores(list(a.cells), list(b.cells))
    assert (figures["counts"], figures["count"], figures["responses"], figures["timeline"]) == \
        (expected["counts"], expected["count"], expected["responses"], expected["timeline"])
    listed = next(r for r in list_rounds(db) if r["id"] == round_id)
    assert (listed["responses"], listed["count"], usable_count(db, round_id), held_back(db, round_id)) == \
        (expected["usable"], expected["count"], expected["usable"], expected["waiting"])
    assert kept_sums(db, round_id) == fresh_sums(db, round_id)
    return figures


def kept_sums(db, round_id: int) -> tuple[list, list]:
    groups = db.execute("SELECT publication, team, online, n FROM figure_groups WHERE round_id = ? AND n != 0 "
                        "ORDER BY 1, 2, 3", [round_id]).fetchall()
    sums = db.execute("SELECT publication, team, construct, n, round(total, 9), high, low FROM figure_sums "
                      "WHERE round_id = ? AND n != 0 ORDER BY 1, 2, 3", [round_id]).fetchall()
    return groups, sums


def fresh_sums(db, round_id: int) -> tuple[list, list]:
    groups = db.execute(
        "SELECT coalesce(publication, 0), coalesce(team, ''), source IS NOT 'import', count(*) FROM responses "
        "WHERE round_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", [round_id]).fetchall()
    sums = db.execute(
        "SELECT coalesce(r.publication, 0), coalesce(r.team, ''), s.construct, count(*), round(sum(s.value), 9), "
        "sum(s.value >= p.high - 1e-9), sum(s.value <= p.low + 1e-9) FROM responses r "
        "JOIN scores s ON s.response_id = r.id JOIN figure_points p ON p.round_id = r.round_id "
        "AND p.construct = s.construct WHERE r.round_id = ? AND s.value IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        [round_id]).fetchall()
    return groups, sums


def write_answers(path, q, rows: list[tuple[str, str, int]]) -> None:
    """An answer file of (respondent id, team, person number) rows, likert items answered as ``varied``."""
    items = [i for i in q.items if q.items[i].type == "likert"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent_id", "team", *items])
        for rid, team, number in rows:
            writer.writerow([rid, team, *[varied(number)(i) for i in items]])


def test_anonymous_round_through_close_reopen_import_and_retention(app, database, pulse, hr, cli, tmp_path):
    round_id, people = open_round(database, pulse, people=40,
                                  teams=("Finance", "Sales", "Sales", "Finance", "Sales", "Legal", "IT", "IT"))
    for number, person in enumerate(people[:22]):
        answer(app, person, pulse, varied(number))
    open_figures = check(app, database, round_id)  # nothing published: no figure at all
    assert open_figures["responses"] == 0 and not any(s.shown for s in open_figures["overall"])
    assert hr.post(f"/rounds/{round_id}/close").status_code == 302
    closed = check(app, database, round_id)
    assert closed["responses"] == 22 and [t.team for t in closed["heatmap"].teams]

    assert hr.post(f"/rounds/{round_id}/reopen").status_code == 302
    for number, person in enumerate(people[22:31], start=22):  # 9 more, some teams with fewer than 5 new
        answer(app, person, pulse, varied(number))
    check(app, database, round_id)
    assert hr.post(f"/rounds/{round_id}/close").status_code == 302
    partly = check(app, database, round_id)
    held = database.execute("SELECT count(*) FROM responses WHERE round_id = ? AND publication IS NULL",
                            [round_id]).fetchone()[0]
    assert held and partly["responses"] == 31 - held  # the close held some back: the sums follow

    path = tmp_path / "paper.csv"
    write_answers(path, pulse, [(f"paper{i}", ("Sales", "HR", "")[i % 3], 100 + i) for i in range(14)])
    cli("responses", "import", path, "--round", round_id)
    imported = check(app, database, round_id)
    assert imported["counts"].imported == 14
    assert hr.get(f"/rounds/{round_id}/dashboard").status_code == 200

    purge_round(database, round_id, reason="retention test")
    gone = check(app, database, round_id)
    assert gone["responses"] == 0 and kept_sums(database, round_id) == ([], [])


def test_identified_round_through_web_answers_and_a_deleted_participant(app, database, pulse, hr):
    round_id, people = open_round(database, pulse, mode="identified", people=26,
                                  teams=("Finance", "Sales", "Sales", "Finance", "Legal"))
    for number, person in enumerate(people[:20]):
        answer(app, person, pulse, varied(number))
        if number in (3, 11, 19):
            check(app, database, round_id)
    delete_participant(database, round_id, people[0]["id"], user_id=None)
    after = check(app, database, round_id)
    assert after["responses"] == 19
    database.execute("DELETE FROM outbox WHERE participant_id = ?", [people[1]["id"]])
    database.execute("DELETE FROM participants WHERE id = ?", [people[1]["id"]])  # its response goes by cascade
    assert check(app, database, round_id)["responses"] == 18
    assert hr.get(f"/rounds/{round_id}/dashboard").status_code == 200


def test_sums_of_a_round_from_before_the_sums_are_made_at_init_db_or_its_first_dashboard(app, database, default_q,
                                                                                           cli):
    from conftest import make_round_with_responses

    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60)
    database.execute("DELETE FROM figure_points WHERE round_id = ?", [round_id])
    database.execute("DELETE FROM figure_sums WHERE round_id = ?", [round_id])  # as a round stored before m017
    figures = check(app, database, round_id)
    assert figures["responses"] == 60 and all(s.shown for s in figures["overall"])
    database.execute("UPDATE figure_points SET high = 3 WHERE round_id = ?", [round_id])  # points that changed
    check(app, database, round_id)
    assert database.execute("SELECT DISTINCT high FROM figure_points WHERE round_id = ?", [round_id]).fetchall() \
        != [(3.0,)]
    database.execute("UPDATE scores SET value = 1.0 WHERE response_id IN (SELECT id FROM responses "
                     "WHERE round_id = ? ORDER BY id LIMIT 7)", [round_id])  # scores made again (re-scoring)
    check(app, database, round_id)
    database.execute("DELETE FROM figure_points WHERE round_id = ?", [round_id])
    database.execute("DELETE FROM figure_sums WHERE round_id = ?", [round_id])
    cli("init-db")  # an upgrade sums the rounds from before m017
    assert kept_sums(database, round_id) == fresh_sums(database, round_id) and kept_sums(database, round_id)[1]
    with pytest.raises(RuntimeError), paused(database, round_id):  # pausing needs a transaction to end in
        pass
