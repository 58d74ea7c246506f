"""Benchmark persona derivation.  Run: python tests/benchmarks/bench_personas.py

1. 100 000 respondents, no bootstrap: ``derive_personas`` against the same model search
   written directly against scikit-learn on the same matrix (standardise, then for k = 1..6
   k-means starts on a row sample + tied Gaussian mixture + BIC, then predict). The
   difference is what the toolkit adds: sorting, exclusion, imputation, the selection rule,
   merging, profiles, evidence, names, labels. Goal: at most 2x. The ratio is taken with
   both sides single-threaded, as derive_personas runs. For scale, one bare mixture fit at
   the chosen k is printed too (the k search itself costs several of those; no goal on
   that), and the bare search once more with the libraries' default thread count.
2. 10 000 respondents with 100 bootstrap resamples: wall time (goal < 30 s on 2 cores) and
   the peak resident memory of the whole process (goal < 500 MB), measured in a fresh child
   process so that part 1's 100 000 respondents do not count.
3. The slow case of part 2: k = 6 forced on uniformly random answers, where every refit has
   to iterate long on structureless data. Same goals.

Parts 1 and 2 use synthetic respondents from the four demo segments. Exit status 1 when a
goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RATIO_GOAL = 2.0
BOOTSTRAP_SECONDS_GOAL = 30.0
PEAK_MB_GOAL = 500.0


def _matrix(n: int, seed: int):
    from toolkit.core.questionnaire import load_questionnaire
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import generate_responses

    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    answers, _, _ = generate_responses(q, n, seed=seed, missing_rate=0.02)
    matrix = score_matrix(q, answers)
    del answers
    return q, matrix


def _bare_search(values):
    """The same model search with nothing but numpy and scikit-learn."""
    import warnings

    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    from toolkit.core.personas import (
        K_MAX,
        KMEANS_SAMPLE,
        KMEANS_STARTS,
        MIN_BIC_GAIN_PER_RESPONDENT,
        REG_COVAR,
    )

    x = np.where(np.isnan(values), np.nanmean(values, axis=0), values)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    fits, bics = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in range(1, K_MAX + 1):
            centres = None
            if k > 1:
                rows = np.random.default_rng(0).choice(len(z), KMEANS_SAMPLE, replace=False)
                km = KMeans(k, n_init=KMEANS_STARTS, random_state=0).fit(z[np.sort(rows)])
                centres = km.cluster_centers_
            fits[k] = GaussianMixture(
                k, covariance_type="tied", means_init=centres, reg_covar=REG_COVAR, random_state=0
            ).fit(z)
            bics[k] = fits[k].bic(z)
    best = min(bics.values())
    k = min(k for k, b in bics.items() if b <= best + MIN_BIC_GAIN_PER_RESPONDENT * len(z))
    return k, fits[k].predict(z)


def _single_fit(values, k):
    import numpy as np
    from sklearn.mixture import GaussianMixture

    x = np.where(np.isnan(values), np.nanmean(values, axis=0), values)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return GaussianMixture(k, covariance_type="tied", random_state=0).fit(z).predict(z)


def _best_of(repeats: int, fn):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def part_overhead(n: int = 100_000) -> dict:
    from threadpoolctl import threadpool_limits

    from toolkit.core.personas import NUMERIC_THREADS, derive_personas

    q, matrix = _matrix(n, seed=1)
    derive_s, persona_set = _best_of(2, lambda: derive_personas(matrix, q, bootstrap=0))
    dims = [matrix.constructs.index(c) for c in q.dimension_constructs()]
    values = matrix.values[:, dims]
    with threadpool_limits(limits=NUMERIC_THREADS):  # the same conditions derive runs under
        bare_s, (bare_k, _) = _best_of(2, lambda: _bare_search(values))
        single_s, _ = _best_of(2, lambda: _single_fit(values, persona_set["k"]))
    threaded_s, _ = _best_of(1, lambda: _bare_search(values))
    return {
        "n": n,
        "k": persona_set["k"],
        "bare_k": int(bare_k),
        "derive_s": derive_s,
        "bare_search_s": bare_s,
        "single_fit_s": single_s,
        "bare_threaded_s": threaded_s,
    }


def part_bootstrap(n: int = 10_000, resamples: int = 100, worst: bool = False) -> dict:
    from toolkit.core.personas import derive_personas

    if worst:
        from toolkit.core.questionnaire import load_questionnaire
        from toolkit.core.scoring import score_matrix
        from toolkit.core.synthetic import generate_responses

        q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
        matrix = score_matrix(q, generate_responses(q, n, seed=3, uniform=True)[0])
    else:
        q, matrix = _matrix(n, seed=2)
    start = time.perf_counter()
    persona_set = derive_personas(matrix, q, bootstrap=resamples, k=6 if worst else None)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "n": n,
        "bootstrap": resamples,
        "k": persona_set["k"],
        "seconds": seconds,
        "peak_mb": peak_kb / 1024,
        "stability": [p["stability"] for p in persona_set["personas"]],
    }


def _in_child(part: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", part], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("overhead", "bootstrap", "worst"))
    args = parser.parse_args()
    if args.part:
        parts = {
            "overhead": part_overhead,
            "bootstrap": part_bootstrap,
            "worst": lambda: part_bootstrap(worst=True),
        }
        print(json.dumps(parts[args.part]()))
        return 0

    print(
        f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    ok = True
    a = _in_child("overhead")
    ratio = a["derive_s"] / a["bare_search_s"]
    ok &= ratio <= RATIO_GOAL and a["k"] == a["bare_k"]
    print(f"1. {a['n']:,} respondents, no bootstrap (k = {a['k']}; bare search k = {a['bare_k']})")
    print(f"   derive_personas        {a['derive_s']:6.2f} s")
    print(
        f"   bare sklearn k search  {a['bare_search_s']:6.2f} s   ratio {ratio:.2f}x "
        f"(goal <= {RATIO_GOAL:.0f}x) {'OK' if ratio <= RATIO_GOAL else 'MISSED'}"
    )
    print(
        f"   same, default threads  {a['bare_threaded_s']:6.2f} s   (derive runs single-threaded "
        "on purpose; see toolkit/core/personas/derive.py)"
    )
    print(
        f"   one bare mixture fit   {a['single_fit_s']:6.2f} s   (for scale: derive = "
        f"{a['derive_s'] / a['single_fit_s']:.1f} such fits)"
    )
    for number, part, title in (
        (2, "bootstrap", "demo segments"),
        (3, "worst", "k = 6 forced on uniform answers"),
    ):
        b = _in_child(part)
        ok &= b["seconds"] < BOOTSTRAP_SECONDS_GOAL and b["peak_mb"] < PEAK_MB_GOAL
        print(
            f"{number}. {b['n']:,} respondents, {b['bootstrap']} bootstrap resamples, {title} "
            f"(k = {b['k']}, stability {', '.join(f'{s:.2f}' for s in b['stability'])})"
        )
        print(
            f"   time      {b['seconds']:6.2f} s   (goal < {BOOTSTRAP_SECONDS_GOAL:.0f} s) "
            f"{'OK' if b['seconds'] < BOOTSTRAP_SECONDS_GOAL else 'MISSED'}"
        )
        print(
            f"   peak RSS  {b['peak_mb']:6.0f} MB  (whole process; goal < {PEAK_MB_GOAL:.0f} MB) "
            f"{'OK' if b['peak_mb'] < PEAK_MB_GOAL else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
