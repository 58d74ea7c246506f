"""The demo instance looks like a real organisation's: dated rounds filling up over days."""

from toolkit.data.rounds import list_rounds
from toolkit.services.demo import _arrival_days, build_demo


def test_arrival_days_cover_every_respondent_once():
    for n in (20, 61, 240, 1000):
        days = _arrival_days(n)
        assert len(days) == n and min(days) == 0 and days == sorted(days)


def test_demo_rounds_have_a_period_a_works_council_record_and_answers_over_many_days(database, tmp_path):
    summary = build_demo(database, respondents=60, briefs_dir=tmp_path / "briefs", bootstrap=5)
    assert "password 'persona-demo'" in summary
    for round_ in list_rounds(database):
        assert round_["opens_at"] and round_["closes_at"] and round_["works_council_ref"]
        # anonymous rounds keep the day only in the per-day counters, never with a response
        assert database.execute("SELECT count(*) FROM responses WHERE round_id = ? AND submitted_on IS NOT NULL",
                                [round_["id"]]).fetchone()[0] == 0
        days = {d for (d,) in database.execute("SELECT day FROM response_days WHERE round_id = ?", [round_["id"]])}
        assert len(days) >= 5, round_["title"]
        assert min(days) >= round_["opens_at"][:10] and max(days) <= round_["closes_at"][:10]
    assert list((tmp_path / "briefs").glob("overview-*.docx"))
