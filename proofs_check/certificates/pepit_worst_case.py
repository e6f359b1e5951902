r"""Tight N-step worst case of one fixed pattern over the whole class, with PEPit.

Mathematics
-----------
For a pattern (ages :math:`\tau_j`, weights :math:`w_j`) and :math:`N` steps,

.. math::

    \omega_N = \sup\Big\{ \frac{\|x_N - x_\star\|^2}{\|x_0 - x_\star\|^2} :
      f \in \mathcal F_{\mu,L},\; x_{k+1} = x_k - \alpha \sum_j w_j \nabla f(x_{\max(k-\tau_j, 0)}) \Big\},

history :math:`x_{-i} = x_0` (so :math:`g_{-i} = g_0`).  A sequence of patterns
:math:`(\pi_0, \dots, \pi_{m-1})` is a periodic switching word: step :math:`k` uses
:math:`\pi_{k \bmod m}` (a time-varying pattern, for the worst switching of a set).  PEPit (Taylor, Hendrickx,
Glineur; Goujaud et al.) writes it as an SDP over the Gram matrix; its value is tight.
The per-step rate is :math:`\omega_N^{1/(2N)}`.  A verified certificate
(:func:`memgd.proofs_check.certificates.certify.certify`) must satisfy
:math:`\omega_N \le c\,\rho^{2N}` for every :math:`N`.

In code terms: :func:`pepit_worst_case` builds the PEP, solves it through cvxpy
(Clarabel by default), and returns both the primal value (a feasible worst-case
example: a lower bound) and PEPit's reconstructed dual value (an upper bound).  It
checks what PEPit does not: the dual must not lie below the primal, and the gap must
be small; otherwise the status is ``SOLVER_FAILED``.  PEPit keeps class-level counters,
so build one PEP at a time (this function is not thread-safe).
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from memgd.solvers.status import Status
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class PEPitResult:
    """Outcome of :func:`pepit_worst_case` (``status`` CONVERGED when the checks pass)."""

    status: Status
    reason: str            # failed attempts, "" if the first one passed
    n_steps: int
    primal: float          # worst-case example value (lower bound on omega_N)
    dual: float            # PEPit's dual value (upper bound on omega_N)
    rate: float            # dual ** (1 / (2 N)), per-step rate of the bound
    solver_status: str
    solver: str
    solve_time: float      # wall seconds, build + solve (all attempts)
    settings: dict         # solver options of the attempt reported


def _solve_once(mu, L, alpha, pattern, N, solver, opts):
    """Build a fresh PEP (PEPit's counters are class-level) and solve it; returns (dual, primal, status, name)."""
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    problem = PEP()
    func = problem.declare_function(SmoothStronglyConvexFunction, mu=float(mu), L=float(L))
    xs = func.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    xs_hist = [x0]
    gs_hist = [func.gradient(x0)]
    schedule = (pattern,) if isinstance(pattern, Pattern) else tuple(pattern)
    for k in range(N):
        d = None
        step = schedule[k % len(schedule)]
        for tau, w in zip(step.ages, step.weights):
            term = w * gs_hist[max(k - tau, 0)]  # g_{-i} = g_0: history x_{-i} = x_0
            d = term if d is None else d + term
        x_new = xs_hist[k] - alpha * d
        xs_hist.append(x_new)
        if k + 1 < N:
            gs_hist.append(func.gradient(x_new))
    problem.set_performance_metric((xs_hist[N] - xs) ** 2)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # an inaccurate solve is reported through the status, which the caller checks
        warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
        dual = problem.solve(wrapper="cvxpy", solver=solver, verbose=0, return_primal_or_dual="dual", **opts)
    prob = problem.wrapper.prob
    return dual, prob.value, str(prob.status), str(problem.wrapper.solver_name)


def pepit_worst_case(
    mu: float,
    L: float,
    alpha: float,
    pattern: Pattern | Sequence[Pattern],
    n_steps: int,
    *,
    solver: str = "CLARABEL",
    gap_tol: float = 1e-5,
    below_tol: float = 1e-7,
    retry_settings: tuple[dict, ...] = ({"equilibrate_enable": False},),
    **solver_opts,
) -> PEPitResult:
    """Worst case of ||x_N - x*||^2 / ||x_0 - x*||^2 for ``pattern`` over mu-strongly convex L-smooth f.

    ``pattern`` is one pattern, or a non-empty sequence of patterns used cyclically (step k
    uses ``pattern[k % len(pattern)]``).

    If an attempt fails the checks (status not ``optimal``, dual below primal by more
    than ``below_tol`` relative — solver precision, Clarabel's default gap tolerance is
    1e-8 —, gap above ``gap_tol`` relative), the solve is repeated with each dict of ``retry_settings``
    merged into ``solver_opts`` (default: Clarabel without equilibration, which helps
    the badly scaled long horizons); ``settings`` in the result says which one answered,
    and ``reason`` lists the failed attempts.  Pass ``retry_settings=()`` for one attempt.
    """
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    if not isinstance(pattern, Pattern) and (len(pattern) == 0 or not all(isinstance(p, Pattern) for p in pattern)):
        raise ValueError("pattern must be a Pattern or a non-empty sequence of Patterns")
    if int(n_steps) < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps!r}")
    N = int(n_steps)
    t0 = time.perf_counter()
    failures: list[str] = []
    last = (np.nan, np.nan, "", "", {})
    attempts = [dict(solver_opts)] + ([{**solver_opts, **r} for r in retry_settings] if solver == "CLARABEL" else [])
    for opts in attempts:
        try:
            dual, primal, sstat, sname = _solve_once(mu, L, alpha, pattern, N, solver, opts)
        except Exception as exc:  # the solver or PEPit's own checks raised: an outcome, not an error
            failures.append(f"{opts}: {type(exc).__name__}: {exc}")
            continue
        primal = np.nan if primal is None else float(primal)
        dual = np.nan if dual is None else float(dual)
        last = (primal, dual, sstat, sname, opts)
        scale = max(abs(primal), 1e-300) if np.isfinite(primal) else np.nan
        if sstat != "optimal" or not (np.isfinite(primal) and np.isfinite(dual)):
            failures.append(f"{opts}: solver status {sstat!r}")
        elif dual < primal - below_tol * scale:
            failures.append(f"{opts}: dual {dual:.10g} below primal {primal:.10g}, not a bound")
        elif dual - primal > gap_tol * scale:
            failures.append(f"{opts}: relative duality gap {(dual - primal) / scale:.3g} above {gap_tol}")
        else:
            return PEPitResult(Status.CONVERGED, "; ".join(failures), N, primal, dual,
                               dual ** (1.0 / (2 * N)) if dual > 0 else np.nan, sstat, sname,
                               time.perf_counter() - t0, opts)
    primal, dual, sstat, sname, opts = last
    return PEPitResult(Status.SOLVER_FAILED, "; ".join(failures), N, primal, dual,
                       dual ** (1.0 / (2 * N)) if np.isfinite(dual) and dual > 0 else np.nan, sstat, sname,
                       time.perf_counter() - t0, opts)
