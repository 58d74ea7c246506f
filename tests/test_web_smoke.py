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


def test_an_upload_over_the_limit_gets_the_friendly_413_page_naming_the_file_limit(client, database, app, default_q):
    from toolkit.core.problems import MAX_FILE_BYTES
    from toolkit.data.rounds import create_round

    round_id = create_round(database, default_q, "Upload limit")
    login(client, make_users(database)["hr"][1])
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/rounds/{round_id}/participants", data=too_big, content_type="application/octet-stream")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert f"Files up to {MAX_FILE_BYTES // 2**20} MB can be uploaded." in text  # the file's limit, not the request's
    assert "Traceback" not in text
