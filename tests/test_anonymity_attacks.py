"""The attacks of issue 16, played through the web app by HR and by a change manager.

A determined HR user (or a change manager granted the round) watches an anonymous round while
one named colleague answers, and tries every screen and export to find that colleague's answers:
the answer export before and after, the answer day, the responded flag and the participant's
data export, the dashboard from n to n+1, per-team counts, persona counts, and a reopened round.
Each test asserts that nothing narrows the colleague down to one response, and that after the
close every answer is in the published figures.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import login, make_users
from respondents import SECRET, answer, open_round

from toolkit.data.access import grant_round

MIN_GROUP = 5
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


@pytest.fixture
def app(database, instance):
    from toolkit import create_app

    return create_app({"TESTING": True, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": False})


def varied(number: int):
    """Answers that differ per person (so personas and figures have something to separate)."""
    return lambda item_id: 1 + (number * 3 + sum(map(ord, item_id))) % 5


@pytest.fixture
def scene(app, database, pulse):
    """An open anonymous round of 24: Finance 8 (the colleague is Finance's first), Sales 12 and
    Legal 4 (too small to be stored with an answer); ten people other than the colleague (Sales 6,
    Finance 3, Legal 1) have answered. HR and a change manager granted the round log in."""
    users = make_users(database)
    round_id, people = open_round(database, pulse, people=24,
                                  teams=("Finance", "Sales", "Sales", "Finance", "Sales", "Legal"))
    grant_round(database, round_id, users["change_manager"][0])
    colleague = people[0]
    others = [p for p in people if p is not colleague]
    for number, person in enumerate(others[:10], start=1):
        answer(app, person, pulse, varied(number))
    hr, change = app.test_client(), app.test_client()
    login(hr, users["hr"][1])
    login(change, users["change_manager"][1])
    return {"round_id": round_id, "colleague": colleague, "others": others, "hr": hr, "change": change,
            "app": app, "db": database, "pulse": pulse}


def export_rows(client, round_id: int) -> list[dict] | None:
    """The CSV answer export as dicts, or None when it was refused."""
    response = client.get(f"/rounds/{round_id}/answers.csv")
    if response.status_code != 200:
        return None
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def snapshot(scene) -> dict[str, str]:
    """Everything HR and the change manager can look at for the round, as text."""
    round_id, colleague, hr, change = scene["round_id"], scene["colleague"], scene["hr"], scene["change"]
    pages = {
        "HR home": hr.get("/"), "HR round list": hr.get("/rounds/"), "HR round page": hr.get(f"/rounds/{round_id}"),
        "HR dashboard": hr.get(f"/rounds/{round_id}/dashboard"),
        "HR personas": hr.get(f"/rounds/{round_id}/personas"),
        "HR participant search": hr.get(f"/admin/rounds/{round_id}/participants?q={colleague['email']}"),
        "HR participant data export": hr.get(f"/admin/rounds/{round_id}/participants/{colleague['id']}.json"),
        "change manager home": change.get("/"), "change manager round page": change.get(f"/rounds/{round_id}"),
        "change manager dashboard": change.get(f"/rounds/{round_id}/dashboard"),
        "change manager personas": change.get(f"/rounds/{round_id}/personas"),
    }
    # A CSRF token is signed with the time: it is the one thing allowed to differ between views.
    seen = {name: f"{r.status_code} {CSRF.sub('csrf', r.get_data(as_text=True))}" for name, r in pages.items()}
    for fmt in ("csv", "xlsx"):
        exported = hr.get(f"/rounds/{round_id}/answers.{fmt}")
        seen[f"HR answers.{fmt}"] = f"{exported.status_code} {exported.data!r}"
        hr.get("/rounds/")  # shows (and so clears) a refusal message, the same way each time
    return seen


def close(scene) -> None:
    assert scene["hr"].post(f"/rounds/{scene['round_id']}/close").status_code == 302


def reopen(scene) -> None:
    assert scene["hr"].post(f"/rounds/{scene['round_id']}/reopen").status_code == 302


def test_no_screen_or_export_moves_when_one_named_colleague_answers(scene):
    before = snapshot(scene)
    answer(scene["app"], scene["colleague"], scene["pulse"], varied(0))
    after = snapshot(scene)
    moved = sorted(name for name in before if before[name] != after[name])
    assert moved == [], f"moved: {moved}"


def test_open_round_shows_the_count_in_steps_of_the_minimum_and_no_figures(scene):
    round_id, hr = scene["round_id"], scene["hr"]
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "at least 10" in page and "Responded" not in page
    assert "nobody, you included, can see who answered" in page  # what anonymity means for HR
    dashboard = hr.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True)
    assert "chart-timeline" not in dashboard and "chart-scores" not in dashboard
    assert "when the round closes" in dashboard
    assert export_rows(hr, round_id) is None
    derive = hr.post(f"/rounds/{round_id}/derive", data={"k": ""}, follow_redirects=True)
    assert "once the round has closed" in derive.get_data(as_text=True)
    assert scene["db"].execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


def test_participant_data_export_and_search_hold_no_response_status(scene):
    round_id, colleague, hr = scene["round_id"], scene["colleague"], scene["hr"]
    answer(scene["app"], colleague, scene["pulse"], varied(0))
    data = hr.get(f"/admin/rounds/{round_id}/participants/{colleague['id']}.json").get_json()
    assert "responded" not in json.dumps(data) and data["responses"] == []
    assert data["participant"]["email"] == colleague["email"] and data["round"]["mode"] == "anonymous"
    assert "anonymous" in data["note"]
    assert all(not m["kind"].startswith("reminder") for m in data["messages"])
    stored = scene["db"].execute("SELECT responded, link_used FROM participants WHERE id = ?",
                                 [colleague["id"]]).fetchone()
    assert stored == (0, 0)  # nothing about the person changed when they answered


def test_after_close_every_answer_is_published_at_once_without_identifier_day_or_order(scene):
    round_id, hr, db = scene["round_id"], scene["hr"], scene["db"]
    answer(scene["app"], scene["colleague"], scene["pulse"], varied(0))
    assert db.execute("SELECT count(*) FROM responses WHERE submitted_on IS NOT NULL").fetchone()[0] == 0
    close(scene)
    rows = export_rows(hr, round_id)
    assert rows is not None and len(rows) == 11
    assert not {"response_id", "respondent_id", "submitted_on"} & set(rows[0])
    again = hr.get(f"/rounds/{round_id}/answers.csv").data
    assert again == hr.get(f"/rounds/{round_id}/answers.csv").data  # the same data gives the same file
    items = [c for c in rows[0] if c in scene["pulse"].items]
    assert [tuple(r[c] for c in rows[0]) for r in rows] == sorted(tuple(r[c] for c in rows[0]) for r in rows)
    assert items
    dashboard = hr.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True)
    assert "chart-scores" in dashboard and 'id="count-invited">24<' in dashboard and 'id="count-online">11<' in dashboard
    # the answer day: shown only now, in periods of at least the minimum (here one day of eleven)
    assert "chart-timeline" in dashboard and "Figures per period" in dashboard
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert 'id="count-invited">24<' in page and 'id="count-online">11<' in page  # invited, answered online


def test_per_team_counts_cannot_be_worked_out_by_subtraction(scene):
    round_id, hr = scene["round_id"], scene["hr"]
    answer(scene["app"], scene["colleague"], scene["pulse"], varied(0))
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    table = page[page.index("rate-table"):page.index("</table>", page.index("rate-table"))]
    assert "Responded" not in table and "Rate" not in table
    close(scene)
    dashboard = hr.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True)
    # Sales 6 and Finance 4 answered, Legal (4 people) is stored without a team: each shown team is
    # at least the minimum and so is the rest that a reader could work out from the total.
    shown = dict(re.findall(r'<th scope="col" class="num">(\w+) <span class="meta">\(n = (\d+)\)', dashboard))
    assert all(int(n) >= MIN_GROUP for n in shown.values())
    assert 11 - sum(int(n) for n in shown.values()) in (0, *range(MIN_GROUP, 12))


def test_persona_counts_are_derived_only_from_the_closed_round(scene, cli):
    round_id, db = scene["round_id"], scene["db"]
    refused = cli("personas", "derive", "--round", round_id, "--bootstrap", "2", expect_ok=False)
    assert refused.exit_code == 1 and "once the round has closed" in refused.output
    answer(scene["app"], scene["colleague"], scene["pulse"], varied(0))
    close(scene)
    cli("personas", "derive", "--round", round_id, "--k", "1", "--bootstrap", "2")  # one profile of all 11
    n_used = json.loads(db.execute("SELECT data FROM persona_sets WHERE round_id = ?", [round_id]).fetchone()[0])["n_used"]
    assert n_used == 11
    exported = cli("personas", "export", "--round", round_id, "--format", "csv")
    assert exported.stdout.strip() == "respondent_id,persona"  # web answers carry no identifier at all
    assert "11 responses given through personal links are not listed" in exported.stderr


def test_a_reopened_round_holds_back_fewer_new_answers_than_the_minimum(scene, cli):
    round_id, hr, db = scene["round_id"], scene["hr"], scene["db"]
    close(scene)
    cli("personas", "derive", "--round", round_id, "--bootstrap", "2")
    dashboard_at_close = CSRF.sub("csrf", hr.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True))
    assert "chart-timeline" in dashboard_at_close
    reopen(scene)
    published = snapshot(scene)
    answer(scene["app"], scene["colleague"], scene["pulse"], varied(0))
    close(scene)
    # Closed again with the colleague's answer held back: the dashboard, its response over time
    # included, is what it was at the first close (it counted 11 of 10 published before).
    assert CSRF.sub("csrf", hr.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True)) == dashboard_at_close
    reopen(scene)  # the same state as before the colleague answered, apart from what is held back
    held = snapshot(scene)
    moved = sorted(name for name in published if published[name] != held[name])
    assert moved == [], f"moved: {moved}"
    close(scene)
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "1 answer that came in after the round was reopened is not used" in page
    assert len(export_rows(hr, round_id)) == 10

    # Five more, all from Sales: they are published together, the colleague (alone in Finance) is not.
    reopen(scene)
    sales = [p for p in scene["others"][10:] if p["team"] == "Sales"]
    assert len(sales) >= MIN_GROUP
    for number, person in enumerate(sales[:MIN_GROUP], start=20):
        answer(scene["app"], person, scene["pulse"], varied(number))
    close(scene)
    assert len(export_rows(hr, round_id)) == 15
    page = hr.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "1 answer that came in after the round was reopened is not used" in page
    assert db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0] == 16
