"""Respondent side: link exchange, one page per block, save & resume, expiry, anonymity."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.tokens import done_marker, participant_token
from toolkit.data.responses import (
    AlreadyCompleted,
    complete_anonymous_response,
    complete_web_response,
    insert_response,
    response_entry,
)
from toolkit.data.rounds import create_round, response_count
from toolkit.services.participants import import_participants

SECRET = "survey-test-secret"


@pytest.fixture
def app(database, instance):
    from toolkit import create_app

    # CSRF on: the survey checks it itself and must survive an expired token.
    return create_app({"TESTING": True, "SECRET_KEY": SECRET})


def open_round(db, q, *, mode="anonymous", language="nl", people=6, team="Finance"):
    round_id = create_round(db, q, f"{mode} round", mode=mode, language=language)
    db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    rows = [{"row": i + 2, "email": f"p{i}@example.org", "name": f"P{i}", "team": team, "language": "en",
             "attributes": {"site": "Utrecht"}} for i in range(people)]
    import_participants(db, round_id, rows, SECRET)
    tokens = [participant_token(SECRET, p) for p in
              db.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id])]
    return round_id, tokens


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html).group(1)


def page_fields(html: str) -> dict:
    return {"csrf_token": hidden(html, "csrf_token"), "ticket": hidden(html, "ticket"), "page": hidden(html, "page")}


def answer_page(q, page_no: int, value: int = 4) -> dict:
    return {f"q_{iid}": str(value) for iid in q.blocks[page_no].items if q.items[iid].type == "likert"}


def test_link_is_exchanged_for_a_session_and_the_url_loses_the_token(client, database, pulse):
    _round_id, tokens = open_round(database, pulse)
    response = client.get(f"/s/{tokens[0]}")
    # nothing answered yet: the welcome page first, then page 1
    assert response.status_code == 303 and response.headers["Location"] == "/survey/welcome"
    page = client.get("/survey")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert tokens[0] not in html
    assert "Pagina 1 van 2" in html or "Page 1 of 2" in html
    assert '<fieldset class="question likert"' in html and "<legend" in html


def test_wrong_link_gets_the_same_page_as_an_unknown_url(client, database, pulse):
    _round_id, tokens = open_round(database, pulse)
    wrong = client.get("/s/" + tokens[0][:-2] + "xx")
    unknown = client.get("/no/such/page")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.data == unknown.data


def test_survey_without_a_session_asks_for_the_personal_link(client):
    response = client.get("/survey")
    assert response.status_code == 200
    assert b"/s/" not in response.data


def test_full_anonymous_round_stores_one_unlinkable_response(client, database, pulse):
    round_id, tokens = open_round(database, pulse)
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    assert client.post("/survey", data={**page_fields(html), **answer_page(pulse, 0, 4), "action": "next"}).status_code == 303
    assert database.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1
    html = client.get("/survey").get_data(as_text=True)
    assert hidden(html, "page") == "1"
    done = client.post("/survey", data={**page_fields(html), **answer_page(pulse, 1, 2), "action": "next"})
    assert done.status_code == 303 and done.headers["Location"] == "/survey/thanks"
    assert client.get("/survey/thanks").status_code == 200

    responses = list(database.query("SELECT * FROM responses WHERE round_id = ?", [round_id]))
    assert len(responses) == 1
    response = responses[0]
    assert response["participant_id"] is None and response["language"] is None
    assert response["submitted_on"] is None  # no day: only a counter per day (response_days) knows it
    assert response["publication"] is None  # published when the round closes
    assert database.execute("SELECT count FROM response_days WHERE round_id = ?", [round_id]).fetchone()[0] == 1
    assert json.loads(response["attributes"]) == {}  # no participant attributes
    participant = next(database.query("SELECT * FROM participants WHERE id = (SELECT min(id) FROM participants)"))
    # Completing wrote nothing about the participant; the link's marker says it was used.
    assert participant["responded"] == 0 and participant["link_used"] == 0
    assert [m for (m,) in database.execute("SELECT marker FROM completed_links")] == [done_marker(tokens[0])]
    assert database.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    # Nothing stored with the response equals anything stored with the participant.
    participant_values = {str(v) for v in participant.values() if v not in (None, "", 0, 1, "{}")}
    response_values = {str(v) for v in response.values() if v not in (None, "")}
    assert not (participant_values & response_values) - {str(round_id), "web", participant["team"]}
    answers = dict(database.execute("SELECT item_id, value FROM answers WHERE response_id = ?", [response["id"]]).fetchall())
    assert len(answers) == len(pulse.items) and set(answers.values()) == {"4", "2"}


def test_row_order_of_anonymous_responses_does_not_follow_the_order_of_answering(app, database, pulse):
    round_id, tokens = open_round(database, pulse, people=12)
    submitted = []  # response ids in the order people finished
    for token in tokens:
        client = app.test_client()
        client.get(f"/s/{token}")
        for page_no in (0, 1):
            html = client.get("/survey").get_data(as_text=True)
            client.post("/survey", data={**page_fields(html), **answer_page(pulse, page_no), "action": "next"})
        new = {r[0] for r in database.execute("SELECT id FROM responses WHERE round_id = ?", [round_id])} - set(submitted)
        submitted.append(new.pop())
    by_rowid = [r[0] for r in database.execute("SELECT id FROM responses ORDER BY rowid")]
    # answers and scores are stored in the order of their key (random response id, item)
    answers_by_rowid = list(dict.fromkeys(r[0] for r in database.execute("SELECT response_id FROM answers")))
    scores_by_rowid = list(dict.fromkeys(r[0] for r in database.execute("SELECT response_id FROM scores")))
    assert sorted(by_rowid) == sorted(submitted) and len(submitted) == 12
    # 12 people: the chance that a random order equals the real one is 1 in 479 million.
    assert by_rowid != submitted and answers_by_rowid != submitted and scores_by_rowid != submitted
    # ... and the three tables do not share one order that could be matched to anything else.
    assert by_rowid != answers_by_rowid


def test_identified_round_links_response_and_participant(client, database, pulse):
    round_id, tokens = open_round(database, pulse, mode="identified")
    client.get(f"/s/{tokens[1]}")
    for page_no in (0, 1):
        html = client.get("/survey").get_data(as_text=True)
        client.post("/survey", data={**page_fields(html), **answer_page(pulse, page_no), "action": "next"})
    response = next(database.query("SELECT * FROM responses WHERE round_id = ?", [round_id]))
    second = database.execute("SELECT id FROM participants WHERE email = 'p1@example.org'").fetchone()[0]
    assert response["participant_id"] == second
    assert response["team"] == "Finance" and json.loads(response["attributes"]) == {"site": "Utrecht"}


def test_small_team_is_not_stored_with_an_anonymous_response(client, database, pulse):
    round_id, tokens = open_round(database, pulse, people=3, team="Legal")
    client.get(f"/s/{tokens[0]}")
    for page_no in (0, 1):
        html = client.get("/survey").get_data(as_text=True)
        client.post("/survey", data={**page_fields(html), **answer_page(pulse, page_no), "action": "next"})
    assert database.execute("SELECT team FROM responses WHERE round_id = ?", [round_id]).fetchone()[0] is None


def test_one_respondents_answers_never_show_up_in_the_next_ones_page(app, database, pulse):
    """The server reuses a filled page form for the next POST (forms.posted_form): nothing may carry over."""
    _round_id, tokens = open_round(database, pulse)
    first, second = app.test_client(), app.test_client()
    for client, token in ((first, tokens[0]), (second, tokens[1])):
        client.get(f"/s/{token}")
    html = first.get("/survey").get_data(as_text=True)
    first.post("/survey", data={**page_fields(html), **answer_page(pulse, 0, 5), "action": "next"})
    html = second.get("/survey").get_data(as_text=True)
    skipped, *rest = pulse.blocks[0].items
    posted = {k: v for k, v in answer_page(pulse, 0, 2).items() if k != f"q_{skipped}"}
    second.post("/survey", data={**page_fields(html), **posted, "action": "back"})  # saved, stays on page 1
    drafts = [json.loads(r[0]) for r in database.execute("SELECT answers FROM drafts ORDER BY updated_on, rowid")]
    assert {tuple(sorted(d.items())) for d in drafts} == {
        tuple(sorted({iid: 5 for iid in pulse.blocks[0].items}.items())),
        tuple(sorted({iid: 2 for iid in rest}.items())),
    }
    page = second.get("/survey").get_data(as_text=True)
    checked = {(re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]+)"', tag).group(1))
               for tag in re.findall(r"<input[^>]*>", page) if " checked" in tag}
    assert checked == {(f"q_{iid}", "2") for iid in rest}


def test_back_keeps_answers_and_the_same_link_resumes_on_the_right_page(app, database, pulse):
    _round_id, tokens = open_round(database, pulse)
    first = app.test_client()
    first.get(f"/s/{tokens[0]}")
    html = first.get("/survey").get_data(as_text=True)
    first.post("/survey", data={**page_fields(html), **answer_page(pulse, 0, 5), "action": "next"})
    # A new browser (no cookies) with the same link lands on page 2.
    second = app.test_client()
    second.get(f"/s/{tokens[0]}")
    html = second.get("/survey").get_data(as_text=True)
    assert hidden(html, "page") == "1"
    second.post("/survey", data={**page_fields(html), "action": "back"})
    html = second.get("/survey").get_data(as_text=True)
    assert hidden(html, "page") == "0"
    first_item = pulse.blocks[0].items[0]
    assert re.search(rf'<input checked id="q_{first_item}-4" name="q_{first_item}" type="radio" value="5">', html)


def test_expired_session_and_csrf_keep_the_answers_and_ask_to_confirm(app, database, pulse):
    _round_id, tokens = open_round(database, pulse)
    client = app.test_client()
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    fields = page_fields(html)
    client.delete_cookie("session")  # the session (and with it the CSRF secret) has expired
    response = client.post("/survey", data={**fields, **answer_page(pulse, 0, 3), "action": "next"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="notice"' in text and hidden(text, "page") == "0"
    saved = json.loads(database.execute("SELECT answers FROM drafts").fetchone()[0])
    assert saved == {iid: 3 for iid in pulse.blocks[0].items}
    # Confirming with the fresh page moves on.
    confirm = client.post("/survey", data={**page_fields(text), **answer_page(pulse, 0, 3), "action": "next"})
    assert confirm.status_code == 303
    assert hidden(client.get("/survey").get_data(as_text=True), "page") == "1"


def test_forged_ticket_is_refused_without_storing(app, database, pulse):
    open_round(database, pulse)
    client = app.test_client()
    response = client.post("/survey", data={"ticket": "forged", "page": "0", **answer_page(pulse, 0)})
    assert response.status_code == 400
    assert database.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_completed_link_gets_a_friendly_page_and_no_second_response(client, database, pulse):
    round_id, tokens = open_round(database, pulse)
    client.get(f"/s/{tokens[0]}")
    for page_no in (0, 1):
        html = client.get("/survey").get_data(as_text=True)
        client.post("/survey", data={**page_fields(html), **answer_page(pulse, page_no), "action": "next"})
    again = client.get(f"/s/{tokens[0]}")
    assert again.status_code == 200 and b"/survey" not in again.data
    assert response_count(database, round_id) == 1


@pytest.mark.parametrize("mode", ["anonymous", "identified"])
def test_a_link_completes_once_even_when_two_tabs_finish_together(database, pulse, mode):
    """Both tabs passed the page checks; the single completing statement lets only one through."""
    round_id, tokens = open_round(database, pulse, mode=mode)
    participant = database.execute("SELECT min(id) FROM participants").fetchone()[0]
    answers = {iid: 3 for iid in pulse.items if pulse.items[iid].type == "likert"}
    first, second = (response_entry(pulse, round_id, answers, random_order=True) for _ in range(2))
    database.execute("INSERT INTO drafts (key, round_id, updated_on) VALUES ('tab', ?, '2026-11-23')", [round_id])

    def finish(entry):
        if mode == "identified":
            return complete_web_response(database, entry, participant_id=participant, draft_key="tab")
        return complete_anonymous_response(database, entry, done_marker=done_marker(tokens[0]), draft_key="tab")

    finish(first)
    with pytest.raises(AlreadyCompleted):
        finish(second)
    assert [r[0] for r in database.execute("SELECT id FROM responses")] == [first["id"]]
    assert database.execute("SELECT count(*) FROM answers WHERE response_id = ?", [second["id"]]).fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    flags = database.execute("SELECT responded, link_used FROM participants WHERE id = ?", [participant]).fetchone()
    assert flags == ((1, 1) if mode == "identified" else (0, 0))
    assert database.execute("SELECT count(*) FROM completed_links").fetchone()[0] == (mode == "anonymous")


def test_an_anonymous_round_cannot_be_completed_the_identified_way(database, pulse):
    """The database itself refuses to tie an anonymous response to a participant."""
    round_id, _tokens = open_round(database, pulse)
    participant = database.execute("SELECT min(id) FROM participants").fetchone()[0]
    entry = response_entry(pulse, round_id, {}, participant_id=participant)
    with pytest.raises(sqlite3.IntegrityError, match="anonymous"):
        complete_web_response(database, entry, participant_id=participant, draft_key="x")
    with pytest.raises(sqlite3.IntegrityError, match="names no participant"):
        insert_response(database, pulse, round_id, {}, participant_id=participant)
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    assert database.execute("SELECT sum(responded) FROM participants").fetchone()[0] == 0


@pytest.mark.parametrize("status, closes_at, kind", [
    ("closed", None, "closed"), ("open", "2000-01-01T00:00:00+00:00", "closed"), ("draft", None, "not_open")])
def test_closed_or_unopened_round_gets_a_friendly_page(client, database, pulse, status, closes_at, kind):
    round_id, tokens = open_round(database, pulse)
    database.execute("UPDATE rounds SET status = ?, closes_at = ? WHERE id = ?", [status, closes_at, round_id])
    response = client.get(f"/s/{tokens[0]}?lang=en")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("closed" in text) if kind == "closed" else ("not open yet" in text)


def test_required_question_left_empty_shows_the_message_and_keeps_other_answers(client, database, tmp_path):
    from toolkit.core.questionnaire import QUESTIONNAIRE_DIR, load_questionnaire

    source = (QUESTIONNAIRE_DIR / "pulse.toml").read_text(encoding="utf-8")
    path = tmp_path / "pulse_required.toml"
    path.write_text(source.replace("[[items]]\n", "[[items]]\nrequired = true\n", 1), encoding="utf-8")
    q = load_questionnaire(path)
    item_id = next(i.id for i in q.items.values() if i.required)
    _round_id, tokens = open_round(database, q)
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    data = {k: v for k, v in answer_page(q, 0).items() if k != f"q_{item_id}"}
    response = client.post("/survey", data={**page_fields(html), **data, "action": "next"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="q_{item_id}-error"' in text and hidden(text, "page") == "0"
    saved = json.loads(database.execute("SELECT answers FROM drafts").fetchone()[0])
    assert len(saved) == len(data) and item_id not in saved


def test_finishing_with_a_required_question_still_open_lists_it_with_a_link_back_and_keeps_the_last_page(
        client, database, tmp_path):
    from toolkit.core.questionnaire import QUESTIONNAIRE_DIR, load_questionnaire

    source = (QUESTIONNAIRE_DIR / "pulse.toml").read_text(encoding="utf-8")
    path = tmp_path / "pulse_required.toml"
    path.write_text(source.replace("[[items]]\n", "[[items]]\nrequired = true\n", 1), encoding="utf-8")
    q = load_questionnaire(path)
    round_id, tokens = open_round(database, q)
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    # The last page posted straight away (an old tab, a crafted request): page 1 of 2 is still open.
    response = client.post("/survey", data={**page_fields(html), "page": "1", **answer_page(q, 1, 3), "action": "next"})
    text = response.get_data(as_text=True)
    required = next(iid for iid in q.blocks[0].items if q.items[iid].required)
    assert response.status_code == 422 and 'id="unanswered"' in text
    assert f'href="/survey?page=0&amp;review=1#q_{required}"' in text
    assert response_count(database, round_id) == 0
    answers, page = database.execute("SELECT answers, page FROM drafts").fetchone()
    assert page == 1 and json.loads(answers) == {iid: 3 for iid in q.blocks[1].items}
    # The link back shows that page; "next" from there returns to the last page.
    back = client.get("/survey?page=0&review=1").get_data(as_text=True)
    assert 'name="review" value="1"' in back and hidden(back, "page") == "0"
    again = client.post("/survey", data={**page_fields(back), "review": "1", **answer_page(q, 0, 4), "action": "next"})
    assert again.status_code == 303 and database.execute("SELECT page FROM drafts").fetchone()[0] == 1


@pytest.mark.parametrize("value", ["9", "0", "abc", "3.0"])
def test_an_answer_outside_the_scale_is_refused_and_never_stored(client, database, pulse, value):
    _round_id, tokens = open_round(database, pulse)
    client.get(f"/s/{tokens[0]}?lang=en")
    html = client.get("/survey").get_data(as_text=True)
    first, *rest = pulse.blocks[0].items
    data = {**answer_page(pulse, 0, 4), f"q_{first}": value}
    response = client.post("/survey", data={**page_fields(html), **data, "action": "next"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="q_{first}-error"' in text
    saved = json.loads(database.execute("SELECT answers FROM drafts").fetchone()[0])
    assert first not in saved and saved == {iid: 4 for iid in rest}


def test_dutch_and_english_pages(client, database, pulse):
    _round_id, tokens = open_round(database, pulse, language="participant")  # participants are 'en'
    client.get(f"/s/{tokens[0]}")
    assert pulse.blocks[0].title["en"] in client.get("/survey").get_data(as_text=True)
    assert pulse.blocks[0].title["nl"] in client.get("/survey?lang=nl").get_data(as_text=True)


def test_next_on_an_empty_page_asks_once_then_lets_the_respondent_skip(client, database):
    q = get_questionnaire("default")
    _round_id, tokens = open_round(database, q, language="en")
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    asked = client.post("/survey", data={**page_fields(html), "action": "next"})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "You have not answered any question on this page" in text
    assert hidden(text, "page") == "0" and database.execute("SELECT page FROM drafts").fetchone()[0] == 0
    skipped = client.post("/survey", data={**page_fields(text), "action": "next"})
    assert skipped.status_code == 303 and database.execute("SELECT page FROM drafts").fetchone()[0] == 1
    html = client.get("/survey").get_data(as_text=True)
    again = client.post("/survey", data={**page_fields(html), "action": "next"})  # asked once, not on every page
    assert again.status_code == 303 and database.execute("SELECT page FROM drafts").fetchone()[0] == 2


def test_a_round_share_decides_how_many_answers_a_response_needs(client, database, pulse):
    closed = [iid for iid, item in pulse.items.items() if item.type in ("likert", "single", "multi")]
    _round_id, tokens = open_round(database, pulse, language="en")
    database.execute("UPDATE rounds SET min_answered_share = 0.5")
    client.get(f"/s/{tokens[0]}")
    html = client.get("/survey").get_data(as_text=True)
    first = pulse.blocks[0].items
    few = {f"q_{iid}": "4" for iid in first[: len(closed) // 2 - 1]}
    client.post("/survey", data={**page_fields(html), **few, "action": "next"})
    html = client.get("/survey").get_data(as_text=True)
    refused = client.post("/survey", data={**page_fields(html), "action": "next"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Your answers cannot be sent yet" in text
    assert text.count("(needed)") == len(closed) - len(few)  # every open closed question helps
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    enough = {f"q_{iid}": "4" for iid in pulse.blocks[1].items if pulse.items[iid].type == "likert"}
    done = client.post("/survey", data={**page_fields(text), **enough, "action": "next"})
    assert done.status_code == 303 and done.headers["Location"] == "/survey/thanks"
