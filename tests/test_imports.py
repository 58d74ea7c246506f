"""Answer imports: accepted formats, and every refusal with its place and nothing stored."""

import io

import openpyxl
import pytest

from toolkit.core.intake import ImportProblem, parse_responses, read_table
from toolkit.data.rounds import response_count
from toolkit.paths import TRANSLATIONS

HEADER = ["respondent_id", "rdy_app_1", "rdy_app_2", "rdy_app_3", "com_channels", "open_worry"]


def csv_bytes(rows, delimiter=",", encoding="utf-8", bom=False):
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def parse(q, data, name="answers.csv"):
    return parse_responses(q, read_table(data, name)).responses


def test_semicolon_windows_1252_with_dutch_labels(default_q):
    data = csv_bytes([HEADER, ["r1", "Eens", "Helemaal eens", "Oneens", "\"E-mail;Intranet\"", "Ik maak me zorgen over café-uren"]],
                     delimiter=";", encoding="cp1252")
    [response] = parse(default_q, data)
    assert response.answers["rdy_app_1"] == 4 and response.answers["rdy_app_2"] == 5 and response.answers["rdy_app_3"] == 2
    assert response.answers["com_channels"] == ["email", "intranet"]
    assert "café" in response.answers["open_worry"]


def test_utf8_bom_english_labels_and_numbers(default_q):
    data = csv_bytes([HEADER, ["r1", "Agree", "5", "strongly disagree", "email", ""]], bom=True)
    [response] = parse(default_q, data)
    assert response.answers == {"rdy_app_1": 4, "rdy_app_2": 5, "rdy_app_3": 1, "com_channels": ["email"]}


def test_na_label_is_no_answer(default_q):
    [response] = parse(default_q, csv_bytes([HEADER[:3], ["r1", "N/A", "3"]]))
    assert response.answers == {"rdy_app_2": 3}


def test_xlsx_formula_cell_without_stored_result_is_refused_not_evaluated(default_q):
    book = openpyxl.Workbook()  # openpyxl stores formulas without a result, as a program would
    sheet = book.active
    sheet.append(["respondent_id", "rdy_app_1", "open_worry"])
    sheet.append(["r1", 4, "=HYPERLINK(\"http://x\",\"y\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportProblem) as info:
        parse(default_q, buffer.getvalue(), "answers.xlsx")
    assert info.value.problems == [
        "row 2, column 'open_worry': the formula =HYPERLINK(\"http://x\",\"y\") has no stored result; open the "
        "workbook in your spreadsheet program, save it, and import it again"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([HEADER[:2], ["r1", "Misschien"]], "row 2, column 'rdy_app_1': value 'Misschien' unknown label; expected a whole number 1–5"),
        ([HEADER[:2], ["r1", "7"]], "row 2, column 'rdy_app_1': value '7' out of range; expected a whole number 1–5"),
        ([["respondent_id", "rdy_app_1", "favourite_colour"], ["r1", "3", "blue"]], "row 1, column 'favourite_colour': unknown column"),
        ([HEADER[:2], ["r1", "3"], ["r1", "4"]], "row 3, column 'respondent_id': 'r1' also on row 2"),
        ([HEADER[:5], ["r1", "3", "3", "3", "carrier pigeon"]], "row 2, column 'com_channels': value 'carrier pigeon' unknown option 'carrier pigeon'"),
    ],
)
def test_bad_cells_are_named_with_row_column_and_expectation(default_q, rows, expected):
    with pytest.raises(ImportProblem) as info:
        parse(default_q, csv_bytes(rows))
    assert any(p.startswith(expected) for p in info.value.problems), info.value.problems
    assert "answers.csv" in str(info.value) and "nothing was imported" in str(info.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (bytes(range(256)) * 20, "this is not a text file"),
        (b"PK\x03\x04garbage", "damaged XLSX"),
        (b"x" * (11 * 1024 * 1024), "the file is larger than 10 MB, the limit"),
    ],
)
def test_unreadable_files_are_refused(default_q, data, expected):
    with pytest.raises(ImportProblem) as info:
        parse(default_q, data)
    assert expected in str(info.value)


def dutch():
    """gettext of the shipped Dutch catalogue (compiled by make translations)."""
    from babel.support import Translations

    return Translations.load(str(TRANSLATIONS), ["nl"]).gettext


@pytest.mark.parametrize("size", [4001, 200_000])  # over our limit; over the csv module's own 128 KiB
def test_a_huge_cell_is_refused_naming_row_and_column_and_the_message_stays_short(default_q, size):
    huge = "lang verhaal " * (size // 13 + 1)
    with pytest.raises(ImportProblem) as info:
        parse(default_q, csv_bytes([["respondent_id", "rdy_app_1", "open_help"], ["r1", "3", huge[:size]]]))
    problems = info.value.problems
    assert problems == [f"row 2, column 'open_help': {size} characters; the limit is 4000"]
    assert problems[0].translated(dutch()) == f"rij 2, kolom 'open_help': {size} tekens; de grens is 4000"


def test_a_long_value_is_quoted_cut_short_in_a_problem(default_q):
    long_label = "Misschien " * 400
    with pytest.raises(ImportProblem) as info:
        parse(default_q, csv_bytes([HEADER[:2], ["r1", long_label.strip()]]))
    assert len(str(info.value)) < 600
    assert "value 'Misschien Misschien" in str(info.value) and "…'" in str(info.value)


def test_workbook_with_data_on_two_sheets_is_refused(default_q):
    book = openpyxl.Workbook()
    book.active.append(["rdy_app_1"])
    book.active.append([3])
    book.create_sheet("Other").append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportProblem, match="data on 2 sheets"):
        parse(default_q, buffer.getvalue(), "two.xlsx")


def test_cli_import_is_all_or_nothing(cli, database, tmp_path):
    round_id = int(cli("round", "create", "--questionnaire", "default", "--title", "R").output)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER[:2], ["r1", "3"], ["r2", "4"], ["r3", "9"]]))
    result = cli("responses", "import", bad, "--round", round_id, expect_ok=False)
    assert result.exit_code == 1
    assert "row 4, column 'rdy_app_1': value '9' out of range" in result.output
    assert response_count(database, round_id) == 0
    assert database.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([HEADER[:2], ["r1", "3"], ["r2", "4"]], delimiter=";"))
    assert "Imported 2 responses" in cli("responses", "import", good, "--round", round_id).output
    # importing the same respondents again is refused as a whole
    again = cli("responses", "import", good, "--round", round_id, expect_ok=False)
    assert "row 2: respondent id 'r1' was imported into this round before" in again.output
    assert response_count(database, round_id) == 2
