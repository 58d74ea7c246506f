"""The look of every brief: the named paragraph, character and table styles of the template.

The briefs name these styles and never set a font, colour or border themselves, so an
organisation can restyle templates/briefs/brief-<lang>.docx without touching the code.
``define_styles`` restyles the built-in styles the briefs use (``BUILTIN_STYLES``) and adds
our own (``STYLE_NAMES``). Only this module and template.py touch formatting XML.
"""

from __future__ import annotations

from toolkit.briefs.ooxml import el, put_in_schema_order, replace_child

# Palette: dark blue for structure, a warm accent for the persona, greys for notes.
INK = "1F2933"
PRIMARY = "1F4E79"
ACCENT = "C8553D"
MUTED = "5F6B7A"
RULE = "B8C4D0"
BAND = "EEF3F8"
CALLOUT = "EAF1F8"
FONT = "Arial"

# Our own styles; the briefs use these names (and the restyled built-ins) and nothing else.
STYLE_NAMES = {
    "kicker": "Brief Kicker",
    "cover_meta": "Brief Cover Meta",
    "confidential": "Brief Confidential",
    "lead": "Brief Lead",
    "because": "Brief Because",
    "because_char": "Brief Because Char",
    "figure_char": "Brief Figure Char",
    "quote": "Brief Quote",
    "quote_rtl": "Brief Quote RTL",
    "figure": "Brief Figure",
    "callout": "Brief Callout",
    "small": "Brief Small",
    "table_heading": "Brief Table Heading",
    "table_text": "Brief Table Text",
    "table_note": "Brief Table Note",
    "table": "Brief Table",
    "advice": "Brief Advice",
    "table_intro": "Brief Table Intro",
    "card_table": "Brief Card",
    "card_label": "Brief Card Label",
    "card_text": "Brief Card Text",
    "card_bullet": "Brief Card Bullet",
    "key_sentence": "Brief Key Sentence",
    "table_text_keep": "Brief Table Text Keep",
    "table_note_keep": "Brief Table Note Keep",
}
BUILTIN_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "Caption",
    "Header",
    "Footer",
)


# ---------------------------------------------------------------------------------------------
# Helpers (the XML itself is in ooxml.py; the schema order is fixed once, at the end)
# ---------------------------------------------------------------------------------------------


