"""Persona check: a round generated from a persona set, answered through the survey, with the
results per persona on the persona page and the programme page under the minimum-group rule."""

from __future__ import annotations

import re

import pytest
from conftest import login, make_round_with_responses, make_users

from toolkit.briefs.text import catalogue
from toolkit.core.persona_check import STATEMENTS, CheckCard, check_source, persona_results
from toolkit.core.privacy import presentable_personas
from toolkit.core.questionnaire import parse_questionnaire
from toolkit.core.tokens import participant_token
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.rounds import get_round, round_questionnaire
from toolkit.services import programmes
from toolkit.services.participants import import_participants
from toolkit.services.pipeline import derive_round

SECRET = "test-secret"  # the app fixture's SECRET_KEY: personal links are derived from it


def _card(prefix: str, persona_id: int) -> CheckCard:
    return CheckCard(prefix, persona_id, {"nl": 'De "twijfelaar"', "en": "The doubter"},
                     {"nl": "Wil eerst het waarom", "en": "Needs the why first"},
                     {"nl": ["Ziet weinig nut\x7f", "Mist steun"], "en": ["Sees little point"]},
                     {"nl": ["ADKAR-kennis is laag"], "en": []})


def test_the_check_questionnaire_has_one_page_per_persona_with_its_card_and_parses():
    translate = {lang: catalogue(lang).gettext for lang in ("nl", "en")}
    source = check_source([_card("pc1", 11), _card("pc2", 12)], set_id=4, version="4.1", translate=translate)
    q = parse_questionnaire(source.encode("utf-8"))
    assert q.id == "persona-check-4"
    assert [b.id for b in q.blocks] == ["pc1", "pc2"]
    assert q.blocks[0].title["nl"] == 'De "twijfelaar"'
    assert q.blocks[0].intro["en"] == "Needs the why first. What drives them: sees little point."
    assert q.blocks[0].intro["nl"] == ("Wil eerst het waarom. Drijfveren: ziet weinig nut\x7f; mist steun. "
                                       "Remmers: ADKAR-kennis is laag.")
    assert [i for i in q.blocks[1].items] == [f"pc2_{s}" for s in STATEMENTS] + ["pc2_comment"]
    assert q.items["pc2_rec_1"].text == {"nl": "Ik herken mensen met wie ik werk in deze persona.",
                                          "en": "I recognise people I work with in this persona."}
    assert q.scales["agree5"].labels["nl"][0] == "Helemaal oneens"
    assert q.items["pc1_comment"].type == "text" and not q.items["pc1_comment"].required
    with pytest.raises(ValueError):
        check_source([], set_id=4, version="4.1", translate=translate)


def test_results_are_hidden_under_the_minimum_and_comments_need_ten_people():
    four = {str(i): {"pc1_rec_1": "4", "pc1_clr_1": "5", "pc1_comment": "te kort"} for i in range(4)}
    hidden = persona_results(four, "pc1")
    assert (hidden.n, hidden.shown, hidden.comments) == (4, False, ())
    assert all(d.mean is None and d.distribution == () for d in hidden.dimensions)

    answers = {str(i): {"pc1_rec_1": str(1 + i % 2 * 4), "pc1_rec_2": "5", "pc1_cmp_1": "2",
                        "pc1_comment": f"  opmerking   {i:02d} "} for i in range(10)}
    answers["x"] = {"pc2_rec_1": "3"}  # rated another persona only: not counted for pc1
    shown = persona_results(answers, "pc1")
    assert (shown.n, shown.shown) == (10, True)
    rec, clear, complete = shown.dimensions
    assert rec.mean == pytest.approx(4.0)  # persons score 3.0 (1 and 5) or 5.0, five each
    assert rec.distribution == (0, 0, 5, 0, 5)
    assert clear.n == 0 and clear.mean is None
    assert complete.distribution == (0, 10, 0, 0, 0)
    assert shown.comments == tuple(f"opmerking {i:02d}" for i in range(10))
    nine = persona_results({k: v for k, v in answers.items() if k != "0"}, "pc1")
    assert nine.shown and nine.comments == ()


def test_a_small_score_group_in_the_distribution_is_hidden_with_its_neighbour():
    answers = {str(i): {"pc1_rec_1": "4" if i < 5 else "2" if i < 7 else "5"} for i in range(12)}
    rec = persona_results(answers, "pc1").dimensions[0]
    assert rec.n == 12
    assert rec.distribution[0] == 0 and None in rec.distribution and sum(c or 0 for c in rec.distribution) < 12


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html).group(1)


def _answer(app, q, token: str, values: dict[str, str], comment: str) -> None:
    """One respondent answers every page of the check through the survey pages."""
    client = app.test_client()
    assert client.get(f"/s/{token}").status_code in (302, 303)
    for page_no, block in enumerate(q.blocks):
        html = client.get("/survey").get_data(as_text=True)
        assert block.title["nl"] in html  # the persona's name heads its page
        data = {"csrf_token": _hidden(html, "csrf_token"), "ticket": _hidden(html, "ticket"),
                "page": str(page_no), "action": "next", f"q_{block.id}_comment": comment}
        data.update({f"q_{block.id}_{suffix}": value for suffix, value in values.items()})
        assert client.post("/survey", data=data).status_code == 303
    assert client.get("/survey/thanks").status_code == 200


