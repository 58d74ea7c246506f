"""The persona card in Chromium, as a change manager takes it into a meeting: on a 360 px phone and
a 1280 px screen (screenshots in tests/output/screens/), printed, and the new persona pages
(print view, modules per persona, the review of a new derivation) clean under axe-core."""

from __future__ import annotations

import pytest

from .conftest import AXE, log_in
from .test_accessibility import axe_problems

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)


@pytest.mark.parametrize("width", WIDTHS)
def test_persona_card_reads_on_a_phone_and_a_screen(live_app, launch_browser, ui_world, screens, width):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run make system-deps (npm install axe-core)")
    _app, base_url = live_app
    page = launch_browser().new_context(viewport={"width": width, "height": 900}, locale="nl-NL",
                                        bypass_csp=True).new_page()
    log_in(page, base_url, ui_world["users"]["change_manager"][1])
    page.goto(f"{base_url}/personas/{ui_world['personas'][0]}")
    card = page.locator("article.persona-card")
    assert card.is_visible()
    assert card.locator("svg.persona-visual").is_visible()
    for heading in ("Drijfveren", "Remmers", "Kanaal en afzender", "Doen"):
        assert card.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert "Vanaf 0,75 is een groep stabiel" in card.inner_text()
    assert not page.locator("details.figures").evaluate("d => d.open")  # the tables are folded
    assert not page.locator("#h-apart").is_visible()
    # nothing wider than the screen: the card wraps, it does not scroll sideways
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    page.screenshot(path=str(screens / f"persona-card-{width}.png"), full_page=True)
    assert axe_problems(page) == []

    page.emulate_media(media="print")  # the print stylesheet: the card, without menus and tables
    assert not page.locator("header.top").is_visible()
    assert not page.locator("details.figures").is_visible()
    assert card.is_visible()
    page.screenshot(path=str(screens / f"persona-card-print-{width}.png"), full_page=True)
    page.context.close()


def test_new_persona_pages_are_clean_under_axe(live_app, launch_browser, ui_world, database, screens):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run make system-deps (npm install axe-core)")
    from toolkit.services.pipeline import derive_round

    _app, base_url = live_app
    derived = ui_world["rounds"]["derived"]
    pending = derive_round(database, derived, bootstrap=2, k=2, review=True)
    paths = {
        "change_manager": [f"/rounds/{derived}/personas/cards", f"/rounds/{derived}/persona-sets/{pending}/review",
                           f"/rounds/{derived}/personas"],
        "trainer": [f"/rounds/{derived}/training-modules", f"/personas/{ui_world['personas'][0]}", "/programmes/"],
    }
    browser = launch_browser()
    problems = {}
    for width in WIDTHS:
        for role, urls in paths.items():
            page = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL",
                                       bypass_csp=True).new_page()
            log_in(page, base_url, ui_world["users"][role][1])
            for path in urls:
                response = page.goto(base_url + path)
                assert response.status == 200, path
                found = axe_problems(page)
                if found:
                    problems[f"{role} {path} {width}px"] = found
            name = "modules" if role == "trainer" else "review"
            page.goto(base_url + urls[0 if role == "trainer" else 1])
            page.screenshot(path=str(screens / f"persona-{name}-{width}.png"), full_page=True)
            page.context.close()
    assert not problems, problems
