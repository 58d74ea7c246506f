"""Small WordprocessingML helpers: new elements, replacing children, and the schema's order.

Why a schema order: ISO/IEC 29500 fixes the order of the children of many property elements
(a paragraph's ``w:pPr``, a table's ``w:tblPr``, a border set). python-docx appends what it
does not know, so a style built in steps can end up with ``w:pBdr`` after ``w:bidi`` — a file
Word may call unreadable or silently "repair". ``put_in_schema_order`` sorts the children of
every such element in a part, once, after all styles are defined. The orders below are the
sequences of the transitional schema (ISO/IEC 29500-4:2016, wml.xsd); the run properties
(``w:rPr``) and row properties (``w:trPr``) are a choice there and need no sorting.
"""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# CT_PPrBase, followed by the three children CT_PPr adds.
PARAGRAPH_PROPERTIES = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()
PARAGRAPH_BORDERS = "top left bottom right between bar".split()
TABLE_BORDERS = "top start left bottom end right insideH insideV".split()
TABLE_PROPERTIES = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()
CELL_PROPERTIES = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText "
    "vAlign hideMark headers"
).split()
STYLE_CHILDREN = (
    "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed "
    "qFormat locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr "
    "tblStylePr"
).split()
ORDERS = {
    "pPr": PARAGRAPH_PROPERTIES,
    "pBdr": PARAGRAPH_BORDERS,
    "tblBorders": TABLE_BORDERS,
    "tcBorders": TABLE_BORDERS,
    "tblPr": TABLE_PROPERTIES,
    "tcPr": CELL_PROPERTIES,
    "style": STYLE_CHILDREN,
}


def qn(tag: str) -> str:
    """``"w:spacing"`` → Clark notation ``"{namespace}spacing"`` (python-docx's qn)."""
    from docx.oxml.ns import qn as docx_qn

    return docx_qn(tag)


def el(tag: str, **attrs):
    """A new WordprocessingML element ``tag`` (``"w:..."``) with ``w:``-namespaced attributes;
    values are passed through ``str``."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


def sub(parent, tag: str, **attrs):
    """A new child ``tag`` (``"w:..."``) appended to ``parent``, with ``w:`` attributes."""
    child = el(tag, **attrs)
    parent.append(child)
    return child


def replace_child(parent, child):
    """Put ``child`` into ``parent``, replacing an existing element of the same tag; returns it.
    The position is fixed later by ``put_in_schema_order``."""
    existing = parent.find(child.tag)
    if existing is not None:
        parent.replace(existing, child)
    else:
        parent.append(child)
    return child


def put_in_schema_order(root) -> int:
    """Sort the children of every element under ``root`` whose name is in ``ORDERS`` into the
    schema's sequence (stable for children the order does not name, which keep their place
    at the end). Returns how many elements were reordered."""
    moved = 0
    for local, order in ORDERS.items():
        rank = {name: i for i, name in enumerate(order)}
        for element in root.iter(f"{{{W_NS}}}{local}"):
            children = list(element)
            ranked = sorted(
                children,
                key=lambda c: rank.get(_local(c), len(rank)) if isinstance(c.tag, str) else len(rank),
            )
            if ranked != children:
                moved += 1
                for child in children:
                    element.remove(child)
                for child in ranked:
                    element.append(child)
    return moved


def _local(element) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if tag.startswith(f"{{{W_NS}}}") else ""
