r"""Pattern-dependent Lyapunov certificates: one Lyapunov function per pattern, for switching.

Mathematics
-----------
A common Lyapunov function (:mod:`memgd.proofs_check.certificates.certify`) must decrease
under every pattern of the set from every state; switching systems often need more.  Here
each pattern :math:`\pi_i \in \Pi` has its own
:math:`V_i(\xi) = \xi^\top P_i \xi + p_i^\top (F - f_\star)`, labelled by the pattern *last
used*, and for every ordered pair :math:`(i, j)` (a step with :math:`\pi_j` after one with
:math:`\pi_i`)

.. math::

    \begin{aligned}
    V_j(\xi_{k+1}) - \rho^2 V_i(\xi_k) &\le -\sum \lambda^{ij}_{ab} I_{ab}
    &&(\text{step model of } \pi_j), \\
    V_i(\xi) &\ge \|x_k - x_\star\|^2 &&(\text{each } i).
    \end{aligned}

This is the complete De Bruijn graph of order one over :math:`\Pi`, a path-complete graph
(Ahmadi, Jungers, Parrilo, Roozbehani 2014): every switching sequence is a path starting
from any node.  Along :math:`\pi_0 \pi_1 \dots`,
:math:`\|x_k - x_\star\|^2 \le V_{\pi_{k-1}}(\xi_k) \le \rho^{2k} V_i(\xi_0)` for every
start node :math:`i`, so :math:`c = \min_i c_i` with :math:`c_i` the transient constant of
:math:`(P_i, p_i)` (:func:`memgd.proofs_check.certificates.lyapunov_model.transient_constant`).
With all :math:`P_i` equal it is the common certificate, so it is never worse; it costs
:math:`|\Pi|^2` LMIs instead of :math:`|\Pi|`.

In code terms: :class:`PatternDependentSDP` (DPP in :math:`\rho^2`, normalized units as in
:mod:`memgd.proofs_check.certificates.sdp`), :func:`verify_pattern_dependent` (the same
float64 rules as :func:`memgd.proofs_check.certificates.verify.verify`, edge by edge), and
:func:`certify_pattern_dependent` (bisection; a rate counts only once verified).
"""

from __future__ import annotations

import itertools
import time
import warnings
from dataclasses import dataclass
from typing import Iterable

import cvxpy as cp
import numpy as np

from memgd.proofs_check.certificates.certify import Certificate, _as_patterns
from memgd.proofs_check.certificates.lyapunov_model import decrease_parts, normalization_parts
from memgd.proofs_check.certificates.rules import CLASS_RULES, ProofRules
from memgd.proofs_check.certificates.sdp import to_normalized_units, to_original_units
from memgd.proofs_check.certificates.search import bisect_rate, checked_setting
from memgd.proofs_check.certificates.verify import Verification
from memgd.solvers.status import Status
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class PatternDependentCertificate(Certificate):
    """A :class:`Certificate` whose ``P``, ``p`` are the start node's; the per-pattern data below.

    ``edge_multipliers[(i, j)]`` are the multipliers of the step with pattern j after pattern i.
    """

    node_P: tuple[np.ndarray, ...] | None = None
    node_p: tuple[np.ndarray, ...] | None = None
    node_nu: tuple[np.ndarray, ...] | None = None
    edge_multipliers: dict | None = None


def de_bruijn(n_patterns: int, order: int) -> tuple[list[tuple[int, ...]], list[tuple[int, int, int]]]:
    """Nodes (words of the last ``order`` patterns) and edges (from node, to node, pattern used).

    Order 1: one node per pattern, an edge i -> j labelled j for every ordered pair.  Every
    switching sequence is a path from any node (the graph is path-complete)."""
    nodes = list(itertools.product(range(n_patterns), repeat=order))
    index = {w: i for i, w in enumerate(nodes)}
    edges = [(index[w], index[w[1:] + (j,)], j) for w in nodes for j in range(n_patterns)]
    return nodes, edges


