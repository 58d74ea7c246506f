"""Derive at scale: the toolkit against the same method written directly in scikit-learn.

Run: python tests/benchmarks/bench_scale_derive.py [--n 100000] [--bootstrap 100]

Issue 23 asks that deriving the personas of a 100 000-response round with 100 bootstrap
resamples costs at most 1.2x the time and 1.2x the peak memory of the same method written
directly against numpy and scikit-learn. Both sides get the same construct-score matrix
(synthetic respondents from the four demo segments, 2 % of answers missing), prepared once
in a child process and stored as an .npz file; then each side runs in its own fresh child
process that loads that file, so imports, data and peak resident memory (ru_maxrss of the
whole child) are counted the same way for both.

"The same method" is the persona method of toolkit/core/personas, step for step, without
the product around it: rows in a canonical order by content, respondents missing more than a
third of the dimensions left out, z-scores, k = 1..6 each fitted as a tied-covariance
Gaussian mixture started from k-means (10 restarts on a 3 000-row sample), k chosen by BIC
with the minimum gain per respondent, small clusters merged into the nearest centroid, then
Hennig's clusterwise Jaccard bootstrap (every resample refitted at the fitted k with its own
seed, merged the same way) and the near-miss check (the next k that gives more groups, with
the same bootstrap). What the toolkit adds on top -- profiles, level, names and labels,
progress reports -- is what the ratio measures. Both sides run single-threaded (derive
limits its numeric libraries to one thread on purpose, see toolkit/core/personas/derive.py),
so the comparison is of work done, not of thread counts. The bench checks that both found
the same k and the same stabilities (to 0.01): otherwise it did not compare the same method.

Prints both times and peak RSS and their ratios; exit status 1 when a ratio is above 1.2 or
the results differ.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RATIO_GOAL = 1.2


def prepare(n: int, path: Path) -> None:
    """Write the dimension scores of ``n`` synthetic respondents to ``path`` (.npz: ids, values)."""
    import numpy as np

    from toolkit.core.questionnaire import load_questionnaire
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import generate_responses

    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    answers, _, _ = generate_responses(q, n, seed=1, missing_rate=0.02)
    matrix = score_matrix(q, answers)
    np.savez(path, ids=np.asarray(matrix.response_ids), values=matrix.values,
             constructs=np.asarray(matrix.constructs))


def run_toolkit(path: Path, bootstrap: int) -> dict:
    """derive_personas on the prepared matrix; k, stabilities and the near miss's k."""
    import numpy as np

    from toolkit.core.personas import derive_personas
    from toolkit.core.questionnaire import load_questionnaire
    from toolkit.core.scoring import ScoreMatrix

    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    data = np.load(path)
    matrix = ScoreMatrix(tuple(data["ids"].tolist()), tuple(data["constructs"].tolist()), data["values"])
    persona_set = derive_personas(matrix, q, bootstrap=bootstrap)
    near = persona_set["quality"]["near_miss"]
    return {"k": persona_set["k"], "stability": [p["stability"] for p in persona_set["personas"]],
            "near_k": near["k"] if near else None}


def _merge(z, labels, min_count):
    """Merge clusters below min_count into the nearest centroid, smallest first (numbers 0..m-1)."""
    import numpy as np

    labels = np.unique(labels, return_inverse=True)[1]
    while True:
        k = labels.max() + 1
        counts = np.bincount(labels, minlength=k)
        small = [c for c in range(k) if counts[c] < min_count]
        if k <= 1 or not small:
            return labels
        victim = min(small, key=lambda c: (counts[c], c))
        centres = np.array([z[labels == c].mean(axis=0) if counts[c] else np.zeros(z.shape[1]) for c in range(k)])
        distance = np.linalg.norm(centres - centres[victim], axis=1)
        distance[victim] = np.inf
        labels = np.unique(np.where(labels == victim, np.argmin(distance), labels), return_inverse=True)[1]


def _by_size(labels):
    import numpy as np

    k = labels.max() + 1
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], np.flatnonzero(labels == c)[0]))
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    return relabel[labels]


def _mixture(z, k, seed):
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    centres = None
    if k > 1:
        sample = z[np.sort(np.random.default_rng(seed).choice(len(z), 3000, replace=False))] if len(z) > 3000 else z
        centres = KMeans(k, n_init=10, random_state=seed).fit(sample).cluster_centers_
    return GaussianMixture(k, covariance_type="tied", means_init=centres, reg_covar=1e-3, random_state=seed)


def _stability(z, labels, k_fit, min_count, resamples, seed):
    """Hennig's clusterwise Jaccard bootstrap: mean best overlap per cluster over the resamples."""
    import numpy as np

    k, n = labels.max() + 1, len(z)
    rng = np.random.default_rng([seed, 7919])
    total, counted = np.zeros(k), np.zeros(k)
    for b in range(resamples):
        idx = rng.integers(0, n, size=n)
        zb = z[idx]
        boot = _merge(zb, _mixture(zb, k_fit, (seed + 1 + b) % 2**32).fit(zb).predict(zb), min_count)
        rows, first = np.unique(idx, return_index=True)
        kb = boot.max() + 1
        table = np.bincount(labels[rows] * kb + boot[first], minlength=k * kb).reshape(k, kb)
        union = table.sum(axis=1)[:, None] + table.sum(axis=0)[None, :] - table
        jaccard = (table / np.maximum(union, 1)).max(axis=1)
        seen = table.sum(axis=1) > 0
        total[seen] += jaccard[seen]
        counted[seen] += 1
    return total / np.maximum(counted, 1)