def _check_section(html: str) -> str:
    return html[html.index('id="h-check"'):]


def test_persona_check_end_to_end_through_the_web(app, client, database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120, seed=3)
    derive_round(database, round_id, bootstrap=5)
    persona_set = current_persona_set(database, round_id)
    shown = presentable_personas(persona_set)
    persona = shown[0]
    login(client, users["hr"][1])

    page = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
    assert "has not been checked with the people themselves yet" in page
    created = client.post(f"/persona-sets/{persona_set['id']}/check", data={"title": "", "mode": "anonymous"})
    check_id = int(re.search(r"/rounds/(\d+)$", created.headers["Location"]).group(1))
    check = get_round(database, check_id)
    assert (check["title"], check["mode"], check["status"]) == ("Persona check: Test round", "anonymous", "draft")
    assert client.get(f"/rounds/{check_id}").status_code == 200
    q = round_questionnaire(database, check)
    assert [b.title["en"] for b in q.blocks] == [p["name"] for p in shown]

    rows = [{"row": i + 2, "email": f"colleague{i}@example.org", "name": f"Colleague {i}", "language": "nl"}
            for i in range(6)]
    import_participants(database, check_id, rows, SECRET)
    database.execute("UPDATE rounds SET works_council_date = '2026-11-01', works_council_ref = 'OR-22' "
                     "WHERE id = ?", [check_id])
    assert client.post(f"/rounds/{check_id}/open").status_code == 302
    tokens = [participant_token(SECRET, p) for p in
              database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [check_id])]
    ratings = {"rec_1": "4", "rec_2": "5", "clr_1": "5", "cmp_1": "3"}
    for token in tokens[:3]:
        _answer(app, q, token, ratings, "De ploegendienst ontbreekt.")

    section = _check_section(client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True))
    assert "fewer than 5" in section  # the count, in steps of the minimum while the round is open
    assert "figures are only shown when at least 5 people rated the persona" in section
    assert "Mean (1–5)" not in section and "ploegendienst" not in section
    dutch = _check_section(client.get(f"/personas/{persona['id']}?lang=nl").get_data(as_text=True))
    assert "minder dan 5" in dutch and "pas vanaf 5 mensen" in dutch

    for token in tokens[3:5]:
        _answer(app, q, token, ratings, "De ploegendienst ontbreekt.")
    assert "Mean (1–5)" not in _check_section(client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True))
    assert client.post(f"/rounds/{check_id}/close").status_code == 302
    for page in (f"/rounds/{check_id}", f"/rounds/{check_id}/dashboard", f"/rounds/{check_id}/answers.csv"):
        assert client.get(page).status_code == 200, page  # the round pages take a generated questionnaire

    section = _check_section(client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True))
    assert "n = 5" in section and "Mean (1–5)" in section
    figures = {m[0]: m[1:] for m in re.findall(r'scope="row">(\w+)</th>\s*<td class="num">([\d.]+)</td>'
                                                r'<td class="num">(\d+)</td>', section)}
    assert figures == {"Recognisable": ("4.5", "5"), "Clear": ("5.0", "5"), "Complete": ("3.0", "5")}
    assert "Comments are shown only when at least 10 people rated the persona" in section
    assert "ploegendienst" not in section

    programme_id = programmes.create_programme(database, "Nieuw rooster")
    programmes.add_round(database, programme_id, round_id, "baseline")
    review = client.get(f"/programmes/{programme_id}?lang=en").get_data(as_text=True)
    checks = review[review.index('id="persona-checks"'):]
    assert "Persona check: Test round" in checks and persona["name"] in checks and "Mean (1–5)" in checks


def test_only_hr_and_admin_start_a_check_and_an_unknown_set_is_404(client, database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=5)
    derive_round(database, round_id, bootstrap=5)
    set_id = current_persona_set(database, round_id)["id"]
    login(client, users["change_manager"][1])
    assert client.post(f"/persona-sets/{set_id}/check", data={"mode": "anonymous"}).status_code == 403
    login(client, users["admin"][1])
    assert client.post("/persona-sets/999/check", data={"mode": "anonymous"}).status_code == 404
    assert client.post(f"/persona-sets/{set_id}/check", data={"mode": "identified"}).status_code == 302


