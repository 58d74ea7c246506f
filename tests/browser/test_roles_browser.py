"""Each role in a real Chromium: log in, land on the start page, walk the main path, switch
language; every main page is saved as tests/output/screens/<role>-<page>.png for a person to
review (and a 360 px version of the pages people open on a phone)."""

from __future__ import annotations

import re

import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 360, "height": 740}


def shoot(page, screens, role: str, name: str) -> None:
    page.screenshot(path=str(screens / f"{role}-{name}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    # Measure the page as styled: right after a click the stylesheet may still be loading.
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def open_page(browser, base_url: str, role: str, world, viewport=DESKTOP):
    page = browser.new_context(viewport=viewport, locale="nl-NL").new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, base_url, world["users"][role][1])
    return page, errors


def test_hr_walks_from_start_page_to_dashboard_and_personas_and_switches_language(
        live_app, launch_browser, screens, ui_world):
    _app, base_url = live_app
    page, errors = open_page(launch_browser(), base_url, "hr", ui_world)
    assert page.url == f"{base_url}/"
    assert page.locator("h1").inner_text() == "Hallo Hr"
    open_tile = page.locator(".tile", has_text="Pulse voorjaar")
    assert "minstens 10 van 30" in open_tile.inner_text()  # 12 of 30 answered, shown in steps of 5
    assert "deelnemers importeren" in page.locator("#h-drafts + ul").inner_text()
    shoot(page, screens, "hr", "home")

    page.get_by_role("link", name="Alle rondes").click()
    assert page.locator("h1").inner_text() == "Rondes"
    shoot(page, screens, "hr", "rounds")
    page.get_by_role("link", name="Nieuwe werkwijze 2026").click()
    shoot(page, screens, "hr", "round")
    page.get_by_role("link", name=re.compile("Dashboard")).first.click()
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator(".bars li").count() >= 10 and page.locator("table.heatmap").count() == 1
    shoot(page, screens, "hr", "dashboard")

    page.locator(".langs a[lang=en]").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Construct scores").is_visible()
    shoot(page, screens, "hr", "dashboard-en")
    page.get_by_role("link", name="Start", exact=True).click()
    assert page.locator("h1").inner_text() == "Hello Hr"  # the choice holds on the next page
    page.locator(".langs a[lang=nl]").click()
    assert page.locator("h1").inner_text() == "Hallo Hr"

    page.goto(f"{base_url}/rounds/new")
    shoot(page, screens, "hr", "new-round")
    page.goto(f"{base_url}/programmes/")
    shoot(page, screens, "hr", "programmes")
    page.goto(f"{base_url}/no/such/page")
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    shoot(page, screens, "hr", "not-found")
    assert [e for e in errors if "404" not in e] == []


def test_change_manager_finds_new_personas_and_the_briefs_of_a_granted_round(
        live_app, launch_browser, screens, ui_world):
    _app, base_url = live_app
    page, errors = open_page(launch_browser(), base_url, "change_manager", ui_world)
    assert page.get_by_role("heading", name="Persona's en brieven").is_visible()
    assert page.locator(".badge.new").count() == 1
    assert page.get_by_role("link", name="Pulse voorjaar").count() == 0  # not granted
    shoot(page, screens, "change_manager", "home")
    page.get_by_role("link", name="Sanne").first.click()
    assert page.locator("h1").inner_text() == "Sanne"
    shoot(page, screens, "change_manager", "persona")
    with page.expect_download() as download:
        page.locator("a[href*='communication.docx?lang=nl']").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.get_by_role("link", name=re.compile("Persona's")).first.click()
    shoot(page, screens, "change_manager", "personas")
    # all briefs as a zip: built by a job beside the web worker, with a progress page
    page.locator("form.zip-form").get_by_role("button", name="Nederlands").click()
    assert page.locator("h1").inner_text() == "Brieven als zip"
    page.get_by_role("link", name="Zip downloaden").wait_for(timeout=30000)
    shoot(page, screens, "change_manager", "briefs-zip")
    with page.expect_download() as download:
        page.get_by_role("link", name="Zip downloaden").click()
    assert download.value.suggested_filename.endswith("-briefs-nl.zip")
    page.goto(f"{base_url}/rounds/{ui_world['rounds']['derived']}/dashboard")
    assert page.locator("h1").inner_text() == "Dashboard"
    shoot(page, screens, "change_manager", "dashboard")
    assert errors == []


def test_trainer_downloads_a_training_brief_from_the_start_page_on_a_phone(
        live_app, launch_browser, screens, ui_world):
    _app, base_url = live_app
    page, errors = open_page(launch_browser(), base_url, "trainer", ui_world, viewport=PHONE)
    assert page.get_by_role("heading", name="Trainingsbrieven").is_visible()
    assert no_sideways_scroll(page)
    shoot(page, screens, "trainer", "home-360px")
    with page.expect_download() as download:
        page.locator("a[href*='training.docx?lang=en']").first.click()
    assert "training" in download.value.suggested_filename
    assert page.locator("a[href*='communication.docx']").count() == 0
    page.get_by_role("link", name="Sanne").first.click()
    page.wait_for_url(re.compile(r"/personas/\d+$"))
    assert no_sideways_scroll(page)
    shoot(page, screens, "trainer", "persona-360px")
    assert errors == []


def test_admin_reaches_accounts_and_dashboard_fits_a_phone(live_app, launch_browser, screens, ui_world):
    _app, base_url = live_app
    page, errors = open_page(launch_browser(), base_url, "admin", ui_world)
    shoot(page, screens, "admin", "home")
    page.get_by_role("navigation").get_by_role("link", name="Accounts").click()
    assert page.url.endswith("/admin/users")
    shoot(page, screens, "admin", "accounts")
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/rounds/{ui_world['rounds']['derived']}/dashboard")
    assert no_sideways_scroll(page)
    shoot(page, screens, "admin", "dashboard-360px")
    page.goto(f"{base_url}/")
    assert no_sideways_scroll(page)
    shoot(page, screens, "admin", "home-360px")
    assert errors == []


def test_login_page_in_both_languages(live_app, launch_browser, screens):
    _app, base_url = live_app
    page = launch_browser().new_context(viewport=PHONE, locale="en-GB").new_page()
    page.goto(f"{base_url}/login")
    assert page.locator("html").get_attribute("lang") == "en"
    shoot(page, screens, "anonymous", "login-en-360px")
    page.locator(".langs a[lang=nl]").click()
    assert page.locator("h1").inner_text() == "Inloggen"
    page.locator("input[name=email]").fill("nobody@example.org")
    page.locator("input[name=password]").fill("wrong")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    assert page.get_by_role("alert").is_visible()
    shoot(page, screens, "anonymous", "login-failed-nl-360px")
