"""Synthetic respondents with known segments, for tests, the demo and the benchmarks.

The persona method makes claims ("these three groups are real, this one is noise") that can
only be checked against data whose truth we know. This module produces item-level answers in
the exact shape real respondents produce (``dict[item_id, value]``, see docs/architecture.md),
so the whole chain -- scoring, clustering, description, briefs -- is exercised, not a
shortcut around it.

How an answer is made:

* every segment has a target *construct* score on a 1-5 reference scale (rescaled linearly
  to each construct's own scale); a respondent draws a personal construct level around it
  (``noise``), and each item is that level plus item noise, rounded and clipped to the scale.
  Reverse-keyed items are written mirrored, so that after reverse keying the construct score
  comes out at the segment mean (up to clipping near the scale ends);
* likert items without a construct (e.g. ``comm_detail``) use a target named by their role;
* single / multi choice items favour the segment's preferred options (named per role, or a
  deterministic default per segment) so that preferences correlate with the segment;
* open questions get short phrases from a small per-segment list (Dutch and English mixed),
  with untidy whitespace and the odd empty answer, as people really type;
* ``missing_rate`` drops each item answer independently; missing answers are *absent*.

Everything is driven by one ``numpy.random.Generator(seed)``: the same call gives the same
respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from toolkit.core.questionnaire import Item, Questionnaire

REFERENCE_MIN, REFERENCE_MAX = 1.0, 5.0
ITEM_NOISE = 0.55  # sd of an item around the respondent's construct level (reference points)
TEAMS = ("Finance", "IT", "Operations", "Customer Service", "HR", "Sales")
OPEN_ROLES = ("open_situation", "open_help", "open_worry")


@dataclass(frozen=True)
class Segment:
    """One kind of respondent: target scores, favourite options and typical remarks.

    ``means`` maps construct ids -- or, for likert items outside any construct, role names
    such as ``comm_detail`` -- to a target on the 1-5 reference scale; anything not named sits
    at the neutral midpoint. ``preferences`` maps a role to the option values this segment
    favours; ``texts`` maps an open-question role to phrases; ``teams`` are the teams where
    this segment is over-represented.
    """

    key: str
    share: float
    means: Mapping[str, float] = field(default_factory=dict)
    preferences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    teams: tuple[str, ...] = ()


SEGMENT_SHAPES: dict[str, Segment] = {
    "energised_innovator": Segment(
        key="energised_innovator",
        share=0.35,
        means={
            "intrinsic": 4.5,
            "identified": 4.3,
            "introjected": 2.6,
            "external_social": 2.4,
            "external_material": 2.3,
            "amotivation": 1.4,
            "appropriateness": 4.2,
            "management_support": 3.3,
            "change_efficacy": 4.5,
            "personal_valence": 4.1,
            "affective_commitment": 4.4,
            "awareness": 4.3,
            "desire": 4.5,
            "knowledge": 3.3,
            "ability": 3.9,
            "reinforcement": 3.1,
            "comm_detail": 3.8,
            "comm_involvement": 4.5,
            "learn_digital": 4.5,
        },
        preferences={
            "comm_channels": ("chat", "video", "team_meeting"),
            "comm_messenger": ("senior_leader",),
            "comm_frequency": ("weekly",),
            "learn_format": ("elearning", "video"),
            "learn_pace": ("self_paced",),
            "learn_time": ("over_2h",),
            "ctx_role": ("staff",),
            "ctx_tenure": ("under_2", "2_5"),
            "ctx_age": ("under_30", "30_44"),
        },
        texts={
            "open_situation": (
                "When the new system goes live, I want to try it early, so that I can help my team.",
                "Als we de nieuwe werkwijze testen, wil ik meedenken zodat het echt beter wordt.",
                "When we plan the pilot I want a seat at the table so that our ideas get used.",
            ),
            "open_help": (
                "Room to experiment without everything having to be perfect at once.",
                "Ruimte om te experimenteren en snel feedback.",
                "A sandbox environment and a clear roadmap.",
            ),
            "open_worry": (
                "That it gets watered down and we lose momentum.",
                "Dat het te langzaam gaat.",
            ),
        },
        teams=("IT", "Sales"),
    ),
    "practical_sceptic": Segment(
        key="practical_sceptic",
        share=0.25,
        means={
            "intrinsic": 3.7,
            "identified": 3.4,
            "introjected": 2.3,
            "external_social": 2.1,
            "external_material": 3.1,
            "amotivation": 2.2,
            "appropriateness": 1.8,
            "management_support": 2.7,
            "change_efficacy": 4.1,
            "personal_valence": 1.9,
            "affective_commitment": 2.1,
            "awareness": 2.4,
            "desire": 2.0,
            "knowledge": 3.4,
            "ability": 3.9,
            "reinforcement": 2.7,
            "comm_detail": 1.6,
            "comm_involvement": 3.4,
            "learn_digital": 3.8,
        },
        preferences={
            "comm_channels": ("manager_one_on_one", "email"),
            "comm_messenger": ("manager",),
            "comm_frequency": ("milestones",),
            "learn_format": ("on_the_job", "manual"),
            "learn_pace": ("short_intensive",),
            "learn_time": ("under_1h",),
            "ctx_role": ("operational", "management"),
            "ctx_tenure": ("over_10", "5_10"),
            "ctx_age": ("45_54", "55_plus"),
        },
        texts={
            "open_situation": (
                "When I am told to change a process that works, I want to hear why, so that I can explain it to clients.",
                "Als er weer een nieuw systeem komt, wil ik weten wat het oplost.",
                "When targets change mid-year I want the reasoning so that I can plan.",
            ),
            "open_help": (
                "Show me the numbers behind the decision.",
                "Eerlijk verhaal over waarom dit nodig is.",
                "Fewer slides, more facts.",
            ),
            "open_worry": (
                "We have seen three reorganisations already; this looks like the fourth.",
                "Dat het vooral extra werk oplevert en niets beter maakt.",
                "That nobody listens to the people who do the actual work.",
            ),
        },
        teams=("Finance", "Operations"),
    ),
    "anxious_rule_follower": Segment(
        key="anxious_rule_follower",
        share=0.25,
        means={
            "intrinsic": 3.0,
            "identified": 3.4,
            "introjected": 4.3,
            "external_social": 4.2,
            "external_material": 3.9,
            "amotivation": 2.2,
            "appropriateness": 3.6,
            "management_support": 3.9,
            "change_efficacy": 1.9,
            "personal_valence": 2.9,
            "affective_commitment": 3.4,
            "awareness": 3.7,
            "desire": 3.3,
            "knowledge": 2.1,
            "ability": 1.9,
            "reinforcement": 2.5,
            "comm_detail": 4.4,
            "comm_involvement": 2.6,
            "learn_digital": 1.9,
        },
        preferences={
            "comm_channels": ("team_meeting", "printed", "newsletter"),
            "comm_messenger": ("manager",),
            "comm_frequency": ("weekly", "fortnightly"),
            "learn_format": ("classroom", "coaching"),
            "learn_pace": ("group_schedule", "spread_out"),
            "learn_time": ("1_2h",),
            "ctx_role": ("operational",),
            "ctx_tenure": ("5_10", "over_10"),
            "ctx_age": ("45_54", "55_plus"),
        },
        texts={
            "open_situation": (
                "When the new screens arrive I want step-by-step instructions so that I don't make mistakes.",
                "Als de procedure verandert, wil ik een duidelijke handleiding zodat ik het goed doe.",
                "Wanneer ik klanten help met het nieuwe systeem wil ik zeker weten dat ik het goed uitleg.",
            ),
            "open_help": (
                "A clear manual and someone I can call.",
                "Oefenen in kleine groepjes met een vaste begeleider.",
                "Duidelijke afspraken over wie wat doet.",
            ),
            "open_worry": (
                "That I won't keep up and will make errors.",
                "Of ik het wel kan leren met mijn leeftijd.",
                "Dat fouten op mij worden afgeschoven.",
            ),
        },
        teams=("Customer Service", "HR"),
    ),
    "disengaged": Segment(
        key="disengaged",
        share=0.15,
        means={
            "intrinsic": 1.9,
            "identified": 2.0,
            "introjected": 2.0,
            "external_social": 2.3,
            "external_material": 3.7,
            "amotivation": 4.3,
            "appropriateness": 2.2,
            "management_support": 1.7,
            "change_efficacy": 2.9,
            "personal_valence": 2.0,
            "affective_commitment": 1.5,
            "awareness": 2.2,
            "desire": 1.5,
            "knowledge": 2.8,
            "ability": 2.9,
            "reinforcement": 1.9,
            "comm_detail": 3.0,
            "comm_involvement": 1.6,
            "learn_digital": 3.0,
        },
        preferences={
            "comm_channels": ("email", "intranet"),
            "comm_messenger": ("colleague",),
            "comm_frequency": ("monthly", "milestones"),
            "learn_format": ("manual", "elearning"),
            "learn_pace": ("self_paced",),
            "learn_time": ("under_1h",),
            "ctx_role": ("operational", "staff"),
            "ctx_tenure": ("2_5", "5_10"),
            "ctx_age": ("30_44",),
        },
        texts={
            "open_situation": (
                "When management announces something new, I wait to see if it survives the year.",
                "Als het weer anders moet, doe ik gewoon wat er gevraagd wordt.",
            ),
            "open_help": (
                "Leadership that actually follows through.",
                "Gewoon met rust gelaten worden.",
            ),
            "open_worry": (
                "It's all for show.",
                "Dat er banen verdwijnen en niemand dat hardop zegt.",
                "Nobody asked us.",
            ),
        },
        teams=("Operations",),
    ),
}

BLOB = Segment(
    key="blob",
    share=1.0,
    means={
        "amotivation": 2.6,
        **{
            c: 3.2
            for c in (
                "intrinsic",
                "identified",
                "appropriateness",
                "management_support",
                "change_efficacy",
                "personal_valence",
                "affective_commitment",
            )
        },
    },
)
# Direction of the blob's general "overall positivity" factor per construct: a single cloud
# with a strong common factor is the realistic no-persona case that k-means would wrongly cut
# into happy / neutral / unhappy slices.
BLOB_FACTOR_SD = 0.45
BLOB_LOADINGS = {
    "amotivation": -1.0,
    "introjected": 0.3,
    "external_social": 0.3,
    "external_material": 0.0,
}


def default_segments() -> list[Segment]:
    """Four segments of clearly different sizes, as the demo shows them.

    Energised innovator 40 %, anxious rule follower 27 %, practical sceptic 21 %,
    disengaged 12 % (shapes from SEGMENT_SHAPES; motivation constructs after
    self-determination theory, Ryan & Deci 2000).
    """
    shares = {
        "energised_innovator": 0.40,
        "anxious_rule_follower": 0.27,
        "practical_sceptic": 0.21,
        "disengaged": 0.12,
    }
    return [replace(SEGMENT_SHAPES[key], share=share) for key, share in shares.items()]


def _resolve(segments: Sequence[Segment | str] | None) -> list[Segment]:
    if segments is None:
        return default_segments()
    resolved = []
    for seg in segments:
        if isinstance(seg, str):
            if seg not in SEGMENT_SHAPES:
                raise ValueError(
                    f"unknown segment shape '{seg}' (known: {', '.join(SEGMENT_SHAPES)})"
                )
            seg = SEGMENT_SHAPES[seg]
        resolved.append(seg)
    if not resolved:
        raise ValueError("at least one segment is needed")
    return resolved


def _segment_sizes(shares: Sequence[float], n: int) -> list[int]:
    """Largest-remainder rounding, so sizes sum to n and follow the shares exactly."""
    weights = np.asarray(shares, dtype=float)
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("segment shares must be non-negative and not all zero")
    exact = weights / weights.sum() * n
    sizes = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - sizes), kind="stable")[: n - sizes.sum()]:
        sizes[i] += 1
    return sizes.tolist()


def _to_scale(value: float, lo: int, hi: int) -> float:
    return lo + (value - REFERENCE_MIN) / (REFERENCE_MAX - REFERENCE_MIN) * (hi - lo)


def _likert_targets(q: Questionnaire, seg: Segment) -> dict[str, float]:
    """Target (reference-scale) level per construct id and per role of loose likert items."""
    targets = {cid: seg.means.get(cid, 3.0) for cid in q.constructs}
    for item in q.items.values():
        if item.type == "likert" and item.construct is None and item.role:
            targets[item.role] = seg.means.get(item.role, 3.0)
    return targets


def _preferred(item: Item, seg: Segment, seg_index: int) -> list[str]:
    values = [o.value for o in item.options]
    named = [v for v in seg.preferences.get(item.role or "", ()) if v in values]
    if named:
        return named
    # No stated preference for this item: still make the choice depend on the segment.
    return [values[(seg_index * 2 + len(item.id)) % len(values)]]


def _untidy(text: str, rng: np.random.Generator) -> str:
    roll = rng.random()
    if roll < 0.15:
        return f"  {text}  "
    if roll < 0.25:
        return f"{text}\n"
    return text


def generate_responses(
    q: Questionnaire,
    n: int,
    segments: Sequence[Segment | str] | None = None,
    seed: int = 0,
    noise: float = 0.4,
    missing_rate: float = 0.0,
    blob: bool = False,
    uniform: bool = False,
) -> tuple[dict[str, dict], dict[str, int], dict[str, dict]]:
    """Make ``n`` respondents: (answers_by_response, true_labels, contexts).

    ``segments`` are Segment objects or names from SEGMENT_SHAPES (default: default_segments());
    ``noise`` is the sd of a respondent's construct level around the segment target in
    reference-scale points; ``blob`` gives one correlated Gaussian cloud (one true segment);
    ``uniform`` gives every answer uniformly at random (no structure at all). true_labels maps
    each response id to the index of its segment (0 for blob/uniform); contexts maps it to
    ``{"team": ...}`` -- role, tenure and age are answered through the ctx_* items.
    Response ids are "r00001", "r00002", ... (at least five digits).

    Raises ValueError when n < 0, ``missing_rate`` is outside [0, 1), a segment name is
    unknown, no segment is given, or the shares are negative or all zero.
    """
    if n < 0:
        raise ValueError("n must be zero or more")
    if not 0 <= missing_rate < 1:
        raise ValueError("missing_rate must be in [0, 1)")
    rng = np.random.default_rng(seed)
    segs = [BLOB] if (blob or uniform) else _resolve(segments)
    sizes = _segment_sizes([s.share for s in segs], n)
    labels = np.repeat(np.arange(len(segs)), sizes)
    rng.shuffle(labels)
    width = max(5, len(str(n)))
    ids = [f"r{i + 1:0{width}d}" for i in range(n)]
    levels, key_index = _levels(q, segs, labels, rng, noise, blob)

    draw = _Draw(q, segs, labels, levels, key_index, rng, uniform, ids, {rid: {} for rid in ids})
    answer = {"likert": draw.likert, "single": draw.single, "multi": draw.multi, "text": draw.text}
    for item in q.items.values():
        present = rng.random(n) >= missing_rate
        if item.type in answer:
            answer[item.type](item, present)

    contexts = _contexts(ids, segs, labels, rng, uniform)
    true_labels = {rid: int(labels[row]) for row, rid in enumerate(ids)}
    return draw.answers, true_labels, contexts


def _levels(q, segs, labels, rng, noise, blob) -> tuple[np.ndarray, dict[str, int]]:
    """Personal level per construct (and per loose likert role), all respondents at once.

    Returns an (n, keys) array on the reference scale and the column of each key.
    """
    n = len(labels)
    targets = [_likert_targets(q, s) for s in segs]
    likert_keys = sorted({k for t in targets for k in t})
    key_index = {k: j for j, k in enumerate(likert_keys)}
    levels = np.array([[t[k] for k in likert_keys] for t in targets])[labels]
    levels = levels + rng.normal(0.0, noise, size=levels.shape)
    if blob:
        factor = rng.normal(0.0, BLOB_FACTOR_SD, size=(n, 1))
        loadings = np.array([BLOB_LOADINGS.get(k, 1.0) for k in likert_keys])
        levels = levels + factor * loadings
    return levels, key_index


@dataclass
class _Draw:
    """Everything answer drawing needs; one method per item type, all from one generator."""

    q: Questionnaire
    segs: list[Segment]
    labels: np.ndarray
    levels: np.ndarray
    key_index: dict[str, int]
    rng: np.random.Generator
    uniform: bool
    ids: list[str]
    answers: dict[str, dict]

    def likert(self, item: Item, present: np.ndarray) -> None:
        rng, n = self.rng, len(self.ids)
        scale = self.q.scales[item.scale]
        if self.uniform:
            values = rng.integers(scale.min, scale.max + 1, size=n)
        else:
            key = item.construct or item.role
            base = self.levels[:, self.key_index[key]] if key in self.key_index else np.full(n, 3.0)
            raw = base + rng.normal(0.0, ITEM_NOISE, size=n)
            values = np.clip(np.rint(_to_scale(raw, scale.min, scale.max)), scale.min, scale.max)
            values = values.astype(int)
            if item.reverse:
                values = scale.min + scale.max - values
        for row in np.flatnonzero(present):
            self.answers[self.ids[row]][item.id] = int(values[row])

    def single(self, item: Item, present: np.ndarray) -> None:
        rng = self.rng
        options = [o.value for o in item.options]
        for row in np.flatnonzero(present):
            if self.uniform or rng.random() >= 0.6:
                value = options[rng.integers(len(options))]
            else:
                pref = _preferred(item, self.segs[self.labels[row]], int(self.labels[row]))
                value = pref[rng.integers(len(pref))]
            self.answers[self.ids[row]][item.id] = value

    def multi(self, item: Item, present: np.ndarray) -> None:
        rng = self.rng
        options = [o.value for o in item.options]
        for row in np.flatnonzero(present):
            pref = (
                set()
                if self.uniform
                else set(_preferred(item, self.segs[self.labels[row]], int(self.labels[row])))
            )
            chosen = [v for v in options if rng.random() < (0.7 if v in pref else 0.15)]
            if chosen:
                self.answers[self.ids[row]][item.id] = chosen

    def text(self, item: Item, present: np.ndarray) -> None:
        rng = self.rng
        for row in np.flatnonzero(present):
            phrases = self.segs[self.labels[row]].texts.get(item.role or "", ())
            if self.uniform or not phrases or rng.random() >= 0.6:
                continue
            if rng.random() < 0.05:
                self.answers[self.ids[row]][item.id] = "   "
                continue
            text = phrases[rng.integers(len(phrases))]
            self.answers[self.ids[row]][item.id] = _untidy(text, rng)


def _contexts(ids, segs, labels, rng, uniform) -> dict[str, dict]:
    """A team per respondent: often one of the segment's own teams, otherwise any team."""
    contexts: dict[str, dict] = {}
    for row, rid in enumerate(ids):
        seg = segs[labels[row]]
        if seg.teams and not uniform and rng.random() < 0.6:
            team = seg.teams[rng.integers(len(seg.teams))]
        else:
            team = TEAMS[rng.integers(len(TEAMS))]
        contexts[rid] = {"team": team}
    return contexts
