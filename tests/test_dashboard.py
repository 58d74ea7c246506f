"""The round dashboard: bands, the timeline, small groups never computed, and the page per role."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from conftest import login, make_round_with_responses, make_users

from toolkit.core import dashboard


def test_bands_are_green_from_75_amber_from_60_red_below():
    assert dashboard.band(0.75) == "green"
    assert dashboard.band(1.0) == "green"
    assert dashboard.band(0.7499) == "amber"
    assert dashboard.band(0.60) == "amber"
    assert dashboard.band(0.5999) == "red"
    assert dashboard.band(None) is None


def test_favourable_point_is_4_on_a_five_point_scale():
    assert dashboard.favourable_point(1, 5) == 4
    assert dashboard.favourable_point(0, 10) == 7.5


def test_timeline_fills_quiet_days_and_counts_the_rate_against_the_invited():
    days = ["2026-03-02", "2026-03-02", "2026-03-04"]
    timeline = dashboard.response_timeline(days, invited=10, until=dt.date(2026, 3, 5))
    assert [d.day.day for d in timeline] == [2, 3, 4, 5]
    assert [d.count for d in timeline] == [2, 0, 1, 0]
    assert [d.cumulative for d in timeline] == [2, 2, 3, 3]
    assert timeline[-1].rate == pytest.approx(0.3)
    assert dashboard.response_timeline([], invited=10) == []
    assert dashboard.response_timeline(["2026-03-02"], invited=None)[0].rate is None


def test_coarsened_timeline_never_shows_a_period_with_fewer_than_the_minimum():
    days = ["2026-03-02"] * 6 + ["2026-03-03"] + ["2026-03-05"] * 2 + ["2026-03-06"] * 3 + ["2026-03-09"]
    periods = dashboard.coarsen_timeline(dashboard.response_timeline(days, invited=20), min_group=5)
    assert [(p.day.day, p.until.day if p.until else None, p.count) for p in periods] == [
        (2, None, 6),  # a day of six stands on its own
        (3, 9, 7),  # 1 + 2 + 3 reach five on the 6th; the single answer of the 9th joins that period
    ]
    assert [p.cumulative for p in periods] == [6, 13] and periods[-1].rate == pytest.approx(13 / 20)
    assert dashboard.coarsen_timeline(dashboard.response_timeline(["2026-03-02"] * 4, invited=9), 5) == []


def test_heatmap_over_publications_hides_a_team_that_grew_by_fewer_than_the_minimum():
    """Comparing the heatmap before and after a later publication must not isolate a new answer."""
    scores, teams, publication = {}, {}, {}

    def add(team, n, batch):
        for i in range(n):
            rid = f"{team}-{batch}-{i}"
            scores[rid], teams[rid], publication[rid] = {"c": 4.0}, team, batch

    add("Finance", 8, 1)
    add("Sales", 9, 1)
    add("IT", 7, 1)
    add("Finance", 5, 2)  # a whole group of the minimum: Finance may move
    add("IT", 1, 2)  # as if one IT answer had been published later (the close holds that back)
    heatmap = dashboard.team_heatmap(scores, teams, ["c"], min_group=5)
    assert [row.team for row in heatmap.teams] == ["Finance", "IT", "Sales"]  # one publication: all shown
    heatmap = dashboard.team_heatmap(scores, teams, ["c"], min_group=5, publication_by_response=publication)
    # IT grew by one in publication 2; the hidden rest of that publication must be five or more,
    # so Finance (5 new) is hidden with it; Sales had nothing new and stays.
    assert [row.team for row in heatmap.teams] == ["Sales"]


def test_construct_scores_share_favourable_and_hide_constructs_answered_by_too_few():
    values = {"efficacy": [4, 5, 4, 2, 4, 3, 4, 5], "valence": [5, 5, 4, None, None, None, None, None]}
    rows = dashboard.construct_scores(values, ["efficacy", "valence"], min_group=5)
    assert rows[0].shown and rows[0].n == 8 and rows[0].favourable == pytest.approx(6 / 8)
    assert rows[0].band == "green"
    assert not rows[1].shown and rows[1].favourable is None and rows[1].mean is None


def test_unbanded_constructs_get_a_share_but_no_colour():
    rows = dashboard.construct_scores({"amotivation": [5] * 6}, ["amotivation"], min_group=5,
                                      unbanded=["amotivation"])
    assert rows[0].favourable == 1.0 and rows[0].band is None


class Untouchable(float):
    """A score that fails the test when anything compares or adds it: a suppressed team's."""

    def _fail(self, *_args):
        raise AssertionError("a score of a team under the minimum group size was computed")

    __ge__ = __le__ = __gt__ = __lt__ = __add__ = __radd__ = __float__ = _fail


