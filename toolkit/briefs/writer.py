"""The document writer: the only code that adds paragraphs, tables and pictures to a brief.

Every document starts from the styled template (templates/briefs/brief-<lang>.docx, built by
toolkit.briefs.template) and uses only its named styles. Text passes through ``clean_text``
on its way in, so characters Word cannot store never reach the file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Iterable

from toolkit.briefs import template as brief_template
from toolkit.briefs.layout import fit_widths
from toolkit.briefs.sanitize import clean_text, is_rtl
from toolkit.briefs.styles import STYLE_NAMES as S
from toolkit.core.guidance import Advice

FIGURE_WIDTH_CM = 16.0
TEXT_WIDTH_CM = 16.6  # A4 less the template's margins (2 × 2.2 cm)
KEEP_TOGETHER_ROWS = 6  # tables with at most this many body rows are kept on one page

# A table cell: plain text, or a list of (text, paragraph style name) pairs, one paragraph each.
Cell = str | list[tuple[str, str]]

_template_lock = threading.Lock()
_template_cache: dict[tuple, bytes] = {}
# Style name -> style id per template (same key as _template_cache): every document opened
# from one template resolves a name to the same id, and looking it up scans all styles.
_style_ids: dict[tuple, dict[str, str]] = {}


def _template_bytes(lang: str) -> tuple[tuple, bytes]:
    """The template file's identity (path, mtime, size) and bytes, read once per change;
    built in memory if the file is missing."""
    path = brief_template.template_path(lang)
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = ("built", lang)
    with _template_lock:
        if key not in _template_cache:
            if key[0] == "built":
                buffer = io.BytesIO()
                brief_template.build_template(lang).save(buffer)
                data = buffer.getvalue()
            else:
                data = path.read_bytes()
            _template_cache[key] = data
        return key, _template_cache[key]


class Writer:
    """One brief being written: a python-docx Document opened from the template of ``lang``.

    ``round_title`` and ``doc_title`` replace the template's header and footer tokens and
    become the document's subject and title properties (``subject`` is set as given);
    ``note`` (the confidentiality notice) becomes the footer of page 1. The finished document
    is ``writer.doc``. Raises ``ValueError`` for a language without a template.
    """

    def __init__(self, lang: str, round_title: str, doc_title: str, subject: str, note: str = ""):
        """Open a new document from the Word template of `lang` and fill its tokens and properties.

        `note` is cleaned of characters Word cannot hold. Created and modified are set to now
        (UTC, to the second). Raises ValueError for a language without a template.
        """
        import docx

        key, data = _template_bytes(lang)
        self.doc = docx.Document(io.BytesIO(data))
        self.lang = lang
        with _template_lock:
            self._style_ids = _style_ids.setdefault(key, {})
        self._body = self.doc.element.body
        self._fill_tokens(
            {
                brief_template.ROUND_TOKEN: round_title,
                brief_template.TITLE_TOKEN: doc_title,
                brief_template.NOTE_TOKEN: clean_text(note),
            }
        )
        props = self.doc.core_properties
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        props.title = doc_title
        props.subject = subject
        props.language = brief_template.LANGUAGES[lang]
        props.created = props.modified = now
        props.comments = ""
        props.keywords = "persona toolkit"

    def _fill_tokens(self, tokens: dict[str, str]) -> None:
        for section in self.doc.sections:
            parts = (section.header, section.footer, section.first_page_header, section.first_page_footer)
            for part in parts:
                for paragraph in part.paragraphs:
                    for run in paragraph.runs:
                        if "[[" in run.text:
                            text = run.text
                            for token, value in tokens.items():
                                text = text.replace(token, value)
                            run.text = text

    # -- primitives --------------------------------------------------------------------------
    # Style ids are resolved once per template and set directly: python-docx resolves a style
    # name on every assignment by scanning all styles. Paragraphs and runs are built as
    # WordprocessingML directly, the same elements python-docx writes (pPr/pStyle, then runs
    # with rPr/rStyle and w:t), without its per-character text loop and child-order searches.

    def _sid(self, name: str) -> str:
        sid = self._style_ids.get(name)
        if sid is None:
            sid = self.doc.styles[name].style_id
            with _template_lock:
                self._style_ids[name] = sid
        return sid

    def _p(self, text: str, style: str):
        from docx.text.paragraph import Paragraph

        p = self._body.makeelement(_qn("w:p"), {})
        _sub(_sub(p, "w:pPr"), "w:pStyle", val=self._sid(style))
        if text:
            _run(p, text)
        sect_pr = self._body.find(_qn("w:sectPr"))
        if sect_pr is not None:
            sect_pr.addprevious(p)
        else:
            self._body.append(p)
        return Paragraph(p, self.doc._body)

    # -- blocks ------------------------------------------------------------------------------

    def cover(
        self,
        kicker: str,
        title: str,
        subtitle: str,
        lines: list[tuple[str, str]],
        note: str | None = None,
    ) -> None:
        """The top of page 1: kicker, title, optional subtitle and ``label: value`` lines;
        the confidentiality ``note`` when given. What follows goes on the same page (a cover
        that is two-thirds empty helps no reader)."""
        self.para(kicker, S["kicker"])
        self.para(title, "Title")
        if subtitle:
            self.para(subtitle, "Subtitle")
        for label, value in lines:
            self.rich([(f"{label}: ", S["figure_char"]), (value, None)], S["cover_meta"])
        if note:
            self.para(note, S["confidential"])

    def page_break(self) -> None:
        """Start the next page."""
        self.doc.add_page_break()

    def heading(self, text: str, level: int = 1) -> None:
        """A heading of ``level`` 1–3 (the template's Heading styles)."""
        self._p(clean_text(text), f"Heading {level}")

    def para(self, text: str, style: str = "Normal", *, multi_line: bool = False):
        """A paragraph in ``style``; line breaks in ``text`` survive only with ``multi_line``.
        Returns the python-docx paragraph."""
        return self._p(clean_text(text, single_line=not multi_line), style)

    def quote(self, text: str) -> None:
        """Someone's own words; right-to-left text gets the RTL quote style and no Western
        quotation marks (they would land on the wrong side)."""
        text = clean_text(text)
        if is_rtl(text):
            self._p(text, S["quote_rtl"])
        else:
            self._p(f"“{text}”", S["quote"])

    def rich(self, parts: Iterable[tuple[str, str | None]], style: str = "Normal"):
        """One paragraph in ``style`` made of runs: (text, character style name or None).
        Returns the python-docx paragraph."""
        paragraph = self._p("", style)
        for text, char_style in parts:
            _run(paragraph._p, clean_text(text, strip=False), self._sid(char_style) if char_style else None)
        return paragraph

    def bullet(self, text: str) -> None:
        """One bulleted line."""
        self._p(clean_text(text), "List Bullet")

    def advice_list(self, advices: list[Advice]) -> None:
        """Each piece of advice as a bullet with its reason ("because …") beneath it; the
        advice style keeps the two on one page."""
        for advice in advices:
            self._p(clean_text(advice.text), S["advice"])
            self.para(advice.because, S["because"])

    def table(
        self, headers: list[str], rows: list[list[Cell]], widths_cm: list[float] | None = None
    ) -> None:
        """A real Word table in the template's table style; a cell is a string or a list of
        (text, paragraph style) pairs. Column widths (cm) are fitted to the content unless
        given. The header row repeats on every page and stays with the first row; no row
        splits across pages. Followed by an empty small paragraph (Word merges adjacent
        tables).

        Built as WordprocessingML directly (lxml escapes the text): python-docx's cell API
        recomputes the table grid on every row access, which made tables the slowest part.
        """
        cells = [[_parts(v, S["table_heading"]) for v in headers]]
        cells += [[_parts(v, S["table_text"]) for v in row] for row in rows]
        widths = widths_cm or fit_widths(_measured(cells), TEXT_WIDTH_CM)
        if len(rows) <= KEEP_TOGETHER_ROWS:  # a short table moves to the next page as a whole
            cells = [_kept(row) for row in cells[:-1]] + cells[-1:]
        self._table(S["table"], cells, widths, header=True)

    def card(self, rows: list[tuple[str, Cell]], label_cm: float | None = None) -> None:
        """The persona card: one row per (label, content), the label column shaded by the
        card table style; no header row, rows never split."""
        cells = [[[(label, S["card_label"])], _parts(value, S["card_text"])] for label, value in rows]
        label_width = label_cm or min(
            4.2, fit_widths(_measured([[c[0]] for c in cells]), TEXT_WIDTH_CM)[0]
        )
        self._table(S["card_table"], cells, [label_width, TEXT_WIDTH_CM - label_width], header=False)

    def _table(self, style: str, cells: list[list[list[tuple[str, str]]]], widths, *, header: bool):
        twips = [int(round(w / 2.54 * 1440)) for w in widths]
        tbl = self.doc.element.body.makeelement(_qn("w:tbl"), {})
        tbl_pr = _sub(tbl, "w:tblPr")
        _sub(tbl_pr, "w:tblStyle", val=self._sid(style))
        _sub(tbl_pr, "w:tblW", w=sum(twips), type="dxa")
        _sub(tbl_pr, "w:tblLayout", type="fixed")
        _sub(
            tbl_pr,
            "w:tblLook",
            val="0420" if header else "0080",
            firstRow=int(header),
            lastRow=0,
            firstColumn=int(not header),
            lastColumn=0,
            noHBand=int(not header),
            noVBand=1,
        )
        grid = _sub(tbl, "w:tblGrid")
        for width in twips:
            _sub(grid, "w:gridCol", w=width)
        for r, row in enumerate(cells):
            tr = _sub(tbl, "w:tr")
            tr_pr = _sub(tr, "w:trPr")
            _sub(tr_pr, "w:cantSplit")
            if header and r == 0:
                _sub(tr_pr, "w:tblHeader")
            for c, parts in enumerate(row):
                self._cell(tr, twips[c], parts)
        self.doc.element.body.sectPr.addprevious(tbl)
        self._p("", S["small"])  # breathing room; Word merges adjacent tables

    def _cell(self, tr, width_twips: int, parts: list[tuple[str, str]]) -> None:
        tc = _sub(tr, "w:tc")
        _sub(_sub(tc, "w:tcPr"), "w:tcW", w=width_twips, type="dxa")
        for text, style in parts or [("", S["table_text"])]:
            p = _sub(tc, "w:p")
            _sub(_sub(p, "w:pPr"), "w:pStyle", val=self._sid(style))
            text = clean_text(text)
            if text:
                t = _sub(_sub(p, "w:r"), "w:t")
                t.text = text
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def picture(self, png: bytes, caption: str, alt: str) -> None:
        """A PNG at ``FIGURE_WIDTH_CM`` wide, with ``alt`` as text for screen readers and
        ``caption`` beneath it."""
        from docx.shared import Cm

        paragraph = self._p("", S["figure"])
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(png), width=Cm(FIGURE_WIDTH_CM))
        shape._inline.docPr.set("descr", clean_text(alt))  # alt text for screen readers
        self._p(clean_text(caption), "Caption")


