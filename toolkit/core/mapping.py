"""Which column of an answer file holds what: the mapping HR confirms before answers are imported.

Exports of Microsoft Forms, Google Forms and most survey tools head their columns with the
question text, not with our item ids, and add columns of their own (ID, start and completion
time, e-mail, name). A mapping says, per column of the file, what it is used for:

- ``item:<item id>``: the answers to that item;
- ``respondent_id``: the respondent's id in the other tool (a file imported twice is refused);
- ``context:<name>``: kept with the response as context (``team``, ``role``, ``tenure`` and
  ``age`` are the toolkit's own; any other name is kept as an extra context variable);
- ``outcome:<name>`` or ``outcome:<name>:<type>``: kept with the response as a typed outcome
  variable (e.g. "left within a year"; type ``yes_no``, ``categorical`` or ``numeric``, see
  :mod:`toolkit.core.variables`). Without a type the questionnaire's ``[[outcomes]]``
  declaration of <name> holds, else categorical. <name> is a variable id (a letter, then
  letters, digits and _); :func:`variable_id` makes one from a column's header;
- ``ignore``: not imported.

:func:`propose` matches each column by item id, or by the item's text in any of the
questionnaire's languages, tolerant of case, whitespace, punctuation and numbering prefixes
("3. ", "Q3)", "Vraag 3:"), then by the ids of the questionnaire's declared outcomes; it knows
the usual names of id, context and form-tool columns. The
web preview shows the proposal for HR to confirm or correct; the same mapping is written as JSON
(:meth:`Mapping.to_json`) and read back on the command line (:func:`read_mapping`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from toolkit.core.messages import N_
from toolkit.core.problems import ImportProblem, Problem
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.variables import ID_PATTERN, VARIABLE_TYPES, Variable

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
        """The item id or variable name after the colon ("" for respondent_id and ignore); an
        outcome's written type is not part of it."""
        if ":" not in self.use:
            return ""
        rest = self.use.split(":", 1)[1]
        return rest.split(":", 1)[0] if self.kind == "outcome" else rest

    @property
    def outcome_type(self) -> str:
        """The type written in an ``outcome:<name>:<type>`` use; "" when none is written or the
        column is no outcome."""
        parts = self.use.split(":", 2)
        return parts[2] if self.kind == "outcome" and len(parts) == 3 else ""


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


def _variable_key(text: str) -> str:
    """A column header or variable id as compared with variable ids: :func:`normalise`d, with _
    as a space ("Reason manager" matches reason_manager)."""
    return " ".join(normalise(text).replace("_", " ").split())


def variable_id(column: str) -> str:
    """A usable variable id made from a column header: ASCII letters, digits and _, lower case,
    at most 40 characters, starting with a letter, any numbering prefix dropped
    ("3. Left within a year?" -> "left_within_a_year")."""
    ascii_text = unicodedata.normalize("NFKD", normalise(column)).encode("ascii", "ignore").decode()
    name = "_".join(re.findall(r"[a-z0-9]+", ascii_text)) or "outcome"
    if not name[0].isalpha():
        name = "v_" + name
    return name[:40].rstrip("_")


def outcome_variable(q: Questionnaire, use: ColumnUse) -> Variable:
    """The variable an outcome use keeps: the questionnaire's declaration of its name when it
    has one (and the written type, if any, agrees: see :func:`check`), else a variable declared
    at this import with the written type, categorical when none is written."""
    declared = q.outcomes.get(use.target)
    if declared is not None and use.outcome_type in ("", declared.type):
        return declared
    return Variable(id=use.target, type=use.outcome_type or "categorical", source="import")


def with_types(q: Questionnaire, mapping: Mapping) -> Mapping:
    """``mapping`` with every outcome use written with its type (``outcome:<name>:<type>``), as
    :func:`outcome_variable` resolves it; other uses, and outcome uses without a name, unchanged."""
    columns = tuple(
        ColumnUse(c.column, f"outcome:{c.target}:{outcome_variable(q, c).type}", c.how)
        if c.kind == "outcome" and c.target and not c.outcome_type else c for c in mapping.columns)
    return Mapping(mapping.questionnaire, columns)


