"""Persona sets you can trust (issue 17): the same answers give the same set whatever the import
order, round or response ids; stability is never shown across a band; a near miss is told, not
presented; labels are distinct; names are not tied to labels and never a participant's name."""

from __future__ import annotations

import json

import pytest
from exit_survey import INSTRUMENT, exit_rows, write_csv

from toolkit.core.personas import (
    derive_personas,
    load_persona_config,
    shown_stability,
    stability_band,
    stability_text,
    stability_value,
)
from toolkit.core.personas.naming import name_personas
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import score_matrix
from toolkit.data.persona_sets import current_persona_set

ITEMS = [f"{c}_{i}" for c in ("pay", "manager", "growth", "workload", "team", "balance") for i in (1, 2, 3)]


@pytest.fixture
def exit_q(cli, database):
    cli("questionnaire", "add", INSTRUMENT)
    return load_questionnaire(INSTRUMENT)


def import_and_derive(cli, path, title, *derive_options):
    round_id = cli("round", "create", "--questionnaire", "exit-survey", "--title", title).output.strip()
    cli("responses", "import", path, "--round", round_id, "--outcome", "rehire:yes_no",
        "--outcome", "absence_days:numeric")
    output = cli("personas", "derive", "--round", round_id, *derive_options).output
    return int(round_id), output


def comparable(database, round_id) -> str:
    """The persona set as JSON with response ids replaced by the respondent ids of the file."""
    persona_set = current_persona_set(database, round_id, members=True)
    external = dict(database.execute("SELECT id, external_id FROM responses WHERE round_id = ?", [round_id]))
    for persona in persona_set["personas"]:
        persona["members"] = sorted(external[m] for m in persona.pop("members"))
        persona.pop("id")
    for key in ("id", "round_id", "created_at", "review_due", "current"):
        persona_set.pop(key)
    return json.dumps(persona_set, sort_keys=True)


def test_five_shuffled_imports_into_five_rounds_give_identical_persona_sets(cli, exit_q, database, tmp_path):
    # A borderline survey: before issue 17 six shuffles of it gave k = 1 or k = 3 with sizes
    # 103-112, because rows reached the model in the order of their random response ids.
    rows = exit_rows(300, seed=17, strength=0.6)
    sets = set()
    for order in range(5):
        path = write_csv(tmp_path / f"export-{order}.csv", rows, order_seed=order)
        round_id, _output = import_and_derive(cli, path, f"Exit {order}", "--bootstrap", 30)
        sets.add(comparable(database, round_id))
    assert len(sets) == 1
    (only,) = sets
    persona_set = json.loads(only)
    assert persona_set["personas"] and all(p["members"] for p in persona_set["personas"])
    assert persona_set["quality"]["data_seed"] is not None


def test_a_near_miss_is_told_with_its_stability_and_gives_that_stability_when_tried(cli, exit_q, database, tmp_path):
    path = write_csv(tmp_path / "export.csv", exit_rows(300, seed=17, strength=0.5))
    round_id, output = import_and_derive(cli, path, "Exit", "--bootstrap", 30)
    persona_set = current_persona_set(database, round_id)
    near = persona_set["quality"]["near_miss"]
    assert persona_set["k"] == 1 and near["k"] == 2
    assert near["stability"] >= 0.6 and near["stability_band"] in ("indicative", "stable")
    assert {d["construct"] for d in near["distinguishing"]} >= {"manager", "growth"}
    assert f"A possible split: a group of {near['size']} people" in output
    assert f"stability {stability_text(near['stability'])} — try --k 2" in output
    assert len(persona_set["personas"]) == 1  # told, never presented as a persona

    forced_id, _ = import_and_derive(cli, path, "Exit, k = 2", "--bootstrap", 30, "--k", 2)
    forced = current_persona_set(database, forced_id)
    new_group = next(p for p in forced["personas"] if p["size"] == near["size"])
    assert new_group["stability"] == near["stability"]


