"""The `users` commands: create, list, set-role, reset-password, with hashed passwords and
clear refusals instead of tracebacks."""

from __future__ import annotations

import re

from conftest import login


def test_create_prints_a_generated_password_once_and_stores_only_a_hash(cli, database):
    result = cli("users", "create", "--email", "Anna@Example.org", "--name", "Anna", "--role", "hr")
    password = re.search(r"with password (\S+)", result.output).group(1)
    row = database.execute("SELECT email, role, password_hash FROM users").fetchone()
    assert row[0] == "anna@example.org" and row[1] == "hr"
    assert password not in row[2] and row[2].startswith(("scrypt:", "pbkdf2:"))


def test_created_account_can_log_in_with_its_password(cli, client):
    cli("users", "create", "--email", "ben@example.org", "--name", "Ben", "--role", "trainer",
        "--password", "a-long-password-1")
    assert login(client, "ben@example.org", "a-long-password-1").status_code == 302


def test_list_shows_every_account_with_role_and_status(cli, database):
    cli("users", "create", "--email", "a@example.org", "--name", "A", "--role", "admin", "--password", "long-password-1")
    cli("users", "create", "--email", "c@example.org", "--name", "C", "--role", "change_manager",
        "--password", "long-password-2")
    database.execute("UPDATE users SET active = 0 WHERE email = 'c@example.org'")
    lines = cli("users", "list").output.strip().splitlines()
    assert lines[0].split("\t")[1:4] == ["a@example.org", "admin", "active"]
    assert lines[1].split("\t")[1:4] == ["c@example.org", "change_manager", "disabled"]


def test_set_role_changes_the_role_and_is_audited(cli, database):
    cli("users", "create", "--email", "a@example.org", "--name", "A", "--role", "admin", "--password", "long-password-1")
    cli("users", "create", "--email", "d@example.org", "--name", "D", "--role", "trainer", "--password", "long-password-2")
    assert "is now change_manager" in cli("users", "set-role", "D@example.org", "change_manager").output
    assert database.execute("SELECT role FROM users WHERE email = 'd@example.org'").fetchone()[0] == "change_manager"
    assert database.execute("SELECT count(*) FROM audit WHERE detail LIKE 'role trainer -> change_manager%'").fetchone()[0] == 1


def test_the_last_admin_cannot_be_demoted(cli, database):
    cli("users", "create", "--email", "a@example.org", "--name", "A", "--role", "admin", "--password", "long-password-1")
    result = cli("users", "set-role", "a@example.org", "hr", expect_ok=False)
    assert result.exit_code == 1 and "last active admin" in result.output and "Traceback" not in result.output


def test_reset_password_replaces_the_old_one(cli, client):
    cli("users", "create", "--email", "e@example.org", "--name", "E", "--role", "hr", "--password", "old-password-1")
    new = re.search(r": (\S+)$", cli("users", "reset-password", "e@example.org").output.strip()).group(1)
    assert login(client, "e@example.org", "old-password-1").status_code == 200  # refused, form shown again
    assert login(client, "e@example.org", new).status_code == 302


def test_user_errors_are_messages_not_tracebacks(cli, database):
    cases = [
        ("users", "create", "--email", "not-an-email", "--name", "X", "--role", "hr", "--password", "long-password-1"),
        ("users", "create", "--email", "x@example.org", "--name", "X", "--role", "hr", "--password", "short"),
        ("users", "set-role", "nobody@example.org", "hr"),
        ("users", "reset-password", "nobody@example.org"),
    ]
    cli("users", "create", "--email", "f@example.org", "--name", "F", "--role", "hr", "--password", "long-password-1")
    cases.append(("users", "reset-password", "f@example.org", "--password", "short"))
    cases.append(("users", "create", "--email", "F@example.org", "--name", "F", "--role", "hr",
                  "--password", "long-password-1"))
    for args in cases:
        result = cli(*args, expect_ok=False)
        assert result.exit_code == 1, args
        assert result.output.startswith("Error: ") and "Traceback" not in result.output, (args, result.output)
