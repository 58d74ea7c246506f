"""Small XLSX workbooks written part by part, as other programs write them.

openpyxl cannot store a formula's result, a wrong sheet size or a hostile XML part; these
helpers write the parts themselves so tests can give the reader exactly such files.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_text(value: str) -> str:
    """Text as Excel writes it into XML: escaped, and characters XML cannot hold (a vertical tab
    from Word's Shift+Enter) as _xHHHH_."""
    import re

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", escape(value))


def cell_xml(ref: str, value) -> str:
    """One <c>: str -> inline string, int/float -> number, ("=F", result) -> formula with its
    stored result (None: without one), ("#N/A",) -> an error value, ("date", serial) -> a
    number in date format (style 1)."""
    if isinstance(value, tuple) and value[0] == "date":
        return f'<c r="{ref}" s="1"><v>{value[1]}</v></c>'
    if isinstance(value, tuple) and len(value) == 1:
        return f'<c r="{ref}" t="e"><v>{escape(value[0])}</v></c>'
    if isinstance(value, tuple):
        formula, result = value
        f = f"<f>{escape(formula.lstrip('='))}</f>"
        if result is None:
            return f'<c r="{ref}">{f}</c>'
        if isinstance(result, str):
            return f'<c r="{ref}" t="str">{f}<v>{escape(result)}</v></c>'
        return f'<c r="{ref}">{f}<v>{result}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{excel_text(value)}</t></is></c>'


def sheet_xml(rows: list[list], dimension: str | None = None, first_row: int = 1) -> str:
    """A worksheet with ``rows`` from ``first_row`` (None cells are left out, as Excel does)."""
    body = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(cell_xml(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, start=1) if v is not None)
        if cells:
            body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">{dim}<sheetData>{"".join(body)}</sheetData></worksheet>'


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}"><cellXfs count="2">'
          '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')


def workbook(sheets: dict[str, str], *, shared_strings: str | None = None, styles: str = STYLES,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An XLSX file with the given sheet XML per title (and optional sharedStrings XML)."""
    names = list(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, len(names) + 1))
        + '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + ('<Override PartName="/xl/sharedStrings.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
           if shared_strings is not None else "")
        + "</Types>")
    book = (f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>")
    rels = [f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)]
    rels.append(f'<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/>')
    if shared_strings is not None:
        rels.append(f'<Relationship Id="rIdSS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG}">'
                   f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>')
        z.writestr("xl/styles.xml", styles)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for i, name in enumerate(names, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
    return out.getvalue()


def simple_workbook(rows: list[list], **options) -> bytes:
    """One sheet 'Sheet1' holding ``rows`` (see :func:`cell_xml` for the cell values)."""
    return workbook({"Sheet1": sheet_xml(rows, options.pop("dimension", None))}, **options)


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive written by hand: (name, stored bytes, crc32, unpacked size, method) each."""
    import struct

    out, central = io.BytesIO(), io.BytesIO()
    for name, stored, crc, size, method in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(stored), size,
                              len(encoded), 0) + encoded + stored)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(stored), size,
                                  len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def zip_bomb(unpacked_mb: int, chunk: bytes = b" " * (1 << 20)) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked_mb`` times ``chunk`` (1 MB of spaces) inside
    <sheetData>, made in a moment: one deflate block that refers to nothing before it, repeated."""
    import zlib

    head, tail = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), b"</sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    stored = first + block * unpacked_mb + packer.compress(tail) + packer.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(unpacked_mb):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    plain = zipfile.ZipFile(io.BytesIO(workbook({"Sheet1": sheet_xml([["email"]])})))
    members = []
    for info in plain.infolist():
        data = plain.read(info.filename)
        if info.filename == "xl/worksheets/sheet1.xml":
            members.append((info.filename, stored, crc, len(head) + len(tail) + unpacked_mb * len(chunk), 8))
        else:
            members.append((info.filename, data, zlib.crc32(data), len(data), 0))
    return _raw_zip(members)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + f']>\n<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')

XXE = (f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
       f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c>'
       '</row></sheetData></worksheet>')