@pytest.mark.parametrize("raw, shown, band", [
    (0.748, 0.74, "indicative"), (0.7496, 0.74, "indicative"), (0.75, 0.75, "stable"),
    (0.596, 0.59, "unstable"), (0.6, 0.6, "indicative"), (0.999, 1.0, "stable"), (0.753, 0.75, "stable"),
])
def test_stability_is_never_rounded_across_a_band(raw, shown, band):
    assert shown_stability(raw) == shown and stability_band(shown) == band == stability_band(raw)
    assert stability_band(stability_value(raw)) == band
    assert stability_text(raw) == f"{shown:.2f} ({band})"


def test_the_command_line_prints_each_stability_with_its_band(cli, exit_q, database, tmp_path):
    path = write_csv(tmp_path / "export.csv", exit_rows(300, seed=17))
    round_id, output = import_and_derive(cli, path, "Exit", "--bootstrap", 20)
    for persona in current_persona_set(database, round_id)["personas"]:
        assert f"{persona['name']}: {persona['size']} people, stability {stability_text(persona['stability'])}" in output


def _fallback_personas(q, n: int) -> list[dict]:
    """n personas with the same profile: every label rule and fallback phrase would be the same."""
    profile = {c: {"mean": 2.0, "n": 50, "diff": -1.0, "z": -1.2} for c in q.dimension_constructs()}
    distinguishing = [{"construct": c, "mean": 2.0, "org_mean": 3.0, "diff": -1.0, "z": -1.2, "n": 50,
                       "direction": "low"} for c in q.dimension_constructs()[:4]]
    return [{"key": f"p{i + 1}", "profile": profile, "distinguishing": distinguishing} for i in range(n)]


def test_labels_are_distinct_within_a_set(exit_q):
    personas = _fallback_personas(exit_q, 4)
    name_personas(exit_q, personas, load_persona_config(), [], None, seed=1)
    for lang in ("en", "nl"):
        labels = [p["label"][lang] for p in personas]
        assert len(set(labels)) == 4, labels


def test_names_are_drawn_from_the_data_not_from_the_label_and_avoid_participants(exit_q):
    names_for_same_label = set()
    for seed in range(12):
        personas = _fallback_personas(exit_q, 1) + _fallback_personas(exit_q, 1)
        personas[1]["key"] = "p2"
        name_personas(exit_q, personas, load_persona_config(), [], None, seed=seed)
        names_for_same_label.add(personas[0]["name"])
    assert len(names_for_same_label) > 3  # one label, many names: no name is tied to a kind of persona

    pool = ["Anna", "Bram", "Chris"]
    personas = _fallback_personas(exit_q, 2)
    name_personas(exit_q, personas, load_persona_config(), [], pool, seed=0, avoid={"anna", "bram"})
    assert [p["name"] for p in personas] == ["Chris", "Persona 2"]


def test_a_round_never_names_a_persona_after_one_of_its_participants(database, default_q):
    from conftest import make_round_with_responses

    from toolkit.services.participants import import_participants
    from toolkit.services.pipeline import derive_round

    round_id, answers, _ = make_round_with_responses(database, default_q, n=160, seed=5)
    derive_round(database, round_id, bootstrap=0)
    first = [p["name"] for p in current_persona_set(database, round_id)["personas"]]
    rows = [{"email": f"p{i}@example.org", "name": f"{name} Jansen", "team": "", "language": "nl", "attributes": {}}
            for i, name in enumerate(first)]
    import_participants(database, round_id, rows, "secret-key-for-links-0123456789abcdef")
    derive_round(database, round_id, bootstrap=0)
    again = [p["name"] for p in current_persona_set(database, round_id)["personas"]]
    assert len(again) == len(first) and not set(again) & set(first)


def test_derivation_does_not_depend_on_response_ids_or_their_order(exit_q):
    rows = exit_rows(200, seed=3, strength=0.6)
    results = []
    for prefix in ("a", "zz", "0"):
        answers = {f"{prefix}{i * 7919 % 1000:04d}": {k: int(r[k]) for k in ITEMS} for i, r in enumerate(rows)}
        persona_set = derive_personas(score_matrix(exit_q, answers), exit_q, bootstrap=10)
        rename = {f"{prefix}{i * 7919 % 1000:04d}": r["respondent_id"] for i, r in enumerate(rows)}
        for persona in persona_set["personas"]:
            persona["members"] = sorted(rename[m] for m in persona["members"])
        results.append(json.dumps(persona_set, sort_keys=True))
    assert len(set(results)) == 1
