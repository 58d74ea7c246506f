"""Word briefs: every generated file is opened again (python-docx and docx2python) and read.

Per shown persona the brief must carry its name, its size, its most important advice and the
evidence behind that advice; personas that are not presented or are under the minimum group
must not appear anywhere, in any file.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from babel.messages.extract import extract_from_dir
from docx2python import docx2python

import toolkit.briefs as briefs
from toolkit.briefs import (
    charts,
    clean_text,
    communication_brief,
    overview_brief,
    shown_personas,
    training_brief,
    write_round_briefs,
)
from toolkit.briefs import template as brief_template
from toolkit.briefs import text as brief_text
from toolkit.briefs.context import BriefContext
from toolkit.briefs.text import catalogue
from toolkit.core.guidance import evaluate, load_guidance, top_advice

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
HIDDEN_STRINGS = (
    "Fatima",
    "Kees",
    "Sceptic, needs the why",
    "Sceptisch, wil het waarom horen",
    "Small group",
    "Kleine groep",
)


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


@pytest.fixture(scope="module")
def rules():
    return load_guidance()


@pytest.fixture
def persona_set():
    return json.loads(FIXTURE.read_text("utf-8"))


def make_round_info(**changes) -> dict:
    info = {
        "id": 7,
        "title": "Nieuw planningssysteem 2025",
        "questionnaire_title": {"nl": "Verandering en motivatie", "en": "Change and motivation"},
        "opens_at": "2025-03-03T08:00:00",
        "closes_at": "2025-03-21T17:00:00",
        "invited": 260,
        "responses": 192,
        "min_group": 5,
        "review_due": "2025-09-15",
        "organisation": "Gemeente Voorbeeld",
    }
    info.update(changes)
    return info


@pytest.fixture(scope="module")
def generated(tmp_path_factory, q, rules):
    """All briefs of the example round, both languages, written once for the module."""
    out = tmp_path_factory.mktemp("briefs")
    persona_set = json.loads(FIXTURE.read_text("utf-8"))
    paths = write_round_briefs(persona_set, make_round_info(), q, out, rules=rules)
    return persona_set, paths


def docx_text(path_or_doc) -> str:
    """Everything python-docx can read: body, tables (nested), headers, footers, properties."""
    doc = path_or_doc if hasattr(path_or_doc, "paragraphs") else docx.Document(str(path_or_doc))
    parts = [p.text for p in doc.paragraphs]

    def tables(items):
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    tables(doc.tables)
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            parts.extend(p.text for p in part.paragraphs)
    props = doc.core_properties
    parts += [props.title or "", props.subject or "", props.keywords or "", props.comments or ""]
    return "\n".join(parts)


def docx2python_text(path) -> str:
    with docx2python(str(path)) as content:
        props = content.core_properties
        return content.text + "\n" + "\n".join(str(v) for v in props.values() if v)


def both_texts(path) -> tuple[str, str]:
    return docx_text(path), docx2python_text(path)


def by_name(paths, name):
    return next(p for p in paths if p.name == name)


# --- files and structure --------------------------------------------------------------------------


def test_writes_overview_and_two_briefs_per_shown_persona_per_language(generated):
    _, paths = generated
    assert [p.name for p in paths] == [
        "overview-nl.docx",
        "communication-p1-sanne-nl.docx",
        "training-p1-sanne-nl.docx",
        "communication-p2-david-nl.docx",
        "training-p2-david-nl.docx",
        "overview-en.docx",
        "communication-p1-sanne-en.docx",
        "training-p1-sanne-en.docx",
        "communication-p2-david-en.docx",
        "training-p2-david-en.docx",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_every_file_opens_again_with_python_docx_and_docx2python(generated):
    _, paths = generated
    for path in paths:
        text, text2 = both_texts(path)
        assert len(text) > 1000 and len(text2) > 1000, path.name
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            assert "word/document.xml" in archive.namelist()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_brief_shows_name_size_top_advice_and_its_evidence(generated, q, rules, lang):
    persona_set, paths = generated
    words = catalogue(lang)
    for persona in shown_personas(persona_set, make_round_info()):
        stem = f"{persona['key']}-{persona['name'].lower()}-{lang}.docx"
        for kind in ("communication", "training"):
            advices = evaluate(
                rules, persona, lang, overall=persona_set["overall"], q=q, audience=kind
            )
            top = top_advice(advices, kind)
            assert top is not None and top.evidence, (kind, persona["key"])
            for text in both_texts(by_name(paths, f"{kind}-{stem}")):
                assert persona["name"] in text
                assert words.gettext("%(n)s people", n=persona["size"]) in text
                assert top.text in text, (kind, lang, top.rule_id)
                assert top.because in text, (kind, lang, top.rule_id)
                assert f"n = {top.evidence[0].n}" in top.because
                assert persona["label"][lang] in text


def test_communication_brief_has_every_section_of_the_issue(generated):
    _, paths = generated
    for lang in ("nl", "en"):
        text = docx_text(by_name(paths, f"communication-p1-sanne-{lang}.docx"))
        words = catalogue(lang)
        for message in (
            "Size and stability",
            "What sets them apart",
            "Worries",
            "Wishes",
            "Channel and messenger",
            "Do",
            "Key sentence:",
            "What drives them and what holds them back",
            "Key messages",
            "Why",
            "What",
            "How",
            "What is in it for me?",
            "Tone and language",
            "Channels and messengers",
            "Frequency and timing",
            "How to involve them",
            "Questions to expect",
            "What to avoid",
            "When the change hits them",
            "How to tell the communication works",
            "About this brief",
        ):
            assert words.gettext(message) in text, (lang, message)
        assert words.gettext("Who is %(name)s?", name="Sanne") in text
        # a quote is allowed for 80 people; the situations they wrote are shown too
        assert "Just tell me what I have to do differently on Monday." in text
        assert "When the new planning system goes live" in text


def test_training_brief_has_every_section_of_the_issue(generated):
    _, paths = generated
    for lang in ("nl", "en"):
        text = docx_text(by_name(paths, f"training-p1-sanne-{lang}.docx"))
        words = catalogue(lang)
        for message in (
            "Size and stability",
            "Training plan",
            "Readiness gaps to close first",
            "Formats and pace",
            "Digital confidence",
            "Support and time",
            "Group composition",
            "How to evaluate",
        ):
            assert words.gettext(message) in text, (lang, message)
        assert words.pgettext("brief", "Format") in text
    en = docx_text(by_name(paths, "training-p1-sanne-en.docx"))
    # Sanne: ability is a barrier for 58% and change efficacy is 0.8 below the organisation
    assert "Practising in your own work" in en and "Ability: 58% score 3 or lower" in en
    assert "On the job, learning by doing" in en  # format ranked from the data, with its label
    assert "Customer service" in en  # context make-up for group composition


def test_overview_has_figures_personas_method_caveats_and_review(generated):
    persona_set, paths = generated
    for lang in ("nl", "en"):
        words = catalogue(lang)
        path = by_name(paths, f"overview-{lang}.docx")
        for text in both_texts(path):
            for message in (
                "The round in figures",
                "The personas side by side",
                "Method and quality",
                "Who was left out, and why",
                "Caveats",
                "Next review",
            ):
                assert words.gettext(message) in text, (lang, message)
            assert "74%" in text  # 192 of 260 invited
            assert "Sanne" in text and "David" in text
            for persona in shown_personas(persona_set, make_round_info()):
                assert persona["label"][lang] in text
            assert ("15 September 2025" if lang == "en" else "15 september 2025") in text
        doc = docx.Document(str(path))
        assert len(doc.inline_shapes) == 1  # the overview chart
    en = docx_text(by_name(paths, "overview-en.docx"))
    assert "8 respondents not included: too many missing answers." in en
    assert "1 group(s) not shown because they are not stable enough" in en
    assert "1 group(s) not shown because they have fewer than 5 people." in en
    assert "Indicative personas (stability 0.60–0.75): David." in en


def test_suppressed_personas_appear_nowhere(generated):
    persona_set, paths = generated
    hidden = [p for p in persona_set["personas"] if p["key"] in ("p3", "p4")]
    assert all(not p["presented"] or p["size"] < 5 for p in hidden)
    assert not any("p3" in p.name or "p4" in p.name for p in paths)
    for path in paths:
        for text in both_texts(path):
            for needle in HIDDEN_STRINGS + ("Fatima-quote", "Fatima-situation"):
                assert needle not in text, (path.name, needle)


def test_a_brief_for_a_suppressed_persona_is_refused(persona_set, q, rules):
    info = make_round_info()
    for key in ("p3", "p4"):
        persona = next(p for p in persona_set["personas"] if p["key"] == key)
        for make in (communication_brief, training_brief):
            with pytest.raises(ValueError, match=f"persona '{key}' gets no brief"):
                make(persona_set, persona, info, q, "en", rules)


def test_raised_min_group_hides_small_personas_categories_counts_and_quotes(
    tmp_path, persona_set, q, rules
):
    info = make_round_info(min_group=70)
    paths = write_round_briefs(persona_set, info, q, tmp_path, langs=("en",), rules=rules)
    assert [p.name for p in paths] == [
        "overview-en.docx",
        "communication-p1-sanne-en.docx",
        "training-p1-sanne-en.docx",
    ]
    comm = docx_text(by_name(paths, "communication-p1-sanne-en.docx"))
    assert "n = 44" not in comm and "Team meeting" not in comm  # 44 people < 70
    assert "Just tell me what I have to do" not in comm  # quotes need 140 people now
    assert "Quotes and own words are shown only for groups of at least 140 people." in comm
    assert "No data, or fewer than 70 people answered this." in comm
    overview = docx_text(by_name(paths, "overview-en.docx"))
    assert "David" not in overview and "fewer than 70 respondents not included" in overview
    assert "8 respondents" not in overview


def test_min_group_never_drops_below_the_privacy_floor(persona_set, q, rules):
    info = make_round_info(min_group=2)
    assert briefs.min_group_of(info) == 5
    assert [p["key"] for p in shown_personas(persona_set, info)] == ["p1", "p2"]
    persona_set["excluded"] = {"too_many_missing": 3}
    text = docx_text(overview_brief(persona_set, info, q, "en", rules))
    assert "fewer than 5 respondents not included" in text


def test_construct_names_come_from_the_questionnaire(generated):
    _, paths = generated
    assert "Vertrouwen in eigen kunnen" in docx_text(
        by_name(paths, "communication-p1-sanne-nl.docx")
    )
    assert "Change efficacy" in docx_text(by_name(paths, "communication-p1-sanne-en.docx"))


def test_briefs_work_without_a_questionnaire(persona_set, rules):
    persona = persona_set["personas"][0]
    text = docx_text(
        communication_brief(persona_set, persona, make_round_info(), None, "en", rules)
    )
    assert "change efficacy is 0.8 points below the organisation" in text


# --- craft: template, styles, no direct formatting -----------------------------------------------


@pytest.mark.parametrize(
    "lang,tag,confidential", [("nl", "nl-NL", "VERTROUWELIJK"), ("en", "en-GB", "CONFIDENTIAL")]
)
def test_briefs_start_from_the_styled_template(generated, lang, tag, confidential):
    _, paths = generated
    doc = docx.Document(str(by_name(paths, f"communication-p1-sanne-{lang}.docx")))
    names = {s.name for s in doc.styles}
    assert set(brief_template.STYLE_NAMES.values()) <= names
    lang_el = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang_el.get(f"{W}val") == tag
    assert doc.core_properties.language == tag
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "Nieuw planningssysteem 2025" in header and confidential in header
    assert "[[" not in header
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert "Sanne" in "\n".join(p.text for p in section.footer.paragraphs)
    assert doc.paragraphs[1].style.name == "Title" and doc.paragraphs[1].text == "Sanne"
    card, *tables = doc.tables  # page 1 is the persona card
    assert card.style.name == brief_template.STYLE_NAMES["card_table"]
    assert all(t.style.name == brief_template.STYLE_NAMES["table"] for t in tables)
    assert len(tables) >= 5 and len(doc.inline_shapes) == 1
    advice = [p for p in doc.paragraphs if p.style.name == brief_template.STYLE_NAMES["advice"]]
    assert len(advice) >= 8
    assert doc.inline_shapes[0]._inline.docPr.get("descr")  # alt text


def test_no_direct_formatting_in_the_body(generated):
    """Formatting lives in styles: a paragraph only names its style, a run only its character
    style; tables carry layout (widths, header row) but no fonts or colours."""
    _, paths = generated
    allowed = {"pPr": {"pStyle"}, "rPr": {"rStyle"}}
    for path in paths:
        body = docx.Document(str(path)).element.body
        for kind, ok in allowed.items():
            for element in body.iter(f"{W}{kind}"):
                if element.getparent().tag == f"{W}sectPr":
                    continue
                tags = {child.tag.replace(W, "") for child in element}
                assert tags <= ok, (path.name, kind, tags)
        for forbidden in ("shd", "color", "sz", "b", "i", "rFonts", "jc", "spacing"):
            assert not list(body.iter(f"{W}{forbidden}")), (path.name, forbidden)


def test_committed_templates_match_the_builder(tmp_path):
    for lang in brief_template.LANGUAGES:
        committed = docx.Document(str(brief_template.template_path(lang)))
        fresh = brief_template.build_template(lang)
        assert {s.name for s in committed.styles} == {s.name for s in fresh.styles}
        assert set(brief_template.STYLE_NAMES.values()) | set(brief_template.BUILTIN_STYLES) <= {
            s.name for s in committed.styles
        }
        assert not committed.paragraphs or all(not p.text for p in committed.paragraphs)
        header = committed.sections[0].header.paragraphs[0].text
        assert brief_template.ROUND_TOKEN in header
    written = brief_template.write_templates(tmp_path)
    assert [p.name for p in written] == ["brief-nl.docx", "brief-en.docx"]


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def brief_messages() -> set[tuple[str | None, str]]:
    """(context, message id) of every string toolkit/briefs marks for the catalogue."""
    folder = Path(briefs.__file__).parent
    found = extract_from_dir(str(folder), method_map=[("**.py", "python")])
    return {(context, message) for _file, _line, message, _comments, context in found}


def test_every_brief_message_has_dutch_wording_with_the_same_placeholders():
    messages = brief_messages()
    assert len(messages) > 140  # headings, table columns, sentences, template words
    nl, en = catalogue("nl"), catalogue("en")
    for context, message in messages:
        if context:
            dutch, english = nl.pgettext(context, message), en.pgettext(context, message)
        else:
            dutch, english = nl.gettext(message), en.gettext(message)
        assert english == message, message  # English is the source text
        assert dutch.strip(), message
        assert set(PLACEHOLDER.findall(dutch)) == set(PLACEHOLDER.findall(message)), message
        values = dict.fromkeys(PLACEHOLDER.findall(message), "x")
        assert "%" not in (dutch % values if values else dutch).replace("%(", "")
    # reviewed Dutch, including words the web pages translate differently
    assert nl.gettext("Key-message house") == "Boodschappenhuis"
    assert nl.pgettext("brief", "Format") == "Leervorm"
    assert nl.gettext("Page %(page)s of %(pages)s", page=2, pages=9) == "Pagina 2 van 9"
    assert set(brief_text.LANGUAGES) == set(brief_template.LANGUAGES)


def test_dates_name_the_month_in_the_brief_language(persona_set, q, rules):
    months = {
        "nl": "januari februari maart april mei juni juli augustus september oktober "
        "november december",
        "en": "January February March April May June July August September October "
        "November December",
    }
    for lang, names in months.items():
        ctx = BriefContext(persona_set, make_round_info(), q, lang, rules)
        for month, name in enumerate(names.split(), start=1):
            assert ctx.date(f"2025-{month:02d}-07T10:00:00") == f"7 {name} 2025"
        assert ctx.date(None) == "–" and ctx.date("someday") == "someday"


def test_catalogue_is_read_from_the_po_file_when_it_was_not_compiled(tmp_path, monkeypatch):
    source = Path(brief_text.paths.TRANSLATIONS) / "nl" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "nl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes(source.read_bytes())
    monkeypatch.setattr(brief_text.paths, "TRANSLATIONS", tmp_path)
    brief_text.catalogue.cache_clear()
    try:
        assert brief_text.catalogue("nl").gettext("Worries") == "Zorgen"
        (target / "messages.po").unlink()
        brief_text.catalogue.cache_clear()
        with pytest.raises(LookupError, match="make translations"):
            brief_text.catalogue("nl")
        assert brief_text.catalogue("en").gettext("Worries") == "Worries"
    finally:
        brief_text.catalogue.cache_clear()


def test_unknown_language_is_refused(persona_set, q, rules, tmp_path):
    with pytest.raises(ValueError, match="not 'de'"):
        write_round_briefs(persona_set, make_round_info(), q, tmp_path, langs=("de",), rules=rules)
    assert list(tmp_path.iterdir()) == []


# --- hostile text -------------------------------------------------------------------------------

NAME = "Zoë <script>alert('x')</script> & Co 🚀\x07\x00"
LABEL = '<b>bold</b> & "quoted" \x01label'
ARABIC = "سارة تقول: \u200fنحتاج إلى وقت أطول للتدريب\x1b"
HEBREW = "שרה אומרת: צריך יותר זמן\x0b"
EMOJI = "emoji 😀👍🏽 family 👨\u200d👩\u200d👧 & <tag> \ud83d"
TEAM = "R&D <lab>\x02"
ROUND = "Q3 <script> & 🚀\x0c"


def expected(text: str) -> str:
    return CONTROL.sub("", text).replace("\ud83d", "").strip()


def test_clean_text_keeps_everything_word_can_store():
    assert clean_text(NAME) == "Zoë <script>alert('x')</script> & Co 🚀"
    assert clean_text(ARABIC) == expected(ARABIC)
    assert clean_text("a\tb\r\nc", single_line=False) == "a b\nc"
    assert clean_text(None) == ""


def test_hostile_names_and_answers_produce_valid_documents(tmp_path, persona_set, q, rules):
    sanne = persona_set["personas"][0]
    sanne["name"] = NAME
    sanne["label"] = {"nl": LABEL, "en": LABEL}
    sanne["description"]["quotes"] = [ARABIC, HEBREW, EMOJI]
    sanne["description"]["situations"] = [EMOJI, ARABIC]
    sanne["description"]["context"]["team"] = [{"value": TEAM, "n": 34}]
    info = make_round_info(title=ROUND, organisation="Åbo & Söner\x1f")
    paths = write_round_briefs(persona_set, info, q, tmp_path, rules=rules)
    assert any(p.name == "communication-p1-zoe-script-alert-x-script-co-en.docx" for p in paths)
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".xml"):
                    xml = archive.read(member).decode("utf-8")
                    assert not CONTROL.search(xml), (path.name, member)
        for text in both_texts(path):
            assert expected(ROUND) in text
            if "-p1-" in path.name:
                assert expected(NAME) in text
                assert expected(LABEL) in text
        if path.name.startswith("communication-p1"):
            text = docx_text(path)
            for quote in (ARABIC, HEBREW, EMOJI):
                assert expected(quote) in text, quote
            doc = docx.Document(str(path))
            rtl = [p for p in doc.paragraphs if expected(ARABIC) in p.text]
            assert rtl and all(p.style.name == brief_template.STYLE_NAMES["quote_rtl"] for p in rtl)
        if path.name.startswith("training-p1"):
            assert expected(TEAM) in docx_text(path)


# --- charts -------------------------------------------------------------------------------------


def test_profile_chart_is_a_png_and_is_cached(persona_set, q):
    persona = persona_set["personas"][0]
    png = charts.profile_chart(persona, persona_set["overall"], q, "nl")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    assert charts.profile_chart(persona, persona_set["overall"], q, "nl") is png


def test_charts_cope_with_names_the_font_cannot_draw(persona_set, q):
    for persona, name in zip(
        persona_set["personas"], (NAME, ARABIC, "$x^2$ & {name}", "Émile"), strict=True
    ):
        persona["name"] = name
        persona["presented"] = True
        persona["size"] = max(persona["size"], 5)
    png = charts.overview_chart(persona_set, q, "en")
    assert png.startswith(b"\x89PNG")
    png = charts.profile_chart(persona_set["personas"][1], persona_set["overall"], q, "en")
    assert png.startswith(b"\x89PNG")
    assert charts._drawable("Émile") == "Émile"
    assert charts._drawable(ARABIC) == "" and charts._drawable("🚀") == ""


def test_overview_chart_leaves_out_suppressed_personas(persona_set, q):
    with_hidden = charts.overview_chart(persona_set, q, "en")
    only_shown = charts.overview_chart(
        dict(persona_set, personas=persona_set["personas"][:2]), q, "en"
    )
    assert with_hidden == only_shown


# --- the real pipeline --------------------------------------------------------------------------


@pytest.mark.slow
def test_briefs_from_derived_personas_of_synthetic_responses(tmp_path, q, rules):
    from toolkit.core.personas import derive_personas, describe_personas
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import generate_responses

    answers, _, contexts = generate_responses(q, 160, seed=11)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=10)
    persona_set = describe_personas(
        persona_set, q, answers, contexts, min_group=5, min_quote_group=10
    )
    info = make_round_info(responses=160, invited=200)
    paths = write_round_briefs(persona_set, info, q, tmp_path, langs=("en",), rules=rules)
    shown = shown_personas(persona_set, info)
    assert len(paths) == 1 + 2 * len(shown)
    for path in paths:
        text, text2 = both_texts(path)
        for persona in shown:
            if persona["key"] in path.name:
                assert persona["name"] in text and persona["name"] in text2
    json.dumps(persona_set)  # the set stays JSON-serialisable after briefs read it


def test_round_without_dates_invitations_or_review_still_reads_well(tmp_path, persona_set, q):
    info = make_round_info(
        opens_at=None, closes_at=None, invited=None, review_due=None, organisation=None
    )
    paths = write_round_briefs(persona_set, info, q, tmp_path, langs=("en",))  # shipped rules
    text = docx_text(by_name(paths, "overview-en.docx"))
    assert "No date has been set. Review within six months." in text
    assert "Response rate\n–" in text and "Invited\n–" in text
    assert "Organisation:" not in text and "– –" not in text
    info["closes_at"] = "2025-11-30T17:00:00+01:00"
    text = docx_text(overview_brief(persona_set, info, q, "nl", None))
    assert "rond 28 mei 2026" in text  # six months after closing


def test_team_categories_the_rest_of_the_persona_would_reveal_are_left_out(persona_set, q, rules):
    """17 people: teams of 8, 6 and 2. Showing 8 and 6 would reveal the other 3 by subtraction,
    so only the team of 8 is named (privacy.py decides; the brief asks it)."""
    sanne = persona_set["personas"][0]
    sanne["size"] = 17
    sanne["description"]["context"] = {
        "team": [
            {"value": "Bigteam", "n": 8},
            {"value": "Sixteam", "n": 6},
            {"value": "Twoteam", "n": 2},
        ]
    }
    text = docx_text(training_brief(persona_set, sanne, make_round_info(), q, "en", rules))
    assert "Bigteam" in text and "Sixteam" not in text and "Twoteam" not in text
