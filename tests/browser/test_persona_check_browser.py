"""A colleague answers a persona check in Chromium on a phone-sized screen: each page shows the
persona's card (name, summary, drivers and brakes) above the four statements and the comment."""

from __future__ import annotations

import re

import pytest
from conftest import make_round_with_responses

from toolkit.core.privacy import presentable_personas
from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.tokens import participant_token, personal_link
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.rounds import get_round, round_questionnaire
from toolkit.services.participants import import_participants
from toolkit.services.persona_checks import create_check
from toolkit.services.pipeline import derive_round

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def test_a_colleague_answers_the_check_page_by_page(live_app, launch_browser, screens, database):
    app, base_url = live_app
    round_id, _answers, _labels = make_round_with_responses(database, get_questionnaire("default"), n=60, seed=5)
    derive_round(database, round_id, bootstrap=5)
    persona_set = current_persona_set(database, round_id)
    shown = presentable_personas(persona_set)
    check_id = create_check(database, persona_set["id"])
    q = round_questionnaire(database, get_round(database, check_id))
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [check_id])
    import_participants(database, check_id, [
        {"row": n + 2, "email": f"collega{n}@example.org", "name": f"C{n}", "language": "nl"} for n in range(6)],
        app.config["SECRET_KEY"])
    participant = next(database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [check_id]))

    browser = launch_browser()
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(personal_link(base_url, participant_token(app.config["SECRET_KEY"], participant)))
    page.get_by_role("link", name=re.compile("Begin met de vragenlijst|Start the questionnaire")).click()
    page.wait_for_url(f"{base_url}/survey")
    assert page.locator("h1").inner_text().strip() == shown[0]["name"]
    assert page.locator("p.lead").inner_text().strip() == q.blocks[0].intro["nl"]
    assert page.locator("fieldset.question").count() == 4 and page.locator("textarea").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screens / "persona-check-page-360px.png"), full_page=True)
    for page_no in range(len(q.blocks)):
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("label.option").nth(3).click()  # "Eens"
        page.locator("textarea").fill("Herkenbaar, maar de avonddienst ontbreekt.")
        page.get_by_role("button", name=re.compile("Volgende|Verstuur")).click()
        if page_no + 1 < len(q.blocks):
            page.wait_for_url(f"{base_url}/survey")
            assert page.locator("h1").inner_text().strip() == shown[page_no + 1]["name"]
    page.wait_for_url(f"{base_url}/survey/thanks")
    browser.close()

    stored = dict(database.execute(
        "SELECT a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.round_id = ?",
        [check_id]).fetchall())
    assert stored["pc1_rec_1"] == "4" and stored["pc1_comment"] == "Herkenbaar, maar de avonddienst ontbreekt."
    assert len(stored) == 5 * len(q.blocks)
