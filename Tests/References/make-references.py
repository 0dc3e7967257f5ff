#!/usr/bin/env python3
"""Adds Barnard's and Boschloo's exact unconditional tests to the two-rate
fixtures that Tests/References/make-references.R writes (R has neither
test), and checks the R fixtures' score intervals against statsmodels where
statsmodels is right (the risk ratio and odds ratio; its risk-difference
score interval uses an infeasible restricted estimate, see docs/RATES.md).
Run it after the R script:

    Rscript Tests/References/make-references.R && python3 Tests/References/make-references.py

Boschloo: scipy's boschloo_exact (two-sided = twice the smaller one-sided p).

Barnard: scipy's barnard_exact compares the tables' Wald statistics in
floating point, so a table whose statistic equals the observed one exactly
(the mirror table (n1 - x1, n2 - x2), for instance) can fall out of the tail
by one ulp, and the p-value comes out too small (40/55 against 12/60: 3.5%).
The reference here is the same test with the tail decided exactly (T^2
compared as a ratio of integers), maximized over the nuisance rate on a grid
of 20,001 points refined by bounded Brent search; scipy's own value is kept
in each fixture as "scipy_p".

Simon's two-stage designs (Tests/StudyDesignTests/References): an
exhaustive search written independently of outcomes' (every (n1, n) pair
at once as a matrix over (r1, r), no bisection), over Simon's (1989) Table 1
grid, p1 = p0 + 0.2 with (alpha, beta) = (0.10, 0.10), (0.05, 0.20),
(0.05, 0.10), and p1 = p0 + 0.15 at (0.05, 0.20).

Needs scipy >= 1.7 and statsmodels >= 0.12 (measured with scipy 1.17.1,
statsmodels 0.15.0).
"""
import glob
import json
import sys
from math import comb, log

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

import scipy
import statsmodels
from scipy.stats import barnard_exact, boschloo_exact
from statsmodels.stats.proportion import confint_proportions_2indep

SAMPLING_POINTS = 1024  # scipy's default is 32; more points, a better supremum


