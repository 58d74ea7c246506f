"""Programmes: rounds over time, comparison through the real database, reviews, the demo."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace

import pytest
from conftest import login, make_round_with_responses, make_users, served

from toolkit.core.questionnaire import get_questionnaire, load_questionnaire
from toolkit.core.synthetic import SEGMENT_SHAPES
from toolkit.data.db import utcnow
from toolkit.data.persona_sets import (
    current_persona_set,
    edit_persona,
    get_persona,
    load_persona_set,
)
from toolkit.data.responses import answers_by_response
from toolkit.data.rounds import create_round, get_round, round_questionnaire
from toolkit.services import demo, programmes
from toolkit.services.pipeline import derive_round

BASELINE = {"energised_innovator": 0.40, "anxious_rule_follower": 0.35, "practical_sceptic": 0.25}
FOLLOW_UP = {"energised_innovator": 0.50, "anxious_rule_follower": 0.15, "practical_sceptic": 0.22,
             "disengaged": 0.13}


def _segments(shares):
    return [replace(SEGMENT_SHAPES[k], share=v) for k, v in shares.items()]


def _round_with_personas(db, q, shares, seed, title, n=200):
    round_id, _answers, _labels = make_round_with_responses(db, q, n=n, seed=seed, title=title,
                                                            segments=_segments(shares))
    set_id = derive_round(db, round_id, bootstrap=5)
    return round_id, set_id


@pytest.fixture(scope="module")
def derived_rounds(tmp_path_factory):
    """Three rounds with derived personas, built once: baseline, follow-up (default) and pulse."""
    from toolkit.data.db import connect
    from toolkit.data.migrations import migrate

    db = connect(tmp_path_factory.mktemp("template") / "toolkit.db")
    migrate(db)
    default_q, pulse_q = get_questionnaire("default"), get_questionnaire("pulse")
    rounds = {
        "base": _round_with_personas(db, default_q, BASELINE, 1, "Baseline"),
        "follow": _round_with_personas(db, default_q, FOLLOW_UP, 2, "Follow-up"),
        "pulse": _round_with_personas(db, pulse_q, FOLLOW_UP, 3, "Pulse"),
    }
    yield db, rounds
    db.conn.close()


@pytest.fixture
def rounds(database, derived_rounds):
    """The three derived rounds copied into this test's own database."""
    template, rounds = derived_rounds
    template.conn.backup(database.conn)
    return rounds


@pytest.fixture
def two_round_programme(database, rounds):
    (base, base_set), (follow, follow_set) = rounds["base"], rounds["follow"]
    pid = programmes.create_programme(database, "New way of working")
    programmes.add_round(database, pid, base, "baseline")
    programmes.add_round(database, pid, follow, "follow-up")
    return pid, (base, base_set), (follow, follow_set)


def test_cli_creates_programme_adds_rounds_and_compares_as_json(cli, database, rounds):
    (base, _), (follow, _) = rounds["base"], rounds["follow"]
    pid = int(cli("programme", "create", "--name", "New way of working").output.strip())
    cli("programme", "add-round", "--programme", pid, "--round", base, "--kind", "baseline")
    assert "follow-up of programme" in cli("programme", "add-round", "--programme", pid, "--round", follow).output
    result = json.loads(cli("programme", "compare", "--programme", pid, "--format", "json").output)
    [step] = result["comparisons"]
    assert (step["before"]["id"], step["after"]["id"]) == (base, follow)
    assert sorted(ch["kind"] for ch in step["comparison"]["changes"]) == ["appear", "grow", "persist", "shrink"]
    assert result["drift"]["nl"] and result["drift"]["en"]
    text = cli("programme", "compare", "--programme", pid).output
    assert "grows" in text and "appears" in text and "What changed since the last round" in text
    dutch = cli("programme", "compare", "--programme", pid, "--lang", "nl").output
    assert dutch.startswith("Programma ") and "Wat er veranderde sinds de vorige ronde" in dutch
    assert "What changed" not in dutch and " grows " not in dutch and "(compared on" not in dutch


