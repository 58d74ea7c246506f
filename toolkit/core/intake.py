"""Answers collected elsewhere: each cell of a read file turned into an answer, or refused.

Files are read by :mod:`toolkit.core.tabular` (encodings, delimiters, workbooks, limits); which
column holds what comes from a :class:`toolkit.core.mapping.Mapping` (proposed from item ids and
question texts, confirmed by HR). Here every cell is checked against its item, and every cell
of an outcome column against the outcome's type (:mod:`toolkit.core.variables`): a refusal names
the file, the row (as the spreadsheet numbers it: the header is row 1), the column, the value
and what was expected. Validation is complete before anything is stored, so an import is all or
nothing; empty rows and rows without any answer are skipped and counted, not fatal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from toolkit.core import variables as outcome_values
from toolkit.core.mapping import (
    CONTEXT_COLUMNS,
    Mapping,
    check,
    normalise,
    outcome_variable,
    propose,
    with_outcomes,
    with_types,
)
from toolkit.core.messages import N_
from toolkit.core.problems import ImportProblem, Problem
from toolkit.core.questionnaire import Item, Questionnaire
from toolkit.core.tabular import Table, open_table, read_table
from toolkit.core.variables import Variable

__all__ = [  # the reading side is re-exported: importers need only this module
    "ImportProblem", "ImportedResponse", "ParsedAnswers", "Problem", "Table", "decode_value", "encode_value",
    "iter_responses", "open_table", "parse_responses", "parse_value", "read_table", "split_choices",
]
_SEPARATORS = re.compile(r"([,;|\n])")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _expected_likert(q: Questionnaire, item: Item) -> Problem:
    scale = q.scales[item.scale]
    labels = "; ".join(f"'{lab}'" for lang in q.languages for lab in scale.labels.get(lang, ()))
    return Problem(N_("a whole number %(min)d–%(max)d or one of the labels %(labels)s"),
                   min=scale.min, max=scale.max, labels=labels)


def parse_value(q: Questionnaire, item: Item, raw: str):
    """Turn one cell into an answer value; None = no answer.

    Likert: a whole number on the scale or one of its labels in any language (a "no answer"
    label gives None) -> int; single: an option value or label -> str; multi: option values or
    labels, each recognised by its full label (which may itself hold commas), separated by ',',
    ';', '|' or line breaks -> list[str] in the order given, without repeats; text: the cell as
    it is. Raises ValueError whose argument is a :class:`Problem` saying what was expected.
    """
    return value_parser(q, item)(raw)


def value_parser(q: Questionnaire, item: Item) -> Callable[[str], object]:
    """:func:`parse_value` for one item, with its labels and options looked up once: for reading
    the same column on many rows."""
    if item.type == "text":
        return lambda raw: raw or None
    if item.type == "likert":
        return _likert_parser(q, item)
    return _choice_parser(item)


def _likert_parser(q: Questionnaire, item: Item) -> Callable[[str], int | None]:
    scale = q.scales[item.scale]
    numbers = {str(n): n for n in range(scale.min, scale.max + 1)}
    labels: dict[str, int] = {}
    for names in scale.labels.values():
        for offset, label in enumerate(names):
            labels.setdefault(_norm(label), scale.min + offset)
    no_answer = {_norm(label) for names in scale.na_labels.values() for label in names}

    def likert(raw: str) -> int | None:
        if raw in numbers:
            return numbers[raw]
        return _likert(q, item, raw, labels, no_answer) if raw else None

    return likert


def _choice_parser(item: Item) -> Callable[[str], str | list[str] | None]:
    lookup = {}
    for option in item.options:
        lookup[_norm(option.value)] = option.value
        for label in option.label.values():
            lookup[_norm(label)] = option.value
    expected = ", ".join(o.value for o in item.options)

    def choice(raw: str):
        if raw == "":
            return None
        if item.type == "single":
            if _norm(raw) in lookup:
                return lookup[_norm(raw)]
            raise ValueError(Problem(N_("unknown option; expected one of %(options)s"), options=expected))
        return split_choices(raw, lookup, expected)

    return choice


def _likert(q: Questionnaire, item: Item, raw: str, labels: dict[str, int], no_answer: set[str]) -> int | None:
    scale = q.scales[item.scale]
    if re.fullmatch(r"[+-]?\d+(\.0+)?", raw):
        value = int(float(raw))
        if scale.min <= value <= scale.max:
            return value
        raise ValueError(Problem(N_("out of range; expected %(expected)s"), expected=_expected_likert(q, item)))
    key = _norm(raw)
    if key in labels:
        return labels[key]
    if key in no_answer:
        return None
    raise ValueError(Problem(N_("unknown label; expected %(expected)s"), expected=_expected_likert(q, item)))


def split_choices(raw: str, lookup: dict[str, str], expected: str) -> list[str] | None:
    """The options chosen in one multi-choice cell, by their full labels.

    ``lookup`` maps a label or value (lower case, single spaces) to the option's value. The
    cell is cut at its separators (, ; | line break) and consecutive pieces are joined back
    whenever together they form a label, so "Printed (poster, letter or leaflet)" stays one
    option whatever else was ticked; the longest label wins where two would fit. Returns the
    values in the order given, without repeats (None for an empty cell); raises ValueError
    (a Problem naming the first piece that is no option) when the cell cannot be read whole.
    """
    parts = _SEPARATORS.split(raw)
    pieces, separators = parts[0::2], parts[1::2]
    memo: dict[int, tuple[str, ...] | None] = {}

    def read_from(i: int) -> tuple[str, ...] | None:
        while i < len(pieces) and not pieces[i].strip():
            i += 1
        if i == len(pieces):
            return ()
        if i not in memo:
            memo[i] = None
            for j in range(len(pieces) - 1, i - 1, -1):
                text = pieces[i] + "".join(separators[k] + pieces[k + 1] for k in range(i, j))
                rest = read_from(j + 1) if _norm(text) in lookup else None
                if rest is not None:
                    memo[i] = (lookup[_norm(text)], *rest)
                    break
        return memo[i]

    found = read_from(0)
    if found is None:
        unknown = next(p.strip() for i, p in enumerate(pieces) if p.strip() and read_from(i) is None)
        raise ValueError(Problem(N_("unknown option '%(option)s'; expected options from %(options)s, each by its "
                                    "full label, separated by ';' or ','"), option=unknown, options=expected))
    values = list(dict.fromkeys(found))
    return values or None


@dataclass
class ImportedResponse:
    """One valid row: its row number, respondent id (or None), answers, context and outcome values.

    ``answers`` maps item id -> value (see :func:`parse_value`); ``context`` maps team, role,
    tenure, age and kept context variables -> the cell's text, only for non-empty cells;
    ``values`` maps outcome variable id -> its typed value ("yes"/"no", a float or the category
    text; see :func:`toolkit.core.variables.parse_value`), only for non-empty cells.
    """

    row: int
    external_id: str | None
    answers: dict
    context: dict[str, str]
    values: dict = field(default_factory=dict)


@dataclass
class ParsedAnswers:
    """A whole file checked: the responses to store, the mapping used, and what was skipped:
    ``empty_rows`` (rows with no value at all, first ones named in ``empty_examples``) and
    ``unanswered_rows`` (row numbers with values, such as an id or a time, but no answer) and
    ``text_rows`` (rows holding the question texts under a header of item ids, as our answer
    template and some survey tools write them). ``count`` is the number of valid responses
    (``responses`` holds them only when they were gathered, see :func:`parse_responses`). ``variables`` are the outcome variables this
    import declares (outcome columns the questionnaire does not declare), for the round to
    record (:func:`toolkit.data.variables.declare_round_variables`)."""

    responses: list[ImportedResponse]
    mapping: Mapping
    count: int = 0
    empty_rows: int = 0
    empty_examples: list[int] = field(default_factory=list)
    unanswered_rows: list[int] = field(default_factory=list)
    text_rows: list[int] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)

    def outcomes(self) -> list[str]:
        """The outcome columns kept, as "<variable id> (<type>)", in the file's order."""
        return [f"{c.target} ({c.outcome_type})" for c in self.mapping.columns if c.kind == "outcome"]


