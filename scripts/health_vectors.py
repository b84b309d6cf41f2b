#!/usr/bin/env python3
"""Writes tests/data/health/vectors.json: reference results from SciPy and NumPy for the
statistics of the rollout health judge (changeguard::health::stats).

The Rust tests read the JSON; they never run Python. To regenerate, in a throwaway venv:

    python3 -m venv /tmp/cg-venv && /tmp/cg-venv/bin/pip install scipy numpy
    /tmp/cg-venv/bin/python scripts/health_vectors.py

The seed is fixed, so the output only changes when SciPy's results change.
"""

import json
import pathlib

import numpy as np
import scipy
from scipy import stats

RNG = np.random.default_rng(20261206)
OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "health" / "vectors.json"


def samples(n, kind):
    if kind == "normal":
        return RNG.normal(100.0, 15.0, n)
    if kind == "lognormal":
        return RNG.lognormal(3.0, 0.6, n)
    if kind == "ties":
        return RNG.integers(0, 6, n).astype(float)
    if kind == "shifted":
        return RNG.normal(112.0, 15.0, n)
    if kind == "wide":
        return RNG.normal(100.0, 45.0, n)
    raise ValueError(kind)


def floats(a):
    return [float(v) for v in a]


def mann_whitney_cases():
    cases = []
    shapes = [
        (3, 4, "normal", "shifted"),
        (5, 5, "normal", "normal"),
        (6, 8, "lognormal", "lognormal"),
        (8, 7, "normal", "shifted"),
        (4, 30, "normal", "shifted"),
        (1, 5, "normal", "normal"),
        (12, 15, "normal", "shifted"),
        (30, 30, "ties", "ties"),
        (40, 25, "lognormal", "wide"),
        (200, 200, "normal", "shifted"),
        (9, 9, "ties", "ties"),
        (7, 3, "ties", "ties"),
    ]
    for n1, n2, kx, ky in shapes:
        x = samples(n1, kx)
        y = samples(n2, ky)
        for alternative in ("two-sided", "greater", "less"):
            for method in ("exact", "asymptotic", "auto"):
                has_ties = len(np.unique(np.concatenate([x, y]))) < n1 + n2
                if method == "exact" and (has_ties or min(n1, n2) > 8):
                    continue
                r = stats.mannwhitneyu(x, y, alternative=alternative, method=method)
                cases.append({
                    "x": floats(x), "y": floats(y), "alternative": alternative,
                    "method": method, "statistic": float(r.statistic), "pvalue": float(r.pvalue),
                })
    # All values equal: no information at all.
    x = np.full(6, 3.0)
    y = np.full(9, 3.0)
    r = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    cases.append({"x": floats(x), "y": floats(y), "alternative": "two-sided",
                  "method": "asymptotic", "statistic": float(r.statistic),
                  "pvalue": float(r.pvalue)})
    return cases


def hodges_lehmann_cases():
    cases = []
    for n1, n2, kx, ky in [(1, 1, "normal", "normal"), (2, 3, "normal", "shifted"),
                           (10, 13, "normal", "shifted"), (25, 25, "ties", "ties"),
                           (60, 45, "lognormal", "wide"), (101, 100, "normal", "shifted")]:
        x = samples(n1, kx)
        y = samples(n2, ky)
        diffs = np.sort(np.subtract.outer(y, x).ravel())
        k = n1 * n2
        cases.append({
            "baseline": floats(x), "canary": floats(y),
            "shift": float(np.median(diffs)),
            # The 1-based order statistics of the differences, for the interval tests.
            "order": [float(diffs[0]), float(diffs[k // 3]), float(diffs[k - 1])],
            "order_ranks": [1, k // 3 + 1, k],
        })
    return cases


def fisher_cases():
    tables = [
        [[8, 2], [1, 5]], [[6, 2], [1, 4]], [[8, 992], [0, 10000]], [[0, 1000], [0, 10000]],
        [[3, 997], [25, 9975]], [[50, 950], [40, 960]], [[0, 5], [5, 0]], [[1, 0], [0, 1]],
        [[120, 9880], [100, 9900]], [[2, 98], [30, 970]], [[0, 0], [0, 10]],
    ]
    cases = []
    for t in tables:
        for alternative in ("two-sided", "greater", "less"):
            r = stats.fisher_exact(t, alternative=alternative)
            stat = float(r.statistic)
            cases.append({"table": t, "alternative": alternative,
                          "statistic": None if not np.isfinite(stat) else stat,
                          "statistic_text": repr(stat), "pvalue": float(r.pvalue)})
    return cases


def brown_forsythe_cases():
    cases = []
    for n1, n2, kx, ky in [(10, 10, "normal", "wide"), (30, 45, "normal", "normal"),
                           (5, 7, "lognormal", "lognormal"), (200, 200, "normal", "wide"),
                           (12, 12, "ties", "ties")]:
        x = samples(n1, kx)
        y = samples(n2, ky)
        r = stats.levene(x, y, center="median")
        cases.append({"x": floats(x), "y": floats(y), "statistic": float(r.statistic),
                      "pvalue": float(r.pvalue)})
    return cases


def main():
    doc = {
        "generator": "scripts/health_vectors.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "mann_whitney": mann_whitney_cases(),
        "hodges_lehmann": hodges_lehmann_cases(),
        "fisher_exact": fisher_cases(),
        "brown_forsythe": brown_forsythe_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
