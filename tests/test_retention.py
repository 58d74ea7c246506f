"""Retention: answers and participant data go when a round's period ends; one participant's
data can be exported and deleted on request; a round opens only with a works-council record."""

from __future__ import annotations

import datetime as dt
import json

from conftest import login, make_round_with_responses, make_users

from toolkit.data.db import iso, transaction
from toolkit.data.persona_sets import save_persona_set
from toolkit.data.rounds import create_round, get_round
from toolkit.services import retention

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)


def _fill(db, q, *, closed_days_ago: int | None, retention_days: int = 730, mode="anonymous", n=12) -> int:
    """A round with responses, participants, a draft, an outbox message and a quote in a persona."""
    round_id, _answers, _labels = make_round_with_responses(db, q, n=n, title=f"closed {closed_days_ago}")
    closes = iso(NOW - dt.timedelta(days=closed_days_ago)) if closed_days_ago is not None else None
    db.execute("UPDATE rounds SET closes_at = ?, retention_days = ?, status = 'closed', mode = ? WHERE id = ?",
               [closes, retention_days, mode, round_id])
    response_ids = [r for (r,) in db.execute("SELECT id FROM responses WHERE round_id = ? ORDER BY id", [round_id])]
    with transaction(db):
        for i in range(3):
            cur = db.execute("INSERT INTO participants (round_id, email, name, team) VALUES (?, ?, ?, 'Finance')",
                             [round_id, f"p{i}-{round_id}@test.example", f"Person {i}"])
            if mode == "identified":
                db.execute("UPDATE responses SET participant_id = ? WHERE id = ?", [cur.lastrowid, response_ids[i]])
            db.execute("INSERT INTO outbox (round_id, participant_id, recipient, kind, due_at) VALUES (?, ?, ?, ?, ?)",
                       [round_id, cur.lastrowid, f"p{i}-{round_id}@test.example", "invitation", iso(NOW)])
        db.execute("INSERT INTO drafts (key, round_id, answers, updated_on) VALUES (?, ?, '{}', '2027-01-01')",
                   [f"draft-{round_id}", round_id])
    persona_set = {"method": "test", "k": 1, "personas": [{
        "key": "p1", "name": "All", "label": {"nl": "Allen", "en": "All"}, "size": n, "presented": True,
        "profile": {}, "members": response_ids,
        "description": {"quotes": ["A QUOTE"], "situations": ["A SITUATION"], "context": {}}}]}
    save_persona_set(db, round_id, persona_set)
    return round_id


def _held(db, round_id):
    one = lambda sql: db.execute(sql, [round_id]).fetchone()[0]  # noqa: E731
    return {
        "responses": one("SELECT count(*) FROM responses WHERE round_id = ?"),
        "answers": one("SELECT count(*) FROM answers WHERE response_id IN (SELECT id FROM responses WHERE round_id = ?)"),
        "scores": db.execute("SELECT count(*) FROM scores").fetchone()[0],
        "participants": one("SELECT count(*) FROM participants WHERE round_id = ?"),
        "drafts": one("SELECT count(*) FROM drafts WHERE round_id = ?"),
        "outbox": one("SELECT count(*) FROM outbox WHERE round_id = ?"),
        "persona_sets": one("SELECT count(*) FROM persona_sets WHERE round_id = ?"),
    }


def test_a_round_past_its_retention_period_loses_answers_and_participant_data(database, default_q):
    expired = _fill(database, default_q, closed_days_ago=731)
    kept = _fill(database, default_q, closed_days_ago=100)
    purged = retention.purge_expired(database, NOW)
    assert list(purged) == [expired]
    assert purged[expired]["responses"] == 12 and purged[expired]["participants"] == 3
    after = _held(database, expired)
    assert after["responses"] == after["answers"] == after["participants"] == after["drafts"] == after["outbox"] == 0
    assert after["persona_sets"] == 1  # group-level results stay
    evidence = json.loads(database.execute(
        "SELECT evidence FROM personas p JOIN persona_sets s ON s.id = p.set_id WHERE s.round_id = ?",
        [expired]).fetchone()[0])
    assert evidence["description"]["quotes"] == [] and evidence["description"]["situations"] == []
    still = _held(database, kept)
    assert still["responses"] == 12 and still["participants"] == 3 and still["drafts"] == 1


def test_the_purge_is_audited_once_and_safe_to_repeat(database, default_q):
    round_id = _fill(database, default_q, closed_days_ago=40, retention_days=30)
    assert retention.purge_expired(database, NOW)
    assert retention.purge_expired(database, NOW) == {}
    rows = database.execute("SELECT action, object, detail FROM audit WHERE action = 'delete'").fetchall()
    assert len(rows) == 1 and rows[0][1] == f"round {round_id}" and "retention period of 30 days" in rows[0][2]


