r"""One verified rate for a whole class of rules: every weight vector of a polytope, any switching.

Mathematics
-----------
For a weight class :math:`\mathcal W` (:mod:`memgd.proofs_check.certificates.weight_classes`)
and a step :math:`\alpha`, a *class certificate* is a quadratic Lyapunov function
:math:`V_k = \xi_k^\top P \xi_k + p^\top (F_k - f_\star)` with

.. math::

    \begin{aligned}
    &\|x_k - x_\star\|^2 \le V_k, \qquad V_{k+1} \le \rho^2 V_k \\
    &\qquad\text{for every } f \in \mathcal F_{\mu,L} \text{ and every step whose weights lie in } \mathcal W,
    \end{aligned}

hence :math:`\|x_k - x_\star\|^2 \le c\,\rho^{2k}\|x_0 - x_\star\|^2` for every rule of the class
(any selection of ages, any weights of the polytope at each step).  It is found by the SDP of
:mod:`memgd.proofs_check.certificates.class_sdp` (one LMI per vertex, shared :math:`P, p` and
Finsler vector :math:`y`, per-vertex multipliers) and accepted only after
:func:`~memgd.proofs_check.certificates.class_verify.check_lifted` has verified it in float64 at
every vertex; the final certificate is also re-checked by the unlifted verifier at every vertex
and at random interior points (:func:`~memgd.proofs_check.certificates.class_verify.cross_check`).

Search: feasibility is monotone in :math:`\rho` (as for patterns,
:mod:`memgd.proofs_check.certificates.sdp`), and any rate of a member of the class is a lower
bound on a certifiable one.  The search starts just above ``rho_lower`` (default: the largest
exact quadratic rate of the vertices, :func:`memgd.theory.exact_rate`), gallops up in steps
growing 4x until a certificate verifies, then bisects until the bracket is shorter than
``rtol * (1 - rho_lower)``.  It returns the **upper end** of the final bracket, the smallest
verified rate (the certified side); ``rho_refused`` is the lower end (a rate where no
certificate was found, not a bound).

Cost: the structure (``pairs``, ``lag``; :mod:`memgd.proofs_check.certificates.class_model`)
makes each LMI banded plus a few full rows, and the clique decomposition keeps an
interior-point iteration about polynomial of low degree in T (docs/math/certificates.md, the
scaling table in BENCHMARKS.md).  A tight certificate costs one solve.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memgd.proofs_check.certificates.class_sdp import CLASS_RULES, ClassRules, ClassSDP
from memgd.proofs_check.certificates.class_verify import check_lifted, cross_check
from memgd.proofs_check.certificates.lyapunov_model import transient_constant
from memgd.proofs_check.certificates.sdp import to_original_units
from memgd.proofs_check.certificates.weight_classes import WeightClass
from memgd.solvers.status import Status
from memgd.theory import exact_rate
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class ClassCertificate:
    """Outcome of :func:`certify_class`; numbers only when ``status is Status.CERTIFIED``.

    ``P``, ``p``, ``vertex_multipliers``, ``normalization_multipliers`` are in the units of the
    class (:mod:`memgd.proofs_check.certificates.sdp`); ``finsler`` (y) in normalized units."""

    status: Status
    reason: str
    wclass: WeightClass
    mu: float
    L: float
    alpha: float
    pairs: str
    lag: int | None
    solver: str
    rho: float | None = None                     # verified: ||x_k - x*|| <= sqrt(c) rho^k ||x_0 - x*||
    rho_refused: float | None = None             # lower end of the final bracket (no certificate found there)
    rho_lower: float | None = None               # where the search started (a lower bound on any certificate)
    transient: float | None = None               # c
    P: np.ndarray | None = None
    p: np.ndarray | None = None
    finsler: np.ndarray | None = None
    vertex_multipliers: tuple[np.ndarray, ...] | None = None
    normalization_multipliers: np.ndarray | None = None
    max_eig_decrease: float | None = None        # largest scaled eigenvalue of a vertex LMI (< -eig_margin)
    n_vertices: int = 0
    n_interior_checked: int = 0
    n_solves: int = 0
    n_rejected: int = 0                          # solves the float64 check refused
    build_seconds: float = 0.0
    solve_seconds: float = 0.0                   # wall time inside the solver
    seconds: float = 0.0                         # wall time of the whole search and the checks
    cpu_seconds: float = 0.0                     # process CPU time of the same
    largest_cone: int = 0
    psd_entries: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def certified(self) -> bool:
        return self.status is Status.CERTIFIED

    @property
    def T(self) -> int:
        return self.wclass.T

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """The class's vertices as patterns (the certificate covers their convex hull)."""
        return self.wclass.patterns()

    def bound(self, k: int | np.ndarray) -> float | np.ndarray:
        """Certified bound on ||x_k - x*||^2 / ||x_0 - x*||^2: c rho^(2k)."""
        if not self.certified:
            raise ValueError("no bound: the result is not certified")
        return self.transient * self.rho ** (2 * np.asarray(k))


