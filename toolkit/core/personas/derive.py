"""Construct scores -> a persona set: the pipeline of steps, each a small function.

This is the step that turns a round of answers into "the three kinds of people we have", so
every choice below is one we must be able to defend to a works council and to a sceptical
change manager. The steps, in order (:func:`derive_personas`):

1. **Rows.** The persona-dimension constructs (``q.dimension_constructs()``: motivation and
   readiness in the default instrument), one row per response, in a canonical order by
   content (:func:`dimension_rows`), so neither the import order nor the (random) response
   ids can change the result.
2. **Exclusion.** Respondents missing *more than a third* of those constructs are excluded
   (counted in ``excluded``).
3. **Features.** z-scores with the included respondents' mean and sd; the remaining gaps
   are filled with the construct mean, i.e. z = 0 on that axis, so they do not pull anyone
   towards a persona (reported in ``quality``). We deliberately do not remove each
   respondent's row mean: a genuinely separate disengaged group (high amotivation, low
   everything else) differs from the rest mostly in level, and row-centring would fold it
   into the average while amotivation's opposite keying would distort every other shape.
   The overall level is reported separately (``level``), never clustered on.
4. **Clustering and k** (``method.py``: a tied-covariance Gaussian mixture, k = 1..6 chosen
   by BIC with a minimum gain per respondent, Schwarz 1978). k = 1 is a real answer:
   ``no_distinct_personas``. Uniform random answers and a single correlated blob both give
   k = 1; well separated synthetic segments are recovered with the right k (see
   tests/test_personas.py).
5. **Minimum size** (``merging.py``): clusters below max(``min_size``, ``min_share`` x n)
   merge into the nearest; both floors may be raised, never lowered (privacy).
6. **Order**: personas by size, largest first.
7. **Stability** (``stability.py``: Hennig's clusterwise Jaccard bootstrap, Hennig 2007):
   >= 0.75 stable, >= 0.6 indicative, below that unstable and ``presented = false``. Stored
   to 3 decimals and never rounded across a band threshold.
8. **Near miss** (``near_miss.py``): whether the next larger k would add a group that is
   indicative or better -- recorded in ``quality.near_miss``, never presented as a persona.
9. **Profiles and level** (``profiles.py``), in scale points against the organisation.
10. **Names and labels** (``naming.py``) from questionnaires/personas.toml.

Everything is deterministic *in the answers*: the rows are put in a canonical order by content,
and every random step is seeded from a hash of those rows and ``seed`` (``quality.data_seed``),
so the same answers give an identical dict whatever their order, round or response ids. The
result is plain JSON data (shape: :class:`toolkit.core.shapes.PersonaSet`). No Flask, no
database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from toolkit.core.messages import N_, Message, MessageError
from toolkit.core.personas import method as clustering
from toolkit.core.personas.config import PersonaConfig, load_persona_config
from toolkit.core.personas.merging import (
    MIN_SHARE_FLOOR,
    MIN_SIZE_FLOOR,
    merge_small_clusters,
    min_persona_size,
    rank_by_size,
)
from toolkit.core.personas.naming import name_personas, usable_rules
from toolkit.core.personas.near_miss import find_near_miss
from toolkit.core.personas.profiles import (
    column_stats,
    distinguishing,
    level,
    level_definition,
    persona_profile,
    rounded,
)
from toolkit.core.personas.stability import bootstrap_stability, stability_band, stability_value
from toolkit.core.questionnaire import Questionnaire
from toolkit.core.scoring import ScoreMatrix
from toolkit.core.shapes import Overall, Persona, PersonaSet, Quality

NUMERIC_THREADS = 1
MAX_MISSING_SHARE = 1 / 3

ProgressCallback = Callable[[float, Message], None]
Report = Callable[[float, Message], None]

# What a progress page says while deriving (catalogue keys, translated where shown).
TRYING = N_("Trying %(k)d groups (at most %(max)d)")
CHOSEN = N_("%(k)d groups chosen")
STABILITY = N_("Checking stability: resample %(done)d of %(total)d")
LARGER_K = N_("Checking whether more groups fit better: resample %(done)d of %(total)d")
DONE = N_("Done")
NO_RESPONDENTS = N_("No respondents answered enough questions")


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
    avoid_names: Collection[str] = (),
) -> PersonaSet:
    """Derive the persona set from construct scores (shape: :class:`PersonaSet`).

    ``matrix`` holds one row per response with (at least) the questionnaire's dimension
    constructs, scale points, NaN = missing. ``k`` forces the number of clusters fitted (the
    criterion's own choice is still reported as ``quality.k_suggested``); merging small
    clusters can still lower it. ``seed`` (int >= 0) seeds every random step. ``bootstrap``
    is the number of resamples for stability (0 = not assessed). ``min_size`` (people, >= 5)
    and ``min_share`` (fraction, >= 0.05) set the minimum persona size. ``names`` replaces
    the name pool of personas.toml; ``config`` replaces the whole file (tests, other
    organisations); ``avoid_names`` are first names never given to a persona (the round's
    participants). ``progress(fraction, message)`` is called while fitting and
    bootstrapping, fraction in [0, 1], message a :class:`toolkit.core.messages.Message` (a
    catalogue key the screen translates; ``str()`` gives the English).

    Raises ValueError for arguments below their floor, a negative seed or bootstrap, k < 1
    or k above the usable respondents, or a matrix without the dimension constructs;
    MessageError (a ValueError with a catalogue message) for a forced ``k`` > 1 whose groups
    of the minimum persona size do not fit in the usable respondents;
    PersonaConfigError when personas.toml is unusable.

    Methods: Gaussian mixture with k chosen by BIC (Schwarz 1978); stability by Hennig's
    (2007) clusterwise Jaccard bootstrap.
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
            avoid_names=avoid_names,
        )


