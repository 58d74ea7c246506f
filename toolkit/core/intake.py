"""Reading CSV and XLSX files that people export from form tools and spreadsheets.

Files come from Excel on Dutch Windows (semicolons, Windows-1252), from Google Forms (commas,
UTF-8) and from everything in between. We accept all of those, and we refuse anything we
cannot read with a message that names the file, the row (as the spreadsheet numbers it: the
header is row 1), the column, the value and what was expected. Validation is complete before
anything is stored, so an import is all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import variables as outcome_values
from toolkit.core.questionnaire import Item, Questionnaire
from toolkit.core.variables import Variable

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ERRORS_SHOWN = 25
CONTEXT_COLUMNS = ("team", "role", "tenure", "age")
# Characters Word and XML cannot store, and that have no business in an answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class ImportProblem(ValueError):
    """The file cannot be imported; ``problems`` lists each reason with its place."""

    def __init__(self, filename: str, problems: list[str]):
        """Keep the file name and problems; the message shows the first MAX_ERRORS_SHOWN."""
        self.filename = filename
        self.problems = problems
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown)
        if more:
            text += f"\n  … and {more} more"
        super().__init__(f"{filename}: nothing was imported ({len(problems)} problem(s))\n{text}")


@dataclass
class Table:
    """A read file: its name, the header cells, and each data row as (row number, cells).

    Row numbers are as the spreadsheet shows them (the header is row 1); cells map header
    to the cleaned text of the cell ("" when empty).
    """

    filename: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, cells)


def clean_text(value: str) -> str:
    """``value`` in Unicode NFC, without control characters Word and XML cannot store, stripped."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        raise ImportProblem(filename, ["the file is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8)"])
    return text


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _read_csv(data: bytes, filename: str) -> Table:
    if _looks_binary(data):
        raise ImportProblem(filename, ["this is not a text file; expected a CSV file or an XLSX workbook"])
    text = _decode(data, filename)
    first_line = text.splitlines()[0] if text.strip() else ""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        raw_rows = list(reader)
    except csv.Error as exc:
        raise ImportProblem(filename, [f"row {reader.line_num}: cannot read this CSV line ({exc})"]) from exc
    return _table_from_rows(filename, [(i + 1, r) for i, r in enumerate(raw_rows)])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, filename: str) -> Table:
    import openpyxl

    try:
        # data_only=False: a formula cell is read as its text ("=1+1"), never evaluated.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportProblem(filename, [f"cannot open this workbook ({exc.__class__.__name__}); save it again as .xlsx"]) from exc
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = [
                (i + 1, [_cell_text(v) for v in row])
                for i, row in enumerate(sheet.iter_rows(values_only=True))
            ]
            rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
            if rows:
                sheets.append((sheet.title, rows))
    finally:
        book.close()
    if len(sheets) > 1:
        names = ", ".join(f"'{name}'" for name, _ in sheets)
        raise ImportProblem(filename, [f"the workbook has data on {len(sheets)} sheets ({names}); keep one sheet with the data"])
    return _table_from_rows(filename, sheets[0][1] if sheets else [])


