#!/usr/bin/python3
"""The NumPy/SciPy side of bench/monitoring: the same work on the same arrays.

Reads the column-major float64 files run.ts wrote and times, over --runs runs:

  profile: per column, NaN and +-inf counts, min, max, mean, variance, a 20-bin histogram,
           101 quantiles (exact, method="inverted_cdf") and the distinct count (np.unique);
  drift:   per column, Evidently's cleaning (drop NaN and +-inf), the distinct count of both
           sides (pandas' hash-based unique, as Evidently's nunique), then Evidently's default
           test for references over 1000 rows: scipy.stats.wasserstein_distance / max(std, 1e-3)
           above 5 distinct values, else scipy.spatial.distance.jensenshannon of value shares;
  ks:      scipy.stats.ks_2samp on every column;
  psi:     Evidently's PSI on every column (Sturges bins via NumPy above 20 reference values).

Only the computation is timed (arrays are loaded first). Prints one JSON document.
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial import distance

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--runs", type=int, default=3)
args = parser.parse_args()

meta = json.load(open(f"{args.dir}/meta.json"))
features = meta["features"]


def load(name, rows):
    return np.fromfile(f"{args.dir}/{name}.bin", dtype=np.float64).reshape(features, rows)


profile = load("profile", meta["profileRows"])
reference = load("reference", meta["driftRows"])
current = load("current", meta["driftRows"])
LEVELS = np.linspace(0, 1, 101)


def profile_all():
    out = []
    for x in profile:
        missing = int(np.isnan(x).sum())
        infinite = int(np.isinf(x).sum())
        finite = x[np.isfinite(x)]
        counts, _ = np.histogram(finite, 20)
        q = np.quantile(finite, LEVELS, method="inverted_cdf")
        out.append((missing, infinite, finite.min(), finite.max(), finite.mean(), finite.var(ddof=1), counts, q, np.unique(finite).size))
    return out


def clean(x):
    return x[np.isfinite(x)]


def value_shares(r, c):
    keys, inverse = np.unique(np.concatenate([r, c]), return_inverse=True)
    rc = np.bincount(inverse[: r.size], minlength=keys.size) / r.size
    cc = np.bincount(inverse[r.size :], minlength=keys.size) / c.size
    return rc, cc


def binned_shares(r, c, fill):
    if pd.unique(r).size > 20:
        edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
        rs = np.histogram(r, edges)[0] / r.size
        cs = np.histogram(c, edges)[0] / c.size
    else:
        rs, cs = value_shares(r, c)
    if fill:
        for a in (rs, cs):
            smallest = a[a != 0].min()
            np.place(a, a == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return rs, cs


def drift_all():
    scores = []
    for ref, cur in zip(reference, current):
        r, c = clean(ref), clean(cur)
        unique = pd.unique(np.concatenate([r, c])).size
        if unique > 5:
            scores.append(("wasserstein", stats.wasserstein_distance(r, c) / max(float(np.std(r)), 0.001)))
        else:
            scores.append(("jensenshannon", float(distance.jensenshannon(*binned_shares(r, c, False)))))
    return scores


def ks_all():
    return [("ks", float(stats.ks_2samp(clean(r), clean(c)).pvalue)) for r, c in zip(reference, current)]


def psi_all():
    out = []
    for ref, cur in zip(reference, current):
        rs, cs = binned_shares(clean(ref), clean(cur), True)
        out.append(("psi", float(np.sum((rs - cs) * np.log(rs / cs)))))
    return out


def timed(work):
    seconds = []
    result = None
    for _ in range(args.runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return seconds, result


report = {"versions": {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__}}
report["profile"] = {"seconds": timed(profile_all)[0]}
for name, work in [("drift", drift_all), ("ks", ks_all), ("psi", psi_all)]:
    seconds, scores = timed(work)
    report[name] = {"seconds": seconds, "tests": [t for t, _ in scores], "scores": [s for _, s in scores]}
print(json.dumps(report))