def _derive(matrix, q, *, k, seed, bootstrap, min_size, min_share, names, progress, config, avoid_names):
    _check_arguments(k=k, seed=seed, bootstrap=bootstrap, min_size=min_size, min_share=min_share)
    config = config or load_persona_config()
    dims = q.dimension_constructs()
    ids, raw = dimension_rows(matrix, dims)
    n_respondents = len(ids)
    ids, raw = _drop_sparse_rows(ids, raw, len(dims))
    n = len(ids)
    level_parts, level_reversed = level_definition(q, dims, config)
    rules, skipped_rules = usable_rules(q, dims, config)
    org_mean, org_sd, org_n = column_stats(raw)
    overall = _overall(q, dims, n, (org_mean, org_sd, org_n), level_parts, level_reversed)
    quality = _quality(bootstrap, raw, level_parts, level_reversed, skipped_rules)
    result = _skeleton(seed, k, dims, n_respondents, n, overall, quality)
    report = _reporter(progress)
    if n == 0:
        return _without_respondents(result, quality, report)
    if k is not None and k > n:
        raise ValueError(f"cannot make {k} personas from {n} usable respondents")

    z = standardise(raw, org_mean, org_sd)
    min_count = min_persona_size(n, min_size, min_share)
    _check_forced_k(k, n, min_count)
    fit_seed = data_seed(raw, seed)
    quality["data_seed"] = fit_seed
    fit_share = 0.1 if bootstrap else 1.0
    search, k_fit, partition = _fit(z, k, fit_seed, min_count, fit_share, report)
    labels, merged_sizes = merge_small_clusters(z, partition.labels, min_count)
    labels = rank_by_size(labels)
    k_final = int(labels.max()) + 1
    report(fit_share, Message(CHOSEN, {"k": k_final}))
    phases = _Phases(fit_share, bootstrap, search is not None)
    stability = _stability(z, labels, k_fit, min_count, bootstrap, fit_seed, phases.main, report)
    if k_final == 1:
        quality["stability_note"] = "a single profile is trivially stable"
    quality["near_miss"] = find_near_miss(
        z, raw, labels, search, k_fit, min_count, bootstrap, fit_seed, (dims, org_mean, org_sd),
        progress=_ticker(report, phases.near, bootstrap, LARGER_K),
    )

    personas = [
        _persona(q, c, labels, ids, raw, dims, (org_mean, org_sd), stability, level_parts,
                 level_reversed)
        for c in range(k_final)
    ]
    label_sources = name_personas(q, personas, config, rules, names, seed=fit_seed, avoid=avoid_names)
    _record_fit(quality, search, k_fit, min_count, merged_sizes, partition, label_sources, rules)
    result.update(k=k_final, no_distinct_personas=k_final == 1, personas=personas)
    report(1.0, Message(DONE))
    return result


class _Phases:
    """Progress fractions of the two bootstraps: the set's own, then the near-miss check."""

    def __init__(self, fit_share: float, bootstrap: int, near: bool):
        """Split [fit_share, 1] between the bootstraps (all to the first without a check)."""
        middle = fit_share + (1 - fit_share) / 2 if bootstrap and near else 1.0
        self.main = (fit_share, middle)
        self.near = (middle, 1.0)


