"""Outcomes per persona (issue 17): an own instrument's exit reasons carried in, profiled per
persona with their effect size under the minimum-group rules, and pages that speak only of
what the instrument measured."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from babel.numbers import format_decimal
from conftest import login, make_users
from exit_survey import INSTRUMENT, exit_rows, write_csv

from toolkit.core.effects import cramers_v, newcombe_difference
from toolkit.core.personas.outcomes import shown_cells
from toolkit.core.privacy import presentable_personas
from toolkit.data.persona_sets import current_persona_set


@pytest.fixture
def exit_round(cli, database, tmp_path):
    """The exit survey: 400 leavers, two kinds; the manager is a reason for 40 % of one, 5 % of the other."""
    cli("questionnaire", "add", INSTRUMENT)
    rows = exit_rows(400, seed=17)
    round_id = cli("round", "create", "--questionnaire", "exit-survey", "--title", "Leavers 2025").output.strip()
    cli("responses", "import", write_csv(tmp_path / "export.csv", rows), "--round", round_id,
        "--outcome", "rehire:yes_no", "--outcome", "absence_days:numeric")
    cli("personas", "derive", "--round", round_id, "--bootstrap", 20)
    external = dict(database.execute("SELECT id, external_id FROM responses WHERE round_id = ?", [round_id]))
    return int(round_id), {r["respondent_id"]: r for r in rows}, external


def manager_leavers(database, round_id):
    personas = presentable_personas(current_persona_set(database, round_id, members=True))
    return max(personas, key=lambda p: next(o for o in p["description"]["outcomes"]
                                             if o["variable"] == "reason_manager")["categories"][0]["share"])


def test_a_yes_no_outcome_is_profiled_against_the_rest_with_its_effect_size(database, exit_round):
    round_id, rows, external = exit_round
    persona = manager_leavers(database, round_id)
    members = {external[m] for m in persona["members"]}
    rest = set(rows) - members
    outcome = next(o for o in persona["description"]["outcomes"] if o["variable"] == "reason_manager")
    yes, yes_rest = (sum(rows[r]["reason_manager"] == "yes" for r in group) for group in (members, rest))
    assert outcome["shown"] and outcome["n"] == len(members) and outcome["rest_n"] == len(rest)
    (category,) = outcome["categories"]
    assert category["value"] == "yes" and category["n"] == yes
    assert category["share"] == round(yes / len(members), 3) and 0.3 < category["share"] < 0.5
    assert category["rest_share"] == round(yes_rest / len(rest), 3) and category["rest_share"] < 0.1
    diff, low, high = newcombe_difference(yes, len(members), yes_rest, len(rest))
    assert category["diff"] == round(diff, 3) and category["ci"] == [round(low, 3), round(high, 3)] and low > 0
    v = cramers_v([[yes, len(members) - yes], [yes_rest, len(rest) - yes_rest]])
    assert outcome["effect"] == {"measure": "cramers_v", "value": round(v, 3), "magnitude": "medium"}


def test_a_category_under_the_minimum_group_is_not_shown(database, exit_round):
    round_id, rows, _ = exit_round
    assert Counter(r["separation"] for r in rows.values())["retired"] == 3
    for persona in current_persona_set(database, round_id)["personas"]:
        separation = next(o for o in persona["description"]["outcomes"] if o["variable"] == "separation")
        shown = {c["value"] for c in separation["categories"]}
        assert "retired" not in shown and separation["hidden"] >= 1
        # "dismissed" would give the 3 away by subtraction from the total, so it goes too
        assert "dismissed" not in shown and {"resigned", "end of contract"} <= shown


def test_numeric_and_import_declared_outcomes_come_along(database, exit_round):
    round_id, rows, external = exit_round
    persona = manager_leavers(database, round_id)
    by_id = {o["variable"]: o for o in persona["description"]["outcomes"]}
    assert list(by_id) == ["reason_manager", "reason_pay", "separation", "rehire", "absence_days"]
    absence = by_id["absence_days"]
    values = [float(rows[external[m]]["absence_days"]) for m in persona["members"]]
    assert absence["mean"] == round(sum(values) / len(values), 3)
    assert absence["diff"] > 0 and absence["ci"][0] > 0 and absence["effect"]["measure"] == "cohens_d"
    assert by_id["rehire"]["categories"][0]["value"] == "yes"  # "ja" / "nee" read as yes / no


def test_the_persona_page_shows_outcomes_and_nothing_the_instrument_did_not_ask(client, database, exit_round):
    round_id, _rows, _ = exit_round
    login(client, make_users(database)["hr"][1])
    persona = manager_leavers(database, round_id)
    outcome = next(o for o in persona["description"]["outcomes"] if o["variable"] == "reason_manager")
    category = outcome["categories"][0]
    page = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
    assert "Left because of the manager: yes" in page
    assert f"{round(category['share'] * 100)}% (n = {category['n']})" in page
    assert f"{round(category['rest_share'] * 100)}%" in page
    assert f"V = {format_decimal(outcome['effect']['value'], '0.00', locale='en')} (medium)" in page
    assert "retired" not in page
    assert "Difference (95% CI)" in page and "%%" not in page
    overview = client.get(f"/rounds/{round_id}/personas?lang=en").get_data(as_text=True)
    for html in (page, overview):
        for never in ("ADKAR", "Channel", "Messenger", "Communication preferences", "Learning preferences",
                      "In their own words", "barrier"):
            assert never not in html
    dutch = client.get(f"/personas/{persona['id']}?lang=nl").get_data(as_text=True)
    assert "Vertrokken vanwege de leidinggevende: ja" in dutch


def test_the_description_says_what_was_asked(database, exit_round):
    round_id, _rows, _ = exit_round
    for persona in current_persona_set(database, round_id)["personas"]:
        asked = persona["description"]["asked"]
        assert asked["outcomes"] and asked["context.team"]  # team came with the export
        assert not any(asked[k] for k in ("adkar", "communication", "learning", "situations", "quotes",
                                          "communication.channels", "learning.format", "context.role"))
        assert persona["description"]["adkar"] == [] and persona["description"]["quotes"] == []


def test_cells_that_would_reveal_a_small_group_by_subtraction_are_hidden():
    # 23 said yes: 20 in A and 3 in B. Showing A's 20 beside the total would reveal B's 3.
    shown = shown_cells([Counter(yes=20, no=30), Counter(yes=3, no=47)], [50, 50], 5)
    assert "yes" not in shown[0] and "yes" not in shown[1]
    shown = shown_cells([Counter(yes=20, no=30), Counter(yes=6, no=44)], [50, 50], 5)
    assert shown == [{"yes", "no"}, {"yes", "no"}]
    # A persona whose "no" group is small cannot show its "yes" either (size minus yes = no).
    shown = shown_cells([Counter(yes=46, no=4), Counter(yes=20, no=30)], [50, 50], 5)
    assert shown[0] == set()
    # Members without a value count as a group of their own: 3 unknown in A hides A's figures.
    shown = shown_cells([Counter(yes=20, no=27), Counter(yes=10, no=40)], [50, 50], 5)
    assert shown[0] == set()


def test_identified_rounds_take_outcomes_from_the_participant_list(cli, database, tmp_path):
    from toolkit.core.questionnaire import load_questionnaire
    from toolkit.data.db import transaction
    from toolkit.data.responses import insert_response
    from toolkit.data.rounds import create_round
    from toolkit.services.participants import import_participants
    from toolkit.services.pipeline import derive_round

    q = load_questionnaire(INSTRUMENT)
    round_id = create_round(database, q, "Identified leavers", mode="identified")
    rows = exit_rows(120, seed=5)
    import_participants(database, round_id, [
        {"email": f"{r['respondent_id']}@example.org", "name": "", "team": "", "language": "en",
         "attributes": {"Reason manager": r["reason_manager"]}} for r in rows], "k" * 32)
    ids = dict(database.execute("SELECT email, id FROM participants WHERE round_id = ?", [round_id]))
    with transaction(database):
        for r in rows:
            answers = {k: int(v) for k, v in r.items() if k[-2:] in ("_1", "_2", "_3")}
            insert_response(database, q, round_id, answers, participant_id=ids[f"{r['respondent_id']}@example.org"])
    derive_round(database, round_id, bootstrap=0)
    reason = {f"{r['respondent_id']}@example.org": r["reason_manager"] for r in rows}
    email_of = dict(database.execute(
        "SELECT r.id, p.email FROM responses r JOIN participants p ON p.id = r.participant_id WHERE r.round_id = ?",
        [round_id]))
    personas = current_persona_set(database, round_id, members=True)["personas"]
    assert sum(next(o for o in p["description"]["outcomes"] if o["variable"] == "reason_manager")["n"]
               for p in personas) == 120
    shown = 0
    for persona in personas:
        outcome = next(o for o in persona["description"]["outcomes"] if o["variable"] == "reason_manager")
        yes = sum(reason[email_of[m]] == "yes" for m in persona["members"])
        for category in outcome["categories"]:
            assert (category["value"], category["n"]) == ("yes", yes)
            shown += 1
    assert shown >= 1


def selected_uses(page: str) -> dict[str, str]:
    """What the preview's form would post as it is shown: each select's chosen option."""
    uses = {}
    for select in re.finditer(r'<select name="(use-\d+)".*?</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
        uses[select.group(1)] = chosen.group(1) if chosen else re.search(r'<option value="([^"]*)"', select.group(0))[1]
    return uses


def test_the_web_import_keeps_typed_outcome_columns_and_the_page_tells_a_possible_split(client, cli, database, tmp_path):
    import io

    cli("questionnaire", "add", INSTRUMENT)
    round_id = cli("round", "create", "--questionnaire", "exit-survey", "--title", "Web import").output.strip()
    login(client, make_users(database)["hr"][1])
    rows = exit_rows(300, seed=17, strength=0.5)
    headers = list(rows[0])
    data = write_csv(tmp_path / "export.csv", rows).read_bytes()
    preview = client.post(f"/rounds/{round_id}/responses", data={"file": (io.BytesIO(data), "export.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 302
    preview_url = preview.headers["Location"]
    page = client.get(preview_url + "?lang=en").get_data(as_text=True)
    uses = selected_uses(page)
    column = {h: f"use-{i}" for i, h in enumerate(headers)}
    # declared outcomes come preselected with their type; rehire and absence_days are not recognised
    assert [uses[column[h]] for h in ("reason_manager", "reason_pay", "separation", "rehire", "absence_days")] == [
        "outcome:reason_manager:yes_no", "outcome:reason_pay:yes_no", "outcome:separation:categorical", "ignore",
        "ignore"]
    for kind, label in (("yes_no", "yes/no"), ("categorical", "categories"), ("numeric", "number")):
        assert f'<option value="outcome:rehire:{kind}">Keep as outcome: {label}</option>' in page
    assert "Bewaren als uitkomst: ja/nee" in client.get(preview_url + "?lang=nl").get_data(as_text=True)

    # "ja" / "nee" are no numbers: refused with row and column, nothing stored, the choice kept
    wrong = client.post(preview_url + "?lang=en", data={**uses, column["rehire"]: "outcome:rehire:numeric",
                                                         "action": "import"})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert f"row 2, column &#39;rehire&#39;: value &#39;{rows[0]['rehire']}&#39; expected a number such as 12" in text
    assert 'value="outcome:rehire:numeric" selected' in text
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0

    done = client.post(preview_url, follow_redirects=True, data={
        **uses, column["rehire"]: "outcome:rehire:yes_no", column["absence_days"]: "outcome:absence_days:numeric",
        "action": "import"})
    assert ("Imported 300 responses. Kept as outcomes: reason_manager, reason_pay, separation, rehire, absence_days."
            in done.get_data(as_text=True))
    assert dict(database.execute("SELECT id, type FROM round_variables WHERE round_id = ?", [round_id])) == {
        "rehire": "yes_no", "absence_days": "numeric"}
    stored = dict(database.execute(
        "SELECT r.external_id, v.value FROM response_values v JOIN responses r ON r.id = v.response_id "
        "WHERE v.variable = 'rehire'"))
    assert stored == {r["respondent_id"]: {"ja": "yes", "nee": "no"}[r["rehire"]] for r in rows}
    assert database.execute("SELECT count(*) FROM responses WHERE attributes LIKE '%outcome%'").fetchone()[0] == 0

    from toolkit.services.pipeline import derive_round

    derive_round(database, int(round_id), bootstrap=30)
    persona_set = current_persona_set(database, int(round_id), members=True)
    external = dict(database.execute("SELECT id, external_id FROM responses WHERE round_id = ?", [round_id]))
    by_id = {r["respondent_id"]: r for r in rows}
    for persona in persona_set["personas"]:
        outcomes = {o["variable"]: o for o in persona["description"]["outcomes"]}
        absence = [float(by_id[external[m]]["absence_days"]) for m in persona["members"]]
        assert outcomes["absence_days"]["mean"] == round(sum(absence) / len(absence), 3)
        rehired = sum(by_id[external[m]]["rehire"] == "ja" for m in persona["members"])
        assert outcomes["rehire"]["categories"][0] == {**outcomes["rehire"]["categories"][0], "value": "yes",
                                                       "n": rehired}
        persona_page = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
        assert "absence_days (mean)" in persona_page and "rehire: yes" in persona_page
    near = persona_set["quality"]["near_miss"]
    overview = client.get(f"/rounds/{round_id}/personas?lang=en").get_data(as_text=True)
    assert "A possible split" in overview and f"a group of {near['size']} people" in overview
    assert "lower Manager" in overview and "try k = 2" in overview
    dutch = client.get(f"/rounds/{round_id}/personas?lang=nl").get_data(as_text=True)
    assert "Een mogelijke splitsing" in dutch and "probeer k = 2" in dutch
