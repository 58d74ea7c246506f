"""The respondent's welcome page before page 1: the change, what anonymity means in this round,
how long it takes, until when, and whom to ask about privacy."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.tokens import participant_token
from toolkit.core.welcome import estimated_minutes, question_count
from toolkit.data.db import iso, utcnow
from toolkit.data.rounds import create_round, save_change_facts
from toolkit.services.participants import import_participants

SECRET = "test-secret"  # conftest's app


def open_round(db, q, *, mode="anonymous", language="nl", min_group=5) -> tuple[int, str]:
    closes = utcnow() + dt.timedelta(days=7)
    round_id = create_round(db, q, "Nieuwe werkwijze", mode=mode, language=language, min_group=min_group,
                            closes_at=closes)
    db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    import_participants(db, round_id, [{"row": i + 2, "email": f"p{i}@example.org", "name": f"P{i}", "team": "IT",
                                        "language": "en", "attributes": {}} for i in range(6)], SECRET)
    participant = next(db.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    return round_id, participant_token(SECRET, participant)


def test_the_time_estimate_follows_the_number_and_kind_of_questions():
    default, pulse = get_questionnaire("default"), get_questionnaire("pulse")
    assert (estimated_minutes(default), question_count(default)) == (15, 53)
    assert (estimated_minutes(pulse), question_count(pulse)) == (5, 15)


def test_a_fresh_link_lands_on_the_welcome_page_with_the_rounds_facts(client, database, default_q):
    round_id, token = open_round(database, default_q)
    save_change_facts(database, round_id, {"what": "We plannen met één systeem.", "why": "Klanten wachten korter."})
    database.execute("UPDATE rounds SET privacy_contact = 'Mira de Boer, privacy@example.org' WHERE id = ?", [round_id])
    response = client.get(f"/s/{token}")
    assert response.status_code == 303 and response.headers["Location"] == "/survey/welcome"
    html = client.get("/survey/welcome").get_data(as_text=True)
    assert "<h1 class=\"welcome-title\" id=\"welcome-title\">Nieuwe werkwijze</h1>" in html
    assert "We plannen met één systeem. Klanten wachten korter." in html
    assert "Je antwoorden zijn anoniem: niemand, ook HR niet, kan zien welke antwoorden van jou zijn" in html
    assert "Ongeveer 15 minuten: 53 vragen op 7 pagina’s." in html
    assert "Je kunt antwoorden tot " in html
    assert "Vragen over privacy? Neem contact op met Mira de Boer, privacy@example.org." in html
    assert 'href="/survey"' in html  # Start goes to page 1
    assert "Pagina 1 van 7" in client.get("/survey").get_data(as_text=True)


def test_an_identified_round_says_so_and_the_instance_contact_fills_in(app, client, database, default_q):
    app.config["PRIVACY_CONTACT"] = "privacy@organisatie.example"
    _round_id, token = open_round(database, default_q, mode="identified", min_group=7)
    client.get(f"/s/{token}")
    html = client.get("/survey/welcome").get_data(as_text=True)
    assert "Deze ronde is niet anoniem: HR kan zien welke antwoorden van jou zijn." in html
    assert "groepen van minstens 7 mensen" in html
    assert "privacy@organisatie.example" in html


def test_without_change_facts_or_contact_the_page_still_reads_well(client, database, default_q):
    _round_id, token = open_round(database, default_q, language="en")
    client.get(f"/s/{token}")
    html = client.get("/survey/welcome").get_data(as_text=True)
    assert "We ask how you experience the change" in html
    assert "Questions about privacy" not in html


def test_a_returning_respondent_goes_straight_back_to_their_page(client, database, default_q):
    _round_id, token = open_round(database, default_q)
    client.get(f"/s/{token}")
    html = client.get("/survey").get_data(as_text=True)
    fields = {name: html.split(f'name="{name}" value="')[1].split('"')[0] for name in ("ticket", "page")}
    answers = {f"q_{iid}": "4" for iid in default_q.blocks[0].items if default_q.items[iid].type == "likert"}
    assert client.post("/survey", data={**fields, **answers, "action": "next"}).status_code == 303
    again = client.get(f"/s/{token}")
    assert again.headers["Location"] == "/survey"


@pytest.mark.parametrize("state", ["closed", "no_session"])
def test_the_welcome_page_needs_an_open_round_and_a_link(client, database, default_q, state):
    round_id, token = open_round(database, default_q)
    if state == "closed":
        client.get(f"/s/{token}")
        database.execute("UPDATE rounds SET status = 'closed', closes_at = ? WHERE id = ?", [iso(utcnow()), round_id])
    html = client.get("/survey/welcome").get_data(as_text=True)
    assert "welcome-title" not in html