class PatternDependentSDP:
    """Feasibility SDP of a pattern-dependent certificate at a given rho (call :meth:`solve`)."""

    def __init__(self, mu: float, L: float, alpha: float, patterns: tuple[Pattern, ...], T: int, *,
                 order: int = 1, margin: float = 1e-7, rules: ProofRules = CLASS_RULES) -> None:
        mu_n, alpha_n = mu / L, alpha * L
        self.models = tuple(rules.model(mu_n, 1.0, alpha_n, pat, T) for pat in patterns)
        self.nodes, self.edges = de_bruijn(len(patterns), order)
        m0, k = self.models[0], len(self.nodes)
        n, ns, nN = m0.n, 2 * T + 1, m0.n - 1
        self.rho2 = cp.Parameter(nonneg=True, name="rho2")
        self.P = [cp.Variable((ns, ns), symmetric=True, name=f"P{i}") for i in range(k)]
        self.p = [cp.Variable(T + 1, nonneg=True, name=f"p{i}") for i in range(k)]
        self.nu = [cp.Variable(len(m0.norm_pairs), nonneg=True, name=f"nu{i}") for i in range(k)]
        self.lam = {(i, j): cp.Variable(len(self.models[pat].pairs), nonneg=True, name=f"lam{i}_{j}")
                    for i, j, pat in self.edges}
        cons = []
        for i, j, pat in self.edges:
            lam = self.lam[(i, j)]
            mj = self.models[pat]
            LM = cp.reshape(mj.M.reshape(len(mj.pairs), n * n).T @ lam, (n, n), order="C")
            Q = mj.S1.T @ self.P[j] @ mj.S1 - self.rho2 * (mj.S0.T @ self.P[i] @ mj.S0) + LM
            cons.append(-0.5 * (Q + Q.T) - margin * np.eye(n) >> 0)
            cons.append(mj.E1 @ self.p[j] - self.rho2 * (mj.E0 @ self.p[i]) + mj.a.T @ lam == 0)
        S0r = m0.S0[:, :nN]
        NMflat = m0.norm_M.reshape(len(m0.norm_pairs), nN * nN).T
        for i in range(k):
            N = S0r.T @ self.P[i] @ S0r - np.outer(m0.ek, m0.ek) - cp.reshape(NMflat @ self.nu[i], (nN, nN), order="C")
            cons.append(0.5 * (N + N.T) - margin * np.eye(nN) >> 0)
            cons.append(m0.E0 @ self.p[i] - m0.norm_a.T @ self.nu[i] == 0)
        self.problem = cp.Problem(cp.Minimize(0), cons)

    def solve(self, rho: float, solver: str = "CLARABEL"):
        """(status, P list, p list, lam dict, nu list) in normalized units; None arrays unless optimal."""
        self.rho2.value = float(rho) ** 2
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
                self.problem.solve(solver=solver)
            status = str(self.problem.status)
        except cp.error.SolverError as exc:
            status = f"error: {exc}"
        if status != cp.OPTIMAL or self.P[0].value is None:
            return status, None, None, None, None
        arr = lambda v: np.array(v.value, dtype=np.float64)  # noqa: E731
        return (status, [arr(P) for P in self.P], [arr(p) for p in self.p],
                {e: arr(l) for e, l in self.lam.items()}, [arr(v) for v in self.nu])


def _scale(M: np.ndarray) -> float:
    return max(1.0, float(np.linalg.norm(M, 2)))


