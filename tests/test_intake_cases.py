"""The intake case files (tests/data/intake/, from shared/cases/intake/): each imported through
the command line as HR would, and every stored value compared with the file, cell by cell.

The expected cells are read from the files by the simplest independent means (Python's own
decoders and a plain split, openpyxl's full loader for the workbooks), not by our reader.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import openpyxl
import pytest

CASES = Path(__file__).resolve().parent / "data" / "intake"
ITEMS = ["rdy_app_1", "rdy_sup_1", "rdy_eff_1", "rdy_val_1", "rdy_com_1", "rdy_app_3", "rdy_sup_2", "rdy_eff_2",
         "rdy_val_3", "rdy_com_2"]


@pytest.fixture
def new_round(cli):
    def make() -> int:
        return int(cli("round", "create", "--questionnaire", "default", "--title", "Intake").output)
    return make


def stored_people(db, round_id) -> list[tuple]:
    return [tuple(r) for r in db.execute(
        "SELECT email, name, team, language FROM participants WHERE round_id = ? ORDER BY id", [round_id])]


def stored_answers(db, round_id) -> dict[str, dict]:
    """external id -> {"team": ..., item id -> stored value} for every response of the round."""
    found = {}
    for rid, external, team in db.execute("SELECT id, external_id, team FROM responses WHERE round_id = ?", [round_id]):
        values = dict(db.execute("SELECT item_id, value FROM answers WHERE response_id = ?", [rid]).fetchall())
        found[external] = {"team": team, **values}
    return found


def text_grid(name: str, encoding: str, delimiter: str, skip: int = 0) -> list[list[str]]:
    lines = (CASES / name).read_bytes().decode(encoding).splitlines()[skip:]
    return [line.split(delimiter) for line in lines if line]


def workbook_grid(name: str) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO((CASES / name).read_bytes()))  # the full loader reads every cell
    return [["" if v is None else str(v) for v in row] for row in book.active.iter_rows(values_only=True)]


def expected_answers(grid: list[list[str]]) -> dict[str, dict]:
    header = grid[0]
    assert header[:2] == ["respondent_id", "team"] and header[2:] == ITEMS
    return {row[0]: {"team": row[1], **dict(zip(ITEMS, row[2:], strict=True))} for row in grid[1:]}


@pytest.mark.parametrize(("name", "grid"), [
    ("c01_answers_utf16.txt", lambda: text_grid("c01_answers_utf16.txt", "utf-16", "\t")),
    ("c02_answers_sephint.csv", lambda: text_grid("c02_answers_sephint.csv", "ascii", ";", skip=1)),
    ("c03_answers_dim_A1C7.xlsx", lambda: workbook_grid("c03_answers_dim_A1C7.xlsx")),
], ids=["utf16-tab", "sep-hint", "dimension-smaller-than-data"])
def test_answer_case_files_are_imported_cell_by_cell(cli, database, new_round, name, grid):
    round_id = new_round()
    result = cli("responses", "import", CASES / name, "--round", round_id)
    expected = expected_answers(grid())
    assert f"Imported {len(expected)} responses" in result.output
    assert len(expected) == 6 and all(len(cells) == 11 for cells in expected.values())
    assert stored_answers(database, round_id) == expected  # every team and every one of the 10 items


def test_c03_workbook_keeps_every_cell_the_stored_dimension_leaves_out(cli, database, new_round):
    """The silent loss of the issue: before, each response kept 1 of 10 items and no team."""
    round_id = new_round()
    cli("responses", "import", CASES / "c03_answers_dim_A1C7.xlsx", "--round", round_id)
    assert stored_answers(database, round_id)["W001"] == {
        "team": "Finance", "rdy_app_1": "5", "rdy_sup_1": "3", "rdy_eff_1": "3", "rdy_val_1": "5", "rdy_com_1": "1",
        "rdy_app_3": "4", "rdy_sup_2": "2", "rdy_eff_2": "1", "rdy_val_3": "2", "rdy_com_2": "1"}


@pytest.mark.parametrize(("name", "expected"), [
    ("c01_people_utf16.csv", [("anna.dejong@example.org", "Anna de Jong", "Sales", "nl"),
                              ("semih.ozturk@example.org", "Semih Öztürk", "Sales", "nl")]),
    ("c02_people_sephint.csv", [("anna.dejong@example.org", "Anna de Jong", "Sales", "nl"),
                                ("bram.visser@example.org", "Bram Visser", "Sales", "nl")]),
    ("c03_people_dim_A1B3.xlsx", [("anna.dejong@example.org", "Anna de Jong", "Sales", "en"),
                                  ("bram.visser@example.org", "Bram Visser", "Finance", "en")]),
], ids=["utf16-tab", "sep-hint", "dimension-smaller-than-data"])
def test_participant_case_files_are_imported_cell_by_cell(cli, database, new_round, name, expected):
    round_id = new_round()
    assert f"Imported {len(expected)} participants" in cli("participants", "import", CASES / name,
                                                            "--round", round_id).output
    assert stored_people(database, round_id) == expected


def test_c01_people_match_the_utf16_file_itself(cli, database, new_round):
    round_id = new_round()
    cli("participants", "import", CASES / "c01_people_utf16.csv", "--round", round_id)
    grid = text_grid("c01_people_utf16.csv", "utf-16", "\t")
    assert [p[:3] for p in stored_people(database, round_id)] == [tuple(row) for row in grid[1:]]


def test_c04_google_forms_checkboxes_are_read_by_their_full_labels(cli, database, new_round):
    round_id = new_round()
    assert "Imported 3 responses" in cli("responses", "import", CASES / "c04_answers_gforms_multi.csv",
                                         "--round", round_id).output
    stored = {k: {i: json.loads(v) if v.startswith("[") else v for i, v in cells.items() if i != "team"}
              for k, cells in stored_answers(database, round_id).items()}
    assert stored == {
        "G001": {"com_channels": ["email", "printed"], "lrn_format": ["on_the_job", "elearning"],
                 "com_messenger": "manager"},
        "G002": {"com_channels": ["intranet", "team_meeting"], "lrn_format": ["elearning"], "com_messenger": "hr"},
        "G003": {"com_channels": ["printed"], "lrn_format": ["on_the_job"], "com_messenger": "hr"},
    }


@pytest.mark.parametrize(("name", "kind", "message"), [
    ("c07_answers_bom_plus_cp1252.csv", "responses",
     "row 7, column 'respondent_id': byte 0xE9 is not UTF-8, although the file starts with a UTF-8 byte order "
     "mark: it mixes two encodings; save the file again as CSV UTF-8"),
    ("c07_people_bom_plus_cp1252.csv", "participants",
     "row 3, column 'name': byte 0xE9 is not UTF-8, although the file starts with a UTF-8 byte order mark: it "
     "mixes two encodings; save the file again as CSV UTF-8"),
])
def test_c07_mixed_encoding_is_refused_naming_row_and_byte(cli, database, new_round, name, kind, message):
    round_id = new_round()
    result = cli(kind, "import", CASES / name, "--round", round_id, expect_ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{name}: nothing was imported (1 problem(s))" in result.output
    assert message in " ".join(result.output.split())
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM participants").fetchone()[0] == 0


@pytest.mark.parametrize(("name", "path", "dutch"), [
    ("c07_answers_bom_plus_cp1252.csv", "responses", "rij 7, kolom 'respondent_id': byte 0xE9"),
    ("c07_people_bom_plus_cp1252.csv", "participants", "rij 3, kolom 'name': byte 0xE9"),
])
def test_c07_web_upload_shows_the_refusal_in_dutch_not_a_500(app, client, database, default_q, name, path, dutch):
    from conftest import login, make_users

    from toolkit.data.rounds import create_round

    users = make_users(database)
    round_id = create_round(database, default_q, "Web intake")
    login(client, users["hr"][1])
    response = client.post(f"/rounds/{round_id}/{path}?lang=nl", data={
        "file": (io.BytesIO((CASES / name).read_bytes()), name)}, content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422, page
    assert dutch in page and "Er is niets geïmporteerd" in page


def test_every_case_file_has_a_test():
    tested = {"c01_answers_utf16.txt", "c01_people_utf16.csv", "c02_answers_sephint.csv", "c02_people_sephint.csv",
              "c03_answers_dim_A1C7.xlsx", "c03_people_dim_A1B3.xlsx", "c04_answers_gforms_multi.csv",
              "c07_answers_bom_plus_cp1252.csv", "c07_people_bom_plus_cp1252.csv"}
    assert {p.name for p in CASES.iterdir() if p.name != "README.md"} == tested
