"""Construct scores -> a persona set: clusters, stability, names, labels and evidence.

This is the step that turns a round of answers into "the three kinds of people we have", so
every choice below is one we must be able to defend to a works council and to a sceptical
change manager. The method, in order:

1. **Features.** Only the persona-dimension constructs (``q.dimension_constructs()``:
   motivation and readiness in the default instrument), standardised to z-scores with the
   included respondents' mean and sd. Respondents missing *more than a third* of those
   constructs are excluded (counted in ``excluded``); the remaining gaps are filled with the
   construct mean, which puts them at the centre of that axis so they do not pull anyone
   towards a persona (reported in ``quality``).

2. **Model: a Gaussian mixture with one shared ("tied") full covariance**, started from
   k-means centres. Why not k-means alone, and why not remove each respondent's row mean?
   Survey answers have a strong general factor: some people are simply more positive about
   everything. K-means (or a diagonal mixture) slices that single elongated cloud into
   "happy / neutral / unhappy" groups -- exactly the personas we do not want. The tied
   covariance models that correlation *inside* every cluster, so one cloud that only varies
   in overall positivity stays one cluster (tested: the correlated blob gives k = 1), and
   clusters must differ in the *location* of their profile, i.e. in shape. We deliberately do
   not row-centre: a genuinely separate disengaged group (high amotivation, low everything
   else) differs from the rest mostly in level, and row-centring would fold it into the
   average while amotivation's opposite keying would distort every other shape. The overall
   level is reported separately (``level``), never clustered on.

3. **Choosing k** (1-6; fewer when n cannot hold that many minimum-size personas). BIC per
   k; the chosen k is the *smallest* k whose BIC is within ``MIN_BIC_GAIN_PER_RESPONDENT``
   x n of the lowest BIC. Plain BIC keeps rewarding tiny departures from normality (rounded
   likert answers, clipped scale ends) as n grows, so a split has to earn its place by a
   minimum improvement per respondent (0.1 BIC units = 0.05 nats of average
   log-likelihood). k = 1 is a real answer: ``no_distinct_personas``.
   Uniform random answers and a single correlated blob both give k = 1; well separated
   synthetic segments are recovered with the right k (see tests/test_personas.py).

4. **Minimum size.** A cluster smaller than max(``min_size``, ``min_share`` x n) is merged
   into the cluster with the nearest centroid (z-space), smallest first, repeated until all
   clusters are large enough. Both floors may be raised, never lowered (privacy).

5. **Stability** (Hennig's clusterwise Jaccard, as in fpc::clusterboot): draw ``bootstrap``
   resamples with replacement, rerun the *whole* method at the fitted k (fresh k-means
   starts, EM, the same merging rule), and for each persona take the best Jaccard overlap
   with any resample cluster, computed on the distinct respondents in the resample; the
   persona's stability is the mean over resamples. >= 0.75 stable, >= 0.6 indicative,
   below that unstable and ``presented = false``. Each resample is one k-means + EM fit on
   n x d floats and an O(n) contingency count (no n x n matrices), single-threaded: 10 000
   respondents x 100 resamples take about 3 s (9-16 s when k = 6 is forced on pure noise)
   and the whole process stays near 160 MB (tests/benchmarks/bench_personas.py).

6. **Level.** Reported per persona and overall, in scale points: the mean of the level
   constructs' means (personas.toml ``[level]``: the readiness constructs plus amotivation
   mirrored on its scale, so higher = more positive about the change). If none of those
   constructs exist in the questionnaire, all dimension constructs count, none mirrored.

7. **Names and labels** come from questionnaires/personas.toml (see the comments there):
   the first profile rule that holds gives the label, otherwise the high/low phrases of
   the most distinguishing constructs; the name is picked from the pool by a hash of the
   persona's shape, so the same kind of persona keeps its name from round to round.

Everything is deterministic: rows are sorted by response id, every random step is seeded
from ``seed``, and the same input gives an identical dict. The result is plain JSON data;
see docs/architecture.md for the schema. No Flask, no database.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
import tomllib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from toolkit.core.questionnaire import QUESTIONNAIRE_DIR, Item, Questionnaire
from toolkit.core.scoring import ScoreMatrix, keyed_value, score_matrix

PERSONAS_FILE = QUESTIONNAIRE_DIR / "personas.toml"

METHOD = "gaussian-mixture"
K_MAX = 6
MIN_BIC_GAIN_PER_RESPONDENT = 0.1
NUMERIC_THREADS = 1
KMEANS_SAMPLE = 3000  # rows the k-means starts look at (see fit_mixture)
KMEANS_STARTS = 10  # k-means restarts per fit: with 4, some seeds settled in a poor optimum
REG_COVAR = 1e-3  # on z-scores; keeps the shared covariance invertible with rounded answers
MAX_MISSING_SHARE = 1 / 3
MIN_SIZE_FLOOR = 5
MIN_SHARE_FLOOR = 0.05
STABLE_FROM = 0.75
INDICATIVE_FROM = 0.6
DISTINGUISHING_Z = 0.5
DISTINGUISHING_TOP = 4
ADKAR_BLOCK = "adkar"
ADKAR_BARRIER_MAX = 3
MAX_TEXTS = 5
MAX_TEXT_CHARS = 400
CONTEXT_KEYS = ("team", "role", "tenure", "age")
DECIMALS = 3

ProgressCallback = Callable[[float, str], None]


# --------------------------------------------------------------------------------------------
# personas.toml
# --------------------------------------------------------------------------------------------


class PersonaConfigError(ValueError):
    """personas.toml cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s)\n{lines}")


