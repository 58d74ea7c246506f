"""The change facts HR enters once per round (what changes, why, when, what stays the same):
stored through migration m013, entered on the round page or with `round facts`, and used by
the overview's key-message house."""

from __future__ import annotations

import io

import docx
import pytest
from conftest import login, make_users

from toolkit.data import migrations
from toolkit.data.db import connect
from toolkit.data.rounds import change_facts, create_round, round_info, save_change_facts

FACTS = {
    "what": "We plan with one new system instead of three lists.",
    "why": "So that customers get an appointment sooner.",
    "when": "From 1 March; training in February.",
    "unchanged": "Your team, your roster and your manager stay the same.",
}


@pytest.fixture
def round_id(database, default_q):
    return create_round(database, default_q, "Spring round")


def test_migration_adds_the_table_to_an_existing_database(tmp_path):
    db = connect(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in migrations._discover():
        if step.__name__ >= "m013":
            break
        step(db)
        db.execute("INSERT INTO _migrations VALUES (?, 'then')", [step.__name__])
    assert "change_facts" not in db.table_names()
    assert migrations.migrate(db)[0] == "m013_change_facts"  # then any later steps
    assert "change_facts" in db.table_names()


def test_facts_are_empty_until_entered_then_kept_per_round(database, round_id, default_q):
    assert change_facts(database, round_id) == {"what": "", "why": "", "when": "", "unchanged": ""}
    save_change_facts(database, round_id, FACTS)
    assert change_facts(database, round_id) == FACTS
    # only the facts given change; '' clears one; whitespace is tidied
    saved = save_change_facts(database, round_id, {"when": "  From 1 April.\n", "unchanged": ""})
    assert saved == dict(FACTS, when="From 1 April.", unchanged="")
    other = create_round(database, default_q, "Other round")
    assert change_facts(database, other)["what"] == ""
    info = round_info(database, {"id": round_id, "title": "t", "opens_at": None, "closes_at": None,
                                 "min_group": 5}, default_q, None)
    assert info["change_facts"]["what"] == FACTS["what"]


def test_unknown_facts_and_overlong_texts_are_refused(database, round_id):
    with pytest.raises(ValueError, match="unknown change fact"):
        save_change_facts(database, round_id, {"who": "everyone"})
    with pytest.raises(ValueError, match="at most 600 characters"):
        save_change_facts(database, round_id, {"why": "x" * 601})
    assert change_facts(database, round_id)["why"] == ""


def test_cli_sets_and_prints_the_facts(cli, database, round_id):
    result = cli("round", "facts", "--round", round_id, "--what", FACTS["what"], "--when", FACTS["when"])
    assert f"what\t{FACTS['what']}" in result.output and "why\t\n" in result.output
    assert cli("round", "facts", "--round", round_id).output.splitlines()[2] == f"when\t{FACTS['when']}"
    failed = cli("round", "facts", "--round", 999, expect_ok=False)
    assert failed.exit_code != 0 and "round 999 does not exist" in failed.output


def test_hr_enters_facts_on_the_round_page_and_the_overview_uses_them(client, database, round_id):
    users = make_users(database)
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert 'id="change-facts"' in page and 'name="unchanged"' in page
    response = client.post(f"/rounds/{round_id}/change-facts", data=FACTS)
    assert response.status_code == 302 and response.headers["Location"].endswith("#change-facts")
    assert change_facts(database, round_id) == FACTS
    assert FACTS["why"] in client.get(f"/rounds/{round_id}").get_data(as_text=True)  # shown back
    too_long = client.post(f"/rounds/{round_id}/change-facts", data=dict(FACTS, why="x" * 700))
    assert too_long.status_code == 302 and change_facts(database, round_id)["why"] == FACTS["why"]


def test_trainers_and_change_managers_cannot_change_the_facts(client, database, round_id):
    users = make_users(database)
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)",
                     [round_id, users["change_manager"][0]])
    login(client, users["change_manager"][1])
    assert client.post(f"/rounds/{round_id}/change-facts", data=FACTS).status_code == 403
    assert change_facts(database, round_id)["what"] == ""


@pytest.mark.slow
def test_overview_download_drafts_the_house_from_the_stored_facts(client, database, default_q):
    from conftest import make_round_with_responses

    from toolkit.services.pipeline import derive_round

    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120)
    derive_round(database, round_id, bootstrap=5)
    save_change_facts(database, round_id, FACTS)
    users = make_users(database)
    login(client, users["hr"][1])
    data = client.get(f"/rounds/{round_id}/overview.docx?lang=en").data
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert f"{FACTS['what']} {FACTS['why']}" in text
    assert f"When: {FACTS['when']}" in text
