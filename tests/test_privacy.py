"""Minimum group size: the rules themselves, and that screens, CSV/XLSX exports and Word briefs
all keep to them, including groups that could be worked out by subtraction."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import security_worlds
from conftest import login
from security_worlds import make_template, set_evidence

from toolkit.core import privacy

# --- the rules ------------------------------------------------------------------------------


def test_groups_under_five_are_never_shown_and_a_round_can_raise_but_not_lower_the_floor():
    assert not privacy.may_show(4) and privacy.may_show(5)
    assert privacy.may_show(5, min_group=3)  # 3 is raised to the floor of 5
    assert not privacy.may_show(7, min_group=8) and privacy.may_show(8, min_group=8)


def test_an_open_anonymous_round_shows_its_count_only_in_steps_of_the_minimum():
    def shown(stored, published=0, *, anonymous=True, open_=True, min_group=5):
        return privacy.shown_response_count(stored, published, anonymous=anonymous, open_=open_, min_group=min_group)

    assert [shown(n).text() for n in (0, 4, 5, 9, 10, 14, 15)] == [
        "fewer than 5", "fewer than 5", "at least 5", "at least 5", "at least 10", "at least 10", "at least 15"]
    assert shown(16, min_group=8).text() == "at least 16" and shown(7, min_group=8).text() == "fewer than 8"
    assert shown(14, 12, open_=False).text() == "12"  # closed: what was published, exactly
    assert shown(14, 0, anonymous=False).text() == "14"  # identified rounds: as before
    assert shown(14).share_of(20) == pytest.approx(0.5) and shown(3).share_of(20) is None


def test_verbatim_answers_need_a_group_of_ten_or_twice_the_round_minimum():
    assert not privacy.may_quote(9) and privacy.may_quote(10)
    assert not privacy.may_quote(11, min_group=6) and privacy.may_quote(12, min_group=6)


def test_one_hidden_group_takes_the_next_smallest_with_it_so_it_cannot_be_subtracted():
    assert privacy.suppress_groups({"Finance": 20, "Sales": 8, "Legal": 2}) == {"Finance": 20, "Sales": None, "Legal": None}
    # two small groups that together reach the minimum are safe to hide on their own
    assert privacy.suppress_groups({"A": 20, "B": 3, "C": 2}) == {"A": 20, "B": None, "C": None}
    assert privacy.suppress_groups({"A": 20, "B": 8, "C": 3, "D": 3}) == {"A": 20, "B": 8, "C": None, "D": None}


def test_a_team_of_seven_with_a_subgroup_of_four_split_out_shows_neither_part():
    assert not privacy.may_show_part(7, 4)  # the other 3 would follow by subtraction
    assert privacy.may_show_part(10, 5) and privacy.may_show_part(7, 7)
    assert privacy.suppress_groups({"managers": 4}, total=7) == {"managers": None}
    assert privacy.suppress_groups({"managers": 2}, total=7) == {"managers": None}
    table = privacy.suppress_breakdown({"Finance": 7, "Sales": 20, "Legal": 4},
                                       {"Finance": {"p1": 4, "p2": 3}, "Sales": {"p1": 12, "p2": 8},
                                        "Legal": {"p1": 4}})
    assert table == {"Finance": {"p1": None, "p2": None}, "Sales": {"p1": 12, "p2": 8}, "Legal": {"p1": None}}


def test_persona_context_hides_a_category_when_the_rest_of_the_persona_would_be_small():
    persona = {"key": "p1", "size": 17, "presented": True,
               "description": {"context": {"team": [{"value": "HR", "n": 8}, {"value": "Finance", "n": 6}]}}}
    privacy.presentable_personas({"personas": [persona]})
    assert persona["description"]["context"]["team"] == [{"value": "HR", "n": 8}]
    assert any("worked out" in s for s in persona["description"]["suppressed"])


# --- screens and briefs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return make_template(tmp_path_factory, "privacy")


# The per-test copy of the world and its database connection (shared fixtures).
world, database = security_worlds.world, security_worlds.database


def _zip_of_round(client, database, round_id: int) -> bytes:
    """All briefs as a zip, the way the page gets them: start the job, let the scheduler's job
    consumer build it, download."""
    from conftest import wait_for_job

    from toolkit.jobs.queue import JobConsumer

    # The world holds a queued derive job for the access tests; it is not this test's business.
    database.execute("UPDATE jobs SET status = 'failed' WHERE status = 'queued'")
    consumer = JobConsumer(database.execute("PRAGMA database_list").fetchone()[2], workers=1)
    consumer.start()
    try:
        started = client.post(f"/rounds/{round_id}/briefs-zip?lang=en")
        job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
        assert wait_for_job(database, job_id, timeout=60)["status"] == "done"
    finally:
        consumer.stop()
    download = client.get(f"/rounds/{round_id}/zips/{job_id}/download")
    assert download.status_code == 200
    return download.data


def _names(database, persona_ids):
    return [database.execute("SELECT name FROM personas WHERE id = ?", [pid]).fetchone()[0] for pid in persona_ids]


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_a_persona_under_the_minimum_appears_on_no_screen_and_in_no_brief(client, world, database):
    scope = world["rounds"]["granted"]
    small_id, big_id = scope["persona_ids"]
    database.execute("UPDATE personas SET size = 4, name = 'Tinygroup' WHERE id = ?", [small_id])
    login(client, world["users"]["hr"][1])
    for url in (f"/rounds/{scope['round_id']}", f"/rounds/{scope['round_id']}/personas"):
        page = client.get(url).get_data(as_text=True)
        assert "Tinygroup" not in page, url
        assert _names(database, [big_id])[0] in page, url
    assert client.get(f"/personas/{small_id}").status_code == 404
    assert client.get(f"/personas/{small_id}/brief/training.docx?lang=en").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(_zip_of_round(client, database, scope["round_id"])))
    assert not any("tinygroup" in name for name in archive.namelist())
    overview = docx_text(client.get(f"/rounds/{scope['round_id']}/overview.docx?lang=en").data)
    assert "Tinygroup" not in overview


def test_raising_a_rounds_minimum_hides_personas_below_it(client, world, database):
    scope = world["rounds"]["granted"]
    sizes = {pid: database.execute("SELECT size FROM personas WHERE id = ?", [pid]).fetchone()[0]
             for pid in scope["persona_ids"]}
    smaller = min(sizes, key=sizes.get)
    database.execute("UPDATE rounds SET min_group = ? WHERE id = ?", [sizes[smaller] + 1, scope["round_id"]])
    login(client, world["users"]["hr"][1])
    assert client.get(f"/personas/{smaller}").status_code == 404
    page = client.get(f"/rounds/{scope['round_id']}/personas").get_data(as_text=True)
    assert _names(database, [smaller])[0] not in page


def test_quotes_appear_only_for_personas_of_at_least_ten(client, world, database):
    pid = world["rounds"]["granted"]["persona_ids"][0]
    set_evidence(database, pid, size=9, quotes=["QUOTE-FOR-NINE"], situations=["SITUATION-FOR-NINE"])
    login(client, world["users"]["hr"][1])
    assert "QUOTE-FOR-NINE" not in client.get(f"/personas/{pid}").get_data(as_text=True)
    for kind in ("communication", "training"):
        text = docx_text(client.get(f"/personas/{pid}/brief/{kind}.docx?lang=en").data)
        assert "QUOTE-FOR-NINE" not in text and "SITUATION-FOR-NINE" not in text, kind
    set_evidence(database, pid, size=12, quotes=["QUOTE-FOR-TWELVE"])
    assert "QUOTE-FOR-TWELVE" in client.get(f"/personas/{pid}").get_data(as_text=True)


def test_briefs_leave_out_a_team_that_the_rest_of_the_persona_would_reveal(client, world, database):
    pid = world["rounds"]["granted"]["persona_ids"][0]
    set_evidence(database, pid, size=17, context={
        "team": [{"value": "Bigteam", "n": 8}, {"value": "Sixteam", "n": 6}, {"value": "Twoteam", "n": 2}]})
    login(client, world["users"]["hr"][1])
    text = docx_text(client.get(f"/personas/{pid}/brief/training.docx?lang=en").data)
    assert "Bigteam" in text
    assert "Twoteam" not in text  # under five
    assert "Sixteam" not in text  # 17 - 8 - 6 = 3 others would follow by subtraction


# --- exports -------------------------------------------------------------------------------


def _round_with_context(database, q, contexts: list[tuple[str, str]], title="Exported", texts=None) -> int:
    """An anonymous round where response i has role/age contexts[i] and open answer texts[i]."""
    from toolkit.core.synthetic import generate_responses
    from toolkit.data.db import transaction
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import create_round

    round_id = create_round(database, q, title)
    answers, _labels, _contexts = generate_responses(q, len(contexts), seed=3)
    with transaction(database):
        for i, (rid, (role, age)) in enumerate(zip(sorted(answers), contexts, strict=True)):
            a = dict(answers[rid], ctx_role=role, ctx_age=age)
            a["open_worry"] = (texts or {}).get(i, f"worry text {i}")
            insert_response(database, q, round_id, a, external_id=rid)
    return round_id


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(data: bytes) -> list[dict]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_answer_exports_hide_small_context_groups_and_their_subtraction_partner(client, world, database, default_q):
    # role: 7 operational, 3 staff, 2 management -> the two small ones hide together (5)
    # age: 9 "30_44", 3 "45_54" -> one small group, so the other must hide too (12 - 9 = 3)
    contexts = ([("operational", "30_44")] * 7 + [("staff", "30_44")] * 2 + [("staff", "45_54")]
                + [("management", "45_54")] * 2)
    round_id = _round_with_context(database, default_q, contexts)
    login(client, world["users"]["hr"][1])
    for fmt, read in (("csv", _csv_rows), ("xlsx", _xlsx_rows)):
        response = client.get(f"/rounds/{round_id}/answers.{fmt}")
        assert response.status_code == 200, fmt
        rows = read(response.data)
        assert len(rows) == 12
        roles = sorted(str(r["ctx_role"]) for r in rows)
        assert "staff" not in roles and "management" not in roles, fmt
        ages = {str(r["ctx_age"]) for r in rows}
        assert ages == {"<5"}, (fmt, ages)
        # the 7 operational people share one age band that is hidden, so their combination is 7
        assert roles.count("operational") == 7, fmt
        assert all(r["open_worry"] for r in rows), "12 respondents: open answers may be exported"


def test_answer_exports_leave_out_open_answers_below_ten_respondents(client, world, database, default_q):
    round_id = _round_with_context(database, default_q, [("operational", "30_44")] * 6, title="Six",
                                   texts={0: "WORRY-OF-ONE-OF-SIX"})
    login(client, world["users"]["hr"][1])
    data = client.get(f"/rounds/{round_id}/answers.csv").data
    rows = _csv_rows(data)
    assert len(rows) == 6 and all(not r["open_worry"] for r in rows)
    assert b"WORRY-OF-ONE-OF-SIX" not in data


def test_persona_export_on_the_command_line_withholds_small_personas(cli, world, database):
    import json

    scope = world["rounds"]["granted"]
    small_id = scope["persona_ids"][0]
    database.execute("UPDATE personas SET size = 3, name = 'Tinygroup' WHERE id = ?", [small_id])
    result = cli("personas", "export", "--round", scope["round_id"], "--format", "json")
    exported = json.loads(result.output)
    assert "Tinygroup" not in result.output and exported["withheld_personas"] == 1
