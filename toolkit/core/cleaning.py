"""Text that every file format we read or write can hold: the one place characters are cleaned.

Imports clean each cell with :func:`cell_text`; every export (answers as CSV and XLSX, Word
briefs) passes its text through :func:`exportable_text`, so a character is treated the same
way whichever file it ends up in:

- line breaks: CR LF and CR become LF; the vertical tab (what Word's Shift+Enter puts in copied
  text), form feed and the Unicode line and paragraph separators become LF too, so a line break
  stays a line break instead of becoming a character that breaks the file;
- removed: the other C0 control characters (XML 1.0, and so XLSX and Word, cannot hold them;
  openpyxl refuses them with ``IllegalCharacterError``), DEL and the C1 controls (Word stops on
  them), unpaired surrogates (not encodable as UTF-8) and the non-characters U+FFFE and U+FFFF.
  Tab, LF and everything printable stay.
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")
_UNSTORABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def exportable_text(value: str) -> str:
    """``value`` with line breaks as LF and the characters no export format can hold removed.

    See the module docstring for the exact rule; never raises, keeps leading and trailing
    spaces (a spreadsheet cell or a Word run may need them).
    """
    return _UNSTORABLE.sub("", _LINE_BREAKS.sub("\n", value))


def exportable(value):
    """:func:`exportable_text` for text; numbers, dates and None pass through unchanged."""
    return exportable_text(value) if isinstance(value, str) else value


_PRINTABLE_ASCII = re.compile("[\x20-\x7e]*")  # already NFC, and nothing for exportable_text to change


def cell_text(value: str) -> str:
    """An imported cell as we store it: Unicode NFC, :func:`exportable_text`, stripped."""
    if _PRINTABLE_ASCII.fullmatch(value):  # most cells of a large import: one scan instead of three
        return value.strip()
    return exportable_text(unicodedata.normalize("NFC", value)).strip()
