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
import itertools
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import sqlite_utils

from toolkit.core.cleaning import exportable
from toolkit.core.intake import decode_value
from toolkit.core.privacy import may_show, protect_answer_export
from toolkit.core.questionnaire import Questionnaire
from toolkit.data.responses import (
    raw_answers,
    respondent_attribute_keys,
    responses_with_participants,
    usable_responses,
)

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
    """(headers, rows) of the round's usable responses, one column per item in questionnaire order,
    every cell escaped (:func:`escape_cell`): :func:`answer_rows` gathered in a list.

    Raises ExportRefused for an anonymous round with fewer published responses than its minimum.
    """
    headers, rows = answer_rows(db, round_, q)
    return headers, [[escape_cell(v) for v in row] for row in rows]


def answer_rows(db: sqlite_utils.Database, round_: dict, q: Questionnaire) -> tuple[list[str], Iterable[list]]:
    """(headers, rows) of the round's usable responses, one column per item in questionnaire
    order; for :func:`csv_chunks` and :func:`xlsx_chunks`, which escape each cell. The rows are an
    iterator reading the database (identified rounds) or a list (anonymous rounds).

    An identified round is read from the database one response at a time, in response id order,
    so its export takes the same memory at 100 or 100,000 responses. An anonymous round's rows
    are protected per publication and sorted by content (see the module docstring), which needs
    them all at once. Raises ExportRefused, before any row, for an anonymous round with fewer
    published responses than its minimum.
    """
    if round_["mode"] == "identified":
        return _identified_rows(db, round_, q)
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
    del responses, answers
    # By content: one key string per row orders as the list of its cells would (cells hold no NUL,
    # which sorts below every other character), at a fraction of the memory.
    rows.sort(key=lambda row: "\x00".join(str(cell) for cell in row))
    return headers, rows


def _answer_cells(q: Questionnaire, item_ids: list[str], mine: dict[str, str]) -> list:
    return [_cell(q.items[iid], mine[iid]) if iid in mine else "" for iid in item_ids]


def _identified_rows(db: sqlite_utils.Database, round_: dict, q: Questionnaire) -> tuple[list[str], Iterator[list]]:
    item_ids = [iid for block in q.blocks for iid in block.items]
    attribute_keys = respondent_attribute_keys(db, round_["id"])
    headers = ["response_id", "submitted_on", "respondent_id", *PARTICIPANT_COLUMNS, *attribute_keys, *item_ids]

    def rows() -> Iterator[list]:
        for rid, submitted, external, team, email, name, p_team, language, attributes, answers in (
                responses_with_participants(db, round_["id"])):
            attributes = json.loads(attributes or "{}")
            yield [rid, submitted, external or "", email or "", name or "", p_team or team or "", language or "",
                   *[attributes.get(k, "") for k in attribute_keys],
                   *_answer_cells(q, item_ids, json.loads(answers) if answers else {})]

    return headers, rows()


ROWS_PER_CHUNK = 500


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The CSV file of :func:`to_csv` in pieces of ROWS_PER_CHUNK rows, for a streamed download."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([escape_cell(h) for h in headers])
    for block in _blocks(rows):
        writer.writerows([escape_cell(v) for v in row] for row in block)
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def _blocks(rows: Iterable[list]) -> Iterator[list[list]]:
    rows = iter(rows)
    while block := list(itertools.islice(rows, ROWS_PER_CHUNK)):
        yield block


def to_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    """UTF-8 with BOM and semicolons, so Excel on Dutch Windows opens it correctly."""
    return b"".join(csv_chunks(headers, rows))


def to_xlsx(headers: list[str], rows: Iterable[list], title: str = "answers") -> bytes:
    """An Excel workbook (.xlsx bytes) with one sheet: a header row, then `rows`.

    Every text goes in as text, never a formula, and escaped as in CSV; numbers stay numbers.
    The file carries no save time, so it depends on its content only. The sheet is named
    `title` cut to Excel's 31 characters ("answers" when empty); openpyxl raises ValueError for
    a title with a character Excel refuses (such as / or ?).
    """
    return b"".join(xlsx_chunks(headers, rows, title))


def xlsx_chunks(headers: list[str], rows: Iterable[list], title: str = "answers") -> Iterator[bytes]:
    """The workbook of :func:`to_xlsx` in pieces of 1 MB, for a streamed download.

    openpyxl's write-only workbook writes each row to a temporary file as it comes, and the
    finished workbook is copied part by part to a second one without its save time, so memory
    stays flat whatever the number of rows; the first piece follows once the workbook is
    written (a zip file ends with its table of contents). Raises ValueError for a title Excel
    refuses, before the first piece.
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
    with tempfile.TemporaryFile() as saved, tempfile.TemporaryFile() as fixed:
        book.save(saved)
        _without_times(saved, fixed)
        fixed.seek(0)
        while chunk := fixed.read(1 << 20):
            yield chunk


FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def _without_times(source_file: BinaryIO, target_file: BinaryIO) -> None:
    """Copy the workbook in ``source_file`` to ``target_file`` with its save time taken out (zip
    entry times, created/modified in docProps/core.xml), so the same answers always give the
    same file, byte for byte; parts are copied in pieces, never whole."""
    with zipfile.ZipFile(source_file) as source, zipfile.ZipFile(target_file, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z",
                              source.read(info.filename))
                target.writestr(entry, body, zipfile.ZIP_DEFLATED)
                continue
            with source.open(info) as part, target.open(entry, "w", force_zip64=info.file_size > 2**31) as out:
                shutil.copyfileobj(part, out, 1 << 20)


def answer_template(q: Questionnaire, lang: str) -> tuple[list[str], list[list]]:
    """(headers, rows) of an empty answer file for ``q``, to fill in and import.

    Headers: respondent_id, team, then every item id in page order; one row under them holds
    each question's text in ``lang`` (or the questionnaire's first language), which the import
    recognises and skips (`toolkit.core.intake.parse_responses`).
    """
    item_ids = [iid for block in q.blocks for iid in block.items]
    texts = [q.items[iid].text.get(lang) or next(iter(q.items[iid].text.values())) for iid in item_ids]
    return ["respondent_id", "team", *item_ids], [["", "", *texts]]
