"""A change manager writes a field note in a real Chromium, in Dutch: from the persona page to the
notes page and back, the name and e-mail address masked, the warning shown; axe-core finds no
serious violation on the notes page (desktop and phone width)."""

from __future__ import annotations

import pytest

from .conftest import AXE, log_in
from .test_accessibility import axe_problems

pytestmark = pytest.mark.browser


def test_a_change_manager_writes_a_note_and_sees_it_masked(live_app, launch_browser, ui_world, database, screens):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run make system-deps (npm install axe-core)")
    _app, base_url = live_app
    derived, persona = ui_world["rounds"]["derived"], ui_world["personas"][0]
    database.execute("INSERT INTO participants (round_id, email, name) VALUES (?, 'k.dijkstra@example.org', "
                     "'Karin van Dijkstra')", [derived])
    database.conn.commit()
    browser = launch_browser()
    page = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True, locale="nl-NL").new_page()
    log_in(page, base_url, ui_world["users"]["change_manager"][1])

    page.goto(f"{base_url}/personas/{persona}")
    assert page.locator("#h-conversations").inner_text() == "Uit gesprekken"
    page.get_by_role("link", name="Notitie over deze persona toevoegen").click()
    assert page.locator(f"input[name=personas][value='{persona}']").is_checked()
    page.get_by_label("Focusgroep").check()
    page.get_by_label("Aantal mensen dat meedeed").fill("6")
    page.get_by_label("Wat je hoorde").fill(
        "Karin van Dijkstra vertelde dat het rooster te laat komt; mail k.dijkstra@example.org.")
    page.get_by_label("Thema (niet verplicht)").fill("rooster")
    page.get_by_role("button", name="Notitie opslaan").click()

    warning = page.locator(".flash.warning").inner_text()
    assert "1 naam en 1 e-mailadres" in warning
    note = page.locator("article.note").first.inner_text()
    assert "[naam] vertelde dat het rooster te laat komt; mail [e-mail]." in note
    assert "Focusgroep" in note and "6 mensen" in note and "Dijkstra" not in page.content()
    page.screenshot(path=str(screens / "change_manager-field-notes.png"), full_page=True)
    assert axe_problems(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    assert axe_problems(page) == []

    page.goto(f"{base_url}/personas/{persona}")
    assert "[naam] vertelde dat het rooster te laat komt" in page.locator("section.field-notes").inner_text()
