"""Text from people, made safe for Word: what may go into a brief and which way it reads."""

from __future__ import annotations

import re
import unicodedata

from toolkit.core.cleaning import exportable_text

_SPACE = re.compile(r"\s+")


def clean_text(value, *, single_line: bool = True, strip: bool = True) -> str:
    """``value`` as text Word can store: cleaned as every export is
    (:func:`toolkit.core.cleaning.exportable_text`: line breaks as LF, characters no file
    format can hold removed), then laid out.

    ``value`` may be anything (``None`` gives ``""``; other objects are passed through
    ``str``). With ``single_line`` every run of whitespace, newlines included, becomes one
    space and the result is stripped unless ``strip`` is false; otherwise line breaks are
    kept (``\\r\\n`` and ``\\r`` become ``\\n``) and each line is collapsed and stripped.
    Never raises.
    """
    text = "" if value is None else str(value)
    text = exportable_text(text)
    if single_line:
        text = _SPACE.sub(" ", text)
        return text.strip() if strip else text
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.split("\n")).strip()


def is_rtl(text: str) -> bool:
    """True when ``text`` has more right-to-left letters (Arabic, Hebrew) than left-to-right."""
    rtl = sum(1 for ch in text if unicodedata.bidirectional(ch) in ("R", "AL"))
    ltr = sum(1 for ch in text if unicodedata.bidirectional(ch) == "L")
    return rtl > ltr