def test_a_round_is_kept_until_the_last_day_and_one_without_close_date_forever(database, default_q):
    on_the_day = _fill(database, default_q, closed_days_ago=30, retention_days=30)
    day_before = _fill(database, default_q, closed_days_ago=29, retention_days=30)
    never_closed = _fill(database, default_q, closed_days_ago=None)
    purged = retention.purge_expired(database, NOW)
    assert on_the_day in purged and day_before not in purged and never_closed not in purged


def test_purge_command_reports_and_dry_run_deletes_nothing(cli, database, default_q):
    round_id = _fill(database, default_q, closed_days_ago=3000)
    dry = cli("purge", "--dry-run").output
    assert f"round {round_id}" in dry and _held(database, round_id)["responses"] == 12
    assert f"round {round_id}: deleted 12 responses, 3 participants, 1 drafts, 1 quotes" in cli("purge").output
    assert "Nothing to delete" in cli("purge").output


def test_one_participant_of_an_identified_round_is_exported_then_deleted(client, database, default_q):
    users = make_users(database)
    round_id = _fill(database, default_q, closed_days_ago=1, mode="identified")
    participant_id, response_id = database.execute(
        "SELECT participant_id, id FROM responses WHERE round_id = ? AND participant_id IS NOT NULL ORDER BY id",
        [round_id]).fetchone()
    login(client, users["hr"][1])
    exported = client.get(f"/admin/rounds/{round_id}/participants/{participant_id}.json")
    data = json.loads(exported.data)
    assert "attachment" in exported.headers["Content-Disposition"]
    assert data["participant"]["name"] == "Person 0" and len(data["responses"]) == 1
    assert data["responses"][0]["answers"] and data["messages"][0]["kind"] == "invitation"
    response = client.post(f"/admin/rounds/{round_id}/participants/{participant_id}/delete")
    assert response.status_code == 302
    assert database.execute("SELECT count(*) FROM participants WHERE id = ?", [participant_id]).fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM answers WHERE response_id = ?", [response_id]).fetchone()[0] == 0
    assert _held(database, round_id)["responses"] == 11 and _held(database, round_id)["participants"] == 2
    actions = [r[0] for r in database.execute(
        "SELECT action FROM audit WHERE object LIKE ? ORDER BY id", [f"participant {participant_id} %"])]
    assert actions == ["export", "delete"]
    assert client.get(f"/admin/rounds/{round_id}/participants/{participant_id}.json").status_code == 404


def test_anonymous_round_export_of_a_participant_holds_no_answers(client, database, default_q):
    users = make_users(database)
    round_id = _fill(database, default_q, closed_days_ago=1, mode="anonymous")
    participant_id = database.execute("SELECT min(id) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]
    login(client, users["hr"][1])
    data = json.loads(client.get(f"/admin/rounds/{round_id}/participants/{participant_id}.json").data)
    assert data["responses"] == [] and "anonymous" in data["note"]


def test_a_round_opens_only_after_the_works_council_approval_is_recorded(client, database, default_q):
    users = make_users(database)
    round_id = create_round(database, default_q, "Needs approval")
    login(client, users["hr"][1])
    client.post(f"/rounds/{round_id}/open")
    assert get_round(database, round_id)["status"] == "draft"
    page = client.get(f"/admin/rounds/{round_id}/privacy").get_data(as_text=True)
    assert "No works-council approval is recorded" in page
    saved = client.post(f"/admin/rounds/{round_id}/privacy", data={
        "works_council_date": "2027-03-01", "works_council_ref": "OR-2027-14", "retention_days": "365"})
    assert saved.status_code == 302
    round_ = get_round(database, round_id)
    assert (round_["works_council_date"], round_["works_council_ref"], round_["retention_days"]) == (
        "2027-03-01", "OR-2027-14", 365)
    client.post(f"/rounds/{round_id}/open")
    assert get_round(database, round_id)["status"] == "open"


def test_retention_outside_one_to_3650_days_is_refused_with_a_message(client, database, default_q):
    users = make_users(database)
    round_id = create_round(database, default_q, "Retention")
    login(client, users["hr"][1])
    response = client.post(f"/admin/rounds/{round_id}/privacy?lang=en", data={"retention_days": "0"})
    assert response.status_code == 200 and "Number must be between 1 and 3650" in response.get_data(as_text=True)
    assert get_round(database, round_id)["retention_days"] == 730
