"""Reading an XLSX workbook as it is stored, safely: never more than the limits, never a guess.

Not openpyxl's reader: its read-only mode trusts the stored sheet size (``<dimension>``), so a
workbook whose exporter wrote a smaller one lost cells silently, and one claiming the whole
sheet grew the process by the gigabyte. This reader streams the sheet XML and takes the cells
that are there.

Checked before any data is loaded (from the zip's central directory: Python's zipfile never
unpacks a part beyond the size declared there, and a part that lies fails its checksum):

- at most MAX_PARTS parts; a part of more than 1 MB compressed over MAX_RATIO times is a zip
  bomb; in a web upload each part unpacks to at most MAX_PART_BYTES and all together to
  MAX_UNPACKED_BYTES. On the command line a sheet may be larger (it is streamed), but the
  shared strings, which are held whole, still at most MAX_PART_BYTES.

Checked while reading:

- every XML part is parsed by defusedxml with document type declarations forbidden: a DOCTYPE,
  an entity declaration or an external reference (the "billion laughs" and XXE attacks) refuses
  the file -- spreadsheet programs never write them;
- cells are counted and reading stops at MAX_CELLS; a cell beyond column MAX_COLUMNS refuses.

Cells: the position comes from the cell's reference (``r="C7"``), or follows the previous cell
when the reference is absent; shared and inline strings (rich-text runs joined, phonetic guides
left out); numbers as written (whole numbers without ".0"); booleans as TRUE or FALSE; numbers
with a date format as ISO dates (``2026-03-05`` or ``2026-03-05 14:30:00``). A formula cell
gives the result the spreadsheet stored with it; without one it is a
:class:`~toolkit.core.problems.BadCell` ('formula'), as is an error value such as ``#N/A``
('error'). Only one sheet may hold data.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from toolkit.core.messages import N_
from toolkit.core.problems import MAX_CELLS, MAX_COLUMNS, BadCell, ImportProblem, Problem

MAX_PARTS = 10_000
MAX_PART_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024
_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # ST_Xstring: a character as its code (ECMA-376 part 1, 22.9.2.19)
_OFFICE_DOCUMENT = "/officeDocument"
# Built-in number formats that show a date or time (ECMA-376 part 1, 18.8.30).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


class _Refused(Exception):
    """Internal: stop reading with this Problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def workbook_rows(source: BinaryIO, filename: str, max_cells: int | None = MAX_CELLS) -> Iterator[tuple[int, list]]:
    """The rows of the one sheet with data, read as they are asked for: (row number as the
    spreadsheet shows it, cells).

    ``source`` is the workbook as a seekable binary file. Cells are str or
    :class:`~toolkit.core.problems.BadCell`, as many as the row's last stored cell reaches; at
    most ``max_cells`` non-empty cells (None: no cap). Raises ImportProblem for a damaged or
    hostile workbook (see the module docstring) or more than the limits -- the archive before
    the first row, the XML while reading -- and, once the rows are read, for data on more than
    one sheet (an importer storing the rows as they come rolls back then).
    """
    try:
        with zipfile.ZipFile(source) as archive:
            _check_archive(archive, sizes=max_cells is not None)
            book = _Workbook(archive, max_cells)
            with_data = []
            for title, path in book.sheets():
                rows = book.rows(path)
                first = next(rows, None)
                if first is None:
                    continue
                with_data.append(title)
                if len(with_data) == 1:
                    yield first
                    yield from rows
                else:
                    rows.close()
    except _Refused as refused:
        raise ImportProblem(filename, [refused.problem]) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, ValueError, IndexError, OSError,
            NotImplementedError) as exc:
        raise ImportProblem(filename, [Problem(N_(
            "this looks like a damaged XLSX workbook (%(reason)s); open it in your spreadsheet program and "
            "save it again as .xlsx"), reason=exc.__class__.__name__)]) from None
    if len(with_data) > 1:
        names = ", ".join(f"'{name}'" for name in with_data)
        raise ImportProblem(filename, [Problem(N_(
            "the workbook has data on %(n)d sheets (%(names)s); keep one sheet with the data"),
            n=len(with_data), names=names)])


