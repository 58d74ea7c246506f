"""Deriving again keeps people's work: the web shows what changes and asks to confirm; names and
narratives carry over to the personas that continue earlier ones; the rest stays readable on
the earlier set, which says it was replaced."""

from __future__ import annotations

import pytest
from conftest import login, make_round_with_responses, make_users, wait_for_job

from toolkit.core.privacy import presentable_personas
from toolkit.core.rederive import replacement_plan
from toolkit.data.persona_sets import current_persona_set, load_persona_set, pending_persona_set
from toolkit.services.pipeline import derive_round

NARRATIVE = "Our early adopters: they test every new tool first and tell their team about it."


@pytest.fixture
def edited(database, default_q, client):
    """A derived round whose largest persona a change manager renamed and described."""
    users = make_users(database)
    round_id, _answers, _labels = make_round_with_responses(database, default_q, n=120, seed=3)
    first = derive_round(database, round_id, bootstrap=5)
    persona = presentable_personas(current_persona_set(database, round_id))[0]
    login(client, users["change_manager"][1])
    database.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)",
                     [round_id, users["change_manager"][0]])
    response = client.post(f"/personas/{persona['id']}/edit", data={"name": "Pioneers", "narrative": NARRATIVE})
    assert response.status_code == 302
    return {"users": users, "round_id": round_id, "first": first, "persona": persona}


def test_rederive_waits_for_confirmation_then_keeps_the_description(client, database, edited):
    round_id, first, persona = edited["round_id"], edited["first"], edited["persona"]
    second = derive_round(database, round_id, bootstrap=5, review=True)
    assert current_persona_set(database, round_id)["id"] == first  # nothing changed yet
    assert pending_persona_set(database, round_id)["id"] == second

    review = client.get(f"/rounds/{round_id}/persona-sets/{second}/review?lang=en").get_data(as_text=True)
    assert "Nothing has changed yet" in review and "Personas that come back" in review
    assert "Pioneers" in review and "name and narrative" in review
    assert "Use the new personas" in review and "Keep the current personas" in review

    response = client.post(f"/rounds/{round_id}/persona-sets/{second}/confirm")
    assert response.status_code == 302
    current = current_persona_set(database, round_id)
    assert current["id"] == second
    heir = next(p for p in current["personas"] if p["carried_from"] == persona["id"])
    assert heir["name"] == "Pioneers" and heir["narrative"] == NARRATIVE
    assert heir["derived_name"] == persona["derived_name"]  # the derived name carries over too
    assert NARRATIVE in client.get(f"/personas/{heir['id']}?lang=en").get_data(as_text=True)

    old = load_persona_set(database, first)
    assert old["replaced_by"] == second and not old["current"]
    old_page = client.get(f"/personas/{persona['id']}?lang=en").get_data(as_text=True)
    assert "by a newer derivation of this round" in old_page and NARRATIVE in old_page
    assert f"/rounds/{round_id}/persona-sets/{second}" in old_page  # the "replaced by" link
    earlier = client.get(f"/rounds/{round_id}/persona-sets/{first}?lang=en").get_data(as_text=True)
    assert "Earlier personas" in earlier and "Pioneers" in earlier
    overview = client.get(f"/rounds/{round_id}/personas?lang=en").get_data(as_text=True)
    assert "Earlier persona sets" in overview and f"/persona-sets/{first}" in overview


def test_keeping_the_current_personas_drops_the_new_derivation(client, database, edited):
    round_id, first = edited["round_id"], edited["first"]
    second = derive_round(database, round_id, bootstrap=5, review=True, k=2)
    assert client.post(f"/rounds/{round_id}/persona-sets/{second}/discard").status_code == 302
    assert current_persona_set(database, round_id)["id"] == first
    assert pending_persona_set(database, round_id) is None
    assert client.get(f"/rounds/{round_id}/persona-sets/{second}/review").status_code == 404


def test_the_command_line_carries_work_over_at_once(database, edited):
    round_id = edited["round_id"]
    second = derive_round(database, round_id, bootstrap=5)
    assert current_persona_set(database, round_id)["id"] == second
    assert any(p["narrative"] == NARRATIVE for p in current_persona_set(database, round_id)["personas"])


def test_deriving_from_the_web_leads_to_the_review(client, database, edited, job_consumer):
    round_id = edited["round_id"]
    response = client.post(f"/rounds/{round_id}/derive", data={"k": ""})
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    wait_for_job(database, job_id, until=("done",), timeout=120)
    page = client.get(f"/rounds/{round_id}/jobs/{job_id}")
    pending = pending_persona_set(database, round_id)
    assert page.status_code == 302 and page.headers["Location"].endswith(
        f"/rounds/{round_id}/persona-sets/{pending['id']}/review")


def _set(*personas, sd=1.0) -> dict:
    profile = {c: {"mean": 3.0, "sd": sd} for c in ("a", "b")}
    return {"dimensions": ["a", "b"], "n_used": sum(p["size"] for p in personas), "overall": {"profile": profile},
            "personas": list(personas)}


def _persona(key, a, b, size=50, pid=None, name=None, narrative=None) -> dict:
    return {"key": key, "id": pid, "name": name or key, "derived_name": key, "narrative": narrative, "size": size,
            "profile": {"a": {"mean": a}, "b": {"mean": b}}}


def test_a_persona_without_a_single_heir_is_listed_as_work_that_does_not_carry_over():
    before = _set(_persona("p1", 4.5, 2.0, pid=1, name="Doers"), _persona("p2", 2.0, 4.5, pid=2, narrative="Sceptics"))
    after = _set(_persona("q1", 4.4, 2.1), _persona("q2", 1.0, 1.0))
    plan = replacement_plan(before, after)
    assert [(m.before["key"], m.after["key"]) for m in plan.matches] == [("p1", "q1")]
    assert plan.carried == {"q1": 1} and plan.names == {"q1": "p1"}
    assert [p["key"] for p in plan.gone] == ["p2"] and [p["key"] for p in plan.lost] == ["p2"]
    assert [p["key"] for p in plan.new] == ["q2"]
    assert plan.fate == {"p2": ("vanish", ())} and plan.origin == {"q2": ("appear", ())}


def test_names_stay_unique_when_a_new_persona_had_the_name_a_match_takes_over():
    before = _set(_persona("p1", 4.5, 2.0, pid=1, name="Sem"), _persona("p2", 2.0, 4.5, pid=2, name="Roos"))
    before["personas"][0]["derived_name"], before["personas"][1]["derived_name"] = "Sem", "Roos"
    after = _set(_persona("q1", 4.4, 2.1, name="Tom"), _persona("q2", 1.0, 1.0, name="Sem"))
    plan = replacement_plan(before, after)
    assert plan.names == {"q1": "Sem", "q2": "Tom"}  # q2 gives up "Sem" and takes the name q1 freed


def test_a_name_that_is_now_a_participants_first_name_is_not_carried_over():
    before = _set(_persona("p1", 4.5, 2.0, pid=1, name="Sem"), _persona("p2", 2.0, 4.5, pid=2, name="Roos"))
    before["personas"][0]["derived_name"], before["personas"][1]["derived_name"] = "Sem", "Roos"
    after = _set(_persona("q1", 4.4, 2.1, name="Tom"), _persona("q2", 2.1, 4.4, name="Eva"))
    assert replacement_plan(before, after).names == {"q1": "Sem", "q2": "Roos"}
    plan = replacement_plan(before, after, avoid={"SEM"})
    assert plan.names == {"q2": "Roos"}  # q1 keeps "Tom", the name it was derived with
