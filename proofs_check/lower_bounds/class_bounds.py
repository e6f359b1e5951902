r"""Lower bounds on any certificate of a weight class, each with its witness.

Mathematics
-----------
A class certificate (:mod:`memgd.proofs_check.certificates.certify_class`) claims its rate for
every rule whose steps use weights of the polytope :math:`\mathcal W`.  Every member gives a
lower bound, witnessed by something that can be recomputed:

- **worst vertex**: the largest exact quadratic rate over the vertices (witness: the vertex and
  the eigenvalue :math:`h`, recomputed by
  :func:`~memgd.proofs_check.lower_bounds.quadratic.verify_witness`);
- **pure delay**: when :math:`\mathcal W` contains :math:`d_k = b\,g_{k-T}` (largest such
  :math:`b`, an LP over the vertices), its exact rate; its stability limit is known in closed
  form (Levin and May, 1976: :math:`y_{k+1} = y_k - \alpha h b\, y_{k-T}` is stable iff
  :math:`\alpha h b < 2\sin\frac{\pi}{2(2T+1)}`), so beyond :math:`\alpha_c = 2\sin\frac{\pi}{2(2T+1)}/(Lb)`
  no certificate below 1 exists; the closed form is cross-checked against
  :func:`memgd.theory.critical_step`;
- **interior points**: exact rates of random convex combinations of the vertices (members too);
- **switching**: the joint-spectral-radius search of
  :func:`~memgd.proofs_check.lower_bounds.quadratic.switching_lower_bound` over the vertices
  with the largest rates (any word of members is a valid witness; fewer letters only make the
  search less thorough);
- **PEPit** at the worst word found (or the worst vertex), a few horizons, where affordable:
  verified values :math:`\omega_N` with :math:`c\rho^{2N} \ge \omega_N` required of a certificate
  (:mod:`memgd.proofs_check.lower_bounds.pep`).

On quadratics the joint spectral radius of a convex hull of matrices equals that of its vertices
(the hull's products are convex combinations of the vertices' products), so quadratic bounds
never separate a polytope from its vertices; PEPit's full-class values can.

Tightness of a certificate: :math:`(1 - \rho_{cert}) / (1 - \rho_{low})` with :math:`\rho_{low}`
the largest verified quadratic bound above (1: as fast as a proven lower bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from memgd.proofs_check.certificates.weight_classes import WeightClass, describe_weights
from memgd.proofs_check.lower_bounds.pep import PEPBound, pep_lower_bound
from memgd.proofs_check.lower_bounds.quadratic import (
    QuadraticWitness, fixed_pattern_lower_bound, switching_lower_bound, verify_witness,
)
from memgd.theory import critical_step, exact_rate
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class ClassBound:
    """One verified lower bound: ``rate`` with its ``witness`` (None when not verified)."""

    kind: str                 # "worst vertex", "pure delay", "interior point", "switching"
    rate: float
    witness: str
    verified: bool


@dataclass(frozen=True)
class ClassLowerBounds:
    bounds: tuple[ClassBound, ...]
    pep: tuple[PEPBound, ...]
    delay_mass: float                 # largest b with b g_{k-T} in the class (0: none)
    delay_limit: float | None         # closed-form stability step of that pure delay (None: no pure delay)
    seconds: float

    @property
    def best(self) -> ClassBound | None:
        ok = [b for b in self.bounds if b.verified]
        return max(ok, key=lambda b: b.rate) if ok else None

    def tightness(self, rho: float | None) -> float | None:
        """(1 - rho) / (1 - best), None without a certificate or a best bound below 1."""
        b = self.best
        if rho is None or b is None or not b.rate < 1.0:
            return None
        return float((1.0 - rho) / (1.0 - b.rate))


def pure_delay_mass(wclass: WeightClass) -> float:
    """Largest b >= 0 with the pure delay (0, ..., 0, b) in the class (an LP over the vertices; 0 if none)."""
    V = wclass.weights
    T = wclass.T
    if T == 0:
        return 0.0
    nv = len(V)
    # variables theta (nv); maximize theta @ V[:, T] with theta >= 0, sum 1, theta @ V[:, :T] = 0
    A_eq = np.vstack([V[:, :T].T, np.ones((1, nv))])
    b_eq = np.concatenate([np.zeros(T), [1.0]])
    res = linprog(-V[:, T], A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:
        return 0.0
    # rounded down (toward the safe side): a smaller mass is still in the class and gives a smaller rate
    return max(0.0, float(-res.fun) * (1.0 - 1e-12))


def levin_may_limit(L: float, T: int, b: float) -> float:
    """Largest stable step of d_k = b g_{k-T} on the class (alpha h b < 2 sin(pi / (2(2T+1))) at h = L)."""
    return float(2.0 * np.sin(np.pi / (2 * (2 * T + 1))) / (L * b))


def class_lower_bounds(mu: float, L: float, alpha: float, wclass: WeightClass, *, n_interior: int = 32,
                       seed: int = 0, switching_letters: int = 6, switching_length: int = 4,
                       pep_horizons: tuple[int, ...] = (), pep_max_T: int = 4) -> ClassLowerBounds:
    """The verified lower bounds of the module doc (PEPit only for ``T <= pep_max_T`` and non-empty horizons)."""
    t0 = time.perf_counter()
    pats = wclass.patterns()
    T = wclass.T
    rates = np.atleast_1d(exact_rate(mu, L, alpha, list(pats)))
    order = np.argsort(-rates)
    iv = int(order[0])
    wv = fixed_pattern_lower_bound(mu, L, alpha, pats[iv])
    bounds = [ClassBound("worst vertex", wv.rate, f"vertex {describe_weights(wclass.weights[iv])}, h={wv.h:.6g}",
                         wv.verified)]
    b = pure_delay_mass(wclass)
    limit = None
    if b > 0:
        delay = Pattern((0, T), (0.0, b))
        wd = fixed_pattern_lower_bound(mu, L, alpha, delay)
        limit = levin_may_limit(L, T, b)
        numeric = critical_step(mu, L, delay)
        agree = abs(numeric - limit) <= 1e-9 * limit
        bounds.append(ClassBound("pure delay", wd.rate,
                                 f"d = {b:.6g} g(k-{T}), h={wd.h:.6g}; stable for alpha < {limit:.6g} "
                                 f"(alpha / limit = {alpha / limit:.3g})", wd.verified and agree))
    if n_interior > 0 and len(pats) > 1:
        rng = np.random.default_rng(seed)
        _, inside = wclass.interior(rng, n_interior)
        ipats = [Pattern(tuple(range(T + 1)), tuple(w)) for w in inside]
        r_in = np.atleast_1d(exact_rate(mu, L, alpha, ipats))
        j = int(np.argmax(r_in))
        wi = fixed_pattern_lower_bound(mu, L, alpha, ipats[j])
        bounds.append(ClassBound("interior point", wi.rate, f"weights {describe_weights(np.round(inside[j], 4))}, h={wi.h:.6g}",
                                 wi.verified))
    sw: QuadraticWitness | None = None
    letters = tuple(pats[i] for i in order[: max(1, int(switching_letters))])
    if len(letters) > 1:
        sw = switching_lower_bound(mu, L, alpha, letters, max_length=int(switching_length), n_h=9, beam=60)
        sw = verify_witness(mu, L, alpha, sw)
        bounds.append(ClassBound("switching", sw.rate, f"word of vertices {sw.describe()}", sw.verified))
    pep = []
    if pep_horizons and T <= pep_max_T:
        if sw is not None and sw.verified and len(sw.word) > 1 and sw.rate > wv.rate:
            pep.append(pep_lower_bound(mu, L, alpha, letters, sw.word, pep_horizons))
        else:
            pep.append(pep_lower_bound(mu, L, alpha, (pats[iv],), (0,), pep_horizons))
    return ClassLowerBounds(tuple(bounds), tuple(pep), b, limit, time.perf_counter() - t0)
