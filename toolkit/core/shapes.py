"""Named shapes of the JSON-like data that passes between the layers.

A persona set is derived in core, stored as JSON by data, read by services, briefs, web and
cli. These TypedDicts are the table of contents of what each dict holds; at run time they
are plain dicts (so they can be stored and read back as JSON unchanged), and nothing checks
them: they document, in one place, every key with its meaning, unit and shape.

Conventions: figures are rounded to 3 decimals; "scale points" are the questionnaire's own
answer scale (1-5 in the default instrument); "z" is a difference in standard deviations of
the organisation (the persona set's included respondents); a share is a fraction in [0, 1];
every ``n`` counts the people behind that figure. A value is None when there is no data.
Keys marked NotRequired are added by a later step (``describe_personas``, the data layer) or
only in some cases.
"""

# No ``from __future__ import annotations`` here: TypedDict reads NotRequired at run time
# only from real annotations, and tests check the shapes against what core produces.
from typing import NotRequired, TypedDict

from toolkit.core.open_themes import OpenThemes


class ConstructSummary(TypedDict):
    """The organisation's figures for one construct (``Overall.profile`` values).

    ``mean``: mean score in scale points (None without answers); ``sd``: standard deviation
    in scale points, ddof 1 (None with fewer than 2 scores); ``n``: respondents with a score.
    """

    mean: float | None
    sd: float | None
    n: int


class Overall(TypedDict):
    """The whole organisation (all included respondents), the yardstick for every persona.

    ``n``: included respondents; ``level``: the overall level in scale points (mean of the
    level constructs, reversed ones mirrored; higher = more positive about the change), None
    without data; ``profile``: construct id -> :class:`ConstructSummary`, for every
    persona-dimension construct.
    """

    n: int
    level: float | None
    profile: dict[str, ConstructSummary]


class ProfileEntry(TypedDict):
    """A persona's figures for one construct (``Persona.profile`` values).

    ``mean``: the members' mean score in scale points; ``n``: members with a score;
    ``diff``: mean minus the organisation's mean, scale points; ``z``: ``diff`` in
    organisation sd (0.0 when that sd is 0). Figures are None when no member has a score.
    """

    mean: float | None
    n: int
    diff: float | None
    z: float | None


class Distinguishing(TypedDict):
    """A construct on which a persona stands out (|z| >= 0.5), strongest first.

    ``construct``: construct id; ``mean``/``org_mean``: persona and organisation mean in
    scale points; ``diff``: their difference, scale points; ``z``: the difference in
    organisation sd; ``n``: members with a score; ``direction``: "high" or "low".
    """

    construct: str
    mean: float | None
    org_mean: float | None
    diff: float | None
    z: float | None
    n: int
    direction: str


class LevelDefinition(TypedDict):
    """How the level was computed (``Quality.level_definition``).

    ``constructs``: construct ids averaged; ``reversed``: those mirrored on their scale
    (min + max - mean); ``text``: the rule in one English sentence.
    """

    constructs: list[str]
    reversed: list[str]
    text: str


class NearMiss(TypedDict):
    """A group the set does not show but the next larger k would (``Quality.near_miss``).

    ``k``: the k to try (``--k``); ``size``/``share``: the group's respondents and their share
    of the included ones; ``stability``: its mean bootstrap Jaccard at that k (3 decimals,
    never rounded across a band); ``stability_band``: "indicative" or "stable"; ``overlap``:
    its best Jaccard overlap with a persona of the set (low = a new group); ``distinguishing``:
    the constructs it stands out on (:class:`Distinguishing`). Never presented as a persona.
    """

    k: int
    size: int
    share: float | None
    stability: float | None
    stability_band: str
    overlap: float | None
    distinguishing: list[Distinguishing]