def _ticker(report: Report, span: tuple[float, float], bootstrap: int, what: str) -> Callable[[int], None]:
    # ``what``: a msgid with %(done)d and %(total)d (STABILITY, LARGER_K)
    start, end = span
    every = max(1, bootstrap // 100)

    def tick(done: int) -> None:
        if done % every == 0 or done == bootstrap:
            report(start + (end - start) * done / max(bootstrap, 1), Message(what, {"done": done, "total": bootstrap}))

    return tick


def _check_arguments(*, k, seed, bootstrap, min_size, min_share) -> None:
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


TOO_FEW_FOR_K = N_("%(k)d personas need at least %(needed)d people with enough answers (%(k)d groups of at "
                   "least %(min)d); this round has %(n)d, which is room for at most %(max)d. Choose fewer personas "
                   "or let the data decide.")


def _check_forced_k(k: int | None, n: int, min_count: int) -> None:
    """Refuse a forced ``k`` whose groups of ``min_count`` people do not fit in ``n`` respondents:
    merging would quietly give fewer personas, for a reason nobody was told."""
    if k is not None and k > 1 and k * min_count > n:
        raise MessageError(TOO_FEW_FOR_K, k=k, needed=k * min_count, min=min_count, n=n, max=max(1, n // min_count))


def _reporter(progress: ProgressCallback | None) -> Report:
    def report(fraction: float, message: Message) -> None:
        if progress:
            progress(float(min(max(fraction, 0.0), 1.0)), message)

    return report


def dimension_rows(matrix: ScoreMatrix, dims: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(ids, raw): response ids and their dimension scores, in the order clustering sees them.

    ``ids`` is an (n,) object array of response ids, ``raw`` an (n, len(dims)) float array
    in scale points, NaN = missing. Raises ValueError when the matrix lacks a dimension.

    This is where row order enters the method: every later step (the k-means sample, the
    bootstrap draws, the tie-break between equally large personas) follows this order. So
    the order is canonical, by content: rows sorted by their scores column by column (a
    missing score after every value). Response ids, random per import, only order rows with
    identical scores, and such rows are interchangeable to every step that follows.
    """
    absent = [c for c in dims if c not in matrix.constructs]
    if absent:
        raise ValueError(f"score matrix lacks persona dimension construct(s): {', '.join(absent)}")
    cols = [matrix.constructs.index(c) for c in dims]
    ids = np.asarray(matrix.response_ids, dtype=object)
    raw = np.asarray(matrix.values, dtype=float).reshape(len(ids), len(matrix.constructs))[:, cols]
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    keys = [id_rank]
    for j in reversed(range(raw.shape[1])):  # np.lexsort: the last key sorts first
        keys += [np.nan_to_num(raw[:, j], nan=0.0), np.isnan(raw[:, j])]
    order = np.lexsort(keys) if len(ids) else np.arange(0)
    return ids[order], raw[order]


def data_seed(raw: np.ndarray, seed: int) -> int:
    """The seed of every random step: a hash of the rows' content and the user's ``seed``.

    ``raw`` is the (n, d) float array of the included rows in canonical order (NaN =
    missing), ``seed`` an int >= 0. Returns an int in [0, 2**32). The same answers give the
    same seed wherever they were imported; other answers draw other (but fixed) random
    streams, so no data set is tied to one particular stream.
    """
    missing = np.isnan(raw)
    digest = hashlib.sha256()
    digest.update(np.asarray(raw.shape, dtype="<i8").tobytes())
    digest.update(np.where(missing, 0.0, raw).astype("<f8").tobytes())
    digest.update(np.packbits(missing).tobytes())
    digest.update(str(int(seed)).encode())
    return int.from_bytes(digest.digest()[:4], "little")


def _drop_sparse_rows(ids: np.ndarray, raw: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Leave out respondents missing more than MAX_MISSING_SHARE of the d dimensions."""
    missing = np.isnan(raw).sum(axis=1)
    keep = missing <= MAX_MISSING_SHARE * d + 1e-9
    return ids[keep], raw[keep]


def standardise(raw: np.ndarray, org_mean: np.ndarray, org_sd: np.ndarray) -> np.ndarray:
    """z-scores with the observed mean and sd; a missing score becomes 0 (the mean).

    ``raw`` is (n, d) in scale points with NaN; ``org_mean``/``org_sd`` are (d,) (NaN when a
    column has no data: centre 0, spread 1). A column with sd 0 is divided by 1. Returns an
    (n, d) float array without NaN.
    """
    centre = np.where(np.isfinite(org_mean), org_mean, 0.0)
    spread = np.where(np.isfinite(org_sd) & (org_sd > 0), org_sd, 1.0)
    return (np.where(np.isnan(raw), centre, raw) - centre) / spread


def _overall(q, dims, n, org_stats, level_parts, level_reversed) -> Overall:
    org_mean, org_sd, org_n = org_stats
    overall_means = {c: (float(org_mean[j]) if org_n[j] else None) for j, c in enumerate(dims)}
    return {
        "n": n,
        "level": rounded(level(q, overall_means, level_parts, level_reversed)),
        "profile": {
            c: {"mean": rounded(org_mean[j]), "sd": rounded(org_sd[j]), "n": int(org_n[j])}
            for j, c in enumerate(dims)
        },
    }


def _quality(bootstrap, raw, level_parts, level_reversed, skipped_rules) -> Quality:
    return {
        "bootstrap": int(bootstrap),
        "features": "z-scores of the persona-dimension constructs (included respondents' mean and sd)",
        **clustering.quality_notes(),
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


def _skeleton(seed, k, dims, n_respondents, n, overall, quality) -> PersonaSet:
    return {
        "method": clustering.NAME,
        "criterion": clustering.criterion(),
        "seed": int(seed),
        "k": 0,
        "k_requested": k,
        "no_distinct_personas": True,
        "dimensions": list(dims),
        "n_respondents": int(n_respondents),
        "n_used": int(n),
        "excluded": {"too_many_missing": int(n_respondents - n)},
        "overall": overall,
        "quality": quality,
        "personas": [],
    }


def _without_respondents(result: PersonaSet, quality: Quality, report: Report) -> PersonaSet:
    quality.update(
        k_scores={},
        k_suggested=None,
        k_fitted=None,
        merged_sizes=[],
        min_persona_size=None,
        converged=None,
        labels={},
        negative_personas=[],
        data_seed=None,
        near_miss=None,
    )
    report(1.0, Message(NO_RESPONDENTS))
    return result


def _fit(z, k, seed, min_count, fit_share, report):
    """(search or None, k fitted, partition): the k search, then the partition at that k."""
    n = len(z)
    k_max = max(1, min(clustering.K_MAX, n // min_count))
    if n < 2:  # a mixture needs two rows; one respondent is one profile, nothing to fit
        return None, 1, clustering.Partition(np.zeros(n, dtype=np.int64), True)

    def on_k(kk: int) -> None:
        report(fit_share * (kk - 1) / k_max, Message(TRYING, {"k": kk, "max": k_max}))

    search = clustering.search_k(z, k_max, seed, on_k)
    k_fit = k if k is not None else search.suggested
    return search, k_fit, search.partition(k_fit)


def _record_fit(quality, search, k_fit, min_count, merged_sizes, partition, label_sources, rules):
    """Complete ``quality`` with how the fit went and where each label came from."""
    quality.update(
        k_scores={str(kk): round(b, 1) for kk, b in (search.scores if search else {}).items()},
        k_suggested=search.suggested if search else 1,
        k_fitted=k_fit,
        min_persona_size=min_count,
        merged_sizes=merged_sizes,
        converged=partition.converged,
        labels=label_sources,
        # Personas labelled by a rule marked negative: the usual approach backfires with them.
        negative_personas=[
            key
            for key, source in label_sources.items()
            if any(source == f"rule:{r.id}" and r.negative for r in rules)
        ],
    )


def _stability(z, labels, k_fit, min_count, bootstrap, seed, span, report):
    """Per-cluster stability array, ones for a single profile, None without bootstrap."""
    if int(labels.max()) + 1 == 1:
        return np.ones(1)
    if not bootstrap:
        return None
    return bootstrap_stability(
        z, labels, k_fit, min_count, bootstrap, seed, _ticker(report, span, bootstrap, STABILITY),
        fit=clustering.fit_partition,
    )


def _persona(q, c, labels, ids, raw, dims, org, stability, level_parts, level_reversed) -> Persona:
    org_mean, org_sd = org
    rows = labels == c
    mean, _, count = column_stats(raw[rows])
    profile = persona_profile(dims, mean, count, org_mean, org_sd)
    raw_stability = float(stability[c]) if stability is not None else None
    stab = stability_value(raw_stability)
    band = stability_band(raw_stability if stab is not None else None)
    means = {cc: float(mean[j]) if count[j] else None for j, cc in enumerate(dims)}
    return {
        "key": f"p{c + 1}",
        "name": None,
        "label": None,
        "size": int(rows.sum()),
        "share": rounded(rows.sum() / len(labels)),
        "stability": stab,
        "stability_band": band,
        "presented": band != "unstable",
        "level": rounded(level(q, means, level_parts, level_reversed)),
        "profile": profile,
        "distinguishing": distinguishing(dims, profile, org_mean),
        "members": [str(i) for i in ids[rows]],
    }
