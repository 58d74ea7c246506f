"""Invited, answered online, imported from elsewhere: three counts, each shown as what it is.

The case of the issue: 12 invited, 11 answered online, then 70 answers imported from a file.
Before, the round page said "81 of 12 invited · 92 %" (sic), the dashboard 675 % on a broken
axis and the overview brief "Response rate 675 %". Now every screen and the brief show the
three counts, and a rate only of the invited who answered online.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import login, make_users
from docx import Document

from toolkit.core.participation import ResponseCounts, response_rate
from toolkit.core.privacy import ShownCount
from toolkit.core.synthetic import generate_responses
from toolkit.data.persona_sets import current_persona_set, save_persona_set
from toolkit.data.responses import insert_response, response_counts
from toolkit.data.rounds import create_round, get_round, round_info
from toolkit.services.participants import import_participants
from toolkit.services.pipeline import brief_bytes

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "persona_set_example.json"


def percentages(text: str) -> list[float]:
    """Every percentage written in ``text`` ("92%", "92 %", "92,3 %")."""
    return [float(m.replace(",", ".")) for m in re.findall(r"(\d+(?:[.,]\d+)?)\s?%", text)]


@pytest.fixture
def round_12_11_70(cli, database, default_q, tmp_path) -> int:
    round_id = create_round(database, default_q, "Twelve invited")
    import_participants(database, round_id, [
        {"row": n + 2, "email": f"p{n}@example.org", "name": f"P{n}", "team": "Sales", "language": "en",
         "attributes": {}} for n in range(12)], "test-secret")
    answers, _labels, contexts = generate_responses(default_q, 81, seed=3)
    ids = sorted(answers)
    for rid in ids[:11]:  # answered online, through their links
        insert_response(database, default_q, round_id, answers[rid], context=contexts.get(rid))
    database.execute("UPDATE participants SET responded = 1 WHERE id IN (SELECT id FROM participants LIMIT 11)")
    path = tmp_path / "paper.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        items = list(default_q.items)
        writer.writerow(["respondent_id", *items])
        for rid in ids[11:]:  # 70 collected on paper
            writer.writerow([rid, *[("|".join(v) if isinstance(v := answers[rid].get(i, ""), list) else v)
                                    for i in items]])
    assert "Imported 70 responses" in cli("responses", "import", path, "--round", round_id).output
    persona_set = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for persona in persona_set["personas"]:
        persona["members"] = []
    save_persona_set(database, round_id, persona_set)
    return round_id


def test_counts_and_rate_are_kept_apart():
    assert ResponseCounts(12, ShownCount(exact=11), 70).rate == pytest.approx(11 / 12)
    assert ResponseCounts(12, ShownCount(at_least=10), 70).rate == pytest.approx(10 / 12)  # a lower bound
    assert ResponseCounts(12, ShownCount(fewer_than=5), 70).rate is None
    assert response_rate(81, 12) is None and response_rate(3, 0) is None and response_rate(0, 12) == 0.0


def test_round_page_dashboard_and_brief_show_three_counts_and_no_rate_above_100(app, database, default_q,
                                                                                round_12_11_70):
    round_id = round_12_11_70
    assert response_counts(database, get_round(database, round_id)) == ResponseCounts(12, ShownCount(exact=11), 70)
    client = app.test_client()
    login(client, make_users(database)["hr"][1])

    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    for ident, value in (("count-invited", "12"), ("count-online", "11"), ("count-imported", "70"),
                         ("response-rate", "92%")):
        assert re.search(rf'id="{ident}">{value}<', page), ident
    assert max(percentages(page)) <= 100

    dashboard = client.get(f"/rounds/{round_id}/dashboard").get_data(as_text=True)
    for ident, value in (("count-invited", "12"), ("count-online", "11"), ("count-imported", "70")):
        assert re.search(rf'id="{ident}">{value}<', dashboard), ident
    chart = dashboard[dashboard.find('<svg class="chart timeline'):dashboard.find("</svg>")]
    assert "Response rate per day" in chart and "100%" in chart and max(percentages(chart)) == 100
    assert "the 70 imported responses have no invitation" in dashboard
    assert max(percentages(dashboard)) <= 100

    info = round_info(database, get_round(database, round_id), default_q, None)
    assert (info["invited"], info["answered_online"], info["imported"], info["responses"]) == (12, 11, 70, 81)
    brief = Document(io.BytesIO(brief_bytes(database, get_round(database, round_id), current_persona_set(database, round_id),
                                            None, "overview", "en")))
    rows = {r.cells[0].text: r.cells[1].text for t in brief.tables for r in t.rows if len(r.cells) >= 2}
    assert (rows["Invited"], rows["Answered online"], rows["Imported from elsewhere"]) == ("12", "11", "70")
    assert rows["Completed questionnaires"] == "81" and rows["Response rate"] in ("92%", "92 %")
    text = "\n".join([p.text for p in brief.paragraphs] + list(rows.values()))
    assert "675" not in text and max(percentages(text)) <= 100


def test_imported_answers_have_no_day_of_answering(database, default_q):
    """Migration m010: the day counters behind the rate over time count answers given online only."""
    from toolkit.core.intake import ImportedResponse
    from toolkit.data.responses import daily_counts, import_responses

    round_id = create_round(database, default_q, "Days", mode="identified")
    insert_response(database, default_q, round_id, {"mot_int_1": 4})
    import_responses(database, get_round(database, round_id), default_q,
                     [ImportedResponse(n + 2, f"x{n}", {"mot_int_1": 3}, {}) for n in range(70)])
    assert sum(daily_counts(database, round_id).values()) == 1
    assert response_counts(database, get_round(database, round_id)) == ResponseCounts(0, ShownCount(exact=1), 70)
