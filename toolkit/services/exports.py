"""A round's answers as CSV or XLSX, safe to open in a spreadsheet.

Every cell is cleaned the way every export is (`toolkit.core.cleaning.exportable`: line breaks
as LF, characters no file format can hold removed), then text that a spreadsheet would run as
a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, in
both formats.

Anonymous rounds export only published answers (`toolkit.data.responses`), and nothing while
fewer than the minimum group are published. Their rows carry no participant data, no response
or import id and no day, and come sorted by their content: the same answers give the same file,
and neither the order nor an identifier lets two exports be matched row by row. Context answers
(role, tenure, age band …) are protected per publication, so the rows a later publication adds
cannot be told apart by their context either.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import sqlite_utils

from toolkit.core.cleaning import exportable
from toolkit.core.intake import decode_value
from toolkit.core.privacy import may_show, protect_answer_export
from toolkit.core.questionnaire import Questionnaire
from toolkit.data.responses import raw_answers, usable_responses

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PARTICIPANT_COLUMNS = ("email", "name", "team", "language")


class ExportRefused(ValueError):
    """The export is not allowed; the message says why."""


def escape_cell(value):
    """A cell as every export writes it: cleaned (:func:`toolkit.core.cleaning.exportable`);
    numbers stay numbers; text that could be read as a formula is prefixed with an apostrophe."""
    value = exportable(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(item, raw: str):
    value = decode_value(item, raw)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def answer_table(db: sqlite_utils.Database, round_: dict, q: Questionnaire) -> tuple[list[str], list[list]]:
    """(headers, rows) of the round's usable responses, one column per item in questionnaire order.

    Raises ExportRefused for an anonymous round with fewer published responses than its minimum.
    """
    if round_["mode"] == "identified":
        return _identified_table(db, round_, q)
    responses = usable_responses(db, round_["id"])
    if not may_show(len(responses), round_["min_group"]):
        raise ExportRefused(
            f"round {round_['id']} has {len(responses)} responses published; anonymous answers are exported "
            f"from {max(round_['min_group'], 5)} published responses on"
        )
    answers = raw_answers(db, round_["id"])
    item_ids = [iid for block in q.blocks for iid in block.items]
    headers = list(item_ids)
    rows = []
    for publication in sorted({r["publication"] for r in responses}):
        batch = [[escape_cell(v) for v in _answer_cells(q, item_ids, answers.get(r["id"], {}))]
                 for r in responses if r["publication"] == publication]
        rows += protect_answer_export(headers, batch, q, round_)  # small groups, quotes: privacy.py
    return headers, sorted(rows, key=lambda row: [str(cell) for cell in row])


def _answer_cells(q: Questionnaire, item_ids: list[str], mine: dict[str, str]) -> list:
    return [_cell(q.items[iid], mine[iid]) if iid in mine else "" for iid in item_ids]


def _identified_table(db: sqlite_utils.Database, round_: dict, q: Questionnaire) -> tuple[list[str], list[list]]:
    responses = usable_responses(db, round_["id"])
    people = {p["id"]: p for p in db.query(
        "SELECT id, email, name, team, language, attributes FROM participants WHERE round_id = ?", [round_["id"]])}
    answers = raw_answers(db, round_["id"])
    item_ids = [iid for block in q.blocks for iid in block.items]
    attribute_keys: list[str] = []
    for r in responses:
        for key in json.loads(people.get(r["participant_id"], {}).get("attributes") or "{}"):
            if key not in attribute_keys:
                attribute_keys.append(key)
    headers = ["response_id", "submitted_on", "respondent_id", *PARTICIPANT_COLUMNS, *attribute_keys, *item_ids]
    rows = []
    for r in responses:
        p = people.get(r["participant_id"], {})
        attributes = json.loads(p.get("attributes") or "{}")
        row = [r["id"], r["submitted_on"], r["external_id"] or "", p.get("email") or "", p.get("name") or "",
               p.get("team") or r["team"] or "", p.get("language") or "", *[attributes.get(k, "") for k in attribute_keys],
               *_answer_cells(q, item_ids, answers.get(r["id"], {}))]
        rows.append([escape_cell(v) for v in row])
    return headers, rows


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM and semicolons, so Excel on Dutch Windows opens it correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in headers])
    writer.writerows([escape_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list], title: str = "answers") -> bytes:
    """An Excel workbook (.xlsx bytes) with one sheet: a header row, then `rows`.

    Every text goes in as text, never a formula, and escaped as in CSV; numbers stay numbers.
    The file carries no save time, so it depends on its content only. The sheet is named
    `title` cut to Excel's 31 characters ("answers" when empty); openpyxl raises ValueError for
    a title with a character Excel refuses (such as / or ?).
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "answers")

    def cells(values):
        result = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=escape_cell(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text looks like
            result.append(cell)
        return result

    sheet.append(cells(headers))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return _without_times(buffer.getvalue())


FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def _without_times(xlsx: bytes) -> bytes:
    """The workbook with its save time taken out (zip entry times, created/modified in
    docProps/core.xml), so the same answers always give the same file, byte for byte."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z", body)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def answer_template(q: Questionnaire, lang: str) -> tuple[list[str], list[list]]:
    """(headers, rows) of an empty answer file for ``q``, to fill in and import.

    Headers: respondent_id, team, then every item id in page order; one row under them holds
    each question's text in ``lang`` (or the questionnaire's first language), which the import
    recognises and skips (`toolkit.core.intake.parse_responses`).
    """
    item_ids = [iid for block in q.blocks for iid in block.items]
    texts = [q.items[iid].text.get(lang) or next(iter(q.items[iid].text.values())) for iid in item_ids]
    return ["respondent_id", "team", *item_ids], [["", "", *texts]]