class Quality(TypedDict):
    """How the persona set was made and how sure it is (``PersonaSet.quality``).

    Method settings: ``bootstrap`` (resamples run; 0 = stability not assessed), ``features``,
    ``exclusion``, ``imputation``, ``stability_method`` (sentences in English), and the
    clustering method's own notes -- for the Gaussian mixture ``model`` (sentence),
    ``k_scores_are`` (what ``k_scores`` holds) and ``min_bic_gain_per_respondent`` (BIC units
    per respondent). Data: ``imputed_values`` (missing construct scores filled in for
    clustering, count); ``level_definition`` (:class:`LevelDefinition`);
    ``label_rules_skipped`` (ids of label rules whose constructs this instrument lacks).
    Fit: ``k_scores`` (str(k) -> BIC, 1 decimal; empty when nothing was fitted);
    ``k_suggested`` (the criterion's k; None without respondents); ``k_fitted`` (the k
    fitted: requested or suggested); ``min_persona_size`` (merging floor, respondents);
    ``merged_sizes`` (sizes of clusters merged away, in merge order); ``converged`` (bool,
    None without respondents); ``data_seed`` (the seed every random step used: a hash of the
    included rows and ``seed``; None without respondents). Result: ``labels`` (persona key ->
    "rule:<id>", "fallback:..." or "overall", "#2" appended when a number made the label
    distinct); ``negative_personas`` (keys labelled by a rule marked negative); ``near_miss``
    (:class:`NearMiss` or None). ``stability_note`` is present only when k = 1.
    """

    bootstrap: int
    features: str
    model: NotRequired[str]
    k_scores_are: NotRequired[str]
    min_bic_gain_per_respondent: NotRequired[float]
    exclusion: str
    imputation: str
    imputed_values: int
    level_definition: LevelDefinition
    stability_method: str
    label_rules_skipped: list[str]
    stability_note: NotRequired[str]
    k_scores: dict[str, float]
    k_suggested: int | None
    k_fitted: int | None
    min_persona_size: int | None
    merged_sizes: list[int]
    converged: bool | None
    labels: dict[str, str]
    negative_personas: list[str]
    data_seed: int | None
    near_miss: NearMiss | None


class ChoiceShare(TypedDict):
    """One option of a choice question among a persona's members.

    ``value``: the option value; ``n``: members who chose it; ``share``: ``n`` over the
    members who answered the question (multi-choice shares can sum above 1); ``label``: the
    option's text, only when ``describe_personas`` was given a language.
    """

    value: str
    n: int
    share: float | None
    label: NotRequired[str]


class PreferenceMean(TypedDict):
    """A likert preference (e.g. detail wanted) among a persona's members.

    ``mean``: members' mean answer on the item's scale (None when fewer than the minimum
    group answered); ``n``: members who answered; ``org_mean``: everyone's mean.
    """

    mean: float | None
    n: int
    org_mean: float | None


class AdkarStage(TypedDict):
    """One ADKAR stage (Hiatt 2006) among a persona's members.

    ``stage``: construct id (awareness, desire, knowledge, ability, reinforcement); ``mean``:
    members' mean score, scale points; ``org_mean``: everyone's; ``barrier_share``: share of
    members scoring 3 or lower (a barrier); ``n``: members with a score. ``mean`` and
    ``barrier_share`` are None when fewer than the minimum group have a score.
    """

    stage: str
    mean: float | None
    org_mean: float | None
    barrier_share: float | None
    n: int


class ContextCount(TypedDict):
    """A context category (a team, a role type, ...) with at least the minimum group.

    ``value``: the category as stored (team name or option value); ``n``: members in it.
    """

    value: str
    n: int


class CommunicationDescription(TypedDict):
    """Communication preferences of a persona's members (``PersonaDescription.communication``).

    ``channels``, ``messenger``, ``frequency``: options chosen, most chosen first
    (:class:`ChoiceShare`); ``detail`` (1 = why and context ... 5 = what and how) and
    ``involvement``: :class:`PreferenceMean`, or None when the instrument lacks the item.
    """

    channels: list[ChoiceShare]
    messenger: list[ChoiceShare]
    frequency: list[ChoiceShare]
    detail: PreferenceMean | None
    involvement: PreferenceMean | None


class LearningDescription(TypedDict):
    """Learning preferences of a persona's members (``PersonaDescription.learning``).

    ``format``, ``pace``, ``time``: options chosen (:class:`ChoiceShare`), most chosen first;
    ``digital`` (digital confidence): :class:`PreferenceMean` or None.
    """

    format: list[ChoiceShare]
    pace: list[ChoiceShare]
    time: list[ChoiceShare]
    digital: PreferenceMean | None


class OutcomeCategory(TypedDict):
    """One category of an outcome among a persona's members, against the rest of the set.

    ``value``: the category ("yes" for a yes/no outcome); ``n``: members in it; ``share``: of
    the members with a value; ``rest_share``: the same share among everyone else in the set
    (None when fewer than the minimum group have a value there); ``diff``: ``share`` minus
    ``rest_share`` (fraction; x 100 = percentage points) and ``ci``: its 95 % interval
    [low, high] (Newcombe 1998), both None without a rest share.
    """

    value: str
    n: int
    share: float | None
    rest_share: float | None
    diff: float | None
    ci: list[float | None] | None


