"""A respondent on a phone-sized screen: half the questionnaire in Dutch, browser closed, the same
link reopened, earlier answers still there, finished; one unlinkable response stored."""

from __future__ import annotations

import re

import pytest

from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.tokens import participant_token, personal_link
from toolkit.data.rounds import create_round
from toolkit.services.participants import import_participants

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def answer_current_page(page, choice: int = 3) -> None:
    """Answer every question on the page the way a person would: click labels, type text."""
    for fieldset in page.locator("fieldset.question").all():
        options = fieldset.locator("label.option, li")
        options.nth(min(choice, options.count() - 1)).click()
    for textarea in page.locator("textarea").all():
        textarea.fill("Meer uitleg over het waarom, graag.")


def progress(page) -> str:
    return page.locator(".survey-progress").inner_text()


def test_respondent_answers_half_closes_browser_resumes_and_finishes(live_app, launch_browser, screens, database):
    app, base_url = live_app
    q = get_questionnaire("default")
    round_id = create_round(database, q, "Verandering 2030", language="nl")
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    import_participants(database, round_id, [
        {"row": n + 2, "email": f"medewerker{n}@example.org", "name": f"M{n}", "team": "Inkoop", "language": "nl",
         "attributes": {}} for n in range(6)], app.config["SECRET_KEY"])
    participant = next(database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    link = personal_link(base_url, participant_token(app.config["SECRET_KEY"], participant))
    pages = len(q.blocks)
    half = pages // 2

    browser = launch_browser()
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(link)
    assert page.url == f"{base_url}/survey/welcome"  # the token is gone from the address bar
    page.get_by_role("link", name=re.compile("Begin met de vragenlijst|Start the questionnaire")).click()
    page.wait_for_url(f"{base_url}/survey")
    assert progress(page) == f"Pagina 1 van {pages}" or progress(page) == f"Page 1 of {pages}"
    # Nothing wider than the phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    legend = page.locator("fieldset.question legend").first
    assert legend.inner_text().strip() == q.items[q.blocks[0].items[0]].text["nl"]
    page.screenshot(path=str(screens / "survey-page-1-360px.png"), full_page=True)
    for _page in range(half):
        answer_current_page(page, choice=3)
        page.get_by_role("button", name=re.compile("Volgende|Next")).click()
        page.wait_for_url(f"{base_url}/survey")
    assert str(half + 1) in progress(page)
    browser.close()  # the respondent closes the browser mid-way

    browser = launch_browser()  # a fresh profile: no cookies at all
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(link)
    assert str(half + 1) in progress(page), "lands on the page where they left off"
    page.get_by_role("button", name=re.compile("Vorige|Terug|Back")).click()
    page.wait_for_url(f"{base_url}/survey")
    assert str(half) in progress(page)
    first = page.locator("fieldset.question").first
    assert first.locator("input").nth(3).is_checked(), "earlier answer kept"
    page.screenshot(path=str(screens / "survey-resumed-360px.png"), full_page=True)
    for _page in range(half - 1, pages):
        answer_current_page(page, choice=1)
        page.get_by_role("button", name=re.compile("Volgende|Next|Verstuur|Send")).click()
    page.wait_for_url(f"{base_url}/survey/thanks")
    page.screenshot(path=str(screens / "survey-thanks-360px.png"), full_page=True)
    assert page.locator("h1").inner_text()
    browser.close()

    responses = list(database.query("SELECT * FROM responses WHERE round_id = ?", [round_id]))
    assert len(responses) == 1
    assert responses[0]["participant_id"] is None
    assert responses[0]["submitted_on"] is None  # anonymous: the day is only counted, not kept
    assert database.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    # The participant's row is untouched; the link's marker says it was used.
    assert database.execute("SELECT responded, link_used FROM participants WHERE id = ?",
                            [participant["id"]]).fetchone() == (0, 0)
    assert database.execute("SELECT count(*) FROM completed_links WHERE round_id = ?", [round_id]).fetchone()[0] == 1
    answered = database.execute("SELECT count(*) FROM answers WHERE response_id = ?", [responses[0]["id"]]).fetchone()[0]
    assert answered == len(q.items)
    first_item = q.blocks[0].items[0]
    assert database.execute("SELECT value FROM answers WHERE response_id = ? AND item_id = ?",
                            [responses[0]["id"], first_item]).fetchone()[0] == "4"


def test_seven_presses_on_next_without_answers_send_nothing_and_list_what_is_open(live_app, launch_browser, screens,
                                                                                   database):
    """Before: seven presses completed a response with 0 answers, one tap skipped a page silently."""
    app, base_url = live_app
    q = get_questionnaire("default")
    assert len(q.blocks) == 7
    round_id = create_round(database, q, "Leeg verzonden?", language="nl")
    database.execute("UPDATE rounds SET status = 'open' WHERE id = ?", [round_id])
    import_participants(database, round_id, [
        {"row": n + 2, "email": f"p{n}@example.org", "name": f"P{n}", "team": "Inkoop", "language": "nl",
         "attributes": {}} for n in range(6)], app.config["SECRET_KEY"])
    participant = next(database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    browser = launch_browser()
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.goto(personal_link(base_url, participant_token(app.config["SECRET_KEY"], participant)))
    seen = []
    for _press in range(7):
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
        seen.append(progress(page))
    # The first press asked (the same page again), the next six moved on: the last page, nothing sent.
    assert seen[0] == "Pagina 1 van 7" and seen[-1] == "Pagina 7 van 7", seen
    assert page.url.endswith("/survey")
    unanswered = page.locator("#unanswered")
    assert unanswered.is_visible()
    assert unanswered.locator("a[href*='page=0']").first.inner_text().startswith("Pagina 1")
    assert unanswered.locator("strong.required").count() == sum(
        len(q.constructs[c].items) for c in q.dimension_constructs())  # every motivation and readiness item
    page.screenshot(path=str(screens / "survey-unanswered-list-360px.png"), full_page=True)
    page.get_by_role("button", name=re.compile("Verstuur|Send")).click()  # an eighth press: send
    page.wait_for_load_state()
    assert page.locator("#notice").is_visible() and "thanks" not in page.url
    assert database.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_id]).fetchone()[0] == 0
    link = unanswered.locator("li li a").first
    target = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(re.compile(r"/survey\?page=0&review=1#q_"))
    assert progress(page) == "Pagina 1 van 7" and page.locator(f"#{target}").is_visible()
    browser.close()
