"""How evaluate selects advice: unless, yields_to, topics, merging, ADKAR order, measured
sections, and the loader's checks of those keys. Small rule files, so each test shows one
mechanism."""

from __future__ import annotations

import pytest
from test_guidance import minimal_toml

from toolkit.core.compare import drift_summary
from toolkit.core.guidance import (
    SECTIONS,
    GuidanceError,
    evaluate,
    load_guidance,
    parse_guidance,
    sections_measured,
    top_advice,
    unmeasured_subjects,
)
from toolkit.core.numbers import format_number
from toolkit.core.questionnaire import get_questionnaire

OVERALL = {"level": 3.0, "profile": {c: {"mean": 3.0, "sd": 1.0, "n": 200} for c in (
    "intrinsic", "amotivation", "change_efficacy", "management_support")}}  # fmt: skip


def person(**z) -> dict:
    profile = {c: {"mean": 3.0 + v, "n": 40, "diff": v, "z": v} for c, v in z.items()}
    return {"key": "p", "name": "N", "size": 40, "profile": profile, "description": {}}


def rule(rid: str, when: str, text: str, section="tone", extra: str = "") -> str:
    return (
        f'[[rules]]\nid = "{rid}"\naudience = "communication"\nsection = "{section}"\n'
        f"when = [{when}]\n{extra}\ntext.nl = \"{text}\"\ntext.en = \"{text}\"\n"
    )


def ids(loaded, persona, section="tone") -> list[str]:
    return [a.rule_id for a in evaluate(loaded, persona, "en", overall=OVERALL) if a.section == section]


def test_unless_leaves_out_advice_the_persona_contradicts():
    loaded = parse_guidance(minimal_toml(rule(
        "say", '{construct = "intrinsic", z_above = 0.5}', "Give them a say",
        extra='unless = [{construct = "amotivation", z_above = 1.0}]',
    )))  # fmt: skip
    assert ids(loaded, person(intrinsic=1.0)) == ["say"]
    assert ids(loaded, person(intrinsic=1.0, amotivation=1.5)) == ["d-communication-tone"]


def test_yields_to_and_topic_keep_one_advice_per_point():
    text = minimal_toml(
        rule("general", '{construct = "change_efficacy", z_below = -0.5}', "General",
             extra='yields_to = ["specific"]')
        + rule("specific", '{construct = "change_efficacy", z_below = -0.5}, '
               '{construct = "management_support", z_below = -0.5}', "Specific")
        + rule("v1", '{construct = "intrinsic", z_above = 1.5}', "Variant one", extra='topic = "t"')
        + rule("v2", '{construct = "intrinsic", z_above = 0.5}', "Variant two", extra='topic = "t"')
    )  # fmt: skip
    text += '[[rules]]\nid = "v0"\naudience = "communication"\nsection = "tone"\ntopic = "t"\ntext.nl = "Fallback"\ntext.en = "Fallback"\n'
    loaded = parse_guidance(text)
    assert set(ids(loaded, person(change_efficacy=-1.0))) == {"general", "v0"}
    assert set(ids(loaded, person(change_efficacy=-1.0, management_support=-1.0))) == {"specific", "v0"}
    assert "v1" in ids(loaded, person(intrinsic=2.0)) and "v2" not in ids(loaded, person(intrinsic=2.0))
    assert "v2" in ids(loaded, person(intrinsic=1.0))


def test_identical_advice_is_merged_citing_every_figure():
    loaded = parse_guidance(minimal_toml(
        rule("a", '{construct = "change_efficacy", z_below = -0.5}', "Same words")
        + rule("b", '{construct = "management_support", z_below = -0.5}', "Same words")
    ))  # fmt: skip
    advices = [a for a in evaluate(loaded, person(change_efficacy=-0.8, management_support=-1.2),
                                   "en", overall=OVERALL) if a.section == "tone"]  # fmt: skip
    assert len(advices) == 1
    merged = advices[0]
    assert merged.rule_id == "b" and merged.merged == ("a",) and len(merged.evidence) == 2
    assert merged.strength == pytest.approx(1.2)
    assert merged.because == "r z_belowjoinz_below"  # both reasons, joined by the file's join