def _check_archive(archive: zipfile.ZipFile, sizes: bool = True) -> None:
    """Refuse a zip bomb (any upload or file) and, with ``sizes`` (a web upload), parts and
    archives over MAX_PART_BYTES and MAX_UNPACKED_BYTES."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise _Refused(Problem(N_("the workbook has %(n)d parts; the limit is %(limit)d"), n=len(parts),
                               limit=MAX_PARTS))
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise _Refused(Problem(N_(
                "part %(part)s of the workbook is compressed %(ratio)d times (a zip bomb); spreadsheet programs "
                "never compress that much, so it is refused before it is read"), part=part.filename, ratio=ratio))
        if sizes and part.file_size > MAX_PART_BYTES:
            raise _Refused(_part_too_big(part))
        if sizes and total > MAX_UNPACKED_BYTES:
            raise _Refused(Problem(N_(
                "the workbook unpacks to more than %(limit)d MB, so it is refused before it is read"),
                limit=MAX_UNPACKED_BYTES // 1024 // 1024))


def _part_too_big(part: zipfile.ZipInfo) -> Problem:
    return Problem(N_(
        "part %(part)s of the workbook unpacks to %(size)d MB; the limit is %(limit)d MB, so it is refused "
        "before it is read"), part=part.filename, size=part.file_size // 1024 // 1024,
        limit=MAX_PART_BYTES // 1024 // 1024)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id, or id in strict files)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Workbook:
    """The parts of one workbook, parsed as they are needed."""

    def __init__(self, archive: zipfile.ZipFile, max_cells: int | None = MAX_CELLS):
        self.archive = archive
        self.max_cells = max_cells
        self.names = {info.filename for info in archive.infolist()}
        self.book_path = self._office_document()
        self._strings: list[str] | None = None
        self._date_styles: frozenset[int] | None = None
        self.date1904 = False  # set by sheets(): the workbook counts days from 1904
        self.cells = 0

    def _parse(self, path: str, events=("end",)):
        """iterparse over one part with DTDs and entities forbidden; hostile XML raises _Refused."""
        try:
            yield from iterparse(self.archive.open(path), events=events, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
        except DefusedXmlException as exc:
            raise _Refused(Problem(N_(
                "part %(part)s of the workbook declares a document type or XML entities (%(kind)s), as the "
                "'billion laughs' and XXE attacks do; spreadsheet programs never write these, so the file is "
                "refused"), part=path, kind=exc.__class__.__name__)) from None
        except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
            raise _Refused(Problem(N_(
                "part %(part)s of the workbook is not well-formed XML (%(reason)s); save the workbook again as "
                ".xlsx"), part=path, reason=str(exc))) from None

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, absolute target path) of the part's relationships ("" = the package)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self.names:
            return {}
        found = {}
        for _event, element in self._parse(rels):
            if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                found[element.get("Id", "")] = (element.get("Type", ""), path)
        return found

    def _office_document(self) -> str:
        for kind, path in self._relationships("").values():
            if kind.endswith(_OFFICE_DOCUMENT):
                return path
        if "xl/workbook.xml" in self.names:
            return "xl/workbook.xml"
        raise _Refused(Problem(N_("this zip file is not an XLSX workbook; save the data as .xlsx or as CSV UTF-8")))

    def sheets(self) -> list[tuple[str, str]]:
        """(title, part path) of every worksheet, in the workbook's order."""
        rels = self._relationships(self.book_path)
        result = []
        for _event, element in self._parse(self.book_path):
            if _local(element.tag) == "sheet":
                kind, path = rels.get(_attr(element, "id") or "", ("", ""))
                if kind.endswith("/worksheet") and path in self.names:
                    result.append((element.get("name", ""), path))
            elif _local(element.tag) == "workbookPr":
                self.date1904 = element.get("date1904") in ("1", "true")
        return result

    def _related(self, suffix: str) -> str | None:
        return next((p for k, p in self._relationships(self.book_path).values() if k.endswith(suffix)), None)

    @property
    def strings(self) -> list[str]:
        """The shared strings table (rich-text runs joined, phonetic runs left out)."""
        if self._strings is None:
            self._strings = []
            path = self._related("/sharedStrings")
            if path and path in self.names:
                if self.archive.getinfo(path).file_size > MAX_PART_BYTES:  # held whole: capped on the command line too
                    raise _Refused(_part_too_big(self.archive.getinfo(path)))
                for _event, element in self._parse(path):
                    if _local(element.tag) == "si":
                        self._strings.append(_text_of(element))
                        element.clear()
        return self._strings

    @property
    def date_styles(self) -> frozenset[int]:
        """Indexes of the cell formats (``s`` of a cell) that show a date or time."""
        if self._date_styles is None:
            self._date_styles = _date_styles(self, self._related("/styles"))
        return self._date_styles

    def rows(self, path: str) -> Iterator[tuple[int, list]]:
        """The non-empty rows of one worksheet as (row number, cells), as they are read."""
        row_number, cells, column, parent = 0, {}, 0, None
        for event, element in self._parse(path, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    cells, column = {}, 0
                elif tag == "sheetData":
                    parent = element
                continue
            if tag == "c":
                column = self._cell(element, row_number, column, cells)
            elif tag == "row":
                finished = (row_number, [cells.get(i, "") for i in range(1, max(cells) + 1)]) if cells else None
                if parent is not None:
                    parent.clear()  # the finished row leaves the tree: memory stays flat
                if finished:
                    yield finished

    def _cell(self, element, row_number: int, previous: int, cells: dict) -> int:
        """Read one <c> into ``cells`` (column -> value); returns its column number."""
        ref = element.get("r")
        match = _REF.match(ref) if ref else None
        column = _column_number(match.group(1)) if match else previous + 1
        if match and int(match.group(2)) != row_number:
            raise ValueError(f"cell {ref} in row {row_number}")
        if column > MAX_COLUMNS:
            raise _Refused(Problem(N_("row %(row)d has a value in column %(column)d; the limit is %(limit)d columns"),
                                   row=row_number, column=column, limit=MAX_COLUMNS))
        value = self._value(element)
        if value != "":
            self.cells += 1
            if self.max_cells is not None and self.cells > self.max_cells:
                raise _Refused(Problem(N_(
                    "the file has more than %(limit)d cells (rows times columns); split it into smaller files"),
                    limit=self.max_cells))
            cells[column] = value
        return column

    def _value(self, element):
        kind = element.get("t", "n")
        formula = value = None
        inline = ""
        for child in element:
            name = _local(child.tag)
            if name == "f":
                formula = "=" + (child.text or "")
            elif name == "v":
                value = child.text or ""
            elif name == "is":
                inline = _text_of(child)
        if kind == "inlineStr":
            return inline
        if value is None or (value == "" and kind not in ("str", "d")):  # <v></v>: no result either
            return BadCell("formula", formula) if formula else ""
        if kind == "s":
            return self.strings[int(value)]
        if kind == "b":
            return "TRUE" if value.strip() in ("1", "true") else "FALSE"
        if kind == "e":
            return BadCell("error", value)
        if kind in ("str", "d"):
            return value
        style = element.get("s")
        if style is not None and int(style) in self.date_styles:
            return _excel_date(float(value), self.date1904)
        return _number_text(value)


def _text_of(element) -> str:
    """The text of an <si> or <is>: its <t>, or its rich-text runs joined; phonetic guides left
    out; Excel's escapes for characters XML cannot hold (``_x000B_``) turned back into them."""
    parts = []

    def walk(node):
        for child in node:
            name = _local(child.tag)
            if name == "rPh":
                continue
            if name == "t":
                parts.append(child.text or "")
            else:
                walk(child)

    walk(element)
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), "".join(parts))


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _number_text(raw: str) -> str:
    number = float(raw)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _excel_date(serial: float, date1904: bool) -> str:
    import datetime as dt

    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not date1904 and serial < 61:  # Excel counts 29 February 1900, which never was
        serial += 1
    moment = epoch + dt.timedelta(days=serial)
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    return moment.date().isoformat() if moment.time() == dt.time(0) else moment.isoformat(sep=" ")


def _date_styles(book: _Workbook, path: str | None) -> frozenset[int]:
    if not path or path not in book.names:
        return frozenset()
    from openpyxl.styles.numbers import is_date_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_xfs = False
    for event, element in book._parse(path, events=("start", "end")):
        tag = _local(element.tag)
        if tag == "cellXfs":
            in_cell_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif event == "end" and tag == "xf" and in_cell_xfs:
            formats.append(int(element.get("numFmtId", "0")))
    return frozenset(i for i, fmt in enumerate(formats)
                     if fmt in _DATE_FORMAT_IDS or (fmt in custom and is_date_format(custom[fmt])))