class OutcomeEffect(TypedDict):
    """How large a persona's difference from the rest is on one outcome.

    ``measure``: "cramers_v" (categorical and yes/no; Cramér 1946) or "cohens_d" (numeric;
    Cohen 1988); ``value``: the effect (V in [0, 1]; d signed, in pooled sd); ``magnitude``:
    "negligible", "small", "medium" or "large" (Cohen 1988), None without a value.
    """

    measure: str
    value: float | None
    magnitude: str | None


class OutcomeProfile(TypedDict):
    """One outcome or extra variable for one persona (``PersonaDescription.outcomes``).

    ``variable``: its id; ``type``: "yes_no", "categorical" or "numeric"; ``name``: language ->
    name (may be empty: show the id); ``n``: members with a value; ``rest_n``: everyone else
    in the set with a value; ``shown``: False when the minimum-group rules hide the persona's
    figures; ``hidden``: categories left out (under the minimum, or revealing one by
    subtraction). Categorical and yes/no: ``categories`` (:class:`OutcomeCategory`, only
    "yes" for yes/no). Numeric: ``mean``/``rest_mean`` and ``diff`` with ``ci`` (95 %,
    Welch 1947). ``effect``: :class:`OutcomeEffect`, or None without a rest to compare with.
    """

    variable: str
    type: str
    name: dict[str, str]
    n: int
    rest_n: int
    shown: bool
    categories: list[OutcomeCategory]
    hidden: int
    mean: float | None
    rest_mean: float | None
    diff: float | None
    ci: list[float | None] | None
    effect: OutcomeEffect | None


class PersonaDescription(TypedDict):
    """What ``describe_personas`` adds to a persona (``Persona.description``).

    ``communication``/``learning``: preferences; ``adkar``: one :class:`AdkarStage` per ADKAR
    construct of the instrument (empty without ADKAR); ``context``: "team", "role", "tenure",
    "age" -> categories with at least the minimum group, largest first; ``situations`` and
    ``quotes``: up to 5 cleaned open answers each (empty unless the persona has at least the
    quote minimum, 10 by default); ``suppressed``: one English line per thing left out for
    privacy (e.g. "context.team: 2 categories under 5"); ``asked``: what the instrument and
    the stored data cover -- "communication", "communication.channels", ... "learning", ...,
    "adkar", "context", "context.team", ..., "situations", "quotes", "outcomes" -> bool; a
    section that was not asked must be left out of pages and briefs (or said to be "not asked
    in this questionnaire"), never read as "no barrier" or "no preference"; ``outcomes``: one
    :class:`OutcomeProfile` per declared outcome variable; ``open_themes``: themes and recurring
    situations in the open answers (:class:`toolkit.core.open_themes.OpenThemes`; absent in
    sets derived before it existed).
    """

    communication: CommunicationDescription
    learning: LearningDescription
    adkar: list[AdkarStage]
    context: dict[str, list[ContextCount]]
    situations: list[str]
    quotes: list[str]
    suppressed: list[str]
    asked: dict[str, bool]
    outcomes: list[OutcomeProfile]
    open_themes: NotRequired[OpenThemes]


class Persona(TypedDict):
    """One persona: a group of respondents with a shared profile, its name and evidence.

    ``key``: "p1", "p2", ... by size, largest first; ``name``: a first name from the pool;
    ``label``: language -> short description; ``size``: members; ``share``: size over the
    included respondents; ``stability``: mean bootstrap Jaccard in [0, 1] (None when not
    assessed); ``stability_band``: "stable" (>= 0.75), "indicative" (>= 0.6), "unstable" or
    "not_assessed"; ``presented``: False when unstable (then it is not shown as a persona);
    ``level``: mean level in scale points; ``profile``: construct id -> :class:`ProfileEntry`;
    ``distinguishing``: up to 4 :class:`Distinguishing`; ``members``: response ids, sorted.
    Added later: ``description`` (:class:`PersonaDescription`, by ``describe_personas``);
    from the database: ``id`` (row id), ``derived_name`` (name before a person edited it),
    ``narrative``, ``edited_by`` (user name), ``edited_at`` (ISO time) -- and ``members``
    only when loaded with members.
    """

    key: str
    name: str | None
    label: dict[str, str] | None
    size: int
    share: float | None
    stability: float | None
    stability_band: str
    presented: bool
    level: float | None
    profile: dict[str, ProfileEntry]
    distinguishing: list[Distinguishing]
    members: NotRequired[list[str]]
    description: NotRequired[PersonaDescription]
    id: NotRequired[int]
    derived_name: NotRequired[str]
    narrative: NotRequired[str | None]
    edited_by: NotRequired[str | None]
    edited_at: NotRequired[str | None]


