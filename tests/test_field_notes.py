"""Field notes on a round (issue 22): stored masked, linked to personas or a theme, shown on the
persona page and in both persona briefs in their own section, never counted as respondents."""

from __future__ import annotations

import io
import json

import docx
import pytest
import security_worlds
from brief_rounds import CHECK, schema_errors
from security_worlds import make_template

from toolkit.core.field_notes import may_change
from toolkit.core.messages import MessageError
from toolkit.data import migrations
from toolkit.data.db import NotFound, connect
from toolkit.data.field_notes import (
    add_note,
    delete_note,
    get_note,
    persona_notes,
    round_notes,
    update_note,
)
from toolkit.data.persona_sets import activate_persona_set, current_persona_set, save_persona_set
from toolkit.data.rounds import get_round, round_info, round_questionnaire

DUTCH = {"name": "[naam]", "email": "[e-mail]", "phone": "[telefoon]"}
NOTE = {"kind": "interview", "held_on": "2026-03-02", "people": 1, "theme": "tempo", "tags": "rooster, uitleg",
        "text": "Jan van der Berg vindt het tempo te hoog. Mail jan.berg@gemeente.example of bel 06-12345678; "
                "volgens jan moet het rooster eerst rustig worden."}
SECRETS = ("Jan", "jan", "Berg", "jan.berg@gemeente.example", "06-12345678")


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return make_template(tmp_path_factory, "notes")


world, database = security_worlds.world, security_worlds.database


@pytest.fixture
def granted(world, database):
    """The granted round with a named participant, and its first persona."""
    round_id = world["rounds"]["granted"]["round_id"]
    database.execute("INSERT INTO participants (round_id, email, name) VALUES (?, 'jan.berg@gemeente.example', "
                     "'Jan van der Berg')", [round_id])
    return round_id, world["rounds"]["granted"]["persona_id"]


def _stored_text(db) -> str:
    """Everything the notes and the audit log hold, as one text."""
    rows = db.execute("SELECT kind, held_on, text, theme, tags FROM field_notes").fetchall()
    rows += db.execute("SELECT action, object, detail FROM audit").fetchall()
    return json.dumps(rows, ensure_ascii=False)


