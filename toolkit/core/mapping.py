"""Which column of an answer file holds what: the mapping HR confirms before answers are imported.

Exports of Microsoft Forms, Google Forms and most survey tools head their columns with the
question text, not with our item ids, and add columns of their own (ID, start and completion
time, e-mail, name). A mapping says, per column of the file, what it is used for:

- ``item:<item id>``: the answers to that item;
- ``respondent_id``: the respondent's id in the other tool (a file imported twice is refused);
- ``context:<name>``: kept with the response as context (``team``, ``role``, ``tenure`` and
  ``age`` are the toolkit's own; any other name is kept as an extra context variable);
- ``outcome:<name>``: kept with the response as an outcome variable (e.g. "left within a year");
- ``ignore``: not imported.

:func:`propose` matches each column by item id, or by the item's text in any of the
questionnaire's languages, tolerant of case, whitespace, punctuation and numbering prefixes
("3. ", "Q3)", "Vraag 3:"); it knows the usual names of id, context and form-tool columns. The
web preview shows the proposal for HR to confirm or correct; the same mapping is written as JSON
(:meth:`Mapping.to_json`) and read back on the command line (:func:`read_mapping`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from toolkit.core.problems import N_, ImportProblem, Problem
from toolkit.core.questionnaire import Questionnaire

CONTEXT_COLUMNS = ("team", "role", "tenure", "age")
FORMAT = "persona-toolkit answer mapping"
_NUMBERING = re.compile(r"^\s*(?:(?:q|question|vraag)\s*)?\(?\d{1,3}[a-z]?(?:\.\d{1,3})*\)?\s*[.):\-–]?\s+", re.I)
# Column names, normalised with `normalise`, that are not answers (first match wins).
KNOWN_COLUMNS = {
    "respondent_id": ("respondent id", "respondent_id", "respondentid", "respondent", "respondentnummer", "id",
                      "response id", "responseid", "record id"),
    "context:team": ("team", "teamnaam", "afdeling", "department", "departement"),
    "context:role": ("role", "rol", "functie", "role type", "type functie"),
    "context:tenure": ("tenure", "dienstjaren", "years of service", "jaren in dienst"),
    "context:age": ("age", "leeftijd", "age band", "leeftijdscategorie"),
    # what form tools add: times, the respondent's e-mail and name, quiz fields
    "ignore": ("start time", "starttijd", "begintijd", "completion time", "tijd van voltooien", "voltooiingstijd",
               "last modified time", "laatst gewijzigd", "timestamp", "tijdstempel", "email", "e mail",
               "email address", "e mailadres", "emailadres", "name", "naam", "total points", "totaal aantal punten",
               "quiz feedback", "score", "submitted at", "ingediend op"),
}


def normalise(text: str) -> str:
    """``text`` as compared when matching: NFKC, case-folded, a numbering prefix such as "3. "
    or "Q3)" removed, punctuation as spaces, runs of spaces as one."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _NUMBERING.sub("", folded)
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


@dataclass(frozen=True)
class ColumnUse:
    """What one column is used for: ``use`` as in the module docstring; ``how`` says why it was
    proposed ('id', 'text', 'name', 'form' for form-tool columns, 'saved', 'chosen', or 'none'
    when nothing matched and the column is ignored unless HR chooses otherwise)."""

    column: str
    use: str
    how: str = "chosen"

    @property
    def kind(self) -> str:
        """'item', 'respondent_id', 'context', 'outcome' or 'ignore'."""
        return self.use.split(":", 1)[0]

    @property
    def target(self) -> str:
        """The item id or variable name after the colon ("" for respondent_id and ignore)."""
        return self.use.split(":", 1)[1] if ":" in self.use else ""


@dataclass(frozen=True)
class Mapping:
    """A use for every column of one file, in the file's order, for questionnaire ``questionnaire``."""

    questionnaire: str
    columns: tuple[ColumnUse, ...]

    def items(self) -> dict[str, str]:
        """column -> item id, for the columns that hold answers."""
        return {c.column: c.target for c in self.columns if c.kind == "item"}

    def unmatched(self) -> list[str]:
        """Columns nothing matched (ignored unless someone chooses a use)."""
        return [c.column for c in self.columns if c.how == "none"]

    def to_json(self) -> str:
        """The mapping as the JSON file that `responses import --mapping` reads (see :func:`read_mapping`)."""
        return json.dumps({"format": FORMAT, "version": 1, "questionnaire": self.questionnaire,
                           "columns": [{"column": c.column, "use": c.use} for c in self.columns]},
                          ensure_ascii=False, indent=2) + "\n"


def _text_index(q: Questionnaire) -> dict[str, str]:
    """normalised item id or item text (any language) -> item id; ids win over texts."""
    index: dict[str, str] = {}
    for item in q.items.values():
        for text in item.text.values():
            index.setdefault(normalise(text), item.id)
    for item in q.items.values():
        index[normalise(item.id)] = item.id
    return index


def _known_column(key: str) -> str | None:
    return next((use for use, names in KNOWN_COLUMNS.items() if key in names), None)


