"""No small group can be worked out by subtracting personas' context counts from a team's size."""

from toolkit.core.personas import derive_personas, describe_personas
from toolkit.core.scoring import score_matrix
from toolkit.core.synthetic import generate_responses


def _set_with_teams(default_q, finance_split):
    answers, _labels, _contexts = generate_responses(
        default_q, 160, segments=["energised_innovator", "practical_sceptic"], seed=4)
    persona_set = derive_personas(score_matrix(default_q, answers), default_q, bootstrap=0)
    first, second = persona_set["personas"][:2]
    contexts = {rid: {"team": "Other"} for rid in answers}
    for persona, n in zip((first, second), finance_split, strict=True):
        for rid in persona["members"][:n]:
            contexts[rid] = {"team": "Finance"}
    described = describe_personas(persona_set, default_q, answers, contexts)
    return {p["key"]: p["description"] for p in described["personas"]}, first["key"], second["key"]


def finance(description):
    return [c["n"] for c in description["context"]["team"] if c["value"] == "Finance"]


def test_a_shown_cell_is_hidden_when_the_rest_of_the_team_would_be_fewer_than_five(default_q):
    descriptions, first, second = _set_with_teams(default_q, (8, 4))
    # 12 in Finance; showing 8 in the first persona would reveal 4 in the other
    assert finance(descriptions[first]) == [] and finance(descriptions[second]) == []
    assert any("cannot be worked out" in s for s in descriptions[first]["suppressed"])


def test_cells_stay_when_the_rest_is_large_enough_or_nothing(default_q):
    descriptions, first, second = _set_with_teams(default_q, (8, 6))
    assert finance(descriptions[first]) == [8] and finance(descriptions[second]) == [6]


def _fabricated_set(default_q, teams_a, teams_b, excluded_teams):
    """Persona A and B with the given team per member, and excluded respondents beside them."""
    personas, contexts, answers = [], {}, {}
    for key, teams in (("p1", teams_a), ("p2", teams_b)):
        members = [f"{key}-{i:03d}" for i in range(len(teams))]
        for rid, team in zip(members, teams, strict=True):
            contexts[rid], answers[rid] = {"team": team}, {}
        personas.append({"key": key, "size": len(members), "members": members, "presented": True})
    for i, team in enumerate(excluded_teams):  # answered too little to be clustered
        contexts[f"excluded-{i}"], answers[f"excluded-{i}"] = {"team": team}, {}
    persona_set = {"personas": personas, "excluded": {"too_many_missing": len(excluded_teams)}}
    described = describe_personas(persona_set, default_q, answers, contexts)
    return {p["key"]: p["description"] for p in described["personas"]}


def teams(description):
    return {c["value"]: c["n"] for c in description["context"]["team"]}


def test_excluded_respondents_are_not_counted_as_hidden_members_of_a_persona(default_q):
    # Issue 17: A has 20 people in team X, B 100 elsewhere, 2 excluded respondents are in X.
    # Before, A's team list came out empty ("1 category hidden so that a smaller group cannot be
    # worked out"): the two excluded were counted as hidden persona members.
    descriptions = _fabricated_set(default_q, ["X"] * 20, ["Y"] * 100, ["X", "X"])
    assert teams(descriptions["p1"]) == {"X": 20}
    assert teams(descriptions["p2"]) == {"Y": 100}
    assert not any("cannot be worked out" in s for d in descriptions.values() for s in d["suppressed"])


def test_the_subtraction_guard_still_hides_when_real_members_would_be_revealed(default_q):
    # The same team X, but the two are members of B: showing A's 20 would reveal B's 2.
    descriptions = _fabricated_set(default_q, ["X"] * 20, ["Y"] * 98 + ["X", "X"], [])
    assert "X" not in teams(descriptions["p1"]) and "X" not in teams(descriptions["p2"])
    assert any("cannot be worked out" in s for s in descriptions["p1"]["suppressed"])
    # ... and with excluded respondents beside them, it hides exactly as much.
    descriptions = _fabricated_set(default_q, ["X"] * 20, ["Y"] * 98 + ["X", "X"], ["X"] * 4)
    assert "X" not in teams(descriptions["p1"])
