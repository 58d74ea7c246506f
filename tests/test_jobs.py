"""Background jobs: queued by the web app, run by the scheduler process's consumer in a child
process with a heartbeat and a timeout; failures shown in words a person can use."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import login, make_round_with_responses, make_users, wait_for_job

from toolkit.data.rounds import create_round
from toolkit.jobs import runner
from toolkit.jobs.queue import JobConsumer, enqueue, submit


def test_deriving_from_the_round_page_runs_in_the_consumer_and_ends_on_the_personas(
        client, database, instance, default_q, job_consumer):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60)
    login(client, users["hr"][1])
    started = client.post(f"/rounds/{round_id}/derive", data={"k": "2"})
    job_id = int(started.headers["Location"].rsplit("/", 1)[-1])
    job = wait_for_job(database, job_id)
    assert (job["status"], job["progress"], job["attempts"]) == ("done", 1, 1), job
    assert job["worker"] == job_consumer.supervision.worker
    set_id = database.execute("SELECT id FROM persona_sets WHERE round_id = ? AND current = 1", [round_id]).fetchone()[0]
    assert job["result"] == f'{{"set_id": {set_id}, "pending": false}}'  # the first set: nothing to confirm
    page = client.get(f"/rounds/{round_id}/jobs/{job_id}")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/rounds/{round_id}/personas")


def test_a_failed_job_says_why_and_other_errors_only_their_kind(client, database, instance, default_q, job_consumer):
    users = make_users(database)
    empty = create_round(database, default_q, "Empty")
    job = wait_for_job(database, submit(database, str(instance / "toolkit.db"), "derive", empty, {}, None))
    assert job["status"] == "failed" and job["failure"] == "error" and "0 responses" in job["message"]
    login(client, users["hr"][1])
    assert "0 responses" in client.get(f"/rounds/{empty}/jobs/{job['id']}").get_data(as_text=True)

    # an error that is not the user's: only its kind is shown, the traceback stays on the server
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=30)
    from toolkit.services.pipeline import derive_round

    derive_round(database, round_id, k=2, bootstrap=2)
    not_a_folder = instance / "not-a-folder"
    not_a_folder.write_text("a file where the zips folder should be")
    params = {"lang": "en", "overview": True, "kinds": [], "folder": str(not_a_folder)}
    job = wait_for_job(database, submit(database, str(instance / "toolkit.db"), "briefs_zip", round_id, params, None))
    assert job["status"] == "failed" and job["message"] == "NotADirectoryError"
    assert str(not_a_folder) in job["result"]


def test_a_job_over_its_time_is_stopped_and_shown_as_failed(client, database, instance, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120)
    consumer = JobConsumer(instance / "toolkit.db", workers=1, timeout=3)
    consumer.start()
    try:
        job_id = submit(database, str(instance / "toolkit.db"), "derive", round_id, {"bootstrap": 5000}, None)
        started = time.monotonic()
        job = wait_for_job(database, job_id)
        assert time.monotonic() - started < 30
    finally:
        consumer.stop()
    assert (job["status"], job["failure"]) == ("failed", "timeout")
    assert database.execute("SELECT count(*) FROM persona_sets WHERE round_id = ?", [round_id]).fetchone()[0] == 0
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{round_id}/jobs/{job_id}").get_data(as_text=True)
    assert "longer than 0.05 minutes and was stopped" in page


def test_a_queued_job_waits_visibly_until_a_consumer_starts_and_then_runs(client, database, instance, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=40)
    login(client, users["hr"][1])
    started = client.post(f"/rounds/{round_id}/derive", data={"k": "2"})
    job_id = int(started.headers["Location"].rsplit("/", 1)[-1])
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Waiting for the background worker" in page and "persona-toolkit scheduler" in page
    (instance / "jobs-queue.db").unlink()  # even a lost queue file loses no job: the table is the truth
    consumer = JobConsumer(instance / "toolkit.db", workers=1)
    assert consumer.start()["queued"] == [job_id]
    try:
        assert wait_for_job(database, job_id)["status"] == "done"
        assert "Waiting for the background worker" not in client.get(started.headers["Location"]).get_data(as_text=True)
    finally:
        consumer.stop()


def _gone_pid() -> int:
    """The pid of a process that has ended (so nothing runs under it now)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_running_job_whose_process_is_gone_is_run_again_once_then_failed(database, default_q):
    import socket

    round_id = create_round(database, default_q, "R")
    job_id = runner.create(database, "derive", round_id, {}, None)
    dead = f"{socket.gethostname()}:{_gone_pid()}:abc123"
    for expected_status in ("queued", "failed"):
        assert runner.claim(database, job_id, dead) is not None  # the dead process had claimed it
        requeued = runner.recover(database, "me")
        job = runner.get(database, job_id)
        assert job["status"] == expected_status, job
        assert requeued == ([job_id] if expected_status == "queued" else [])
    assert (job["failure"], job["attempts"]) == ("interrupted", 2)


def test_a_silent_job_on_another_machine_is_recovered_after_its_heartbeat_goes_stale(database, default_q):
    round_id = create_round(database, default_q, "R")
    job_id = runner.create(database, "derive", round_id, {}, None)
    runner.claim(database, job_id, "other-host:123:abc")
    assert runner.recover(database, "me") == []  # its heartbeat is fresh: it is working
    later = time.time() + runner.STALE_AFTER + 1
    assert runner.recover(database, "me", now=later) == [job_id]


def test_a_job_queued_twice_runs_once(database, instance, default_q, job_consumer):
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=40)
    job_id = submit(database, str(instance / "toolkit.db"), "derive", round_id, {"k": 2, "bootstrap": 5}, None)
    enqueue(instance / "toolkit.db", job_id)
    assert wait_for_job(database, job_id)["attempts"] == 1
    time.sleep(1.5)  # the second message has been taken and found nothing to do
    assert runner.get(database, job_id)["attempts"] == 1
    assert database.execute("SELECT count(*) FROM persona_sets WHERE round_id = ?", [round_id]).fetchone()[0] == 1
