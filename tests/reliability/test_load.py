"""Load: every respondent of a round answers the full questionnaire at the same moment."""

from __future__ import annotations

import time
from pathlib import Path

from .conftest import RESPONDENTS, Respondent, run_all, stored_answers


def test_concurrent_respondents_every_acknowledged_answer_is_stored_exactly_once(live_round, server):
    server.start()
    q = live_round.q
    people = [Respondent(i, token, server.port) for i, token in enumerate(live_round.tokens)]

    def answer_everything(person: Respondent) -> None:
        person.open_link()
        person.answer_from(q, live_round.answers[person.index], 0)
        # The connection stays open, as a browser keeps it: idle connections must not lock others out.

    began = time.perf_counter()
    errors = run_all(people, answer_everything)
    seconds = time.perf_counter() - began
    assert not errors, f"{len(errors)} respondents failed, e.g. {list(errors.items())[:3]}\n{server.log()[-3000:]}"
    assert all(p.completed for p in people)
    for person in people:
        person.close()

    db = live_round.db()
    try:
        stored = stored_answers(db, live_round.round_id)
        for person in people:
            pid = live_round.participant_ids[person.index]
            assert stored.get(pid) == [live_round.answers[person.index]], f"respondent {person.index}"
        assert len(stored) == RESPONDENTS
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == RESPONDENTS  # none twice
        assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
        assert db.execute("SELECT sum(responded) FROM participants").fetchone()[0] == RESPONDENTS
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.conn.close()
    pages = len(q.blocks)
    print(f"\n{RESPONDENTS} respondents x {pages} pages at once: {RESPONDENTS * pages} answer pages "
          f"acknowledged and stored in {seconds:.1f} s")


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_serve_runs_one_worker_process_per_cpu_and_stops_them_all(live_round, server):
    from toolkit.web.server import default_workers

    server.start()
    deadline = time.monotonic() + 20
    while len(workers := _children(server.proc.pid)) < default_workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) == default_workers() >= 2
    person = Respondent(0, live_round.tokens[0], server.port)
    person.open_link()  # served by one of them
    person.close()
    server.stop()  # SIGTERM to the main process, as systemd with KillMode=mixed
    assert server.proc.returncode == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "worker processes outlived the server"