def test_an_identified_check_shows_its_exact_count_and_figures_from_five_people_while_open(client, database, default_q):
    from toolkit.data.responses import insert_response
    from toolkit.services.persona_checks import create_check, persona_checks

    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=5)
    derive_round(database, round_id, bootstrap=5)
    persona = presentable_personas(current_persona_set(database, round_id))[0]
    check_id = create_check(database, current_persona_set(database, round_id)["id"], mode="identified")
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [check_id])
    q = round_questionnaire(database, get_round(database, check_id))
    for _ in range(3):
        insert_response(database, q, check_id, {"pc1_rec_1": 2, "pc1_clr_1": 3, "pc2_rec_1": 5})
    login(client, users["trainer"][1])  # sees personas, not rounds: the check's title without a link
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, users["trainer"][0]])
    dutch = _check_section(client.get(f"/personas/{persona['id']}?lang=nl").get_data(as_text=True))
    assert "n = 3" in dutch and "3 mensen hebben deze persona beoordeeld" in dutch and "pas vanaf 5 mensen" in dutch
    assert f'href="/rounds/{check_id}"' not in dutch and "Personacheck starten" not in dutch
    for _ in range(2):
        insert_response(database, q, check_id, {"pc1_rec_1": 4, "pc1_clr_1": 3})
    [summary] = persona_checks(database, persona["id"])
    assert (summary.waiting, summary.result.n, summary.count.exact) == (False, 5, 5)
    assert summary.result.dimensions[0].mean == pytest.approx(2.8)
    assert "Gemiddelde (1–5)" in client.get(f"/personas/{persona['id']}?lang=nl").get_data(as_text=True)


def test_a_check_can_invite_a_random_sample_of_the_rounds_participants(client, database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=5)
    import_participants(database, round_id, [
        {"row": i + 2, "email": f"p{i}@example.org", "name": f"P {i}", "team": "Zorg", "language": "en",
         "attributes": {"site": "Zwolle"}} for i in range(12)], SECRET)
    derive_round(database, round_id, bootstrap=5)
    set_id = current_persona_set(database, round_id)["id"]
    login(client, users["hr"][1])
    created = client.post(f"/persona-sets/{set_id}/check", data={"mode": "anonymous", "sample": "8"})
    check_id = int(re.search(r"/rounds/(\d+)$", created.headers["Location"]).group(1))
    invited = list(database.query("SELECT email, team, language, attributes, token_hash FROM participants "
                                  "WHERE round_id = ?", [check_id]))
    assert len(invited) == 8 and len({p["email"] for p in invited}) == 8
    assert all(re.fullmatch(r"p\d+@example\.org", p["email"]) and p["team"] == "Zorg" and p["language"] == "en"
               and p["attributes"] == "{}" and p["token_hash"] for p in invited)
    assert client.post(f"/persona-sets/{set_id}/check", data={"mode": "anonymous", "sample": "0"}).status_code == 302
    assert database.execute("SELECT count(*) FROM persona_checks").fetchone()[0] == 1  # a sample of 0 is refused
    again = client.post(f"/persona-sets/{set_id}/check", data={"mode": "identified", "sample": "50"})
    later = int(re.search(r"/rounds/(\d+)$", again.headers["Location"]).group(1))
    assert database.execute("SELECT count(*) FROM participants WHERE round_id = ?", [later]).fetchone()[0] == 12


def test_a_check_round_has_no_personas_of_its_own_to_derive(client, database, default_q):
    from toolkit.data.responses import insert_response
    from toolkit.services.persona_checks import create_check

    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=5)
    derive_round(database, round_id, bootstrap=5)
    check_id = create_check(database, current_persona_set(database, round_id)["id"], mode="identified")
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [check_id])
    q = round_questionnaire(database, get_round(database, check_id))
    for _ in range(6):
        insert_response(database, q, check_id, {"pc1_rec_1": 4, "pc1_clr_1": 3})
    with pytest.raises(ValueError, match="is a persona check"):
        derive_round(database, check_id, bootstrap=5)
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{check_id}?lang=nl").get_data(as_text=True)
    assert 'id="derive"' not in page and "geen eigen persona" in page
    refused = client.post(f"/rounds/{check_id}/derive?lang=nl", follow_redirects=True).get_data(as_text=True)
    assert "geen eigen persona" in refused
    personas_page = client.get(f"/rounds/{check_id}/personas?lang=nl").get_data(as_text=True)
    assert "geen eigen persona" in personas_page and "leid dan" not in personas_page
    assert database.execute("SELECT count(*) FROM jobs WHERE round_id = ?", [check_id]).fetchone()[0] == 0
    assert 'id="derive"' in client.get(f"/rounds/{round_id}").get_data(as_text=True)


def test_a_check_form_with_bad_values_says_which_value_is_wrong(client, database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=5)
    derive_round(database, round_id, bootstrap=5)
    set_id = current_persona_set(database, round_id)["id"]
    login(client, users["hr"][1])
    for data, says, not_says in (
        ({"mode": "bogus"}, "kies of de antwoorden anoniem of herleidbaar zijn", "titel"),
        ({"mode": "anonymous", "title": "x" * 201}, "de titel mag hoogstens 200 tekens hebben", "steekproef"),
        ({"mode": "anonymous", "sample": "0"}, "een steekproef is een heel getal vanaf 1", "titel"),
    ):
        page = client.post(f"/persona-sets/{set_id}/check?lang=nl", data=data, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "Niet gestart: " + says in text and not_says not in text.split("Niet gestart")[1][:120]
    assert database.execute("SELECT count(*) FROM persona_checks").fetchone()[0] == 0
