"""Guidance rules: persona profile condition -> advice for communication or training.

Why rules are data: change managers and trainers know what works in their organisation
better than we do. They edit ``questionnaires/guidance.toml`` (nl and en) without touching
Python, and every piece of advice a brief prints says which condition triggered it and with
which figure and n ("because change efficacy is 0.8 points below the organisation (2.6 vs
3.4; n = 34 in this group)"); the same difference in organisation standard deviations (z)
ranks the advice and travels with it as data. A reader can check the advice against the
data, and disagree.

Conditions are a small declarative form, never evaluated code::

    when = [{construct = "change_efficacy", z_below = -0.5}]
    when = [{adkar = "ability", barrier_share_above = 0.4}, {adkar = "ability", diff_below = -0.3}]
    when = [{preference = "comm_detail", mean_below = 2.5}]
    when = [{choice = "comm_channels", value = "team_meeting", top = true}]
    unless = [{preference = "comm_involvement", mean_below = 2.5}]

All ``when`` conditions must hold; any ``unless`` condition that holds contradicts the advice
and leaves it out, as does a rule named in ``yields_to`` that applies; of rules sharing a
``topic`` only the first that applies appears. Advice is ranked by the strength of its
evidence -- how far the persona departs from the organisation on the advice's condition, in
organisation sd (``Advice.strength``) -- with advice about ADKAR stages in the stages'
order (Hiatt 2006); the most important advice is the strongest one, never a fixed priority.
A statement resting on fewer than ``min_group`` people never counts as evidence, a rule
about something the questionnaire did not measure is skipped, and a measured section where
nothing applies gets its default rule.

The package: ``model.py`` (the vocabulary and the loaded objects), ``loading.py`` (read and
check a file), ``measured.py`` (what the questionnaire measured), ``facts.py`` (the figures
behind a condition, the preferred option of a choice), ``render.py`` (a rule's text and
reason for one persona), ``advice.py`` (evaluate rules for a persona, the most important
advice), ``motivation.py`` (drivers, brakes and what to handle with care, after
self-determination theory), ``wording.py`` (numbers, percentages and names as a reader
writes them). Everything callers used from the former ``guidance`` module is importable from
here. Pure: no Flask, no database.
"""

from toolkit.core.guidance.advice import adkar_order, by_section, evaluate, top_advice
from toolkit.core.guidance.facts import Preferred, choice_base, preferred_option
from toolkit.core.guidance.loading import default_guidance, load_guidance, parse_guidance
from toolkit.core.guidance.measured import (
    aspects_measured,
    measures,
    sections_measured,
    unmeasured_subjects,
)
from toolkit.core.guidance.model import (
    ADKAR_STAGES,
    ASPECTS,
    CHOICES,
    CONSTRUCT_ROLES,
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
from toolkit.core.guidance.motivation import MotivationReading, Signal, motivation_reading
from toolkit.core.guidance.render import strength_of
from toolkit.core.guidance.wording import (
    construct_name,
    mid_sentence,
    number,
    option_label,
    percent,
)

__all__ = [
    "ADKAR_STAGES",
    "ASPECTS",
    "CHOICES",
    "CONSTRUCT_ROLES",
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
    "MotivationReading",
    "Preferred",
    "Rule",
    "Signal",
    "adkar_order",
    "aspects_measured",
    "by_section",
    "choice_base",
    "construct_name",
    "default_guidance",
    "evaluate",
    "load_guidance",
    "measures",
    "mid_sentence",
    "motivation_reading",
    "number",
    "option_label",
    "parse_guidance",
    "percent",
    "preferred_option",
    "sections_measured",
    "strength_of",
    "top_advice",
    "unmeasured_subjects",
]
