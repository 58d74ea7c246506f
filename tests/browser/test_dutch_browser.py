"""Every page each role can reach, in Dutch, in a real Chromium: no English on any of them.

Each staff role starts on its start page and follows every link within the app, breadth-first;
HR also reaches the pages behind forms (deriving in progress, a refused and a finished
derivation, a round the scheduler left alone, a status that changed meanwhile, a programme, an
import that failed). A respondent walks the welcome page, every questionnaire page and the
thanks page. Every visible text node, title, alt, aria-label, placeholder and button value is
checked by tests/browser/english.py; the leaks found are written to tests/output/dutch-<role>.txt.
"""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest

from .conftest import log_in
from .english import VISIBLE_TEXTS_JS, leaks_in, summary

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1200, "height": 900}
SKIP_LINK = re.compile(r"\.(docx|zip|pptx|csv|xlsx|json|pdf|png|svg)(\?|$)|/logout|lang=en|/static/")
PER_PATTERN = 2  # pages of one shape (/personas/<id>) read twice are read enough
MAX_PAGES = 90
DUTCH_NAMES = {"admin": "Bram Visser", "hr": "Anouk Jansen", "change_manager": "Sem de Boer",
               "trainer": "Lotte Smit"}


class _Stop(Exception):
    """Stops a derivation part-way, leaving its job running with the progress reached."""


def _job_part_way(db, round_id: int, user_id: int, stop_at: float) -> int:
    """A derive job of ``round_id`` left running with the progress the real derivation reported
    when it passed ``stop_at`` (0..1): what its progress page shows at that moment."""
    from toolkit.jobs import runner
    from toolkit.services.pipeline import derive_round

    job_id = runner.create(db, "derive", round_id, {"k": None}, user_id)
    attempt = runner.claim(db, job_id, runner.worker_name())
    record = runner.progress_recorder(db, job_id, attempt)

    def progress(fraction, message=""):
        record(fraction, message)
        if fraction >= stop_at:
            raise _Stop

    with pytest.raises(_Stop):
        derive_round(db, round_id, bootstrap=20, progress=progress, review=True)
    # Keep it looking alive: the consumer's recovery must not take it over during the walk.
    db.execute("UPDATE jobs SET heartbeat_at = ? WHERE id = ?", [time.time() + 3600, job_id])
    return job_id


@pytest.fixture
def dutch_world(ui_world, database, live_app):
    """ui_world with Dutch names on the accounts, a small closed round of 9 answers, a round the
    scheduler did not open (no works council record), derive jobs part-way (fitting, bootstrap)
    and the scheduler's heartbeat and queued invitations."""
    import datetime as dt

    from conftest import make_round_with_responses

    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.rounds import create_round
    from toolkit.jobs.scheduler import dispatch
    from toolkit.services.participants import import_participants

    app, _base_url = live_app
    for role, name in DUTCH_NAMES.items():
        database.execute("UPDATE users SET name = ? WHERE id = ?", [name, ui_world["users"][role][0]])
    q = get_questionnaire("default")
    small, _a, _l = make_round_with_responses(database, q, n=9, seed=3, title="Kleine afdeling")
    database.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [small])
    waiting = create_round(database, q, "Zonder OR-besluit")
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    database.execute("UPDATE rounds SET opens_at = ? WHERE id = ?", [past, waiting])
    database.conn.commit()
    import_participants(database, ui_world["rounds"]["open"], [
        {"row": 2, "email": "respondent@example.org", "name": "Noor", "team": "Inkoop", "language": "nl",
         "attributes": {}}], app.config["SECRET_KEY"])
    dispatch(database, app.config, dt.datetime.now(dt.UTC), deliver=False)
    hr = ui_world["users"]["hr"][0]
    derived = ui_world["rounds"]["derived"]
    jobs = {"fitting": _job_part_way(database, derived, hr, 0.05),
            "bootstrap": _job_part_way(database, derived, hr, 0.6)}
    database.conn.commit()
    return {**ui_world, "small": small, "waiting": waiting, "jobs": jobs}


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def read_page(page, name: str, leaks: list, pages: list) -> None:
    """Check the page now shown; ``name`` says which it is in the report."""
    page.wait_for_load_state("load")
    pages.append(name)
    leaks.extend(leaks_in(name, page.evaluate(VISIBLE_TEXTS_JS)))


def walk(page, base_url: str, start: str, leaks: list, pages: list) -> None:
    """Breadth-first over the app's links from ``start``, reading every page reached."""
    seen, per_pattern = set(), {}
    todo = deque([start])
    while todo and len(seen) < MAX_PAGES:
        path = todo.popleft()
        if path in seen or per_pattern.get(_pattern(path), 0) >= PER_PATTERN:
            continue
        seen.add(path)
        per_pattern[_pattern(path)] = per_pattern.get(_pattern(path), 0) + 1
        response = page.goto(base_url + path)
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        read_page(page, path, leaks, pages)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urldefrag(href)[0])
            if url.netloc and f"{url.scheme}://{url.netloc}" != base_url:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target.startswith("/") and not SKIP_LINK.search(target) and target not in seen:
                todo.append(target)


def report(role: str, leaks: list, pages: list, screens) -> str:
    text = f"{role}: {len(leaks)} leaks on {len(set(p for p in pages))} pages\n{summary(leaks)}\n"
    (screens.parent / f"dutch-{role}.txt").write_text(text, encoding="utf-8")
    return text


