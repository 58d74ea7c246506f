"""Crash: the server is killed with SIGKILL in the middle of the load and started again."""

from __future__ import annotations

import http.client
import json
import threading

from toolkit.core.tokens import draft_key

from .conftest import RESPONDENTS, Respondent, page_form, run_all, stored_answers


def page_answers(q, page_no: int, answers: dict) -> dict:
    items = set(q.blocks[page_no].items)
    return {iid: v for iid, v in answers.items() if iid in items}


def test_server_killed_mid_load_loses_no_acknowledged_answer_and_respondents_resume(live_round, server):
    server.start()
    q = live_round.q
    pages = len(q.blocks)
    people = [Respondent(i, token, server.port) for i, token in enumerate(live_round.tokens)]
    lock = threading.Lock()
    acknowledged = [0]
    halfway = threading.Event()

    failed_before_kill = []

    def answer_until_the_server_dies(person: Respondent) -> None:
        try:
            person.open_link()
            page = 0
            while page is not None:
                person.submit(q, page, live_round.answers[person.index])
                with lock:
                    acknowledged[0] += 1
                    if acknowledged[0] >= RESPONDENTS * pages // 2:
                        halfway.set()
                if person.completed:
                    return
                page = person.show_page()
        except Exception as exc:
            if not killed.is_set():  # a hang, an error page or a wrong redirect while the server was up
                failed_before_kill.append((person.index, exc))
            raise

    killed = threading.Event()

    def killer():
        if halfway.wait(60):
            killed.set()
            server.kill()

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    errors = run_all(people, answer_until_the_server_dies)
    kill_thread.join()
    assert killed.is_set(), f"half of the pages were never acknowledged: {list(errors.items())[:3]}"
    assert server.proc.returncode == -9
    assert not failed_before_kill, failed_before_kill[:3]
    # After the kill only the connection may fail: no wrong page, no error page.
    unexpected = {i: e for i, e in errors.items() if not isinstance(e, OSError | http.client.HTTPException)}
    assert not unexpected, list(unexpected.items())[:3]
    interrupted = [p for p in people if not p.completed]
    assert interrupted and acknowledged[0] > 0, "the kill did not land mid-load"
    lost_replies = sum(1 for p in interrupted if p.in_flight is not None)

    # With the server dead: everything acknowledged is on disk and the file is sound.
    db = live_round.db()
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = stored_answers(db, live_round.round_id)
        for person in people:
            want = live_round.answers[person.index]
            got = stored.get(live_round.participant_ids[person.index], [])
            if person.completed:
                assert got == [want], f"respondent {person.index} was thanked but their response is not stored"
                continue
            if got:  # the last page was committed, the reply never arrived: stored, once
                assert got == [want] and person.in_flight == pages - 1
                continue
            row = db.execute("SELECT answers, page FROM drafts WHERE key = ?", [draft_key(person.token)]).fetchone()
            if person.acked_pages == 0:
                continue
            draft, draft_page = json.loads(row[0]), row[1]
            for page_no in range(person.acked_pages):
                expected = page_answers(q, page_no, want)
                assert {k: draft.get(k) for k in expected} == expected, f"respondent {person.index} page {page_no}"
            assert draft_page >= person.acked_pages
    finally:
        db.conn.close()

    # Started again: each interrupted respondent continues where they were and finishes.
    server.start()
    resumed_at = {}

    def resume(person: Respondent) -> None:
        if not person.cookie:  # the link's reply was lost too: open it again
            person.open_link()
            page = 0 if person.fields else None
        else:
            page = person.show_page()
        resumed_at[person.index] = page
        if page is None:
            assert person.in_flight == pages - 1, "only a committed last page may show 'completed'"
            return
        assert person.acked_pages <= page <= person.acked_pages + 1, (person.acked_pages, page)
        person.answer_from(q, live_round.answers[person.index], page)

    errors = run_all(interrupted, resume)
    assert not errors, f"{list(errors.items())[:3]}\n{server.log()[-3000:]}"
    for person in people:
        person.close()
    server.stop()

    db = live_round.db()
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = stored_answers(db, live_round.round_id)
        for person in people:
            assert stored.get(live_round.participant_ids[person.index]) == [live_round.answers[person.index]]
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == RESPONDENTS  # none twice
        assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    finally:
        db.conn.close()
    print(f"\nkilled -9 after {acknowledged[0]} acknowledged pages; {len(interrupted)} respondents interrupted "
          f"({lost_replies} with a reply lost in flight), all resumed; 0 acknowledged answers lost")


def test_form_fields_cover_every_answer_the_synthetic_respondent_gives(live_round):
    q = live_round.q
    for answers in live_round.answers[:5]:
        sent = {name[2:] for page in range(len(q.blocks)) for name, _ in page_form(q, page, answers)}
        assert sent == set(answers)
