"""Themes and recurring situations in open answers (toolkit.core.open_themes), on synthetic
answers with planted themes (tests/open_answers.py) in Dutch and in English."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from open_answers import PLANTED, planted_answers

from toolkit.core import privacy
from toolkit.core.open_text import when_part
from toolkit.core.open_themes import drop_verbatim, log_odds_z, persona_open_themes, verbatim_count
from toolkit.core.questionnaire import load_questionnaire

WORDS = {  # planted theme -> a word its label must hold, per language
    "nl": {"course": "cursus", "workload": "werkdruk", "parking": "parkeren",
           "till_live": "kassasysteem", "roster_change": "rooster"},
    "en": {"course": "course", "workload": "workload", "parking": "park",
           "till_live": "checkout", "roster_change": "roster"},
}


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("questionnaires/default.toml")


def found_in(entries, word):
    return [e for e in entries if word in e["label"]]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_planted_themes_are_found_per_persona_with_their_counts_and_a_small_theme_is_hidden(q, lang):
    answers, members = planted_answers(lang)
    result = persona_open_themes(q, answers, members, min_group=5, min_quote_group=10)
    words = WORDS[lang]
    course = found_in(result["p1"]["themes"], words["course"])
    workload = found_in(result["p2"]["themes"], words["workload"])
    assert [e["n"] for e in course] == [PLANTED["course"]["p1"]]
    assert [e["n"] for e in workload] == [PLANTED["workload"]["p2"]]
    # Each persona's theme is not the other's: what sets them apart.
    assert not found_in(result["p1"]["themes"], words["workload"])
    assert not found_in(result["p2"]["themes"], words["course"])
    assert course[0]["z"] > 1.96 and workload[0]["z"] > 1.96
    assert course[0]["org_share"] < course[0]["share"]
    # Parking: 6 writers in all, 4 and 2 per persona: under 5 in each, so never shown, only counted.
    for key in ("p1", "p2"):
        assert not found_in(result[key]["themes"], words["parking"])
        assert result[key]["hidden"] == 1
    # One quote per theme for groups of 10 or more, an answer from that theme.
    assert words["course"] in course[0]["quote"].lower()
    assert words["workload"] in workload[0]["quote"].lower()
    # Situations: the "when …" parts, grouped and counted.
    till = found_in(result["p1"]["situations"], words["till_live"])
    roster = found_in(result["p2"]["situations"], words["roster_change"])
    assert [e["n"] for e in till] == [PLANTED["till_live"]["p1"]]
    assert [e["n"] for e in roster] == [PLANTED["roster_change"]["p2"]]
    assert till[0]["example"].split()[0] in ("when", "wanneer", "als", "zodra", "once")
    assert "wil" not in till[0]["example"].split() and "want" not in till[0]["example"].split()


def test_the_same_answers_in_another_order_and_under_other_ids_give_the_same_themes(q):
    answers, members = planted_answers("nl")
    first = persona_open_themes(q, answers, members)
    rename = {rid: f"x{random.Random(rid).random():.12f}" for rid in answers}
    shuffled = list(answers.items())
    random.Random(7).shuffle(shuffled)
    answers2 = {rename[rid]: a for rid, a in shuffled}
    members2 = {key: [rename[r] for r in reversed(rids)] for key, rids in members.items()}
    assert persona_open_themes(q, answers2, members2) == first


def test_groups_under_the_quote_minimum_get_counts_but_no_quotes_or_examples(q):
    answers, members = planted_answers("en")
    result = persona_open_themes(q, answers, members, min_group=5, min_quote_group=13)
    for found in result.values():
        assert found["themes"] and found["situations"]
        assert all(e["quote"] is None for e in found["themes"])
        assert all(e["example"] is None for e in found["situations"])


def test_a_raised_minimum_hides_themes_and_deleting_answers_drops_their_words(q):
    answers, members = planted_answers("nl")
    found = persona_open_themes(q, answers, members)
    persona = {"key": "p2", "size": 12, "presented": True, "description": {"open_themes": copy.deepcopy(found["p2"])}}
    privacy.presentable_personas({"personas": [persona]}, min_group=9)
    trimmed = persona["description"]["open_themes"]
    assert trimmed["themes"] == [] and trimmed["hidden"] == found["p2"]["hidden"] + 1
    assert verbatim_count(found["p1"]) == 2
    drop_verbatim(found["p1"])
    assert verbatim_count(found["p1"]) == 0 and found["p1"]["themes"][0]["n"] == 9


def test_log_odds_z_says_which_group_uses_a_category_more():
    z = log_odds_z(np.array([9, 1, 2]), np.array([1, 9, 2]))
    assert z[0] > 1.96 and z[1] < -1.96 and abs(z[2]) < 1
    assert log_odds_z(np.array([3, 0]), np.array([0, 0])) is None


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("When the new system goes live, I want to try it early, so that I can help.", "when the new system goes live"),
        ("Als we de nieuwe werkwijze testen, wil ik meedenken zodat het beter wordt.", "als we de nieuwe werkwijze testen"),
        ("Tijdens de overgang naar het nieuwe rooster wil ik hulp", "tijdens de overgang naar het nieuwe rooster"),
        ("When", None),
    ],
)
def test_the_when_part_of_a_situation_runs_from_when_to_the_wish(text, part):
    assert when_part(text) == part


def test_no_comparison_with_the_organisation_when_the_rest_that_mentions_a_theme_is_small(q):
    answers, members = planted_answers("en")
    for rid in members["p2"][-2:]:  # 2 of the other persona write about the course too
        answers[rid]["open_help"] = "A course on the checkout system, please."
    course = found_in(persona_open_themes(q, answers, members)["p1"]["themes"], "course")[0]
    # 11 in the organisation, 9 here: showing the organisation's share would give away the 2.
    assert course["n"] == 9 and course["org_share"] is None and course["z"] is None


# Fifteen kinds of answer that share no word, more than k-means may make clusters: it has to put
# unrelated kinds together, and a theme must still be one kind, counted and quoted under its own words.
KINDS = ["parking garage closed", "canteen coffee cold", "laptop battery dies", "printer paper jams",
         "holiday planning late", "salary slip confusing", "elevator broken again", "badge reader fails",
         "heating office freezing", "locker keys missing", "bicycle shed full", "meeting rooms booked",
         "uniform sizes wrong", "pension letter unclear", "shuttle bus delayed"]


def test_a_theme_holds_only_answers_that_use_its_words_even_with_more_kinds_than_clusters(q):
    answers, members = {}, {"p1": [], "p2": []}
    for k, kind in enumerate(KINDS):
        for i in range(6):
            rid = f"r{k:02d}{i}"
            answers[rid] = {"open_help": f"The {kind}.", "open_worry": ""}
            members["p1" if k % 2 == 0 else "p2"].append(rid)
    result = persona_open_themes(q, answers, members, min_group=5, min_quote_group=10)
    for key in ("p1", "p2"):
        themes = result[key]["themes"]
        assert themes and all(e["n"] == 6 for e in themes)
        for e in themes:  # the quote uses the words of the label it stands under
            assert set(e["label"]) <= set(e["quote"].lower().rstrip(".").split())


def test_a_theme_marked_more_often_is_one_whose_share_is_higher_than_the_rests():
    from toolkit.core.open_themes import share_z

    z = share_z(np.array([22, 5, 40]), 100, np.array([20, 30, 10]), 100)
    assert z[0] > 0 and z[1] < -1.96 and z[2] > 1.96
    assert share_z(np.array([1]), 0, np.array([1]), 10) is None