def _table_from_rows(filename: str, numbered: list[tuple[int, list[str]]]) -> Table:
    numbered = [(n, r) for n, r in numbered if any(c.strip() for c in r)]
    if not numbered:
        raise ImportProblem(filename, ["the file is empty; expected a header row and one row per respondent"])
    header_row, headers = numbered[0]
    headers = [clean_text(h) for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    problems = []
    seen = set()
    for col, h in enumerate(headers, start=1):
        if not h:
            problems.append(f"row {header_row}, column {col}: empty column name in the header")
        elif h.lower() in seen:
            problems.append(f"row {header_row}, column '{h}': the column appears twice")
        seen.add(h.lower())
    if problems:
        raise ImportProblem(filename, problems)
    table = Table(filename, headers)
    for number, cells in numbered[1:]:
        extra = [c for c in cells[len(headers):] if c.strip()]
        if extra:
            problems.append(f"row {number}: {len(cells)} values for {len(headers)} columns; is the delimiter mixed?")
            continue
        cells = list(cells) + [""] * (len(headers) - len(cells))
        table.rows.append((number, {h: clean_text(c) for h, c in zip(headers, cells, strict=False)}))
    if problems:
        raise ImportProblem(filename, problems)
    return table


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1252) or XLSX.

    ``data`` is the file's bytes (at most MAX_FILE_BYTES), ``filename`` its name (only the
    last part is kept, for messages). Raises ImportProblem naming every problem: empty, too
    large, not text, an unreadable CSV line, a damaged or multi-sheet workbook, empty or
    duplicate column names, rows with another number of cells than the header.
    """
    filename = Path(filename).name
    if not data:
        raise ImportProblem(filename, ["the file is empty; expected a header row and one row per respondent"])
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(
            filename, [f"the file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB"]
        )
    if data.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportProblem(filename, ["this looks like a damaged XLSX workbook"])
        return _read_xlsx(data, filename)
    return _read_csv(data, filename)


# --- answers ---------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _expected_likert(q: Questionnaire, item: Item) -> str:
    scale = q.scales[item.scale]
    labels = "; ".join(f"'{lab}'" for lang in q.languages for lab in scale.labels.get(lang, ()))
    return f"a whole number {scale.min}–{scale.max} or one of the labels {labels}"


def parse_value(q: Questionnaire, item: Item, raw: str):
    """Turn one cell into an answer value; None = no answer. Raises ValueError(expected).

    Likert: a whole number on the scale or one of its labels in any language (a "no answer"
    label gives None) -> int; single: an option value or label -> str; multi: values or
    labels separated by ';', '|' or ',' -> list[str] in the order given, without repeats;
    text: the cell as it is. The ValueError's message says what was expected.
    """
    if raw == "":
        return None
    if item.type == "text":
        return raw
    if item.type == "likert":
        scale = q.scales[item.scale]
        if re.fullmatch(r"[+-]?\d+(\.0+)?", raw):
            value = int(float(raw))
            if scale.min <= value <= scale.max:
                return value
            raise ValueError(f"out of range; expected {_expected_likert(q, item)}")
        key = _norm(raw)
        for labels in scale.labels.values():
            for offset, label in enumerate(labels):
                if _norm(label) == key:
                    return scale.min + offset
        for labels in scale.na_labels.values():
            if key in (_norm(lab) for lab in labels):
                return None
        raise ValueError(f"unknown label; expected {_expected_likert(q, item)}")
    lookup = {}
    for option in item.options:
        lookup[_norm(option.value)] = option.value
        for label in option.label.values():
            lookup[_norm(label)] = option.value
    expected = ", ".join(o.value for o in item.options)
    if item.type == "single":
        if _norm(raw) in lookup:
            return lookup[_norm(raw)]
        raise ValueError(f"unknown option; expected one of {expected}")
    if _norm(raw) in lookup:  # a label may itself contain a comma
        return [lookup[_norm(raw)]]
    parts = [p for p in re.split(r"[;|,]", raw) if p.strip()]
    values = []
    for part in parts:
        if _norm(part) not in lookup:
            raise ValueError(f"unknown option '{part.strip()}'; expected options from {expected}, separated by ';'")
        if lookup[_norm(part)] not in values:
            values.append(lookup[_norm(part)])
    return values or None


@dataclass
class ImportedResponse:
    """One valid row: its row number, respondent_id (or None), answers and context columns.

    ``answers`` maps item id -> value (see :func:`parse_value`); ``context`` maps team,
    role, tenure, age -> the cell's text, only for non-empty cells; ``values`` maps outcome
    variable id -> its parsed value (see :func:`toolkit.core.variables.parse_value`).
    """

    row: int
    external_id: str | None
    answers: dict
    context: dict[str, str]
    values: dict = field(default_factory=dict)


def parse_responses(q: Questionnaire, table: Table, extra: tuple[Variable, ...] = ()) -> list[ImportedResponse]:
    """Validate every cell; return the responses or raise ImportProblem listing every error.

    Columns must be item ids of ``q``, respondent_id, a context column, or an outcome
    variable: declared in the questionnaire or in ``extra`` (declared for this import); each
    row needs at least one answer and a respondent_id at most once. All or nothing.
    """
    problems = []
    variables = {**q.outcomes, **{v.id: v for v in extra}}
    known = {"respondent_id", *q.items, *CONTEXT_COLUMNS, *variables}
    for variable in extra:
        if variable.id in q.items or variable.id in ("respondent_id", *CONTEXT_COLUMNS):
            problems.append(f"outcome '{variable.id}': already an item or column of questionnaire '{q.id}'")
    for header in table.headers:
        if header not in known:
            problems.append(
                f"row 1, column '{header}': unknown column; expected item ids of questionnaire "
                f"'{q.id}' (such as {next(iter(q.items))}), respondent_id or {', '.join(CONTEXT_COLUMNS)}, "
                "or an outcome column declared in the questionnaire or at import (--outcome ID:TYPE)"
            )
    if not any(h in q.items for h in table.headers) and not problems:
        problems.append(f"row 1: no column matches an item of questionnaire '{q.id}'")
    if not table.rows and not problems:
        problems.append("the file has a header but no respondents")
    if problems:
        raise ImportProblem(table.filename, problems)
    responses = []
    seen_ids: dict[str, int] = {}
    for number, cells in table.rows:
        answers = {}
        for header, raw in cells.items():
            item = q.items.get(header)
            if item is None:
                continue
            try:
                value = parse_value(q, item, raw)
            except ValueError as exc:
                problems.append(f"row {number}, column '{header}': value '{raw}' {exc}")
                continue
            if value is not None:
                answers[header] = value
        external = cells.get("respondent_id") or None
        if external is not None:
            if external in seen_ids:
                problems.append(
                    f"row {number}, column 'respondent_id': '{external}' also on row {seen_ids[external]}; "
                    "expected each respondent once"
                )
            seen_ids[external] = number
        if not answers:
            problems.append(f"row {number}: no answers in this row")
        context = {c: cells[c] for c in CONTEXT_COLUMNS if cells.get(c)}
        values = _row_values(variables, cells, number, problems)
        responses.append(ImportedResponse(number, external, answers, context, values))
    if problems:
        raise ImportProblem(table.filename, problems)
    return responses


def _row_values(variables: dict[str, Variable], cells: dict[str, str], number: int, problems: list[str]) -> dict:
    """The outcome values of one row (variable id -> value); a cell that does not fit is a problem."""
    values = {}
    for vid, variable in variables.items():
        try:
            values[vid] = outcome_values.parse_value(variable, cells.get(vid, ""))
        except ValueError as exc:
            problems.append(f"row {number}, column '{vid}': value '{cells[vid]}' {exc}")
    return values


def encode_value(value) -> str:
    """An answer as stored in SQLite: a JSON list for multi choices, else ``str(value)``."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)


def decode_value(item: Item | None, raw: str):
    """An answer read back from SQLite: int for likert, list for multi, text otherwise.

    ``item`` None (an item no longer in the questionnaire) gives the raw text. Raises
    ValueError when a likert value is not an integer or a multi value is not JSON.
    """
    if item is None:
        return raw
    if item.type == "likert":
        return int(raw)
    if item.type == "multi":
        return json.loads(raw)
    return raw
