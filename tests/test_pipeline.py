"""The steps that join storage and the pure modules: derive, then briefs with drift."""

from conftest import make_round_with_responses
from docx import Document

from toolkit.data.persona_sets import current_persona_set, load_persona_set
from toolkit.services import programmes
from toolkit.services.pipeline import briefs_for_round, derive_round


def overview_text(paths):
    overview = next(p for p in paths if p.name.startswith("overview"))
    return "\n".join(p.text for p in Document(overview).paragraphs)


def test_overview_brief_of_a_follow_up_round_reports_drift(database, default_q, tmp_path):
    first, _a, _l = make_round_with_responses(database, default_q, n=100, seed=1, title="Baseline",
                                              segments=["energised_innovator", "practical_sceptic"])
    second, _a, _l = make_round_with_responses(database, default_q, n=100, seed=2, title="Follow-up",
                                               segments=["energised_innovator", "practical_sceptic", "disengaged"])
    for round_id in (first, second):
        derive_round(database, round_id, bootstrap=10)
    programme_id = programmes.create_programme(database, "New way of working")
    programmes.add_round(database, programme_id, first, "baseline")
    programmes.add_round(database, programme_id, second, "follow-up")

    follow_up = overview_text(briefs_for_round(database, second, tmp_path / "b", langs=("en",)))
    assert "What changed since the last round" in follow_up
    assert "Compared with: Baseline." in follow_up
    baseline = overview_text(briefs_for_round(database, first, tmp_path / "a", langs=("en",)))
    assert "What changed since the last round" not in baseline


def test_derive_stores_a_current_set_and_keeps_the_earlier_one(database, default_q):
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=80, seed=5)
    first = derive_round(database, round_id, bootstrap=5)
    second = derive_round(database, round_id, bootstrap=5, k=2)
    assert current_persona_set(database, round_id)["id"] == second
    assert not load_persona_set(database, first)["current"]
    assert load_persona_set(database, second)["k"] == 2