def _font(style, *, size=None, bold=None, italic=None, color=None, caps=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    if caps is not None:
        font.all_caps = caps
    # complex-script (Arabic, Hebrew) text follows the same size and weight
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        fonts.set(qn("w:cs"), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
    if size is not None:
        replace_child(rpr, el("w:szCs", val=int(size * 2)))


def _spacing(style, *, before=None, after=None, line=None, keep_next=None, indent=None, align=None):
    from docx.shared import Cm, Pt

    pf = style.paragraph_format
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line
    if keep_next is not None:
        pf.keep_with_next = keep_next
    if indent is not None:
        pf.left_indent = Cm(indent)
    if align is not None:
        pf.alignment = align


def _border(style, side: str, color: str, size: int = 12, space: int = 6, val: str = "single"):
    from docx.oxml.ns import qn

    ppr = style.element.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = replace_child(ppr, el("w:pBdr"))
    replace_child(pbdr, el(f"w:{side}", val=val, sz=size, space=space, color=color))


def _shade(style, fill: str):
    ppr = style.element.get_or_add_pPr()
    replace_child(ppr, el("w:shd", val="clear", color="auto", fill=fill))


def _style(doc, name: str, kind, base: str | None = None):
    from docx.enum.style import WD_STYLE_TYPE

    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, kind)
    if base is not None:
        style.base_style = styles[base]
    if kind != WD_STYLE_TYPE.CHARACTER:
        style.quick_style = True
    style.hidden = False
    style.unhide_when_used = False
    return style


def _drop_border(style):
    from docx.oxml.ns import qn

    ppr = style.element.get_or_add_pPr()
    found = ppr.find(qn("w:pBdr"))
    if found is not None:
        ppr.remove(found)


def _tabs(style, stops: list[tuple[str, float]]):
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    tab_stops = style.paragraph_format.tab_stops
    tab_stops.clear_all()
    for align, pos in stops:
        tab_stops.add_tab_stop(Cm(pos), getattr(WD_TAB_ALIGNMENT, align.upper()))


# ---------------------------------------------------------------------------------------------
# Styles, in the order they are defined (the order is kept in styles.xml)
# ---------------------------------------------------------------------------------------------


def define_styles(doc) -> None:
    """Restyle the built-in styles of python-docx ``doc`` and add every ``STYLE_NAMES`` style.

    Sizes are points, indents centimetres, colours hex RGB from the palette above.
    """
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    _structure_styles(doc)
    _cover_styles(doc)
    _reading_styles(doc)
    _quote_styles(doc)
    _figure_and_note_styles(doc)
    _table_text_styles(doc)
    _header_footer_styles(doc)
    _card_styles(doc)
    table_style(doc, STYLE_NAMES["table"])
    card_table_style(doc, STYLE_NAMES["card_table"])
    # Word hides styles from the gallery unless they are marked as used; mark ours.
    for name in list(STYLE_NAMES.values()):
        element = doc.styles[name].element
        if element.find(qn("w:qFormat")) is None and doc.styles[name].type != WD_STYLE_TYPE.CHARACTER:
            doc.styles[name].quick_style = True
    put_in_schema_order(doc.styles.element)


def _structure_styles(doc) -> None:
    """Normal, Title, Subtitle and the three heading levels."""
    from docx.enum.style import WD_STYLE_TYPE

    P = WD_STYLE_TYPE.PARAGRAPH
    normal = doc.styles["Normal"]
    _font(normal, size=10.5, color=INK)
    _spacing(normal, before=0, after=6, line=1.15)

    title = _style(doc, "Title", P)
    _font(title, size=26, bold=True, color=PRIMARY, italic=False)
    _spacing(title, before=0, after=4, line=1.0, keep_next=True)
    _drop_border(title)

    subtitle = _style(doc, "Subtitle", P)
    _font(subtitle, size=13, italic=False, color=ACCENT, bold=False)
    _spacing(subtitle, before=0, after=10, keep_next=True)

    for level, size, before, after, color in (
        (1, 16, 18, 6, PRIMARY),
        (2, 12.5, 12, 4, PRIMARY),
        (3, 11, 10, 3, INK),
    ):
        heading = _style(doc, f"Heading {level}", P)
        _font(heading, size=size, bold=True, italic=False, color=color)
        _spacing(heading, before=before, after=after, keep_next=True, line=1.0)
    _border(doc.styles["Heading 1"], "bottom", RULE, size=6, space=2)

    bullet = doc.styles["List Bullet"]
    _font(bullet, size=10.5)
    _spacing(bullet, before=2, after=1)

    # A piece of advice never ends a page without the "because" line beneath it.
    advice = _style(doc, STYLE_NAMES["advice"], P, "List Bullet")
    _spacing(advice, before=4, after=1, keep_next=True)
    advice.paragraph_format.keep_together = True

    caption = _style(doc, "Caption", P)
    _font(caption, size=8.5, italic=True, bold=False, color=MUTED)
    _spacing(caption, before=2, after=10)


def _cover_styles(doc) -> None:
    """The cover page: kicker above the title, the facts below it, the confidentiality note."""
    from docx.enum.style import WD_STYLE_TYPE

    P, n = WD_STYLE_TYPE.PARAGRAPH, STYLE_NAMES
    kicker = _style(doc, n["kicker"], P, "Normal")
    _font(kicker, size=10, bold=True, color=ACCENT, caps=True)
    _spacing(kicker, before=0, after=4, keep_next=True)

    meta = _style(doc, n["cover_meta"], P, "Normal")
    _font(meta, size=10.5, color=MUTED)
    _spacing(meta, before=0, after=2)

    confidential = _style(doc, n["confidential"], P, "Normal")
    _font(confidential, size=8.5, italic=True, color=MUTED)
    _spacing(confidential, before=10, after=0)
    _border(confidential, "top", RULE, size=6, space=6)


def _reading_styles(doc) -> None:
    """The lead paragraph, the "because" line under advice and the emphasis characters."""
    from docx.enum.style import WD_STYLE_TYPE

    P, C, n = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, STYLE_NAMES
    lead = _style(doc, n["lead"], P, "Normal")
    _font(lead, size=11.5, color=INK)
    _spacing(lead, before=0, after=8, line=1.2)

    because = _style(doc, n["because"], P, "Normal")
    _font(because, size=8.5, italic=True, color=MUTED)
    _spacing(because, before=0, after=5, indent=0.63)
    because.paragraph_format.keep_together = True

    because_char = _style(doc, n["because_char"], C)
    _font(because_char, size=8.5, italic=True, color=MUTED)
    because_char.base_style = doc.styles["Default Paragraph Font"]

    figure_char = _style(doc, n["figure_char"], C)
    _font(figure_char, bold=True, color=PRIMARY)
    figure_char.base_style = doc.styles["Default Paragraph Font"]


def _quote_styles(doc) -> None:
    """People's own words, with the accent bar on the side where the text starts."""
    from docx.enum.style import WD_STYLE_TYPE

    P, n = WD_STYLE_TYPE.PARAGRAPH, STYLE_NAMES
    quote = _style(doc, n["quote"], P, "Normal")
    _font(quote, size=10.5, italic=True, color=INK)
    _spacing(quote, before=4, after=8, indent=0.5)
    _border(quote, "left", ACCENT, size=18, space=8)

    quote_rtl = _style(doc, n["quote_rtl"], P, n["quote"])
    replace_child(quote_rtl.element.get_or_add_pPr(), el("w:bidi"))
    # the accent bar sits where the text starts: on the right for right-to-left quotes
    _border(quote_rtl, "left", ACCENT, size=0, space=0, val="nil")
    _border(quote_rtl, "right", ACCENT, size=18, space=8)
    quote_rtl.paragraph_format.right_indent = quote_rtl.paragraph_format.left_indent


def _figure_and_note_styles(doc) -> None:
    """The chart paragraph, the shaded call-out and small print."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    P, n = WD_STYLE_TYPE.PARAGRAPH, STYLE_NAMES
    figure = _style(doc, n["figure"], P, "Normal")
    _spacing(figure, before=6, after=2, keep_next=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=1.0)

    callout = _style(doc, n["callout"], P, "Normal")
    _font(callout, size=10.5, color=INK)
    _spacing(callout, before=4, after=4, line=1.15)
    _shade(callout, CALLOUT)
    _border(callout, "left", PRIMARY, size=24, space=8)

    small = _style(doc, n["small"], P, "Normal")
    _font(small, size=8.5, color=MUTED)
    _spacing(small, before=0, after=4)

    # The sentence that introduces a table stays on the page of the table.
    intro = _style(doc, n["table_intro"], P, n["small"])
    _spacing(intro, before=0, after=4, keep_next=True)


def _table_text_styles(doc) -> None:
    """Paragraph styles inside table cells: heading row, body text, the note under advice."""
    from docx.enum.style import WD_STYLE_TYPE

    P, n = WD_STYLE_TYPE.PARAGRAPH, STYLE_NAMES
    th = _style(doc, n["table_heading"], P, "Normal")
    _font(th, size=9, bold=True, color="FFFFFF")
    _spacing(th, before=2, after=2, line=1.0, keep_next=True)

    td = _style(doc, n["table_text"], P, "Normal")
    _font(td, size=9.5)
    _spacing(td, before=2, after=2, line=1.05)

    tn = _style(doc, n["table_note"], P, n["table_text"])
    _font(tn, size=8, italic=True, color=MUTED)
    _spacing(tn, before=0, after=2)

    # The same two in rows of a short table that must stay on one page (all rows but the last).
    for keep, base in (("table_text_keep", "table_text"), ("table_note_keep", "table_note")):
        style = _style(doc, n[keep], P, n[base])
        _spacing(style, keep_next=True)


def _header_footer_styles(doc) -> None:
    """Header and Footer: small grey text, a right tab at the margin, a rule under the header."""
    header = doc.styles["Header"]
    _font(header, size=8, color=MUTED)
    _spacing(header, before=0, after=0)
    footer = doc.styles["Footer"]
    _font(footer, size=8, color=MUTED)
    _spacing(footer, before=0, after=0)
    for style in (header, footer):
        _tabs(style, [("right", 16.6)])
        style.element.get_or_add_pPr()
    _border(header, "bottom", RULE, size=4, space=4)


def _card_styles(doc) -> None:
    """The persona card on page 1: row labels, text, bullets, and the drafted key sentence."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm

    P, n = WD_STYLE_TYPE.PARAGRAPH, STYLE_NAMES
    label = _style(doc, n["card_label"], P, "Normal")
    _font(label, size=9, bold=True, color=PRIMARY)
    _spacing(label, before=2, after=2, line=1.0)

    text = _style(doc, n["card_text"], P, "Normal")
    _font(text, size=9.5)
    _spacing(text, before=1, after=2, line=1.05)

    bullet = _style(doc, n["card_bullet"], P, "List Bullet")
    _font(bullet, size=9.5)
    _spacing(bullet, before=1, after=1, line=1.05, indent=0.4)
    bullet.paragraph_format.first_line_indent = Cm(-0.3)  # the bullet hangs in a narrow cell

    key = _style(doc, n["key_sentence"], P, n["callout"])
    _font(key, size=11, italic=True, color=PRIMARY)
    _spacing(key, before=2, after=8, line=1.1)


def card_table_style(doc, name: str) -> None:
    """Add (or reset) table style ``name``: the persona card, a shaded label column and thin
    rules between rows, no header row."""
    from docx.enum.style import WD_STYLE_TYPE

    style = _style(doc, name, WD_STYLE_TYPE.TABLE, "Normal Table")
    _clear_table_style(style.element)
    style.element.append(_table_properties())
    style.element.append(_conditional("firstCol", BAND, bold=True, color=PRIMARY))


def _clear_table_style(element) -> None:
    from docx.oxml.ns import qn

    for child in list(element):
        if child.tag in (
            qn("w:tblPr"),
            qn("w:tblStylePr"),
            qn("w:trPr"),
            qn("w:tcPr"),
            qn("w:pPr"),
            qn("w:rPr"),
        ):
            element.remove(child)


def table_style(doc, name: str) -> None:
    """Add (or reset) table style ``name`` in ``doc``: thin horizontal rules, a dark header
    row, banded body rows."""
    from docx.enum.style import WD_STYLE_TYPE

    style = _style(doc, name, WD_STYLE_TYPE.TABLE, "Normal Table")
    element = style.element
    _clear_table_style(element)

    ppr = el("w:pPr")
    ppr.append(el("w:spacing", before=0, after=0, line=252, lineRule="auto"))
    element.append(ppr)
    rpr = el("w:rPr")
    rpr.append(el("w:sz", val=19))
    rpr.append(el("w:szCs", val=19))
    element.append(rpr)
    element.append(_table_properties())
    element.append(_conditional("firstRow", PRIMARY, bold=True, color="FFFFFF"))
    element.append(_conditional("band1Horz", BAND))


def _table_properties():
    """The table style's w:tblPr: banding by one row, rules between rows, cell margins."""
    tblpr = el("w:tblPr")
    tblpr.append(el("w:tblStyleRowBandSize", val=1))
    tblpr.append(el("w:tblStyleColBandSize", val=1))
    tblpr.append(el("w:tblInd", w=0, type="dxa"))
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):  # the schema's order
        if side in ("left", "right", "insideV"):
            borders.append(el(f"w:{side}", val="nil"))
        else:
            borders.append(el(f"w:{side}", val="single", sz=4, space=0, color=RULE))
    tblpr.append(borders)
    margins = el("w:tblCellMar")
    margins.append(el("w:top", w=57, type="dxa"))
    margins.append(el("w:left", w=85, type="dxa"))
    margins.append(el("w:bottom", w=57, type="dxa"))
    margins.append(el("w:right", w=85, type="dxa"))
    tblpr.append(margins)
    return tblpr


def _conditional(kind: str, fill: str, *, bold=False, color=None):
    """A w:tblStylePr of ``kind`` (firstRow, band1Horz, …): cell fill, optional bold and colour."""
    cond = el("w:tblStylePr", type=kind)
    crpr = el("w:rPr")
    if bold:
        crpr.append(el("w:b"))
        crpr.append(el("w:bCs"))
    if color:
        crpr.append(el("w:color", val=color))
    cond.append(crpr)
    cond.append(el("w:tblPr"))
    tcpr = el("w:tcPr")
    tcpr.append(el("w:shd", val="clear", color="auto", fill=fill))
    cond.append(tcpr)
    return cond
