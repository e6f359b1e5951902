r"""A posteriori float64 verification of a Lyapunov rate certificate.

Given numbers only — :math:`\rho`, :math:`P`, :math:`p`, per-pattern multipliers
:math:`\lambda^{(\pi)}` and normalization multipliers :math:`\nu`, in the units of the
class :math:`\mathcal F_{\mu,L}` — rebuild every matrix of the proof and check signs
*with a margin*, so that the conclusion does not depend on what the solver claimed.

What is proved when :func:`verify` returns ``ok``: for every :math:`\mu`-strongly convex,
:math:`L`-smooth :math:`f`, every :math:`k` and any choice of pattern in the set at each step,

.. math::

    \|x_k - x_\star\|^2 \le V_k, \qquad V_{k+1} \le \rho^2 V_k .

Rigour of the check:

* multipliers and :math:`p` must be exactly :math:`\ge 0` (no tolerance);
* residuals :math:`r` of the function-value equalities are not ignored: since
  :math:`0 \le f_i - f_\star \le \tfrac L2 \|x_i - x_\star\|^2` on the class, a residual adds
  at most :math:`\sum_i \max(r_i, 0)\tfrac L2\|x_i\|^2` to the decrease form (and removes at
  most :math:`\sum_i \max(-r_i, 0)\tfrac L2\|x_i\|^2` from the normalization form); these
  terms are added to the matrices before the eigenvalue check, and residuals above
  ``eq_tol`` are refused outright as a sign of a broken solve;
* eigenvalues are computed in normalized units (a congruence, which keeps signs) and
  must clear ``eig_margin`` times the matrix norm, far above the float64 error of
  ``eigvalsh`` (about ``n * 2.2e-16 * norm``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import decrease_parts, normalization_parts
from memgd.proofs_check.certificates.rules import CLASS_RULES, ProofRules
from memgd.proofs_check.certificates.sdp import to_normalized_units
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify`; ``ok`` only if every check passed."""

    ok: bool
    reason: str                    # "" when ok, else the first failed check
    max_eig_decrease: float        # max over patterns of lambda_max(Q_eff) / scale (must be < -eig_margin)
    min_eig_normalization: float   # lambda_min(N_eff) / scale (must be > eig_margin)
    max_residual: float            # largest |equality residual| (normalized units)
    transient: float               # c with V_0 <= c ||x_0 - x*||^2, recomputed here


def _scale(M: np.ndarray) -> float:
    return max(1.0, float(np.linalg.norm(M, 2)))


def verify(
    mu: float,
    L: float,
    alpha: float,
    patterns: tuple[Pattern, ...],
    T: int,
    rho: float,
    P: np.ndarray,
    p: np.ndarray,
    lam: tuple[np.ndarray, ...],
    nu: np.ndarray,
    *,
    eig_margin: float = 1e-9,
    eq_tol: float = 1e-6,
    rules: ProofRules = CLASS_RULES,
) -> Verification:
    """Check a candidate certificate (original units) from its numbers alone; never raises on bad numbers.

    ``rules``: the step model and transient constant the proof rests on (default: the class's).
    """

    def fail(reason: str, de=np.nan, ne=np.nan, res=np.nan) -> Verification:
        return Verification(False, reason, de, ne, res, np.nan)

    P = np.asarray(P, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    nu = np.asarray(nu, dtype=np.float64)
    lam = tuple(np.asarray(l, dtype=np.float64) for l in lam)
    ns = 2 * T + 1
    if len(patterns) == 0 or len(lam) != len(patterns):
        return fail("need one multiplier vector per pattern")
    if P.shape != (ns, ns) or p.shape != (T + 1,):
        return fail(f"P must be {(ns, ns)} and p {(T + 1,)}, got {P.shape} and {p.shape}")
    if not (np.isfinite(rho) and 0.0 < rho < 1.0):
        return fail(f"rho must lie in (0, 1), got {rho!r}")
    arrays = (P, p, nu) + lam
    if not all(np.all(np.isfinite(a)) for a in arrays):
        return fail("non-finite entries")
    if not np.array_equal(P, P.T):
        return fail("P is not symmetric")
    if np.any(p < 0):
        return fail(f"p has a negative entry ({p.min():.3g})")
    if np.any(nu < 0):
        return fail(f"a normalization multiplier is negative ({nu.min():.3g})")
    for i, l in enumerate(lam):
        if np.any(l < 0):
            return fail(f"a multiplier of pattern {i} is negative ({l.min():.3g})")

    Pn, pn, lamn, nun = to_normalized_units(L, P, p, lam, nu)
    mu_n, alpha_n = mu / L, alpha * L
    max_res = 0.0
    worst_dec = -np.inf
    for i, (pat, l) in enumerate(zip(patterns, lamn)):
        model = rules.model(mu_n, 1.0, alpha_n, pat, T)
        if l.shape != (len(model.pairs),):
            return fail(f"pattern {i}: expected {len(model.pairs)} multipliers, got {l.shape}")
        Q, r = decrease_parts(model, rho, Pn, pn, l)
        max_res = max(max_res, float(np.max(np.abs(r))))
        if np.max(np.abs(r)) > eq_tol:
            return fail(f"pattern {i}: function-value residual {np.max(np.abs(r)):.3g} > {eq_tol}", res=max_res)
        # r'F <= sum max(r_i, 0) * (1/2) |x_i|^2 in normalized units (L = 1)
        Qe = Q + 0.5 * (model.X.T * np.maximum(r, 0.0)) @ model.X
        ev = float(np.linalg.eigvalsh(Qe)[-1]) / _scale(Qe)
        worst_dec = max(worst_dec, ev)
        if not ev < -eig_margin:
            return fail(f"pattern {i}: decrease LMI max eigenvalue {ev:.3g} (scaled) not < -{eig_margin}",
                        de=ev, res=max_res)

    model = rules.model(mu_n, 1.0, alpha_n, patterns[0], T)
    if nun.shape != (len(model.norm_pairs),):
        return fail(f"expected {len(model.norm_pairs)} normalization multipliers, got {nun.shape}")
    N, rN = normalization_parts(model, Pn, pn, nun)
    max_res = max(max_res, float(np.max(np.abs(rN))))
    if np.max(np.abs(rN)) > eq_tol:
        return fail(f"normalization residual {np.max(np.abs(rN)):.3g} > {eq_tol}", de=worst_dec, res=max_res)
    Xr = model.X[:, : model.n - 1]  # x at each point, sub-basis without g_{k+1} (x_{k+1} unused here)
    Ne = N - 0.5 * (Xr[: T + 2].T * np.maximum(-rN, 0.0)) @ Xr[: T + 2]
    ne = float(np.linalg.eigvalsh(Ne)[0]) / _scale(Ne)
    if not ne > eig_margin:
        return fail(f"normalization LMI min eigenvalue {ne:.3g} (scaled) not > {eig_margin}",
                    de=worst_dec, ne=ne, res=max_res)
    c = rules.transient(mu, L, P, p)
    if not (np.isfinite(c) and c >= 1.0):
        return fail(f"transient constant {c!r} is not a finite number >= 1", worst_dec, ne, max_res)
    return Verification(True, "", worst_dec, ne, max_res, c)
