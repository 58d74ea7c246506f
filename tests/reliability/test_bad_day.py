"""A bad day on the server, through `persona-toolkit serve` and real HTTP: the database locked
past the busy timeout, a full disk, a read-only database. People get 503 "busy, try again in
a moment" with Retry-After, never a 500 or a traceback, and the same request works once the
trouble is over. `check`, `init-db` and `serve` say what is wrong with a read-only instance folder."""

from __future__ import annotations

import http.client
import resource
import secrets
import subprocess
import time
from urllib.parse import urlencode

import pytest

from .conftest import ROOT, Respondent, Server, instance_env, page_form, toolkit_command
from .test_faults import without_root_override

BUSY = "Try again in a moment"


def call(port: int, method: str, path: str, body: str | None = None, cookie: str = "") -> http.client.HTTPResponse:
    """One request on a fresh connection; the response with its body read into `.text`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.text = response.read().decode("utf-8", "replace")
    conn.close()
    return response


def first_page_post(live_round, server) -> tuple[Respondent, str]:
    """A respondent with the first page open, and the body that answers it."""
    respondent = Respondent(0, live_round.tokens[0], server.port)
    respondent.open_link()
    body = urlencode([*respondent.fields.items(), ("page", "0"), ("action", "next"),
                      *page_form(live_round.q, 0, live_round.answers[0])])
    respondent.close()
    return respondent, body


def assert_busy_page(response) -> None:
    assert response.status == 503, (response.status, response.text[:300])
    assert BUSY in response.text and "Traceback" not in response.text
    assert int(response.getheader("Retry-After")) > 0


@pytest.mark.slow
def test_a_lock_held_past_the_busy_timeout_gives_the_busy_page_and_the_retry_is_stored(live_round, server):
    server.start()
    respondent, body = first_page_post(live_round, server)
    blocker = live_round.db()
    blocker.conn.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a long import)
    try:
        started = time.monotonic()
        response = call(server.port, "POST", "/survey", body, respondent.cookie)
        waited = time.monotonic() - started
    finally:
        blocker.conn.execute("ROLLBACK")
        blocker.conn.close()
    assert_busy_page(response)
    assert waited >= 5  # it waited for the lock (busy timeout) before giving up
    again = call(server.port, "POST", "/survey", body, respondent.cookie)
    assert again.status == 303 and again.getheader("Location") == "/survey"


def worker_pids(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def test_a_full_disk_gives_the_busy_page_and_the_same_answer_is_stored_once_there_is_room(live_round, server):
    server.start()
    respondent, body = first_page_post(live_round, server)
    pids = worker_pids(server)
    assert pids, "no gunicorn workers found"
    limits = {pid: resource.prlimit(pid, resource.RLIMIT_FSIZE) for pid in pids}
    for pid in pids:  # every file the workers write may grow to 4 KB: the disk is full for them
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (4096, limits[pid][1]))
    try:
        response = call(server.port, "POST", "/survey", body, respondent.cookie)
    finally:
        for pid, limit in limits.items():
            resource.prlimit(pid, resource.RLIMIT_FSIZE, limit)
    assert_busy_page(response)
    again = call(server.port, "POST", "/survey", body, respondent.cookie)
    assert again.status == 303 and again.getheader("Location") == "/survey"


def test_a_read_only_database_gives_the_busy_page_not_a_500(live_round):
    server = Server(live_round.instance, preexec_fn=without_root_override)
    server.start()  # workers open the database at their first request, which comes after this
    database = live_round.instance / "toolkit.db"
    for leftover in ("toolkit.db-wal", "toolkit.db-shm"):
        assert not (live_round.instance / leftover).exists()
    database.chmod(0o444)
    live_round.instance.chmod(0o555)
    try:
        response = call(server.port, "GET", f"/s/{live_round.tokens[0]}")
        assert_busy_page(response)
        assert call(server.port, "GET", "/login").status == 200  # a page that needs no database still works
    finally:
        live_round.instance.chmod(0o755)
        database.chmod(0o644)
        server.stop()


def test_a_read_only_instance_folder_stops_check_init_db_and_serve_with_the_reason(tmp_path):
    instance = tmp_path / "instance"
    env = instance_env(instance)
    subprocess.run(toolkit_command("init-db"), env=env, cwd=ROOT, check=True, capture_output=True)
    (instance / "config.py").unlink()  # a fresh folder on a read-only mount: nothing can be written
    env["PERSONA_TOOLKIT_SECRET_KEY"] = secrets.token_hex(32)
    instance.chmod(0o555)
    try:
        for command in (("check",), ("init-db",), ("serve", "--port", "9")):
            result = subprocess.run(toolkit_command(*command), env=env, cwd=ROOT, capture_output=True, text=True,
                                    timeout=60, preexec_fn=without_root_override)
            assert result.returncode == 1 and "Traceback" not in result.stderr, (command, result.stderr)
            assert f"instance folder {instance} is read-only" in result.stderr, (command, result.stderr)
            assert "write access to that folder" in result.stderr
    finally:
        instance.chmod(0o755)
