"""Script in imported names, team names, open answers, round titles and persona edits: shown
escaped on every HTML page, and as the same plain text in the Word briefs."""

from __future__ import annotations

import io
import json
import re

import pytest
import security_worlds
from conftest import login
from flask import url_for
from security_worlds import PASSWORD, make_template

# Each payload carries its own marker so a failure says which field leaked.
PAYLOADS = {
    "participant": '<script>alert("participant")</script>',
    "team": '<img src=x onerror=alert("team")>',
    "answer": '"><svg onload=alert("answer")>',
    "title": '<script>alert("title")</script>',
    "persona_name": '<b onmouseover=alert("name")>P</b>',
    "narrative": '</p><script>alert("narrative")</script>&amp;',
    "user": '<iframe src="javascript:alert(\'user\')">',
}
# What must never reach a page unescaped, whatever the field.
DANGEROUS = re.compile(r"<script>alert|<img src=x onerror|<svg onload|<b onmouseover|<iframe src=\"javascript", re.I)


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    """The shared world, with script in open answers and team names of round A, derived again."""
    from toolkit.services.pipeline import derive_round

    db, world = make_template(tmp_path_factory, "xss")
    round_id = world["rounds"]["granted"]["round_id"]
    db.execute("UPDATE answers SET value = ? WHERE item_id IN ('open_worry', 'open_help', 'open_situation') "
               "AND response_id IN (SELECT id FROM responses WHERE round_id = ?)", [PAYLOADS["answer"], round_id])
    db.execute("UPDATE responses SET team = ? WHERE round_id = ?", [PAYLOADS["team"], round_id])
    db.execute("UPDATE rounds SET title = ? WHERE id = ?", [PAYLOADS["title"], round_id])
    db.execute("UPDATE participants SET name = ?, team = ? WHERE round_id = ?",
               [PAYLOADS["participant"], PAYLOADS["team"], round_id])
    db.execute("UPDATE users SET name = ? WHERE email = 'admin@test.example'", [PAYLOADS["user"]])
    derive_round(db, round_id, k=1, bootstrap=2)  # one persona: everyone, so quotes and team are shown
    db.execute("UPDATE personas SET presented = 1")
    from toolkit.data.persona_sets import current_persona_set

    world["xss_persona"] = current_persona_set(db, round_id)["personas"][0]["id"]
    return db, world


# The per-test copy of the world and its database connection (shared fixtures).
world, database = security_worlds.world, security_worlds.database


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    assert login(client, world["users"]["admin"][1], PASSWORD).status_code == 302
    persona_id = world["xss_persona"]
    response = client.post(f"/personas/{persona_id}/edit",
                           data={"name": PAYLOADS["persona_name"], "narrative": PAYLOADS["narrative"]})
    assert response.status_code == 302
    return client


def _get_urls(app, world) -> list[str]:
    """Every GET route of the app, filled in for round A (the one with the payloads)."""
    scope = dict(world["rounds"]["granted"], persona_id=world["xss_persona"], user_id=world["spare"],
                 fmt="csv", kind="training", filename="style.css", token="x" * 43, upload_id="none",
                 message="invitation", lang="nl", qlang="nl", qid="default")
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static":
                urls.append(url_for(rule.endpoint, **{a: scope[a] for a in rule.arguments}))
    return urls


def _assert_escaped(url: str, response) -> None:
    if not response.mimetype == "text/html":
        return
    body = response.get_data(as_text=True)
    leak = DANGEROUS.search(body)
    assert leak is None, f"{url} shows unescaped markup: {body[max(0, leak.start() - 80):leak.end() + 80]}"


def test_every_html_page_shows_the_payloads_escaped(app, world, admin):
    seen = set()
    for url in _get_urls(app, world) + [
        f"/admin/rounds/{world['rounds']['granted']['round_id']}/participants?q=test",
        "/admin/audit?action=edit",
    ]:
        response = admin.get(url, follow_redirects=True)
        _assert_escaped(url, response)
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        for field, payload in PAYLOADS.items():
            if _escaped(payload) in body:
                seen.add(field)
    # the fields really were on the pages (escaped), so the check above was not vacuous
    assert {"participant", "title", "persona_name", "narrative", "user", "answer"} <= seen, seen


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_imported_participant_names_are_escaped_in_the_upload_preview(app, world, admin):
    round_id = world["rounds"]["other"]["round_id"]
    data = ("email;name;team\r\nmallory@test.example;" + PAYLOADS["participant"].replace('"', "'") + ";"
            + PAYLOADS["team"].replace('"', "'") + "\r\n").encode()
    response = admin.post(f"/rounds/{round_id}/participants", data={"file": (io.BytesIO(data), "people.csv")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "mallory@test.example" in body
    _assert_escaped("participant preview", response)
    assert _escaped(PAYLOADS["participant"].replace('"', "'")) in body


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def test_word_briefs_carry_the_payloads_as_plain_text(admin, world):
    persona_id = world["xss_persona"]
    round_id = world["rounds"]["granted"]["round_id"]
    training = _docx_text(admin.get(f"/personas/{persona_id}/brief/training.docx?lang=en").data)
    communication = _docx_text(admin.get(f"/personas/{persona_id}/brief/communication.docx?lang=en").data)
    overview = _docx_text(admin.get(f"/rounds/{round_id}/overview.docx?lang=en").data)
    everything = training + communication + overview
    assert PAYLOADS["persona_name"] in everything
    assert PAYLOADS["team"] in training  # context table: everyone is in the one team
    assert PAYLOADS["answer"] in communication  # quotes: more than ten people
    assert PAYLOADS["title"] in everything
    assert "&lt;" not in everything and "&amp;amp;" not in everything  # not escaped twice


def test_participant_export_keeps_the_payload_as_data(admin, world):
    scope = world["rounds"]["granted"]
    response = admin.get(f"/admin/rounds/{scope['round_id']}/participants/{scope['participant_id']}.json")
    assert response.mimetype == "application/json"
    assert json.loads(response.data)["participant"]["name"] == PAYLOADS["participant"]