def with_outcomes(q: Questionnaire, mapping: Mapping, extra: tuple[Variable, ...] | list[Variable]
                  ) -> tuple[Mapping, list[Problem]]:
    """``mapping`` with the columns named by ``extra`` (variables declared at the import with
    ``--outcome ID:TYPE``) used as those outcomes, whatever was proposed or saved for them.

    A column is found by its header equal to the variable's id, else equal as compared with
    case, punctuation and _ ignored.
    Returns the mapping and the problems: an id that is an item or one of the toolkit's own
    columns, or that no column of the file has.
    """
    problems, uses = [], {c.column: c for c in mapping.columns}
    own = {"respondent_id", *CONTEXT_COLUMNS}
    for variable in extra:
        if variable.id in q.items or variable.id in own:
            problems.append(Problem(N_("--outcome '%(id)s': already an item or column of questionnaire "
                                       "'%(questionnaire)s'; choose another column"), id=variable.id, questionnaire=q.id))
            continue
        column = next((h for h in uses if h == variable.id), None) or next(
            (h for h in uses if _variable_key(h) == _variable_key(variable.id)), None)
        if column is None:
            problems.append(Problem(N_("--outcome '%(id)s': the file has no column '%(id)s'"), id=variable.id))
            continue
        uses[column] = ColumnUse(column, f"outcome:{variable.id}:{variable.type}", "chosen")
    return Mapping(mapping.questionnaire, tuple(uses.values())), problems


def propose(q: Questionnaire, headers: list[str]) -> Mapping:
    """A use for each of ``headers``: item ids first, then item texts in any language, then the
    ids of the questionnaire's declared outcomes (``outcome:<id>``, their type from the
    declaration), then the known id, context and form-tool columns; anything else 'ignore' with
    how='none'. A second column matching an item or use already taken is left unmatched ('none')."""
    index, taken, columns = _text_index(q), set(), []
    outcomes = {_variable_key(vid): vid for vid in q.outcomes}
    for header in headers:
        key = normalise(header)
        if key in index:
            use, how = f"item:{index[key]}", ("id" if normalise(index[key]) == key else "text")
        elif _variable_key(header) in outcomes:
            use, how = f"outcome:{outcomes[_variable_key(header)]}", "name"
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
    """Every problem of a mapping: an unknown item or use, an empty or unusable variable name,
    an unknown outcome type or one that contradicts the questionnaire's declaration, two
    columns used for the same item or variable or as respondent id, no column with answers."""
    problems, seen = [], {}
    for c in mapping.columns:
        key = f"{c.kind}:{c.target}" if c.kind == "outcome" else c.use
        problem = _use_problem(q, c)
        if problem is None and c.kind != "ignore" and key in seen:
            problem = Problem(N_("columns '%(first)s' and '%(second)s' are both used as %(use)s; keep one"),
                              first=seen[key], second=c.column, use=key)
        if problem is not None:
            problems.append(problem)
        seen.setdefault(key, c.column)
    if not problems and not mapping.items():
        problems.append(Problem(N_("no column holds answers to an item of questionnaire '%(questionnaire)s'"),
                                questionnaire=q.id))
    return problems


def _use_problem(q: Questionnaire, c: ColumnUse) -> Problem | None:
    """What is wrong with one column's use on its own, or None."""
    if c.kind not in ("item", "respondent_id", "context", "outcome", "ignore") or (
            c.kind in ("respondent_id", "ignore") and c.target) or (c.kind == "outcome" and c.use.count(":") > 2):
        return Problem(N_("column '%(column)s': unknown use '%(use)s'; expected item:<item id>, respondent_id, "
                          "context:<name>, outcome:<name> or outcome:<name>:<type>, or ignore"), column=c.column, use=c.use)
    if c.kind == "item" and c.target not in q.items:
        return Problem(N_("column '%(column)s': questionnaire '%(questionnaire)s' has no item '%(item)s'"),
                       column=c.column, questionnaire=q.id, item=c.target)
    if c.kind in ("context", "outcome") and not c.target.strip():
        return Problem(N_("column '%(column)s': a variable needs a name, as in %(kind)s:<name>"),
                       column=c.column, kind=c.kind)
    if c.kind != "outcome":
        return None
    if not ID_PATTERN.match(c.target):
        return Problem(N_("column '%(column)s': '%(name)s' cannot name an outcome; start with a letter, then use "
                          "letters, digits and _ (at most 40), as in outcome:%(example)s"),
                       column=c.column, name=c.target, example=variable_id(c.column))
    if c.outcome_type and c.outcome_type not in VARIABLE_TYPES:
        return Problem(N_("column '%(column)s': unknown outcome type '%(type)s'; expected yes_no, categorical or "
                          "numeric"), column=c.column, type=c.outcome_type)
    declared = q.outcomes.get(c.target)
    if declared is not None and c.outcome_type not in ("", declared.type):
        return Problem(N_("column '%(column)s': questionnaire '%(questionnaire)s' declares outcome '%(name)s' as "
                          "%(declared)s, not %(type)s"), column=c.column, questionnaire=q.id, name=c.target,
                       declared=declared.type, type=c.outcome_type)
    return None


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
