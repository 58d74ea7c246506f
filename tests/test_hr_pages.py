"""What HR sees around a round: the warning when the scheduler is not checking in, confirmation
pages before irreversible actions, the teams table, the questionnaire preview and print view,
and a refusal page that says whom to ask."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import login, make_users
from test_mail import SmtpSink, settings_for

from toolkit.data.db import utcnow
from toolkit.data.heartbeat import STALE_AFTER, record_heartbeat, scheduler_status
from toolkit.data.rounds import create_round
from toolkit.jobs.scheduler import dispatch


@pytest.fixture
def users(database):
    return make_users(database)


@pytest.fixture
def hr(client, users):
    login(client, users["hr"][1])
    return client


@pytest.fixture
def round_id(database, default_q):
    return create_round(database, default_q, "Spring round")


WARNING = 'id="scheduler-warning"'


# --- the scheduler's heartbeat ------------------------------------------------------------------


def test_a_scheduler_pass_writes_the_heartbeat(database):
    assert scheduler_status(database, utcnow()).last is None
    now = utcnow()
    with SmtpSink() as sink:
        dispatch(database, settings_for(sink), now)
    status = scheduler_status(database, now + dt.timedelta(minutes=1))
    assert status.running and status.last == now and status.minutes_silent == 1


def test_every_hr_page_warns_while_the_scheduler_has_never_run_or_is_silent(hr, database, round_id):
    for url in ("/", "/rounds/", f"/rounds/{round_id}", f"/rounds/{round_id}/mail"):
        html = hr.get(url).get_data(as_text=True)
        assert WARNING in html and "has never run" in html, url
    record_heartbeat(database, utcnow() - STALE_AFTER - dt.timedelta(minutes=7))
    html = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    warning = html[html.index(WARNING):html.index("</div>", html.index(WARNING))]
    assert "12 minutes ago" in warning and "Mail is not going out." in warning
    assert "persona-toolkit scheduler" in warning


def test_no_warning_while_the_scheduler_checks_in(hr, database, round_id):
    record_heartbeat(database, utcnow() - dt.timedelta(minutes=2))
    for url in ("/", f"/rounds/{round_id}", f"/rounds/{round_id}/mail"):
        assert WARNING not in hr.get(url).get_data(as_text=True), url
    assert "it last checked in at" in hr.get(f"/rounds/{round_id}/mail").get_data(as_text=True)


def test_the_warning_is_for_hr_only(app, users, database):
    client = app.test_client()
    login(client, users["change_manager"][1])
    assert WARNING not in client.get("/").get_data(as_text=True)
    assert WARNING not in app.test_client().get("/login").get_data(as_text=True)


# --- confirmation before what cannot be undone ----------------------------------------------------


def add_participant(db, round_id, email="anne@example.org") -> int:
    db.execute("INSERT INTO participants (round_id, email, name, team) VALUES (?, ?, 'Anne', 'IT')", [round_id, email])
    return db.execute("SELECT id FROM participants WHERE email = ?", [email]).fetchone()[0]


def test_deleting_a_participant_asks_for_confirmation_first(hr, database, round_id):
    pid = add_participant(database, round_id)
    listing = hr.get(f"/admin/rounds/{round_id}/participants?q=anne").get_data(as_text=True)
    delete_url = f"/admin/rounds/{round_id}/participants/{pid}/delete"
    assert f'<form method="post" action="{delete_url}' not in listing  # no one-click delete on the list
    assert f'href="{delete_url}?q=anne"' in listing
    confirm = hr.get(f"{delete_url}?q=anne")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Delete the data of Anne?" in html and "This cannot be undone." in html
    assert f'<form method="post" action="{delete_url}"' in html and "Yes, delete this data" in html
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 1  # looking deleted nothing
    done = hr.post(delete_url, data={"q": "anne"})
    assert done.status_code == 302 and done.headers["Location"].endswith("participants?q=anne")
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 0


def test_closing_and_removing_access_ask_for_confirmation_first(hr, database, round_id, users):
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert f'action="/rounds/{round_id}/close"' not in page and f'href="/rounds/{round_id}/close"' in page
    confirm = hr.get(f"/rounds/{round_id}/close").get_data(as_text=True)
    assert "Close “Spring round” now?" in confirm and "published all at once" in confirm
    assert database.execute("SELECT status FROM rounds WHERE id = ?", [round_id]).fetchone()[0] == "open"
    assert hr.post(f"/rounds/{round_id}/close").status_code == 302
    assert database.execute("SELECT status FROM rounds WHERE id = ?", [round_id]).fetchone()[0] == "closed"

    trainer = users["trainer"][0]
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, trainer])
    access = hr.get(f"/admin/rounds/{round_id}/access").get_data(as_text=True)
    assert f'href="/admin/rounds/{round_id}/access/{trainer}/revoke"' in access and "<form method=\"post\" action=\"/admin/rounds/" not in access
    confirm = hr.get(f"/admin/rounds/{round_id}/access/{trainer}/revoke").get_data(as_text=True)
    assert "Remove the access of Trainer?" in confirm
    assert database.execute("SELECT count(*) FROM round_access").fetchone()[0] == 1
    hr.post(f"/admin/rounds/{round_id}/access/{trainer}/revoke")
    assert database.execute("SELECT count(*) FROM round_access").fetchone()[0] == 0


# --- the teams table ----------------------------------------------------------------------------


def invite(db, round_id, sizes: dict[str, int]) -> None:
    for team, n in sizes.items():
        for i in range(n):
            db.execute("INSERT INTO participants (round_id, email, team) VALUES (?, ?, ?)",
                       [round_id, f"{team}{i}@example.org", team])


def test_a_team_of_exactly_five_is_not_listed_under_fewer_than_five(hr, database, round_id):
    invite(database, round_id, {"Finance": 5, "Sales": 20})
    html = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "<td>Finance</td><td class=\"num\">5</td>" in html and 'id="hidden-teams"' not in html
    # Beside a team of 3 the team of 5 is hidden too (else 3 = total - shown), but not as "fewer than 5"
    invite(database, round_id, {"Legal": 3})
    html = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    row = re.search(r'<tr id="hidden-teams"><td>(.*?)</td>\s*<td class="num">(\d+)</td>', html, re.S)
    assert row.group(1) == ("1 team with fewer than 5 people; "
                            "1 team not shown so that a smaller one cannot be worked out")
    assert row.group(2) == "8" and "Finance" not in html and "<td>Sales</td>" in html


# --- questionnaire preview and print ------------------------------------------------------------


def test_the_preview_shows_every_page_read_only_in_each_language(hr, database, round_id, default_q):
    html = hr.get(f"/rounds/{round_id}/questionnaire/en").get_data(as_text=True)
    for block in default_q.blocks:
        assert block.title["en"] in html
    item = default_q.items[default_q.blocks[0].items[0]]
    assert item.text["en"] in html
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', html)
    assert radios and all("disabled" in r for r in radios)
    assert "<form" not in html[html.index('class="preview-q"'):]  # nothing here posts answers
    assert "Your answers are anonymous" in html  # the welcome page comes first
    dutch = hr.get(f"/rounds/{round_id}/questionnaire/nl").get_data(as_text=True)
    assert item.text["nl"] in dutch and 'lang="nl"' in dutch
    assert hr.get(f"/rounds/{round_id}/questionnaire/de").status_code == 404


def test_the_print_view_names_the_exact_version_for_the_works_council(hr, database, round_id, default_q):
    html = hr.get(f"/rounds/{round_id}/questionnaire/nl/print?lang=nl").get_data(as_text=True)
    assert '<header class="top">' not in html  # no menus on paper
    assert default_q.file_hash[:16] in html and "53 vragen op 7 pagina’s, ongeveer 15 minuten" in html
    assert 'data-print hidden' in html and "<script>" not in html  # the print button is a static script
    assert "@media print" in hr.get("/static/style.css").get_data(as_text=True)


def test_questionnaires_can_be_previewed_from_the_new_round_page(hr):
    html = hr.get("/rounds/new").get_data(as_text=True)
    links = re.findall(r'href="(/questionnaires/[^"]+/preview/[a-z]+)"', html)
    assert "/questionnaires/default/preview/en" in links and "/questionnaires/pulse/preview/en" in links
    for link in links:
        page = hr.get(link)
        assert page.status_code == 200 and 'class="preview-q"' in page.get_data(as_text=True)
    assert hr.get("/questionnaires/default/preview/en/print").status_code == 200
    assert hr.get("/questionnaires/nothing/preview/en").status_code == 404


# --- refusals that say whom to ask --------------------------------------------------------------


def test_a_refused_page_says_whom_to_ask(app, users, database, round_id):
    client = app.test_client()
    login(client, users["hr"][1])
    audit = client.get("/admin/audit")
    assert audit.status_code == 403
    text = audit.get_data(as_text=True)
    assert "Ask HR" not in text and "administrator" in text
    login(manager := app.test_client(), users["change_manager"][1])
    refused = manager.get(f"/rounds/{round_id}")
    assert refused.status_code == 403 and "Ask HR to give you access" in refused.get_data(as_text=True)


def test_the_round_page_links_to_the_mail_page_and_the_preview(hr, round_id):
    html = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert f'href="/rounds/{round_id}/mail"' in html and f'href="/rounds/{round_id}/questionnaire/nl"' in html
    assert "Mail goes out only while the scheduler runs" in html


def test_the_privacy_contact_is_entered_with_the_works_council_record(hr, app, database, round_id):
    app.config["PRIVACY_CONTACT"] = "privacy@organisatie.example"
    form = hr.get(f"/admin/rounds/{round_id}/privacy").get_data(as_text=True)
    assert "the instance’s contact is shown: privacy@organisatie.example" in form
    response = hr.post(f"/admin/rounds/{round_id}/privacy", data={
        "works_council_date": "2026-03-01", "works_council_ref": "OR-7", "retention_days": "365",
        "privacy_contact": "  Mira de Boer,   privacy@example.org "})
    assert response.status_code == 302
    assert database.execute("SELECT privacy_contact FROM rounds WHERE id = ?", [round_id]).fetchone()[0] == (
        "Mira de Boer, privacy@example.org")
    assert database.execute("SELECT count(*) FROM audit WHERE detail = 'privacy contact'").fetchone()[0] == 1
