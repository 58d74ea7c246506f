"""Answer submission through the real WSGI server (waitress) under 50 concurrent clients.

Baseline: a bare Flask app with one POST endpoint, served by waitress with the same threads, hit
by the same 50 clients with the same request bodies, in the same run. Prints both rates, their
ratio (goal >= 0.4) and the number of lost submissions (must be 0).

    .venv/bin/python tests/benchmarks/bench_submit.py        (BENCH_PEOPLE=500 BENCH_CLIENTS=50)
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "500"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
THREADS = int(os.environ.get("BENCH_SERVER_THREADS", "8"))

BARE_APP = """
import sys, waitress
from flask import Flask, request
app = Flask("bare")
@app.post("/submit")
def submit():
    return "ok" if request.form else ("empty", 400)
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="bare")
"""
TOOLKIT_APP = """
import sys, waitress
from toolkit import create_app
waitress.serve(create_app(), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="toolkit")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(code: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(Path(env["PERSONA_TOOLKIT_INSTANCE"]) / f"server-{port}.log", "wb")  # noqa: SIM115 - kept open by the server
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), str(THREADS)], env=env, cwd=ROOT,
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
    """One keep-alive connection with its own cookie, like one respondent's browser."""

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


def main() -> None:
    from toolkit import store
    from toolkit.db import connect
    from toolkit.migrations import migrate
    from toolkit.participants import import_participants, participant_token
    from toolkit.questionnaire import get_questionnaire

    folder = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    secret = secrets.token_hex(32)
    (folder / "config.py").write_text(f"SECRET_KEY = {secret!r}\n", encoding="utf-8")
    db = connect(folder / "toolkit.db")
    migrate(db)
    q = get_questionnaire("pulse")
    round_id = store.create_round(db, q, "Benchmark")
    db.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    import_participants(db, round_id, [{"row": n, "email": f"p{n}@bench.example", "name": "", "team": f"T{n % 10}",
                                        "language": "nl", "attributes": {}} for n in range(PEOPLE)], secret)
    tokens = [participant_token(secret, p) for p in db.query("SELECT * FROM participants ORDER BY id")]
    env = {**os.environ, "PERSONA_TOOLKIT_INSTANCE": str(folder), "PYTHONPATH": str(ROOT)}
    pages = [{f"q_{iid}": str(1 + (i % 5)) for i, iid in enumerate(block.items)} for block in q.blocks]

    # --- the toolkit: respondents open their link (not timed), then submit every page (timed)
    proc, port = start_server(TOOLKIT_APP, env)
    try:
        sessions = {}
        connections: dict[int, Client] = {}

        def client_for(cookie: str = "") -> Client:
            """This thread's keep-alive connection, carrying one respondent's cookie."""
            client = connections.setdefault(threading.get_ident(), Client(port))
            client.cookie = cookie
            return client

        def open_link(token):
            client = client_for()
            status, location, _ = client.request("GET", f"/s/{token}")
            status2, _, html = client.request("GET", "/survey")
            fields = {name: re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html).group(1)
                      for name in ("csrf_token", "ticket")}
            sessions[token] = [client.cookie, fields]
            return status == 303 and status2 == 200

        _, failed_open = run_concurrently(tokens, open_link)
        if failed_open:
            raise SystemExit(f"{len(failed_open)} links failed to open: {failed_open[:3]}")

        def submit_all_pages(token):
            cookie, fields = sessions[token]
            client = client_for(cookie)
            for number, answers in enumerate(pages):
                body = urlencode({**fields, "page": str(number), "action": "next", **answers})
                status, location, _ = client.request("POST", "/survey", body)
                expected = "/survey/thanks" if number == len(pages) - 1 else "/survey"
                if status != 303 or location != expected:
                    return False
            return True

        toolkit_seconds, lost = run_concurrently(tokens, submit_all_pages)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    posts = PEOPLE * len(pages)

    stored = db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0]
    answers = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    responded = db.execute("SELECT sum(responded) FROM participants").fetchone()[0]
    drafts = db.execute("SELECT count(*) FROM drafts").fetchone()[0]
    lost_submissions = len(lost) + (PEOPLE - stored) + (PEOPLE * len(q.items) - answers)

    # --- the baseline: same clients, same bodies, a bare Flask POST endpoint
    proc, port = start_server(BARE_APP, env)
    try:
        bare_clients = {}

        def bare_submit(n):
            client = bare_clients.setdefault(threading.get_ident(), Client(port))
            for number, answers in enumerate(pages):
                body = urlencode({"csrf_token": "x" * 91, "ticket": "y" * 80, "page": str(number), "action": "next",
                                  **answers})
                status, _, _ = client.request("POST", "/submit", body)
                if status != 200:
                    return False
            return True

        bare_seconds, bare_lost = run_concurrently(list(range(PEOPLE)), bare_submit)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    toolkit_rate, bare_rate = posts / toolkit_seconds, posts / bare_seconds
    ratio = toolkit_rate / bare_rate
    print(f"{CLIENTS} concurrent clients, waitress {THREADS} threads, {PEOPLE} respondents x {len(pages)} pages")
    print(f"answer submission (toolkit): {toolkit_rate:8.1f} POST/s  ({posts} in {toolkit_seconds:.2f} s)")
    print(f"bare Flask POST (baseline):  {bare_rate:8.1f} POST/s  ({posts} in {bare_seconds:.2f} s)")
    print(f"ratio: {ratio:.2f} (goal >= 0.40)")
    print(f"stored responses {stored}/{PEOPLE}, responded {responded}, drafts left {drafts}, "
          f"lost submissions: {lost_submissions} (must be 0); baseline failures {len(bare_lost)}")
    if lost[:3]:
        print("first failures:", lost[:3])
    db.conn.close()
    sys.exit(0 if lost_submissions == 0 and not bare_lost else 1)


if __name__ == "__main__":
    main()
