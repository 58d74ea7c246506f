"""axe-core (from npm, installed by `make system-deps` into tests/node_modules) run in Chromium
over the main pages of every role: no serious or critical WCAG 2.1 A/AA violations.

axe is injected as a script tag, which our Content-Security-Policy rightly refuses, so these
contexts bypass the CSP; the pages themselves are exactly what users get."""

from __future__ import annotations

import pytest

from .conftest import AXE, log_in

pytestmark = pytest.mark.browser
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [
        f"{v['impact']}: {v['id']} — {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def pages_for(world) -> dict[str, list[str]]:
    derived, opened = world["rounds"]["derived"], world["rounds"]["open"]
    persona = world["personas"][0]
    return {
        "anonymous": ["/login", "/login?lang=en"],
        "hr": ["/", "/?lang=en", "/rounds/", "/rounds/new", f"/rounds/{derived}", f"/rounds/{opened}",
               f"/rounds/{derived}/dashboard", f"/rounds/{opened}/dashboard", f"/rounds/{derived}/personas",
               f"/personas/{persona}", "/programmes/", "/no/such/page?lang=nl",
               # pages added for issues 17, 19 and 20: own questionnaires, the round's mail,
               # its texts, a confirmation page, the questionnaire preview
               "/questionnaires/", f"/rounds/{opened}/mail", f"/rounds/{opened}/mail/invitation/nl",
               f"/rounds/{opened}/close", f"/rounds/{opened}/questionnaire/nl"],
        "change_manager": ["/", f"/rounds/{derived}/dashboard", f"/personas/{persona}"],
        "trainer": ["/", f"/rounds/{derived}/personas"],
        "admin": ["/", "/admin/users"],
    }


@pytest.mark.parametrize("viewport", [{"width": 1200, "height": 900}, {"width": 360, "height": 740}],
                         ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_violations(live_app, launch_browser, ui_world, viewport):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run make system-deps (npm install axe-core)")
    _app, base_url = live_app
    browser = launch_browser()
    problems = {}
    for role, paths in pages_for(ui_world).items():
        page = browser.new_context(viewport=viewport, bypass_csp=True, locale="nl-NL").new_page()
        if role != "anonymous":
            log_in(page, base_url, ui_world["users"][role][1])
        for path in paths:
            response = page.goto(base_url + path)
            if response.status != (404 if "/no/such/" in path else 200):  # axe on the right page
                problems[f"{role} {path}"] = [f"HTTP {response.status}"]
                continue
            found = axe_problems(page)
            if found:
                problems[f"{role} {path}"] = found
        page.context.close()
    assert not problems, problems