_CONDITION = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:-\s*([A-Za-z_][A-Za-z0-9_]*)\s*)?"
    r"(>=|<=|>|<)\s*([-+]?\d+(?:\.\d+)?)\s*$"
)
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


@dataclass(frozen=True)
class Condition:
    """``left [- right] op value`` on persona z-scores, e.g. ``change_efficacy <= -0.5``."""

    left: str
    right: str | None
    op: str
    value: float
    text: str

    def terms(self) -> tuple[str, ...]:
        return (self.left,) if self.right is None else (self.left, self.right)

    def holds(self, z: Mapping[str, float]) -> bool:
        """True when the condition holds; a term without a z-score never satisfies it."""
        if any(term not in z for term in self.terms()):
            return False
        value = z[self.left] - (z[self.right] if self.right else 0.0)
        return _OPS[self.op](value, self.value)


@dataclass(frozen=True)
class LabelRule:
    id: str
    conditions: tuple[Condition, ...]
    label: dict[str, str]
    negative: bool = False


@dataclass(frozen=True)
class PersonaConfig:
    """The editable side of personas: name pools, level definition, label rules."""

    name_groups: tuple[tuple[str, ...], ...]  # e.g. (women, men); Dutch and English mixed
    level_constructs: tuple[str, ...]
    level_reversed: tuple[str, ...]
    rules: tuple[LabelRule, ...]
    fallback_join: dict[str, str]
    fallback_phrases: int
    fallback_none: dict[str, str]
    overall_label: dict[str, str]
    path: str

    def name_pool(self) -> tuple[str, ...]:
        """Every name of every group, in file order."""
        return tuple(dict.fromkeys(name for group in self.name_groups for name in group))


LABEL_LANGS = ("nl", "en")


