"""What a guidance file may say, and the objects it is read into.

The constants below are the vocabulary of questionnaires/guidance.toml: the sections of each
brief, the kinds of condition and their tests, the keys a rule may have and the placeholders
its texts may use. The frozen dataclasses are the loaded rules and the advice they produce.
"""

from __future__ import annotations

from dataclasses import dataclass
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
RULE_KEYS = {
    "id",
    "audience",
    "section",
    "aspect",
    "priority",
    "order",
    "when",
    "default",
    "text",
    "answer",
}
TOP_KEYS = {"version", "languages", "settings", "negative_constructs", "names", "reasons", "rules"}
SETTINGS_DEFAULTS = {"max_per_section": 3, "notable_diff": 0.3, "barrier_share": 0.4}
REASON_KEYS = ("because", "join", "general", "standard") + tuple(sorted(set(FIGURE)))

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
REASON_PLACEHOLDERS = SUBJECT_PLACEHOLDERS + ("reasons",)


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
    ``priority``: higher first within a section; ``order``: file position or explicit order
    (module sequence); ``conditions``: all must hold (none = always, unless ``default``);
    ``default``: shown only when no other rule of its section fires; ``text``/``answer``:
    language -> text with placeholders (``answer`` only for likely questions).
    """

    id: str
    audience: str
    section: str
    aspect: str | None
    priority: int
    order: int
    conditions: tuple[Condition, ...]
    default: bool
    text: dict[str, str]
    answer: dict[str, str] | None = None


@dataclass(frozen=True)
class GuidanceRules:
    """A loaded, validated guidance file.

    ``rules`` in file order; ``languages`` the file's languages; ``settings``:
    max_per_section (advice per section), notable_diff (scale points), barrier_share
    (fraction); ``negative_constructs``: constructs where high means worse; ``names``:
    subject -> language -> display name; ``reasons``: citation templates per operator and
    language; ``path``: the file.
    """

    rules: tuple[Rule, ...]
    languages: tuple[str, ...]
    settings: dict[str, float]
    negative_constructs: frozenset[str]
    names: dict[str, dict[str, str]]
    reasons: dict[str, dict[str, str]]
    path: str

    def rule(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``; raises StopIteration when there is none."""
        return next(r for r in self.rules if r.id == rule_id)


@dataclass(frozen=True)
class Evidence:
    """One figure behind a piece of advice: what was compared, the value, and how many people.

    ``figure`` is in the unit of the test (scale points, organisation sd, or a share in
    [0, 1]; NaN when absent); ``n`` the people it rests on; ``text`` the rendered reason.
    """

    kind: str
    subject: str
    subject_name: str
    op: str
    figure: float
    n: int
    text: str  # the rendered reason, e.g. "change efficacy is 0.8 points below …, n = 34"


@dataclass(frozen=True)
class Advice:
    """A rule rendered for one persona in one language, with the figures that triggered it.

    ``text``/``answer`` are final text; ``because`` the full citation, starting with
    "because" / "omdat"; ``evidence`` is empty for default and standard advice.
    """

    rule_id: str
    audience: str
    section: str
    aspect: str | None
    priority: int
    order: int
    text: str
    answer: str | None
    because: str  # the full citation, starting with "because" / "omdat"
    evidence: tuple[Evidence, ...]  # empty for default and standard advice
    default: bool