def test_migration_adds_the_tables_to_an_existing_database(tmp_path):
    db = connect(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in migrations._discover():
        if step.__name__ >= "m015":
            break
        step(db)
        db.execute("INSERT INTO _migrations VALUES (?, 'then')", [step.__name__])
    assert "field_notes" not in db.table_names()
    assert migrations.migrate(db)[0] == "m015_field_notes"
    assert {"field_notes", "field_note_personas"} <= set(db.table_names())


def test_a_note_is_stored_masked_and_the_writer_learns_what_was_masked(database, world, granted):
    round_id, persona_id = granted
    note_id, counts = add_note(database, round_id, NOTE, persona_ids=[persona_id],
                               author_id=world["users"]["hr"][0], markers=DUTCH)
    assert counts == {"name": 2, "email": 1, "phone": 1}
    stored = get_note(database, round_id, note_id)
    assert stored["text"] == ("[naam] vindt het tempo te hoog. Mail [e-mail] of bel [telefoon]; volgens [naam] "
                              "moet het rooster eerst rustig worden.")
    assert stored["tags"] == ["rooster", "uitleg"] and stored["persona_ids"] == [persona_id]
    assert stored["author"] == "Hr" and stored["people"] == 1
    everything = _stored_text(database)
    assert not any(secret in everything for secret in SECRETS)
    # a theme and tags are free text too: masked the same way
    other_id, counts = add_note(database, round_id, dict(NOTE, text="Rustig gesprek.", theme="team van Jan",
                                                         tags="jan berg, rooster"), author_id=None, markers=DUTCH)
    other = get_note(database, round_id, other_id)
    assert (other["theme"], other["tags"], counts["name"]) == ("team van [naam]", ["[naam]", "rooster"], 2)
    assert f"field note {note_id} of round {round_id}" in everything  # the audit names the note only


def test_numbered_accented_names_and_hidden_phone_numbers_never_reach_the_database(database, world, granted):
    round_id, persona_id = granted
    for email, name in (("e12@demo.example", "Employee 12"), ("omer@demo.example", "Ömer Yılmaz")):
        database.execute("INSERT INTO participants (round_id, email, name) VALUES (?, ?, ?)", [round_id, email, name])
    text = ("Employee 12 zei: bel kamer 12 06–12345678. OMER YILMAZ en Yilmaz willen het ook; "
            "thuis ０６１２３４５６７８. Employee\n12 nogmaals.")
    note_id, counts = add_note(database, round_id, dict(NOTE, text=text, tags="employee-12"),
                               persona_ids=[persona_id], author_id=None, markers=DUTCH)
    stored = get_note(database, round_id, note_id)
    assert stored["text"] == ("[naam] zei: bel kamer 12 [telefoon]. [naam] en [naam] willen het ook; "
                              "thuis [telefoon]. [naam] nogmaals.")
    assert stored["tags"] == ["[naam]"] and counts == {"name": 5, "email": 0, "phone": 2}
    everything = _stored_text(database)
    assert not any(secret in everything for secret in ("12345678", "１２３", "Employee", "Yilmaz", "YILMAZ", "Yılmaz"))


def test_a_note_links_to_personas_of_the_current_set_or_to_a_theme(database, world, granted):
    round_id, persona_id = granted
    other_persona = world["rounds"]["other"]["persona_id"]
    with pytest.raises(MessageError, match="current set"):
        add_note(database, round_id, NOTE, persona_ids=[other_persona], author_id=None)
    with pytest.raises(MessageError, match="at least one persona or give it a theme"):
        add_note(database, round_id, dict(NOTE, theme=""), author_id=None)
    note_id, _counts = add_note(database, round_id, dict(NOTE, theme="werkdruk"), author_id=None)
    assert round_notes(database, round_id)[0]["personas"] == [] and persona_notes(database, persona_id) == []
    with pytest.raises(NotFound):
        add_note(database, 999, NOTE, author_id=None)
    assert get_note(database, round_id, note_id)["theme"] == "werkdruk"


def test_notes_are_edited_masked_again_and_deleted(database, world, granted):
    round_id, persona_id = granted
    note_id, _ = add_note(database, round_id, NOTE, persona_ids=[persona_id], author_id=None, markers=DUTCH)
    second = world["rounds"]["granted"]["persona_ids"][1]
    counts = update_note(database, round_id, note_id, dict(NOTE, text="Nu zegt Berg het zelf.", people=3),
                         persona_ids=[second], user_id=None, markers=DUTCH)
    note = get_note(database, round_id, note_id)
    assert counts["name"] == 1 and note["text"] == "Nu zegt [naam] het zelf." and note["people"] == 3
    assert note["persona_ids"] == [second] and note["updated_at"]
    assert [n["id"] for n in persona_notes(database, second)] == [note_id] and persona_notes(database, persona_id) == []
    with pytest.raises(NotFound):
        delete_note(database, world["rounds"]["other"]["round_id"], note_id, user_id=None)
    delete_note(database, round_id, note_id, user_id=None)
    assert round_notes(database, round_id) == []
    assert database.execute("SELECT count(*) FROM field_note_personas").fetchone()[0] == 0


def test_notes_stay_with_the_persona_that_carries_on_after_deriving_again(database, granted):
    round_id, persona_id = granted
    note_id, _ = add_note(database, round_id, NOTE, persona_ids=[persona_id], author_id=None)
    old = current_persona_set(database, round_id, members=True)
    key = next(p["key"] for p in old["personas"] if p["id"] == persona_id)
    stored_only = ("id", "derived_name", "narrative", "edited_by", "edited_at", "carried_from")
    old["personas"] = [{k: v for k, v in p.items() if k not in stored_only} for p in old["personas"]]
    new_set = save_persona_set(database, round_id, old, pending=True)
    activate_persona_set(database, round_id, new_set, names={}, carried={key: persona_id}, user_id=None)
    new_persona = database.execute("SELECT id FROM personas WHERE set_id = ? AND key = ?", [new_set, key]).fetchone()[0]
    assert [n["id"] for n in persona_notes(database, new_persona)] == [note_id]
    persona_set = current_persona_set(database, round_id)
    round_ = get_round(database, round_id)
    info = round_info(database, round_, round_questionnaire(database, round_), persona_set)
    assert [n["persona_keys"] for n in info["field_notes"]] == [[key]]


def test_writers_change_their_own_notes_and_hr_may_remove_any():
    assert may_change("edit", author_id=4, user_id=4, role="change_manager")
    assert may_change("delete", author_id=4, user_id=4, role="change_manager")
    assert not may_change("edit", author_id=4, user_id=5, role="change_manager")
    assert not may_change("delete", author_id=4, user_id=5, role="change_manager")
    assert not may_change("edit", author_id=4, user_id=2, role="hr")
    assert may_change("delete", author_id=4, user_id=2, role="hr")
    assert may_change("delete", author_id=None, user_id=1, role="admin")


def _brief_text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.mark.parametrize("kind", ["communication", "training"])
def test_both_briefs_show_the_masked_note_in_its_own_section(database, world, granted, kind, tmp_path):
    from toolkit.services.pipeline import brief_bytes

    round_id, persona_id = granted
    add_note(database, round_id, NOTE, persona_ids=[persona_id], author_id=None, markers=DUTCH)
    add_note(database, round_id, dict(NOTE, text="Over iedereen.", kind="focus_group", people=7), author_id=None)
    round_ = get_round(database, round_id)
    persona_set = current_persona_set(database, round_id)
    persona = next(p for p in persona_set["personas"] if p["id"] == persona_id)
    files = {}
    for lang, heading, meta in (("nl", "Uit gesprekken", "Interview · 2 maart 2026 · 1 persoon · thema: tempo"),
                                ("en", "From conversations", "Interview · 2 March 2026 · 1 person · theme: tempo")):
        data = brief_bytes(database, round_, persona_set, persona, kind, lang)
        text = _brief_text(data)
        start = text.index(heading)
        section = text[start:text.index("Over deze brief" if lang == "nl" else "About this brief")]
        assert meta in section
        assert "[naam] vindt het tempo te hoog. Mail [e-mail] of bel [telefoon];" in "\n".join(section)
        assert "Over iedereen." not in "\n".join(text)  # a note on a theme only is not this persona's
        assert not any(secret in "\n".join(text) for secret in ("Berg", "jan.berg@", "06-12345678"))
        files[lang] = tmp_path / f"{kind}-{lang}.docx"
        files[lang].write_bytes(data)
    if CHECK.is_file():
        assert schema_errors(list(files.values())) == []


def test_a_brief_without_notes_says_so(database, granted):
    from toolkit.services.pipeline import brief_bytes

    round_id, persona_id = granted
    round_ = get_round(database, round_id)
    persona_set = current_persona_set(database, round_id)
    persona = next(p for p in persona_set["personas"] if p["id"] == persona_id)
    text = _brief_text(brief_bytes(database, round_, persona_set, persona, "training", "en"))
    assert "From conversations" in text
    assert any(line.startswith("No notes from conversations are linked to") for line in text)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_change_manager_adds_a_note_on_the_web_and_is_told_what_was_masked(app, world, database, granted):
    from conftest import login

    round_id, persona_id = granted
    client = app.test_client()
    login(client, world["users"]["change_manager"][1])
    form = dict(NOTE, personas=[str(persona_id)], held_on="2026-03-02")
    response = client.post(f"/rounds/{round_id}/notes?lang=nl", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Voordat we je notitie opsloegen, vervingen we 2 namen, 1 e-mailadres en 1 telefoonnummer" in page
    assert "[naam] vindt het tempo te hoog." in page and "Berg" not in page and "06-12345678" not in page
    note = round_notes(database, round_id)[0]
    assert note["author_id"] == world["users"]["change_manager"][0] and note["personas"] == [persona_id]
    # the persona page shows it in its own section, with a way to all notes of the round
    persona_page = _page(client, f"/personas/{persona_id}?lang=nl")
    assert 'id="h-conversations"' in persona_page and "Uit gesprekken" in persona_page
    assert "[naam] vindt het tempo te hoog." in persona_page and "1 persoon" in persona_page
    assert f"/rounds/{round_id}/notes" in persona_page
    # the round page links to the notes
    assert f'href="/rounds/{round_id}/notes"' in _page(client, f"/rounds/{round_id}")
    # a note that breaks a rule comes back with the reason and is not stored
    refused = client.post(f"/rounds/{round_id}/notes?lang=nl", data=dict(form, personas=[], theme=""))
    assert refused.status_code == 400 and "Koppel de notitie aan" in refused.get_data(as_text=True)
    assert len(round_notes(database, round_id)) == 1


def test_only_the_writer_edits_a_note_hr_may_delete_it_and_trainers_read(app, world, database, granted):
    from conftest import login

    round_id, persona_id = granted
    note_id, _ = add_note(database, round_id, NOTE, persona_ids=[persona_id],
                          author_id=world["users"]["change_manager"][0], markers=DUTCH)
    hr, trainer, writer = app.test_client(), app.test_client(), app.test_client()
    login(hr, world["users"]["hr"][1])
    login(trainer, world["users"]["trainer"][1])
    login(writer, world["users"]["change_manager"][1])
    changed = dict(NOTE, text="Andere tekst.", personas=[str(persona_id)])
    assert hr.get(f"/rounds/{round_id}/notes?edit={note_id}").status_code == 403
    assert hr.post(f"/rounds/{round_id}/notes/{note_id}", data=changed).status_code == 403
    edit_page = _page(writer, f"/rounds/{round_id}/notes?edit={note_id}")
    assert "[naam] vindt het tempo te hoog." in edit_page and f'action="/rounds/{round_id}/notes/{note_id}"' in edit_page
    assert writer.post(f"/rounds/{round_id}/notes/{note_id}", data=changed).status_code == 302
    assert get_note(database, round_id, note_id)["text"] == "Andere tekst."
    reading = _page(trainer, f"/rounds/{round_id}/notes")
    assert "Andere tekst." in reading and "note-form" not in reading and "/delete" not in reading
    assert trainer.post(f"/rounds/{round_id}/notes/{note_id}/delete").status_code == 403
    assert "Andere tekst." in _page(trainer, f"/personas/{persona_id}")
    assert hr.post(f"/rounds/{round_id}/notes/{note_id}/delete").status_code == 302
    assert round_notes(database, round_id) == []


def test_notes_go_with_the_answers_when_the_round_is_purged(database, granted):
    from toolkit.services.retention import purge_round

    round_id, persona_id = granted
    add_note(database, round_id, NOTE, persona_ids=[persona_id], author_id=None)
    held = purge_round(database, round_id, reason="test")
    assert held["field notes"] == 1
    assert database.execute("SELECT count(*) FROM field_notes").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM field_note_personas").fetchone()[0] == 0


def test_a_note_that_masking_makes_too_long_is_refused_with_a_message_not_stored(database, world, granted):
    round_id, persona_id = granted
    database.execute("INSERT INTO participants (round_id, email, name) VALUES (?, 'bo@x.example', 'Bo Li')", [round_id])
    text = ("Bo zei iets. " * 115)[:1500]  # 1,500 characters; each "Bo" becomes the 6-character "[naam]"
    with pytest.raises(MessageError, match="masked the note has"):
        add_note(database, round_id, dict(NOTE, text=text), persona_ids=[persona_id], author_id=None, markers=DUTCH)
    assert database.execute("SELECT count(*) FROM field_notes").fetchone()[0] == 0
