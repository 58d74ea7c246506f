"""Attacks that hit survey tools in practice: forged posts, open redirects, guessed links,
password guessing, stolen or forgotten sessions, framing, and stack traces shown to users."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from conftest import make_users

PASSWORD = "correct-horse-1"
LONG_SECRET = "test-secret-of-at-least-32-characters"


def _csrf_app(**config):
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})


def _token_from(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def _login_with_csrf(client, email, password=PASSWORD, next_=None):
    url = "/login" + (f"?next={next_}" if next_ else "")
    token = _token_from(client.get(url).data)
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


# --- forged requests ----------------------------------------------------------------------


def test_forged_post_without_csrf_token_is_rejected_and_changes_nothing(database, default_q):
    users = make_users(database)
    app = _csrf_app()
    client = app.test_client()
    assert _login_with_csrf(client, users["hr"][1]).status_code == 302
    before = database.execute("SELECT count(*) FROM rounds").fetchone()[0]
    response = client.post("/rounds/new", data={"questionnaire": "default", "title": "Forged", "mode": "anonymous",
                                               "language": "nl", "min_group": "5"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert database.execute("SELECT count(*) FROM rounds").fetchone()[0] == before


def test_forged_admin_post_cannot_create_an_account_or_change_a_role(database):
    users = make_users(database)
    client = _csrf_app().test_client()
    assert _login_with_csrf(client, users["admin"][1]).status_code == 302
    forged = client.post("/admin/users", data={"email": "evil@test.example", "name": "Evil", "role": "admin",
                                               "language": "nl"})
    assert forged.status_code == 400
    assert client.post(f"/admin/users/{users['trainer'][0]}/role", data={"role": "admin"}).status_code == 400
    assert database.execute("SELECT count(*) FROM users WHERE email = 'evil@test.example'").fetchone()[0] == 0
    assert database.execute("SELECT role FROM users WHERE id = ?", [users["trainer"][0]]).fetchone()[0] == "trainer"


def test_login_itself_needs_the_csrf_token(database):
    users = make_users(database)
    client = _csrf_app().test_client()
    response = client.post("/login", data={"email": users["hr"][1], "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/rounds/").status_code == 302  # still not logged in


def test_a_real_form_with_its_token_is_accepted(database):
    users = make_users(database)
    client = _csrf_app().test_client()
    _login_with_csrf(client, users["admin"][1])
    token = _token_from(client.get("/admin/users").data)
    response = client.post("/admin/users", data={"email": "new@test.example", "name": "New", "role": "trainer",
                                                 "language": "en", "csrf_token": token})
    assert response.status_code == 200 and "shown only once" in response.get_data(as_text=True)


# --- redirects ------------------------------------------------------------------------------


OFF_SITE = ("https://evil.example/phish", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
            "http:/evil.example", "javascript:alert(1)", "%2F%2Fevil.example", "///evil.example")


def test_login_never_redirects_off_site(app, database):
    users = make_users(database)
    for target in OFF_SITE:
        client = app.test_client()
        response = client.post("/login", query_string={"next": target},
                               data={"email": users["hr"][1], "password": PASSWORD})
        assert response.status_code == 302, target
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.path == "/", target


def test_login_follows_next_to_our_own_page(client, database):
    users = make_users(database)
    response = client.post("/login?next=/admin/audit", data={"email": users["admin"][1], "password": PASSWORD})
    assert response.headers["Location"] == "/admin/audit"


# --- headers, cookies, sessions ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/no/such/page", "/rounds/", "/s/" + "x" * 43])
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_cookies_are_secure_and_httponly_when_served_over_https(database):
    users = make_users(database)
    app = _csrf_app(PUBLIC_BASE_URL="https://toolkit.example.org", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    response = client.post("/login", base_url="https://toolkit.example.org",
                           data={"email": users["hr"][1], "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_ends_within_eight_hours(client, database):
    from email.utils import parsedate_to_datetime

    users = make_users(database)
    response = client.post("/login", data={"email": users["hr"][1], "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert 0 < expires.timestamp() - time.time() <= 8 * 3600 + 5


def test_an_idle_session_is_logged_out_and_sent_back_to_login(app, database):
    users = make_users(database)
    app.config["SESSION_IDLE_MINUTES"] = 0.5 / 60  # half a second
    client = app.test_client()
    client.post("/login", data={"email": users["hr"][1], "password": PASSWORD})
    assert client.get("/rounds/").status_code == 200
    time.sleep(0.7)
    response = client.get("/rounds/")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert client.get("/rounds/").status_code == 302  # really logged out, not just redirected once


def test_login_attempts_are_rate_limited_even_with_the_right_password_afterwards(client, database):
    users = make_users(database)
    for _ in range(10):
        assert client.post("/login", data={"email": users["hr"][1], "password": "wrong-password"}).status_code == 200
    blocked = client.post("/login", data={"email": users["hr"][1], "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/rounds/").status_code == 302
    # another account from elsewhere is not affected
    other = client.post("/login", data={"email": users["admin"][1], "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_errors_show_a_friendly_page_never_a_traceback(database, tmp_path):
    from toolkit import create_app

    app = create_app({"SECRET_KEY": LONG_SECRET, "WTF_CSRF_ENABLED": False,
                      "DATABASE": str(tmp_path / "missing-folder" / "toolkit.db")})
    response = app.test_client().post("/login", data={"email": "a@b.example", "password": "whatever-123"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Traceback" not in body and "missing-folder" not in body

    app = create_app({"SECRET_KEY": LONG_SECRET})
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Traceback" not in body and "ZeroDivisionError" not in body
    assert "Something went wrong" in body


# --- guessed respondent links ------------------------------------------------------------------


@pytest.fixture
def open_round_with_link(database, default_q):
    """An open round with one invited participant; returns that participant's link token."""
    from toolkit.core import tokens
    from toolkit.data.rounds import create_round
    from toolkit.services import participants

    round_id = create_round(database, default_q, "Open round")
    database.execute("UPDATE rounds SET status = 'open', works_council_date = '2026-01-05', "
                     "works_council_ref = 'OR-2026-01' WHERE id = ?", [round_id])
    participants.import_participants(database, round_id, [{"row": 2, "email": "anna@test.example", "name": "Anna"}],
                                     "test-secret")
    row = dict(zip(("id", "round_id", "token_salt"), database.execute(
        "SELECT id, round_id, token_salt FROM participants WHERE round_id = ?", [round_id]).fetchone(), strict=True))
    return tokens.participant_token("test-secret", row)