def _unknown_columns(q: Questionnaire, mapping: Mapping) -> list[Problem]:
    return [Problem(N_("row 1, column '%(column)s': unknown column; expected item ids or question texts of "
                       "questionnaire '%(questionnaire)s' (such as %(example)s), respondent_id or %(context)s; to "
                       "keep it as an outcome, import with --outcome ID:TYPE (type yes_no, categorical or numeric); "
                       "to ignore the column or keep it as a variable, write a mapping with `responses map` and "
                       "import with --mapping"),
                    column=column, questionnaire=q.id, example=next(iter(q.items)), context=", ".join(CONTEXT_COLUMNS))
            for column in mapping.unmatched()]


def parse_responses(q: Questionnaire, table: Table, mapping: Mapping | None = None,
                    extra: tuple[Variable, ...] | list[Variable] = ()) -> ParsedAnswers:
    """Check every cell of ``table`` against ``q`` through ``mapping``; all responses or an ImportProblem.

    The rows of :func:`iter_responses`, gathered in ``ParsedAnswers.responses``: for a file read
    into memory (a web upload). Raises ImportProblem listing every problem, each with its row and
    column.
    """
    parsed, responses = iter_responses(q, table, mapping, extra)
    parsed.responses = list(responses)
    table.problems.raise_if_any(table.filename)
    return parsed


