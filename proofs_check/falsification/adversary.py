r"""Adversarial runs: at every step, the next combination is chosen greedily to stay as far from x* as possible.

A *pattern class* is the set of per-step combinations a theorem covers with given constants:
ages in 0..T, a sum :math:`s_k \in [s_{lo}, s_{hi}]`, memory mass :math:`\le B`, total mass
:math:`\le W`, weights nonnegative or of any sign.  The adversary knows the problem: at step
k it evaluates every candidate of a finite set of extreme members of the class
(:func:`extreme_patterns`) and keeps the one that puts :math:`x_{k+1}` farthest from
:math:`x^\star`, so the run uses a different combination at every step, as "any selection,
any combination" allows.  History is :math:`x_{-i} = x_0` (so :math:`g_{-i} = g_0`), as in
the theorems.  Problems (:func:`adversarial_problems`): the quadratic with eigenvalues
:math:`\mu` and :math:`L` started on both eigenvectors, the one-dimensional quadratics
:math:`h = \mu` and :math:`h = L`, and two non-quadratic problems of the class (Huber and
logistic, exact :math:`\mu, L, x^\star`).  Vectorized over problems and candidates; one loop
over steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers import QuadraticBatch, make_tilted
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class PatternClass:
    """The combinations a theorem covers with these constants (``signed``: weights of any sign)."""

    s_lo: float
    s_hi: float
    B: float
    W: float
    T: int
    signed: bool = False

    @classmethod
    def of(cls, pattern: Pattern, signed: bool) -> "PatternClass":
        """The tightest class containing ``pattern``: its own constants."""
        return cls(pattern.s, pattern.s, pattern.B, pattern.W, pattern.T, signed)

    @property
    def constants(self) -> dict:
        return dict(s_lo=self.s_lo, s_hi=self.s_hi, B=self.B, W=self.W, T=self.T)


def extreme_patterns(c: PatternClass) -> list[Pattern]:
    r"""A finite set of members of the class at its extremes: sums :math:`s_{lo}, s_{hi}`; memory mass 0 or
    as large as allowed, on age 1, :math:`\lceil T/2 \rceil` or T; with signed weights also the memory
    weight of opposite sign to the current one (both ways), as large as B and W allow."""
    out: list[Pattern] = []
    ages = sorted({1, max(1, (c.T + 1) // 2), c.T}) if c.T >= 1 else []
    for s in sorted({c.s_lo, c.s_hi}):
        if abs(s) > c.W * (1 + 1e-12):
            continue
        out.append(Pattern((0,), (s,)))
        for tau in ages:
            b = min(c.B, max(s, 0.0)) if not c.signed else min(c.B, (c.W + s) / 2)
            if b > 0:
                out.append(Pattern((0, tau), (s - b, b)))                # memory carries (part of) the sum
            if c.signed:
                neg = min(c.B, (c.W - s) / 2)
                if neg > 0:
                    out.append(Pattern((0, tau), (s + neg, -neg)))       # extrapolation: negative memory
    unique = {(p.ages, p.weights): p for p in out}
    return list(unique.values())


def adversarial_problems(mu: float, L: float, *, seed: int = 0):
    """The problems of the adversarial runs: (quadratics (n, 2), tilted problems); x* = 0 for the quadratics."""
    lam = np.array([[mu, L], [mu, mu], [L, L]])
    A = lam[:, :, None] * np.eye(2)
    quad = QuadraticBatch(x_star=np.zeros((3, 2)), f_star=np.zeros(3), mu=np.full(3, mu), L=np.full(3, L), A=A,
                          eigenvalues=lam)
    rng = np.random.default_rng(seed)
    tilted = [make_tilted(1, 4, mu, L, family=f, rng=rng) for f in ("huber", "logistic")] if L > mu else []
    return [quad, *tilted]


#: a run farther than this from x* (relative to r_0) has diverged: its later distances are NaN
BLOWUP = 1e12


@dataclass(frozen=True)
class AdversarialRun:
    """What a run check reads: per-problem steps and the distances (K+1, n)."""

    alpha: np.ndarray
    distances: np.ndarray
    choices: np.ndarray     # (K, n) index of the candidate chosen at each step


def greedy_run(problems, patterns: list[Pattern], alpha: float, steps: int) -> AdversarialRun:
    """Run the greedy adversary over ``patterns`` on every problem of the batch for ``steps`` steps."""
    T = max(p.T for p in patterns)
    W = np.stack([p.dense_weights(T) for p in patterns])                 # (P, T+1)
    n, d = problems.x_star.shape
    x = np.ones((n, d)) / np.sqrt(d) + problems.x_star
    g0 = problems.grad(x)
    hist = np.repeat(g0[None], T + 1, axis=0)                           # hist[t] = g_{k-t}
    dist = np.empty((steps + 1, n))
    dist[0] = np.linalg.norm(x - problems.x_star, axis=1)
    choices = np.empty((steps, n), dtype=np.int64)
    rows = np.arange(n)
    stopped = np.zeros(n, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            d_all = np.einsum("pt,tnd->pnd", W, hist)                    # (P, n, d)
            x_all = x[None] - alpha * d_all
            r_all = np.linalg.norm(x_all - problems.x_star[None], axis=2)
            r_all = np.where(np.isfinite(r_all), r_all, np.inf)
            pick = np.argmax(r_all, axis=0)
            choices[k] = pick
            x = x_all[pick, rows]
            dist[k + 1] = np.where(stopped, np.nan, r_all[pick, rows])
            stopped = stopped | ~(dist[k + 1] <= BLOWUP * dist[0])       # diverged: this distance kept, NaN after
            x = np.where(stopped[:, None], problems.x_star + 1.0, x)     # keep the arithmetic finite
            hist = np.roll(hist, 1, axis=0)
            hist[0] = problems.grad(x)
    return AdversarialRun(np.full(n, alpha), dist, choices)