def propose(q: Questionnaire, headers: list[str]) -> Mapping:
    """A use for each of ``headers``: item ids first, then item texts in any language, then the
    known id, context and form-tool columns; anything else 'ignore' with how='none'. A second
    column matching an item or use already taken is left unmatched ('none')."""
    index, taken, columns = _text_index(q), set(), []
    for header in headers:
        key = normalise(header)
        if key in index:
            use, how = f"item:{index[key]}", ("id" if normalise(index[key]) == key else "text")
        elif _known_column(key):
            use = _known_column(key)
            how = "form" if use == "ignore" else "name"
        else:
            use, how = "ignore", "none"
        if use != "ignore" and use in taken:
            use, how = "ignore", "none"
        taken.add(use)
        columns.append(ColumnUse(header, use, how))
    return Mapping(q.id, tuple(columns))


def choose(q: Questionnaire, headers: list[str], uses: dict[str, str], how: str = "chosen") -> Mapping:
    """The mapping with ``uses`` (column -> use) as chosen by someone; raises ImportProblem
    (see :func:`check`) when a use is unknown or taken twice, or a column has no use."""
    problems = []
    columns = []
    for header in headers:
        use = uses.get(header)
        if use is None:
            problems.append(Problem(N_("column '%(column)s' has no use in the mapping; add it (use 'ignore' to leave it "
                                       "out)"), column=header))
            continue
        columns.append(ColumnUse(header, use.strip(), how))
    mapping = Mapping(q.id, tuple(columns))
    problems += check(q, mapping)
    if problems:
        raise ImportProblem("mapping", problems)
    return mapping


def check(q: Questionnaire, mapping: Mapping) -> list[Problem]:
    """Every problem of a mapping: an unknown item or use, an empty variable name, two columns
    used for the same item or variable or as respondent id, no column with answers."""
    problems, seen = [], {}
    for c in mapping.columns:
        if c.kind not in ("item", "respondent_id", "context", "outcome", "ignore") or (
                c.kind in ("respondent_id", "ignore") and c.target):
            problems.append(Problem(N_("column '%(column)s': unknown use '%(use)s'; expected item:<item id>, "
                                       "respondent_id, context:<name>, outcome:<name> or ignore"),
                                    column=c.column, use=c.use))
        elif c.kind == "item" and c.target not in q.items:
            problems.append(Problem(N_("column '%(column)s': questionnaire '%(questionnaire)s' has no item '%(item)s'"),
                                    column=c.column, questionnaire=q.id, item=c.target))
        elif c.kind in ("context", "outcome") and not c.target.strip():
            problems.append(Problem(N_("column '%(column)s': a variable needs a name, as in %(kind)s:<name>"),
                                    column=c.column, kind=c.kind))
        elif c.kind != "ignore" and c.use in seen:
            problems.append(Problem(N_("columns '%(first)s' and '%(second)s' are both used as %(use)s; keep one"),
                                    first=seen[c.use], second=c.column, use=c.use))
        seen.setdefault(c.use, c.column)
    if not problems and not mapping.items():
        problems.append(Problem(N_("no column holds answers to an item of questionnaire '%(questionnaire)s'"),
                                questionnaire=q.id))
    return problems


def read_mapping(q: Questionnaire, headers: list[str], text: str, filename: str) -> Mapping:
    """The mapping saved in ``text`` (JSON, see :meth:`Mapping.to_json`) applied to a file with
    ``headers``. Columns are matched by name, ignoring case and runs of spaces.

    Raises ImportProblem (named after ``filename``, the mapping file) when the JSON is not a
    mapping, is for another questionnaire, misses a column of the file or names one the file
    does not have, or fails :func:`check`.
    """
    try:
        data = json.loads(text)
        saved = {" ".join(str(c["column"]).casefold().split()): str(c["use"]) for c in data["columns"]}
        questionnaire = str(data.get("questionnaire") or q.id)
    except (ValueError, KeyError, TypeError) as exc:
        raise ImportProblem(filename, [Problem(N_(
            "this is not an answer mapping (%(reason)s); write one with `persona-toolkit responses map` or download "
            "it from the import preview"), reason=exc.__class__.__name__)]) from None
    problems = []
    if questionnaire != q.id:
        problems.append(Problem(N_("the mapping is for questionnaire '%(saved)s', the round uses '%(questionnaire)s'"),
                                saved=questionnaire, questionnaire=q.id))
    uses, present = {}, set()
    for header in headers:
        key = " ".join(header.casefold().split())
        present.add(key)
        if key in saved:
            uses[header] = saved[key]
    for key in saved:
        if key not in present:
            column = next(str(c["column"]) for c in data["columns"] if " ".join(str(c["column"]).casefold().split()) == key)
            problems.append(Problem(N_("the mapping names column '%(column)s', which the file does not have"),
                                    column=column))
    try:
        mapping = choose(q, headers, uses, how="saved")
    except ImportProblem as exc:
        problems += exc.problems
        mapping = None
    if problems:
        raise ImportProblem(filename, problems)
    return mapping
