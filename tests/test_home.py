"""The start page answers "what do I do next" for each role, in the user's own language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import login, make_users

from toolkit.data.persona_sets import save_persona_set
from toolkit.data.rounds import create_round

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"


def persona_set_without_members() -> dict:
    persona_set = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for persona in persona_set["personas"]:
        persona["members"] = []
    return persona_set


@pytest.fixture
def world(database, default_q):
    users = make_users(database)
    ids = {}
    for title, status, mode in (("Open pulse", "open", "identified"), ("Draft baseline", "draft", "anonymous"),
                                ("Closed survey", "closed", "anonymous"), ("Derived round", "closed", "anonymous"),
                                ("Open anonymous", "open", "anonymous")):
        ids[title] = create_round(database, default_q, title, mode=mode)
        database.execute("UPDATE rounds SET status = ? WHERE id = ?", [status, ids[title]])
    database.conn.executemany(
        "INSERT INTO participants (round_id, email, responded) VALUES (?, ?, ?)",
        [(ids["Open pulse"], f"p{i}@example.org", int(i < 3)) for i in range(4)])
    database.conn.executemany("INSERT INTO participants (round_id, email) VALUES (?, ?)",
                              [(ids["Open anonymous"], f"a{i}@example.org") for i in range(8)])
    for title, n, publication in (("Open pulse", 1, 1), ("Closed survey", 1, 1), ("Open anonymous", 6, None)):
        database.conn.executemany("INSERT INTO responses (id, round_id, publication) VALUES (?, ?, ?)",
                                  [(f"resp-{title}-{i}", ids[title], publication) for i in range(n)])
    save_persona_set(database, ids["Derived round"], persona_set_without_members())
    database.conn.commit()
    return users, ids


def grant(database, round_id, user_id):
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, user_id])


def test_login_lands_on_the_start_page(client, world):
    users, _ids = world
    response = login(client, users["hr"][1])
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200


def test_hr_sees_open_rounds_with_their_rate_and_what_a_draft_still_needs(client, world):
    users, _ids = world
    login(client, users["hr"][1])
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Open pulse" in page and "75%" in page and "3 of 4 invited have answered" in page
    # anonymous: the answers stored while open are counted in steps of the minimum group only
    assert "at least 5 of 8 invited have answered" in page and "6 of 8" not in page
    assert "Draft baseline" in page and "import participants" in page
    assert "record the works council approval" in page
    # a closed round with answers but no personas is the next job; one with personas is not
    ready = page.split('id="h-derive"')[1].split("</section>")[0]
    assert "Closed survey" in ready and "Derived round" not in ready
    assert "Personas and briefs" in page and "Sanne" in page


def test_change_manager_sees_personas_of_granted_rounds_only(client, world, database):
    users, ids = world
    login(client, users["change_manager"][1])
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "No rounds have been shared with you yet. Ask HR" in page and "Sanne" not in page
    grant(database, ids["Derived round"], users["change_manager"][0])
    grant(database, ids["Draft baseline"], users["change_manager"][0])
    page = client.get("/").get_data(as_text=True)
    assert "Sanne" in page and "overview.docx" in page
    assert "Waiting for personas" in page and "Draft baseline" in page
    assert "Open pulse" not in page and "New round" not in page


def test_trainer_sees_training_briefs_and_no_communication_briefs(client, world, database):
    users, ids = world
    grant(database, ids["Derived round"], users["trainer"][0])
    login(client, users["trainer"][1])
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Training briefs" in page and "/brief/training.docx?lang=nl" in page
    assert "communication.docx" not in page and "overview.docx" not in page
    assert "Rounds to set up" not in page


def test_overdue_reviews_are_listed_for_hr_but_not_for_trainers(client, world, database):
    users, ids = world
    database.execute("UPDATE persona_sets SET review_due = '2020-01-01'")
    grant(database, ids["Derived round"], users["trainer"][0])
    login(client, users["hr"][1])
    assert "Persona reviews overdue" in client.get("/?lang=en").get_data(as_text=True)
    trainer = client.application.test_client()
    login(trainer, users["trainer"][1])
    assert "Persona reviews overdue" not in trainer.get("/?lang=en").get_data(as_text=True)


def test_language_switch_is_remembered_for_the_user_on_a_new_device(app, world, database):
    users, _ids = world
    first = app.test_client()
    login(first, users["hr"][1])
    first.get("/?lang=en")
    assert database.execute("SELECT language FROM users WHERE id = ?", [users["hr"][0]]).fetchone()[0] == "en"
    second = app.test_client()
    login(second, users["hr"][1])
    page = second.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en">' in page
