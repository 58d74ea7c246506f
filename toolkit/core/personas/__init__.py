"""Personas: construct scores -> a persona set, and a description of every persona.

The package in reading order:

- ``derive.py``: :func:`derive_personas`, the pipeline of steps (rows, exclusion, z-scores,
  clustering, merging, ranking, stability, profiles, names) -- start reading here;
- ``method.py``: the clustering method behind one function (``fit_partition``) plus the
  choice of k -- a tied-covariance Gaussian mixture with BIC (Schwarz 1978); another method
  is another file with the same names;
- ``merging.py``: the minimum persona size (privacy floors) and merging of small clusters;
- ``stability.py``: Hennig's (2007) clusterwise Jaccard bootstrap and the stability bands;
- ``profiles.py``: profile, distinguishing constructs and level, against the organisation;
- ``config.py``: questionnaires/personas.toml (name pools, level definition, label rules);
- ``naming.py``: labels from the rules and names from the pools;
- ``describe.py``: :func:`describe_personas` (preferences, ADKAR, context, open answers).

The result is plain JSON data; its shape is :class:`toolkit.core.shapes.PersonaSet`. No
Flask, no database. Everything callers used from the former ``personas`` module is
importable from here.
"""

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
    derive_personas,
)
from toolkit.core.personas.describe import (
    ADKAR_BARRIER_MAX,
    ADKAR_BLOCK,
    CONTEXT_KEYS,
    MAX_TEXT_CHARS,
    MAX_TEXTS,
    describe_personas,
)
from toolkit.core.personas.merging import MIN_SHARE_FLOOR, MIN_SIZE_FLOOR, merge_small_clusters
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
from toolkit.core.personas.profiles import DECIMALS, DISTINGUISHING_TOP, DISTINGUISHING_Z
from toolkit.core.personas.stability import (
    INDICATIVE_FROM,
    STABLE_FROM,
    bootstrap_stability,
    clusterwise_jaccard,
    stability_band,
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
    "derive_personas",
    "describe_personas",
    "fit_mixture",
    "load_persona_config",
    "merge_small_clusters",
    "stability_band",
]
