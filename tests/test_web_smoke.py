from conftest import login, make_users


def test_login_page_and_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"<form" in response.data
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_home_requires_login(client):
    assert client.get("/rounds/").status_code == 302


def test_wrong_password_is_refused_and_right_one_logs_in(client, database):
    users = make_users(database)
    assert b"not correct" in login(client, users["hr"][1], "wrong-password").data
    response = login(client, users["hr"][1])
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/rounds/").status_code == 200


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Traceback" not in response.data
