r"""How many iterations does the worst pattern of a weight class need?  The order in kappa and T, measured.

The class :math:`\mathcal P(T, \nu)`: fixed patterns :math:`d_k = \sum_{a=0}^T w_a g_{k-a}` with
:math:`\sum_a w_a = 1` (s = 1) and negative mass at most :math:`\nu`, i.e. :math:`\sum_a |w_a| \le 1 + 2\nu`.
:math:`\nu = 0` is the nonnegative simplex (Theorem 2's class with :math:`s = W = 1`, :math:`B \le 1`).  A method
that must work for every pattern of the class picks one step for all of them, so the class needs

.. math:: K(\kappa, T, \nu) = \min_\alpha \max_{p \in \mathcal P} K_\varepsilon(\rho_p(\alpha)),
   \qquad K_\varepsilon(\rho) = \lceil \log\varepsilon / \log\rho \rceil ,

with :math:`\rho_p` the exact quadratic rate (:func:`memgd.theory.exact_rate`, a lower bound on the class of
functions, so K is a lower bound on what any theorem for the class can claim).  The maximum is taken over
**witnesses**: the polytope's vertices (one weight 1; or one weight :math:`1+\nu` and one :math:`-\nu`) and
random interior points, so the K reported is a lower bound on the class's, each with its witness pattern;
the minimum over alpha is over a geometric grid refined once.  :func:`fit_exponents` fits
:math:`\log K = c + a\log\kappa + b\log T` by least squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.theory import Pattern, exact_rate


def class_witnesses(T: int, nu: float, *, interior: int = 24, seed: int = 0) -> list[Pattern]:
    """The vertices of P(T, nu) and ``interior`` random points of it (dense weights by age 0..T)."""
    W = 1.0 + 2.0 * nu
    out = []
    for i in range(T + 1):
        w = np.zeros(T + 1)
        w[i] = 1.0
        out.append(w)
        if nu > 0:
            for j in range(T + 1):
                if j != i:
                    v = np.zeros(T + 1)
                    v[i], v[j] = (1 + W) / 2, -(W - 1) / 2
                    out.append(v)
    rng = np.random.default_rng(seed)
    for _ in range(interior):
        pos = rng.dirichlet(np.ones(T + 1)) * (1 + nu)
        neg = rng.dirichlet(np.ones(T + 1)) * nu
        out.append(pos - neg)
    return [Pattern(tuple(range(T + 1)), tuple(float(x) for x in w)) for w in out]


@dataclass(frozen=True)
class ClassOrder:
    kappa: float
    T: int
    nu: float
    iterations: float     # K(kappa, T, nu) at epsilon, a lower bound for the class
    alpha_L: float        # the step alpha L attaining the minimum
    rate: float           # the worst witness's exact rate there
    witness: Pattern      # that witness


def class_iterations(kappa: float, T: int, nu: float, *, eps: float = 1e-6, n_alpha: int = 48, interior: int = 24,
                     n_grid: int = 96) -> ClassOrder:
    """K(kappa, T, nu) over the witnesses (module doc); mu = 1, L = kappa."""
    pats = class_witnesses(T, nu, interior=interior)
    L = float(kappa)

    def worst(alphas):
        rates = np.asarray(exact_rate(1.0, L, alphas, pats, n_grid=n_grid))   # (P, A)
        return rates.max(axis=0), rates.argmax(axis=0)

    alphas = np.geomspace(1e-3, 2.0, n_alpha) / L
    for _ in range(2):
        top, which = worst(alphas)
        i = int(np.argmin(top))
        lo, hi = alphas[max(i - 1, 0)], alphas[min(i + 1, alphas.size - 1)]
        alphas = np.geomspace(lo, hi, n_alpha)
    top, which = worst(alphas)
    i = int(np.argmin(top))
    rho = float(top[i])
    K = float(np.ceil(np.log(eps) / np.log(rho))) if rho < 1 else float("inf")
    return ClassOrder(float(kappa), int(T), float(nu), K, float(alphas[i] * L), rho, pats[int(which[i])])


def fit_exponents(orders: list[ClassOrder]) -> tuple[float, float, float]:
    """(a, b, c) of log K = c + a log kappa + b log T (least squares over the finite K)."""
    rows = [(np.log(o.kappa), np.log(o.T), np.log(o.iterations)) for o in orders if np.isfinite(o.iterations)]
    A = np.array([[1.0, r[0], r[1]] for r in rows])
    y = np.array([r[2] for r in rows])
    c, a, b = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(a), float(b), float(c)
