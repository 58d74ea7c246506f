"""Every generated brief is valid WordprocessingML, in current Word's mode, laid out to read.

Why: Word opens a file that breaks the ISO/IEC 29500 schema as "unreadable content" or
silently repairs it, and a file marked compatibilityMode 14 opens in Compatibility Mode. The
checker (../shared/ooxml/check.py, next to the repository) validates every XML part against
the transitional schemas plus Word 2010's extensions, the way Word reads them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import pytest
from brief_rounds import (
    CHECK,
    FACTS,
    ROUND_INFO,
    demo_round,
    own_questionnaire,
    own_round,
    schema_errors,
)

from toolkit.briefs import template as brief_template
from toolkit.briefs import write_round_briefs
from toolkit.briefs.layout import fit_widths, longest_word_cm
from toolkit.briefs.styles import STYLE_NAMES

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

needs_checker = pytest.mark.skipif(
    not CHECK.is_file(), reason=f"the schema checker {CHECK} is not there (../shared/ooxml/ beside the repository)"
)


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory, q) -> list[Path]:
    """Briefs of three rounds, both languages: the example fixture, the demo round with change
    facts, and an own instrument without ADKAR, preferences or open questions."""
    out = tmp_path_factory.mktemp("schema")
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    paths = write_round_briefs(fixture, dict(ROUND_INFO, responses=192, invited=260), q, out / "fixture")
    paths += write_round_briefs(demo_round(), dict(ROUND_INFO, change_facts=FACTS), q, out / "demo")
    info = dict(ROUND_INFO, responses=180, invited=200)
    paths += write_round_briefs(own_round(), info, own_questionnaire(), out / "own")
    return paths


@needs_checker
def test_every_generated_brief_passes_the_schema_check(every_kind):
    assert len(every_kind) >= 30
    assert schema_errors(every_kind) == []


@needs_checker
def test_the_checker_does_catch_a_broken_file(every_kind, tmp_path):
    """The test above would pass on a checker that finds nothing: show that it finds the
    zoom without percent that python-docx's own template has."""
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(every_kind[0]) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/settings.xml":
                data = data.replace(b'w:percent="100"', b'w:val="bestFit"')
            target.writestr(item, data)
    errors = schema_errors([broken])
    assert errors and "zoom" in errors[0] and "percent" in errors[0]


def test_briefs_open_in_current_mode_not_compatibility_mode(every_kind):
    for path in every_kind[:3]:
        settings = docx.Document(str(path)).settings.element
        modes = [
            s.get(f"{W}val")
            for s in settings.iter(f"{W}compatSetting")
            if s.get(f"{W}name") == "compatibilityMode"
        ]
        assert modes == ["15"], path.name
        assert settings.find(f"{W}zoom").get(f"{W}percent") == "100"
        with zipfile.ZipFile(path) as archive:
            assert "word/stylesWithEffects.xml" not in archive.namelist()


def test_table_rows_never_split_and_header_rows_repeat(every_kind):
    for path in every_kind[:3]:
        body = docx.Document(str(path)).element.body
        for tbl in body.iter(f"{W}tbl"):
            rows = tbl.findall(f"{W}tr")
            assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows), path.name
            card = tbl.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "BriefCard"
            assert (rows[0].find(f"{W}trPr/{W}tblHeader") is not None) != card, path.name


def test_headings_and_advice_keep_with_what_follows():
    doc = brief_template.build_template("nl")
    for name in ("Heading 1", "Heading 2", "Heading 3", STYLE_NAMES["advice"], STYLE_NAMES["table_intro"]):
        assert doc.styles[name].paragraph_format.keep_with_next, name
    assert doc.styles[STYLE_NAMES["because"]].paragraph_format.keep_together
    assert doc.styles[STYLE_NAMES["table_text_keep"]].paragraph_format.keep_with_next


def test_columns_are_at_least_as_wide_as_their_longest_word():
    """The overview's old fixed widths broke "Omvang" as "Omvan|g"; fitted widths do not."""
    headers = ["Persona", "Omvang", "Aandeel", "Niveau", "Stabiliteit", "Valt op door"]
    cells = [[(h, 9.0, True)] for h in headers]
    cells[-1].append(("Betrokkenheid bij de verandering +1,1", 9.5, False))
    widths = fit_widths(cells, 16.6)
    assert round(sum(widths), 6) == 16.6
    for (text, size, bold), width in zip((c[0] for c in cells), widths, strict=True):
        assert width > longest_word_cm(text, size, bold=bold), text
    assert widths[-1] == max(widths)  # the long text gets the room


def test_page_one_is_the_card_and_not_an_empty_cover(every_kind):
    path = next(p for p in every_kind if p.name.startswith("communication-") and p.name.endswith("-nl.docx"))
    body = docx.Document(str(path)).element.body
    children = list(body)
    first_break = next(
        i for i, child in enumerate(children) if child.find(f".//{W}br[@{W}type='page']") is not None
    )
    before = children[:first_break]
    assert sum(1 for c in before if c.tag == f"{W}tbl") == 1  # the card, on page 1
    assert sum(1 for c in before if c.tag == f"{W}p" and "".join(c.itertext()).strip()) >= 5
