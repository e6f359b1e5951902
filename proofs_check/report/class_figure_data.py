r"""Data of the class figure: rate against the age bound T at one fixed step.

For each T, Theorem 2's class with the "sum" constants at kappa 1 (:math:`s_{lo} = 1`, :math:`W = 2`,
:math:`B = 1`; :mod:`memgd.proofs_check.report.class_certificates`), :math:`\mu = 1`, :math:`L = 10`,
one step :math:`\alpha` for every T: ``fraction`` of Theorem 2's largest admissible step at the
largest T (so that Theorem 2 applies at every T and both bounds are compared on exactly the set
Theorem 2 covers).  Per T: the class certificate (verified), Theorem 2's rate, the best verified
lower bound (worst vertex, pure delay, interior points, switching), and the measured worst run of
the paper's critical rule ("sum", kappa 1, topC 10) among the runs whose realized largest age is at
most T (those runs lie in the class: weights (1, 1/m, ...) or (1)), on quadratics.  Also the
median over T of the iterations Theorem 2 needs / the certificate's (:math:`\varepsilon = 10^{-6}`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.certificates.certify_class import certify_class
from memgd.proofs_check.certificates.weight_classes import theorem2_class
from memgd.proofs_check.lower_bounds.class_bounds import class_lower_bounds
from memgd.proofs_check.report.class_certificates import SUM_CONSTANTS, _iters, theorem2_on
from memgd.solvers import make_optimizer, make_quadratics, run_optimizer, tail_rate
from memgd.theory import alpha_max2


@dataclass(frozen=True)
class RateAgainstT:
    T: np.ndarray              # (n,)
    alpha: float
    mu: float
    L: float
    certified: np.ndarray      # nan where not certified
    theorem2: np.ndarray       # inf where vacuous
    lower: np.ndarray          # best verified lower bound
    measured: np.ndarray       # worst measured rate of critical-rule runs with realized T' <= T (nan: none)
    runs_T: np.ndarray         # realized largest age of each critical-rule run
    runs_rate: np.ndarray      # its measured tail rate
    seconds: np.ndarray        # wall seconds of each certificate
    iteration_ratio: float     # median over T of K(Theorem 2) / K(certificate)


def rate_against_T_data(*, Ts: tuple[int, ...] = tuple(range(1, 33)), L: float = 10.0, fraction: float = 0.5,
                        decays: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9, 0.95), n: int = 8, steps: int = 3000,
                        seed: int = 0) -> RateAgainstT:
    """The figure's numbers (module doc); ``Ts``, ``decays``, ``n``, ``steps`` shrink it for ``--quick``."""
    mu = 1.0
    s_lo, W, B = SUM_CONSTANTS
    alpha = fraction * float(alpha_max2(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=max(Ts)))
    cert, th2, low, secs = [], [], [], []
    for T in Ts:
        wc = theorem2_class(T, s_lo, W, B)
        c = certify_class(mu, L, alpha, wc)
        cert.append(c.rho if c.certified else np.nan)
        secs.append(c.seconds)
        th2.append(theorem2_on(wc, mu, L, alpha))
        b = class_lower_bounds(mu, L, alpha, wc, n_interior=16).best
        low.append(b.rate if b is not None else np.nan)
    problems = make_quadratics(n, 10, mu, L, rng=np.random.default_rng(seed))
    runs_T, runs_rate = [], []
    for decay in decays:
        opt = make_optimizer("sgd_c", kappa=1.0, decay=decay, top_c=10, aggregation="sum")
        res = run_optimizer(problems, opt, alpha, steps, tol=1e-12)
        runs_T.extend(int(t) for t in res.constants.T)
        runs_rate.extend(float(r) for r in tail_rate(res.distances))
    runs_T, runs_rate = np.asarray(runs_T), np.asarray(runs_rate)
    measured = np.array([runs_rate[runs_T <= T].max() if np.any(runs_T <= T) else np.nan for T in Ts])
    cert, th2 = np.asarray(cert), np.asarray(th2)
    ratios = [_iters(t) / _iters(c) for t, c in zip(th2, cert) if np.isfinite(t) and np.isfinite(c)]
    return RateAgainstT(np.asarray(Ts), alpha, mu, L, cert, th2, np.asarray(low), measured, runs_T, runs_rate,
                        np.asarray(secs), float(np.median(ratios)) if ratios else float("nan"))
