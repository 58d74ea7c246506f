"""What the documents tell a consultant: the persona card, the steering group's overview (core
personas, decisions, key-message house, calendar, training matrix), the training plan, and
only what the questionnaire measured."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import docx
import pytest
from brief_rounds import FACTS, ROUND_INFO, demo_round, own_questionnaire, own_round

from toolkit.briefs import (
    charts,
    communication_brief,
    overview_brief,
    summary,
    training_brief,
    training_plan,
    write_round_briefs,
)
from toolkit.briefs.context import BriefContext
from toolkit.briefs.text import catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


def text_of(document) -> str:
    doc = document if hasattr(document, "paragraphs") else docx.Document(str(document))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def card_rows(document) -> dict[str, str]:
    """The persona card (the first table) as label -> text."""
    card = document.tables[0]
    return {row.cells[0].text: row.cells[1].text for row in card.rows}


# The demo round's four personas by what they are (their names are drawn from the data, so the
# tests do not depend on them): energised but wanting a course, looking for clarity, the critical
# doubter, and the checked-out, distrustful one.
ENERGISED, CLARITY, DOUBTER, DISENGAGED = "p1", "p2", "p3", "p4"


def persona(persona_set: dict, key: str) -> dict:
    return next(p for p in persona_set["personas"] if p["key"] == key)


def name(persona_set: dict, key: str) -> str:
    return persona(persona_set, key)["name"]


# --- the persona card ------------------------------------------------------------------------


def test_card_holds_everything_a_consultant_needs_on_page_one(q):
    ps = demo_round()
    doc = communication_brief(ps, persona(ps, DISENGAGED), dict(ROUND_INFO, change_facts=FACTS), q, "en")
    rows = card_rows(doc)
    assert list(rows) == [
        "Size and stability", "What sets them apart", "Worries", "Wishes", "In their own words",
        "Channel and messenger", "Do", "Don't",
    ]
    assert rows["Size and stability"] == "29 people · 12% of the 240 respondents analysed · stable (1.00)"
    assert rows["What sets them apart"].startswith("Sees little reason to make an effort — ")
    assert len(rows["What sets them apart"].splitlines()) == 3
    assert "n = 29 of 29 people" in rows["What sets them apart"]
    assert "“" in rows["In their own words"]  # 29 people: quotes allowed from 10
    assert "because" in rows["Do"] and "because" in rows["Don't"]  # every advice with its reason
    text = text_of(doc)
    assert ("Key sentence: We only promise what we will keep. What stays the same for you: "
            + FACTS["unchanged"] + " You hear every next step first from a colleague you know.") in text


def test_card_states_a_tie_between_channels(q):
    ps = demo_round()
    rows = card_rows(communication_brief(ps, persona(ps, CLARITY), ROUND_INFO, q, "en"))
    assert re.search(r"Channel: \S.* and .*\(a tie: each 44 of 62 people, 71%\)", rows["Channel and messenger"])


def test_card_key_sentence_leads_with_each_personas_need(q):
    ps = demo_round()
    expected = {
        ENERGISED: "You know how the work really goes",  # ownership: valence and commitment high
        CLARITY: "We tell you exactly what is expected of you",  # clarity: controlled motivation
        DOUBTER: "Why we are doing this:",  # the why: appropriateness low
        DISENGAGED: "We only promise what we will keep.",  # trust: amotivation +2.1 z
    }
    for which, start in expected.items():
        text = text_of(training_brief(ps, persona(ps, which), ROUND_INFO, q, "en"))
        key = next(line for line in text.splitlines() if line.startswith("Key sentence:"))
        assert start in key, which
        assert "[why it changes]" in key or "[what changes]" in key or "[what stays the same]" in key


def test_controlled_motivation_is_neither_a_driver_nor_a_brake(q):
    """Issue 18: "little driven by pay" listed as a brake, guilt-driven motivation as a driver."""
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    sanne = fixture["personas"][0]
    sanne["profile"]["external_material"] = {"mean": 2.4, "n": 80, "diff": -0.8, "z": -0.9}
    sanne["profile"]["introjected"] = {"mean": 3.9, "n": 80, "diff": 0.9, "z": 1.1}
    text = text_of(communication_brief(fixture, sanne, ROUND_INFO, q, "en"))
    drives = text.split("What drives them")[1].split("What holds them back")[0]
    holds = text.split("What holds them back")[1].split("Handle with care")[0]
    care = text.split("Handle with care")[1].split("Key messages")[0]
    assert "little driven by pay" not in text
    assert "guilt" not in drives and "guilt" not in holds
    assert "Driven by inner pressure, guilt or pride" in care and "never pressure or guilt" in care


# --- the overview for the steering group -------------------------------------------------------


def test_overview_names_core_personas_by_size_times_stability_and_states_the_rule(q):
    ps = demo_round()
    ctx = BriefContext(ps, ROUND_INFO, q, "en", None)
    core = summary.core_personas(ctx, ctx.persona_set["personas"])
    assert [(p["key"], role) for p, role in core] == [(ENERGISED, "primary"), (CLARITY, "secondary")]
    # an indicative persona is never primary while a stable one exists
    shaky = copy.deepcopy(ps)
    shaky["personas"][0]["stability"], shaky["personas"][0]["stability_band"] = 0.7, "indicative"
    shaky["personas"][0]["size"] = 150
    ctx = BriefContext(shaky, ROUND_INFO, q, "en", None)
    assert summary.core_personas(ctx, ctx.persona_set["personas"])[0][0]["key"] == CLARITY
    text = text_of(overview_brief(ps, ROUND_INFO, q, "en"))
    assert "Rule: personas are ranked by size × stability" in text
    assert "Decisions asked of the steering group" in text
    # the disengaged persona needs trust first and chose a colleague as messenger: the decision says so
    assert (f"Decide how the story reaches {name(ps, DISENGAGED)}: through a colleague or change champion they "
            "know, the messenger they chose most") in text
    assert "Make time for training in working hours: on average" in text


def test_key_message_house_is_drafted_from_the_change_facts(q):
    ps = demo_round()
    with_facts = text_of(overview_brief(ps, dict(ROUND_INFO, change_facts=FACTS), q, "nl"))
    assert f"{FACTS['what']} {FACTS['why']}" in with_facts  # the core message, HR's own words
    assert "Nog in te vullen door HR" not in with_facts
    assert f"Wanneer: {FACTS['when']}" in with_facts
    for key in (ENERGISED, CLARITY, DOUBTER, DISENGAGED):
        assert name(ps, key) in with_facts.split("Boodschappenhuis")[1]
    without = text_of(overview_brief(ps, ROUND_INFO, q, "nl"))
    assert ("Nog in te vullen door HR: wat er verandert, waarom, wanneer en wat hetzelfde blijft."
            in without)
    assert "[wat er verandert] [waarom het verandert]" in without
    partly = text_of(overview_brief(ps, dict(ROUND_INFO, change_facts={"what": FACTS["what"]}), q, "en"))
    assert "To be filled in by HR: why, when and what stays the same." in partly


def test_calendar_has_every_phase_for_every_persona(q):
    ps = demo_round()
    doc = overview_brief(ps, ROUND_INFO, q, "en")
    calendar = next(t for t in doc.tables if t.rows[0].cells[0].text == "Phase")
    rows = [[c.text for c in row.cells] for row in calendar.rows[1:]]
    assert len(rows) == 4 * 4
    phases = [r[0] for r in rows if r[0]]
    assert [p.split(" (")[0] for p in phases] == ["Announce", "Prepare", "Go-live", "Embed"]
    assert {r[1] for r in rows} == {p["name"] for p in ps["personas"]}
    disengaged = [r for r in rows if r[1] == name(ps, DISENGAGED)]
    assert disengaged[0][2] == "Let a colleague or change champion they know bring the news in person, before any memo."
    assert [r for r in rows if r[1] == name(ps, DOUBTER)][0][3].endswith("· My line manager")
    assert all(" · " in r[3] for r in rows)  # channel · messenger, as each persona chose


def test_training_matrix_shows_persona_by_module_for_trainers(q):
    ps = demo_round()
    doc = overview_brief(ps, ROUND_INFO, q, "en")
    matrix = next(t for t in doc.tables if t.rows[0].cells[0].text == "Module")
    header = [c.text for c in matrix.rows[0].cells]
    assert header == ["Module", *(name(ps, k) for k in (ENERGISED, CLARITY, DOUBTER, DISENGAGED))]
    cells = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in matrix.rows[1:]}
    assert cells["In conversation with leadership"][3].startswith("●")  # the disengaged: trust first
    assert cells["In conversation with leadership"][0] == "–"  # the energised do not need it
    assert all(v != "–" for v in cells["What changes in your work"])  # standard for everyone


# --- the training plan ---------------------------------------------------------------------------


def test_training_plan_follows_gaps_motivation_and_preferences(q):
    ps = demo_round()
    ctx = BriefContext(ps, ROUND_INFO, q, "en", None)
    disengaged = ctx.shown(persona(ps, DISENGAGED))
    plan = {m.module: m for m in training_plan.plan(ctx, disengaged)}
    assert plan["trust"].full and "Amotivation" in plan["trust"].reason and "n = 29 of 29" in plan["trust"].reason
    assert all(m.form and m.duration and m.group for m in plan.values())
    assert training_plan.motivation_note(ctx, disengaged).startswith("Little motivation: start with relevance")
    energised = ctx.shown(persona(ps, ENERGISED))
    assert training_plan.motivation_note(ctx, energised).startswith("Autonomous motivation: give choice")
    clarity = ctx.shown(persona(ps, CLARITY))
    assert training_plan.motivation_note(ctx, clarity).startswith("Controlled motivation: give structure")
    text = text_of(training_brief(ps, clarity, ROUND_INFO, q, "en"))
    plan_table = text.split("Training plan")[1]
    assert "their preference:" in plan_table  # the form follows the learning format they chose
    assert re.search(r"\d+ × \d+ min|\d+ min", plan_table)


def test_an_age_table_says_age_is_not_the_cause(q):
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    sanne = fixture["personas"][0]
    sanne["description"]["context"]["age"] = [{"value": "50_plus", "n": 40}, {"value": "35_49", "n": 30}]
    text = text_of(training_brief(fixture, sanne, ROUND_INFO, q, "en"))
    assert "Age is not the cause" in text.split("Group composition")[1]
    assert "Age is not the cause" in text.split("Digital confidence")[1].split("Support and time")[0]


# --- only what was measured ---------------------------------------------------------------------


def forbidden(lang: str) -> list[str]:
    words = catalogue(lang)
    labels = [words.gettext(m) for m in ("In their own words", "In their own words:", "Channel and messenger",
                                         "Channels and messengers", "Moments they describe themselves")]
    return labels + [
        "ADKAR",
        words.gettext("Own words are shown only for groups of at least %(min_quote)s people.", min_quote=10),
        words.gettext("Quotes and own words are shown only for groups of at least %(min_quote)s people.",
                      min_quote=10),
    ]


PATTERNS = {
    "en": re.compile(r"\b(channels?|messengers?|quotes?|ADKAR)\b", re.I),
    "nl": re.compile(r"\b(kana(al|len)|afzenders?|citaten|citaat|ADKAR)\b", re.I),
}


def test_own_instrument_briefs_never_mention_adkar_channels_or_quotes(tmp_path):
    ps = own_round()
    assert len([p for p in ps["personas"] if p["presented"]]) >= 2
    paths = write_round_briefs(ps, dict(ROUND_INFO, responses=180, invited=200), own_questionnaire(), tmp_path)
    assert len(paths) >= 6
    for path in paths:
        lang = path.stem.rsplit("-", 1)[1]
        text = text_of(path)
        for needle in forbidden(lang):
            assert needle not in text, (path.name, needle)
        found = PATTERNS[lang].search(text)
        assert not found, (path.name, text[max(0, found.start() - 80): found.end() + 40])
    overview = text_of(next(p for p in paths if p.name == "overview-en.docx"))
    assert "Channel · messenger" not in overview and "Key-message house" in overview


def test_pulse_instrument_has_adkar_but_no_channel_or_learning_sections(q):
    from toolkit.core.questionnaire import get_questionnaire

    pulse = get_questionnaire("pulse")
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    sanne = fixture["personas"][0]
    comm = text_of(communication_brief(fixture, sanne, ROUND_INFO, pulse, "en"))
    for heading in ("Channels and messengers", "Frequency and timing", "Tone and language", "How to involve them"):
        assert heading not in comm, heading
    training = text_of(training_brief(fixture, sanne, ROUND_INFO, pulse, "en"))
    assert "Readiness gaps to close first" in training and "Ability" in training
    for heading in ("Formats and pace", "Digital confidence", "Support and time"):
        assert heading not in training, heading


# --- the chart ---------------------------------------------------------------------------------------


def test_heatmap_colours_a_high_amotivation_as_unfavourable():
    """Colour follows the construct's direction: the darkest 'good' colour never marks the
    highest amotivation."""
    matrix = [[0.9, -0.5], [2.1, -0.4]]  # rows: intrinsic, amotivation; columns: two personas
    colours = charts.favourable(matrix, ["intrinsic", "amotivation"], frozenset({"amotivation"}))
    assert colours == [[0.9, -0.5], [-2.1, 0.4]]
    ps = demo_round()
    with_direction = charts.overview_chart(ps, None, "en", negative=frozenset({"amotivation"}))
    without = charts.overview_chart(ps, None, "en")
    assert with_direction != without
