r"""Each step of Theorem 2's proof (docs/math/theorem2.md), evaluated on a traced run.

With the run's realized constants (s_lo, B, W, T), :math:`F_k = f(x_k) - f^\star`,
:math:`y_{k,j} = x_{k-a_{k,j}}` (history :math:`x_{-i} = x_0`, :math:`g_{-i} = g_0`),
:math:`G_k = \sum_j w_{k,j}\|g(y_{k,j})\|^2`, fixed :math:`\lambda, \theta \in (0, 1]` and
:math:`c = L + (1-\lambda)\mu(1/\theta - 1)`, at every step k:

- **T2.1** :math:`\langle g(y), x_k - x^\star\rangle \ge F_k + \frac{\lambda}{2L}\|g(y)\|^2
  + (1-\lambda)\frac\mu2\|y-x^\star\|^2 - \frac L2\|x_k-y\|^2` for every used gradient (current one included);
- **T2.2** :math:`\|y-x^\star\|^2 \ge (1-\theta) r_k^2 - (1/\theta-1)\|x_k-y\|^2`;
- **T2.3** :math:`\|d_k\|^2 \le s_k G_k`;
- **T2.4** :math:`r_{k+1}^2 \le (1-\alpha\mu(s_k + (1-\lambda)(s_k-\theta b_k))) r_k^2
  - (\alpha\lambda/L - \alpha^2 s_k) G_k + \alpha c\sum_{a\ge1} w\|x_k-y\|^2`;
- **T2.5** :math:`\|x_k - x_{k-a}\|^2 \le a\sum_{i=k-a}^{k-1}\|x_{i+1}-x_i\|^2`;
- **T2.6** :math:`\alpha c\sum_{a\ge1} w\|x_k-y\|^2 \le \alpha^3 c B T\sum_{i=\max(0,k-T)}^{k-1} s_i G_i`;
- **T2.7** (the conclusion) :math:`r_k^2 \le \rho_2^{2k} r_0^2` wherever the hypotheses hold
  (:math:`s_{lo} > 0`, :math:`2\alpha\mu s_{lo} < 1`, :math:`\psi \le 1`, weights >= 0).

Every step assumes nonnegative weights: a problem whose run used a negative weight
is skipped (``checked`` counts only where the hypotheses held).  Slacks are
relative, as in :mod:`memgd.proofs_check.properties.lemma_checks`; a slack below
``-RESOLUTION`` fails.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.properties.lemma_checks import RESOLUTION, LemmaCheck, _min_slack, traced_steps
from memgd.solvers import RunResult
from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B as B_, L as L_, T as T_, W as W_, alpha as alpha_, mu as mu_, s_lo as s_lo_
from memgd.theory.theorem2 import PSI, RHO_SQ, lam as lam_, theta as theta_

LEMMAS_2 = ("T2.1", "T2.2", "T2.3", "T2.4", "T2.5", "T2.6", "T2.7")
_ARGS = (mu_, L_, alpha_, s_lo_, B_, W_, T_, lam_, theta_)

__all__ = ["LEMMAS_2", "RESOLUTION", "check_lemmas_2"]


def _rel(lhs, rhs, scale):
    """(rhs - lhs) relative to the size of what is compared (inf - inf and inf/inf where a side is
    infinite are masked by the callers; their warnings are silenced here)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return (rhs - lhs) / np.maximum(np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), scale), 1e-300)


def _merge(name: str, *checks: LemmaCheck) -> LemmaCheck:
    done = [c for c in checks if c.checked]
    if not done:
        return LemmaCheck(name, 0, float("nan"), None)
    worst = min(done, key=lambda c: c.min_slack)
    return LemmaCheck(name, sum(c.checked for c in done), worst.min_slack, worst.where)


