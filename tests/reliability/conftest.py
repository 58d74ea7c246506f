"""The real thing, small: `persona-toolkit serve` as its own process, respondents as HTTP clients.

Sizes: `make test` runs 40 respondents; `make stress` (STRESS=1) runs 200, all at once.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRESS = os.environ.get("STRESS") == "1"
RESPONDENTS = int(os.environ.get("RELIABILITY_RESPONDENTS", "200" if STRESS else "40"))
DEADLINE_SECONDS = 240 if STRESS else 90  # the load as a whole; a hung client fails the test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toolkit_command(*args) -> list[str]:
    return [sys.executable, "-c", "from toolkit.cli import main; main()", *map(str, args)]


def instance_env(folder: Path) -> dict:
    return dict(os.environ, PERSONA_TOOLKIT_INSTANCE=str(folder), PYTHONPATH=str(ROOT))


class Server:
    """`persona-toolkit serve` in its own process on 127.0.0.1; start, kill -9, start again."""

    def __init__(self, instance: Path, preexec_fn=None):
        self.instance = instance
        self.preexec_fn = preexec_fn  # run in the child before exec (e.g. dropping root's override)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Server:
        self.starts += 1
        log = open(self.instance / f"serve-{self.starts}.log", "wb")  # noqa: SIM115 - the server writes it
        self.proc = subprocess.Popen(
            toolkit_command("serve", "--host", "127.0.0.1", "--port", self.port),
            env=instance_env(self.instance), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=self.preexec_fn)  # its own process group: server and workers
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise AssertionError(f"server did not start in 30 s:\n{self.log()}")

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.instance.glob("serve-*.log")))

    def kill(self) -> None:
        """SIGKILL to the server and every worker process at once (as systemd does when the
        service dies): no clean-up, no flush; what SQLite committed is all that remains."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- a round with participants --------------------------------------------------------


@dataclass
class LiveRound:
    instance: Path
    round_id: int
    q: object
    tokens: list[str]
    answers: list[dict]  # what respondent i will answer (questionnaire values)
    participant_ids: list[int]

    def db(self):
        from toolkit.data.db import connect

        return connect(self.instance / "toolkit.db")


def make_live_round(instance: Path, people: int, *, questionnaire: str = "default", seed: int = 11) -> LiveRound:
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.core.synthetic import generate_responses
    from toolkit.core.tokens import participant_token
    from toolkit.data.db import connect
    from toolkit.data.migrations import migrate
    from toolkit.data.rounds import create_round
    from toolkit.services.participants import import_participants

    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    (instance / "config.py").write_text(f"SECRET_KEY = {secret!r}\n", encoding="utf-8")
    q = get_questionnaire(questionnaire)
    db = connect(instance / "toolkit.db")
    try:
        migrate(db)
        # Identified, so that each stored response can be traced to its respondent and counted.
        round_id = create_round(db, q, "Reliability", mode="identified", language="en")
        db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
        import_participants(db, round_id, [
            {"row": n + 2, "email": f"p{n}@load.example", "name": f"P{n}", "team": f"T{n % 8}", "language": "en",
             "attributes": {}} for n in range(people)], secret)
        rows = list(db.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    finally:
        db.conn.close()
    generated, _labels, _contexts = generate_responses(q, people, seed=seed)
    # As the pages store them: text stripped, and a text of only spaces is no answer.
    answers = [{iid: v for iid, v in ((iid, v.strip() if isinstance(v, str) else v)
                                      for iid, v in generated[rid].items()) if v not in ("", [])}
               for rid in sorted(generated)]
    return LiveRound(instance, round_id, q, [participant_token(secret, r) for r in rows], answers,
                     [r["id"] for r in rows])


def page_form(q, page_no: int, answers: dict) -> list[tuple[str, str]]:
    fields = []
    for iid in q.blocks[page_no].items:
        if iid not in answers:
            continue
        value = answers[iid]
        for v in value if isinstance(value, list) else [value]:
            fields.append((f"q_{iid}", str(v)))
    return fields


# --- one respondent's browser ---------------------------------------------------------


def hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html)
    return found.group(1) if found else None


