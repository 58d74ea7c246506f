"""A real server and a real browser: the app under waitress on a free port, Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENS = Path(__file__).resolve().parent.parent / "output" / "screens"


@pytest.fixture
def live_app(database, instance, job_consumer):
    """(app, base_url) with the app served by waitress in a thread, stopped after the test, and
    the scheduler's job consumer running beside it (derive and zip jobs run as in production)."""
    from conftest import served

    from toolkit import create_app

    app = create_app({"SECRET_KEY": "browser-test-secret-" + "x" * 32})
    with served(app) as base_url:
        app.config["PUBLIC_BASE_URL"] = base_url
        yield app, base_url


@pytest.fixture
def launch_browser():
    """Call it to start a fresh Chromium (a new profile each time, like reopening the browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make system-deps installs it)")
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browsers = []

        def launch():
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            browsers.append(browser)
            return browser

        yield launch
        for browser in browsers:
            if browser.is_connected():
                browser.close()


@pytest.fixture
def screens() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS


# --- a small organisation to click through (issue 10: roles, language, accessibility) -----------

PASSWORD = "correct-horse-1"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def ui_world(database):
    """Users of every role, an open round with participants, a draft, and a closed round with
    60 answers and a stored persona set, granted to the change manager and the trainer.
    Returns {"users": role -> (id, email), "rounds": name -> id, "personas": [ids shown]}."""
    import json

    from conftest import make_round_with_responses, make_users

    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.persona_sets import save_persona_set
    from toolkit.data.rounds import create_round

    q = get_questionnaire("default")
    users = make_users(database)
    database.execute("UPDATE users SET language = 'nl'")  # Dutch-speaking staff; they switch to English
    derived, _answers, _labels = make_round_with_responses(database, q, n=60, seed=11, title="Nieuwe werkwijze 2026")
    persona_set = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "persona_set_example.json")
                             .read_text(encoding="utf-8"))
    for persona in persona_set["personas"]:
        persona["members"] = []
    save_persona_set(database, derived, persona_set, user_id=users["hr"][0])
    database.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [derived])
    opened = create_round(database, q, "Pulse voorjaar")
    database.execute("UPDATE rounds SET status = 'open', works_council_date = '2026-01-10', "
                     "works_council_ref = 'OR-2026-03' WHERE id = ?", [opened])
    database.conn.executemany(
        "INSERT INTO participants (round_id, email, team) VALUES (?, ?, ?)",
        [(opened, f"p{i}@example.org", "Inkoop" if i % 2 else "Sales") for i in range(30)])
    # 12 anonymous answers waiting for the close: shown as "at least 10" (steps of the minimum group)
    database.conn.executemany("INSERT INTO responses (id, round_id) VALUES (?, ?)",
                              [(f"waiting-{i}", opened) for i in range(12)])
    draft = create_round(database, q, "Nulmeting 2027")
    for role in ("change_manager", "trainer"):
        database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [derived, users[role][0]])
    database.conn.commit()
    shown = [r[0] for r in database.execute(
        "SELECT p.id FROM personas p JOIN persona_sets s ON s.id = p.set_id WHERE s.round_id = ? AND p.presented = 1 "
        "AND p.size >= 5 ORDER BY p.size DESC", [derived])]
    return {"users": users, "rounds": {"derived": derived, "open": opened, "draft": draft}, "personas": shown}


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")  # logged in: the start page


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The Dutch pages need compiled catalogues; `make translations` builds them, and a bare
    `pytest` run compiles any .po newer than its .mo here, the same way."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent.parent / "toolkit" / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalogue)
