"""Guessing passwords is limited without letting anyone lock a colleague out, failed logins are
audited, logins take as long for unknown accounts as for known ones, and a session can be
ended from the server (logout, password reset, role change, disabling)."""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlsplit

import pytest
from conftest import login, make_users

from toolkit.data import ratelimit

PASSWORD = "correct-horse-1"
PROXY = "10.0.0.1"  # the reverse proxy every request arrives from
ATTACKER = "203.0.113.7"


@pytest.fixture
def proxied_app(database, instance):
    """The app behind one trusted reverse proxy (TRUSTED_PROXIES = 1)."""
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                       "TRUSTED_PROXIES": 1})


def post_login(client, email, password, client_address, claimed=None):
    """A login POST through the proxy: it appends the real client address to X-Forwarded-For."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": PROXY}, headers={"X-Forwarded-For": forwarded})


def test_fifty_wrong_logins_from_one_address_do_not_stop_others_behind_the_proxy(proxied_app, database):
    users = make_users(database)
    targets = [users["hr"][1], users["admin"][1], "nobody-1@test.example", "nobody-2@test.example",
               "nobody-3@test.example"]
    attacker = proxied_app.test_client()
    codes = [post_login(attacker, targets[i // 10], "wrong-password", ATTACKER).status_code for i in range(50)]
    assert codes == [200] * 50  # 10 per account: each (account, address) pair at its limit, not over
    # the attacker is now refused everything, whatever address it claims further left
    assert post_login(attacker, users["hr"][1], PASSWORD, ATTACKER).status_code == 429
    assert post_login(attacker, users["trainer"][1], PASSWORD, ATTACKER, claimed="198.51.100.10").status_code == 429
    # the owners, from their own addresses behind the same proxy, log in at once
    for role, address in (("hr", "198.51.100.10"), ("admin", "198.51.100.11")):
        client = proxied_app.test_client()
        response = post_login(client, users[role][1], PASSWORD, address)
        assert response.status_code == 302, role
        assert client.get("/rounds/", environ_base={"REMOTE_ADDR": PROXY},
                          headers={"X-Forwarded-For": address}).status_code == 200


def test_a_refusal_says_when_to_try_again(proxied_app, database):
    users = make_users(database)
    client = proxied_app.test_client()
    for _ in range(ratelimit.LOGIN_PAIR_LIMIT):
        post_login(client, users["hr"][1], "wrong-password", ATTACKER)
    refused = post_login(client, users["hr"][1], PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= ratelimit.LOGIN_WINDOW


def test_an_account_attacked_from_many_addresses_still_opens_for_its_owner(proxied_app, database):
    users = make_users(database)
    hr = users["hr"][1]
    for i in range(ratelimit.LOGIN_ACCOUNT_LIMIT):
        assert post_login(proxied_app.test_client(), hr, "wrong-password", f"203.0.113.{i + 1}").status_code == 200
    # an address that already failed on the account gets no further try ...
    assert post_login(proxied_app.test_client(), hr, PASSWORD, "203.0.113.1").status_code == 429
    # ... the owner's address, which never failed, does
    assert post_login(proxied_app.test_client(), hr, PASSWORD, "198.51.100.20").status_code == 302


def test_successful_logins_count_for_nothing(proxied_app, database):
    users = make_users(database)
    for _ in range(ratelimit.LOGIN_ADDRESS_LIMIT + 10):  # everyone behind one office address
        assert post_login(proxied_app.test_client(), users["hr"][1], PASSWORD, "198.51.100.30").status_code == 302
    assert database.execute("SELECT count(*) FROM rate_limits").fetchone()[0] == 0


def test_a_failed_login_is_audited_with_email_and_address_never_the_password(proxied_app, database):
    users = make_users(database)
    client = proxied_app.test_client()
    post_login(client, users["hr"][1], "Secret-Guess-42", ATTACKER)
    post_login(client, "nobody@test.example", "Other-Guess-43", ATTACKER)
    rows = database.execute("SELECT user_id, action, object, detail FROM audit WHERE action = 'login-failed' "
                            "ORDER BY id").fetchall()
    assert rows == [(None, "login-failed", f"user {users['hr'][0]}", f"{users['hr'][1]} from {ATTACKER}"),
                    (None, "login-failed", "unknown account", f"nobody@test.example from {ATTACKER}")]
    dump = "\n".join(database.conn.iterdump())
    assert "Secret-Guess-42" not in dump and "Other-Guess-43" not in dump


def test_checking_a_password_takes_as_long_for_unknown_and_disabled_accounts(database):
    """Each login costs one password-hash check, whether the account exists, is disabled or not.

    Measured against one check of a stored hash, interleaved so that other work on the machine
    slows every kind alike (before: a known account cost three checks, an unknown one two).
    """
    from werkzeug.security import check_password_hash

    from toolkit.data.accounts import authenticate, set_active

    users = make_users(database)
    set_active(database, users["trainer"][0], False)
    stored = database.execute("SELECT password_hash FROM users WHERE id = ?", [users["hr"][0]]).fetchone()[0]
    kinds = {
        "one check": lambda: check_password_hash(stored, "wrong-password"),
        "known, wrong password": lambda: authenticate(database, users["hr"][1], "wrong-password"),
        "unknown account": lambda: authenticate(database, "nobody@test.example", PASSWORD),
        "disabled, right password": lambda: authenticate(database, users["trainer"][1], PASSWORD),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(9):
        for kind, call in kinds.items():
            started = time.perf_counter()
            call()
            times[kind].append(time.perf_counter() - started)
    one = statistics.median(times.pop("one check"))
    ratios = {kind: statistics.median(seconds) / one for kind, seconds in times.items()}
    assert all(0.6 < ratio < 1.6 for ratio in ratios.values()), ratios


# --- sessions ended on the server ---------------------------------------------------------------


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh client carrying a copied session cookie asks for a staff page."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/rounds/")


def _is_login_page(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_a_copied_cookie_is_worthless_after_logout(app, database):
    users = make_users(database)
    client = app.test_client()
    login(client, users["hr"][1])
    cookie = _cookie(client)
    assert _replay(app, cookie).status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert _is_login_page(_replay(app, cookie))


def test_a_copied_cookie_is_worthless_after_a_password_reset_on_the_web_or_the_command_line(app, database, cli):
    users = make_users(database)
    admin = app.test_client()
    login(admin, users["admin"][1])
    victim = app.test_client()
    login(victim, users["hr"][1])
    cookie = _cookie(victim)
    assert admin.post(f"/admin/users/{users['hr'][0]}/password").status_code == 200
    assert _is_login_page(_replay(app, cookie))

    login(victim, users["change_manager"][1])
    cookie = _cookie(victim)
    cli("users", "reset-password", users["change_manager"][1])
    assert _is_login_page(_replay(app, cookie))


def test_a_role_change_or_disabling_ends_the_sessions_of_that_account_only(app, database):
    users = make_users(database)
    admin = app.test_client()
    login(admin, users["admin"][1])
    sessions = {}
    for role in ("hr", "trainer", "change_manager"):
        client = app.test_client()
        login(client, users[role][1])
        sessions[role] = _cookie(client)
    admin.post(f"/admin/users/{users['trainer'][0]}/role", data={"role": "change_manager"})
    admin.post(f"/admin/users/{users['hr'][0]}/active")
    assert _is_login_page(_replay(app, sessions["trainer"]))
    assert _is_login_page(_replay(app, sessions["hr"]))
    assert _replay(app, sessions["change_manager"]).status_code == 200
    assert admin.get("/admin/users").status_code == 200  # the admin's own session is untouched