def _lang_texts(raw, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected texts for {', '.join(LABEL_LANGS)}")
        return {}
    for lang in LABEL_LANGS:
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            problems.append(f"{where}: missing {lang} text")
    return {lang: str(raw.get(lang, "")) for lang in LABEL_LANGS}


def load_persona_config(path: str | Path = PERSONAS_FILE) -> PersonaConfig:
    """Read and check personas.toml; raise PersonaConfigError naming every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise PersonaConfigError(path, [f"cannot read file: {exc.strerror}"]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PersonaConfigError(path, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []

    groups = []
    raw_names = data.get("names")
    if not isinstance(raw_names, dict) or not raw_names:
        problems.append("names: expected groups such as [names.women] and [names.men]")
        raw_names = {}
    for group_id, group in raw_names.items():
        if not isinstance(group, dict):
            problems.append(
                f"names.{group_id}: expected lists per language (nl = [...], en = [...])"
            )
            continue
        lists = []
        for lang, pool in group.items():
            if not isinstance(pool, list) or not all(
                isinstance(x, str) and x.strip() for x in pool
            ):
                problems.append(f"names.{group_id}.{lang}: expected a list of first names")
                pool = []
            lists.append([x.strip() for x in pool])
        # Languages interleaved, so a pick is as likely Dutch as English.
        merged = [
            pool[i]
            for i in range(max(map(len, lists), default=0))
            for pool in lists
            if i < len(pool)
        ]
        if not merged:
            problems.append(f"names.{group_id}: no names")
        groups.append(tuple(dict.fromkeys(merged)))

    level = data.get("level") or {}
    level_constructs = tuple(level.get("constructs") or ())
    level_reversed = tuple(level.get("reversed") or ())
    for c in level_reversed:
        if c not in level_constructs:
            problems.append(f"level.reversed: '{c}' is not in level.constructs")

    rules = []
    seen = set()
    for i, raw in enumerate(data.get("labels") or []):
        rid = raw.get("id") or f"#{i + 1}"
        where = f"labels '{rid}'"
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        conditions = []
        when = raw.get("when")
        if not isinstance(when, list) or not when:
            problems.append(f"{where}: 'when' must be a non-empty list of conditions")
            when = []
        for text in when:
            match = _CONDITION.match(str(text))
            if not match:
                problems.append(
                    f"{where}: cannot read condition {text!r} "
                    '(expected e.g. "change_efficacy <= -0.5" or "autonomous - controlled >= 0.5")'
                )
                continue
            left, right, op, value = match.groups()
            conditions.append(Condition(left, right, op, float(value), str(text).strip()))
        label = _lang_texts({k: raw.get(k) for k in LABEL_LANGS}, where, problems)
        rules.append(LabelRule(rid, tuple(conditions), label, bool(raw.get("negative", False))))

    fallback = data.get("fallback") or {}
    join = fallback.get("join") or {"nl": "; ", "en": "; "}
    phrases = fallback.get("phrases", 2)
    if not isinstance(phrases, int) or phrases < 1:
        problems.append("fallback.phrases: expected a whole number of at least 1")
        phrases = 2
    none = _lang_texts(fallback.get("none"), "fallback.none", problems)
    overall = _lang_texts(data.get("overall"), "overall", problems)
    if problems:
        raise PersonaConfigError(path, problems)
    return PersonaConfig(
        name_groups=tuple(groups),
        level_constructs=level_constructs,
        level_reversed=level_reversed,
        rules=tuple(rules),
        fallback_join={lang: str(join.get(lang, "; ")) for lang in LABEL_LANGS},
        fallback_phrases=phrases,
        fallback_none=none,
        overall_label=overall,
        path=str(path),
    )


# --------------------------------------------------------------------------------------------
# Clustering pieces (each usable and testable on its own)
# --------------------------------------------------------------------------------------------


def _r(value: float | None, decimals: int = DECIMALS) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), decimals)


def fit_mixture(z: np.ndarray, k: int, random_state: int) -> GaussianMixture:
    """Tied-covariance Gaussian mixture with k components, started from k-means centres.

    k-means with ten restarts gives better starting centres than the mixture's own single
    k-means start, which too often merges two real groups and splits a third. The restarts
    run on a random sample of at most KMEANS_SAMPLE rows: centres only need to be roughly
    right (EM on all rows finishes the job), and on structureless data k-means otherwise
    spends most of the bootstrap's time iterating on every row.
    """
    with warnings.catch_warnings():
        # Rounded answers produce duplicate points; sklearn warns when k-means finds fewer
        # distinct clusters than asked. The mixture then simply has an empty component.
        warnings.simplefilter("ignore", ConvergenceWarning)
        centres = None
        if k > 1:
            sample = z
            if len(z) > KMEANS_SAMPLE:
                rows = np.random.default_rng(random_state).choice(
                    len(z), KMEANS_SAMPLE, replace=False
                )
                sample = z[np.sort(rows)]
            km = KMeans(n_clusters=k, n_init=KMEANS_STARTS, random_state=random_state).fit(sample)
            centres = km.cluster_centers_
        gm = GaussianMixture(
            n_components=k,
            covariance_type="tied",
            means_init=centres,
            reg_covar=REG_COVAR,
            random_state=random_state,
        )
        gm.fit(z)
    return gm


def choose_k(
    bics: Mapping[int, float], n: int, min_gain: float = MIN_BIC_GAIN_PER_RESPONDENT
) -> int:
    """Smallest k whose BIC is within ``min_gain`` x n of the lowest BIC."""
    best = min(bics.values())
    return min(k for k, bic in bics.items() if bic <= best + min_gain * n)


def _consecutive(labels: np.ndarray) -> np.ndarray:
    """Relabel to 0..m-1 (sorted old labels), so empty mixture components leave no gaps."""
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.astype(np.int64)


def _centroids(z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(labels, minlength=k).astype(float)
    sums = np.zeros((k, z.shape[1]))
    for c in range(k):
        sums[c] = z[labels == c].sum(axis=0)
    return sums / np.maximum(counts, 1.0)[:, None]


def merge_small_clusters(
    z: np.ndarray, labels: np.ndarray, min_count: int
) -> tuple[np.ndarray, list[int]]:
    """Merge clusters below ``min_count`` into the nearest centroid; return labels and sizes merged.

    The smallest cluster goes first and centroids are recomputed after each merge, so the
    result does not depend on the order clusters happen to be numbered in.
    """
    labels = _consecutive(labels)
    merged: list[int] = []
    while True:
        k = int(labels.max()) + 1 if labels.size else 0
        if k <= 1:
            return labels, merged
        counts = np.bincount(labels, minlength=k)
        small = [c for c in range(k) if counts[c] < min_count]
        if not small:
            return labels, merged
        victim = min(small, key=lambda c: (counts[c], c))
        centres = _centroids(z, labels, k)
        distance = np.linalg.norm(centres - centres[victim], axis=1)
        distance[victim] = np.inf
        target = int(np.argmin(distance))
        merged.append(int(counts[victim]))
        labels = _consecutive(np.where(labels == victim, target, labels))


def clusterwise_jaccard(
    labels: np.ndarray, rows: np.ndarray, boot_labels: np.ndarray
) -> np.ndarray:
    """Best Jaccard overlap of each original cluster with any resample cluster.

    ``rows`` are the distinct original rows present in the resample and ``boot_labels`` their
    cluster in the resample. Clusters without a row in the resample get NaN (not counted).
    """
    k = int(labels.max()) + 1
    kb = int(boot_labels.max()) + 1
    table = np.bincount(labels[rows] * kb + boot_labels, minlength=k * kb).reshape(k, kb)
    n_orig = table.sum(axis=1)
    n_boot = table.sum(axis=0)
    union = n_orig[:, None] + n_boot[None, :] - table
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, table / np.maximum(union, 1), 0.0).max(axis=1)
    return np.where(n_orig > 0, jaccard, np.nan)


def bootstrap_stability(
    z: np.ndarray,
    labels: np.ndarray,
    k_fit: int,
    min_count: int,
    resamples: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Mean clusterwise Jaccard per cluster over ``resamples`` bootstrap refits (Hennig 2007)."""
    k = int(labels.max()) + 1
    n = len(z)
    rng = np.random.default_rng([seed, 7919])
    total = np.zeros(k)
    counted = np.zeros(k)
    for b in range(resamples):
        idx = rng.integers(0, n, size=n)
        zb = z[idx]
        gm = fit_mixture(zb, k_fit, random_state=(seed + 1 + b) % (2**32))
        boot, _ = merge_small_clusters(zb, gm.predict(zb), min_count)
        rows, first = np.unique(idx, return_index=True)
        jac = clusterwise_jaccard(labels, rows, boot[first])
        seen = ~np.isnan(jac)
        total[seen] += jac[seen]
        counted[seen] += 1
        if progress:
            progress(b + 1)
    return np.where(counted > 0, total / np.maximum(counted, 1), np.nan)


def stability_band(stability: float | None) -> str:
    if stability is None:
        return "not_assessed"
    if stability >= STABLE_FROM:
        return "stable"
    if stability >= INDICATIVE_FROM:
        return "indicative"
    return "unstable"


# --------------------------------------------------------------------------------------------
# Profiles, level, labels, names
# --------------------------------------------------------------------------------------------


def _column_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sd (ddof 1) and count of observed values per column, without empty-slice warnings."""
    observed = ~np.isnan(x)
    count = observed.sum(axis=0)
    total = np.where(observed, x, 0.0).sum(axis=0)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    dev = np.where(observed, x - mean, 0.0)
    var = np.where(count > 1, (dev**2).sum(axis=0) / np.maximum(count - 1, 1), np.nan)
    return mean, np.sqrt(var), count


def _scale_range(q: Questionnaire, construct: str) -> tuple[int, int]:
    item = q.items[q.constructs[construct].items[0]]
    scale = q.scales[item.scale]
    return scale.min, scale.max


def _level(
    q: Questionnaire,
    means: Mapping[str, float | None],
    parts: Sequence[str],
    reversed_: Sequence[str],
) -> float | None:
    values = []
    for c in parts:
        m = means.get(c)
        if m is None or not math.isfinite(m):
            continue
        if c in reversed_:
            lo, hi = _scale_range(q, c)
            m = lo + hi - m
        values.append(m)
    return float(np.mean(values)) if values else None


def _level_definition(q: Questionnaire, dims: Sequence[str], config: PersonaConfig):
    parts = [c for c in config.level_constructs if c in dims]
    if not parts:
        return list(dims), []
    return parts, [c for c in config.level_reversed if c in parts]


def _z_terms(q: Questionnaire, profile: Mapping[str, dict]) -> dict[str, float]:
    """z per construct plus composites (mean of their constructs' z) for label rules."""
    z = {c: v["z"] for c, v in profile.items() if v["z"] is not None}
    for name, parts in q.composites.items():
        present = [z[p] for p in parts if p in z]
        if present and len(present) == len(parts):
            z[name] = float(np.mean(present))
    return z


def _label(
    q: Questionnaire,
    persona: dict,
    config: PersonaConfig,
    rules: Sequence[LabelRule],
    used: set[str] = frozenset(),
):
    """(label, source): the first rule that holds, else high/low phrases of top constructs.

    A rule already used by a larger persona is passed over: two personas with one label
    would read as one persona counted twice.
    """
    z = _z_terms(q, persona["profile"])
    for rule in rules:
        if rule.id not in used and all(cond.holds(z) for cond in rule.conditions):
            return dict(rule.label), f"rule:{rule.id}"
    top = persona["distinguishing"][: config.fallback_phrases]
    if not top:
        return dict(config.fallback_none), "fallback:none"
    label = {}
    for lang in LABEL_LANGS:
        phrases = []
        for d in top:
            construct = q.constructs[d["construct"]]
            texts = construct.high if d["direction"] == "high" else construct.low
            name = construct.name.get(lang, construct.id)
            phrases.append(texts.get(lang) or f"{name} {'+' if d['direction'] == 'high' else '-'}")
        text = config.fallback_join[lang].join(phrases)
        label[lang] = text[:1].upper() + text[1:]
    return label, "fallback:" + ",".join(f"{d['construct']}:{d['direction']}" for d in top)


def _pick_name(signature: str, groups: Sequence[Sequence[str]], rank: int, taken: set[str]):
    """A free name for the persona at ``rank`` (0 = largest), or None when all are taken.

    Ranks take turns over the groups (women, men, ...), so every set mixes them; inside a
    group a hash of the persona's label source picks the name, so the same kind of persona
    tends to keep its name from round to round.
    """
    groups = [g for g in groups if g]
    if not groups:
        return None
    start = int(hashlib.sha256(signature.encode("utf-8")).hexdigest(), 16)
    for turn in range(len(groups)):
        pool = groups[(rank + turn) % len(groups)]
        for step in range(len(pool)):
            name = pool[(start + step) % len(pool)]
            if name not in taken:
                return name
    return None


def _usable_rules(q: Questionnaire, dims: Sequence[str], config: PersonaConfig):
    known = set(dims) | {name for name, parts in q.composites.items() if set(parts) <= set(dims)}
    usable, skipped = [], []
    for rule in config.rules:
        if all(t in known for cond in rule.conditions for t in cond.terms()):
            usable.append(rule)
        else:
            skipped.append(rule.id)
    return usable, skipped


# --------------------------------------------------------------------------------------------
# derive_personas
# --------------------------------------------------------------------------------------------


def derive_personas(
    matrix: ScoreMatrix,
    q: Questionnaire,
    *,
    k: int | None = None,
    seed: int = 0,
    bootstrap: int = 100,
    min_size: int = 5,
    min_share: float = 0.05,
    names: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    config: PersonaConfig | None = None,
) -> dict:
    """Derive the persona set (schema: docs/architecture.md) from construct scores.

    ``k`` forces the number of clusters fitted (the criterion's own choice is still reported
    as ``quality.k_suggested``); merging small clusters can still lower it. ``names`` replaces
    the name pool of personas.toml; ``config`` replaces the whole file (tests, other
    organisations). ``progress(fraction, message)`` is called while fitting and bootstrapping.
    """
    # One numeric thread: the fits are small and many, and OpenMP/BLAS threads that spin
    # while the cores are busy (web requests, the scheduler, a test run) made a 0.5 s
    # derivation take 40 s. Single-threaded it is fast whatever else the machine does.
    with threadpool_limits(limits=NUMERIC_THREADS):
        return _derive(
            matrix,
            q,
            k=k,
            seed=seed,
            bootstrap=bootstrap,
            min_size=min_size,
            min_share=min_share,
            names=names,
            progress=progress,
            config=config,
        )


def _derive(matrix, q, *, k, seed, bootstrap, min_size, min_share, names, progress, config):
    if min_size < MIN_SIZE_FLOOR:
        raise ValueError(f"min_size must be at least {MIN_SIZE_FLOOR} (privacy floor)")
    if min_share < MIN_SHARE_FLOOR:
        raise ValueError(f"min_share must be at least {MIN_SHARE_FLOOR} (privacy floor)")
    if bootstrap < 0:
        raise ValueError("bootstrap must be zero or more")
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    if seed < 0:
        raise ValueError("seed must be zero or more")
    config = config or load_persona_config()
    dims = q.dimension_constructs()
    absent = [c for c in dims if c not in matrix.constructs]
    if absent:
        raise ValueError(f"score matrix lacks persona dimension construct(s): {', '.join(absent)}")

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(float(min(max(fraction, 0.0), 1.0)), message)

    cols = [matrix.constructs.index(c) for c in dims]
    ids = np.asarray(matrix.response_ids, dtype=object)
    raw = np.asarray(matrix.values, dtype=float).reshape(len(ids), len(matrix.constructs))[:, cols]
    order = np.argsort(ids, kind="stable")
    ids, raw = ids[order], raw[order]
    n_respondents = len(ids)
    d = len(dims)

    missing = np.isnan(raw).sum(axis=1)
    keep = missing <= MAX_MISSING_SHARE * d + 1e-9
    ids, raw = ids[keep], raw[keep]
    n = len(ids)
    excluded = {"too_many_missing": int(n_respondents - n)}
    level_parts, level_reversed = _level_definition(q, dims, config)
    rules, skipped_rules = _usable_rules(q, dims, config)

    org_mean, org_sd, org_n = _column_stats(raw)
    overall_means = {c: (float(org_mean[j]) if org_n[j] else None) for j, c in enumerate(dims)}
    overall = {
        "n": n,
        "level": _r(_level(q, overall_means, level_parts, level_reversed)),
        "profile": {
            c: {"mean": _r(org_mean[j]), "sd": _r(org_sd[j]), "n": int(org_n[j])}
            for j, c in enumerate(dims)
        },
    }
    quality: dict = {
        "bootstrap": int(bootstrap),
        "features": "z-scores of the persona-dimension constructs (included respondents' mean and sd)",
        "model": "Gaussian mixture, one shared full covariance (tied), started from k-means "
        f"(n_init={KMEANS_STARTS}, on at most {KMEANS_SAMPLE} rows), reg_covar={REG_COVAR}",
        "k_scores_are": "BIC per k (lower is better)",
        "min_bic_gain_per_respondent": MIN_BIC_GAIN_PER_RESPONDENT,
        "exclusion": "more than a third of the dimension constructs missing",
        "imputation": "remaining missing construct scores set to the construct mean of the "
        "included respondents (for clustering only; profiles use observed scores)",
        "imputed_values": int(np.isnan(raw).sum()),
        "level_definition": {
            "constructs": level_parts,
            "reversed": level_reversed,
            "text": "mean of the persona's construct means in scale points; reversed "
            "constructs mirrored on their scale (higher = more positive about the change)",
        },
        "stability_method": "Hennig clusterwise Jaccard: mean over bootstrap resamples of the "
        "best Jaccard overlap with a cluster of the refitted resample",
        "label_rules_skipped": skipped_rules,
    }
    criterion = (
        f"BIC of a tied-covariance Gaussian mixture, k = 1..{K_MAX}: the smallest k whose BIC "
        f"is within {MIN_BIC_GAIN_PER_RESPONDENT} x n of the lowest"
    )
    result: dict = {
        "method": METHOD,
        "criterion": criterion,
        "seed": int(seed),
        "k": 0,
        "k_requested": k,
        "no_distinct_personas": True,
        "dimensions": list(dims),
        "n_respondents": int(n_respondents),
        "n_used": int(n),
        "excluded": excluded,
        "overall": overall,
        "quality": quality,
        "personas": [],
    }
    if n == 0:
        quality.update(
            k_scores={},
            k_suggested=None,
            k_fitted=None,
            merged_sizes=[],
            min_persona_size=None,
            converged=None,
            labels={},
            negative_personas=[],
        )
        report(1.0, "no respondents with enough answers")
        return result
    if k is not None and k > n:
        raise ValueError(f"cannot make {k} personas from {n} usable respondents")

    # Standardise with observed statistics; missing -> the mean, i.e. z = 0 on that axis.
    centre = np.where(np.isfinite(org_mean), org_mean, 0.0)
    spread = np.where(np.isfinite(org_sd) & (org_sd > 0), org_sd, 1.0)
    z = (np.where(np.isnan(raw), centre, raw) - centre) / spread

    min_count = max(int(min_size), math.ceil(min_share * n - 1e-9))
    k_max = max(1, min(K_MAX, n // min_count))
    fits: dict[int, GaussianMixture] = {}
    bics: dict[int, float] = {}
    fit_share = 0.1 if bootstrap else 1.0
    if n >= 2:  # a mixture needs two rows; one respondent is one profile, nothing to fit
        for kk in range(1, k_max + 1):
            report(fit_share * (kk - 1) / k_max, f"fitting k = {kk} of {k_max}")
            fits[kk] = fit_mixture(z, kk, random_state=seed)
            bics[kk] = float(fits[kk].bic(z))
    k_suggested = choose_k(bics, n) if bics else 1
    k_fit = k if k is not None else k_suggested
    if k_fit == 1:
        gm, labels = fits.get(1), np.zeros(n, dtype=np.int64)
    else:
        gm = fits.get(k_fit) or fit_mixture(z, k_fit, random_state=seed)
        labels = gm.predict(z)
    labels, merged_sizes = merge_small_clusters(z, labels, min_count)

    # Personas ordered by size (largest first); ties by their first response id.
    k_final = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=k_final)
    first_row = np.array([np.flatnonzero(labels == c)[0] for c in range(k_final)])
    ranking = sorted(range(k_final), key=lambda c: (-sizes[c], first_row[c]))
    relabel = np.empty(k_final, dtype=np.int64)
    relabel[ranking] = np.arange(k_final)
    labels = relabel[labels]

    report(fit_share, f"k = {k_final}")
    if k_final == 1:
        stability = np.ones(1)
        quality["stability_note"] = "a single profile is trivially stable"
    elif bootstrap:
        every = max(1, bootstrap // 100)

        def tick(done: int) -> None:
            if done % every == 0 or done == bootstrap:
                report(
                    fit_share + (1 - fit_share) * done / bootstrap,
                    f"bootstrap {done} of {bootstrap}",
                )

        stability = bootstrap_stability(z, labels, k_fit, min_count, bootstrap, seed, tick)
    else:
        stability = None

    personas = []
    for c in range(k_final):
        rows = labels == c
        member_ids = [str(i) for i in ids[rows]]
        mean, _, count = _column_stats(raw[rows])
        profile = {}
        for j, construct in enumerate(dims):
            m = float(mean[j]) if count[j] else None
            diff = m - org_mean[j] if m is not None else None
            zval = (
                diff / org_sd[j]
                if diff is not None and org_sd[j] > 0
                else (0.0 if diff is not None else None)
            )
            profile[construct] = {
                "mean": _r(m),
                "n": int(count[j]),
                "diff": _r(diff),
                "z": _r(zval),
            }
        candidates = [
            (construct, v)
            for construct, v in profile.items()
            if v["z"] is not None and abs(v["z"]) >= DISTINGUISHING_Z
        ]
        candidates.sort(key=lambda cv: (-abs(cv[1]["z"]), dims.index(cv[0])))
        distinguishing = [
            {
                "construct": construct,
                "mean": v["mean"],
                "org_mean": _r(org_mean[dims.index(construct)]),
                "diff": v["diff"],
                "z": v["z"],
                "n": v["n"],
                "direction": "high" if v["z"] > 0 else "low",
            }
            for construct, v in candidates[:DISTINGUISHING_TOP]
        ]
        stab = _r(stability[c]) if stability is not None else None
        band = stability_band(stab)
        personas.append(
            {
                "key": f"p{c + 1}",
                "name": None,
                "label": None,
                "size": int(rows.sum()),
                "share": _r(rows.sum() / n),
                "stability": stab,
                "stability_band": band,
                "presented": band != "unstable",
                "level": _r(
                    _level(
                        q,
                        {cc: float(mean[j]) if count[j] else None for j, cc in enumerate(dims)},
                        level_parts,
                        level_reversed,
                    )
                ),
                "profile": profile,
                "distinguishing": distinguishing,
                "members": member_ids,
            }
        )

    name_groups = (tuple(names),) if names is not None else config.name_groups
    taken: set[str] = set()
    label_sources = {}
    used_rules: set[str] = set()
    for i, persona in enumerate(personas):
        if k_final == 1:
            label, source = dict(config.overall_label), "overall"
        else:
            label, source = _label(q, persona, config, rules, used_rules)
            used_rules.add(source.removeprefix("rule:"))
        name = _pick_name(source, name_groups, i, taken) or f"Persona {i + 1}"
        taken.add(name)
        persona["name"] = name
        persona["label"] = label
        label_sources[persona["key"]] = source

    quality.update(
        k_scores={str(kk): round(b, 1) for kk, b in bics.items()},
        k_suggested=k_suggested,
        k_fitted=k_fit,
        min_persona_size=min_count,
        merged_sizes=merged_sizes,
        converged=bool(gm.converged_) if gm is not None else True,
        labels=label_sources,
        # Personas labelled by a rule marked negative: the usual approach backfires with them.
        negative_personas=[
            key
            for key, source in label_sources.items()
            if any(source == f"rule:{r.id}" and r.negative for r in rules)
        ],
    )
    result.update(k=k_final, no_distinct_personas=k_final == 1, personas=personas)
    report(1.0, "done")
    return result


# --------------------------------------------------------------------------------------------
# describe_personas
# --------------------------------------------------------------------------------------------


def _likert_value(q: Questionnaire, item: Item, value) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    scale = q.scales[item.scale]
    if not scale.min <= value <= scale.max:
        return None
    return keyed_value(q, item.id, value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word.replace('category', 'categories')}"


class _Describer:
    """Per persona summaries of one round; holds org-wide figures computed once."""

    def __init__(
        self,
        q,
        answers_by_response,
        contexts_by_response,
        everyone,
        min_group,
        min_quote_group,
        lang,
    ):
        self.q = q
        self.answers = answers_by_response
        self.contexts = contexts_by_response or {}
        self.min_group = min_group
        self.min_quote_group = min_quote_group
        self.lang = lang
        self.adkar = [c.id for c in q.constructs.values() if c.block == ADKAR_BLOCK]
        self.adkar_scores: dict[str, np.ndarray] = {}
        if self.adkar and everyone:
            m = score_matrix(q, {rid: self.answers.get(rid, {}) for rid in everyone}, self.adkar)
            self.adkar_row = {rid: i for i, rid in enumerate(m.response_ids)}
            self.adkar_values = m.values
        else:
            self.adkar_row, self.adkar_values = {}, np.empty((0, len(self.adkar)))
        self.everyone = everyone

    def item(self, role: str) -> Item | None:
        found = self.q.items_with_role(role)
        return found[0] if found else None

    def choices(self, role: str, members, path: str, suppressed: list[str]) -> list[dict]:
        item = self.item(role)
        if item is None or item.type not in ("single", "multi"):
            return []
        values = [o.value for o in item.options]
        counts = dict.fromkeys(values, 0)
        answered = 0
        for rid in members:
            value = self.answers.get(rid, {}).get(item.id)
            chosen = (
                {value}
                if isinstance(value, str)
                else set(value)
                if isinstance(value, list)
                else set()
            )
            chosen &= set(values)
            if chosen:
                answered += 1
                for v in chosen:
                    counts[v] += 1
        entries, hidden = [], 0
        for index, v in enumerate(values):
            if counts[v] == 0:
                continue
            if counts[v] < self.min_group:
                hidden += 1
                continue
            entry = {"value": v, "n": counts[v], "share": _r(counts[v] / answered)}
            if self.lang:
                entry["label"] = item.option(v).label.get(self.lang, v)
            entries.append((-counts[v], index, entry))
        if hidden:
            suppressed.append(f"{path}: {_plural(hidden, 'category')} under {self.min_group}")
        return [e for *_, e in sorted(entries, key=lambda t: (t[0], t[1]))]

    def likert(self, role: str, members, path: str, suppressed: list[str]) -> dict | None:
        item = self.item(role)
        if item is None or item.type != "likert":
            return None

        def values(rids):
            out = [
                _likert_value(self.q, item, self.answers.get(rid, {}).get(item.id)) for rid in rids
            ]
            return [v for v in out if v is not None]

        mine, org = values(members), values(self.everyone)
        org_mean = _r(float(np.mean(org))) if org else None
        if len(mine) < self.min_group:
            if mine:
                suppressed.append(f"{path}: fewer than {self.min_group} answers")
            return {"mean": None, "n": len(mine), "org_mean": org_mean}
        return {"mean": _r(float(np.mean(mine))), "n": len(mine), "org_mean": org_mean}

    def adkar_stages(self, members, suppressed: list[str]) -> list[dict]:
        if not self.adkar:
            return []
        rows = [self.adkar_row[rid] for rid in members if rid in self.adkar_row]
        mine = self.adkar_values[rows]
        stages = []
        for j, stage in enumerate(self.adkar):
            col = mine[:, j]
            col = col[~np.isnan(col)]
            org = self.adkar_values[:, j]
            org = org[~np.isnan(org)]
            entry = {
                "stage": stage,
                "mean": None,
                "org_mean": _r(float(org.mean())) if org.size else None,
                "barrier_share": None,
                "n": int(col.size),
            }
            if col.size >= self.min_group:
                entry["mean"] = _r(float(col.mean()))
                entry["barrier_share"] = _r(float((col <= ADKAR_BARRIER_MAX).mean()))
            elif col.size:
                suppressed.append(f"adkar.{stage}: fewer than {self.min_group} answers")
            stages.append(entry)
        return stages

    def context_value(self, rid: str, key: str) -> str | None:
        value = (self.contexts.get(rid) or {}).get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            item = self.item(f"ctx_{key}")
            value = self.answers.get(rid, {}).get(item.id) if item else None
            if item and item.type == "single" and item.option(str(value)) is None:
                value = None
        if value is None:
            return None
        value = " ".join(str(value).split())
        return value or None

    def context(self, members, suppressed: list[str]) -> dict:
        out = {}
        for key in CONTEXT_KEYS:
            counts: dict[str, int] = {}
            for rid in members:
                value = self.context_value(rid, key)
                if value is not None:
                    counts[value] = counts.get(value, 0) + 1
            shown = sorted(
                ((v, c) for v, c in counts.items() if c >= self.min_group),
                key=lambda vc: (-vc[1], vc[0]),
            )
            hidden = sum(1 for c in counts.values() if c < self.min_group)
            if hidden:
                suppressed.append(
                    f"context.{key}: {_plural(hidden, 'category')} under {self.min_group}"
                )
            out[key] = [{"value": v, "n": c} for v, c in shown]
        return out

    def texts(self, roles: Sequence[str], members) -> list[str]:
        """Up to MAX_TEXTS cleaned, distinct answers; roles take turns so each is heard."""
        per_role = []
        for role in roles:
            found: dict[str, str] = {}
            for item in self.q.items_with_role(role):
                for rid in members:
                    value = self.answers.get(rid, {}).get(item.id)
                    if not isinstance(value, str):
                        continue
                    text = " ".join(value.split())
                    if not text:
                        continue
                    if len(text) > MAX_TEXT_CHARS:
                        text = text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
                    found.setdefault(text.casefold(), text)
            # Hash order: deterministic, and not "whoever answered first" (ids can be dated).
            ordered = sorted(found.values(), key=lambda t: hashlib.sha256(t.encode()).hexdigest())
            per_role.append(ordered)
        out: list[str] = []
        for i in range(MAX_TEXTS):
            for texts in per_role:
                if i < len(texts) and len(out) < MAX_TEXTS:
                    out.append(texts[i])
        return out

    def describe(self, persona: dict) -> dict:
        members = persona["members"]
        suppressed: list[str] = []
        description = {
            "communication": {
                "channels": self.choices(
                    "comm_channels", members, "communication.channels", suppressed
                ),
                "messenger": self.choices(
                    "comm_messenger", members, "communication.messenger", suppressed
                ),
                "frequency": self.choices(
                    "comm_frequency", members, "communication.frequency", suppressed
                ),
                "detail": self.likert("comm_detail", members, "communication.detail", suppressed),
                "involvement": self.likert(
                    "comm_involvement", members, "communication.involvement", suppressed
                ),
            },
            "learning": {
                "format": self.choices("learn_format", members, "learning.format", suppressed),
                "pace": self.choices("learn_pace", members, "learning.pace", suppressed),
                "time": self.choices("learn_time", members, "learning.time", suppressed),
                "digital": self.likert("learn_digital", members, "learning.digital", suppressed),
            },
            "adkar": self.adkar_stages(members, suppressed),
            "context": self.context(members, suppressed),
            "situations": [],
            "quotes": [],
            "suppressed": suppressed,
        }
        if len(members) >= self.min_quote_group:
            description["situations"] = self.texts(("open_situation",), members)
            description["quotes"] = self.texts(("open_help", "open_worry"), members)
        return description


def describe_personas(
    persona_set: dict,
    q: Questionnaire,
    answers_by_response: Mapping[str, dict],
    contexts_by_response: Mapping[str, dict] | None = None,
    *,
    min_group: int = 5,
    min_quote_group: int = 10,
    lang: str | None = None,
) -> dict:
    """A copy of ``persona_set`` with a ``description`` per persona (docs/architecture.md).

    Organisation figures (``org_mean``) are over all members of the set. Choice shares are of
    the members who answered that question. Categories with fewer than ``min_group`` people
    are left out and counted in ``suppressed``; open answers appear only for personas with at
    least ``min_quote_group`` members. ``lang`` adds option labels in that language.
    """
    if min_group < MIN_SIZE_FLOOR:
        raise ValueError(f"min_group must be at least {MIN_SIZE_FLOOR} (privacy floor)")
    if min_quote_group < min_group:
        raise ValueError("min_quote_group cannot be below min_group")
    if lang is not None and lang not in q.languages:
        raise ValueError(
            f"language '{lang}' is not in the questionnaire ({', '.join(q.languages)})"
        )
    result = copy.deepcopy(persona_set)
    everyone = [rid for p in result["personas"] for rid in p["members"]]
    describer = _Describer(
        q, answers_by_response, contexts_by_response, everyone, min_group, min_quote_group, lang
    )
    for persona in result["personas"]:
        persona["description"] = describer.describe(persona)
    _suppress_context_across_personas(result, describer, answers_by_response, min_group)
    return result


def _suppress_context_across_personas(persona_set: dict, describer: _Describer,
                                      answers_by_response: Mapping[str, dict], min_group: int) -> None:
    """Hide context cells that would give away a small group by subtraction across personas.

    A team's size in the round is public (the response rate per team shows it). When the
    personas together show all but 1-4 of that team's respondents, those few are known to sit
    in the remaining persona(s); so the smallest shown cells of that category are hidden until
    the unexplained rest is empty or at least ``min_group``.
    """
    for key in CONTEXT_KEYS:
        totals: dict[str, int] = {}
        for rid in answers_by_response:
            value = describer.context_value(rid, key)
            if value is not None:
                totals[value] = totals.get(value, 0) + 1
        for value, total in totals.items():
            cells = [(p, cell) for p in persona_set["personas"]
                     for cell in p["description"]["context"][key] if cell["value"] == value]
            rest = total - sum(cell["n"] for _p, cell in cells)
            cells.sort(key=lambda pc: pc[1]["n"])
            while cells and 0 < rest < min_group:
                persona, cell = cells.pop(0)
                persona["description"]["context"][key].remove(cell)
                persona["description"]["suppressed"].append(
                    f"context.{key}: 1 category hidden so that a smaller group cannot be worked out"
                )
                rest += cell["n"]
