"""A round's answers as CSV or XLSX, safe to open in a spreadsheet.

Every cell is cleaned the way every export is (`toolkit.core.cleaning.exportable`: line breaks
as LF, characters no file format can hold removed), then text that a spreadsheet would run as
a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, in
both formats. Anonymous rounds export no participant
data and no import ids, rows come in random-id order (not submission order), and nothing is
exported while a round has fewer responses than its minimum group size.
"""

from __future__ import annotations

import csv
import io
import json

import sqlite_utils

from toolkit.core.cleaning import exportable
from toolkit.core.intake import decode_value
from toolkit.core.privacy import may_show, protect_answer_export
from toolkit.core.questionnaire import Questionnaire

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
    """(headers, rows) of every response in the round, one column per item in questionnaire order."""
    round_id = round_["id"]
    identified = round_["mode"] == "identified"
    responses = list(db.query(
        "SELECT r.id, r.submitted_on, r.external_id, r.team, r.attributes, r.participant_id, "
        "p.email, p.name, p.team AS p_team, p.language AS p_language, p.attributes AS p_attributes "
        "FROM responses r LEFT JOIN participants p ON p.id = r.participant_id "
        "WHERE r.round_id = ? ORDER BY r.id", [round_id]))
    if not identified and not may_show(len(responses), round_["min_group"]):
        raise ExportRefused(
            f"round {round_id} has {len(responses)} responses; anonymous answers are exported from "
            f"{max(round_['min_group'], 5)} responses on"
        )
    answers: dict[str, dict[str, str]] = {}
    for rid, item_id, value in db.execute(
        "SELECT a.response_id, a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id "
        "WHERE r.round_id = ?", [round_id]
    ):
        answers.setdefault(rid, {})[item_id] = value
    item_ids = [iid for block in q.blocks for iid in block.items]
    headers = ["response_id", "submitted_on"]
    attribute_keys: list[str] = []
    if identified:
        for r in responses:
            for key in json.loads(r["p_attributes"] or "{}"):
                if key not in attribute_keys:
                    attribute_keys.append(key)
        headers += ["respondent_id", *PARTICIPANT_COLUMNS, *attribute_keys]
    headers += item_ids
    rows = []
    for r in responses:
        row = [r["id"], r["submitted_on"]]
        if identified:
            attributes = json.loads(r["p_attributes"] or "{}")
            row += [r["external_id"] or "", r["email"] or "", r["name"] or "", r["p_team"] or r["team"] or "",
                    r["p_language"] or "", *[attributes.get(k, "") for k in attribute_keys]]
        mine = answers.get(r["id"], {})
        row += [_cell(q.items[iid], mine[iid]) if iid in mine else "" for iid in item_ids]
        rows.append([escape_cell(v) for v in row])
    rows = protect_answer_export(headers, rows, q, round_)  # small groups, quotes: privacy.py
    return headers, rows


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM and semicolons, so Excel on Dutch Windows opens it correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in headers])
    writer.writerows([escape_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list], title: str = "answers") -> bytes:
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
    return buffer.getvalue()


def answer_template(q: Questionnaire, lang: str) -> tuple[list[str], list[list]]:
    """(headers, rows) of an empty answer file for ``q``, to fill in and import.

    Headers: respondent_id, team, then every item id in page order; one row under them holds
    each question's text in ``lang`` (or the questionnaire's first language), which the import
    recognises and skips (`toolkit.core.intake.parse_responses`).
    """
    item_ids = [iid for block in q.blocks for iid in block.items]
    texts = [q.items[iid].text.get(lang) or next(iter(q.items[iid].text.values())) for iid in item_ids]
    return ["respondent_id", "team", *item_ids], [["", "", *texts]]
