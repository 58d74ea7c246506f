"""Shared fixtures: a scratch instance folder, the app, a client, the CLI, small factories."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("MPLBACKEND", "Agg")
# Tests read English pages unless they ask for Dutch (?lang=nl, a Dutch user or respondent); the
# product default stays Dutch (create_app's BABEL_DEFAULT_LOCALE).
os.environ.setdefault("PERSONA_TOOLKIT_BABEL_DEFAULT_LOCALE", "en")

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "instance"
    monkeypatch.setenv("PERSONA_TOOLKIT_INSTANCE", str(folder))
    return folder


@pytest.fixture
def cli(instance):
    """Run a persona-toolkit command in the scratch instance; returns the click Result."""
    from toolkit.cli import main

    runner = CliRunner()

    def run(*args, expect_ok=True):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        if expect_ok and result.exit_code != 0:
            raise AssertionError(f"{' '.join(map(str, args))} failed ({result.exit_code}):\n{result.output}")
        return result

    return run


@pytest.fixture
def database(cli, instance):
    cli("init-db")
    from toolkit.data.db import connect

    db = connect(instance / "toolkit.db")
    yield db
    db.conn.close()


@pytest.fixture
def pulse():
    """The built-in two-page pulse questionnaire."""
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("pulse")


@pytest.fixture
def app(database, instance):
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def default_q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


def make_users(db) -> dict[str, tuple[int, str]]:
    """One account per role; returns role -> (id, email). Password: 'correct-horse-1'."""
    from toolkit.data.accounts import create_user

    users = {}
    for role in ("admin", "hr", "change_manager", "trainer"):
        email = f"{role}@test.example"
        users[role] = (create_user(db, email=email, name=role.title(), role=role, password="correct-horse-1",
                                   language="en"), email)
    return users


def login(client, email, password="correct-horse-1"):
    return client.post("/login", data={"email": email, "password": password})


def make_round_with_responses(db, q, n=120, seed=7, title="Test round", segments=None):
    """A round with n synthetic responses stored through the real store functions."""
    from toolkit.core.synthetic import generate_responses
    from toolkit.data.db import transaction
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import create_round

    round_id = create_round(db, q, title)
    answers, labels, contexts = generate_responses(q, n, segments=segments, seed=seed)
    with transaction(db):
        for rid in sorted(answers):
            insert_response(db, q, round_id, answers[rid], external_id=rid, context=contexts.get(rid))
    return round_id, answers, labels


@pytest.fixture
def answers_csv(tmp_path, default_q):
    """120 synthetic respondents written as a form tool would export them (labels, semicolons)."""
    import csv

    from toolkit.core.synthetic import generate_responses

    answers, _labels, contexts = generate_responses(default_q, 120, seed=11)
    items = list(default_q.items)
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["respondent_id", "team", *items])
        for rid in sorted(answers):
            row = [rid, contexts[rid].get("team", "")]
            for iid in items:
                value = answers[rid].get(iid, "")
                item = default_q.items[iid]
                if item.type == "likert" and value != "" and int(rid[1:]) % 2:
                    value = default_q.scales[item.scale].label(value, "nl")  # half as Dutch labels
                elif isinstance(value, list):
                    value = "|".join(value)
                row.append(value)
            writer.writerow(row)
    return path


@pytest.fixture
def job_consumer(database, instance):
    """The real job consumer (huey worker threads, a child process per job) on the test's instance,
    as `persona-toolkit scheduler` runs it; stopped after the test."""
    from toolkit.jobs.queue import JobConsumer

    consumer = JobConsumer(instance / "toolkit.db", workers=1)
    consumer.start()
    yield consumer
    consumer.stop()


def wait_for_job(db, job_id: int, until=("done", "failed"), timeout: float = 90) -> dict:
    """Poll the jobs table until job ``job_id`` has a status in ``until``; its row."""
    import time

    from toolkit.jobs import runner

    deadline = time.monotonic() + timeout
    while (job := runner.get(db, job_id))["status"] not in until:
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout} s"
        time.sleep(0.05)
    return job


@contextmanager
def served(app, threads: int = 4) -> Iterator[str]:
    """The app served by waitress in a thread for a real browser; yields the base URL and stops
    the server at the end (closing its sockets under the running loop, which then ends with
    EBADF: that is how it stops, not an error of the test)."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="persona-toolkit-test")
    stopping = threading.Event()

    def serve():
        try:
            server.run()
        except OSError:
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)