def verify_pattern_dependent(mu: float, L: float, alpha: float, patterns: tuple[Pattern, ...], T: int, rho: float,
                             Ps, ps, lams: dict, nus, *, order: int = 1, eig_margin: float = 1e-9,
                             eq_tol: float = 1e-6, rules: ProofRules = CLASS_RULES) -> tuple[Verification, int]:
    """Check a pattern-dependent certificate (original units) edge by edge, in float64.

    Returns the :class:`Verification` (``transient`` = min over start nodes) and the start node.
    The rules are those of :func:`memgd.proofs_check.certificates.verify.verify`: exact signs of
    multipliers and p, residuals bounded through 0 <= f - f* <= L/2 |x - x*|^2, eigenvalues
    cleared by ``eig_margin`` relative to the matrix norm.
    """
    nodes, edges = de_bruijn(len(patterns), order)
    k = len(nodes)
    label = {(i, j): pat for i, j, pat in edges}

    def fail(reason: str) -> tuple[Verification, int]:
        return Verification(False, reason, np.nan, np.nan, np.nan, np.nan), -1

    if not (np.isfinite(rho) and 0.0 < rho < 1.0):
        return fail(f"rho must lie in (0, 1), got {rho!r}")
    if len(Ps) != k or len(ps) != k or len(nus) != k or set(lams) != set(label):
        return fail("need one (P, p, nu) per node and multipliers for every edge of the graph")
    arrays = [np.asarray(a, dtype=np.float64) for a in (*Ps, *ps, *nus, *lams.values())]
    if not all(np.all(np.isfinite(a)) for a in arrays):
        return fail("non-finite entries")
    if any(not np.array_equal(P, P.T) for P in Ps):
        return fail("a P is not symmetric")
    if any(np.any(np.asarray(a) < 0) for a in (*ps, *nus, *lams.values())):
        return fail("a multiplier or p has a negative entry")
    mu_n, alpha_n = mu / L, alpha * L
    norm = [to_normalized_units(L, P, p, (), nu) for P, p, nu in zip(Ps, ps, nus)]
    models = [rules.model(mu_n, 1.0, alpha_n, pat, T) for pat in patterns]
    worst_dec, max_res = -np.inf, 0.0
    for (i, j), lam in lams.items():
        Pi, pi_, _, _ = norm[i]
        Pj, pj, _, _ = norm[j]
        model = models[label[(i, j)]]
        lam_n = np.asarray(lam, dtype=np.float64) * L
        if lam_n.shape != (len(model.pairs),):
            return fail(f"edge {(i, j)}: expected {len(model.pairs)} multipliers, got {lam_n.shape}")
        Q, r = decrease_parts(model, rho, Pi, pi_, lam_n, P_next=Pj, p_next=pj)
        max_res = max(max_res, float(np.max(np.abs(r))))
        if np.max(np.abs(r)) > eq_tol:
            return fail(f"edge {(i, j)}: function-value residual {np.max(np.abs(r)):.3g} > {eq_tol}")
        Qe = Q + 0.5 * (model.X.T * np.maximum(r, 0.0)) @ model.X
        ev = float(np.linalg.eigvalsh(Qe)[-1]) / _scale(Qe)
        worst_dec = max(worst_dec, ev)
        if not ev < -eig_margin:
            return fail(f"edge {(i, j)}: decrease LMI max eigenvalue {ev:.3g} (scaled) not < -{eig_margin}")
    min_ne = np.inf
    m0 = models[0]
    Xr = m0.X[: T + 2, : m0.n - 1]
    for i, (Pn, pn, _, nun) in enumerate(norm):
        if nun.shape != (len(m0.norm_pairs),):
            return fail(f"node {i}: expected {len(m0.norm_pairs)} normalization multipliers, got {nun.shape}")
        N, rN = normalization_parts(m0, Pn, pn, nun)
        max_res = max(max_res, float(np.max(np.abs(rN))))
        if np.max(np.abs(rN)) > eq_tol:
            return fail(f"node {i}: normalization residual {np.max(np.abs(rN)):.3g} > {eq_tol}")
        Ne = N - 0.5 * (Xr.T * np.maximum(-rN, 0.0)) @ Xr
        ne = float(np.linalg.eigvalsh(Ne)[0]) / _scale(Ne)
        min_ne = min(min_ne, ne)
        if not ne > eig_margin:
            return fail(f"node {i}: normalization LMI min eigenvalue {ne:.3g} (scaled) not > {eig_margin}")
    cs = [rules.transient(mu, L, np.asarray(P, dtype=np.float64), np.asarray(p, dtype=np.float64))
          for P, p in zip(Ps, ps)]
    start = int(np.argmin(cs))
    c = float(cs[start])
    if not (np.isfinite(c) and c >= 1.0):
        return fail(f"transient constant {c!r} is not a finite number >= 1")
    return Verification(True, "", worst_dec, min_ne, max_res, c), start


