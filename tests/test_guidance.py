"""Guidance rules: the shipped file, the loader's messages, and advice that cites its data."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from toolkit.core.guidance import (
    ASPECTS,
    GUIDANCE_PATH,
    SECTIONS,
    GuidanceError,
    evaluate,
    load_guidance,
    parse_guidance,
    top_advice,
)

FIXTURE = Path(__file__).parent / "fixtures" / "persona_set_example.json"


@pytest.fixture(scope="module")
def rules():
    return load_guidance()


@pytest.fixture(scope="module")
def q():
    from toolkit.core.questionnaire import get_questionnaire

    return get_questionnaire("default")


@pytest.fixture
def persona_set():
    return json.loads(FIXTURE.read_text("utf-8"))


def persona(persona_set, key):
    return next(p for p in persona_set["personas"] if p["key"] == key)


def advise(rules, persona_set, key, lang="en", q=None, **kw):
    return evaluate(
        rules, persona(persona_set, key), lang, overall=persona_set["overall"], q=q, **kw
    )


# A minimal valid file: one default per section, to which tests add rules.
def minimal_toml(extra: str = "") -> str:
    from toolkit.core.guidance import REASON_KEYS

    reasons = "\n".join(
        f'{k}.nl = "r {{reasons}}"\n{k}.en = "r {{reasons}}"'
        if k == "because"
        else f'{k}.nl = "{k}"\n{k}.en = "{k}"'
        for k in REASON_KEYS
    )
    rules = []
    for audience, sections in SECTIONS.items():
        for section in sections:
            for aspect in ASPECTS if section == "key_messages" else (None,):
                rid = f"d-{audience}-{section}" + (f"-{aspect}" if aspect else "")
                rules.append(
                    f'[[rules]]\nid = "{rid}"\naudience = "{audience}"\nsection = "{section}"\n'
                    + (f'aspect = "{aspect}"\n' if aspect else "")
                    + 'default = true\ntext.nl = "standaard"\ntext.en = "default"\n'
                    + ('answer.nl = "a"\nanswer.en = "a"\n' if section == "questions" else "")
                )
    return (
        'languages = ["nl", "en"]\n[reasons]\n' + reasons + "\n" + extra + "\n" + "\n".join(rules)
    )


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_rules_load_and_every_section_has_a_default(rules):
    assert rules.path == str(GUIDANCE_PATH)
    for audience, sections in SECTIONS.items():
        for section in sections:
            defaults = [
                r
                for r in rules.rules
                if r.audience == audience and r.section == section and r.default
            ]
            assert defaults, f"{audience}/{section} has no default advice"


def test_shipped_rules_cover_every_section_with_data_driven_advice(rules):
    conditional = [r for r in rules.rules if r.conditions]
    assert len(conditional) >= 30
    for audience, sections in SECTIONS.items():
        for section in sections:
            assert any(r.audience == audience and r.section == section for r in conditional), (
                audience,
                section,
            )
    for aspect in ASPECTS:
        assert any(r.section == "key_messages" and r.aspect == aspect for r in conditional), aspect


def test_shipped_rules_have_dutch_and_english_text(rules):
    for rule in rules.rules:
        assert rule.text["nl"].strip() and rule.text["en"].strip(), rule.id
        assert rule.text["nl"] != rule.text["en"] or rule.default, rule.id
        if rule.section == "questions":
            assert rule.answer and rule.answer["nl"] and rule.answer["en"], rule.id


def test_shipped_option_values_exist_in_default_questionnaire(rules, q):
    """A rule about an option the instrument does not have would silently never fire."""
    for rule in rules.rules:
        for cond in rule.conditions:
            if cond.kind == "choice" and cond.value is not None:
                values = {o.value for item in q.items_with_role(cond.subject) for o in item.options}
                assert cond.value in values, (rule.id, cond.value)
            if cond.kind in ("construct", "adkar"):
                assert cond.subject in q.constructs, (rule.id, cond.subject)


# --- the loader ---------------------------------------------------------------------------------


def test_minimal_file_is_valid():
    loaded = parse_guidance(minimal_toml(), "mini.toml")
    assert all(r.default for r in loaded.rules)


def test_loader_reports_every_problem_with_file_and_rule_id(tmp_path):
    bad = minimal_toml("""
