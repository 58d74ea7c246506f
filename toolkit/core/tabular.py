"""One reader for every tabular import (participants and answers): CSV, tab-separated text, XLSX.

Files come from Excel on Dutch Windows, from Microsoft and Google Forms, from HR systems and
everything in between. The rules, in the order they are applied:

**Size.** A web upload may hold at most MAX_FILE_BYTES (the web app's MAX_UPLOAD_MB setting)
and MAX_CELLS cells (:class:`Limits`), checked before anything is read; the command line has no
cap. Either way the file is read as a stream (:func:`open_table`): rows are checked and handed
on one at a time, so memory does not grow with the file. A file that starts like a
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
control characters out), stripped; at most MAX_CELL_CHARS characters each. At most MAX_COLUMNS
columns, and in a web upload at most MAX_CELLS cells: reading stops at the limit.

Errors are :class:`~toolkit.core.problems.ImportProblem` listing every
:class:`~toolkit.core.problems.Problem` with its place (the first MAX_ERRORS_KEPT, then how many more); each problem carries an English message
id and its values, so screens can show it in the reader's language. The limits are in
:mod:`toolkit.core.problems`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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
    Problems,
)
from toolkit.core.xlsx import workbook_rows

SKIPPED_NAMED = 10
CANDIDATE_DELIMITERS = (",", ";", "\t")
_SEP_HINT = re.compile(r'^"?sep=(.)"?[ \t]*$', re.IGNORECASE)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx with a password


@dataclass(frozen=True)
class Limits:
    """What a file may hold before it is refused unread: ``file_bytes`` (None: no cap) and
    ``cells`` (rows times columns; None: no cap). A web upload has both (UPLOAD; the web app
    sets the size from its MAX_UPLOAD_MB setting); the command line has neither (COMMAND_LINE):
    it streams the file, so its memory does not grow with the file. The cell and row checks
    (MAX_CELL_CHARS, MAX_COLUMNS, row widths) and a workbook's zip-bomb and XML checks hold
    for both."""

    file_bytes: int | None = MAX_FILE_BYTES
    cells: int | None = MAX_CELLS


UPLOAD = Limits()
COMMAND_LINE = Limits(None, None)


@dataclass
class Table:
    """A read file: its name, the header cells, each data row as (row number, cells), and the
    empty rows between the header and the last row that were skipped.

    Row numbers are as the spreadsheet shows them (the header is row 1 when it is the first
    row); cells map each header to the cleaned text of its cell ("" when empty). ``skipped``
    counts the empty rows, ``skipped_rows`` names the first SKIPPED_NAMED of them.
    ``problems`` collects what importers find wrong in the rows (see :meth:`records`).
    """

    filename: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    skipped: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems, repr=False, compare=False)

    def skip(self, first: int, last: int) -> None:
        """Count the empty rows ``first`` to ``last`` (inclusive) as skipped."""
        if last >= first:
            self.skipped += last - first + 1
            self.skipped_rows += list(range(first, min(last, first + SKIPPED_NAMED) + 1))[
                : max(0, SKIPPED_NAMED - len(self.skipped_rows))]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """The data rows as (row number, cells); for a :class:`TableStream`, read as they come."""
        return iter(self.rows)


class TableStream(Table):
    """A file read row by row (:func:`open_table`): the header is read and checked at once,
    :meth:`records` yields each further row once, cleaned and checked, so a file of a million
    rows takes no more memory than one. A row that is too long or short, holds a cell over
    MAX_CELL_CHARS or a cell the reader could not read is not yielded: its problem goes into
    ``problems``, which the importer raises at the end (all rows or none). ``skipped`` is final
    once the rows are read."""

    def __init__(self, filename: str, numbered: Iterator[tuple[int, list]], *, fixed_width: bool):
        """Read the header of ``numbered`` (row number, cells as str or :class:`BadCell`);
        raises ImportProblem for an empty file or a bad header."""
        header_row, raw_headers = next(((n, cells) for n, cells in numbered if not _empty(cells)), (0, None))
        if raw_headers is None:
            raise ImportProblem(filename, [Problem(N_(
                "the file is empty; expected a header row and a row below it for each person"))])
        super().__init__(filename, _header(filename, header_row, raw_headers))
        self._numbered, self._previous, self._fixed_width = numbered, header_row, fixed_width

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row once, as (row number, cells); see the class docstring."""
        numbered, self._numbered = self._numbered, iter(())
        for number, cells in numbered:
            row = _checked_row(self, number, cells, self._fixed_width)
            if row is not None:
                yield number, row


