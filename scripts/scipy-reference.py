"""Reference values for test/unit/report-statistics-scipy.test.ts, computed with SciPy.

Run once by hand (the tests read the committed JSON and never need Python):

    apt-get install -y python3-scipy   # SciPy 1.17.1 / NumPy from Debian made the committed file
    python3 scripts/scipy-reference.py > test/unit/scipy-reference.json

Paired p-values: scipy.stats.permutation_test on (head, base) with permutation_type='samples',
statistic = mean(head - base), n_resamples=inf (exact: every sign flip), two-sided.
Welch: scipy.stats.ttest_ind(base, head, equal_var=False). Intervals: scipy.stats.t.interval.
Variance: statistics.pvariance (exact, rounded once) and numpy.var (population).
"""
import json
import statistics
import sys

import numpy as np
import scipy
from scipy import stats


def paired_exact(base, head):
    def statistic(x, y, axis):
        return np.mean(x - y, axis=axis)

    res = stats.permutation_test(
        (np.asarray(head, float), np.asarray(base, float)),
        statistic,
        permutation_type="samples",
        vectorized=True,
        n_resamples=np.inf,
        alternative="two-sided",
        batch=1 << 20,
    )
    return float(res.pvalue)


def paired_exact_numpy(base, head):
    """The same exact sign-flip p-value by meet in the middle over the 2^n sign patterns, for n where
    permutation_test's enumeration of 2^n resamples is too slow; checked against it on 20 differences."""
    d = np.asarray(head, float) - np.asarray(base, float)
    d = d[np.abs(d) > 1e-9]
    observed = abs(d.sum()) - 1e-9 * np.abs(d).sum()

    def sums(xs):
        out = np.zeros(1)
        for x in xs:
            out = np.concatenate([out + x, out - x])
        return np.sort(out)

    half = len(d) // 2
    left, right = sums(d[:half]), sums(d[half:])
    hits = 0
    for a in left:
        hits += len(right) - np.searchsorted(right, observed - a, side="left")
        hits += np.searchsorted(right, -observed - a, side="right")
    return float(hits / (len(left) * len(right)))


rng = np.random.default_rng(20261201)
paired = []


def add_paired(source, base, head, exact=paired_exact):
    paired.append({"source": source, "base": list(map(float, base)), "head": list(map(float, head)), "p": exact(base, head)})


# The three inputs of issue 12 (lattice rounding and the normal approximation).
add_paired("issue 12: difference 1e-7 counted in n", [0, 0], [1, 1e-7])
add_paired("issue 12: two differences of 3e-7", [0, 0, 0], [0.5, 3e-7, 3e-7])
signs = np.where(rng.random(24) < 0.5, -1.0, 1.0)
small = signs * rng.uniform(0.02, 0.05, 24)
add_paired(
    "issue 12: 25 differences, one of 0.9 dominating (normal approx. gave 0.096); exact by NumPy meet in the middle",
    [0.0] * 25,
    [0.9, *small],
    exact=paired_exact_numpy,
)
# The meet-in-the-middle enumeration agrees with permutation_test where both are affordable.
check_base, check_head = [0.0] * 20, [0.9, *small[:19]]
assert abs(paired_exact_numpy(check_base, check_head) - paired_exact(check_base, check_head)) < 1e-12
add_paired("20 differences, one of 0.9 dominating (permutation_test, exact)", check_base, check_head)
big = np.where(rng.random(40) < 0.5, -1.0, 1.0) * rng.uniform(1, 30, 40) - 2.5
add_paired("40 latency-like differences, exact by NumPy meet in the middle", [100.0] * 40, (100.0 + big).tolist(), exact=paired_exact_numpy)
# Random continuous inputs: small suites (exact enumeration) and 25..26 differences (Monte Carlo).
for k in range(8):
    n = int(rng.integers(3, 14))
    base = rng.uniform(0, 1, n)
    head = np.clip(base + rng.normal(-0.08, 0.15, n), 0, 1)
    add_paired(f"random continuous, n={n}, seed 20261201 draw {k}", base, head)
for k in range(3):
    n = 9 + k
    base = rng.uniform(0, 100, n)
    head = base + rng.normal(-4 + 2 * k, 8, n)
    add_paired(f"random continuous latency-like, n={n}, seed 20261201 draw {k}", base, head)
# Judge-score lattice (multiples of 0.25) with near-zero noise on top.
base = [1, 0.75, 1, 0.5, 1, 0.75, 1, 1]
head = [0.75, 0.75 + 1e-12, 0.75, 0.25, 1, 0.5, 0.75, 1]
add_paired("judge grades with 1e-12 rounding noise", base, head)

welch = []
for k in range(4):
    a = rng.normal(0.7, 0.2, 30 + 10 * k)
    b = rng.normal(0.65, 0.25, 35 + 5 * k)
    welch.append({"source": f"scipy.stats.ttest_ind(equal_var=False), seed 20261201 draw {k}", "base": a.tolist(), "head": b.tolist(), "p": float(stats.ttest_ind(a, b, equal_var=False).pvalue)})

intervals = []
for values in ([0.5, 1, 0.75], [0.2, 0.4, 0.4, 0.9, 1.0], [3.0, 3.5, 2.5, 4.0, 3.0, 3.25]):
    x = np.asarray(values)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    intervals.append({"source": "scipy.stats.t.interval(0.95, n-1, loc=mean, scale=sem)", "values": values, "interval": [float(lo), float(hi)]})

variances = []
for spread in (1e-3, 1.0):
    x = 1e9 + spread * rng.uniform(0, 1, 50)
    variances.append(
        {
            "source": f"numpy.var (population) and statistics.pvariance (exact rational arithmetic), mean 1e9, spread {spread}",
            "values": x.tolist(),
            "mean": float(statistics.mean(x.tolist())),
            "variance": float(statistics.pvariance(x.tolist())),
            "numpyVariance": float(np.var(x)),
        }
    )

json.dump(
    {
        "generated": f"scripts/scipy-reference.py with SciPy {scipy.__version__}, NumPy {np.__version__}",
        "paired": paired,
        "welch": welch,
        "intervals": intervals,
        "variances": variances,
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
