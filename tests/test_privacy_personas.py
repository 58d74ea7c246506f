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