def _checked_row(table: TableStream, number: int, cells: list, fixed_width: bool) -> dict[str, str] | None:
    """One row's cells by header, or None when it is empty (counted) or wrong (its problems
    added to ``table.problems``)."""
    table.skip(table._previous + 1, number - 1)  # rows a workbook does not store at all
    table._previous = number
    if _empty(cells):
        table.skip(number, number)
        return None
    headers = table.headers
    width_problem = _width_problem(number, cells, len(headers), fixed_width)
    if width_problem:
        table.problems.append(width_problem)
        return None
    row, ok = {}, True
    for header, cell in zip(headers, list(cells) + [""] * (len(headers) - len(cells)), strict=False):
        if isinstance(cell, BadCell):
            table.problems.append(_bad_cell_problem(number, header, cell))
            ok, cell = False, ""
        row[header] = cell_text(cell)
        if len(row[header]) > MAX_CELL_CHARS:
            table.problems.append(Problem(N_("row %(row)d, column '%(column)s': %(n)d characters; the limit is "
                                             "%(limit)d"), row=number, column=header, n=len(row[header]),
                                          limit=MAX_CELL_CHARS))
            ok = False
    return row if ok else None


def _too_large(filename: str, limit: int) -> ImportProblem:
    return ImportProblem(filename, [Problem(N_(
        "the file is larger than %(limit)d MB, the limit for a file uploaded in the web app; import a larger file "
        "on the command line (persona-toolkit participants import or responses import), which has no size limit"),
        limit=limit // 1024 // 1024)])


def read_table(data: bytes, filename: str, limits: Limits = UPLOAD) -> Table:
    """Read a CSV or tab-separated text file, or an XLSX workbook, by the rules of this module.

    ``data`` is the file's bytes, ``filename`` its name (only the last part is kept, for
    messages), ``limits`` its size and cell caps (default: a web upload's). Raises ImportProblem
    naming every problem: empty, too large, not text, an encoding mix, an unreadable CSV line,
    a damaged, hostile or multi-sheet workbook, empty or duplicate column names, rows with more
    or fewer values than the header, too many cells.
    """
    filename = Path(filename).name
    if not data.strip():
        raise ImportProblem(filename, [Problem(N_("the file is empty; expected a header row and a row below it for each person"))])
    if limits.file_bytes is not None and len(data) > limits.file_bytes:
        raise _too_large(filename, limits.file_bytes)
    stream = open_table(io.BytesIO(data), filename, limits)
    table = Table(stream.filename, stream.headers, list(stream.records()), stream.skipped, stream.skipped_rows)
    stream.problems.raise_if_any(filename)
    return table


def open_table(source: BinaryIO, filename: str, limits: Limits = COMMAND_LINE) -> TableStream:
    """The file ``source`` (a seekable binary file, read from its start) as a :class:`TableStream`:
    header read and checked now, rows as they are asked for. Same rules as :func:`read_table`;
    the encoding of a text file is settled by one quick pass over its bytes first. Raises
    ImportProblem for what is wrong before the rows (size, kind, encoding, header), and, while
    the rows are read, for an unreadable CSV line, a hostile workbook part or too many cells.
    """
    filename = Path(filename).name
    size = source.seek(0, io.SEEK_END)
    source.seek(0)
    if limits.file_bytes is not None and size > limits.file_bytes:
        raise _too_large(filename, limits.file_bytes)
    head = source.read(4096)
    source.seek(0)
    if head.startswith(_ZIP):
        return TableStream(filename, workbook_rows(source, filename, limits.cells), fixed_width=False)
    if head.startswith(_OLE):
        raise ImportProblem(filename, [Problem(N_(
            "this is an old Excel workbook (.xls) or one protected with a password; save it as .xlsx "
            "without a password, or as CSV UTF-8"))])
    encoding, start = text_encoding(source, filename)
    return TableStream(filename, _text_records(source, start, encoding, filename, limits.cells), fixed_width=True)


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


_CHUNK = 1 << 20
_NOT_ASCII_NOR_ESCAPED = re.compile("[\x80-\udc7f\udd00-\U0010ffff]")  # a character UTF-8 did decode
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _chunks(source: BinaryIO, start: int) -> Iterator[bytes]:
    source.seek(start)
    while chunk := source.read(_CHUNK):
        yield chunk


def _decodes(source: BinaryIO, start: int, encoding: str) -> bool:
    """True when the bytes of ``source`` from ``start`` on are valid ``encoding`` throughout."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in _chunks(source, start):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _windows_1252(source: BinaryIO) -> bool:
    """True when a file that is not valid UTF-8 reads as Windows-1252 by the rules of this module:
    no valid UTF-8 character beside the invalid bytes, none of the five undefined bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    for chunk in _chunks(source, 0):
        if _CP1252_UNDEFINED.search(chunk) or _NOT_ASCII_NOR_ESCAPED.search(decoder.decode(chunk)):
            return False
    return not _NOT_ASCII_NOR_ESCAPED.search(decoder.decode(b"", final=True))


def text_encoding(source: BinaryIO, filename: str) -> tuple[str, int]:
    """(Python codec name, offset of the text after any byte order mark) of a text file, by the
    encoding rules of this module, in one pass over the bytes in chunks of 1 MB.

    Where the bytes fit no encoding, the whole file is read once more to raise ImportProblem
    naming row, column and byte (:func:`decode_text`); only a file that is refused is held whole.
    """
    head = source.read(4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if _decodes(source, len(bom), encoding):
                return encoding, len(bom)
            break
    else:
        if _looks_binary(head):
            decode_text(head, filename)  # raises: not text, or UTF-16 without a byte order mark
        if _decodes(source, 0, "utf-8"):
            return "utf-8", 0
        if _windows_1252(source):
            return "cp1252", 0
    source.seek(0)
    decode_text(source.read(), filename)  # raises, naming the row, column and byte
    raise ImportProblem(filename, [Problem(N_("the file mixes two text encodings; save it again as CSV UTF-8"))])


def _text_records(source: BinaryIO, start: int, encoding: str, filename: str,
                  max_cells: int | None) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of a text file as (row number, cells), read as they are asked for; the
    ``sep=`` hint honoured and not counted, the delimiter sniffed from the first 64 KB."""
    source.seek(start)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    sample = text.read(65536) + text.readline()  # ends at a line end: the rest follows whole lines
    first, newline, rest = sample.partition("\n")
    hint = _SEP_HINT.match(first.rstrip("\r"))
    if hint:
        delimiter = hint.group(1)
    else:
        delimiter, rest = sniff_delimiter(sample), sample
    reader = csv.reader(itertools.chain(io.StringIO(rest, newline=""), text), delimiter=delimiter)
    cells = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells += len(record)
            if max_cells is not None and cells > max_cells:
                raise ImportProblem(filename, [_too_many_cells(max_cells)])
            yield number, record
    except csv.Error as exc:
        raise ImportProblem(filename, [Problem(N_("row %(row)d: cannot read this CSV line (%(reason)s)"),
                                               row=reader.line_num, reason=str(exc))]) from exc
    finally:
        with contextlib.suppress(ValueError):  # the caller may have closed it already
            text.detach()  # else the wrapper would close the caller's file when it is collected


# --- dialect and rows -----------------------------------------------------------------------


# The csv module refuses a field over 128 KiB with an English error and no column; a field up to the
# file limit is read, and table_from_rows refuses a cell over MAX_CELL_CHARS naming row and column.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


def csv_rows(text: str, filename: str, strict: bool = True) -> list[tuple[int, list[str]]]:
    """The CSV records of ``text`` (a whole file read into memory) as (row number, cells): the
    ``sep=`` hint honoured and not counted, the delimiter chosen by the rules of this module.
    With ``strict``, a line the csv module cannot read raises ImportProblem; without, reading
    stops there."""
    lines = text.split("\n", 1)
    hint = _SEP_HINT.match(lines[0].rstrip("\r"))
    if hint:
        text, delimiter = (lines[1] if len(lines) > 1 else ""), hint.group(1)
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, record in enumerate(reader, start=1):
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


def _too_many_cells(limit: int) -> Problem:
    return Problem(N_("the file has more than %(limit)d cells (rows times columns); split it into smaller files"),
                   limit=limit)


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
