"""Comparing persona sets between rounds: persist, grow, shrink, split, merge, appear, vanish."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from toolkit.core.compare import (
    GROW_POINTS,
    MATCH_DISTANCE,
    carry_over_names,
    compare_persona_sets,
    drift_summary,
    kinds_by_name,
)
from toolkit.core.personas import derive_personas
from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.scoring import score_matrix
from toolkit.core.synthetic import SEGMENT_SHAPES, generate_responses

BASELINE = {"energised_innovator": 0.40, "anxious_rule_follower": 0.35, "practical_sceptic": 0.25}
# innovators grow (+10 points), rule followers shrink (-20), sceptics stay (-3), disengaged appear.
FOLLOW_UP = {"energised_innovator": 0.50, "anxious_rule_follower": 0.15, "practical_sceptic": 0.22,
             "disengaged": 0.13}
EXPECTED = {"energised_innovator": "grow", "anxious_rule_follower": "shrink", "practical_sceptic": "persist",
            "disengaged": "appear"}


def _responses(q, shares, n, seed):
    segments = [replace(SEGMENT_SHAPES[key], share=share) for key, share in shares.items()]
    answers, labels, _contexts = generate_responses(q, n, segments=segments, seed=seed)
    truth = {rid: list(shares)[label] for rid, label in labels.items()}
    return answers, truth


def _derived(q, shares, n, seed):
    answers, truth = _responses(q, shares, n, seed)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=10, seed=0)
    return persona_set, truth


def _segment_of(persona, truth):
    return Counter(truth[rid] for rid in persona["members"]).most_common(1)[0][0]


def _kinds_by_segment(comparison, before, after, truth_before, truth_after):
    segment = {("b", p["key"]): _segment_of(p, truth_before) for p in before["personas"]}
    segment |= {("a", p["key"]): _segment_of(p, truth_after) for p in after["personas"]}
    result = {}
    for change in comparison["changes"]:
        for side in ("before", "after"):
            for p in change[side]:
                result.setdefault(segment[(side[0], p["key"])], set()).add(change["kind"])
    return result


@pytest.fixture(scope="module")
def default_q():
    return get_questionnaire("default")


@pytest.fixture(scope="module")
def pulse_q():
    return get_questionnaire("pulse")


@pytest.fixture(scope="module")
def two_rounds(default_q):
    before, truth_b = _derived(default_q, BASELINE, 300, seed=1)
    after, truth_a = _derived(default_q, FOLLOW_UP, 300, seed=2)
    return before, after, truth_b, truth_a


def test_two_synthetic_rounds_report_exactly_one_growing_one_shrinking_one_appearing_segment(two_rounds):
    before, after, truth_b, truth_a = two_rounds
    comparison = compare_persona_sets(before, after)
    kinds = _kinds_by_segment(comparison, before, after, truth_b, truth_a)
    assert kinds == {segment: {kind} for segment, kind in EXPECTED.items()}
    assert Counter(ch["kind"] for ch in comparison["changes"]) == Counter(EXPECTED.values())
    grow = next(ch for ch in comparison["changes"] if ch["kind"] == "grow")
    assert grow["share_before"] == pytest.approx(0.40, abs=0.03)
    assert grow["share_after"] == pytest.approx(0.50, abs=0.03)
    assert grow["share_change"] >= GROW_POINTS
    appear = next(ch for ch in comparison["changes"] if ch["kind"] == "appear")
    assert appear["before"] == [] and appear["size_before"] == 0 and appear["size_after"] >= 30


def test_names_carry_over_for_personas_that_persist_grow_or_shrink(two_rounds):
    before, after, _tb, _ta = two_rounds
    comparison = compare_persona_sets(before, after)
    one_to_one = [ch for ch in comparison["changes"] if ch["kind"] in ("persist", "grow", "shrink")]
    assert len(comparison["names"]) == len(one_to_one) == 3
    renamed = carry_over_names(comparison, after)
    by_key = {p["key"]: p["name"] for p in renamed["personas"]}
    for ch in one_to_one:
        assert by_key[ch["after"][0]["key"]] == ch["before"][0]["name"]
    assert len(set(by_key.values())) == len(by_key), "names in one set stay unique"


def test_carried_name_that_clashes_with_a_new_persona_swaps_names():
    before = _set({"Sanne": (3.0, 50)})
    after = _set({"Daan": (3.05, 50), "Sanne": (4.9, 50)})
    comparison = compare_persona_sets(before, after)
    renamed = {p["key"]: p["name"] for p in carry_over_names(comparison, after)["personas"]}
    assert renamed == {"Daan": "Sanne", "Sanne": "Daan"}


def test_per_persona_and_organisation_construct_changes_are_reported(two_rounds):
    before, after, _tb, _ta = two_rounds
    comparison = compare_persona_sets(before, after)
    org = {row["construct"]: row for row in comparison["organisation"]["constructs"]}
    assert set(org) == set(before["dimensions"])
    # More innovators and fewer anxious rule followers: change efficacy rises organisation-wide.
    assert org["change_efficacy"]["changed"] and org["change_efficacy"]["direction"] == "up"
    persist = next(ch for ch in comparison["changes"] if ch["kind"] == "persist")
    assert [row["construct"] for row in persist["constructs"]] == comparison["shared_constructs"]
    assert all(abs(row["diff"]) < 0.3 for row in persist["constructs"]), "same segment, same profile"


def test_pulse_round_is_scored_and_compared_on_shared_constructs_only(default_q, pulse_q, two_rounds):
    before, _after, truth_b, _ta = two_rounds
    answers, truth_p = _responses(pulse_q, FOLLOW_UP, 300, seed=3)
    matrix = score_matrix(pulse_q, answers)
    assert not set(matrix.constructs) & {"intrinsic", "amotivation"}
    pulse = derive_personas(matrix, pulse_q, bootstrap=10, seed=0)
    comparison = compare_persona_sets(before, pulse)

    readiness = [c for c in default_q.dimension_constructs() if default_q.constructs[c].block == "readiness"]
    motivation = [c for c in default_q.dimension_constructs() if default_q.constructs[c].block == "motivation"]
    assert comparison["shared_constructs"] == readiness
    assert comparison["unmeasured"] == motivation
    for change in comparison["changes"]:
        assert {row["construct"] for row in change["constructs"]} <= set(readiness)
    assert {row["construct"] for row in comparison["organisation"]["constructs"]} <= set(readiness)
    kinds = _kinds_by_segment(comparison, before, pulse, truth_b, truth_p)
    assert kinds["energised_innovator"] == {"grow"}
    assert kinds["anxious_rule_follower"] == {"shrink"}
    assert kinds["disengaged"] == {"appear"}

    lines = drift_summary(comparison | {"construct_names": {c: default_q.constructs[c].name for c in motivation}}, "en")
    assert lines[-1].startswith("Not measured in the later round")
    assert all(default_q.constructs[c].name["en"].lower() in lines[-1].lower() for c in motivation)


# --- hand-made sets: the rules at their edges ---------------------------------------------

CONSTRUCTS = ("a", "b", "c", "d")


def _set(personas: dict[str, tuple[float, int]], *, constructs=CONSTRUCTS, negative=()) -> dict:
    """A persona set whose personas sit at one level on every construct; organisation sd 1."""
    n = sum(size for _level, size in personas.values())
    return {
        "dimensions": list(constructs), "n_used": n,
        "overall": {"n": n, "level": 3.0, "profile": {
            c: {"mean": sum(lv * s for lv, s in personas.values()) / n, "sd": 1.0, "n": n} for c in constructs}},
        "personas": [
            {"key": name, "name": name, "size": size, "share": size / n, "negative": name in negative,
             "label": {"en": name, "nl": name}, "profile": {c: {"mean": level, "n": size} for c in constructs}}
            for name, (level, size) in personas.items()
        ],
    }


def test_one_persona_falling_apart_into_two_close_ones_is_a_split():
    before = _set({"Mid": (3.0, 60), "Far": (1.0, 40)})
    after = _set({"Up": (3.3, 30), "Down": (2.7, 30), "Far": (1.0, 40)})
    comparison = compare_persona_sets(before, after)
    assert kinds_by_name(comparison) == {"Mid": "split", "Up": "split", "Down": "split", "Far": "persist"}
    split = next(ch for ch in comparison["changes"] if ch["kind"] == "split")
    assert split["size_before"] == 60 and split["size_after"] == 60
    assert "Mid" not in comparison["names"].values(), "a split persona does not hand its name to one part"


def test_two_close_personas_becoming_one_is_a_merge():
    before = _set({"Up": (3.3, 30), "Down": (2.7, 30), "Far": (1.0, 40)})
    after = _set({"Mid": (3.0, 60), "Far": (1.0, 40)})
    assert kinds_by_name(compare_persona_sets(before, after)) == {
        "Up": "merge", "Down": "merge", "Mid": "merge", "Far": "persist"}


def test_persona_with_no_close_successor_vanishes():
    before = _set({"Stay": (3.0, 60), "Gone": (1.0, 40)})
    after = _set({"Stay": (3.0, 60), "Other": (5.0, 40)})
    assert kinds_by_name(compare_persona_sets(before, after)) == {"Stay": "persist", "Gone": "vanish",
                                                                "Other": "appear"}


def test_match_needs_distance_at_most_the_stated_threshold():
    near = compare_persona_sets(_set({"P": (3.0, 50)}), _set({"P": (3.0 + MATCH_DISTANCE - 0.01, 50)}))
    far = compare_persona_sets(_set({"P": (3.0, 50)}), _set({"P": (3.0 + MATCH_DISTANCE + 0.01, 50)}))
    assert [ch["kind"] for ch in near["changes"]] == ["persist"]
    assert sorted(ch["kind"] for ch in far["changes"]) == ["appear", "vanish"]


@pytest.mark.parametrize(("share_after", "kind"), [(0.29, "persist"), (0.31, "grow"), (0.19, "shrink"),
                                                   (0.21, "persist")])
def test_size_change_needs_five_points_and_a_fifth_of_the_earlier_share(share_after, kind):
    before = _set({"P": (3.0, 25), "Q": (1.0, 75)})
    after = _set({"P": (3.0, round(share_after * 100)), "Q": (1.0, 100 - round(share_after * 100))})
    assert kinds_by_name(compare_persona_sets(before, after))["P"] == kind


def test_small_share_growing_five_points_is_not_enough_without_a_fifth_more():
    before = _set({"P": (3.0, 60), "Q": (1.0, 40)})
    after = _set({"P": (3.0, 66), "Q": (1.0, 34)})  # +6 points but only +10 %
    assert kinds_by_name(compare_persona_sets(before, after))["P"] == "persist"


def test_rounds_without_shared_constructs_are_not_comparable():
    comparison = compare_persona_sets(_set({"P": (3.0, 50)}), _set({"P": (3.0, 50)}, constructs=("x", "y")))
    assert comparison["comparable"] is False
    assert comparison["shared_constructs"] == [] and comparison["unmeasured"] == list(CONSTRUCTS)
    assert drift_summary(comparison, "nl") == [
        "De twee rondes hebben geen personaconstructen gemeen; personas zijn niet te vergelijken."]


def test_a_round_without_distinct_personas_is_not_read_as_one_persona_that_grew():
    """A newcomer saw a pulse round with one profile for everyone reported as "Tom grew from
    32 % to 100 %: give what works for this group more weight"."""
    before = _set({"Tom": (3.0, 32), "Eva": (1.0, 68)})
    after = _set({"Zara": (3.0, 100)})
    assert kinds_by_name(compare_persona_sets(before, after))["Zara"] == "grow"  # what it said before
    after["no_distinct_personas"] = True
    comparison = compare_persona_sets(before, after)
    assert comparison["comparable"] is False and comparison["no_distinct_personas"] is True
    assert comparison["changes"] == [] and comparison["names"] == {}  # no grow, and no name taken over
    en = drift_summary(comparison, "en")
    assert en[0].startswith("One of the two rounds found no distinct personas")
    assert not any("grew" in line for line in en) and len(en) > 1  # the organisation's figures follow
    assert drift_summary(comparison, "nl")[0].startswith("Een van de twee rondes vond geen")