def test_names_of_persisting_personas_are_written_into_the_later_set(database, two_round_programme):
    pid, (_b, base_set), (_f, follow_set) = two_round_programme
    result = programmes.compare_programme(database, pid)
    changes = result["comparisons"][0]["comparison"]["changes"]
    earlier = {p["key"]: p["name"] for p in load_persona_set(database, base_set)["personas"]}
    later = {p["key"]: p["name"] for p in load_persona_set(database, follow_set)["personas"]}
    for ch in changes:
        if ch["kind"] in ("persist", "grow", "shrink"):
            assert later[ch["after"][0]["key"]] == earlier[ch["before"][0]["key"]]
    assert len(set(later.values())) == len(later)


def test_hand_edited_name_in_later_round_is_kept(database, two_round_programme, default_q):
    pid, (_b, base_set), (_f, follow_set) = two_round_programme
    persona = load_persona_set(database, follow_set)["personas"][0]
    users = make_users(database)
    edit_persona(database, persona["id"], name="Our own name", narrative="", user_id=users["hr"][0])
    programmes.sync_names(database, pid)
    assert get_persona(database, persona["id"])[0]["name"] == "Our own name"


def test_pulse_round_joins_and_is_compared_on_readiness_only(cli, database, default_q, rounds):
    (base, _), (pulse, _) = rounds["base"], rounds["pulse"]
    pid = programmes.create_programme(database, "P")
    programmes.add_round(database, pid, base, "baseline")
    programmes.add_round(database, pid, pulse, "pulse")
    comparison = programmes.compare_programme(database, pid)["comparisons"][0]["comparison"]
    readiness = [c for c, con in default_q.constructs.items() if con.block == "readiness"]
    assert comparison["shared_constructs"] == readiness
    assert "intrinsic" in comparison["unmeasured"] and "amotivation" in comparison["unmeasured"]
    text = cli("programme", "compare", "--programme", pid).output
    assert "not measured in the later round: intrinsic" in text


def _write_questionnaire(folder, text):
    path = folder / "engagement.toml"
    path.write_text(text, encoding="utf-8")
    return load_questionnaire(path)


ENGAGEMENT = """
id = "engagement"
version = "1.0"
languages = ["nl", "en"]
persona_dimensions = ["engagement"]
title.nl = "Betrokkenheid"
title.en = "Engagement"
[scales.agree5]
min = 1
max = 5
labels.nl = ["1", "2", "3", "4", "5"]
labels.en = ["1", "2", "3", "4", "5"]
[[blocks]]
id = "engagement"
title.nl = "Werk"
title.en = "Work"
[[constructs]]
id = "vigour"
block = "engagement"
name.nl = "Energie"
name.en = "Vigour"
high.nl = "veel energie"
high.en = "lots of energy"
low.nl = "weinig energie"
low.en = "little energy"
[[items]]
id = "eng_1"
type = "likert"
construct = "vigour"
scale = "agree5"
text.nl = "Ik zit vol energie."
text.en = "I am full of energy."
[[items]]
id = "eng_2"
type = "likert"
construct = "vigour"
scale = "agree5"
text.nl = "Ik begin graag."
text.en = "I like to get started."
"""


def test_round_with_an_incompatible_questionnaire_is_refused_with_the_reason(cli, database, rounds, tmp_path):
    base, _ = rounds["base"]
    other = create_round(database, _write_questionnaire(tmp_path, ENGAGEMENT), "Engagement survey")
    pid = programmes.create_programme(database, "P")
    programmes.add_round(database, pid, base, "baseline")
    result = cli("programme", "add-round", "--programme", pid, "--round", other, expect_ok=False)
    assert result.exit_code == 1
    assert f"round {other} cannot join programme {pid}" in result.output
    assert "shares no persona constructs" in result.output and "Traceback" not in result.output
    assert get_round(database, other)["programme_id"] is None


def test_unknown_kind_and_missing_programme_are_clear_errors(cli, database, default_q):
    round_id = create_round(database, default_q, "R")
    assert "not one of baseline, pulse, follow-up" in str(pytest.raises(
        programmes.ProgrammeError, programmes.add_round, database, 1, round_id, "final").value)
    result = cli("programme", "add-round", "--programme", 99, "--round", round_id, expect_ok=False)
    assert result.exit_code == 1 and "programme 99 does not exist" in result.output


