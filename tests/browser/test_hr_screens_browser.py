"""In Chromium at 360 px and 1280 px: the respondent's welcome page, HR's questionnaire preview,
its print view (also printed to PDF) and the invitation editor — no sideways scrolling, the
header in two lines on a phone, axe-core without serious or critical violations. Screenshots go
to tests/output/screens/hr-*.png and welcome-*.png, the PDF to tests/output/screens/."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.tokens import participant_token, personal_link
from toolkit.data.db import utcnow
from toolkit.data.heartbeat import record_heartbeat
from toolkit.data.rounds import create_round, save_change_facts
from toolkit.services.participants import import_participants

from .conftest import AXE, log_in
from .test_accessibility import axe_problems

pytestmark = pytest.mark.browser
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def hr_round(live_app, database):
    """An open anonymous round in Dutch with its change facts, a privacy contact, six participants
    and an HR account; a scheduler that checked in a minute ago. Returns (round id, link, HR e-mail)."""
    from conftest import make_users

    app, base_url = live_app
    users = make_users(database)
    database.execute("UPDATE users SET language = 'nl'")  # a Dutch-speaking HR officer
    q = get_questionnaire("default")
    round_id = create_round(database, q, "Nieuwe werkwijze 2026", language="nl",
                            closes_at=utcnow() + dt.timedelta(days=14))
    database.execute("UPDATE rounds SET status = 'open', privacy_contact = 'Mira de Boer (privacy@example.org)' "
                     "WHERE id = ?", [round_id])
    save_change_facts(database, round_id, {
        "what": "Vanaf maart plannen we met één systeem in plaats van drie lijsten.",
        "why": "Zo krijgen klanten sneller een afspraak en hoef jij minder dubbel te doen."})
    import_participants(database, round_id, [
        {"row": n + 2, "email": f"medewerker{n}@example.org", "name": f"M{n}", "team": "Inkoop", "language": "nl",
         "attributes": {}} for n in range(6)], app.config["SECRET_KEY"])
    participant = next(database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    record_heartbeat(database, utcnow() - dt.timedelta(minutes=1))
    database.conn.commit()
    link = personal_link(base_url, participant_token(app.config["SECRET_KEY"], participant))
    return round_id, link, users["hr"][1]


def measure(page) -> dict:
    """Page width against the viewport, and the header's height (0 when the page has none)."""
    page.wait_for_load_state("load")
    return page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth,
        header: Math.round((document.querySelector('header.top') || {getBoundingClientRect: () => ({height: 0})})
                           .getBoundingClientRect().height),
    })""")


def check(page, screens, name: str, viewport: dict, problems: dict, measured: dict) -> None:
    found = measure(page)
    measured[name] = found
    assert found["scroll"] <= viewport["width"], f"{name}: {found['scroll']} px wide in {viewport['width']} px"
    page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
    if AXE.exists():
        issues = axe_problems(page)
        if issues:
            problems[name] = issues


@pytest.mark.parametrize("size", WIDTHS)
def test_welcome_page_and_questionnaire_preview_fit_and_pass_axe(live_app, launch_browser, screens, hr_round, size):
    _app, base_url = live_app
    round_id, link, hr_email = hr_round
    viewport = WIDTHS[size]
    width = viewport["width"]
    browser = launch_browser()
    problems, measured = {}, {}

    respondent = browser.new_context(viewport=viewport, locale="nl-NL", bypass_csp=True).new_page()
    respondent.goto(link)
    assert respondent.url == f"{base_url}/survey/welcome"
    assert respondent.locator("h1").inner_text() == "Nieuwe werkwijze 2026"
    facts = respondent.locator(".welcome-facts").inner_text()
    assert "Je antwoorden zijn anoniem" in facts and "Ongeveer 15 minuten" in facts and "Mira de Boer" in facts
    check(respondent, screens, f"welcome-{width}px", viewport, problems, measured)
    respondent.get_by_role("link", name="Begin met de vragenlijst").click()
    respondent.wait_for_url(f"{base_url}/survey")
    assert respondent.locator(".survey-progress").inner_text() == "Pagina 1 van 7"

    hr = browser.new_context(viewport=viewport, locale="nl-NL", bypass_csp=True).new_page()
    log_in(hr, base_url, hr_email)
    hr.goto(f"{base_url}/rounds/{round_id}")
    check(hr, screens, f"hr-round-{width}px", viewport, problems, measured)
    hr.get_by_role("link", name="Vragenlijst bekijken en afdrukken").click()
    hr.wait_for_url(f"{base_url}/rounds/{round_id}/questionnaire/nl")
    assert hr.locator(".preview-page").count() == 8  # the welcome page and the seven pages
    assert hr.locator(".preview-q input:not([disabled])").count() == 0
    check(hr, screens, f"hr-preview-{width}px", viewport, problems, measured)
    hr.get_by_role("link", name="English").click()
    assert hr.locator(".preview-q").get_attribute("lang") == "en"
    assert "Your answers are anonymous" in hr.locator(".welcome-facts").inner_text()
    hr.get_by_role("link", name="Afdrukversie voor de ondernemingsraad").click()
    hr.wait_for_url(re.compile(r".*/questionnaire/en/print$"))
    assert hr.get_by_role("button", name="Afdrukken of opslaan als pdf").is_visible()  # shown by buttons.js
    check(hr, screens, f"hr-print-{width}px", viewport, problems, measured)
    hr.goto(f"{base_url}/rounds/{round_id}/mail/invitation/nl")
    assert "Je antwoorden zijn anoniem" in hr.locator(".mail-preview").inner_text()
    check(hr, screens, f"hr-invitation-{width}px", viewport, problems, measured)

    if width == 360:
        # two lines of header on a phone (it took four), the same two lines for HR and respondents
        assert measured["hr-round-360px"]["header"] <= 80, measured
    print(f"\nmeasured at {width} px: {measured}")
    assert not problems, problems


def test_the_print_view_prints_to_a_pdf_with_every_page(live_app, launch_browser, screens, hr_round):
    _app, base_url = live_app
    round_id, _link, hr_email = hr_round
    page = launch_browser().new_context(viewport=WIDTHS["desktop"], locale="nl-NL").new_page()
    log_in(page, base_url, hr_email)
    page.goto(f"{base_url}/rounds/{round_id}/questionnaire/nl/print")
    page.emulate_media(media="print")
    assert page.locator(".print-tools").is_hidden()  # the buttons stay off the paper
    target = screens / "questionnaire-print-nl.pdf"
    page.pdf(path=str(target), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=False).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else None
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=False).stdout
    print(f"\nprint view as PDF: {pages} A4 pages")
    assert pages is None or pages >= 8  # the welcome page and each questionnaire page start a new sheet
    if text:
        assert "Verandering en motivatie" in text and get_questionnaire("default").file_hash[:16] in text