def test_a_thousand_wrong_links_look_like_unknown_pages_then_get_429_and_a_valid_link_works_elsewhere(
    app, open_round_with_link
):
    import secrets

    limit = app.config["TOKEN_GUESS_LIMIT"]
    client = app.test_client()
    unknown = client.get("/no/such/page")
    statuses, bodies, retry_after = [], set(), set()
    for _ in range(1000):
        response = client.get(f"/s/{secrets.token_urlsafe(32)}")
        statuses.append(response.status_code)
        if response.status_code == 404:
            bodies.add(response.data)
        else:
            retry_after.add(int(response.headers["Retry-After"]))
    # below the limit every miss cannot be told apart from any unknown URL; past it, 429 at once
    assert statuses == [404] * limit + [429] * (1000 - limit)
    assert bodies == {unknown.data}
    assert all(0 < seconds <= app.config["TOKEN_GUESS_WINDOW"] for seconds in retry_after)
    assert "Too many attempts" in client.get(f"/s/{secrets.token_urlsafe(32)}").get_data(as_text=True)
    # the guessing address is refused even a valid link (it is not looked up at all) ...
    assert client.get(f"/s/{open_round_with_link}").status_code == 429
    # ... while the invited participant, from their own address, gets in
    other = app.test_client()
    response = other.get(f"/s/{open_round_with_link}", environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/survey/welcome"
    assert other.get("/survey", environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 200


def test_a_respondent_session_opens_no_staff_page(app, open_round_with_link):
    client = app.test_client()
    client.get(f"/s/{open_round_with_link}")
    for path in ("/rounds/", "/admin/users", "/admin/audit", "/rounds/1", "/rounds/1/personas"):
        response = client.get(path)
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login", path


# --- audit trail ------------------------------------------------------------------------------


def test_views_and_downloads_are_audited_once_each(client, database, default_q):
    from conftest import make_round_with_responses

    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=12)
    client.post("/login", data={"email": users["hr"][1], "password": PASSWORD})
    assert client.get(f"/rounds/{round_id}").status_code == 200
    assert client.get(f"/rounds/{round_id}/answers.csv").status_code == 200
    client.get("/rounds/")  # a list of rounds is not a look at one round's data
    rows = database.execute("SELECT user_id, action, object, detail FROM audit WHERE user_id = ? "
                            "AND action IN ('view', 'export') ORDER BY id", [users["hr"][0]]).fetchall()
    assert [(r[1], r[2]) for r in rows] == [("view", f"round {round_id}"), ("export", f"round {round_id}")]
    assert "answers.csv" in rows[1][3]
