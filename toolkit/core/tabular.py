"""One reader for every tabular import (participants and answers): CSV, tab-separated text, XLSX.

Files come from Excel on Dutch Windows, from Microsoft and Google Forms, from HR systems and
everything in between. The rules, in the order they are applied:

**Size.** At most MAX_FILE_BYTES, checked before anything is read. A file that starts like a
zip archive is read as an XLSX workbook (:mod:`toolkit.core.xlsx`: declared sizes, compression
ratio, XML declarations and cell count are checked there before the data is loaded); an old
.xls or password-protected workbook is named as such; everything else is read as text.

**Encoding of a text file.**

1. A byte order mark decides: EF BB BF is UTF-8, FF FE is UTF-16 LE, FE FF is UTF-16 BE.
2. Without one, a NUL byte means this is not text (UTF-16 without a byte order mark is named
   as such); then UTF-8 if the whole file is valid UTF-8;
3. else Windows-1252 (what Excel on Dutch or English Windows writes as "CSV"), unless the file
   also holds valid UTF-8 characters: then it mixes two encodings.

A byte that does not fit (mixed encodings, a UTF-8 BOM followed by a Windows-1252 byte, one of
the five bytes Windows-1252 leaves undefined) is an error naming the row, the column and the
byte; we never guess or silently replace characters.

**Dialect.** A first line ``sep=X`` (Excel's delimiter hint) sets the delimiter and is not part
of the table: rows are numbered as the spreadsheet shows them, with the header as row 1.
Otherwise the delimiter is the one of comma, semicolon and tab that splits the header into
columns and most of the first rows into as many. Quotes follow Excel and Google: a cell in
double quotes may hold delimiters and line breaks, and ``""`` is a quote inside it.

**Rows.** The first non-empty row is the header; its column names must be present and unique.
Empty rows are skipped and counted (``Table.skipped``). A CSV row with fewer or more values than
the header has columns is an error naming the row and both counts; in a workbook, where empty
cells at the end of a row are not stored, only a value right of the header's last column is.

**Cells.** Unicode NFC, cleaned by :func:`toolkit.core.cleaning.cell_text` (line breaks kept,
control characters out), stripped. At most MAX_CELLS cells and MAX_COLUMNS columns: reading
stops at the limit, so an oversized file never fills the memory.

Errors are :class:`~toolkit.core.problems.ImportProblem` listing every
:class:`~toolkit.core.problems.Problem` with its place; each problem carries an English message
id and its values, so screens can show it in the reader's language. The limits are in
:mod:`toolkit.core.problems`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.cleaning import cell_text
from toolkit.core.messages import N_
from toolkit.core.problems import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    BadCell,
    ImportProblem,
    Problem,
)
from toolkit.core.xlsx import read_workbook

SKIPPED_NAMED = 10
CANDIDATE_DELIMITERS = (",", ";", "\t")
_SEP_HINT = re.compile(r'^"?sep=(.)"?[ \t]*$', re.IGNORECASE)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx with a password


@dataclass
class Table:
    """A read file: its name, the header cells, each data row as (row number, cells), and the
    empty rows between the header and the last row that were skipped.

    Row numbers are as the spreadsheet shows them (the header is row 1 when it is the first
    row); cells map each header to the cleaned text of its cell ("" when empty). ``skipped``
    counts the empty rows, ``skipped_rows`` names the first SKIPPED_NAMED of them.
    """

    filename: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    skipped: int = 0
    skipped_rows: list[int] = field(default_factory=list)

    def skip(self, first: int, last: int) -> None:
        """Count the empty rows ``first`` to ``last`` (inclusive) as skipped."""
        if last >= first:
            self.skipped += last - first + 1
            self.skipped_rows += list(range(first, min(last, first + SKIPPED_NAMED) + 1))[
                : max(0, SKIPPED_NAMED - len(self.skipped_rows))]


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or tab-separated text file, or an XLSX workbook, by the rules of this module.

    ``data`` is the file's bytes, ``filename`` its name (only the last part is kept, for
    messages). Raises ImportProblem naming every problem: empty, too large, not text, an encoding
    mix, an unreadable CSV line, a damaged, hostile or multi-sheet workbook, empty or duplicate
    column names, rows with more or fewer values than the header, too many cells.
    """
    filename = Path(filename).name
    if not data.strip():
        raise ImportProblem(filename, [Problem(N_("the file is empty; expected a header row and a row below it for each person"))])
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(filename, [Problem(N_("the file is larger than %(limit)d MB, the limit"),
                                               limit=MAX_FILE_BYTES // 1024 // 1024)])
    if data.startswith(_ZIP):
        return table_from_rows(filename, read_workbook(data, filename), fixed_width=False)
    if data.startswith(_OLE):
        raise ImportProblem(filename, [Problem(N_(
            "this is an old Excel workbook (.xls) or one protected with a password; save it as .xlsx "
            "without a password, or as CSV UTF-8"))])
    text = decode_text(data, filename)
    return table_from_rows(filename, csv_rows(text, filename), fixed_width=True)


# --- encoding -------------------------------------------------------------------------------


def decode_text(data: bytes, filename: str) -> str:
    """The text of a CSV file by the encoding rules of this module; raises ImportProblem naming
    the row, column and byte where the bytes do not fit one encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], encoding, filename)
    if _looks_binary(data[:4096]):
        sample = data[:4096]
        if max(sample[0::2].count(0), sample[1::2].count(0)) > len(sample) // 4:
            raise ImportProblem(filename, [Problem(N_(
                "this is not a text file we can read: it looks like UTF-16 without a byte order mark; "
                "save it as CSV UTF-8 or as Unicode text"))])
        raise ImportProblem(filename, [Problem(N_("this is not a text file; expected a CSV file or an XLSX workbook"))])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    as_utf8 = data.decode("utf-8", errors="surrogateescape")
    if any(ord(ch) > 0x7F and not _escaped(ch) for ch in as_utf8):  # valid UTF-8 beside invalid bytes
        _raise_at_byte(as_utf8, filename, lambda byte: Problem(N_(
            "byte 0x%(byte)02X is not UTF-8, although the file holds UTF-8 characters elsewhere: it mixes two "
            "encodings"), byte=byte))
    text = data.decode("cp1252", errors="surrogateescape")
    if any(_escaped(ch) for ch in text):
        _raise_at_byte(text, filename, lambda byte: Problem(N_(
            "byte 0x%(byte)02X is neither UTF-8 nor Windows-1252 text"), byte=byte))
    return text


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _escaped(ch: str) -> bool:
    """A byte the decoder could not read, kept as a surrogate escape (U+DC80..U+DCFF)."""
    return 0xDC80 <= ord(ch) <= 0xDCFF


def _strict(data: bytes, encoding: str, filename: str) -> str:
    """``data`` after a byte order mark, decoded as the mark says; every byte must fit."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    if encoding != "utf-8":
        raise ImportProblem(filename, [Problem(N_(
            "the file starts with a UTF-16 byte order mark but is not valid UTF-16; save it again as "
            "Unicode text or CSV UTF-8"))])
    _raise_at_byte(data.decode("utf-8", errors="surrogateescape"), filename, lambda byte: Problem(N_(
        "byte 0x%(byte)02X is not UTF-8, although the file starts with a UTF-8 byte order mark: it mixes two "
        "encodings"), byte=byte))


def _raise_at_byte(text: str, filename: str, reason) -> None:
    """Raise ImportProblem for the first byte in ``text`` that could not be decoded (kept as a
    surrogate escape), with its row and column as the rows of the table are numbered;
    ``reason`` turns the byte (int) into the Problem that says what is wrong with it."""
    rows = csv_rows(text, filename, strict=False)
    for number, cells in rows:
        for col, cell in enumerate(cells):
            bad = next((ch for ch in cell if _escaped(ch)), None)
            if bad is not None:
                header = _printable(rows[0][1][col]).strip() if col < len(rows[0][1]) else ""
                raise ImportProblem(filename, [Problem(N_(
                    "row %(row)d, column '%(column)s': %(reason)s; save the file again as CSV UTF-8"),
                    row=number, column=header or str(col + 1), reason=reason(ord(bad) - 0xDC00))])
    raise ImportProblem(filename, [Problem(N_("the file mixes two text encodings; save it again as CSV UTF-8"))])


def _printable(text: str) -> str:
    return "".join("?" if _escaped(ch) else ch for ch in text)


# --- dialect and rows -----------------------------------------------------------------------


# The csv module refuses a field over 128 KiB with an English error and no column; a field up to the
# file limit is read, and table_from_rows refuses a cell over MAX_CELL_CHARS naming row and column.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


def csv_rows(text: str, filename: str, strict: bool = True) -> list[tuple[int, list[str]]]:
    """The CSV records of ``text`` as (row number, cells): the ``sep=`` hint honoured and not
    counted, the delimiter chosen by the rules of this module. With ``strict``, stops with
    ImportProblem at MAX_CELLS cells or on a line the csv module cannot read."""
    lines = text.split("\n", 1)
    hint = _SEP_HINT.match(lines[0].rstrip("\r"))
    if hint:
        text, delimiter = (lines[1] if len(lines) > 1 else ""), hint.group(1)
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, cells = [], 0
    try:
        for number, record in enumerate(reader, start=1):
            cells += len(record)
            if strict and cells > MAX_CELLS:
                raise ImportProblem(filename, [_too_many_cells()])
            rows.append((number, record))
    except csv.Error as exc:
        if strict:
            raise ImportProblem(filename, [Problem(N_("row %(row)d: cannot read this CSV line (%(reason)s)"),
                                                   row=reader.line_num, reason=str(exc))]) from exc
    return rows


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one giving the header more than one column and most of the
    first 20 rows as many (ties: the most columns); comma when none splits the header."""
    sample = text[:65536]
    best, best_key = ",", (False, -1, -1)
    for delimiter in CANDIDATE_DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        records = []
        try:
            for record in reader:
                if any(c.strip() for c in record):
                    records.append(record)
                if len(records) > 20:
                    break
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        key = (width > 1, sum(1 for r in records[1:] if len(r) == width), width)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _too_many_cells() -> Problem:
    return Problem(N_("the file has more than %(limit)d cells (rows times columns); split it into smaller files"),
                   limit=MAX_CELLS)


def table_from_rows(filename: str, numbered: list[tuple[int, list]], *, fixed_width: bool) -> Table:
    """The Table of ``numbered`` rows (row number, cells as str or :class:`BadCell`).

    ``fixed_width``: every row must have as many cells as the header (CSV); otherwise (XLSX)
    only a non-empty cell right of the header's last column is an error. Raises ImportProblem
    listing every problem of the header or the rows.
    """
    start = next((i for i, (_n, r) in enumerate(numbered) if not _empty(r)), None)
    if start is None:
        raise ImportProblem(filename, [Problem(N_("the file is empty; expected a header row and a row below it for each person"))])
    header_row, raw_headers = numbered[start]
    headers = _header(filename, header_row, raw_headers)
    table, problems, previous = Table(filename, headers), [], header_row
    for number, cells in numbered[start + 1:]:
        table.skip(previous + 1, number - 1)  # rows a workbook does not store at all
        previous = number
        if _empty(cells):
            table.skip(number, number)
            continue
        width_problem = _width_problem(number, cells, len(headers), fixed_width)
        if width_problem:
            problems.append(width_problem)
            continue
        row = {}
        for header, cell in zip(headers, list(cells) + [""] * (len(headers) - len(cells)), strict=False):
            if isinstance(cell, BadCell):
                problems.append(_bad_cell_problem(number, header, cell))
                cell = ""
            row[header] = cell_text(cell)
            if len(row[header]) > MAX_CELL_CHARS:
                problems.append(Problem(N_("row %(row)d, column '%(column)s': %(n)d characters; the limit is "
                                           "%(limit)d"), row=number, column=header, n=len(row[header]),
                                        limit=MAX_CELL_CHARS))
        table.rows.append((number, row))
    if problems:
        raise ImportProblem(filename, problems)
    return table


def _empty(cells: list) -> bool:
    return not any(isinstance(c, BadCell) or c.strip() for c in cells)


def _header(filename: str, row: int, raw: list) -> list[str]:
    if any(isinstance(h, BadCell) for h in raw):
        col = next(i for i, h in enumerate(raw) if isinstance(h, BadCell))
        raise ImportProblem(filename, [_bad_cell_problem(row, f"{col + 1}", raw[col])])
    headers = [cell_text(h) for h in raw]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise ImportProblem(filename, [Problem(N_("row %(row)d: %(n)d columns; the limit is %(limit)d"),
                                               row=row, n=len(headers), limit=MAX_COLUMNS)])
    problems, seen = [], set()
    for col, h in enumerate(headers, start=1):
        if not h:
            problems.append(Problem(N_("row %(row)d, column %(col)d: empty column name in the header"), row=row, col=col))
        elif h.casefold() in seen:
            problems.append(Problem(N_("row %(row)d, column '%(column)s': the column appears twice"), row=row, column=h))
        seen.add(h.casefold())
    if problems:
        raise ImportProblem(filename, problems)
    return headers


def _width_problem(number: int, cells: list, width: int, fixed_width: bool) -> Problem | None:
    extra = [c for c in cells[width:] if isinstance(c, BadCell) or c.strip()]
    if extra:
        last = max(i for i, c in enumerate(cells) if isinstance(c, BadCell) or c.strip()) + 1
        return Problem(N_("row %(row)d: too many values (%(found)d instead of %(expected)d, one per column of the "
                          "header); is a value with the delimiter in it missing its quotes?"),
                       row=number, found=last if not fixed_width else len(cells), expected=width)
    if fixed_width and len(cells) < width:
        return Problem(N_("row %(row)d: too few values (%(found)d instead of %(expected)d, one per column of the "
                          "header); was the row cut short, or does it use another delimiter?"),
                       row=number, found=len(cells), expected=width)
    return None


def _bad_cell_problem(number: int, header: str, cell: BadCell) -> Problem:
    if cell.kind == "formula":
        return Problem(N_("row %(row)d, column '%(column)s': the formula %(formula)s has no stored result; open the "
                          "workbook in your spreadsheet program, save it, and import it again"),
                       row=number, column=header, formula=cell.text)
    return Problem(N_("row %(row)d, column '%(column)s': the cell holds the error value %(value)s; correct it in "
                      "the workbook and import it again"), row=number, column=header, value=cell.text)
