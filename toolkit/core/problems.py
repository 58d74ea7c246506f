"""What every import shares: its problems (translatable, with their place) and its limits.

A :class:`Problem` is English text that also carries its message id and values, so the web
pages show it in the reader's language and the command line prints it as it is;
:class:`ImportProblem` is the exception that lists them. The limits hold for every tabular
file (:mod:`toolkit.core.tabular`, :mod:`toolkit.core.xlsx`).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CELLS = 1_000_000  # e.g. 10,000 respondents x 100 columns
MAX_COLUMNS = 1_000
MAX_ERRORS_SHOWN = 25
MAX_CELL_CHARS = 4000  # as long as an open answer given in the survey
MAX_ECHO_CHARS = 60  # a value quoted in a problem is cut to this many characters
ECHOED = ("value", "found")  # the placeholders that quote a file's own text


def echo(value: str) -> str:
    """``value`` as a problem quotes it: cut to MAX_ECHO_CHARS characters with "…" when longer,
    so that one huge cell does not make a message of megabytes."""
    return value if len(value) <= MAX_ECHO_CHARS else value[:MAX_ECHO_CHARS] + "…"


class Problem(str):
    """One reason a file cannot be imported, as English text (it *is* that str).

    ``msgid`` is the English message with ``%(name)s`` placeholders, marked for the catalogue;
    ``params`` its values (numbers, names and values from the file, or nested Problems). Screens
    show :meth:`translated`; the command line prints the English text.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> Problem:
        """The problem ``msgid % params``, the file's own text (``value``, ``found``) cut by
        :func:`echo`; raises KeyError when a placeholder has no value."""
        params = {k: echo(v) if k in ECHOED and isinstance(v, str) else v for k, v in params.items()}
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, params
        return self

    def translated(self, gettext) -> str:
        """The message in the reader's language: ``gettext`` (msgid -> text) applied to the
        message and to every nested Problem among its values."""
        params = {k: v.translated(gettext) if isinstance(v, Problem) else v for k, v in self.params.items()}
        return gettext(self.msgid) % params if params else gettext(self.msgid)


class ImportProblem(ValueError):
    """The file cannot be imported; ``problems`` lists each reason (a :class:`Problem`) with its place."""

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


@dataclass(frozen=True)
class BadCell:
    """A cell the reader could not turn into text: ``kind`` ('formula' without a stored
    result, 'error' value such as #N/A) and ``text`` (the formula or the error value)."""

    kind: str
    text: str
