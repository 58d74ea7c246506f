"""Answer submission through the real WSGI server under 50 concurrent clients.

The server is the one `persona-toolkit serve` runs (toolkit.web.server: gunicorn, one worker process
per CPU). Baseline: a bare Flask app with one POST endpoint under the same server and settings,
hit by the same 50 clients with the same request bodies, in the same run; the two take turns
five times and the median ratio is reported (goal >= 0.4). Measured for the default
questionnaire (7 pages, 53 items) and the pulse (2 pages, so every second POST completes a
response, the most expensive kind). Lost submissions must be 0: every response and answer is
counted in the database afterwards.

    .venv/bin/python tests/benchmarks/bench_submit.py
    BENCH_POSTS=1400 (timed POSTs per turn) BENCH_CLIENTS=50 BENCH_REPEATS=5
    BENCH_QUESTIONNAIRE=default,pulse BENCH_SERVER_WORKERS=0 (serve's default) BENCH_SERVER_THREADS=1
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
POSTS = int(os.environ.get("BENCH_POSTS", "1400"))  # timed answer POSTs per turn
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WORKERS = int(os.environ.get("BENCH_SERVER_WORKERS", "0"))  # 0: as `persona-toolkit serve` chooses
THREADS = int(os.environ.get("BENCH_SERVER_THREADS", "1"))
QUESTIONNAIRES = os.environ.get("BENCH_QUESTIONNAIRE", "default,pulse").split(",")
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))

# Both apps run under toolkit.web.server.run, the server `persona-toolkit serve` uses, with the
# same worker processes and threads.
SERVE = """
import sys
from toolkit.web import server
port, workers, threads = map(int, sys.argv[1:4])
server.run(make_app, "127.0.0.1", port, workers or server.default_workers(), threads, name=NAME)
"""
BARE_APP = """
from flask import Flask, request
NAME = "bare"
def make_app():
    app = Flask("bare")
    @app.post("/submit")
    def submit():
        return "ok" if request.form else ("empty", 400)
    return app
""" + SERVE
TOOLKIT_APP = """
from toolkit import create_app as make_app
NAME = "toolkit"
""" + SERVE


def answer(item, i: int) -> tuple[str, str] | None:
    """A valid answer of the item's type, as a browser would post it (open questions left empty)."""
    if item.type == "likert":
        return f"q_{item.id}", str(1 + i % 5)
    if item.type in ("single", "multi"):
        return f"q_{item.id}", item.options[i % len(item.options)].value
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(code: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(Path(env["PERSONA_TOOLKIT_INSTANCE"]) / f"server-{port}.log", "wb")  # noqa: SIM115 - kept open by the server
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), str(WORKERS), str(THREADS)], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"server did not start; see {log.name}")


class Client:
    """One connection with its own cookie, like one respondent's browser (reopened when a sync worker closes it)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text


def run_concurrently(jobs: list, work) -> tuple[float, list]:
    """Run work(client_state, job) for all jobs on CLIENTS threads; return (seconds, failures)."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    failures: list = []
    start = threading.Barrier(CLIENTS + 1)

    def worker():
        start.wait()
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                if not work(job):
                    failures.append(job)
            except Exception as exc:  # a lost submission, counted and reported
                failures.append((job, repr(exc)))

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - began, failures