def check_lemmas_2(result: RunResult, problems, *, lam: float = 0.5, theta: float = 0.5) -> dict[str, LemmaCheck]:
    """Smallest relative slack of every step of Theorem 2's proof over a traced full-gradient run."""
    if not 0.0 < lam <= 1.0:
        raise ValueError(f"lam must be in (0, 1], got {lam!r}")
    if not 0.0 < theta <= 1.0:
        raise ValueError(f"theta must be in (0, 1], got {theta!r}")
    ts = traced_steps(result, problems)
    X, G, D, a, b, ages = ts.X, ts.G, ts.D, ts.a, ts.b, ts.ages
    K, n, S = b.shape
    mu, L, alpha = ts.mu, ts.L, ts.alpha
    c = result.constants
    steps, live, used = ts.steps, ts.live, ts.used
    bw = np.where(used, b, 0.0)
    aw = np.where(live, np.nan_to_num(a), 0.0)
    nonneg = np.all((aw >= 0) | ~live, axis=0) & np.all((bw >= 0) | ~used, axis=(0, 2))  # (n,)
    ok = live & nonneg[None, :]
    okm = used & ok[..., None]
    tau = np.where(used, ages, 0)
    srcc, col = ts.src, ts.col                                          # x_{k-a}, history = step 0
    Xs = np.nan_to_num(X)
    Xk, Gk = Xs[:K], np.nan_to_num(G)
    xs = problems.x_star[None]
    F = np.nan_to_num(np.stack([problems.value(Xs[i]) - problems.f_star for i in range(K + 1)]))  # (K+1, n)
    r2 = np.sum((Xs - xs) ** 2, axis=2)                                 # (K+1, n)
    scale = r2[0][None, :]
    s = aw + bw.sum(axis=2)
    bk = bw.sum(axis=2)
    Fk = F[:K]
    out: dict[str, LemmaCheck] = {}

    # T2.1, memory gradients and the current one
    Y = Xk[srcc, col]                                                   # (K, n, S, d)
    gY = Gk[srcc, col]
    dist2 = np.sum((Xk[:, :, None] - Y) ** 2, axis=3)
    ys2 = np.sum((Y - xs[:, :, None]) ** 2, axis=3)
    gy2 = np.sum(gY**2, axis=3)
    g2 = np.sum(Gk**2, axis=2)
    inner = np.einsum("knsd,knd->kns", gY, Xk - xs)
    rhs1 = (Fk[..., None] + lam * gy2 / (2 * L[..., None]) + (1 - lam) * mu[..., None] / 2 * ys2
            - L[..., None] / 2 * dist2)
    inner0 = np.einsum("knd,knd->kn", Gk, Xk - xs)
    rhs10 = Fk + lam * g2 / (2 * L) + (1 - lam) * mu / 2 * r2[:K]
    out["T2.1"] = _merge("T2.1", _min_slack("T2.1", _rel(rhs1, inner, (scale * L)[..., None]), okm),
                         _min_slack("T2.1", _rel(rhs10, inner0, scale * L), ok))

    # T2.2
    rhs2 = (1 - theta) * r2[:K, :, None] - (1 / theta - 1) * dist2
    out["T2.2"] = _min_slack("T2.2", _rel(rhs2, ys2, scale[..., None]), okm)

    # T2.3 Jensen
    dd = np.sum(np.nan_to_num(D) ** 2, axis=2)
    Gsum = aw * g2 + np.sum(bw * gy2, axis=2)                           # G_k
    out["T2.3"] = _min_slack("T2.3", _rel(dd, s * Gsum, scale * L**2), ok)

    # T2.4 one step
    cc = L + (1 - lam) * mu * (1 / theta - 1)
    mem = np.sum(bw * dist2, axis=2)
    rhs4 = ((1 - alpha * mu * (s + (1 - lam) * (s - theta * bk))) * r2[:K]
            - (alpha * lam / L - alpha**2 * s) * Gsum + alpha * cc * mem)
    out["T2.4"] = _min_slack("T2.4", _rel(r2[1:], rhs4, scale), ok)

    # T2.5 window drift (steps before 0 are zero)
    step2 = np.sum((Xs[1:] - Xs[:-1]) ** 2, axis=2)                     # ||x_{i+1} - x_i||^2
    csum = np.vstack([np.zeros((1, n)), np.cumsum(step2, axis=0)])      # csum[k] = sum_{i<k}
    window = csum[np.broadcast_to(steps[..., None], srcc.shape), col] - csum[srcc, col]
    out["T2.5"] = _min_slack("T2.5", _rel(dist2, tau * window, scale[..., None]), okm)

    # T2.6 drift against past G_i, with the run's constants
    B, T = c.B[None, :], c.T[None, :]
    sG = np.vstack([np.zeros((1, n)), np.cumsum(s * Gsum, axis=0)])
    lo = np.maximum(steps - T, 0).astype(int)
    cols = np.arange(n)[None]
    past = sG[np.broadcast_to(steps, lo.shape), cols] - sG[lo, cols]
    out["T2.6"] = _min_slack("T2.6", _rel(alpha * cc * mem, alpha**3 * cc * B * T * past, scale), ok)

    # T2.7 the conclusion, where the hypotheses hold
    a1 = result.alpha
    kw = dict(mu=problems.mu, L=problems.L, alpha=a1, s_lo=c.s_lo, B=c.B, W=c.W, T=c.T, theta=theta)
    kw["lambda"] = lam
    psi = numpy_function(PSI, _ARGS)(**kw)
    rho = numpy_function(RHO_SQ, _ARGS)(**kw)
    hyp = nonneg & (c.s_lo > 0) & (2 * a1 * problems.mu * c.s_lo < 1) & (psi <= 1)
    kk = np.arange(K + 1)[:, None]
    with np.errstate(all="ignore"):
        env = np.where(hyp, np.where(hyp, rho, 0.5) ** kk, np.inf) * r2[0][None]
    alive = kk <= result.nit[None, :]
    out["T2.7"] = _min_slack("T2.7", _rel(r2, env, np.broadcast_to(r2[0], r2.shape)),
                             alive & (kk >= 1) & hyp[None, :] & np.isfinite(env))
    return out
