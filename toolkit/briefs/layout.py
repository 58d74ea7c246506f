"""Table column widths from their content, so that no word breaks in the middle ("Omvan|g").

Word and LibreOffice break a word that is wider than its column at any letter. A fixed-layout
table therefore needs every column at least as wide as its longest word (in the font and size
of its cells), and the rest of the page width given where the text is. Text is measured with
the advance widths of Arial/Helvetica (the template's font; LibreOffice substitutes Liberation
Sans, which has the same metrics), in thousandths of an em; a character not in the table
counts as a wide one, so an estimate errs on the side of room.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CM_PER_POINT = 2.54 / 72
CELL_PADDING_CM = 0.38  # left + right cell margins of the table styles (2 × 85 twips) + slack
BOLD_FACTOR = 1.09  # bold Arial is about 9% wider than regular
_WIDE = 667  # advance for characters the table does not list (capitals, accents, symbols)

# Advance widths (1/1000 em) of Helvetica/Arial regular, by character.
_WIDTHS: dict[str, int] = {}
for chars, width in (
    (" !,./:;I[]fijlt\\|'", 278),
    ("r-()`{}", 333),
    ('"', 355),
    ("*", 389),
    ("^", 469),
    ("ckmsvxyz", 500),
    ("J", 500),
    ("+<=>~", 584),
    ("FTZ", 611),
    ("#$0123456789?L_abdeghnopqu", 556),
    ("&ABEKPSVXY", 667),
    ("CDHNRUw", 722),
    ("GOQ", 778),
    ("Mm", 833),
    ("%", 889),
    ("W", 944),
):
    for ch in chars:
        _WIDTHS[ch] = width
_WIDTHS.update({"i": 222, "j": 222, "l": 222, "–": 556, "—": 1000, "’": 222, "‘": 222, "·": 278})
_WORD = re.compile(r"\S+")


def text_width_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``text`` on one line, in centimetres, at ``size_pt`` points."""
    units = sum(_WIDTHS.get(ch, _WIDE) for ch in text)
    return units / 1000 * size_pt * CM_PER_POINT * (BOLD_FACTOR if bold else 1.0)


def longest_word_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of the widest word in ``text`` (words break only at spaces), in centimetres."""
    return max((text_width_cm(w, size_pt, bold=bold) for w in _WORD.findall(text)), default=0.0)


def fit_widths(
    columns: Sequence[Sequence[tuple[str, float, bool]]],
    total_cm: float,
    *,
    max_line_cm: float = 12.0,
) -> list[float]:
    """Column widths (cm) that add up to ``total_cm``.

    ``columns`` holds per column the pieces of text it shows, each as (text, size in points,
    bold). Every column gets at least its longest word plus cell padding; the rest of the
    width goes to the columns in proportion to how much more their longest line would need
    (a line counted at most ``max_line_cm``, so one long sentence does not take everything).
    When even the longest words do not fit, widths shrink in proportion — the caller should
    then use shorter headers. Raises ``ValueError`` for no columns or a width of 0 or less.
    """
    if not columns or total_cm <= 0:
        raise ValueError("fit_widths needs at least one column and a positive width")
    minimum, wanted = [], []
    for pieces in columns:
        words = max((longest_word_cm(t, s, bold=b) for t, s, b in pieces), default=0.0)
        lines = max((text_width_cm(t, s, bold=b) for t, s, b in pieces), default=0.0)
        minimum.append(words + CELL_PADDING_CM)
        wanted.append(max(min(lines, max_line_cm) + CELL_PADDING_CM, words + CELL_PADDING_CM))
    floor = sum(minimum)
    if floor >= total_cm:
        return [w * total_cm / floor for w in minimum]
    room = total_cm - floor
    extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
    if sum(extra) <= room:  # everything fits on one line: share what is left by line length
        spare = room - sum(extra)
        return [w + spare * w / sum(wanted) for w in wanted]
    return [m + room * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]
