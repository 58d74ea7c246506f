"""A real server and a real browser: the app under waitress on a free port, Debian's Chromium."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENS = Path(__file__).resolve().parent.parent / "output" / "screens"


@pytest.fixture
def live_app(database, instance):
    """(app, base_url) with the app served by waitress in a thread, stopped after the test."""
    import waitress

    from toolkit import create_app

    app = create_app({"SECRET_KEY": "browser-test-secret"})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4, ident="persona-toolkit-test")
    base_url = f"http://127.0.0.1:{server.effective_port}"
    app.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield app, base_url
    server.close()
    thread.join(timeout=5)


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
