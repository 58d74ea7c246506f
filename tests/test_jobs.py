"""Background jobs: progress and result recorded, failures shown in words a person can use."""

from toolkit.data.rounds import create_round
from toolkit.jobs import runner as jobs


def _finished(database, instance, job_id, work):
    jobs.start(str(instance / "toolkit.db"), job_id, work).join(timeout=60)
    return jobs.get(database, job_id)


def test_a_job_records_progress_and_its_result(database, instance, default_q):
    round_id = create_round(database, default_q, "R")
    job_id = jobs.create(database, "test", round_id, {"x": 2}, None)

    def work(db, job, params, progress):
        progress(0.5, "half")
        return {"double": params["x"] * 2}

    job = _finished(database, instance, job_id, work)
    assert (job["status"], job["progress"], job["result"]) == ("done", 1, '{"double": 4}')


def test_a_failed_derive_says_why_and_other_errors_only_their_kind(database, instance, default_q):
    round_id = create_round(database, default_q, "Empty")
    job_id = jobs.create(database, "derive", round_id, {}, None)
    jobs.start_derive(str(instance / "toolkit.db"), job_id).join(timeout=60)
    job = jobs.get(database, job_id)
    assert job["status"] == "failed" and "0 responses" in job["message"]

    def broken(db, job, params, progress):
        raise OSError("/secret/path is full")

    job = _finished(database, instance, jobs.create(database, "test", round_id, {}, None), broken)
    assert job["status"] == "failed" and job["message"] == "OSError"
    assert "/secret/path" in job["result"]  # the traceback stays on the server side