[[rules]]
id = "bad-section"
audience = "communication"
section = "gaps"
text.nl = "x"
text.en = "x"
when = [{construct = "change_efficacy", diff_below = -0.4}]

[[rules]]
id = "no-english"
audience = "training"
section = "format"
text.nl = "alleen Nederlands"
when = [{construct = "change_efficacy", diff_below = -0.4}]

[[rules]]
id = "bad-op"
audience = "training"
section = "pace"
text.nl = "x"
text.en = "x"
when = [{construct = "change_efficacy", lower_than = -0.4}]

[[rules]]
id = "bad-placeholder"
audience = "training"
section = "pace"
text.nl = "x {name.__class__}"
text.en = "x {secret}"
when = [{construct = "change_efficacy", diff_below = -0.4}]

[[rules]]
id = "bad-choice"
audience = "communication"
section = "channels"
text.nl = "x"
text.en = "x"
when = [{choice = "comm_channels", share_above = 0.4}]

[[rules]]
id = "no-aspect"
audience = "communication"
section = "key_messages"
text.nl = "x"
text.en = "x"
when = [{construct = "change_efficacy", diff_below = -0.4}]

[[rules]]
id = "bad-op"
audience = "training"
section = "pace"
default = true
text.nl = "x"
text.en = "x"
""")
    path = tmp_path / "guidance.toml"
    path.write_text(bad, "utf-8")
    with pytest.raises(GuidanceError) as caught:
        load_guidance(path)
    message = str(caught.value)
    problems = caught.value.problems
    assert str(path) in message
    expected = {
        "bad-section": "not a communication section",
        "no-english": "missing en translation of 'text'",
        "bad-op": "needs exactly one test",
        "bad-placeholder": "unknown placeholder",
        "bad-choice": "needs value",
        "no-aspect": "need aspect",
    }
    for rule_id, fragment in expected.items():
        assert any(f"rule '{rule_id}'" in p and fragment in p for p in problems), (
            rule_id,
            problems,
        )
    assert any("rule 'bad-op': duplicate id" in p for p in problems)
    assert len(problems) >= 8  # all at once, not one per attempt


def test_loader_names_the_file_on_broken_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("rules = [", "utf-8")
    with pytest.raises(GuidanceError, match="broken.toml.*not valid TOML"):
        load_guidance(path)


def test_loader_requires_a_default_per_section():
    text = minimal_toml().replace(
        'default = true\ntext.nl = "standaard"', 'text.nl = "standaard"', 1
    )
    with pytest.raises(GuidanceError, match="no default rule"):
        parse_guidance(text)


def test_default_rules_may_not_use_figures():
    text = minimal_toml("""
[[rules]]
id = "default-with-figure"
audience = "training"
section = "pace"
default = true
text.nl = "{mean}"
text.en = "{mean}"
""")
    with pytest.raises(GuidanceError, match="default-with-figure.*rest on no figure"):
        parse_guidance(text)


def test_conditions_are_data_never_code():
    """A subject that looks like code is just an unknown name: the rule does not fire."""
    text = minimal_toml("""
