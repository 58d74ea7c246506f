"""Participant import (CSV/XLSX, every error with its row and column, all or nothing) and links."""

from __future__ import annotations

import pytest

from toolkit.core.intake import ImportProblem
from toolkit.core.tokens import participant_token, personal_link, token_hash
from toolkit.data.rounds import create_round
from toolkit.services.participants import find_by_token, import_participants, read_participants

SECRET = "test-secret"


@pytest.fixture
def round_id(database, default_q):
    return create_round(database, default_q, "Import round")


def _count(db, round_id):
    return db.execute("SELECT count(*) FROM participants WHERE round_id = ?", [round_id]).fetchone()[0]


def _import(db, round_id, data: bytes, filename="people.csv"):
    rows = read_participants(data, filename)
    return import_participants(db, round_id, rows, SECRET, filename=filename)


def test_import_stores_participants_with_hashed_tokens_only(database, round_id):
    data = b"email,name,team,language,location\nanna@example.org,Anna,Finance,en,Utrecht\nbob@example.org,Bob,IT,,\n"
    assert _import(database, round_id, data) == 2
    rows = list(database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id]))
    assert [(r["email"], r["team"], r["language"]) for r in rows] == [
        ("anna@example.org", "Finance", "en"), ("bob@example.org", "IT", "nl")]
    assert rows[0]["attributes"] == '{"location": "Utrecht"}'
    token = participant_token(SECRET, rows[0])
    assert len(token) >= 43  # 32 bytes, base64url
    assert rows[0]["token_hash"] == token_hash(token) and token not in str(rows[0])
    assert find_by_token(database, token)["id"] == rows[0]["id"]
    assert find_by_token(database, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert personal_link("https://survey.example/", token) == f"https://survey.example/s/{token}"


def test_invitation_and_reminder_links_are_the_same_and_differ_per_participant(database, round_id):
    _import(database, round_id, b"email\na@example.org\nb@example.org\n")
    a, b = database.query("SELECT * FROM participants WHERE round_id = ? ORDER BY id", [round_id])
    assert participant_token(SECRET, a) == participant_token(SECRET, dict(a))
    assert participant_token(SECRET, a) != participant_token(SECRET, b)
    assert participant_token("other-key", a) != participant_token(SECRET, a)


def test_dutch_semicolon_windows_1252_file_is_read(database, round_id):
    data = "e-mail;naam;afdeling;taal\nzoë@example.org;Zoë Müller;Inkoop;Nederlands\n".encode("cp1252")
    assert _import(database, round_id, data) == 1
    row = next(database.query("SELECT * FROM participants WHERE round_id = ?", [round_id]))
    assert (row["email"], row["name"], row["team"], row["language"]) == ("zoë@example.org", "Zoë Müller", "Inkoop", "nl")


def test_xlsx_formula_cells_give_their_stored_result_and_without_one_are_refused(database, round_id):
    from workbooks import simple_workbook

    data = simple_workbook([["email", "name", "team"],
                            ["c@example.org", ("=HYPERLINK(\"http://evil\",\"Cor\")", "Cor"), ("=A1&\"\"", "Inkoop")]])
    assert _import(database, round_id, data, "people.xlsx") == 1
    row = next(database.query("SELECT name, team FROM participants WHERE round_id = ?", [round_id]))
    assert row == {"name": "Cor", "team": "Inkoop"}
    without = simple_workbook([["email", "name", "team"], ["d@example.org", "Dirk", ("=1+1", None)]])
    with pytest.raises(ImportProblem) as caught:
        _import(database, round_id, without, "people.xlsx")
    assert caught.value.problems == ["row 2, column 'team': the formula =1+1 has no stored result; open the workbook "
                                     "in your spreadsheet program, save it, and import it again"]
    assert _count(database, round_id) == 1


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"email,name\nanna@example,Anna\n", "row 2, column 'email': 'anna@example' is not a valid e-mail address"),
        (b"email,name\n,Anna\n", "row 2, column 'email': empty; expected an e-mail address"),
        (b"email\na@example.org\nb@example.org\nA@Example.org\n",
         "row 4, column 'email': 'A@Example.org' is a duplicate of row 2"),
        (b"email,language\na@example.org,de\n", "row 2, column 'language': unknown language 'de'; expected nl or en"),
        (b"name,team\nAnna,IT\n", "row 1: no e-mail column; expected a column named 'email'"),
        (b"email\n", "the file has a header but no participants"),
        (b"", "the file is empty"),
        (b"email,name\na@example.org,Anna,extra\n", "row 2: too many values (3 instead of 2"),
    ],
    ids=["bad-email", "empty-email", "duplicate", "unknown-language", "no-email-column", "no-rows", "empty",
         "ragged-row"],
)
def test_import_errors_name_row_and_column_and_store_nothing(database, round_id, data, expected):
    with pytest.raises(ImportProblem) as caught:
        _import(database, round_id, data)
    assert any(expected in p for p in caught.value.problems), caught.value.problems
    assert "people.csv" in str(caught.value)
    assert _count(database, round_id) == 0


def test_one_bad_row_among_good_ones_stores_nothing_and_lists_every_error(database, round_id):
    data = b"email,language\ngood@example.org,nl\nbad@,nl\nalso-good@example.org,fr\n"
    with pytest.raises(ImportProblem) as caught:
        _import(database, round_id, data)
    assert len(caught.value.problems) == 2
    assert _count(database, round_id) == 0


def test_participant_already_in_round_is_a_duplicate_and_nothing_is_added(database, round_id):
    _import(database, round_id, b"email\na@example.org\n")
    with pytest.raises(ImportProblem) as caught:
        _import(database, round_id, b"email\nnew@example.org\nA@example.org\n")
    assert "row 3, column 'email': 'A@example.org' is a duplicate: already a participant" in caught.value.problems[0]
    assert _count(database, round_id) == 1


def test_cli_imports_participants_and_prints_a_link(cli, database, round_id, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,name\nx@example.org,X\n", encoding="utf-8")
    assert "Imported 1 participants" in cli("participants", "import", path, "--round", round_id).output
    link = cli("participants", "link", "x@example.org", "--round", round_id).output.strip()
    assert "/s/" in link
    assert find_by_token(database, link.rsplit("/", 1)[1])["email"] == "x@example.org"


def test_cli_import_error_is_a_message_not_a_traceback(cli, database, round_id, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email\nnot-an-address\n", encoding="utf-8")
    result = cli("participants", "import", path, "--round", round_id, expect_ok=False)
    assert result.exit_code == 1
    assert "row 2, column 'email'" in result.output and "Traceback" not in result.output
    assert _count(database, round_id) == 0
