"""Writing a round's briefs in one run shares work between documents (issue 23) and changes
nothing in them.

Why: ``write_round_briefs`` works out each persona's advice, card and privacy-trimmed figures
once per language and lets the overview, communication and training brief share them, and
every chart is drawn once per persona per language. A shared thing that one document changed,
or a memo keyed too loosely, would put one persona's or one round's content into another's
brief: compare the run's files with briefs made one at a time, part by part.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from brief_rounds import FACTS, ROUND_INFO, demo_round

from toolkit.briefs import (
    charts,
    communication_brief,
    overview_brief,
    training_brief,
    write_round_briefs,
)
from toolkit.briefs.context import BriefContext, one_run
from toolkit.core.guidance import default_guidance

# created and modified are "now", to the second: the one part that may differ between runs
VARIES = {"docProps/core.xml"}


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of a .docx but the ones that vary, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n not in VARIES}


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_run_writes_the_same_files_as_briefs_made_one_at_a_time(tmp_path, q):
    persona_set, info = demo_round(), dict(ROUND_INFO, change_facts=FACTS)
    rules = default_guidance()
    written = write_round_briefs(persona_set, info, q, tmp_path, rules=rules)
    assert len(written) == 18
    charts.clear_cache()  # and every chart drawn again
    for path in written:
        kind, *_, lang = path.stem.split("-")
        if kind == "overview":
            alone = overview_brief(persona_set, info, q, lang, rules)
        else:
            key = path.stem.split("-")[1]
            persona = next(p for p in persona_set["personas"] if p["key"] == key)
            make = communication_brief if kind == "communication" else training_brief
            alone = make(persona_set, persona, info, q, lang, rules)
        assert parts(path.read_bytes()) == parts(saved(alone)), path.name


def test_documents_of_different_inputs_share_nothing_in_one_run(q):
    persona_set, rules = demo_round(), default_guidance()
    low, high = dict(ROUND_INFO, min_group=5), dict(ROUND_INFO, min_group=80)
    with one_run():
        shared = BriefContext(persona_set, low, q, "en", rules)
        again = BriefContext(persona_set, low, q, "en", rules)
        raised = BriefContext(persona_set, high, q, "en", rules)
        dutch = BriefContext(persona_set, low, q, "nl", rules)
    assert again.persona_set is shared.persona_set
    assert raised.persona_set is not shared.persona_set
    assert len(raised.persona_set["personas"]) < len(shared.persona_set["personas"])
    persona = shared.persona_set["personas"][0]
    assert again.advice(persona, "communication") is shared.advice(persona, "communication")
    assert dutch.advice(dutch.shown(persona), "communication")[0].text != (
        shared.advice(persona, "communication")[0].text
    )


def test_outside_a_run_every_document_works_from_its_own_copy(q):
    persona_set, rules = demo_round(), default_guidance()
    first = BriefContext(persona_set, ROUND_INFO, q, "en", rules)
    second = BriefContext(persona_set, ROUND_INFO, q, "en", rules)
    assert first.persona_set is not second.persona_set
    assert first.persona_set == second.persona_set


def whole_profile_chart(persona: dict, overall: dict, q, lang: str) -> bytes:
    """The profile chart drawn as one figure from scratch, the way charts draw a persona
    with missing figures (no shared background)."""
    constructs = charts._ordered_constructs(list(persona["profile"]), q)
    rows = charts._profile_rows(persona["profile"], overall["profile"], constructs, q, lang)
    words = charts._words(lang)
    legend = (words.gettext("Organisation"), persona["name"], words.gettext("Mean score (1–5)"))
    scale = charts._scale_range(q, constructs)
    return charts._render(lambda: charts._draw_profile(rows, legend, scale))


def test_charts_on_the_shared_background_are_the_charts_drawn_whole(q):
    persona_set = demo_round()
    personas, overall = persona_set["personas"], persona_set["overall"]
    for lang in ("nl", "en"):
        charts.clear_cache()
        shared = [charts.profile_chart(p, overall, q, lang) for p in personas]
        assert len(charts._backgrounds) == 1  # one background per language
        charts.clear_cache()
        backwards = [charts.profile_chart(p, overall, q, lang) for p in reversed(personas)]
        whole = [whole_profile_chart(p, overall, q, lang) for p in personas]
        assert shared == whole == backwards[::-1]
        assert len(set(shared)) == len(personas)
