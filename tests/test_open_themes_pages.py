"""The persona page and both persona briefs show the themes and recurring moments found in a
round's open answers (planted in tests/open_answers.py), the .docx reopened and schema-checked."""

from __future__ import annotations

import io

import docx
import pytest
from brief_rounds import CHECK, schema_errors
from conftest import login, make_round_with_responses, make_users
from open_answers import PLANTED, SIZE, planted_answers

from toolkit.core.open_themes import verbatim_count
from toolkit.core.privacy import presentable_personas
from toolkit.data.db import transaction
from toolkit.data.persona_sets import current_persona_set
from toolkit.data.rounds import get_round
from toolkit.services.pipeline import brief_bytes, derive_round
from toolkit.services.retention import purge_round

OPEN = ("open_situation", "open_help", "open_worry")


def planted_round(database, q, lang):
    """A derived round whose two largest personas wrote the planted answers (others: none);
    returns (round id, persona key -> stored persona of the planted "p1" and "p2")."""
    round_id, _answers, _labels = make_round_with_responses(database, q, n=120, seed=3)
    database.execute(
        f"DELETE FROM answers WHERE item_id IN ({', '.join('?' * len(OPEN))})"
        " AND response_id IN (SELECT id FROM responses WHERE round_id = ?)", [*OPEN, round_id])
    derive_round(database, round_id, bootstrap=5)
    shown = presentable_personas(current_persona_set(database, round_id, members=True))
    largest = sorted(shown, key=lambda p: -p["size"])[:2]
    assert all(p["size"] >= SIZE for p in largest)
    answers, members = planted_answers(lang)
    with transaction(database):
        for planted_key, persona in zip(("p1", "p2"), largest, strict=True):
            for rid, real in zip(members[planted_key], sorted(persona["members"]), strict=False):
                for item, text in answers[rid].items():
                    database.execute("INSERT INTO answers (response_id, item_id, value) VALUES (?, ?, ?)",
                                     [real, item, text])
    derive_round(database, round_id, bootstrap=5)
    by_key = {p["key"]: p for p in presentable_personas(current_persona_set(database, round_id))}
    return round_id, {k: by_key[p["key"]] for k, p in zip(("p1", "p2"), largest, strict=True)}


def brief_text(database, round_id, persona, kind, lang, tmp_path):
    round_ = get_round(database, round_id)
    data = brief_bytes(database, round_, current_persona_set(database, round_id), persona, kind, lang)
    path = tmp_path / f"{kind}-{lang}.docx"
    path.write_bytes(data)
    if CHECK.is_file():  # the schema checker lives beside the clone (../shared); test_brief_schema says when it is missing
        assert schema_errors([path]) == []
    document = docx.Document(io.BytesIO(data))
    themes = [t for t in document.tables if [c.text for c in t.rows[0].cells][:2] in (["Thema", "Mensen"], ["Theme", "People"])]
    assert len(themes) == 1
    cells = [c.text for row in themes[0].rows for c in row.cells]
    return "\n".join(p.text for p in document.paragraphs), cells


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_persona_page_and_both_briefs_show_the_themes_and_moments(client, database, default_q, lang, tmp_path):
    words = {"nl": ("cursus", "kassasysteem", "parkeren", "Waar ze over schrijven", "Wanneer het hen raakt"),
             "en": ("course", "checkout", "park", "What they write about", "When it hits them")}[lang]
    course, situation, parking, heading, when = words
    round_id, personas = planted_round(database, default_q, lang)
    p1 = personas["p1"]
    themes = p1["description"]["open_themes"]["themes"]
    planted = [t for t in themes if course in t["label"]]
    assert [t["n"] for t in planted] == [PLANTED["course"]["p1"]]

    users = make_users(database)
    login(client, users["hr"][1])
    page = client.get(f"/personas/{p1['id']}?lang={lang}").get_data(as_text=True)
    assert heading in page and when in page
    section = page[page.index('id="h-themes"'):]
    section = section[: section.index("<h2")]  # the persona's own quotes follow (any subject)
    assert course in section and f"<td class=\"num\">{PLANTED['course']['p1']} (" in section
    assert situation in section and f"— {PLANTED['till_live']['p1']} " in section
    assert parking not in section.lower()  # 4 of this persona wrote about it: not a theme here
    for kind in ("communication", "training"):
        text, cells = brief_text(database, round_id, p1, kind, lang, tmp_path)
        assert heading in text, kind
        assert any(course in c for c in cells) and str(PLANTED["course"]["p1"]) in " ".join(cells), kind
        assert not any(parking in c.lower() for c in cells), kind
        moment = [line for line in text.splitlines() if situation in line and "live" in line]
        assert moment and f": {PLANTED['till_live']['p1']} " in moment[0], kind
        quotes = [line for line in text.splitlines() if line.startswith("“")]
        assert any(course in q.lower() for q in quotes), kind  # the theme's quote, in their words only:
        assert not any(" · " in q for q in quotes), kind  # the label (our words) stands outside the marks

    # Deleting the round's answers (retention) deletes the quotes and examples; counts stay.
    purge_round(database, round_id)
    kept = next(p for p in current_persona_set(database, round_id)["personas"] if p["key"] == p1["key"])
    found = kept["description"]["open_themes"]
    assert verbatim_count(found) == 0 and [t["n"] for t in found["themes"] if course in t["label"]] == [9]