def barnard_exact_ties(x1, n1, x2, n2):
    """Two-sided pooled Barnard p-value, the tail decided exactly."""
    total = n1 + n2

    def key(i, j):
        # T^2 = d^2 N / (n1 n2 s (N - s)), d = i n2 - j n1, s = i + j, as the
        # ratio d^2 / (s (N - s)); 0 when s is 0 or N (scipy: p1 == p2).
        s_ = i + j
        if s_ == 0 or s_ == total:
            return (0, 1)
        d = i * n2 - j * n1
        return (d * d, s_ * (total - s_))

    on, od = key(x1, x2)

    def in_tail(i, j):
        a, b = key(i, j)
        return a * od >= on * b  # exact: a/b >= on/od

    # Exact weights W_s = sum over the tail of C(n1, i) C(n2, j), s = i + j, as
    # integers; p(pi) = sum_s W_s pi^s (1 - pi)^(N - s).
    weights = [0] * (total + 1)
    for i in range(n1 + 1):
        ci = comb(n1, i)
        for j in range(n2 + 1):
            if in_tail(i, j):
                weights[i + j] += ci * comb(n2, j)
    s_values = np.array([k for k in range(total + 1) if weights[k] > 0])
    log_w = np.array([log(weights[k]) for k in s_values])

    def p(pi):
        if pi <= 0:
            return float(weights[0] > 0)
        if pi >= 1:
            return float(weights[total] > 0)
        return float(np.exp(logsumexp(log_w + s_values * np.log(pi) + (total - s_values) * np.log1p(-pi))))

    grid = np.linspace(0, 1, 20001)
    values = np.array([p(g) for g in grid])
    best = values.max()
    step = grid[1] - grid[0]
    for k in range(len(grid)):
        left = values[k - 1] if k > 0 else -1
        right = values[k + 1] if k + 1 < len(grid) else -1
        if values[k] >= left and values[k] >= right and values[k] > 0.5 * best:
            lo, hi = max(0, grid[k] - step), min(1, grid[k] + step)
            r = minimize_scalar(lambda q: -p(q), bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
            best = max(best, -r.fun)
    return min(1.0, best)


def simon_designs(p0, p1, alpha, power, nmax=100):
    """Optimal (min EN0; ties: smaller n, then n1) and minimax (min n, then EN0)."""
    from scipy.stats import binom as B
    best_opt = best_mm = None
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            x1 = np.arange(n1 + 1)
            r = np.arange(n)  # r = 0..n-1
            out = []
            for p in (p0, p1):
                b1 = B.pmf(x1, n1, p)
                # U[x1, r] = P(X2 > r - x1)
                k = r[None, :] - x1[:, None]
                U = np.where(k < 0, 1.0, np.where(k >= n2, 0.0, B.sf(np.clip(k, 0, n2), n2, p)))
                A = b1[:, None] * U
                # tail[r1, r] = sum over x1 > r1 of A[x1, r]
                tail = np.cumsum(A[::-1], axis=0)[::-1]
                out.append(np.vstack([tail[1:], np.zeros((1, n))])[:n1])  # rows r1 = 0..n1-1
            a0, a1 = out
            r1s, rs = np.meshgrid(np.arange(n1), r, indexing="ij")
            ok = (rs >= r1s) & (a0 <= alpha) & (a1 >= power)
            if not ok.any():
                continue
            pet = B.cdf(np.arange(n1), n1, p0)
            for i, j in zip(*np.nonzero(ok)):
                # Within one (n1, r1), the smallest feasible r is the one a search keeps.
                if j > 0 and ok[i, j - 1]:
                    continue
                en = n1 + (1 - pet[i]) * n2
                d = dict(r1=int(i), n1=n1, r=int(j), n=n, en0=float(en), pet0=float(pet[i]),
                         actual_alpha=float(a0[i, j]), actual_power=float(a1[i, j]))
                if best_opt is None or en < best_opt["en0"]:
                    best_opt = d
                if best_mm is None or n < best_mm["n"] or (n == best_mm["n"] and en < best_mm["en0"]):
                    best_mm = d
    return best_opt, best_mm


def write_simon_fixtures():
    import os
    directory = "Tests/StudyDesignTests/References"
    os.makedirs(directory, exist_ok=True)
    cases = [(p0 / 100, (p0 + 20) / 100, a, b) for p0 in range(5, 75, 5) for (a, b) in ((0.10, 0.10), (0.05, 0.20), (0.05, 0.10))]
    cases += [(p0 / 100, (p0 + 15) / 100, 0.05, 0.20) for p0 in range(5, 80, 5)]
    for p0, p1, alpha, beta in cases:
        opt, mm = simon_designs(p0, p1, alpha, 1 - beta)
        case_id = f"simon-{p0:g}-{p1:g}-a{alpha:g}-b{beta:g}"
        case = {"id": case_id, "reference": {"python": sys.version.split()[0], "scipy": scipy.__version__},
                "call": "exhaustive search, make-references.py simon_designs()",
                "args": ["--p0", f"{p0:g}", "--p1", f"{p1:g}", "--alpha", f"{alpha:g}", "--power", f"{1 - beta:g}"],
                "expect": {"optimal": opt, "minimax": mm}}
        with open(f"{directory}/{case_id}.json", "w") as f:
            json.dump(case, f, indent=1)
            f.write("\n")
    print(f"wrote {len(cases)} Simon fixtures to {directory}")


def main():
    write_simon_fixtures()
    paths = sorted(glob.glob("Tests/RatesTests/CompareReferences/*.json"))
    problems = 0
    for path in paths:
        with open(path) as f:
            case = json.load(f)
        args = dict(zip(case["args"][0::2], case["args"][1::2]))
        x1, n1, x2, n2 = (int(float(args[k])) for k in ("--events1", "--n1", "--events2", "--n2"))
        level = float(args["--conf-level"])
        table = [[x1, x2], [n1 - x1, n2 - x2]]
        tests = case["expect"]["tests"]
        scipy_barnard = float(barnard_exact(table, alternative="two-sided", pooled=True, n=SAMPLING_POINTS).pvalue)
        tests["barnard"] = {"p": barnard_exact_ties(x1, n1, x2, n2), "scipy_p": scipy_barnard}
        tests["boschloo"] = {"p": float(boschloo_exact(table, alternative="two-sided", n=SAMPLING_POINTS).pvalue)}
        case["reference"]["scipy"] = scipy.__version__
        case["call"] += (f"; Barnard: pooled Wald, two-sided, tail in exact arithmetic (scipy barnard_exact n={SAMPLING_POINTS} "
                         f"as scipy_p); scipy boschloo_exact, two-sided, n={SAMPLING_POINTS}")
        # Cross-check (not written): statsmodels' score intervals for the ratio and odds ratio.
        if 0 < x1 < n1 and 0 < x2 < n2:
            for compare, key, correction, method in [("ratio", "risk_ratio", False, "koopman"),
                                                     ("ratio", "risk_ratio", True, "miettinen_nurminen"),
                                                     ("odds-ratio", "odds_ratio", True, "miettinen_nurminen")]:
                low, upp = confint_proportions_2indep(x1, n1, x2, n2, method="score", compare=compare,
                                                      alpha=1 - level, correction=correction)
                r = case["expect"][key]["intervals"][method]
                for ours, theirs in ((r["lower"], low), (r["upper"], upp)):
                    if abs(ours - theirs) > 1e-6 * abs(ours):
                        problems += 1
                        print(f"{case['id']}: {key}.{method}: R {ours!r}, statsmodels {theirs!r}", file=sys.stderr)
        with open(path, "w") as f:
            json.dump(case, f, indent=1)
            f.write("\n")
    print(f"added Barnard and Boschloo to {len(paths)} fixtures (statsmodels {statsmodels.__version__} "
          f"cross-check: {problems} differences)")


if __name__ == "__main__":
    main()