def run_sklearn(path: Path, bootstrap: int, seed: int = 0) -> dict:
    """The same method with nothing but numpy, hashlib and scikit-learn (see the module text)."""
    import hashlib
    import math
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    data = np.load(path)
    raw = data["values"]  # the persona-dimension constructs (score_matrix's default columns)
    raw = raw[np.lexsort([k for j in reversed(range(raw.shape[1]))
                          for k in (np.nan_to_num(raw[:, j]), np.isnan(raw[:, j]))])]
    raw = raw[np.isnan(raw).sum(axis=1) <= raw.shape[1] / 3 + 1e-9]
    n = len(raw)
    mean, sd = np.nanmean(raw, axis=0), np.nanstd(raw, axis=0, ddof=1)
    z = (np.where(np.isnan(raw), mean, raw) - mean) / sd
    digest = hashlib.sha256(np.asarray(raw.shape, dtype="<i8").tobytes())
    digest.update(np.nan_to_num(raw, nan=0.0).astype("<f8").tobytes())
    digest.update(np.packbits(np.isnan(raw)).tobytes())
    digest.update(str(seed).encode())
    seed = int.from_bytes(digest.digest()[:4], "little")
    min_count = max(5, math.ceil(0.05 * n - 1e-9))
    fits = {k: _mixture(z, k, seed).fit(z) for k in range(1, min(6, n // min_count) + 1)}
    bics = {k: gm.bic(z) for k, gm in fits.items()}
    k_fit = min(k for k, b in bics.items() if b <= min(bics.values()) + 0.1 * n)
    labels = _by_size(_merge(z, fits[k_fit].predict(z), min_count))
    stability = _stability(z, labels, k_fit, min_count, bootstrap, seed) if labels.max() > 0 else [1.0]
    near_k = None
    for k_try in range(k_fit + 1, len(fits) + 1):  # the near miss: the next k that gives more groups
        bigger = _merge(z, fits[k_try].predict(z), min_count)
        if bigger.max() > labels.max():
            bigger = _by_size(bigger)
            near = _stability(z, bigger, k_try, min_count, bootstrap, seed)
            kb, k = bigger.max() + 1, labels.max() + 1
            table = np.bincount(bigger * k + labels, minlength=kb * k).reshape(kb, k)
            union = table.sum(axis=1)[:, None] + table.sum(axis=0)[None, :] - table
            if near[int(np.argmin((table / union).max(axis=1)))] >= 0.6:
                near_k = k_try
            break
    return {"k": int(labels.max()) + 1, "stability": [round(float(s), 3) for s in stability], "near_k": near_k}


def child(side: str, path: Path, bootstrap: int) -> dict:
    """Run one side in this process; its result with wall seconds and the process's peak RSS."""
    import sklearn.cluster  # noqa: F401  (loaded before the thread limit, or it would not reach their OpenMP)
    import sklearn.mixture  # noqa: F401
    from threadpoolctl import threadpool_limits

    import toolkit.core.personas  # noqa: F401  (imports are not what is compared)

    start = time.perf_counter()
    cpu = time.process_time()
    if side == "toolkit":
        result = run_toolkit(path, bootstrap)
    else:
        with threadpool_limits(limits=1):  # as derive_personas runs
            result = run_sklearn(path, bootstrap)
    return {**result, "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _in_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--side", choices=("toolkit", "sklearn", "prepare"))
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.side == "prepare":
        prepare(args.n, args.data)
        print("{}")
        return 0
    if args.side:
        print(json.dumps(child(args.side, args.data, args.bootstrap)))
        return 0

    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "scores.npz"
        _in_child("--side", "prepare", "--n", str(args.n), "--data", str(data))
        common = ("--data", str(data), "--bootstrap", str(args.bootstrap))
        plain = _in_child("--side", "sklearn", *common)
        ours = _in_child("--side", "toolkit", *common)
    time_ratio = ours["seconds"] / plain["seconds"]
    cpu_ratio = ours["cpu_seconds"] / plain["cpu_seconds"]
    rss_ratio = ours["peak_mb"] / plain["peak_mb"]
    same = ours["k"] == plain["k"] and ours["near_k"] == plain["near_k"] and all(
        abs(a - b) <= 0.01 for a, b in zip(ours["stability"], plain["stability"], strict=True))
    print(f"{args.n:,} respondents, {args.bootstrap} bootstrap resamples; k = {ours['k']} "
          f"(plain: {plain['k']}), near miss k = {ours['near_k']} (plain: {plain['near_k']}), "
          f"stability {ours['stability']} (plain: {plain['stability']})")
    for name, side in (("toolkit derive_personas", ours), ("plain scikit-learn", plain)):
        print(f"   {name:<24} {side['seconds']:7.1f} s wall, {side['cpu_seconds']:7.1f} s CPU, "
              f"peak RSS {side['peak_mb']:5.0f} MB")
    print(f"   time ratio  {time_ratio:.2f}x (CPU {cpu_ratio:.2f}x)  goal <= {RATIO_GOAL}x  "
          f"{'OK' if time_ratio <= RATIO_GOAL else 'MISSED'}")
    print(f"   peak RSS ratio  {rss_ratio:.2f}x  goal <= {RATIO_GOAL}x  {'OK' if rss_ratio <= RATIO_GOAL else 'MISSED'}")
    if not same:
        print("   RESULTS DIFFER: the two sides did not run the same method")
    return 0 if time_ratio <= RATIO_GOAL and rss_ratio <= RATIO_GOAL and same else 1


if __name__ == "__main__":
    sys.exit(main())