def test_drift_summary_says_what_changed_and_what_not_to_do_for_a_negative_persona():
    before = _set({"Stay": (3.0, 80), "Gone": (1.0, 20)})
    after = _set({"Stay": (3.0, 70), "Grumpy": (5.0, 30)}, negative=("Grumpy",))
    en = drift_summary(compare_persona_sets(before, after), "en")
    nl = drift_summary(compare_persona_sets(before, after), "nl")
    assert len(en) == len(nl) and en != nl
    assert any(line.startswith("A new group appeared: Grumpy (30%") for line in en)
    assert any("Grumpy is a group for whom the standard approach backfires: do not" in line for line in en)
    assert any(line.startswith("Gone (20% before) is no longer seen") for line in en)
    assert any("Grumpy" in line and "averechts" in line for line in nl)


def test_organisation_change_needs_a_fifth_of_a_point_and_two_standard_errors():
    small = compare_persona_sets(_set({"P": (3.0, 400)}), _set({"P": (3.15, 400)}))
    large = compare_persona_sets(_set({"P": (3.0, 400)}), _set({"P": (3.3, 400)}))
    noisy = compare_persona_sets(_set({"P": (3.0, 6)}), _set({"P": (3.3, 6)}))
    assert not any(r["changed"] for r in small["organisation"]["constructs"])
    assert all(r["changed"] and r["direction"] == "up" for r in large["organisation"]["constructs"])
    assert not any(r["changed"] for r in noisy["organisation"]["constructs"]), "n = 6: within the noise"
    assert np.isclose(large["organisation"]["constructs"][0]["diff"], 0.3)