def iter_responses(q: Questionnaire, table: Table, mapping: Mapping | None = None,
                   extra: tuple[Variable, ...] | list[Variable] = ()) -> tuple[ParsedAnswers, Iterator[ImportedResponse]]:
    """(summary, valid responses one by one) of ``table`` checked against ``q`` through ``mapping``.

    Without ``mapping`` the proposed one (:func:`toolkit.core.mapping.propose`) is used and a
    column it cannot place is an error. ``extra`` (variables declared at the import, ``--outcome
    ID:TYPE``) makes the columns of those ids outcomes of that type, overriding the mapping for
    them. Outcome cells are read for their type (:func:`toolkit.core.variables.parse_value`); the
    returned mapping carries every outcome's type. A respondent id may appear once.

    Column problems raise ImportProblem at once. Row problems go into ``table.problems`` and their
    rows are not yielded; the summary's counts (``count``, skipped rows) are final once the
    iterator is exhausted, and the caller then raises ``table.problems`` (all or nothing): a
    :class:`~toolkit.core.tabular.TableStream` is so checked and stored in one pass.
    """
    strict = mapping is None
    mapping, problems = with_outcomes(q, mapping or propose(q, table.headers), extra)
    problems += (_unknown_columns(q, mapping) if strict else []) + check(q, mapping)
    if problems:
        raise ImportProblem(table.filename, problems)
    mapping = with_types(q, mapping)
    variables = {c.target: outcome_variable(q, c) for c in mapping.columns if c.kind == "outcome"}
    parsed = ParsedAnswers([], mapping, variables=[v for v in variables.values() if v.id not in q.outcomes])
    return parsed, _responses(q, table, parsed, variables)


def _responses(q: Questionnaire, table: Table, parsed: ParsedAnswers,
               variables: dict[str, Variable]) -> Iterator[ImportedResponse]:
    mapping, problems = parsed.mapping, table.problems
    uses = [(use.column, use.kind, use.target) for use in mapping.columns]  # read once, not per cell
    parsers = {target: value_parser(q, q.items[target]) for _column, kind, target in uses if kind == "item"}
    seen_ids: dict[str, int] = {}
    texts = {iid: {normalise(t) for t in item.text.values()} for iid, item in q.items.items()}
    for number, cells in table.records():
        if _is_text_row(uses, cells, texts):
            parsed.text_rows.append(number)
            continue
        before = len(problems) + problems.more
        response = _parse_row(uses, parsers, number, cells, problems)
        if response.external_id is not None:
            if response.external_id in seen_ids:
                problems.append(Problem(N_("row %(row)d, column '%(column)s': '%(id)s' also on row %(other)d; expected "
                                           "each respondent once"), row=number, column=_id_column(mapping),
                                        id=response.external_id, other=seen_ids[response.external_id]))
            seen_ids.setdefault(response.external_id, number)
        if response.answers:
            response.values = _row_values(variables, uses, number, cells, problems)
            if len(problems) + problems.more == before:
                parsed.count += 1
                yield response
        else:
            parsed.unanswered_rows.append(number)
    parsed.empty_rows, parsed.empty_examples = table.skipped, list(table.skipped_rows)
    if not parsed.count and not (problems or problems.more):
        problems.append(Problem(N_("the file has a header but no row with answers")))


def _is_text_row(uses: list[tuple[str, str, str]], cells: dict[str, str], texts: dict[str, set[str]]) -> bool:
    """True for a row whose item cells hold nothing but their items' question texts."""
    filled = ((target, cells[column]) for column, kind, target in uses if kind == "item" and cells.get(column))
    first = next(filled, None)  # most rows fail on their first filled cell
    return (first is not None and normalise(first[1]) in texts[first[0]]
            and all(normalise(value) in texts[iid] for iid, value in filled))


def _id_column(mapping: Mapping) -> str:
    return next(c.column for c in mapping.columns if c.kind == "respondent_id")


def _parse_row(uses: list[tuple[str, str, str]], parsers: dict[str, Callable], number: int, cells: dict[str, str],
               problems: list[Problem]) -> ImportedResponse:
    """The row's answers, respondent id and context (outcomes follow in :func:`_row_values`)."""
    response = ImportedResponse(number, None, {}, {})
    for column, kind, target in uses:
        raw = cells.get(column, "")
        if kind == "item":
            try:
                value = parsers[target](raw)
            except ValueError as exc:
                problems.append(Problem(N_("row %(row)d, column '%(column)s': value '%(value)s' %(reason)s"),
                                        row=number, column=column, value=raw, reason=exc.args[0]))
                continue
            if value is not None:
                response.answers[target] = value
        elif kind == "respondent_id":
            response.external_id = raw or None
        elif kind == "context" and raw:
            response.context[target] = raw
    return response


def _row_values(variables: dict[str, Variable], uses: list[tuple[str, str, str]], number: int,
                cells: dict[str, str], problems: list[Problem]) -> dict:
    """The outcome values of one answered row (variable id -> typed value, empty cells left
    out); a cell that does not fit its variable's type is a problem naming row and column."""
    values = {}
    for column, kind, target in uses:
        if kind != "outcome":
            continue
        raw = cells.get(column, "")
        try:
            value = outcome_values.parse_value(variables[target], raw)
        except ValueError as exc:
            problems.append(Problem(N_("row %(row)d, column '%(column)s': value '%(value)s' %(reason)s"),
                                    row=number, column=column, value=raw, reason=exc.args[0]))
            continue
        if value is not None:
            values[target] = value
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
