"""Personas: construct scores -> a persona set, and a description of every persona.

The package in reading order:

- ``derive.py``: :func:`derive_personas`, the pipeline of steps (rows, exclusion, z-scores,
  clustering, merging, ranking, stability, profiles, names) -- start reading here;
- ``method.py``: the clustering method behind one function (``fit_partition``) plus the
  choice of k -- a tied-covariance Gaussian mixture with BIC (Schwarz 1978); another method
  is another file with the same names;
- ``merging.py``: the minimum persona size (privacy floors), merging of small clusters, order;
- ``stability.py``: Hennig's (2007) clusterwise Jaccard bootstrap, the stability bands, and
  stability figures rounded without crossing a band;
- ``near_miss.py``: a group the next larger k would add, stably enough to mention;
- ``profiles.py``: profile, distinguishing constructs and level, against the organisation;
- ``config.py``: questionnaires/personas.toml (name pools, level definition, label rules);
- ``naming.py``: labels from the rules and names from the pools;
- ``describe.py``: :func:`describe_personas` (preferences, ADKAR, context, open answers), using
  what the instrument covers (:func:`toolkit.core.coverage.instrument_coverage`);
- ``outcomes.py``: outcome variables per persona against the rest, with effect sizes.

The result is plain JSON data; its shape is :class:`toolkit.core.shapes.PersonaSet`. No
Flask, no database. Everything callers used from the former ``personas`` module is
importable from here.
"""

from toolkit.core.coverage import instrument_coverage, instrument_summary
from toolkit.core.personas.config import (
    LABEL_LANGS,
    PERSONAS_FILE,
    Condition,
    LabelRule,
    PersonaConfig,
    PersonaConfigError,
    load_persona_config,
)
from toolkit.core.personas.derive import (
    MAX_MISSING_SHARE,
    NUMERIC_THREADS,
    ProgressCallback,
    data_seed,
    derive_personas,
    dimension_rows,
)
from toolkit.core.personas.describe import (
    ADKAR_BARRIER_MAX,
    ADKAR_BLOCK,
    CONTEXT_KEYS,
    MAX_TEXT_CHARS,
    MAX_TEXTS,
    describe_personas,
)
from toolkit.core.personas.merging import (
    MIN_SHARE_FLOOR,
    MIN_SIZE_FLOOR,
    merge_small_clusters,
    rank_by_size,
)
from toolkit.core.personas.method import (
    K_MAX,
    KMEANS_SAMPLE,
    KMEANS_STARTS,
    MIN_BIC_GAIN_PER_RESPONDENT,
    REG_COVAR,
    choose_k,
    fit_mixture,
)
from toolkit.core.personas.method import NAME as METHOD
from toolkit.core.personas.near_miss import find_near_miss
from toolkit.core.personas.outcomes import profile_outcomes
from toolkit.core.personas.profiles import DECIMALS, DISTINGUISHING_TOP, DISTINGUISHING_Z
from toolkit.core.personas.stability import (
    INDICATIVE_FROM,
    STABLE_FROM,
    bootstrap_stability,
    clusterwise_jaccard,
    shown_stability,
    stability_band,
    stability_text,
    stability_value,
)

__all__ = [
    "ADKAR_BARRIER_MAX",
    "ADKAR_BLOCK",
    "CONTEXT_KEYS",
    "DECIMALS",
    "DISTINGUISHING_TOP",
    "DISTINGUISHING_Z",
    "INDICATIVE_FROM",
    "K_MAX",
    "KMEANS_SAMPLE",
    "KMEANS_STARTS",
    "LABEL_LANGS",
    "MAX_MISSING_SHARE",
    "MAX_TEXTS",
    "MAX_TEXT_CHARS",
    "METHOD",
    "MIN_BIC_GAIN_PER_RESPONDENT",
    "MIN_SHARE_FLOOR",
    "MIN_SIZE_FLOOR",
    "NUMERIC_THREADS",
    "PERSONAS_FILE",
    "REG_COVAR",
    "STABLE_FROM",
    "Condition",
    "LabelRule",
    "PersonaConfig",
    "PersonaConfigError",
    "ProgressCallback",
    "bootstrap_stability",
    "choose_k",
    "clusterwise_jaccard",
    "data_seed",
    "derive_personas",
    "describe_personas",
    "dimension_rows",
    "find_near_miss",
    "fit_mixture",
    "instrument_coverage",
    "instrument_summary",
    "load_persona_config",
    "merge_small_clusters",
    "profile_outcomes",
    "rank_by_size",
    "shown_stability",
    "stability_band",
    "stability_text",
    "stability_value",
]
