"""Guidance rules: persona profile condition → advice for communication or training.

Why rules are data: change managers and trainers know what works in their organisation
better than we do. They edit ``questionnaires/guidance.toml`` (nl and en) without touching
Python, and every piece of advice a brief prints says which condition triggered it and with
which figure and n ("because change efficacy is 0.8 points below the organisation
(2.6 vs 3.4, n = 34)"). A reader can check the advice against the data, and disagree.

Conditions are a small declarative form, never evaluated code::

    when = [{construct = "change_efficacy", diff_below = -0.4}]
    when = [{adkar = "ability", barrier_share_above = 0.4}]
    when = [{preference = "comm_detail", mean_below = 2.5}]
    when = [{choice = "comm_channels", value = "team_meeting", share_above = 0.4}]
    when = [{choice = "learn_format", top_share_above = 0.35}]
    when = [{persona = "level", diff_below = -0.3}]

All conditions of a rule must hold. A statement resting on fewer than ``min_group`` people
never counts as evidence, so advice cannot leak a small group. Each (audience, section)
needs at least one ``default = true`` rule, shown when no other rule of that section fires,
so a brief never has an empty section. Rules without ``when`` (and not default) always apply;
the module sequence uses them for its standard steps.

The package: ``model.py`` (the vocabulary and the loaded objects), ``loading.py`` (read and
check a file), ``facts.py`` (the figures behind a condition), ``advice.py`` (evaluate rules
for a persona), ``wording.py`` (numbers, percentages and names as a reader writes them).
Everything callers used from the former ``guidance`` module is importable from here.
Pure: no Flask, no database.
"""

from toolkit.core.guidance.advice import by_section, evaluate, top_advice
from toolkit.core.guidance.loading import default_guidance, load_guidance, parse_guidance
from toolkit.core.guidance.model import (
    ASPECTS,
    CHOICES,
    GUIDANCE_PATH,
    OPERATORS,
    PERSONA_FIELDS,
    PLACEHOLDERS,
    PREFERENCES,
    REASON_KEYS,
    REASON_PLACEHOLDERS,
    RULE_KEYS,
    SECTIONS,
    SETTINGS_DEFAULTS,
    SUBJECT_PLACEHOLDERS,
    TOP_KEYS,
    TOP_PLACEHOLDERS,
    Advice,
    Condition,
    Evidence,
    GuidanceError,
    GuidanceRules,
    Rule,
)
from toolkit.core.guidance.wording import (
    construct_name,
    mid_sentence,
    number,
    option_label,
    percent,
)

__all__ = [
    "ASPECTS",
    "CHOICES",
    "GUIDANCE_PATH",
    "OPERATORS",
    "PERSONA_FIELDS",
    "PLACEHOLDERS",
    "PREFERENCES",
    "REASON_KEYS",
    "REASON_PLACEHOLDERS",
    "RULE_KEYS",
    "SECTIONS",
    "SETTINGS_DEFAULTS",
    "SUBJECT_PLACEHOLDERS",
    "TOP_KEYS",
    "TOP_PLACEHOLDERS",
    "Advice",
    "Condition",
    "Evidence",
    "GuidanceError",
    "GuidanceRules",
    "Rule",
    "by_section",
    "construct_name",
    "default_guidance",
    "evaluate",
    "load_guidance",
    "mid_sentence",
    "number",
    "option_label",
    "parse_guidance",
    "percent",
    "top_advice",
]
