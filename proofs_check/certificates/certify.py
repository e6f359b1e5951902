r"""Verified linear-rate certificates for fixed-memory gradient descent over a pattern set.

Mathematics
-----------
For :math:`f` :math:`\mu`-strongly convex and :math:`L`-smooth and a finite set
:math:`\Pi` of patterns (ages, weights), consider *any* method that at each step uses
some :math:`\pi_k \in \Pi`: :math:`x_{k+1} = x_k - \alpha \sum_j w^{(\pi_k)}_j g_{k-\tau^{(\pi_k)}_j}`,
history :math:`x_{-i} = x_0`.  A certificate is a quadratic Lyapunov function
:math:`V_k = \xi_k^\top P \xi_k + p^\top (f_{k-T..k} - f_\star)`, shared by all patterns, with

.. math::

    \begin{aligned}
    &\|x_k - x_\star\|^2 \le V_k, \qquad V_{k+1} \le \rho^2 V_k, \qquad
    V_0 \le c\, \|x_0 - x_\star\|^2 \\
    &\qquad\Longrightarrow\;
    \|x_k - x_\star\|^2 \le c\, \rho^{2k} \|x_0 - x_\star\|^2 .
    \end{aligned}

It covers every selection rule whose per-step choice lies in :math:`\Pi` (docs/math/certificates.md).

In code terms: :func:`certify` bisects on :math:`\rho` over a DPP cvxpy problem
(:mod:`memgd.proofs_check.certificates.sdp`, compiled once), and accepts a :math:`\rho` only after the
float64 verifier (:mod:`memgd.proofs_check.certificates.verify`) has rebuilt and checked
every matrix.  The returned :math:`\rho` is the smallest *verified* one; a solver
failure or a failed verification at some :math:`\rho` counts as "not certified there".
Example (docs/math/certificates.md reference case)::

    >>> certify(1.0, 10.0, 0.05, [Pattern((0, 1), (1.0, 1.0))]).rho   # doctest: +SKIP
    0.8941...   # the exact quadratic rate is 0.89408
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from memgd.proofs_check.certificates.rules import CLASS_RULES, ProofRules
from memgd.proofs_check.certificates.sdp import LyapunovSDP, to_original_units
from memgd.proofs_check.certificates.search import bisect_rate, checked_setting
from memgd.proofs_check.certificates.verify import Verification, verify
from memgd.solvers.status import Status
from memgd.theory import exact_rate
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class Certificate:
    """Outcome of :func:`certify`.  Numbers are set only when ``status is Status.CERTIFIED``.

    ``P``, ``p``, ``multipliers`` are in the units of the class (state
    :math:`\\xi = (x_{k-T..k}, g_{k-T..k-1})` relative to :math:`x_\\star`).
    """

    status: Status
    reason: str                                  # "" when certified, else why not
    mu: float
    L: float
    alpha: float
    patterns: tuple[Pattern, ...]
    T: int                                       # window length of the Lyapunov state
    use_function_values: bool
    pairwise_only: bool
    rho: float | None = None                     # verified rate: ||x_k-x*|| <= sqrt(c) rho^k ||x_0-x*||
    transient: float | None = None               # c
    P: np.ndarray | None = None                  # (2T+1, 2T+1)
    p: np.ndarray | None = None                  # (T+1,) >= 0
    multipliers: tuple[np.ndarray, ...] | None = None  # per pattern, (n_pairs,) >= 0, order of lyapunov_model pairs
    normalization_multipliers: np.ndarray | None = None  # (n_norm_pairs,) >= 0
    verification: Verification | None = None
    rho_infeasible: float | None = None          # largest rho where the SDP was reported infeasible (not a rate)
    solver: str = ""
    solve_time: float = 0.0                      # wall seconds, build + all solves + verification
    n_bisection: int = 0                         # SDP solves in the search (and the transient polish)
    n_rejected: int = 0                          # solves reported feasible whose verification failed
    n_solver_failed: int = 0                     # solves with a failure / inaccurate status
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def certified(self) -> bool:
        return self.status is Status.CERTIFIED

    def bound(self, k: int | np.ndarray) -> float | np.ndarray:
        """Certified bound on ||x_k - x*||^2 / ||x_0 - x*||^2, i.e. c rho^(2k)."""
        if not self.certified:
            raise ValueError("no bound: the result is not certified")
        return self.transient * self.rho ** (2 * np.asarray(k))


def _as_patterns(patterns: Pattern | Iterable[Pattern]) -> tuple[Pattern, ...]:
    if isinstance(patterns, Pattern):
        return (patterns,)
    out = tuple(patterns)
    if not out or not all(isinstance(p, Pattern) for p in out):
        raise ValueError("patterns must be a Pattern or a non-empty iterable of Pattern")
    return out


def make_certifier(rules: ProofRules = CLASS_RULES) -> Callable[..., "Certificate"]:
    """A :func:`certify` whose SDP and verifier rest on ``rules`` (:mod:`memgd.proofs_check.certificates.rules`).

    ``certify`` itself is ``make_certifier(CLASS_RULES)``.  Other rules exist for one reason:
    tests build certifiers on a deliberately broken proof and show that the report's
    lower-bound checks (:mod:`memgd.proofs_check.report.sandwich`) catch them.
    """

    def certify(
        mu: float,
        L: float,
        alpha: float,
        patterns: Pattern | Iterable[Pattern],
        *,
        solver: str = "CLARABEL",
        use_function_values: bool = True,
        tol: float = 1e-4,
        T: int | None = None,
        rho_max: float = 1.0 - 1e-9,
        rho_min: float = 0.0,
        margin: float = 1e-7,
        eig_margin: float = 1e-9,
        objective: str = "transient",
        pairwise_only: bool = False,
        rho_lower: float | str | None = None,
        solver_opts: dict | None = None,
    ) -> Certificate:
        r"""Smallest verified :math:`\rho` (to ``tol``) of a Lyapunov certificate shared by ``patterns``.

        Args:
            mu, L: class constants, ``0 < mu < L``.
            alpha: step size, ``> 0``.
            patterns: one pattern or a set; the certificate holds for any switching among them.
            solver: cvxpy solver name (``"CLARABEL"``, ``"SCS"``).
            use_function_values: include :math:`p^\top (f - f_\star)` in :math:`V` (else ``p = 0``).
            tol: bisection stops when the verified and the refused :math:`\rho` differ by less.
            T: window length (default: the largest age in ``patterns``; larger is allowed).
            rho_max, rho_min: bisection bracket; ``rho_max < 1`` (a rate).
            rho_lower: a known lower bound on any certifiable rate; the search then gallops
                up from it, which costs one solve when the certificate is tight.
                ``"quadratic"`` uses the largest exact quadratic rate of the patterns
                (:func:`memgd.theory.exact_rate`, a lower bound on the worst case of each).
                A wrong (too high) value can only make the returned rate larger, never
                unverified; but with it the search never tries a rate below the bound, so
                checks of "no certificate below the quadratic rate" must use ``None``.
            margin: strict margin :math:`\delta` imposed in the SDP (normalized units).
            eig_margin: relative eigenvalue margin the verifier requires.
            objective: ``"transient"``: after the search, one more solve at the verified
                :math:`\rho` minimizing a proxy of :math:`c` (kept only if it verifies);
                ``"feasibility"``: skip it.
            pairwise_only: use only the f-free pair sums :math:`I_{ij} + I_{ji}` (forces
                :math:`p = 0`); reproduces the classical certificate without function values.

        Returns a :class:`Certificate`; never raises for a solver outcome.  Raises
        ``ValueError`` for bad parameters.
        """
        pats = _as_patterns(patterns)
        Tw = checked_setting(mu, L, alpha, tol, rho_min, rho_max, pats, T)
        opts = dict(solver_opts or {})
        base = dict(mu=float(mu), L=float(L), alpha=float(alpha), patterns=pats, T=Tw,
                    use_function_values=use_function_values, pairwise_only=pairwise_only, solver=solver)

        t0 = time.perf_counter()
        sdp_opts = dict(use_function_values=use_function_values, margin=margin, pairwise_only=pairwise_only)
        sdp = LyapunovSDP(mu, L, alpha, pats, Tw, objective="feasibility", rules=rules, **sdp_opts)
        best: tuple[float, tuple, Verification] | None = None
        last_reject = ""
        n_rej = n_fail = n_solves = 0
        infeasible_at: float | None = None

        def attempt(rho: float, problem: LyapunovSDP = sdp) -> bool:
            nonlocal best, last_reject, n_rej, n_fail, infeasible_at, n_solves
            n_solves += 1
            raw = problem.solve(rho, solver=solver, **opts)
            if raw.P is None:
                if LyapunovSDP.is_infeasible(raw.status):
                    infeasible_at = rho if infeasible_at is None else max(infeasible_at, rho)
                else:
                    n_fail += 1
                    last_reject = f"solver status {raw.status!r} at rho={rho:.10g}"
                return False
            P = 0.5 * (raw.P + raw.P.T)
            # p = 0 is structural without function values: make it exact (residuals are checked)
            p = np.maximum(raw.p, 0.0) if use_function_values and not pairwise_only else np.zeros_like(raw.p)
            lam = tuple(np.maximum(l, 0.0) for l in raw.lam)
            nu = np.maximum(raw.nu, 0.0)
            P, p, lam, nu = to_original_units(L, P, p, lam, nu)
            P = 0.5 * (P + P.T)
            ver = verify(mu, L, alpha, pats, Tw, rho, P, p, lam, nu, eig_margin=eig_margin, rules=rules)
            if not ver.ok:
                n_rej += 1
                last_reject = f"verification failed at rho={rho:.10g}: {ver.reason}"
                return False
            if best is None or rho < best[0] or (rho == best[0] and ver.transient < best[2].transient):
                best = (rho, (P, p, lam, nu), ver)
            return True

        def not_certified(reason_if_infeasible: str) -> Certificate:
            if infeasible_at is not None or not (n_fail or n_rej):
                status, reason = Status.NOT_CERTIFIED, reason_if_infeasible
            elif n_fail and not n_rej:
                status, reason = Status.SOLVER_FAILED, last_reject
            else:
                status, reason = Status.NOT_CERTIFIED, last_reject
            return Certificate(status=status, reason=reason, rho_infeasible=infeasible_at,
                               solve_time=time.perf_counter() - t0, n_bisection=n_solves,
                               n_rejected=n_rej, n_solver_failed=n_fail, **base)

        if isinstance(rho_lower, str):
            if rho_lower != "quadratic":
                raise ValueError(f"rho_lower must be a number, None or 'quadratic', got {rho_lower!r}")
            rho_lower = float(np.max(exact_rate(mu, L, alpha, list(pats))))
        lo, hi = max(rho_min, 0.0 if rho_lower is None else float(rho_lower)), rho_max
        if lo >= hi:
            return not_certified(f"rho_lower={lo:.10g} >= rho_max={hi:.10g}: no certified rate < rho_max")
        if lo > 0.0:
            # gallop up from the lower bound: one solve when the certificate is tight
            step = tol
            while True:
                r = min(lo + step, hi)
                if attempt(r):
                    hi = r
                    break
                if r >= hi:
                    return not_certified(f"no verified certificate at rho={hi:.10g}: no certified rate < 1")
                lo, step = r, 4.0 * step
        elif not attempt(hi):
            return not_certified(f"SDP infeasible at rho={hi:.10g}: no certified rate < 1")
        lo, hi = bisect_rate(attempt, lo, hi, tol)
        if objective == "transient":
            # one more solve at the verified rho, minimizing a proxy of the transient constant
            attempt(best[0], LyapunovSDP(mu, L, alpha, pats, Tw, objective="transient", rules=rules, **sdp_opts))
        assert best is not None
        rho, (P, p, lam, nu), ver = best
        notes = (last_reject,) if last_reject else ()
        return Certificate(
            status=Status.CERTIFIED, reason="", rho=float(rho), transient=ver.transient, P=P, p=p,
            multipliers=lam, normalization_multipliers=nu, verification=ver, rho_infeasible=infeasible_at,
            solve_time=time.perf_counter() - t0, n_bisection=n_solves, n_rejected=n_rej,
            n_solver_failed=n_fail, notes=notes, **base,
        )

    return certify


certify = make_certifier(CLASS_RULES)
