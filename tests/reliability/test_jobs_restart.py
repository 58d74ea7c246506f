"""Jobs survive a dead scheduler: kill -9 the process running a derive job mid-way, start it
again, and the job runs again to the end; killed twice, it is failed with a reason the progress
page shows. Never "running" forever. Real processes: `persona-toolkit scheduler`, its job child."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import login, make_round_with_responses, make_users, wait_for_job

from toolkit.jobs import runner
from toolkit.jobs.queue import submit

from .conftest import ROOT, instance_env, toolkit_command

pytestmark = pytest.mark.slow


class Scheduler:
    """`persona-toolkit scheduler` as its own process, with its log in the instance folder."""

    def __init__(self, instance: Path):
        self.instance = instance
        self.runs = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> Scheduler:
        self.runs += 1
        with open(self.instance / f"scheduler-{self.runs}.log", "wb") as log:
            self.proc = subprocess.Popen(toolkit_command("scheduler"), env=instance_env(self.instance), cwd=ROOT,
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """SIGKILL to the scheduler process only: no clean-up; its job child must notice by itself."""
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.instance.glob("scheduler-*.log")))


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_mid_way(database, job_id: int, attempt: int, timeout: float = 60) -> None:
    """Until the job's attempt ``attempt`` is running and has made some progress."""
    deadline = time.monotonic() + timeout
    while True:
        job = runner.get(database, job_id)
        if job["status"] == "running" and job["attempts"] == attempt and job["progress"] > 0:
            assert job["progress"] < 1
            return
        assert job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"job never got going: {job}"
        time.sleep(0.05)


def kill_mid_way(scheduler: Scheduler, database, job_id: int, attempt: int) -> None:
    wait_mid_way(database, job_id, attempt)
    children = scheduler.children()
    scheduler.kill()
    assert runner.get(database, job_id)["status"] == "running"  # as the dead process left it
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in children):  # the orphaned job child ends itself
        assert time.monotonic() < deadline, "the job's child process outlived its scheduler"
        time.sleep(0.1)


@pytest.fixture
def derive_job(database, instance, default_q):
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120)

    def make() -> tuple[int, int]:
        return round_id, submit(database, str(instance / "toolkit.db"), "derive", round_id, {"bootstrap": 300}, None)

    return make


def test_a_derive_job_killed_with_its_scheduler_runs_again_after_the_restart(database, instance, derive_job):
    round_id, job_id = derive_job()
    scheduler = Scheduler(instance).start()
    try:
        kill_mid_way(scheduler, database, job_id, attempt=1)
        scheduler.start()
        job = wait_for_job(database, job_id, timeout=120)
    finally:
        scheduler.stop()
    assert (job["status"], job["attempts"]) == ("done", 2), (job, scheduler.log())
    assert "1 re-run after an interruption" in scheduler.log()
    assert database.execute("SELECT count(*) FROM persona_sets WHERE round_id = ?", [round_id]).fetchone()[0] == 1


def test_a_job_interrupted_twice_is_failed_with_a_reason_the_page_shows(app, database, instance, derive_job):
    users = make_users(database)
    round_id, job_id = derive_job()
    scheduler = Scheduler(instance).start()
    try:
        kill_mid_way(scheduler, database, job_id, attempt=1)
        scheduler.start()
        kill_mid_way(scheduler, database, job_id, attempt=2)
        scheduler.start()
        job = wait_for_job(database, job_id, timeout=60)
    finally:
        scheduler.stop()
    assert (job["status"], job["failure"], job["attempts"]) == ("failed", "interrupted", 2), (job, scheduler.log())
    client = app.test_client()
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{round_id}/jobs/{job_id}").get_data(as_text=True)
    assert "Deriving failed: it was interrupted twice because the server restarted" in page
    assert 'http-equiv="refresh"' not in page  # the page stops waiting


def test_stopping_the_scheduler_hands_a_running_job_to_the_next_start_uncounted(database, instance, derive_job):
    _round_id, job_id = derive_job()
    scheduler = Scheduler(instance).start()
    try:
        wait_mid_way(database, job_id, attempt=1)
        scheduler.proc.send_signal(signal.SIGTERM)  # systemctl stop
        assert scheduler.proc.wait(30) == 0
        job = runner.get(database, job_id)
        assert (job["status"], job["attempts"]) == ("queued", 0), job
        scheduler.start()
        job = wait_for_job(database, job_id, timeout=120)
    finally:
        scheduler.stop()
    assert (job["status"], job["attempts"]) == ("done", 1), job
    assert os.path.exists(instance / "jobs-queue.db")