def vertex_lower_bound(mu: float, L: float, alpha: float, wclass: WeightClass) -> float:
    """Largest exact quadratic rate over the class's vertices: every certificate of the class is >= it."""
    return float(np.max(exact_rate(mu, L, alpha, list(wclass.patterns()))))


def certify_class(mu: float, L: float, alpha: float, wclass: WeightClass, *, pairs: str = "neighbours",
                  lag: int | None = 1, solver: str = "CLARABEL", decompose: bool = True, rtol: float = 1e-3,
                  rho_lower: float | None = None, rho_max: float = 1.0 - 1e-9, margin: float = 1e-7,
                  eig_margin: float = 1e-9, n_interior: int = 20, seed: int = 0,
                  rules: ClassRules = CLASS_RULES, progress=None) -> ClassCertificate:
    r"""Smallest verified :math:`\rho` of one Lyapunov function for every weight vector of ``wclass`` (module doc).

    Args:
        mu, L: class constants, ``0 < mu < L``; alpha: step, ``> 0``.
        wclass: the weight polytope (its vertices).
        pairs, lag: the structure (:mod:`memgd.proofs_check.certificates.class_model`); ``"all"`` and
            ``None`` are the unrestricted certificate (dense, for small T).
        solver: ``"CLARABEL"`` or ``"SCS"``; decompose: clique-decompose the LMIs ourselves (else one
            cone per LMI; Clarabel then decomposes it internally).
        rtol: the final bracket is shorter than ``rtol * (1 - rho_lower)``.
        rho_lower: where the search starts (default: :func:`vertex_lower_bound`); a value that is not a
            true lower bound can only make the rate larger, never unverified.
        n_interior: random interior points for the unlifted cross-check of the final certificate.
        rules: the proof's shared ingredients (tests only; :data:`~memgd.proofs_check.certificates.class_sdp.CLASS_RULES`).
        progress: optional ``callable(str)`` told about each solve.

    Returns a :class:`ClassCertificate`; never raises for a solver outcome.  ``ValueError`` for bad input.
    """
    if not isinstance(wclass, WeightClass):
        raise ValueError(f"wclass must be a WeightClass, got {type(wclass).__name__}")
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    if not 0.0 < rtol < 1.0:
        raise ValueError(f"rtol must lie in (0, 1), got {rtol!r}")
    if not 0.0 < rho_max < 1.0:
        raise ValueError(f"rho_max must lie in (0, 1), got {rho_max!r}")
    if rho_lower is not None and not (np.isfinite(rho_lower) and 0.0 <= rho_lower):
        raise ValueError(f"rho_lower must be a finite number >= 0 or None, got {rho_lower!r}")
    if int(n_interior) < 0:
        raise ValueError(f"n_interior must be >= 0, got {n_interior!r}")
    say = progress or (lambda message: None)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    low = vertex_lower_bound(mu, L, alpha, wclass) if rho_lower is None else float(rho_lower)
    sdp = ClassSDP(mu, L, alpha, wclass, pairs=pairs, lag=lag, margin=margin, solver=solver, decompose=decompose,
                   rules=rules)
    base = dict(wclass=wclass, mu=float(mu), L=float(L), alpha=float(alpha), pairs=pairs, lag=lag, solver=solver,
                rho_lower=low, n_vertices=len(wclass.vertices), build_seconds=sdp.build_seconds,
                largest_cone=sdp.largest_cone, psd_entries=sdp.n_psd_entries)
    state = dict(best=None, solves=0, rejected=0, solve_s=0.0, last="")

    def attempt(rho: float) -> bool:
        raw = sdp.solve(rho)
        state["solves"] += 1
        state["solve_s"] += raw.seconds
        say(f"rho={rho:.10g}: {raw.status} ({raw.seconds:.2f} s, {raw.iterations} iterations)")
        if not raw.solved:
            state["last"] = f"solver status {raw.status} at rho={rho:.10g}"
            return False
        P = 0.5 * (raw.P + raw.P.T)
        p, nu = np.maximum(raw.p, 0.0), np.maximum(raw.nu, 0.0)
        lam = tuple(np.maximum(v, 0.0) for v in raw.lam)
        why, worst, _, _ = check_lifted(sdp.model, sdp.W, rho, P, p, raw.y, lam, nu, eig_margin=eig_margin)
        if why:
            state["rejected"] += 1
            state["last"] = f"float64 check refused rho={rho:.10g}: {why}"
            return False
        if state["best"] is None or rho < state["best"][0]:
            state["best"] = (rho, P, p, raw.y, lam, nu, worst)
        return True

    def result(status: Status, reason: str, **kw) -> ClassCertificate:
        return ClassCertificate(status=status, reason=reason, n_solves=state["solves"], n_rejected=state["rejected"],
                                solve_seconds=state["solve_s"], seconds=time.perf_counter() - wall0,
                                cpu_seconds=time.process_time() - cpu0, **base, **kw)

    if not low < rho_max:
        return result(Status.NOT_CERTIFIED, f"the lower bound {low:.10g} is not below rho_max={rho_max:.10g}: "
                                             "no rate < 1 can be certified")
    width = rtol * (1.0 - low)
    lo, hi, step = low, None, width
    while hi is None:                                  # gallop up from the lower bound
        r = min(lo + step, rho_max)
        if attempt(r):
            hi = r
        elif r >= rho_max:
            return result(Status.NOT_CERTIFIED, f"no verified certificate up to rho={rho_max:.10g}: {state['last']}",
                          rho_refused=r)
        else:
            lo, step = r, 4.0 * step
    while hi - lo > width:                            # bisect; hi stays verified (the certified side)
        mid = 0.5 * (lo + hi)
        if attempt(mid):
            hi = mid
        else:
            lo = mid
    rho, Pn, pn, y, lamn, nun, worst = state["best"]
    P, p, lam, nu = to_original_units(L, Pn, pn, lamn, nun)
    P = 0.5 * (P + P.T)
    c = transient_constant(mu, L, P, p)
    if not (np.isfinite(c) and c >= 1.0):
        return result(Status.NOT_CERTIFIED, f"transient constant {c!r} is not a finite number >= 1", rho_refused=lo)
    why = cross_check(mu, L, alpha, wclass, rho, P, p, lam, nu, sdp.model.pairs, sdp.model.norm_pairs,
                      rng=np.random.default_rng(seed), n_interior=n_interior, eig_margin=eig_margin)
    if why:
        return result(Status.NOT_CERTIFIED, f"the unlifted cross-check refused the certificate: {why}",
                      rho_refused=lo)
    notes = (state["last"],) if state["last"] else ()
    return result(Status.CERTIFIED, "", rho=float(rho), rho_refused=float(lo), transient=float(c), P=P, p=p,
                  finsler=np.asarray(y), vertex_multipliers=lam, normalization_multipliers=nu,
                  max_eig_decrease=float(worst), n_interior_checked=int(n_interior), notes=notes)
