"""The Dutch briefs read as Dutch: no English sentence from the catalogue, decimal commas,
sentences with a subject, and every "n" saying what it counts and of how many."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from babel.messages.pofile import read_po
from brief_rounds import FACTS, ROUND_INFO, demo_round

from toolkit import paths as toolkit_paths
from toolkit.briefs import write_round_briefs
from toolkit.briefs.context import BriefContext, stability_figure

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")
ENGLISH_DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.])")


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


@pytest.fixture(scope="module")
def dutch_briefs(tmp_path_factory, q) -> list[Path]:
    out = tmp_path_factory.mktemp("dutch")
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    paths = write_round_briefs(fixture, ROUND_INFO, q, out / "fixture", langs=("nl",))
    paths += write_round_briefs(demo_round(), dict(ROUND_INFO, change_facts=FACTS), q, out / "demo", langs=("nl",))
    return paths


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text: body, table cells, headers and footers."""
    doc = docx.Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    for section in doc.sections:
        for part in (section.header, section.footer):
            texts.extend(p.text for p in part.paragraphs)
    return [t for t in texts if t.strip()]


def english_fragments() -> set[str]:
    """Pieces of English message ids whose Dutch differs: the text between placeholders, of at
    least three words — what an untranslated message would leave in a Dutch brief."""
    path = Path(toolkit_paths.TRANSLATIONS) / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale="nl")
    fragments = set()
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        for piece in PLACEHOLDER.split(message.id):
            piece = piece.strip(" .,:;()‘’'\"–-")
            if len(piece.split()) >= 3 and len(piece) >= 12 and piece not in (message.string or ""):
                fragments.add(piece)
    return fragments


def test_no_dutch_brief_contains_an_english_sentence_from_the_catalogue(dutch_briefs):
    fragments = english_fragments()
    assert len(fragments) > 300  # the whole catalogue, pages and briefs
    for path in dutch_briefs:
        for text in paragraphs(path):
            found = [f for f in fragments if f in text]
            assert not found, (path.name, found, text)


def test_dutch_briefs_write_numbers_with_a_decimal_comma(dutch_briefs):
    for path in dutch_briefs:
        for text in paragraphs(path):
            assert not ENGLISH_DECIMAL.search(text), (path.name, text)
    text = "\n".join(paragraphs(dutch_briefs[0]))
    assert re.search(r"\d,\d", text)


def test_who_is_paragraph_has_a_subject_in_both_languages(tmp_path, q):
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    for lang, expected in (("nl", "Vergeleken met de hele organisatie scoort deze groep"),
                           ("en", "Compared with the organisation as a whole, this group scores")):
        paths = write_round_briefs(fixture, ROUND_INFO, q, tmp_path / lang, langs=(lang,))
        text = "\n".join(paragraphs(next(p for p in paths if p.name.startswith("communication-p1"))))
        assert expected in text, lang
        assert "lager op vertrouwen in eigen kunnen (2,6 tegenover 3,4 in de organisatie; n = 80 van 80 mensen)" in text or lang == "en"


def test_every_n_says_what_it_counts_and_the_base(dutch_briefs):
    card = next(p for p in dutch_briefs if "demo" in str(p) and p.name.startswith("communication-"))
    text = "\n".join(paragraphs(card))
    assert re.search(r"n = \d+ van \d+ mensen", text)  # a score: who answered, of the group
    assert re.search(r"\d+ van \d+ mensen, \d+%", text)  # an option: who chose it, of who answered
    assert re.search(r"\d+ van de \d+ mensen in deze groep gaven antwoord", text)  # table base


def test_stability_is_never_rounded_across_a_band_threshold(q):
    assert stability_figure(0.748, "nl") == "0,748"
    assert stability_figure(0.7499, "en") == "0.7499"
    assert stability_figure(0.752, "en") == "0.75"
    assert stability_figure(0.5999, "nl") == "0,5999"
    assert stability_figure(0.86, "nl") == "0,86"
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    ctx = BriefContext(fixture, ROUND_INFO, q, "nl", None)
    assert ctx.stability({"stability": 0.748, "stability_band": "indicative"}) == "indicatief (0,748)"
    assert ctx.stability({"stability": 0.748}) == "indicatief (0,748)"
