"""Every route of the app, for every role and for anonymous visitors, against an explicit table.

A route that is added without a line in EXPECTED fails `test_every_route_has_an_expectation`,
so nobody ships a page without deciding who may use it. Round-scoped routes are checked twice:
on a round granted to the change manager and the trainer, and on one that is not.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import security_worlds
from conftest import login
from flask import url_for
from security_worlds import make_template

ROLES = ("admin", "hr", "change_manager", "trainer")
ALL = ROLES
MANAGERS = ("admin", "hr")
PUBLIC = "public"  # anyone, logged in or not

# endpoint -> roles allowed ("public" for everyone). Round-scoped endpoints are found from their
# URL arguments (round_id, persona_id): change managers and trainers pass only on granted rounds.
EXPECTED: dict[str, tuple[str, ...] | str] = {
    "static": PUBLIC,
    "auth.home": ALL,  # anonymous visitors are sent to the login page
    "auth.login": PUBLIC,
    "auth.logout": ALL,
    "rounds.index": ALL,
    "rounds.new": MANAGERS,
    "rounds.detail": ALL,  # trainers are sent on to the personas page
    "imports.upload_responses": MANAGERS,
    "imports.answers_preview": MANAGERS,
    "imports.answers_confirm": MANAGERS,
    "imports.answers_cancel": MANAGERS,
    "imports.answer_template": MANAGERS,
    "rounds.save_facts": MANAGERS,
    "rounds.derive": ("admin", "hr", "change_manager"),
    "rounds.job": ("admin", "hr", "change_manager"),
    "rounds.job_status": ("admin", "hr", "change_manager"),
    "rounds.open_round": MANAGERS,
    "rounds.close": MANAGERS,
    "rounds.reopen": MANAGERS,
    "rounds.retry_mail": MANAGERS,
    "imports.upload_participants": MANAGERS,
    "imports.participants_preview": MANAGERS,
    "imports.participants_confirm": MANAGERS,
    "imports.participants_cancel": MANAGERS,
    "rounds.export": MANAGERS,
    "rounds.dashboard_page": ("admin", "hr", "change_manager"),
    "personas.overview": ALL,
    "personas.detail": ALL,
    "personas.edit": ("admin", "hr", "change_manager"),
    "personas.brief[kind=training]": ALL,
    "personas.brief[kind=communication]": ("admin", "hr", "change_manager"),
    "personas.overview_brief": ("admin", "hr", "change_manager"),
    "personas.start_briefs_zip": ALL,  # the zip holds only what the requesting role may download
    "personas.zip_job": ALL,  # only the user who started the job sees it (404 for others)
    "personas.zip_download": ALL,
    "cards.print_view": ALL,
    "cards.deck": ("admin", "hr", "change_manager"),  # the steering group's slides: with the overview brief
    "cards.modules": ALL,  # training modules per persona: whoever gets training briefs
    "persona_checks.create": ("admin", "hr"),  # a check is a new round: who manages rounds
    "persona_sets.show": ALL,  # an earlier, replaced set stays readable
    "persona_sets.review": ("admin", "hr", "change_manager"),
    "persona_sets.confirm": ("admin", "hr", "change_manager"),
    "persona_sets.discard": ("admin", "hr", "change_manager"),
    "admin.users": ("admin",),
    "admin.set_role": ("admin",),
    "admin.toggle_active": ("admin",),
    "admin.reset_password": ("admin",),
    "admin.audit": ("admin",),
    "admin.access": MANAGERS,
    "admin.revoke": MANAGERS,
    "admin.privacy": MANAGERS,
    "admin.participants": MANAGERS,
    "admin.participant_export": MANAGERS,
    "admin.participant_delete": MANAGERS,
    # Programmes: visible when every round in them is visible. Creating one (a valid POST to the
    # index) is refused inside the view for change managers; an empty POST just shows the form.
    "programmes.index": ALL,  # trainers too: the comparison of the rounds granted to them, read-only
    "programmes.detail": ALL,
    "programmes.add_round": MANAGERS,
    "programmes.major_change": MANAGERS,
    "programmes.review": ("admin", "hr", "change_manager"),
    "questionnaires.index": MANAGERS,
    "questionnaires.upload": MANAGERS,
    # The round's mail (issue 20): texts, preview, tests, send now, one person's link.
    "mailing.overview": MANAGERS,
    "mailing.edit": MANAGERS,
    "mailing.reset": MANAGERS,
    "mailing.send_test": MANAGERS,
    "mailing.send_now": MANAGERS,
    "mailing.show_link": MANAGERS,
    "mailing.resend": MANAGERS,
    # Questionnaire preview and print: a round's for those who see its dashboard, the library's for HR.
    "preview.round_questionnaire_page": ("admin", "hr", "change_manager"),
    "preview.round_questionnaire_print": ("admin", "hr", "change_manager"),
    "preview.questionnaire_page": MANAGERS,
    "preview.questionnaire_print": MANAGERS,
    # Field notes from conversations (issue 22): read with the personas, written by those who edit them.
    "notes.index": ALL,
    "notes.add": ("admin", "hr", "change_manager"),
    "notes.edit": ("admin", "hr", "change_manager"),  # the writer's own note only (404 for no such note)
    "notes.delete": ("admin", "hr", "change_manager"),
    "survey.welcome": PUBLIC,
    "survey.exchange": PUBLIC,
    "survey.page": PUBLIC,
    "survey.save": PUBLIC,
    "survey.thanks": PUBLIC,
}
# Endpoints checked once per value of an argument, because the rule differs per value.
VARIANTS = {"personas.brief": {"kind": ("training", "communication")}}
ROUND_SCOPED_ARGS = ("round_id", "persona_id", "participant_id", "job_id", "programme_id", "set_id")
# Run last: they end the session the walk is using.
LAST = ("auth.logout",)


def _cases(app):
    """(key, endpoint, method, fixed args) for every rule and method of the app."""
    cases = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            variants = VARIANTS.get(rule.endpoint)
            if variants:
                (arg, values), = variants.items()
                for value in values:
                    cases.append((f"{rule.endpoint}[{arg}={value}]", rule, method, {arg: value}))
            else:
                cases.append((rule.endpoint, rule, method, {}))
    return sorted(cases, key=lambda c: (c[1].endpoint in LAST, c[0], c[2]))


def test_every_route_has_an_expectation(app):
    keys = {key for key, *_ in _cases(app)}
    missing = sorted(keys - EXPECTED.keys())
    assert not missing, f"routes without an access rule in tests/test_authz.py EXPECTED: {missing}"
    stale = sorted(EXPECTED.keys() - keys)
    assert not stale, f"EXPECTED lists routes the app no longer has: {stale}"


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return make_template(tmp_path_factory, "authz")


# The per-test copy of the world and its database connection (shared fixtures).
world, database = security_worlds.world, security_worlds.database


def _values(rule, scope: dict, world: dict, fixed: dict) -> dict:
    values = dict(fixed)
    for arg in rule.arguments:
        if arg in values:
            continue
        if arg in scope:
            values[arg] = scope[arg]
        elif arg == "user_id":
            values[arg] = world["spare"]
        elif arg == "filename":
            values[arg] = "style.css"
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "note_id":
            values[arg] = 999_999  # no such note: allowed roles get a 404, the rest 403/login
        elif arg == "message_id":
            values[arg] = 999_999  # no such message: allowed roles get a 404, the rest 403/login
        elif arg == "upload_id":
            values[arg] = "no-such-upload"
        elif arg == "token":
            values[arg] = "x" * 43
        elif arg == "message":
            values[arg] = "invitation"
        elif arg in ("lang", "qlang"):
            values[arg] = "nl"
        elif arg == "qid":
            values[arg] = "default"
        else:
            raise AssertionError(f"tests/test_authz.py has no value for URL argument '{arg}' of {rule.rule}")
    return values


def _outcome(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code == 403:
        return "denied"
    if response.status_code in (301, 302, 303) and urlsplit(response.headers["Location"]).path == "/login":
        return "login"
    return "allowed"


def _walk(app, world, role: str | None) -> list[str]:
    client = app.test_client()
    if role:
        assert login(client, world["users"][role][1]).status_code == 302
    wrong = []
    for key, rule, method, fixed in _cases(app):
        if key not in EXPECTED:
            continue  # reported by test_every_route_has_an_expectation
        allowed = EXPECTED[key]
        scoped = any(a in rule.arguments for a in ROUND_SCOPED_ARGS)
        for scope_name in ("granted", "other") if scoped else ("granted",):
            if allowed == PUBLIC:
                expected = "allowed"
            elif role is None:
                expected = "login"
            elif role not in allowed:
                expected = "denied"
            elif scope_name == "other" and role not in MANAGERS:
                expected = "denied"
            else:
                expected = "allowed"
            with app.test_request_context():
                url = url_for(rule.endpoint, **_values(rule, world["rounds"][scope_name], world, fixed))
            response = client.open(url, method=method, data={})
            got = _outcome(response)
            if key in LAST and role and got == "login":
                got = "allowed"  # logging out ends at the login page
            if got != expected:
                wrong.append(f"{role or 'anonymous'} {method} {url} ({key}, {scope_name} round): "
                             f"expected {expected}, got {got} [{response.status_code}]")
    return wrong


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
def test_every_route_allows_and_denies_as_the_table_says(app, world, role):
    wrong = _walk(app, world, role)
    assert not wrong, "\n".join(wrong)


def test_a_change_manager_sees_only_granted_rounds_in_the_list(client, world):
    login(client, world["users"]["change_manager"][1])
    page = client.get("/rounds/").get_data(as_text=True)
    assert "Round granted" in page and "Round other" not in page


def test_revoking_access_takes_effect_at_once(app, world, database):
    from toolkit.data.access import revoke_round

    client = app.test_client()
    login(client, world["users"]["trainer"][1])
    url = f"/rounds/{world['rounds']['granted']['round_id']}/personas"
    assert client.get(url).status_code == 200
    revoke_round(database, world["rounds"]["granted"]["round_id"], world["users"]["trainer"][0])
    assert client.get(url).status_code == 403


def test_a_disabled_account_is_logged_out_on_its_next_request(app, world, database):
    client = app.test_client()
    login(client, world["users"]["hr"][1])
    assert client.get("/rounds/").status_code == 200
    database.execute("UPDATE users SET active = 0 WHERE id = ?", [world["users"]["hr"][0]])
    response = client.get("/rounds/")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