def measure(name: str) -> tuple[float, int, int]:
    """(median ratio, lost submissions, baseline failures) for one questionnaire."""
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.db import connect
    from toolkit.data.migrations import migrate
    from toolkit.data.rounds import create_round
    from toolkit.services.participants import import_participants, participant_token

    folder = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    secret = secrets.token_hex(32)
    (folder / "config.py").write_text(f"SECRET_KEY = {secret!r}\n", encoding="utf-8")
    db = connect(folder / "toolkit.db")
    migrate(db)
    q = get_questionnaire(name)
    people = max(1, POSTS // len(q.blocks))  # respondents per turn
    round_id = create_round(db, q, "Benchmark")
    db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    everyone = people * REPEATS
    import_participants(db, round_id, [{"row": n, "email": f"p{n}@bench.example", "name": "", "team": f"T{n % 10}",
                                        "language": "nl", "attributes": {}} for n in range(everyone)], secret)
    tokens = [participant_token(secret, p) for p in db.query("SELECT * FROM participants ORDER BY id")]
    env = {**os.environ, "PERSONA_TOOLKIT_INSTANCE": str(folder), "PYTHONPATH": str(ROOT)}
    pages = [dict(filter(None, (answer(q.items[iid], i) for i, iid in enumerate(block.items)))) for block in q.blocks]
    posts = people * len(pages)

    toolkit, toolkit_port = start_server(TOOLKIT_APP, env)
    bare, bare_port = start_server(BARE_APP, env)
    sessions: dict[str, list] = {}
    connections: dict[tuple[int, int], Client] = {}

    def client_for(port: int, cookie: str = "") -> Client:
        """This thread's keep-alive connection to `port`, carrying one respondent's cookie."""
        client = connections.setdefault((threading.get_ident(), port), Client(port))
        client.cookie = cookie
        return client

    def open_link(token):
        client = client_for(toolkit_port)
        status, location, _ = client.request("GET", f"/s/{token}")
        status2, _, html = client.request("GET", "/survey")
        fields = {name: re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html).group(1)
                  for name in ("csrf_token", "ticket")}
        sessions[token] = [client.cookie, fields]
        return status == 303 and status2 == 200

    def submit_all_pages(token):
        cookie, fields = sessions[token]
        client = client_for(toolkit_port, cookie)
        for number, answers in enumerate(pages):
            body = urlencode({**fields, "page": str(number), "action": "next", **answers})
            status, location, _ = client.request("POST", "/survey", body)
            expected = "/survey/thanks" if number == len(pages) - 1 else "/survey"
            if status != 303 or location != expected:
                return False
        return True

    def bare_submit(_n):
        client = client_for(bare_port)
        for number, answers in enumerate(pages):
            body = urlencode({"csrf_token": "x" * 91, "ticket": "y" * 80, "page": str(number), "action": "next",
                              **answers})
            status, _, _ = client.request("POST", "/submit", body)
            if status != 200:
                return False
        return True

    # Toolkit and baseline take turns, REPEATS times, so that a slow moment of the machine hits
    # both; each toolkit turn has its own respondents (a link completes once).
    ratios, lost, bare_lost = [], [], []
    print(f"{CLIENTS} concurrent clients; gunicorn {WORKERS or 'default'} worker processes x {THREADS} thread(s) "
          f"for both; questionnaire {q.id}: {people} respondents x {len(pages)} pages per turn")
    try:
        for turn in range(REPEATS):
            group = tokens[turn * people:(turn + 1) * people]
            _, failed_open = run_concurrently(group, open_link)  # not timed
            if failed_open:
                raise SystemExit(f"{len(failed_open)} links failed to open: {failed_open[:3]}")
            toolkit_seconds, failed = run_concurrently(group, submit_all_pages)
            bare_seconds, bare_failed = run_concurrently(list(range(people)), bare_submit)
            lost += failed
            bare_lost += bare_failed
            ratio = (posts / toolkit_seconds) / (posts / bare_seconds)
            ratios.append(ratio)
            print(f"turn {turn + 1}: answer submission {posts / toolkit_seconds:7.1f} POST/s, "
                  f"bare Flask POST {posts / bare_seconds:7.1f} POST/s, ratio {ratio:.2f}")
    finally:
        for proc in (toolkit, bare):
            proc.terminate()
            proc.wait(timeout=30)

    stored = db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0]
    answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    responded = db.execute("SELECT count(*) FROM completed_links").fetchone()[0]  # anonymous: links, not people
    drafts = db.execute("SELECT count(*) FROM drafts").fetchone()[0]
    lost_submissions = len(lost) + (everyone - stored) + (everyone * sum(map(len, pages)) - answers)
    median = statistics.median(ratios)
    print(f"{q.id}: ratio (median of {REPEATS}) {median:.2f} (goal >= 0.40); stored responses {stored}/{everyone}, "
          f"completed links {responded}, drafts left {drafts}, lost submissions {lost_submissions} (must be 0), "
          f"baseline failures {len(bare_lost)}")
    if lost[:3]:
        print("first failures:", lost[:3])
    db.conn.close()
    return median, lost_submissions, len(bare_lost)


def main() -> None:
    results = {name: measure(name) for name in QUESTIONNAIRES}
    print("summary: " + "; ".join(f"{name} {median:.2f}" for name, (median, _, _) in results.items())
          + " (median ratio to a bare Flask POST, goal >= 0.40)")
    sys.exit(0 if all(lost == 0 and bare == 0 for _, lost, bare in results.values()) else 1)


if __name__ == "__main__":
    main()