[[rules]]
id = "sneaky"
audience = "training"
section = "pace"
when = [{construct = "__import__('os').system('false')", mean_above = 0}]
text.nl = "x"
text.en = "fired"
""")
    loaded = parse_guidance(text)
    person = {
        "key": "p",
        "name": "N",
        "size": 50,
        "profile": {"intrinsic": {"mean": 3, "n": 50, "diff": 0}},
    }
    assert all(a.text != "fired" for a in evaluate(loaded, person, "en"))


# --- evaluation ---------------------------------------------------------------------------------


def test_low_efficacy_persona_gets_advice_citing_condition_figure_and_n(rules, persona_set, q):
    advices = advise(rules, persona_set, "p1", "en", q)
    how = next(a for a in advices if a.rule_id == "km-how-efficacy")
    assert how.because == (
        "because change efficacy is 0.8 points below the organisation "
        "(2.6 vs 3.4; n = 80 in this group)"
    )
    evidence = how.evidence[0]
    assert evidence.n == 80 and evidence.n_counts == "members"
    assert evidence.figure == pytest.approx(-1.0)  # a z test: the figure is z
    assert evidence.diff == pytest.approx(-0.8) and evidence.z == pytest.approx(-1.0)
    assert how.strength == pytest.approx(1.0)
    assert top_advice(advices, "communication").rule_id == "km-how-efficacy"


def test_dutch_citation_uses_construct_name_and_decimal_comma(rules, persona_set, q):
    advices = advise(rules, persona_set, "p1", "nl", q)
    how = next(a for a in advices if a.rule_id == "km-how-efficacy")
    assert how.because == (
        "omdat vertrouwen in eigen kunnen 0,8 punt lager ligt dan in de organisatie "
        "(2,6 tegenover 3,4; n = 80 in deze groep)"
    )


def test_choice_and_adkar_citations_show_share_n_and_base(rules, persona_set, q):
    """For a choice "n" counts who chose the option and the base (who answered) is shown."""
    advices = {a.rule_id: a for a in advise(rules, persona_set, "p1", "en", q)}
    channel = advices["chan-team-meeting"]
    assert channel.text.startswith("Bring the news in the team meeting")
    assert channel.because == (
        "because ‘Team meeting’ is their most chosen option "
        "(55%: n = 44 of the 80 who answered)"
    )
    assert channel.evidence[0].n_counts == "chose" and channel.evidence[0].base == 80
    gap = advices["gap-ability-floor"]  # the on-the-job variant: they learn best at work
    assert gap.because == (
        "because 58% score ability at 3 or lower, a barrier (mean 2.6 vs 3.3 in the "
        "organisation; n = 79 in this group) and ‘On the job, learning by doing’ is "
        "their most chosen option (60%: n = 48 of the 80 who answered)"
    )


def test_each_section_gets_advice_and_defaults_stand_in(rules, persona_set, q):
    advices = advise(rules, persona_set, "p2", "en", q)
    for audience, sections in SECTIONS.items():
        for section in sections:
            assert any(a.audience == audience and a.section == section for a in advices), section
    digital = [a for a in advise(rules, persona_set, "p3", "en", q) if a.section == "digital"]
    assert [a.rule_id for a in digital] == ["dig-default"]
    assert digital[0].because.startswith("general advice")
    assert not digital[0].evidence and digital[0].strength == 0


def test_flat_persona_without_description_gets_only_general_advice(rules, persona_set):
    flat = copy.deepcopy(persona(persona_set, "p1"))
    for entry in flat["profile"].values():
        entry["diff"], entry["z"] = 0.0, 0.0
    flat.pop("description")
    advices = evaluate(rules, flat, "en", overall=persona_set["overall"])
    data_backed = [a for a in advices if a.evidence]
    assert data_backed == []
    assert {a.section for a in advices} == {s for ss in SECTIONS.values() for s in ss}


def test_figures_from_fewer_than_min_group_people_never_count(rules, persona_set, q):
    small = copy.deepcopy(persona(persona_set, "p1"))
    small["profile"]["change_efficacy"]["n"] = 4
    ids = {a.rule_id for a in evaluate(rules, small, "en", overall=persona_set["overall"], q=q)}
    assert "km-how-efficacy" not in ids and "gap-efficacy" not in ids
    # a raised minimum group hides the channel counts (44 people) as well
    ids = {a.rule_id for a in advise(rules, persona_set, "p1", "en", q, min_group=50)}
    assert "chan-top" not in ids and "km-how-efficacy" in ids


def test_sequence_lists_one_variant_per_module_in_order(rules, persona_set, q):
    """Each module (topic) appears once, in its persona-specific variant, in programme order."""
    sequence = [a for a in advise(rules, persona_set, "p1", "en", q) if a.section == "sequence"]
    ids = [a.rule_id for a in sequence]
    assert [a.order for a in sequence] == sorted(a.order for a in sequence)
    topics = [a.topic for a in sequence if a.topic]
    assert len(topics) == len(set(topics))
    assert ids[0].startswith("seq-start-") and ids[0] != "seq-kickoff"  # a variant, not the fallback
    assert any(i.startswith("seq-first-steps") for i in ids)
    assert any(i.startswith("seq-practice") for i in ids)
    # without a description only the standard steps remain, cited as standard
    flat = {k: v for k, v in persona(persona_set, "p1").items() if k != "description"}
    flat["profile"] = {}
    plain = [a for a in evaluate(rules, flat, "en") if a.section == "sequence"]
    assert [a.rule_id for a in plain] == ["seq-kickoff", "seq-knowledge", "seq-practice", "seq-followup"]
    assert {a.because for a in plain} == {"a standard step in every programme"}


def test_sections_are_capped_by_evidence_strength_never_dropping_strong_advice(rules, persona_set, q):
    everything = parse_guidance(
        GUIDANCE_PATH.read_text("utf-8").replace("max_per_section = 2 ", "max_per_section = 99 ")
    )
    cap = int(rules.settings["max_per_section"])
    keep = float(rules.settings["keep_from_z"])
    for key in ("p1", "p2"):
        advices = advise(rules, persona_set, key, "en", q)
        uncapped = advise(everything, persona_set, key, "en", q)
        for section in ("tone", "questions", "avoid", "triggers", "support"):
            chosen = [a for a in advices if a.section == section]
            left_out = [a for a in uncapped if a.section == section and a not in chosen]
            assert chosen, (key, section)
            assert all(a.strength < keep for a in left_out), (key, section)
            if left_out:
                departures = [a for a in chosen if any(e.kind != "choice" for e in a.evidence)]
                assert len(departures) >= cap
                assert min(a.strength for a in departures) >= max(a.strength for a in left_out)


def test_persona_name_in_text_is_not_reinterpreted():
    text = minimal_toml("""
