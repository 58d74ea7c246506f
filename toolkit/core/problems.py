"""What every import shares: its problems (translatable, with their place) and its limits.

A :class:`Problem` is English text that also carries its message id and values, so the web
pages show it in the reader's language and the command line prints it as it is;
:class:`ImportProblem` is the exception that lists them. The limits hold for every tabular
file (:mod:`toolkit.core.tabular`, :mod:`toolkit.core.xlsx`).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_BYTES = 10 * 1024 * 1024  # a web upload, by default (setting MAX_UPLOAD_MB); the command line has no cap
MAX_CELLS = 1_000_000  # in a web upload: e.g. 10,000 respondents x 100 columns
MAX_COLUMNS = 1_000
MAX_ERRORS_SHOWN = 25
MAX_ERRORS_KEPT = 200  # an import lists this many problems, then counts the rest
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

    def __init__(self, filename: str, problems: list[str], more: int = 0):
        """Keep the file name and problems; ``more`` counts the problems found beyond those
        listed (see :class:`Problems`). The message shows the first MAX_ERRORS_SHOWN."""
        self.filename = filename
        self.problems = list(problems)
        self.more = more
        shown = self.problems[:MAX_ERRORS_SHOWN]
        hidden = len(self.problems) - len(shown) + more
        text = "\n".join(f"  - {p}" for p in shown)
        if hidden:
            text += f"\n  … and {hidden} more"
        super().__init__(f"{filename}: nothing was imported ({len(self.problems) + more} problem(s))\n{text}")


class Problems(list):
    """The problems found so far in a file read as a stream: the first ``keep`` (default
    MAX_ERRORS_KEPT) are listed, the rest only counted in ``more``, so a file wrong on every one of
    its million rows does not fill the memory with messages."""

    def __init__(self, keep: int = MAX_ERRORS_KEPT):
        """An empty list keeping at most ``keep`` problems."""
        super().__init__()
        self.keep = keep
        self.more = 0

    def append(self, problem: str) -> None:
        """List ``problem``, or count it when ``keep`` are listed already."""
        if len(self) < self.keep:
            super().append(problem)
        else:
            self.more += 1

    def extend(self, problems) -> None:
        """Append each of ``problems``."""
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems):
        """``problems += more``: append each, as :meth:`extend`."""
        self.extend(problems)
        return self

    def raise_if_any(self, filename: str) -> None:
        """Raise ImportProblem(filename, …) with every problem found, when there is one."""
        if self or self.more:
            raise ImportProblem(filename, list(self), more=self.more)


@dataclass(frozen=True)
class BadCell:
    """A cell the reader could not turn into text: ``kind`` ('formula' without a stored
    result, 'error' value such as #N/A) and ``text`` (the formula or the error value)."""

    kind: str
    text: str
