r"""The numbers of the sandwich figure: every rate of a pattern (set) against the step size.

For one single pattern and one pattern set, at each step :math:`\alpha` on a grid up to the
quadratic stability limit of the set (:func:`memgd.theory.critical_step`, smallest over the
set), :func:`sandwich_vs_step_data` gives, from below to above:

- ``quadratic``: the largest exact quadratic rate of one pattern of the set;
- ``switching``: the verified joint-spectral-radius lower bound (equal to ``quadratic``
  for a single pattern);
- ``pep``: PEPit's per-step rate estimate of the whole class between the two largest
  horizons, for the worst single pattern and the worst switching word (NaN when not
  verified);
- ``certified``: the verified certificate over the set (NaN where none);
- ``theorem``: Theorem 1/1b with the set's constants (inf where vacuous);
- ``tightness``: :math:`(1-\rho_{cert})/(1-\rho_{low})`, :math:`\rho_{low}` the largest
  verified bound (quadratic or switching).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.certificates.patterns import aggregation_patterns
from memgd.proofs_check.lower_bounds.pep import HORIZONS
from memgd.proofs_check.report.sandwich import lower_bounds
from memgd.theory import Pattern, best_bound, critical_step


@dataclass(frozen=True)
class SandwichCurve:
    label: str
    patterns: tuple[Pattern, ...]
    alpha: np.ndarray          # (A,)
    alpha_critical: float
    quadratic: np.ndarray      # (A,) each array below as described in the module docstring
    switching: np.ndarray
    pep: np.ndarray
    certified: np.ndarray
    theorem: np.ndarray
    tightness: np.ndarray


@dataclass(frozen=True)
class SandwichData:
    mu: float
    L: float
    horizons: tuple[int, ...]
    curves: tuple[SandwichCurve, ...]


def _constants(pats) -> dict:
    return dict(s_lo=min(p.s for p in pats), s_hi=max(p.s for p in pats), B=max(p.B for p in pats),
                W=max(p.W for p in pats), T=max(p.T for p in pats))


def sandwich_curve(label: str, mu: float, L: float, patterns, fractions: np.ndarray,
                   horizons=HORIZONS) -> SandwichCurve:
    """All rates of ``patterns`` at ``fractions`` of the set's quadratic stability limit."""
    pats = tuple(patterns)
    a_c = min(critical_step(mu, L, p) for p in pats)
    alpha = np.asarray(fractions, dtype=np.float64) * a_c
    cols = {k: np.full(alpha.size, np.nan) for k in ("quadratic", "switching", "pep", "certified", "tightness")}
    for i, a in enumerate(alpha):
        lb = lower_bounds(mu, L, float(a), pats, horizons=horizons)
        cols["quadratic"][i] = lb.quadratic.rate if lb.quadratic.verified else np.nan
        sw = lb.switching if lb.switching is not None else lb.quadratic
        cols["switching"][i] = sw.rate if sw.verified else np.nan
        cols["pep"][i] = np.nan if lb.pep_rate is None else lb.pep_rate
        cert = certify(mu, L, float(a), pats, rho_lower=cols["quadratic"][i] - 1e-9, tol=1e-4 * (1 - cols["quadratic"][i]))
        if cert.certified:
            cols["certified"][i] = cert.rho
            t = lb.tightness(cert.rho)
            cols["tightness"][i] = np.nan if t is None else t
    theorem = np.asarray(best_bound(mu=mu, L=L, alpha=alpha, **_constants(pats)).rate, dtype=np.float64)
    return SandwichCurve(label, pats, alpha, float(a_c), theorem=theorem, **cols)


def sandwich_vs_step_data(mu: float = 1.0, L: float = 10.0, n_alpha: int = 14,
                          horizons: tuple[int, ...] = HORIZONS) -> SandwichData:
    """The single pattern d = g_k + g_{k-1} and the set of one stored gradient of age 1, 2 or 3 ("sum")."""
    fr = np.geomspace(0.02, 0.95, int(n_alpha))
    curves = (
        sandwich_curve("single pattern: ages (0, 1), weights (1, 1)", mu, L, aggregation_patterns("sum", 1, 1), fr,
                       horizons),
        sandwich_curve("pattern set: ages (0, tau), tau in {1, 2, 3}, weights (1, 1)", mu, L,
                       aggregation_patterns("sum", 3, 1), fr, horizons),
    )
    return SandwichData(mu, L, tuple(horizons), curves)
