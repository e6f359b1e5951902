r"""The Lyapunov SDP of docs/math/certificates.md as a DPP cvxpy problem, compiled once per setting.

For a window length :math:`T`, a set of patterns and a fixed :math:`\rho^2` (a cvxpy
``Parameter``), find :math:`P = P^\top`, :math:`p \ge 0`, per-pattern multipliers
:math:`\lambda^{(\pi)} \ge 0` and normalization multipliers :math:`\nu \ge 0` with

.. math::

    Q_\pi(\rho^2) \preceq -\delta I,\quad r_\pi(\rho^2) = 0 \quad(\text{every pattern } \pi),
    \qquad N \succeq \delta I,\quad r_N = 0,

(notation of :mod:`memgd.proofs_check.certificates.lyapunov_model`).  ``use_function_values=False`` fixes
:math:`p = 0` (the interpolation inequalities still enter, their function values
cancelling through the equalities, e.g. around cycles :math:`I_{ij} + I_{jk} + I_{ki}`);
``pairwise_only=True`` further allows only the f-free pair sums :math:`I_{ij} + I_{ji}`
(co-coercivity), the classical certificate "without function values".  :math:`\delta > 0` is a strict
margin so that the float64 verifier can prove the signs despite solver tolerances.
The problem is built on the *normalized* class: :math:`f \mapsto f/L` maps
:math:`\mathcal F_{\mu,L}` with step :math:`\alpha` to :math:`\mathcal F_{\mu/L,1}` with
step :math:`\alpha L`, and gradients are measured as :math:`g/L`; this keeps the matrix
entries of order one whatever :math:`\kappa`.  :func:`to_original_units` maps the
solution back.

Feasibility is monotone in :math:`\rho` (a certificate at :math:`\rho` gives one at
:math:`\rho' > \rho` with :math:`\lambda' = \lambda + (\rho'^2 - \rho^2)\nu`), which
justifies bisection.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import StepModel
from memgd.proofs_check.certificates.rules import CLASS_RULES, ProofRules
from memgd.theory.pattern import Pattern

_ACCEPTED = (cp.OPTIMAL,)  # never OPTIMAL_INACCURATE
_INFEASIBLE = (cp.INFEASIBLE,)


@dataclass(frozen=True)
class RawSolution:
    """Solver output at one rho, in normalized units (not yet verified)."""

    status: str            # cvxpy status string, or "error: ..." if the solver raised
    solve_time: float      # wall seconds of this solve
    P: np.ndarray | None   # (2T+1, 2T+1)
    p: np.ndarray | None   # (T+1,)
    lam: tuple[np.ndarray, ...] | None  # one (n_pairs,) array per pattern
    nu: np.ndarray | None  # (n_norm_pairs,)


class LyapunovSDP:
    """The DPP problem for one (mu, L, alpha, patterns, T) setting; call :meth:`solve` per rho."""

    def __init__(
        self,
        mu: float,
        L: float,
        alpha: float,
        patterns: tuple[Pattern, ...],
        T: int,
        *,
        use_function_values: bool = True,
        margin: float = 1e-7,
        objective: str = "transient",
        pairwise_only: bool = False,
        rules: ProofRules = CLASS_RULES,
    ) -> None:
        if objective not in ("transient", "feasibility"):
            raise ValueError(f"objective must be 'transient' or 'feasibility', got {objective!r}")
        self.mu_n, self.alpha_n = mu / L, alpha * L
        self.T = T
        self.models: tuple[StepModel, ...] = tuple(
            rules.model(self.mu_n, 1.0, self.alpha_n, pat, T) for pat in patterns
        )
        m0 = self.models[0]
        n, ns = m0.n, 2 * T + 1
        self.rho2 = cp.Parameter(nonneg=True, name="rho2")
        self.P = cp.Variable((ns, ns), symmetric=True, name="P")
        self.p = cp.Variable(T + 1, nonneg=True, name="p")
        self.nu = cp.Variable(len(m0.norm_pairs), nonneg=True, name="nu")
        self.lam = [cp.Variable(len(m0.pairs), nonneg=True, name=f"lam{i}") for i in range(len(self.models))]
        cons = []
        if not use_function_values:
            cons.append(self.p == 0)
        if pairwise_only:
            # only the f-free sums I_ij + I_ji (co-coercivity): lambda_ij = lambda_ji
            for var, prs in [(l, m0.pairs) for l in self.lam] + [(self.nu, m0.norm_pairs)]:
                pos = {pr: i for i, pr in enumerate(prs)}
                i_idx = [pos[(a, b)] for (a, b) in prs if pos[(a, b)] < pos[(b, a)]]
                j_idx = [pos[(b, a)] for (a, b) in prs if pos[(a, b)] < pos[(b, a)]]
                cons.append(var[i_idx] == var[j_idx])
        for model, lam in zip(self.models, self.lam):
            Mflat = model.M.reshape(len(model.pairs), n * n)
            LM = cp.reshape(Mflat.T @ lam, (n, n), order="C")
            Q = model.S1.T @ self.P @ model.S1 - self.rho2 * (model.S0.T @ self.P @ model.S0) + LM
            cons.append(-0.5 * (Q + Q.T) - margin * np.eye(n) >> 0)
            cons.append(model.E1 @ self.p - self.rho2 * (model.E0 @ self.p) + model.a.T @ lam == 0)
        keep = [i for i in range(n) if i != n - 1]
        S0r = m0.S0[:, keep]
        nN = n - 1
        NM = cp.reshape(m0.norm_M.reshape(len(m0.norm_pairs), nN * nN).T @ self.nu, (nN, nN), order="C")
        N = S0r.T @ self.P @ S0r - np.outer(m0.ek, m0.ek) - NM
        cons.append(0.5 * (N + N.T) - margin * np.eye(nN) >> 0)
        cons.append(m0.E0 @ self.p - m0.norm_a.T @ self.nu == 0)
        if objective == "transient":
            # proxy for the transient constant: V_0 on the two extreme quadratics h = mu, L
            # (normalized units: h in {mu/L, 1}; f_0 = h |x_0|^2 / 2)
            A = np.zeros((ns, 2))
            A[: T + 1, 0] = 1.0
            A[T + 1 :, 1] = 1.0
            t = cp.Variable(name="t")
            for h in (self.mu_n, 1.0):
                z = A @ np.array([1.0, h])
                cons.append(t >= z @ self.P @ z + 0.5 * h * cp.sum(self.p))
            obj = cp.Minimize(t)
        else:
            obj = cp.Minimize(0)
        self.problem = cp.Problem(obj, cons)
        if not self.problem.is_dpp():  # pragma: no cover - a construction bug, not an outcome
            raise RuntimeError("Lyapunov SDP is not DPP")

    def solve(self, rho: float, solver: str = "CLARABEL", **solver_opts) -> RawSolution:
        """Solve at ``rho``; never raises for solver trouble (reported in ``status``)."""
        self.rho2.value = float(rho) ** 2
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                # an inaccurate solve is reported through the status, which we refuse anyway
                warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
                self.problem.solve(solver=solver, **solver_opts)
            status = str(self.problem.status)
        except cp.error.SolverError as exc:
            status = f"error: {exc}"
        dt = time.perf_counter() - t0
        if status not in _ACCEPTED or self.P.value is None:
            return RawSolution(status, dt, None, None, None, None)
        return RawSolution(
            status,
            dt,
            np.array(self.P.value, dtype=np.float64),
            np.array(self.p.value, dtype=np.float64),
            tuple(np.array(l.value, dtype=np.float64) for l in self.lam),
            np.array(self.nu.value, dtype=np.float64),
        )

    @staticmethod
    def is_infeasible(status: str) -> bool:
        return status in _INFEASIBLE


def to_original_units(
    L: float, P: np.ndarray, p: np.ndarray, lam: tuple[np.ndarray, ...], nu: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...], np.ndarray]:
    r"""Map a normalized solution to the state :math:`(x, g)` and values :math:`f` of the class.

    With :math:`\hat\xi = D\xi`, :math:`D = \mathrm{diag}(1_{x}, 1/L_{g})`, :math:`\hat f = f/L`,
    :math:`\hat I = I/L`: :math:`P = D\hat P D`, :math:`p = \hat p/L`, :math:`\lambda = \hat\lambda/L`,
    :math:`\nu = \hat\nu/L`.  The value of :math:`V` is unchanged.
    """
    ns = P.shape[0]
    T = (ns - 1) // 2
    d = np.concatenate([np.ones(T + 1), np.full(T, 1.0 / L)])
    return P * np.outer(d, d), p / L, tuple(l / L for l in lam), nu / L


def to_normalized_units(
    L: float, P: np.ndarray, p: np.ndarray, lam: tuple[np.ndarray, ...], nu: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...], np.ndarray]:
    """Inverse of :func:`to_original_units`."""
    ns = P.shape[0]
    T = (ns - 1) // 2
    d = np.concatenate([np.ones(T + 1), np.full(T, float(L))])
    return P * np.outer(d, d), p * L, tuple(l * L for l in lam), nu * L
