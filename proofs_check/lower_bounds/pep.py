r"""Full-class lower bounds from performance estimation (PEPit), for a fixed pattern or a switching word.

Mathematics
-----------
For a periodic switching word :math:`w = (\pi_0, \dots, \pi_{m-1})` (one pattern: :math:`m = 1`)
and a horizon :math:`N`, performance estimation gives

.. math::

    \omega_N = \sup_{f \in \mathcal F_{\mu,L},\, x_0} \frac{\|x_N - x_\star\|^2}{\|x_0 - x_\star\|^2},

step :math:`k` using :math:`\pi_{k \bmod m}`, history :math:`x_{-i} = x_0`
(:func:`memgd.proofs_check.certificates.pepit_worst_case.pepit_worst_case`).  The PEP's
primal value is attained (up to solver feasibility) by a function of the class, so every
certificate valid for this switching satisfies :math:`c\,\rho^{2N} \ge \omega_N`: the
check that catches a certificate whose rate or transient constant is too small.  A value is
used only when the primal and PEPit's reconstructed dual agree to ``gap_tol`` relative
(default :data:`GAP_TOL`) and the dual is not below the primal; otherwise it is "not
available", never a number.

Per-step rate between two horizons :math:`N_1 < N_2`:
:math:`r = (\omega_{N_2}/\omega_{N_1})^{1/(2(N_2-N_1))}`.  Unlike :math:`\omega_N^{1/(2N)}`
it cancels the transient, so it estimates the asymptotic worst-case rate of the class; it
is an estimate, not a bound (no submultiplicativity holds for windowed states), and the
report shows it beside the certificate without calling a certificate below it false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from memgd.proofs_check.certificates.pepit_worst_case import PEPitResult, pepit_worst_case
from memgd.solvers.status import Status
from memgd.theory.pattern import Pattern

GAP_TOL = 1e-5        # relative primal-dual agreement a PEPit value needs
HORIZONS = (1, 2, 5, 10)  # the report's horizons: N = 1, 2 catch a wrong transient constant, (5, 10) give the per-step rate; N = 10 keeps a solve under a second


@dataclass(frozen=True)
class PEPBound:
    """Verified PEPit worst cases of one switching word at several horizons.

    ``values[i]`` is the primal value at ``horizons[i]`` when verified, else None.
    """

    word: tuple[int, ...]              # indexes ``patterns``; a fixed pattern is (0,) of a 1-set
    patterns: tuple[Pattern, ...]
    horizons: tuple[int, ...]
    results: tuple[PEPitResult, ...]
    values: tuple[float | None, ...]
    solve_time: float

    @property
    def per_step_rate(self) -> float | None:
        """(omega_N2 / omega_N1)^(1/(2(N2-N1))) for the two largest verified horizons, else None."""
        ok = [(n, v) for n, v in zip(self.horizons, self.values) if v is not None and v > 0]
        if len(ok) < 2:
            return None
        (n1, v1), (n2, v2) = ok[-2], ok[-1]
        return float((v2 / v1) ** (1.0 / (2 * (n2 - n1))))

    def violations(self, rho: float, transient: float, *, rtol: float = 1e-6) -> list[tuple[int, float, float]]:
        """(N, omega_N, c rho^(2N)) for every verified horizon where the certificate is below omega_N."""
        out = []
        for n, v in zip(self.horizons, self.values):
            if v is not None:
                limit = transient * rho ** (2 * n)
                if v > limit * (1 + rtol):
                    out.append((n, v, limit))
        return out


def pep_lower_bound(mu: float, L: float, alpha: float, patterns: Sequence[Pattern], word: Sequence[int],
                    horizons: Sequence[int] = HORIZONS, *, gap_tol: float = GAP_TOL) -> PEPBound:
    """PEPit worst case of the periodic word (indices into ``patterns``) at each horizon."""
    pats = tuple(patterns)
    w = tuple(int(i) for i in word)
    if not w or not all(0 <= i < len(pats) for i in w):
        raise ValueError(f"word must be a non-empty sequence of indices into patterns (0..{len(pats) - 1}), got {word!r}")
    hs = tuple(sorted(int(n) for n in horizons))
    if not hs or hs[0] < 1:
        raise ValueError(f"horizons must be positive integers, got {horizons!r}")
    schedule = [pats[i] for i in w]
    results = tuple(pepit_worst_case(mu, L, alpha, schedule, n, gap_tol=gap_tol) for n in hs)
    values = tuple(float(r.primal) if r.status is Status.CONVERGED and np.isfinite(r.primal) else None
                   for r in results)
    return PEPBound(w, pats, hs, results, values, float(sum(r.solve_time for r in results)))