def test_strongest_first_adkar_stages_in_their_order_and_top_by_strength():
    loaded = parse_guidance(minimal_toml(
        "[settings]\nmax_per_section = 9\n"
        + rule("weak", '{construct = "intrinsic", z_above = 0.5}', "Weak")
        + rule("strong", '{construct = "amotivation", z_above = 0.5}', "Strong")
        + rule("late", '{construct = "change_efficacy", z_below = -0.5}', "Late stage",
               extra='stage = "reinforcement"')
        + rule("early", '{construct = "management_support", z_below = -0.5}', "Early stage",
               extra='stage = "awareness"')
    ))  # fmt: skip
    p = person(intrinsic=0.6, amotivation=2.0, change_efficacy=-1.5, management_support=-0.7)
    advices = [a for a in evaluate(loaded, p, "en", overall=OVERALL) if a.section == "tone"]
    # by strength: strong 2.0, late 1.5, early 0.7, weak 0.6; stages keep ADKAR order
    assert [a.rule_id for a in advices] == ["strong", "early", "late", "weak"]
    assert top_advice(advices).rule_id == "strong"


def test_loader_checks_unless_yields_to_topic_and_stage():
    bad = minimal_toml(
        rule("a", '{construct = "intrinsic", z_above = 0.5}', "x", extra='yields_to = ["b", "nope"]')
        + rule("b", '{construct = "intrinsic", z_above = 0.5}', "x", extra='yields_to = ["a"]')
        + rule("c", '{construct = "intrinsic", z_above = 0.5}', "x", extra='topic = "t"')
        + rule("f", '{construct = "intrinsic", z_above = 0.5}', "x", extra='stage = "hope"')
        + rule("d", '{construct = "intrinsic", z_above = 0.5}', "x", section="avoid", extra='topic = "t"')
        + rule("e", '{construct = "intrinsic", z_above = 0.5}', "x", extra="priority = 5\nunless = 3")
    )  # fmt: skip
    with pytest.raises(GuidanceError) as caught:
        parse_guidance(bad)
    problems = "\n".join(caught.value.problems)
    assert "rule 'a': yields_to names unknown rule 'nope'" in problems
    assert "rule 'a': yields_to goes round in a circle" in problems
    assert "rule 'f': stage must be one of" in problems
    assert "topic 't': its rules (c, d) must share audience, section and aspect" in problems
    assert "rule 'e': 'priority' is no longer used" in problems
    assert "rule 'e': 'unless' must be a list of conditions" in problems


def test_unmeasured_rules_are_skipped_and_their_sections_reported():
    rules, pulse = load_guidance(), get_questionnaire("pulse")
    measured = sections_measured(rules, pulse)
    assert set(measured) == {(a, s) for a, ss in SECTIONS.items() for s in ss}
    # pulse asks no learning preferences and no motivation: nothing for format or digital
    assert not measured[("training", "format")] and not measured[("training", "digital")]
    assert measured[("training", "gaps")] and measured[("communication", "tone")]
    assert all(sections_measured(rules, None).values())
    missing = unmeasured_subjects(rules, pulse)
    assert {"comm_channels", "comm_messenger"} <= set(missing[("communication", "channels")])
    assert "amotivation" in missing[("communication", "key_messages")]
    assert not any(unmeasured_subjects(rules, get_questionnaire("default")).values())
    persona = person(amotivation=2.0, change_efficacy=-1.0)
    persona["profile"]["appropriateness"] = {"mean": 2.0, "n": 40, "diff": -1.0, "z": -1.0}
    advices = evaluate(rules, persona, "en", overall=OVERALL, q=pulse)
    sections = {(a.audience, a.section) for a in advices}
    assert not {k for k, v in measured.items() if not v} & sections  # not even a default
    for a in advices:  # pulse has no motivation constructs: amotivation cannot be cited
        assert all(e.subject != "amotivation" for e in a.evidence), a.rule_id
    assert not any("ADKAR" in a.text for a in advices)  # no claim about what was not asked


def test_shared_number_format_and_dutch_drift_sentences():
    assert format_number(3.45, "nl") == "3,5" and format_number(-0.04, "en") == "0.0"
    assert format_number(0.3, "nl", sign=True) == "+0,3"
    comparison = {
        "comparable": True,
        "changes": [],
        "organisation": {"constructs": [
            {"construct": "intrinsic", "before": 3.5, "after": 3.9, "changed": True,
             "direction": "up"}]},
        "unmeasured": [],
    }  # fmt: skip
    nl = drift_summary(comparison, "nl")
    assert "3,5" in nl[0] and "3,9" in nl[0] and "3.5" not in nl[0]
    assert "3.5" in drift_summary(comparison, "en")[0]
