"""Outcome and extra variables: what a round carries beside the answers, to profile personas on.

An exit survey asks "do these personas leave for different reasons?"; an engagement survey
"do they differ in absence or in finished training?". Such columns are not items: nobody
answered them on our pages, they are never clustered on, and they are shown per persona only
under the same minimum-group rules as the context columns. A variable is declared in the
questionnaire file (``[[outcomes]]``) or when answers are imported (``--outcome ID:TYPE``),
and in identified rounds its values may come from the participant list's extra columns.

Types: ``yes_no`` (yes / no, ja / nee, 1 / 0, true / false ...), ``categorical`` (any text,
or one of the declared ``categories``) and ``numeric`` (a number, decimal point or comma).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from toolkit.core.messages import N_
from toolkit.core.problems import Problem

VARIABLE_TYPES = ("yes_no", "categorical", "numeric")
MAX_CATEGORY_CHARS = 100
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_YES = {"yes", "y", "ja", "j", "true", "waar", "1"}
_NO = {"no", "n", "nee", "false", "onwaar", "0"}


@dataclass(frozen=True)
class Variable:
    """One declared outcome or extra variable.

    ``id`` names the column (in an import file or the participant list); ``type`` is one of
    VARIABLE_TYPES; ``name`` maps language -> a readable name (may be empty: the id is then
    shown); ``categories`` lists the allowed values of a categorical variable in display order
    (empty: any text); ``source`` says where it was declared: "questionnaire" or "import".
    """

    id: str
    type: str
    name: dict[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    source: str = "questionnaire"

    def title(self, lang: str | None) -> str:
        """The name in ``lang`` (any name when that language has none), else the id."""
        if lang and self.name.get(lang):
            return self.name[lang]
        return next((text for text in self.name.values() if text), self.id)


def parse_value(variable: Variable, raw: str) -> str | float | None:
    """One cell of a variable's column as stored: "yes"/"no", a float, or the category text.

    ``raw`` is the cell's text; an empty cell gives None (no value). Raises ValueError whose
    argument is a :class:`~toolkit.core.problems.Problem` saying what was expected (for the
    import's "row, column, value" report; ``str(exc)`` is its English text).
    """
    text = " ".join(str(raw).split())
    if not text:
        return None
    if variable.type == "yes_no":
        key = text.casefold()
        if key in _YES:
            return "yes"
        if key in _NO:
            return "no"
        raise ValueError(Problem(N_("expected yes or no (also ja/nee, 1/0, true/false)")))
    if variable.type == "numeric":
        if re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", text):
            value = float(text.replace(",", "."))
            if math.isfinite(value):
                return value
        raise ValueError(Problem(N_("expected a number such as 12 or 3.5")))
    if len(text) > MAX_CATEGORY_CHARS:
        raise ValueError(Problem(N_("expected a category of at most %(limit)d characters"), limit=MAX_CATEGORY_CHARS))
    if variable.categories:
        match = next((c for c in variable.categories if c.casefold() == text.casefold()), None)
        if match is None:
            raise ValueError(Problem(N_("expected one of %(categories)s"), categories=", ".join(variable.categories)))
        return match
    return text


def encode(value: str | float) -> str:
    """A parsed value as stored in SQLite (text); numbers in their shortest exact form."""
    return repr(float(value)) if isinstance(value, float | int) and not isinstance(value, bool) else str(value)


def decode(variable: Variable, text: str | None) -> str | float | None:
    """A stored value read back: a float for numeric variables, the text otherwise.

    Values that no longer fit the declaration (a column re-declared with another type) give
    None rather than an error: they are left out of the profile.
    """
    if text is None:
        return None
    try:
        return parse_value(variable, text)
    except ValueError:
        return None


def parse_declaration(text: str) -> Variable:
    """A variable declared on the command line or an import form: ``ID`` or ``ID:TYPE``.

    The type defaults to categorical. Raises ValueError naming the mistake (bad id, unknown
    type).
    """
    vid, _, vtype = text.strip().partition(":")
    vid, vtype = vid.strip(), (vtype.strip() or "categorical")
    vtype = {"yes/no": "yes_no", "yesno": "yes_no", "number": "numeric"}.get(vtype, vtype)
    if not ID_PATTERN.match(vid):
        raise ValueError(
            f"'{vid}' is not a usable column id for an outcome: start with a letter; use letters, "
            "digits and _ (at most 40)"
        )
    if vtype not in VARIABLE_TYPES:
        raise ValueError(f"outcome '{vid}': unknown type '{vtype}' (expected one of {', '.join(VARIABLE_TYPES)})")
    return Variable(id=vid, type=vtype, source="import")
