"""Strict reading of the fields of one table in a questionnaire file: one message per mistake.

TOML has types, and people writing an instrument by hand get them wrong in a few predictable
ways: ``reverse = "false"`` (a text, which Python would read as true), ``min = "1"``,
``languages = "en"`` (a text, which reads as the languages "e" and "n"), a field that does not
exist (``items = [...]`` on a construct). :class:`Fields` reads a table's fields with the type
each must have and reports each mistake once, saying what was expected and what was found;
the caller then treats the field as absent, so the mistake does not cascade into follow-on
problems elsewhere in the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def describe(value: Any) -> str:
    """How a TOML value reads in a message: 'the text "false"', 'the number 1', 'a list'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class Fields:
    """The fields of one table (``raw``), read with their types; mistakes go into ``problems``.

    ``where`` names the table in messages ("item 'q1'", "scale 'agree5'"); ``known`` lists its
    field names: any other field is reported once as unknown, with ``hints`` (field -> advice)
    where a mistake is common. A table that is not a table at all is reported and read as empty.
    Each reader returns the value, or its default when the field is absent *or* wrong (wrong
    fields are reported and remembered in ``broken``).
    """

    def __init__(
        self,
        raw: Any,
        where: str,
        known: Sequence[str],
        problems: list[str],
        hints: Mapping[str, str] | None = None,
    ):
        """Check the table's field names at once; read its fields with the methods below."""
        self.where = where
        self.problems = problems
        self.broken: set[str] = set()
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a table of fields, got {describe(raw)}")
            raw = {}
        self.raw = raw
        for key in raw:
            if key not in known:
                hint = (hints or {}).get(key)
                problems.append(f"{where}: unknown field '{key}'" + (f"; {hint}" if hint else ""))
                self.broken.add(key)

    def has(self, key: str) -> bool:
        """True when the field is present (right or wrong type)."""
        return key in self.raw

    def _wrong(self, key: str, expected: str) -> None:
        self.problems.append(f"{self.where}: '{key}' must be {expected}, got {describe(self.raw[key])}")
        self.broken.add(key)

    def text(self, key: str, default: str | None = None) -> str | None:
        """A text field (a TOML string); ``default`` when absent or not a text."""
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self._wrong(key, "a text in quotes")
            return default
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        """A true/false field; a quoted "true"/"false" is a mistake (Python reads any text as true)."""
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(key, "true or false without quotes")
            return default
        return value

    def integer(self, key: str) -> int | None:
        """A whole-number field; None when absent or not a whole number (a quoted "1" included)."""
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "a whole number without quotes")
            return None
        return value

    def text_list(self, key: str, example: str = '["a", "b"]') -> list[str] | None:
        """A list of texts; None when absent or wrong (one message, naming ``example``)."""
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._wrong(key, f"a list of texts such as {example}")
            return None
        return value

    def tables(self, key: str) -> list[dict]:
        """An array of tables (``[[key]]``); entries that are not tables are reported and skipped."""
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong(key, f"a list of tables ([[{key}]] sections)")
            return []
        rows = []
        for i, row in enumerate(value, start=1):
            if isinstance(row, dict):
                rows.append(row)
            else:
                self.problems.append(f"{self.where}: entry {i} of '{key}' must be a table, got {describe(row)}")
        return rows

    def table(self, key: str) -> dict:
        """A table field (``[key]`` or ``key.x = ...``); empty when absent or not a table."""
        value = self.raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(key, "a table")
            return {}
        return value

    def texts(self, key: str, languages: Sequence[str], required: bool = True) -> dict[str, str]:
        """A text per language (``key.nl = "..."``); each missing language is one message.

        Absent and ``required``: one message naming the languages expected.
        """
        value = self.raw.get(key)
        if value is None:
            if required:
                wanted = ", ".join(languages) or "each language listed in 'languages'"
                self.problems.append(f"{self.where}: missing '{key}' (expected one text per language: {wanted})")
            return {}
        if not isinstance(value, dict):
            self._wrong(key, f"a text per language ({key}.{languages[0] if languages else 'en'} = \"...\")")
            return {}
        for lang in languages:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problems.append(f"{self.where}: missing {lang} translation of '{key}'")
        return {k: v for k, v in value.items() if isinstance(v, str)}