def test_old_round_still_reads_after_its_questionnaire_file_changes(database, tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(get_questionnaire("default").path.rsplit("/", 1)[0], folder)
    q_old = get_questionnaire("default", folder)
    round_id, answers, _ = make_round_with_responses(database, q_old, n=40, seed=5, title="Old round")
    source = (folder / "default.toml").read_text(encoding="utf-8")
    old_text = q_old.items["rdy_eff_1"].text["en"]
    changed = source.replace(old_text, "A reworded statement about coping.").replace('version = "1.0"', 'version = "2.0"', 1)
    assert changed != source
    (folder / "default.toml").write_text(changed, encoding="utf-8")
    assert get_questionnaire("default", folder).items["rdy_eff_1"].text["en"] != old_text

    q_read = round_questionnaire(database, get_round(database, round_id))
    assert q_read.version == q_old.version and q_read.items["rdy_eff_1"].text["en"] == old_text
    stored = answers_by_response(database, round_id, q_read)
    assert sorted(map(sorted, stored.values())) == sorted(map(sorted, answers.values()))
    assert derive_round(database, round_id, bootstrap=0)


def test_review_records_who_what_and_why_and_moves_the_due_date(cli, database, two_round_programme):
    _pid, (base, base_set), _ = two_round_programme
    make_users(database)
    output = cli("review", "record", "--round", base, "--by", "hr@test.example", "--kept", "All four personas",
                 "--why", "Pulse shows the same groups").output
    due = (utcnow().date() + dt.timedelta(days=365)).isoformat()
    assert f"next review due {due}" in output
    [review] = programmes.reviews_for_set(database, base_set)
    assert (review["reviewer"], review["kept"], review["why"]) == ("Hr", "All four personas", "Pulse shows the same groups")
    assert load_persona_set(database, base_set)["review_due"] == due


def test_review_without_reason_or_content_is_refused(cli, database, two_round_programme):
    _pid, (_base, base_set), _ = two_round_programme
    with pytest.raises(programmes.ProgrammeError, match="needs a reason"):
        programmes.record_review(database, base_set, user_id=None, why=" ", kept="x")
    with pytest.raises(programmes.ProgrammeError, match="what was kept, what was changed"):
        programmes.record_review(database, base_set, user_id=None, why="because")
    make_users(database)
    result = cli("review", "record", "--set", 999, "--by", "hr@test.example", "--kept", "x", "--why", "y",
                 expect_ok=False)
    assert result.exit_code == 1 and "persona set 999 does not exist" in result.output


def test_major_change_brings_reviews_forward_and_overdue_ones_are_listed(cli, database, two_round_programme):
    pid, (_b, base_set), (_f, follow_set) = two_round_programme
    today = utcnow().date()
    assert programmes.overdue_reviews(database, today) == []
    due = programmes.register_major_change(database, pid, "Reorganisation announced", today=today)
    assert due == (today + dt.timedelta(days=30)).isoformat()
    assert current_persona_set(database, _f)["review_due"] == due
    assert programmes.overdue_reviews(database, today + dt.timedelta(days=30)) == []
    overdue = programmes.overdue_reviews(database, today + dt.timedelta(days=31))
    assert [row["set_id"] for row in overdue] == [base_set, follow_set]
    assert overdue[0]["days_overdue"] == 1 and overdue[0]["programme_name"] == "New way of working"
    visible = programmes.overdue_reviews(database, today + dt.timedelta(days=31), round_ids={_f})
    assert [row["set_id"] for row in visible] == [follow_set]
    assert [m["note"] for m in programmes.major_changes(database, pid)] == ["Reorganisation announced"]
    result = cli("programme", "major-change", "--programme", pid, "--note", " ", expect_ok=False)
    assert result.exit_code == 1 and "describe the major change" in result.output


def test_demo_programme_has_two_rounds_where_one_grows_one_shrinks_and_one_appears(database):
    from toolkit.services.demo import _ensure_users, add_synthetic_round

    user_ids = _ensure_users(database)
    base = add_synthetic_round(database, "Demo baseline", respondents=240, seed=2026, user_ids=user_ids)
    derive_round(database, base, bootstrap=5)
    pid = demo.add_demo_programme(database, user_ids, bootstrap=5)
    result = programmes.compare_programme(database, pid)
    assert [r["kind"] for r in result["rounds"]] == ["baseline", "follow-up"]
    kinds = sorted(ch["kind"] for ch in result["comparisons"][0]["comparison"]["changes"])
    assert kinds.count("grow") == 1 and kinds.count("shrink") == 1 and kinds.count("appear") == 1
    assert set(kinds) <= {"grow", "shrink", "appear", "persist"}


# --- web pages --------------------------------------------------------------------------


def test_programme_page_shows_comparison_drift_report_and_svg_trends(client, database, two_round_programme):
    pid, (base, _), (follow, _) = two_round_programme
    users = make_users(database)
    login(client, users["hr"][1])
    page = client.get(f"/programmes/{pid}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("grows", "shrinks", "appears", "persists", "What changed since the last round",
                 "A new group appeared", "Trend per construct", "Change efficacy", "Record a review"):
        assert text in html, text
    assert html.count("<svg") == 11 and "<polyline" in html
    assert "style=" not in html and "<script" not in html, "CSP: no inline style or script"
    assert "New way of working" in client.get("/programmes/").get_data(as_text=True)


def test_change_manager_sees_a_programme_only_with_access_to_all_its_rounds(client, database, two_round_programme):
    pid, (base, _), (follow, _) = two_round_programme
    users = make_users(database)
    cm = users["change_manager"][0]
    login(client, users["change_manager"][1])
    assert client.get(f"/programmes/{pid}").status_code == 403
    assert "New way of working" not in client.get("/programmes/").get_data(as_text=True)
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [base, cm])
    assert client.get(f"/programmes/{pid}").status_code == 403
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [follow, cm])
    assert client.get(f"/programmes/{pid}").status_code == 200
    assert client.post("/programmes/", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/programmes/{pid}/major-change", data={"note": "x"}).status_code == 403


def test_trainer_reads_the_comparison_of_granted_rounds_and_changes_nothing(client, database, two_round_programme):
    pid, (base, _), (follow, follow_set) = two_round_programme
    users = make_users(database)
    trainer = users["trainer"][0]
    login(client, users["trainer"][1])
    assert client.get(f"/programmes/{pid}").status_code == 403  # no round granted yet
    assert "New way of working" not in client.get("/programmes/").get_data(as_text=True)
    for round_id in (base, follow):
        database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, trainer])
    assert "New way of working" in client.get("/programmes/?lang=en").get_data(as_text=True)
    page = client.get(f"/programmes/{pid}?lang=en").get_data(as_text=True)
    for text in ("What changed since the last round", "grows", "Trend per construct", "training modules"):
        assert text in page, text
    for text in ("Record a review", ">Manage</h2>", "New programme", 'method="post" action="/programmes'):
        assert text not in page, text
    assert client.post(f"/programmes/{pid}/sets/{follow_set}/review", data={"why": "x", "kept": "y"}).status_code == 403
    assert client.post(f"/programmes/{pid}/major-change", data={"note": "x"}).status_code == 403
    assert client.post(f"/programmes/{pid}/rounds", data={"round_id": base}).status_code == 403
    assert client.post("/programmes/", data={"name": "Mine"}).status_code == 403
    assert client.get(f"/rounds/{base}/dashboard").status_code == 403  # still only personas and training
    client.post("/logout")
    login(client, users["hr"][1])
    assert client.get("/programmes/999").status_code == 404


