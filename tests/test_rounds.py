"""HR side of a round: create with Amsterdam times, open/close/reopen, response rates, participant
import with preview and confirm, exports."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from conftest import login, make_users

from toolkit.data.rounds import create_round, get_round
from toolkit.services.participants import import_participants


@pytest.fixture
def hr(client, database):
    users = make_users(database)
    login(client, users["hr"][1])
    return users


@pytest.fixture
def round_id(database, default_q):
    return create_round(database, default_q, "Spring round")


def test_create_round_stores_amsterdam_times_as_utc_and_all_settings(client, database, hr):
    response = client.post("/rounds/new", data={
        "questionnaire": "pulse", "title": "Pulse June", "language": "participant", "mode": "identified",
        "opens_at": "2030-06-02T09:00", "closes_at": "2030-06-16T17:30", "reminder_days": "5, 3",
        "min_group": "7", "works_council_date": "2030-05-20", "works_council_ref": "OR-2030-14",
        "retention_days": "365",
    })
    assert response.status_code == 302
    round_ = next(database.query("SELECT * FROM rounds WHERE title = 'Pulse June'"))
    assert round_["opens_at"] == "2030-06-02T07:00:00+00:00"  # CEST is UTC+2
    assert round_["closes_at"] == "2030-06-16T15:30:00+00:00"
    assert (round_["language"], round_["mode"], round_["min_group"]) == ("participant", "identified", 7)
    assert round_["reminder_days"] == "[3, 5]" and round_["retention_days"] == 365
    assert (round_["works_council_date"], round_["works_council_ref"]) == ("2030-05-20", "OR-2030-14")
    page = client.get(response.headers["Location"] + "?lang=nl").get_data(as_text=True)  # 24-hour clock
    facts = page[page.find("<dl"):page.find("</dl>", page.find("</dl>") + 5)]
    assert "OR-2030-14" in facts and "09:00" in facts, facts  # shown back in Amsterdam time


def test_create_round_defaults_to_anonymous_and_refuses_close_before_open(client, database, hr):
    response = client.post("/rounds/new", data={
        "questionnaire": "pulse", "title": "Bad dates", "language": "nl", "opens_at": "2030-06-02T09:00",
        "closes_at": "2030-06-01T09:00", "reminder_days": "3,5", "min_group": "5", "retention_days": "730"})
    assert response.status_code == 200 and b"close after it opens" in response.data
    assert database.execute("SELECT count(*) FROM rounds").fetchone()[0] == 0
    client.get("/rounds/new")  # the default choice is anonymous
    assert 'checked id="mode-0"' in client.get("/rounds/new").get_data(as_text=True)


def test_round_opens_only_with_a_works_council_record_then_closes_and_reopens(client, database, hr, round_id):
    client.post(f"/rounds/{round_id}/open")
    assert get_round(database, round_id)["status"] == "draft"
    database.execute("UPDATE rounds SET works_council_date = '2030-01-10', works_council_ref = 'OR-7' WHERE id = ?",
                     [round_id])
    client.post(f"/rounds/{round_id}/open")
    assert get_round(database, round_id)["status"] == "open"
    client.post(f"/rounds/{round_id}/close")
    assert get_round(database, round_id)["status"] == "closed"
    client.post(f"/rounds/{round_id}/reopen")
    assert get_round(database, round_id)["status"] == "open"
    assert "OR-7" in client.get(f"/rounds/{round_id}").get_data(as_text=True)


def test_status_changes_need_hr(client, database, round_id):
    users = make_users(database)
    login(client, users["change_manager"][1])
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, users["change_manager"][0]])
    assert client.post(f"/rounds/{round_id}/close").status_code == 403
    assert get_round(database, round_id)["status"] == "draft"


def test_response_rate_per_team_hides_teams_under_the_minimum(client, database, hr, round_id, default_q):
    from toolkit.data.responses import insert_response

    rows = ([{"email": f"f{i}@x.org", "team": "Finance"} for i in range(8)]
            + [{"email": f"i{i}@x.org", "team": "IT"} for i in range(6)]
            + [{"email": f"l{i}@x.org", "team": "Legal"} for i in range(2)]
            + [{"email": f"h{i}@x.org", "team": "HRM"} for i in range(3)])
    import_participants(database, round_id, [{**r, "row": n, "name": "", "language": "nl", "attributes": {}}
                                             for n, r in enumerate(rows, 2)], "test-secret")
    # Per-team response rates exist in identified rounds only: there the participant carries the flag.
    database.execute("UPDATE rounds SET mode = 'identified' WHERE id = ?", [round_id])
    database.execute("UPDATE participants SET responded = 1 WHERE email IN ('f0@x.org', 'f1@x.org', 'l0@x.org')")
    for _ in range(3):  # the three answered online: their responses
        insert_response(database, default_q, round_id, {"rdy_app_1": 4})
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert re.search(r"<td>Finance</td><td class=\"num\">8</td><td class=\"num\">2</td><td class=\"num\">25%</td>", page)
    assert "<td>IT</td>" in page
    assert "<td>Legal</td>" not in page and "<td>HRM</td>" not in page
    assert "2 teams with fewer than 5 people" in page or "2 teams met minder dan 5" in page
    assert "16%" in page  # 3 of 19 overall
    # An anonymous round has no response status per person, so the table counts only the invited.
    database.execute("UPDATE rounds SET mode = 'anonymous' WHERE id = ?", [round_id])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert re.search(r"<td>Finance</td><td class=\"num\">8</td></tr>", page) and "Responded" not in page
    assert "<td>Legal</td>" not in page and "2 teams with fewer than 5 people" in page


def test_participant_upload_shows_preview_and_stores_only_after_confirm(client, database, hr, round_id):
    data = "email;naam;team;taal\nanna@example.org;Anna;Finance;en\nbob@example.org;Bob;IT;nl\n".encode("cp1252")
    response = client.post(f"/rounds/{round_id}/participants", data={"file": (io.BytesIO(data), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "anna@example.org" in preview and "bob@example.org" in preview
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 0
    confirm = client.post(response.headers["Location"])
    assert confirm.status_code == 302
    assert database.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0] == 2
    assert database.execute("SELECT count(*) FROM participant_uploads").fetchone()[0] == 0
    # Confirming twice does not import twice.
    assert client.post(response.headers["Location"]).status_code == 404


def test_participant_upload_with_errors_lists_them_and_stores_nothing(client, database, hr, round_id):
    data = b"email,language\nok@example.org,nl\nnot-an-email,nl\nok@example.org,xx\n"
    response = client.post(f"/rounds/{round_id}/participants", data={"file": (io.BytesIO(data), "people.csv")},
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 3, column &#39;email&#39;: &#39;not-an-email&#39; is not a valid e-mail address" in text
    assert "row 4, column &#39;email&#39;: &#39;ok@example.org&#39; is a duplicate of row 2" in text
    assert "row 4, column &#39;language&#39;: unknown language &#39;xx&#39;" in text
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM participant_uploads").fetchone()[0] == 0


def test_export_of_anonymous_round_has_no_participant_data(client, database, hr, default_q):
    from conftest import make_round_with_responses

    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=12)
    import_participants(database, round_id, [{"row": 2, "email": "secret@example.org", "name": "Secret",
                                              "team": "T", "language": "nl", "attributes": {}}], "k")
    csv_response = client.get(f"/rounds/{round_id}/answers.csv")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    text = csv_response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("mot_")  # no response id, no day: nothing to match rows by
    assert "secret@example.org" not in text and "email" not in text.splitlines()[0]
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == 13
    xlsx = client.get(f"/rounds/{round_id}/answers.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 13 and sheet.cell(1, 1).value.startswith("mot_")


def test_export_is_refused_below_the_minimum_group(client, database, hr, default_q):
    from conftest import make_round_with_responses

    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=3)
    response = client.get(f"/rounds/{round_id}/answers.csv")
    assert response.status_code == 302
    assert b"at least 5" in client.get(response.headers["Location"]).data


def test_close_now_tells_the_change_managers_like_the_scheduled_close(client, database, hr, round_id):
    users = hr
    database.execute("UPDATE rounds SET status = 'open', works_council_date = '2030-01-10', works_council_ref = 'OR-7' "
                     "WHERE id = ?", [round_id])
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, users["change_manager"][0]])
    client.post(f"/rounds/{round_id}/close")
    assert get_round(database, round_id)["status"] == "closed"
    messages = list(database.query("SELECT kind, recipient FROM outbox WHERE round_id = ?", [round_id]))
    assert messages == [{"kind": "personas_ready", "recipient": users["change_manager"][1]}]
    client.post(f"/rounds/{round_id}/reopen")
    client.post(f"/rounds/{round_id}/close")  # closing again does not tell them twice
    assert database.execute("SELECT count(*) FROM outbox WHERE round_id = ?", [round_id]).fetchone()[0] == 1
