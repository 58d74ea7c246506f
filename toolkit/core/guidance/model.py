"""What a guidance file may say, and the objects it is read into.

The constants below are the vocabulary of questionnaires/guidance.toml: the sections of each
brief, the kinds of condition and their tests, the keys a rule may have and the placeholders
its texts may use. The frozen dataclasses are the loaded rules and the advice they produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit import paths

GUIDANCE_PATH = paths.QUESTIONNAIRES / "guidance.toml"

SECTIONS: dict[str, tuple[str, ...]] = {
    "communication": (
        "key_messages",
        "tone",
        "channels",
        "frequency",
        "involve",
        "questions",
        "avoid",
        "triggers",
        "watch",
    ),
    "training": ("gaps", "format", "pace", "digital", "support", "sequence", "group", "evaluate"),
}
ASPECTS = ("why", "what", "how", "wiifm")  # key messages: why, what, how, what is in it for me

# Where describe_personas puts each preference / choice (see toolkit/core/shapes.py).
PREFERENCES = {
    "comm_detail": ("communication", "detail"),
    "comm_involvement": ("communication", "involvement"),
    "learn_digital": ("learning", "digital"),
}
CHOICES = {
    "comm_channels": ("communication", "channels"),
    "comm_messenger": ("communication", "messenger"),
    "comm_frequency": ("communication", "frequency"),
    "learn_format": ("learning", "format"),
    "learn_pace": ("learning", "pace"),
    "learn_time": ("learning", "time"),
    "ctx_role": ("context", "role"),
    "ctx_tenure": ("context", "tenure"),
    "ctx_age": ("context", "age"),
}
PERSONA_FIELDS = ("level",)  # the persona's overall level against the organisation

_SCORE_OPS = ("mean_below", "mean_above", "diff_below", "diff_above")
OPERATORS: dict[str, tuple[str, ...]] = {
    "construct": _SCORE_OPS + ("z_below", "z_above"),
    "adkar": _SCORE_OPS + ("barrier_share_above", "barrier_share_below"),
    "preference": _SCORE_OPS,
    "choice": ("share_above", "share_below", "top", "top_share_above"),
    "persona": _SCORE_OPS,
}
# The figure each operator compares, used in the citation.
FIGURE = {
    "mean_below": "mean",
    "mean_above": "mean",
    "diff_below": "diff",
    "diff_above": "diff",
    "z_below": "z",
    "z_above": "z",
    "barrier_share_above": "share",
    "barrier_share_below": "share",
    "share_above": "share",
    "share_below": "share",
    "top": "share",
    "top_share_above": "share",
}
# Tests that look for a low figure: a group passing them departs *below* the organisation.
LOW_TESTS = frozenset({"mean_below", "diff_below", "z_below", "barrier_share_above"})
RULE_KEYS = {
    "id",
    "audience",
    "section",
    "aspect",
    "order",
    "when",
    "unless",
    "yields_to",
    "topic",
    "stage",
    "default",
    "text",
    "answer",
}
TOP_KEYS = {
    "version",
    "languages",
    "settings",
    "negative_constructs",
    "construct_roles",
    "names",
    "reasons",
    "rules",
}
SETTINGS_DEFAULTS = {
    "max_per_section": 3,
    "keep_from_z": 1.0,
    "notable_diff": 0.3,
    "barrier_share": 0.4,
}
REASON_KEYS = ("because", "join", "general", "standard", "top_tied") + tuple(sorted(set(FIGURE)))

# The ADKAR stages in the order a person goes through them (Hiatt 2006): advice about an
# earlier stage comes before advice about a later one.
ADKAR_STAGES = ("awareness", "desire", "knowledge", "ability", "reinforcement")

# How a construct reads when a group scores high or low on it (``construct_roles``):
# self-determination theory (Ryan & Deci 2000) for motivation, readiness for change
# (Holt et al. 2007; Herscovitch & Meyer 2002) for the rest.
#   autonomous  -- motivation from within (interest, meaning): high drives; low is a missing
#                  driver, not a brake;
#   controlled  -- approval, guilt, pressure or pay: never a driver to build on; high is
#                  "handle with care", low is not a brake;
#   amotivation -- no reason to act at all: high brakes, low is no signal;
#   readiness   -- belief in the change (appropriateness, support, efficacy, valence,
#                  commitment): high drives, low brakes.
CONSTRUCT_ROLES = ("autonomous", "controlled", "amotivation", "readiness")

# Rules whose first condition is on one of these evidence kinds say what n counts this way.
N_COUNTS = ("members", "chose")

# Placeholders rule texts may use. {name} is the persona's name; the subject placeholders
# come from the rule's first condition; the top_* ones from the persona's description.
SUBJECT_PLACEHOLDERS = (
    "subject",
    "mean",
    "org_mean",
    "diff",
    "abs_diff",
    "share",
    "n",
    "base",
    "value",
    "z",
)
TOP_PLACEHOLDERS = {
    "top_channel": "comm_channels",
    "top_messenger": "comm_messenger",
    "top_frequency": "comm_frequency",
    "top_format": "learn_format",
    "top_pace": "learn_pace",
    "top_time": "learn_time",
}
PLACEHOLDERS = ("name",) + SUBJECT_PLACEHOLDERS + tuple(TOP_PLACEHOLDERS)
REASON_PLACEHOLDERS = SUBJECT_PLACEHOLDERS + ("reasons", "tied")


class GuidanceError(ValueError):
    """A guidance file that cannot be used; ``problems`` lists every reason.

    Each problem names the file and the rule, so one read of the message is enough to fix
    them all. ``path`` is the file as a string.
    """

    def __init__(self, path: str | Path, problems: list[str]):
        """Keep the path and the problems; the message lists every problem on its own line."""
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {self.path}: {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s) in guidance rules\n{lines}")


@dataclass(frozen=True)
class Condition:
    """One test of a rule, e.g. ``{construct = "change_efficacy", diff_below = -0.4}``.

    ``kind``: construct | adkar | preference | choice | persona; ``subject``: the construct
    id, ADKAR stage, item role or persona field; ``op``: one of ``OPERATORS[kind]``;
    ``threshold``: scale points (mean, diff), organisation sd (z) or a share in [0, 1] --
    None for ``top``; ``value``: the option value a choice test is about.
    """

    kind: str  # construct | adkar | preference | choice | persona
    subject: str  # construct id, ADKAR stage, role, or persona field
    op: str  # one of OPERATORS[kind]
    threshold: float | None  # None for "top"
    value: str | None = None  # choice option value


@dataclass(frozen=True)
class Rule:
    """One piece of advice and when it applies.

    ``audience``/``section``/``aspect`` place it in a brief (aspect only for key messages);
    ``order``: file position or explicit order (module sequence); ``conditions``: all must
    hold (none = always, unless ``default``); ``unless``: conditions any one of which, when
    the persona's own figures meet it, contradicts the advice -- the rule is then left out;
    ``yields_to``: rule ids that say the same thing better for whom they fire -- the rule is
    left out when one of them gives advice; ``topic``: rules with the same topic are
    alternatives for one point, of which only the first in the file that applies appears (a
    member without conditions is the fallback when none does); ``stage``: the ADKAR stage the advice is about (given, or
    the stage of its first ADKAR condition), None otherwise; ``default``: shown only when
    nothing else of its section applies; ``text``/``answer``: language -> text with
    placeholders (``answer`` only for likely questions).
    """

    id: str
    audience: str
    section: str
    aspect: str | None
    order: int
    conditions: tuple[Condition, ...]
    default: bool
    text: dict[str, str]
    answer: dict[str, str] | None = None
    unless: tuple[Condition, ...] = ()
    yields_to: tuple[str, ...] = ()
    topic: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class GuidanceRules:
    """A loaded, validated guidance file.

    ``rules`` in file order; ``languages`` the file's languages; ``settings``:
    max_per_section (advice per section beyond which weaker advice is left out),
    keep_from_z (advice at least this strong, in organisation sd, is never left out),
    notable_diff (scale points), barrier_share (fraction); ``negative_constructs``:
    constructs where high means worse; ``construct_roles``: construct id -> one of
    ``CONSTRUCT_ROLES``; ``names``: subject -> language -> display name; ``reasons``:
    citation templates per operator and language; ``path``: the file.
    """

    rules: tuple[Rule, ...]
    languages: tuple[str, ...]
    settings: dict[str, float]
    negative_constructs: frozenset[str]
    names: dict[str, dict[str, str]]
    reasons: dict[str, dict[str, str]]
    path: str
    construct_roles: dict[str, str] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``; raises StopIteration when there is none."""
        return next(r for r in self.rules if r.id == rule_id)