def test_review_form_records_review_and_empty_reason_is_refused(client, database, two_round_programme):
    pid, _b, (_f, follow_set) = two_round_programme
    users = make_users(database)
    login(client, users["change_manager"][1])
    for round_id in (_b[0], _f):
        database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, users["change_manager"][0]])
    url = f"/programmes/{pid}/sets/{follow_set}/review"
    refused = client.post(url + "?lang=en", data={"kept": "All", "why": ""}, follow_redirects=True)
    assert "Not recorded: say why" in refused.get_data(as_text=True)
    assert programmes.reviews_for_set(database, follow_set) == []
    done = client.post(url + "?lang=en", data={"kept": "Names and labels", "why": "Team leads recognise them"},
                       follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Review recorded" in html and "Team leads recognise them" in html
    assert programmes.reviews_for_set(database, follow_set)[0]["reviewer"] == "Change_Manager"
    assert client.post(f"/programmes/{pid}/sets/999/review", data={"kept": "x", "why": "y"}).status_code == 404


def test_hr_creates_programme_adds_rounds_and_sees_why_a_round_is_refused(client, database, rounds, tmp_path):
    users = make_users(database)
    base, _ = rounds["base"]
    other = create_round(database, _write_questionnaire(tmp_path, ENGAGEMENT), "Engagement survey")
    login(client, users["hr"][1])
    created = client.post("/programmes/?lang=en", data={"name": "Hybrid work", "description": "2026-2027"})
    assert created.status_code == 302
    pid = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/programmes/{pid}/rounds", data={"round_id": base, "kind": "baseline"})
    assert get_round(database, base)["programme_id"] == pid
    refused = client.post(f"/programmes/{pid}/rounds?lang=en", data={"round_id": other, "kind": "follow-up"},
                          follow_redirects=True)
    assert "shares no persona constructs" in refused.get_data(as_text=True)
    assert get_round(database, other)["programme_id"] is None
    blank = client.post("/programmes/?lang=en", data={"name": ""})
    assert blank.status_code == 200 and "Hybrid work" in blank.get_data(as_text=True)


def test_overdue_reviews_are_listed_for_the_user(client, database, two_round_programme):
    pid, (base, base_set), _ = two_round_programme
    database.execute("UPDATE persona_sets SET review_due = '2020-01-01' WHERE id = ?", [base_set])
    users = make_users(database)
    login(client, users["hr"][1])
    html = client.get("/programmes/?lang=en").get_data(as_text=True)
    assert "Persona reviews overdue" in html and "due 2020-01-01" in html
    from toolkit.web.programmes import overdue_reviews

    assert [row["set_id"] for row in overdue_reviews(database, utcnow().date())] == [base_set]


@pytest.mark.browser
def test_programme_page_renders_trend_charts_in_chromium_without_csp_errors(app, database, two_round_programme):
    from playwright.sync_api import sync_playwright

    pid = two_round_programme[0]
    make_users(database)
    with served(app, threads=2) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page()
        problems = []
        # The browser asks for /favicon.ico on its own (a 404 there is not ours to test).
        page.on("console", lambda msg: problems.append(msg.text)
                if msg.type == "error" and "404" not in msg.text else None)
        page.on("response", lambda r: problems.append(r.url)
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.goto(f"{base}/login?lang=en")
        page.fill("input[name=email]", "hr@test.example")
        page.fill("input[name=password]", "correct-horse-1")
        page.click("button[type=submit], input[type=submit]")
        page.goto(f"{base}/programmes/{pid}")
        charts = page.locator("svg.trend")
        assert charts.count() == 11
        box = charts.first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 90
        org_line = page.locator("svg.trend .series.org polyline").first
        assert org_line.evaluate("e => getComputedStyle(e).strokeWidth") == "3px"
        assert page.get_by_text("A new group appeared").count() == 1
        assert problems == []
        browser.close()


def test_looking_at_and_changing_a_programme_are_in_the_audit_log(client, database, two_round_programme):
    pid, _b, (_f, follow_set) = two_round_programme
    users = make_users(database)
    hr = users["hr"][0]
    login(client, users["hr"][1])
    assert client.get(f"/programmes/{pid}").status_code == 200
    client.get("/programmes/")  # the list is not a look at one programme
    client.post(f"/programmes/{pid}/major-change", data={"note": "Reorganisation announced"})
    client.post(f"/programmes/{pid}/sets/{follow_set}/review", data={"kept": "All", "why": "Still true"})
    client.post("/programmes/", data={"name": "Second programme", "description": ""})
    rows = database.execute("SELECT action, object FROM audit WHERE user_id = ? AND action != 'login' ORDER BY id",
                            [hr]).fetchall()
    second = database.execute("SELECT id FROM programmes WHERE name = 'Second programme'").fetchone()[0]
    assert rows[:4] == [("view", f"programme {pid}"), ("major-change", f"programme {pid}"),
                        ("review", f"persona set {follow_set}"), ("create", f"programme {second}")], rows