class Excluded(TypedDict):
    """Respondents left out of the clustering, by reason (``PersonaSet.excluded``).

    ``too_many_missing``: more than a third of the persona-dimension constructs missing.
    """

    too_many_missing: int


class PersonaSet(TypedDict):
    """The result of ``derive_personas``: the personas of one round and how they were found.

    ``method``: the clustering method's name ("gaussian-mixture"); ``criterion``: the rule
    that chose k, one English sentence; ``seed``: seed of every random step (int >= 0);
    ``k``: personas in the set (0 without respondents); ``k_requested``: the k forced by the
    user, or None; ``no_distinct_personas``: True when k = 1 (one profile: a real answer);
    ``dimensions``: construct ids clustered on, in questionnaire order; ``n_respondents``:
    respondents in the score matrix; ``n_used``: those included; ``excluded``:
    :class:`Excluded`; ``overall``: :class:`Overall`; ``quality``: :class:`Quality`;
    ``personas``: :class:`Persona` list, largest first. From the database: ``id`` (set id),
    ``round_id``, ``review_due`` (ISO date), ``created_at`` (ISO time), ``current`` (bool).
    """

    method: str
    criterion: str
    seed: int
    k: int
    k_requested: int | None
    no_distinct_personas: bool
    dimensions: list[str]
    n_respondents: int
    n_used: int
    excluded: Excluded
    overall: Overall
    quality: Quality
    personas: list[Persona]
    id: NotRequired[int]
    round_id: NotRequired[int]
    review_due: NotRequired[str | None]
    created_at: NotRequired[str]
    current: NotRequired[bool]


class RoundInfo(TypedDict):
    """What the briefs are told about a round (built by the data layer).

    ``id``: round id; ``title``: the round's title; ``questionnaire_title``: language -> the
    instrument's title (a plain string is accepted too); ``opens_at``/``closes_at``: ISO
    8601 times in UTC, or None; ``invited``: participants invited (None for a round without
    a participant list); ``answered_online``: responses given through the personal links;
    ``imported``: responses imported from files; ``responses``: all responses received (the
    two together; a response rate is only ``answered_online`` / ``invited``); ``min_group``: the round's
    minimum group size (>= 5); ``review_due``: ISO date the persona set is due for review,
    or None; ``organisation``: the organisation's name or None. From services, for a round
    in a programme: ``drift`` (language -> list of sentences on what changed) and
    ``drift_since`` (title of the earlier round).
    """

    id: int
    title: str
    questionnaire_title: dict[str, str] | str
    opens_at: str | None
    closes_at: str | None
    invited: int | None
    responses: int
    answered_online: NotRequired[int]
    imported: NotRequired[int]
    min_group: int
    review_due: str | None
    organisation: str | None
    drift: NotRequired[dict[str, list[str]]]
    drift_since: NotRequired[str]


class Round(TypedDict, total=False):
    """A round as stored (a row of the ``rounds`` table, read by ``toolkit.data.rounds``).

    ``id``; ``questionnaire_id`` and ``questionnaire_version_id`` (the exact instrument text
    kept with the round); ``title``; ``language``: "nl", "en" or "participant"; ``mode``:
    "anonymous" or "identified"; ``opens_at``/``closes_at``: ISO 8601 UTC or None;
    ``reminder_days``: JSON list of whole days after opening; ``min_group``: minimum group
    size (>= 5); ``status``: "draft", "open" or "closed"; ``programme_id`` and ``round_kind``
    ("baseline", "pulse", "follow-up"); ``works_council_date``/``works_council_ref``: the
    approval record; ``retention_days``: days after close until answers are deleted;
    ``created_by``/``created_at``; ``schedule_note``: why the scheduler did not open it (a
    :class:`toolkit.core.messages.Message` as JSON).
    Later migrations may add columns; readers take what they need by key.
    """

    id: int
    questionnaire_id: str
    questionnaire_version_id: int
    title: str
    language: str
    mode: str
    opens_at: str | None
    closes_at: str | None
    reminder_days: str
    min_group: int
    status: str
    programme_id: int | None
    round_kind: str
    works_council_date: str | None
    works_council_ref: str | None
    retention_days: int
    created_by: int | None
    created_at: str
    schedule_note: str | None