def test_heatmap_never_computes_scores_of_small_teams_and_hides_a_team_that_would_reveal_one():
    scores, teams = {}, {}

    def add(team, n, value):
        for i in range(n):
            rid = f"{team}-{i}"
            scores[rid], teams[rid] = {"efficacy": value}, team

    add("Finance", 12, 4.0)
    add("Sales", 6, Untouchable(2.0))  # shown-size, but hiding only Legal would reveal Legal by subtraction
    add("Legal", 3, Untouchable(5.0))
    heatmap = dashboard.team_heatmap(scores, teams, ["efficacy"], min_group=5)
    assert [row.team for row in heatmap.teams] == ["Finance"]
    assert heatmap.hidden_teams == 2
    assert heatmap.teams[0].cells[0].favourable == 1.0


def test_heatmap_treats_people_without_a_team_as_a_rest_the_reader_can_work_out():
    scores = {f"r{i}": {"c": 4.0} for i in range(14)}
    teams = {f"r{i}": ("A" if i < 7 else "B" if i < 12 else None) for i in range(14)}
    heatmap = dashboard.team_heatmap(scores, teams, ["c"], min_group=5)
    # two without a team: showing A (7) and B (5) of 14 would reveal them, so B is hidden too
    assert [row.team for row in heatmap.teams] == ["A"]


def test_persona_distribution_hides_a_small_rest():
    personas = [{"key": "p1", "name": "Sanne", "size": 50}, {"key": "p2", "name": "Ravi", "size": 47}]
    rows, rest = dashboard.persona_distribution(personas, 100, min_group=5)
    assert [r.share for r in rows] == [0.5, 0.47] and rest is None
    _rows, rest = dashboard.persona_distribution(personas, 110, min_group=5)
    assert rest == 13


def test_charts_are_well_formed_and_escape_names():
    timeline = dashboard.response_timeline(["2026-03-02", "2026-03-05"], invited=4)
    svg = dashboard.timeline_svg(timeline, ident="t", title="Rate <b>", desc="d", format_day=str,
                                 format_share=lambda v: f"{v:.0%}")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text == "Rate <b>"
    bars = dashboard.bars_html([("<script>x</script>", 0.8, "80%", "green"), ("Hidden", None, "fewer than 5", None)],
                               ident="b", title="Bars", thresholds=(0.6, 0.75))
    ET.fromstring(bars)
    assert "<script>" not in bars and "&lt;script&gt;" in bars
    assert 'width="80.0"' in bars and bars.count('class="threshold"') == 4


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def world(database, default_q):
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=60, seed=3)
    empty_id = database.execute(
        "INSERT INTO rounds (questionnaire_id, questionnaire_version_id, title, created_at) "
        "SELECT questionnaire_id, questionnaire_version_id, 'Empty round', created_at FROM rounds WHERE id = ?",
        [round_id]).lastrowid
    return users, round_id, empty_id


def test_dashboard_shows_definition_bands_and_teams_to_hr(client, world):
    users, round_id, _empty = world
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{round_id}/dashboard?lang=en").get_data(as_text=True)
    assert "Favourable means a score of 4 or higher" in page
    assert 'class="bars"' in page and "<svg" in page
    assert "Constructs by team" in page and 'class="heatmap"' in page
    assert "<h1>" in page and page.count("<h1") == 1


def test_dashboard_of_an_empty_round_says_what_to_do(client, world):
    users, _round_id, empty_id = world
    login(client, users["hr"][1])
    page = client.get(f"/rounds/{empty_id}/dashboard?lang=en").get_data(as_text=True)
    assert "No responses yet." in page and "Open the round and send the invitations" in page
    assert "No team is large enough to show." in page
    assert "No personas yet." in page


def test_dashboard_is_for_granted_change_managers_not_trainers(client, world, database):
    users, round_id, _empty = world
    login(client, users["change_manager"][1])
    assert client.get(f"/rounds/{round_id}/dashboard").status_code == 403
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)",
                     [round_id, users["change_manager"][0]])
    assert client.get(f"/rounds/{round_id}/dashboard").status_code == 200
    trainer = client.application.test_client()
    login(trainer, users["trainer"][1])
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, users["trainer"][0]])
    assert trainer.get(f"/rounds/{round_id}/dashboard").status_code == 403