# Font size (points) and weight of the text in each cell paragraph style, for fitting widths.
_CELL_FONTS = {
    S["table_heading"]: (9.0, True),
    S["table_text"]: (9.5, False),
    S["table_note"]: (8.0, False),
    S["table_text_keep"]: (9.5, False),
    S["table_note_keep"]: (8.0, False),
    S["card_label"]: (9.0, True),
    S["card_text"]: (9.5, False),
    S["card_bullet"]: (9.5, False),
}


def _kept(row: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """A row whose paragraphs keep with the next row (Word's way to keep a table together)."""
    keep = {S["table_text"]: S["table_text_keep"], S["table_note"]: S["table_note_keep"]}
    return [[(text, keep.get(style, style)) for text, style in cell] for cell in row]


def _parts(value: Cell, default_style: str) -> list[tuple[str, str]]:
    return value if isinstance(value, list) else [(value, default_style)]


def _measured(cells: list[list[list[tuple[str, str]]]]) -> list[list[tuple[str, float, bool]]]:
    """Per column, the (text, size, bold) of every paragraph in it, for ``fit_widths``."""
    columns: list[list[tuple[str, float, bool]]] = [[] for _ in cells[0]]
    for row in cells:
        for c, parts in enumerate(row):
            for text, style in parts:
                size, bold = _CELL_FONTS.get(style, (9.5, False))
                extra = "   " if style == S["card_bullet"] else ""  # the bullet and its indent
                columns[c].append((extra + clean_text(text), size, bold))
    return columns


_QNAMES: dict[str, str] = {}


def _qn(tag: str) -> str:
    """``w:p`` as ``{namespace}p`` (python-docx's qn, remembered per tag)."""
    name = _QNAMES.get(tag)
    if name is None:
        from docx.oxml.ns import qn

        name = _QNAMES[tag] = qn(tag)
    return name


def _sub(parent, tag: str, **attrs):
    """A new child ``tag`` of ``parent`` with ``w:``-namespaced attributes."""
    child = parent.makeelement(_qn(tag), {})
    for key, value in attrs.items():
        child.set(_qn(f"w:{key}"), str(value))
    parent.append(child)
    return child


def _run(p, text: str, char_style_id: str | None = None) -> None:
    """Append a run with ``text`` to the paragraph element ``p``, as python-docx's
    ``add_run`` writes it: rPr/rStyle when a character style is given, a tab for "\t", a
    line break for "\n" or "\r", the rest in w:t (space preserved when it has leading or
    trailing white space)."""
    r = _sub(p, "w:r")
    if char_style_id:
        _sub(_sub(r, "w:rPr"), "w:rStyle", val=char_style_id)
    if not text:
        return
    for piece in _BREAKS.split(text):
        if piece == "\t":
            _sub(r, "w:tab")
        elif piece in ("\r", "\n"):
            _sub(r, "w:br")
        elif piece:
            t = _sub(r, "w:t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_XML_SPACE, "preserve")


_BREAKS = re.compile(r"([\t\r\n])")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
