"""Answer exports: formula injection escaped in CSV and XLSX, identified rounds carry participant
data, anonymous rounds none."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from toolkit.data.db import transaction
from toolkit.data.responses import insert_response
from toolkit.data.rounds import create_round, get_round
from toolkit.services import exports
from toolkit.services.participants import import_participants


def test_escape_cell_prefixes_formula_starts_and_leaves_numbers():
    assert [exports.escape_cell(v) for v in ("=1+1", "+31 6", "-x", "@SUM(A1)", "\tx", "plain", 3, -2)] == [
        "'=1+1", "'+31 6", "'-x", "'@SUM(A1)", "'\tx", "plain", 3, -2]


@pytest.fixture
def identified_round(database, default_q):
    round_id = create_round(database, default_q, "Identified", mode="identified")
    import_participants(database, round_id, [
        {"row": n + 2, "email": f"p{n}@example.org", "name": "=HYPERLINK(\"http://x\",\"click\")", "team": "IT",
         "language": "nl", "attributes": {"site": "@risk"}} for n in range(2)], "k")
    ids = [r[0] for r in database.execute("SELECT id FROM participants WHERE round_id = ? ORDER BY id", [round_id])]
    text_item = next(i.id for i in default_q.items.values() if i.type == "text")
    with transaction(database):
        for pid in ids:
            insert_response(database, default_q, round_id, {"mot_int_1": 4, text_item: "=cmd|' /C calc'!A0"},
                                  participant_id=pid)
    return get_round(database, round_id), text_item


def test_identified_export_has_participant_columns_and_escaped_text(database, default_q, identified_round):
    round_, text_item = identified_round
    headers, rows = exports.answer_table(database, round_, default_q)
    assert headers[:8] == ["response_id", "submitted_on", "respondent_id", "email", "name", "team", "language", "site"]
    data = list(csv.DictReader(io.StringIO(exports.to_csv(headers, rows).decode("utf-8-sig")), delimiter=";"))
    assert len(data) == 2
    assert data[0]["name"] == "'=HYPERLINK(\"http://x\",\"click\")" and data[0]["site"] == "'@risk"
    assert data[0][text_item] == "'=cmd|' /C calc'!A0" and data[0]["mot_int_1"] == "4"


def test_xlsx_export_contains_no_formulas(database, default_q, identified_round):
    round_, text_item = identified_round
    headers, rows = exports.answer_table(database, round_, default_q)
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(headers, rows)))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert "'=cmd|' /C calc'!A0" in values and 4 in values  # likert stays a number


def test_anonymous_export_has_no_participant_columns_and_needs_the_minimum_group(database, default_q):
    round_id = create_round(database, default_q, "Anon")
    with transaction(database):
        for _ in range(4):
            insert_response(database, default_q, round_id, {"mot_int_1": 2}, external_id="EMP-1")
    round_ = get_round(database, round_id)
    with pytest.raises(exports.ExportRefused, match="4 responses"):
        exports.answer_table(database, round_, default_q)
    with transaction(database):
        insert_response(database, default_q, round_id, {"mot_int_1": 2})
    headers, rows = exports.answer_table(database, round_, default_q)
    # no identifier that could match a row to the next export, and no day
    assert headers[0] == "mot_int_1" and not {"response_id", "submitted_on", "respondent_id"} & set(headers)
    assert len(rows) == 5 and "EMP-1" not in str(rows)
    assert rows == sorted(rows, key=lambda r: [str(c) for c in r])  # ordered by content, not by who or when


def test_the_same_answers_give_the_same_xlsx_file_whenever_it_is_exported():
    import zipfile

    data = exports.to_xlsx(["a", "b"], [[1, "x"], [2, "=y"]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {info.date_time for info in archive.infolist()} == {exports.FIXED_TIME}
    core = archive.read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core and str(dt.date.today().year) not in core
    assert openpyxl.load_workbook(io.BytesIO(data)).active["B3"].value == "'=y"  # still escaped


RAW = "Te snel\x0bvoor ons\x01 team\x1b,\r\nzegt\x85 Word\ufffe."  # Word's Shift+Enter, controls, CR LF
CLEAN = "Te snel\nvoor ons team,\nzegt Word."


def test_every_export_cleans_characters_its_format_cannot_hold_the_same_way(app, database, default_q):
    """Before: a vertical tab in an open answer made the XLSX answer export a 500 (IllegalCharacterError)."""
    from conftest import login, make_users

    from toolkit.briefs.sanitize import clean_text
    from toolkit.core.cleaning import exportable_text

    round_id = create_round(database, default_q, "Word text", mode="identified")
    insert_response(database, default_q, round_id, {"mot_int_1": 4, "open_worry": RAW})
    client = app.test_client()
    login(client, make_users(database)["hr"][1])
    xlsx = client.get(f"/rounds/{round_id}/answers.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert [r for r in sheet.iter_rows(min_row=2, values_only=True)][0][header.index("open_worry")] == CLEAN
    text = client.get(f"/rounds/{round_id}/answers.csv").get_data().decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(text), delimiter=";"))["open_worry"] == CLEAN
    assert exportable_text(RAW) == CLEAN  # the one rule, in toolkit.core.cleaning
    assert clean_text(RAW, single_line=False) == CLEAN  # Word: the same characters go, then the layout
    assert clean_text(RAW) == "Te snel voor ons team, zegt Word."