[[rules]]
id = "named"
audience = "training"
section = "pace"
when = [{construct = "intrinsic", mean_above = 1}]
text.nl = "Voor {name}"
text.en = "For {name}: {subject}"
""")
    loaded = parse_guidance(text)
    person = {
        "key": "p",
        "name": "{subject} & {n}",
        "size": 50,
        "profile": {"intrinsic": {"mean": 3.0, "n": 50, "diff": 0.1}},
    }
    advice = next(a for a in evaluate(loaded, person, "en") if a.rule_id == "named")
    assert advice.text == "For {subject} & {n}: intrinsic"


def test_unknown_language_is_refused(rules, persona_set):
    with pytest.raises(ValueError, match="fr"):
        advise(rules, persona_set, "p1", "fr")


def test_persona_level_condition():
    text = minimal_toml("""
[[rules]]
id = "low-level"
audience = "communication"
section = "tone"
when = [{persona = "level", diff_below = -0.3}]
text.nl = "x"
text.en = "Lower overall"
""")
    loaded = parse_guidance(text)
    person = {"key": "p", "name": "N", "size": 40, "level": 2.9, "profile": {}}
    advice = next(
        a
        for a in evaluate(loaded, person, "en", overall={"level": 3.4})
        if a.rule_id == "low-level"
    )
    assert advice.evidence[0].figure == pytest.approx(-0.5) and advice.evidence[0].n == 40