def certify_pattern_dependent(
    mu: float, L: float, alpha: float, patterns: Pattern | Iterable[Pattern], *, tol: float = 1e-4,
    rho_lower: float = 0.0, rho_max: float = 1.0 - 1e-9, T: int | None = None, order: int = 1,
    solver: str = "CLARABEL", margin: float = 1e-7, eig_margin: float = 1e-9, rules: ProofRules = CLASS_RULES,
) -> PatternDependentCertificate:
    r"""Smallest verified :math:`\rho` (bisection on ``[rho_lower, rho_max]`` to ``tol``) of a pattern-dependent certificate.

    ``rho_max`` may be a rate already certified by a common certificate (the search then only
    looks below it); ``rho_lower`` a verified lower bound; ``order``: the De Bruijn graph's
    memory (1: one Lyapunov function per pattern; k: one per word of the last k patterns,
    :math:`|\Pi|^k` functions and :math:`|\Pi|^{k+1}` LMIs).  Never raises for a solver outcome.
    """
    if int(order) < 1:
        raise ValueError(f"order must be >= 1, got {order!r}")
    pats = _as_patterns(patterns)
    Tw = checked_setting(mu, L, alpha, tol, rho_lower, rho_max, pats, T, lo_name="rho_lower")
    t0 = time.perf_counter()
    sdp = PatternDependentSDP(mu, L, alpha, pats, Tw, order=int(order), margin=margin, rules=rules)
    best, n_solves, n_rej, last = None, 0, 0, ""

    def attempt(rho: float) -> bool:
        nonlocal best, n_solves, n_rej, last
        n_solves += 1
        status, Ps, ps, lams, nus = sdp.solve(rho, solver)
        if Ps is None:
            last = f"solver status {status!r} at rho={rho:.10g}"
            return False
        Po, po, no = [], [], []
        for P, p, nu in zip(Ps, ps, nus):
            P1, p1, _, nu1 = to_original_units(L, 0.5 * (P + P.T), np.maximum(p, 0.0), (), np.maximum(nu, 0.0))
            Po.append(0.5 * (P1 + P1.T))
            po.append(p1)
            no.append(nu1)
        lo_ = {e: np.maximum(l, 0.0) / L for e, l in lams.items()}
        ver, start = verify_pattern_dependent(mu, L, alpha, pats, Tw, rho, Po, po, lo_, no, order=int(order),
                                              eig_margin=eig_margin, rules=rules)
        if not ver.ok:
            n_rej += 1
            last = f"verification failed at rho={rho:.10g}: {ver.reason}"
            return False
        if best is None or rho < best[0]:
            best = (rho, Po, po, lo_, no, ver, start)
        return True

    lo, hi = float(rho_lower), float(rho_max)
    base = dict(mu=float(mu), L=float(L), alpha=float(alpha), patterns=pats, T=Tw, use_function_values=True,
                pairwise_only=False, solver=solver)
    if not attempt(hi):
        return PatternDependentCertificate(status=Status.NOT_CERTIFIED, reason=last, n_bisection=n_solves,
                                           n_rejected=n_rej, solve_time=time.perf_counter() - t0, **base)
    lo, hi = bisect_rate(attempt, lo, hi, tol)
    rho, Po, po, lams, no, ver, start = best
    return PatternDependentCertificate(
        status=Status.CERTIFIED, reason="", rho=float(rho), transient=ver.transient, P=Po[start], p=po[start],
        multipliers=tuple(lams[e] for e in sorted(lams)), normalization_multipliers=no[start], verification=ver,
        solve_time=time.perf_counter() - t0, n_bisection=n_solves, n_rejected=n_rej,
        notes=(f"pattern-dependent (order {int(order)}), start node {start}",), node_P=tuple(Po), node_p=tuple(po), node_nu=tuple(no),
        edge_multipliers=lams, **base)