def wait_for_job_page(page, seconds: float) -> None:
    """Until the progress page stops refreshing itself (the job ended, or the page moved on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            page.wait_for_load_state("load")
            if page.locator("meta[http-equiv=refresh]").count() == 0:
                return
        except Exception:  # the page refreshed while it was read  # noqa: BLE001
            pass
        time.sleep(0.5)
    raise AssertionError(f"{page.url} still refreshing after {seconds} s")


def hr_forms(page, base_url: str, world, leaks: list, pages: list) -> None:
    """The HR pages that only a form or the scheduler leads to."""
    rounds = world["rounds"]
    for what, job_id in world["jobs"].items():
        page.goto(f"{base_url}/rounds/{rounds['derived']}/jobs/{job_id}")
        read_page(page, f"derive in progress ({what})", leaks, pages)
    page.goto(f"{base_url}/rounds/{world['waiting']}")
    read_page(page, "round the scheduler did not open", leaks, pages)
    # Forcing 3 personas on 9 people: refused or explained, in Dutch.
    page.goto(f"{base_url}/rounds/{world['small']}")
    page.locator("#derive select").select_option("3")
    page.locator("#derive [type=submit]").click()
    wait_for_job_page(page, 60)
    read_page(page, "derive k=3 on 9 people", leaks, pages)
    # A finished derivation of a round that had personas: what the new set changes.
    page.goto(f"{base_url}/rounds/{rounds['derived']}")
    page.locator("#derive [type=submit]").click()
    wait_for_job_page(page, 90)
    read_page(page, "derive finished", leaks, pages)
    # A status that changed meanwhile: the confirmation page, then the round closes elsewhere.
    page.goto(f"{base_url}/rounds/{rounds['draft']}/open")
    world["db"].execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [rounds["draft"]])
    world["db"].conn.commit()
    page.locator("main form [type=submit]").first.click()
    read_page(page, "open a round that closed meanwhile", leaks, pages)
    page.goto(f"{base_url}/programmes/")
    page.locator("input[name=name]").fill("Nieuwe werkwijze")
    page.locator("main form [type=submit]").last.click()
    read_page(page, "new programme", leaks, pages)


@pytest.mark.parametrize("role", ["admin", "hr", "change_manager", "trainer"])
def test_every_page_a_role_reaches_is_dutch(live_app, launch_browser, screens, dutch_world, database, role):
    _app, base_url = live_app
    world = {**dutch_world, "db": database}
    page = launch_browser().new_context(viewport=DESKTOP, locale="nl-NL").new_page()
    log_in(page, base_url, world["users"][role][1])
    leaks, pages = [], []
    if role == "hr":
        hr_forms(page, base_url, world, leaks, pages)
    walk(page, base_url, "/", leaks, pages)
    text = report(role, leaks, pages, screens)
    assert len(pages) >= 8, text
    assert not leaks, text


def test_a_respondent_reads_only_dutch(live_app, launch_browser, screens, dutch_world, database):
    from toolkit.core.tokens import participant_token, personal_link

    app, base_url = live_app
    opened = dutch_world["rounds"]["open"]
    participant = next(database.query("SELECT * FROM participants WHERE round_id = ? AND email = ?",
                                      [opened, "respondent@example.org"]))
    page = launch_browser().new_context(viewport={"width": 360, "height": 740}, locale="nl-NL").new_page()
    page.goto(personal_link(base_url, participant_token(app.config["SECRET_KEY"], participant)))
    leaks, pages = [], []
    read_page(page, "welcome", leaks, pages)
    page.screenshot(path=str(screens / "dutch-respondent-welcome.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Begin met de vragenlijst")).click()
    number = 0
    while page.url.endswith("/survey"):
        number += 1
        read_page(page, f"questionnaire page {number}", leaks, pages)
        if number == 1:  # a page sent back unanswered says what is missing
            page.locator("button[value=next]").click()
            read_page(page, "questionnaire page 1 unanswered", leaks, pages)
        for fieldset in page.locator("fieldset.question").all():
            options = fieldset.locator("label.option, li")
            options.nth(min(2, options.count() - 1)).click()
        page.locator("button[value=next]").click()
        page.wait_for_load_state("load")
        assert number < 40
    read_page(page, "thanks", leaks, pages)
    text = report("respondent", leaks, pages, screens)
    assert number >= 2, text
    assert not leaks, text


BAD_PARTICIPANTS = "email;team\ngeen-adres;Inkoop\np1@example.org;Sales\n"


def test_import_error_page_is_dutch(live_app, launch_browser, screens, dutch_world, database, tmp_path):
    _app, base_url = live_app
    page = launch_browser().new_context(viewport=DESKTOP, locale="nl-NL").new_page()
    log_in(page, base_url, dutch_world["users"]["hr"][1])
    upload = tmp_path / "deelnemers.csv"
    upload.write_text(BAD_PARTICIPANTS, encoding="utf-8")
    page.goto(f"{base_url}/rounds/{dutch_world['rounds']['draft']}")
    form = page.locator("form[action$='/participants']")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("[type=submit]").click()
    leaks, pages = [], []
    read_page(page, "import failed", leaks, pages)
    text = report("import-errors", leaks, pages, screens)
    assert page.locator("ul.problems li").count() >= 1, text
    assert not leaks, text