@dataclass
class Respondent:
    """Cookies and keep-alive like a browser; counts what the server acknowledged."""

    index: int
    token: str
    port: int
    cookie: str = ""
    fields: dict = field(default_factory=dict)
    acked_pages: int = 0          # pages the server answered 303 for: these must be stored
    completed: bool = False       # the last page was answered with the thanks page
    in_flight: int | None = None  # the page whose POST got no answer (server died)
    conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except BaseException:
            self.conn.close()
            self.conn = None
            raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def open_link(self) -> None:
        status, location, _ = self.request("GET", f"/s/{self.token}")
        # the welcome page before anything is answered, else straight to the page they were on
        assert status == 303 and location in ("/survey", "/survey/welcome"), (status, location)
        self.show_page()

    def show_page(self) -> int | None:
        """GET /survey like the browser after a redirect; the page number shown, None when done."""
        status, _, html = self.request("GET", "/survey")
        assert status == 200, status
        page = hidden(html, "page")
        if page is None:
            return None
        self.fields = {"csrf_token": hidden(html, "csrf_token"), "ticket": hidden(html, "ticket")}
        return int(page)

    def submit(self, q, page_no: int, answers: dict) -> None:
        body = urlencode([*self.fields.items(), ("page", str(page_no)), ("action", "next"),
                          *page_form(q, page_no, answers)])
        self.in_flight = page_no
        status, location, _ = self.request("POST", "/survey", body)
        last = page_no == len(q.blocks) - 1
        assert status == 303 and location == ("/survey/thanks" if last else "/survey"), (status, location)
        self.in_flight = None
        self.acked_pages = page_no + 1
        self.completed = last

    def answer_from(self, q, answers: dict, page_no: int | None, stop: threading.Event | None = None) -> None:
        """Submit page after page from `page_no` (as shown) to the end."""
        while page_no is not None and not (stop and stop.is_set()):
            self.submit(q, page_no, answers)
            if self.completed:
                return
            page_no = self.show_page()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def run_all(jobs: list, work, *, deadline: float = DEADLINE_SECONDS) -> dict:
    """Run work(job) for every job, each on its own thread, all released at once.

    Returns {job index: exception} for the jobs that raised. Threads still running at the
    deadline are reported as hung, so a stuck server fails the test instead of hanging it.
    """
    errors: dict = {}
    gate = threading.Barrier(len(jobs) + 1)

    def runner(i, job):
        gate.wait()
        try:
            work(job)
        except BaseException as exc:  # noqa: BLE001 - recorded and asserted on by the test
            errors[i] = exc

    threads = [threading.Thread(target=runner, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    gate.wait()
    end = time.monotonic() + deadline
    for i, t in enumerate(threads):
        t.join(max(0.0, end - time.monotonic()))
        if t.is_alive():
            errors[i] = TimeoutError(f"respondent {i} still busy after {deadline} s")
    return errors


# --- checking the database ------------------------------------------------------------


def stored_answers(db, round_id: int) -> dict[int, list[dict]]:
    """participant id -> the responses stored for them, each as {item: value}."""
    from toolkit.core.intake import decode_value

    from_db: dict[int, list[dict]] = {}
    q_items = None
    for (qid,) in db.execute("SELECT questionnaire_id FROM rounds WHERE id = ?", [round_id]):
        from toolkit.core.questionnaire import get_questionnaire

        q_items = get_questionnaire(qid).items
    responses = db.execute("SELECT id, participant_id FROM responses WHERE round_id = ?", [round_id]).fetchall()
    for response_id, participant_id in responses:
        answers = {item: decode_value(q_items.get(item), value) for item, value in
                   db.execute("SELECT item_id, value FROM answers WHERE response_id = ?", [response_id])}
        from_db.setdefault(participant_id, []).append(answers)
    return from_db


@pytest.fixture
def live_round(tmp_path) -> LiveRound:
    return make_live_round(tmp_path / "instance", RESPONDENTS)


@pytest.fixture
def server(live_round):
    srv = Server(live_round.instance)
    yield srv
    srv.stop()
