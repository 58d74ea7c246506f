"""Text from people, made safe for Word: what may go into a brief and which way it reads."""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 (and so Word) cannot store, plus C1 controls Word chokes on.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def clean_text(value, *, single_line: bool = True, strip: bool = True) -> str:
    """``value`` as text Word can store: XML-illegal and control characters removed.

    ``value`` may be anything (``None`` gives ``""``; other objects are passed through
    ``str``). With ``single_line`` every run of whitespace, newlines included, becomes one
    space and the result is stripped unless ``strip`` is false; otherwise line breaks are
    kept (``\\r\\n`` and ``\\r`` become ``\\n``) and each line is collapsed and stripped.
    Never raises.
    """
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL.sub("", text)
    if single_line:
        text = _SPACE.sub(" ", text)
        return text.strip() if strip else text
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.split("\n")).strip()


def is_rtl(text: str) -> bool:
    """True when ``text`` has more right-to-left letters (Arabic, Hebrew) than left-to-right."""
    rtl = sum(1 for ch in text if unicodedata.bidirectional(ch) in ("R", "AL"))
    ltr = sum(1 for ch in text if unicodedata.bidirectional(ch) == "L")
    return rtl > ltr