@dataclass(frozen=True)
class Evidence:
    """One figure behind a piece of advice: what was compared, the value, and how many people.

    ``figure`` is in the unit of the test (scale points, organisation sd, or a share in
    [0, 1]; NaN when absent); ``n`` the people it rests on and ``n_counts`` what they are:
    "members" (people of the group with this score or answer -- the group base) or "chose"
    (people who chose the option, out of ``base`` who answered the question); ``text`` the
    rendered reason. The departure from the organisation, where there is one: ``mean`` and
    ``org_mean`` (scale points), ``diff`` (scale points, persona minus organisation) and
    ``z`` (``diff`` in organisation sd); ``z_exact`` is False when that sd is not known for
    this subject and a reference sd (the largest sd of the organisation's construct scores)
    stood in. ``share``: the option's or barrier's share, in [0, 1]; ``tied``: labels of
    options chosen exactly as often as the one named (a "top" test), in questionnaire order.
    """

    kind: str
    subject: str
    subject_name: str
    op: str
    figure: float
    n: int
    text: str  # the rendered reason, e.g. "change efficacy is 0.8 points below …, n = 34"
    n_counts: str = "members"
    base: int | None = None
    mean: float | None = None
    org_mean: float | None = None
    diff: float | None = None
    z: float | None = None
    z_exact: bool = True
    share: float | None = None
    tied: tuple[str, ...] = ()

    @property
    def strength(self) -> float:
        """How far the persona departs from the organisation in the direction the test looks
        (organisation sd): ``-z`` for tests of a low figure (``*_below``, a barrier share
        above), ``z`` for tests of a high one; 0 without a departure or in the other
        direction (a group that passes "mean below 3" while above the organisation)."""
        if self.z is None:
            return 0.0
        return max(0.0, -self.z if self.op in LOW_TESTS else self.z)


@dataclass(frozen=True)
class Advice:
    """A rule rendered for one persona in one language, with the figures that triggered it.

    ``text``/``answer`` are final text; ``because`` the full citation, starting with
    "because" / "omdat"; ``evidence`` is empty for default and standard advice.
    ``strength``: how far the persona departs from the organisation on the advice's main
    condition (its first one that compares with the organisation), in organisation sd and in
    the direction the condition looks; 0 for default and standard advice and for advice
    resting only on choices. Advice is ranked by it, strongest first. ``stage``: the ADKAR stage it is about, or None;
    ``topic``: the rule's topic, or None; ``merged``: ids of other rules whose identical
    advice was merged into this one (their evidence is in ``evidence`` and ``because``);
    ``order``: the rule's order (module sequence).
    """

    rule_id: str
    audience: str
    section: str
    aspect: str | None
    order: int
    text: str
    answer: str | None
    because: str  # the full citation, starting with "because" / "omdat"
    evidence: tuple[Evidence, ...]  # empty for default and standard advice
    default: bool
    strength: float = 0.0
    stage: str | None = None
    topic: str | None = None
    merged: tuple[str, ...] = ()
