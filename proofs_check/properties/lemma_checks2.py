r"""Each step of Theorem 2's proof (docs/math/theorem2.md), evaluated on a traced run.

With the run's realized constants (s_lo, B, W, T), :math:`F_l = f(x_l) - f^\star`,
:math:`y_{k,j} = x_{k-a_{k,j}}` (history :math:`x_{-i} = x_0`), a fixed
:math:`\theta \in (0, 1]` and :math:`c_\theta = L + \mu(1/\theta - 1)`, at every step k:

- **T2.1** :math:`\langle g(y), x_k - x^\star\rangle \ge F_k + \frac\mu2\|y-x^\star\|^2 - \frac L2\|x_k-y\|^2`
  for every used gradient (current one included);
- **T2.2** :math:`\|y-x^\star\|^2 \ge (1-\theta) r_k^2 - (1/\theta-1)\|x_k-y\|^2`;
- **T2.3** :math:`\|d_k\|^2 \le s_k\sum_j w_{k,j}\|g(y_{k,j})\|^2` and :math:`\|g_k\|^2 \le 2LF_k`;
- **T2.4** :math:`r_{k+1}^2 \le (1-\alpha\mu(s_k-\theta b_k)) r_k^2 - 2\alpha s_kF_k
  + \alpha c_\theta\sum_{a\ge1} w\|x_k-y\|^2 + \alpha^2\|d_k\|^2`;
- **T2.5** :math:`\|x_k - x_{k-a}\|^2 \le a\sum_{i=k-a}^{k-1}\|x_{i+1}-x_i\|^2`;
- **T2.6** the memory terms of T2.4 are at most :math:`\sum_l E_{k,l}F_l`
  (:math:`=2\alpha^2LW Q_k + 2\alpha^3c_\theta LWBT\sum_{i=k-T}^{k-1}Q_i`,
  :math:`Q_i = \sum_j w_{i,j}F(y_{i,j})`), and per gradient index l the reuse
  :math:`\sum_k w_{k\to l} \le R = W + TB` and total charge :math:`\sum_k E_{k,l} \le E`;
- **T2.7** (the conclusion) :math:`r_k^2 \le \rho_\theta^k(r_0^2 + 2T\alpha s_{lo}\varphi F_0)` wherever the
  hypotheses hold (:math:`s_{lo} > 0`, :math:`2\alpha\mu s_{lo} < 1`, :math:`\varphi \le 1`, weights >= 0).

Every lemma except T2.1-T2.3's smoothness facts assumes nonnegative weights; a
problem whose run used a negative weight is skipped (``checked`` counts only where
the hypotheses held).  Slacks are relative, as in
:mod:`memgd.proofs_check.properties.lemma_checks`; a slack below ``-RESOLUTION`` fails.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.properties.lemma_checks import RESOLUTION, LemmaCheck, _min_slack
from memgd.solvers import RunResult
from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B as B_, L as L_, T as T_, W as W_, alpha as alpha_, mu as mu_, s_lo as s_lo_
from memgd.theory.theorem2 import E_TOTAL, PHI, RHO_SQ, TRANSIENT_F, theta as theta_

LEMMAS_2 = ("T2.1", "T2.2", "T2.3a", "T2.3b", "T2.4", "T2.5", "T2.6a", "T2.6b", "T2.6c", "T2.7")
_ARGS = (mu_, L_, alpha_, s_lo_, B_, W_, T_, theta_)

__all__ = ["LEMMAS_2", "RESOLUTION", "check_lemmas_2"]


def _rel(lhs, rhs, scale):
    """(rhs - lhs) relative to the size of what is compared (inf - inf and inf/inf where a side is
    infinite are masked by the callers; their warnings are silenced here)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return (rhs - lhs) / np.maximum(np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), scale), 1e-300)


def check_lemmas_2(result: RunResult, problems, *, theta: float = 0.5) -> dict[str, LemmaCheck]:
    """Smallest relative slack of every step of Theorem 2's proof over a traced full-gradient run."""
    if not 0.0 < theta <= 1.0:
        raise ValueError(f"theta must be in (0, 1], got {theta!r}")
    tr = result.trace
    if tr is None:
        raise ValueError("result must come from run(..., trace=True)")
    X, G, D, a, b, ages = tr.iterates, tr.gradients, tr.directions, tr.a, tr.b, tr.slot_ages
    K, n, S = b.shape
    mu, L, alpha = problems.mu[None, :], problems.L[None, :], result.alpha[None, :]
    c = result.constants
    steps = np.arange(K)[:, None]
    live = steps < result.nit[None, :]                                  # (K, n)
    used = live[..., None] & (ages >= 0) & (b != 0)
    bw = np.where(used, b, 0.0)
    aw = np.where(live, np.nan_to_num(a), 0.0)
    nonneg = np.all((aw >= 0) | ~live, axis=0) & np.all((bw >= 0) | ~used, axis=(0, 2))  # (n,)
    ok = live & nonneg[None, :]
    tau = np.where(used, ages, 0)
    src = steps[..., None] - tau                                        # may be < 0: history
    srcc = np.maximum(src, 0)
    col = np.arange(n)[None, :, None]
    Xs = np.nan_to_num(X)
    Xk, Gk = Xs[:K], np.nan_to_num(G)
    xs = problems.x_star[None]
    Fall = np.stack([problems.value(Xs[i]) - problems.f_star for i in range(K + 1)])  # (K+1, n)
    Fall = np.nan_to_num(Fall)
    r2 = np.sum((Xs - xs) ** 2, axis=2)                                 # (K+1, n)
    scale = np.maximum(r2[0], np.abs(Fall[0]) / L[0])[None, :] * 1.0
    s = aw + bw.sum(axis=2)
    bk = bw.sum(axis=2)
    Fk = Fall[:K]
    out: dict[str, LemmaCheck] = {}

    # T2.1 per slot (memory) and for the current gradient
    Y = Xk[srcc, col]                                                   # (K, n, S, d) x_{k-a}
    gY = Gk[srcc, col]
    dist2 = np.sum((Xk[:, :, None] - Y) ** 2, axis=3)                   # ||x_k - y||^2
    ys2 = np.sum((Y - xs[:, :, None]) ** 2, axis=3)                     # ||y - x*||^2
    inner = np.einsum("knsd,knd->kns", gY, Xk - xs)
    rhs1 = Fk[..., None] + mu[..., None] / 2 * ys2 - L[..., None] / 2 * dist2
    sl1 = _rel(rhs1, inner, scale[..., None] * L[..., None])
    inner0 = np.einsum("knd,knd->kn", Gk, Xk - xs)
    sl10 = _rel(Fk + mu / 2 * r2[:K], inner0, scale * L)
    m1 = _min_slack("T2.1", sl1, used & ok[..., None])
    m0 = _min_slack("T2.1", sl10, ok)
    out["T2.1"] = LemmaCheck("T2.1", m1.checked + m0.checked, *min(
        [(m.min_slack, m.where) for m in (m1, m0) if m.checked] or [(float("nan"), None)], key=lambda t: t[0]))

    # T2.2
    rhs2 = (1 - theta) * r2[:K, :, None] - (1 / theta - 1) * dist2
    out["T2.2"] = _min_slack("T2.2", _rel(rhs2, ys2, scale[..., None]), used & ok[..., None])

    # T2.3a Jensen, T2.3b smoothness
    dd = np.sum(np.nan_to_num(D) ** 2, axis=2)
    gnorm2 = np.sum(gY**2, axis=3)
    jensen = s * (aw * np.sum(Gk**2, axis=2) + np.sum(bw * gnorm2, axis=2))
    out["T2.3a"] = _min_slack("T2.3a", _rel(dd, jensen, scale * L**2), ok)
    out["T2.3b"] = _min_slack("T2.3b", _rel(np.sum(Gk**2, axis=2), 2 * L * Fk, scale * L**2), live)

    # T2.4 one step
    c_th = L + mu * (1 / theta - 1)
    mem = np.sum(bw * dist2, axis=2)
    rhs4 = (1 - alpha * mu * (s - theta * bk)) * r2[:K] - 2 * alpha * s * Fk + alpha * c_th * mem + alpha**2 * dd
    out["T2.4"] = _min_slack("T2.4", _rel(r2[1:], rhs4, scale), ok)

    # T2.5 window drift (steps before 0 are zero)
    step2 = np.sum((Xs[1:] - Xs[:-1]) ** 2, axis=2)                     # (K, n) ||x_{i+1} - x_i||^2
    csum = np.vstack([np.zeros((1, n)), np.cumsum(step2, axis=0)])      # csum[k] = sum_{i<k}
    window = csum[steps[..., None] + 0 * tau, col] - csum[srcc, col]
    out["T2.5"] = _min_slack("T2.5", _rel(dist2, tau * window, scale[..., None]), used & ok[..., None])

    # T2.6a per step charges, with the run's constants
    W, B, T = c.W[None, :], c.B[None, :], c.T[None, :]
    FY = Fall[srcc, col]                                                # F(y) per slot
    Q = aw * Fk + np.sum(bw * FY, axis=2)                              # (K, n)
    qsum = np.vstack([np.zeros((1, n)), np.cumsum(Q, axis=0)])
    lo = np.maximum(steps - T, 0).astype(int)
    past = qsum[steps + 0 * lo, np.arange(n)[None]] - qsum[lo, np.arange(n)[None]]
    rhs6 = 2 * alpha**2 * L * W * Q + 2 * alpha**3 * c_th * L * W * B * T * past
    out["T2.6a"] = _min_slack("T2.6a", _rel(alpha * c_th * mem + alpha**2 * dd, rhs6, scale), ok)

    # T2.6b reuse mass per gradient index l (history indices -T..-1 kept distinct), T2.6c total charge
    Tmax = int(max(c.T.max(), 0))
    idx = src + Tmax                                                    # shift to >= 0
    reuse = np.zeros((K + Tmax, n))
    cols = np.broadcast_to(np.arange(n)[None, :, None], idx.shape)
    np.add.at(reuse, (idx[used], cols[used]), bw[used])
    cur = np.broadcast_to(np.arange(K)[:, None] + Tmax, (K, n))
    np.add.at(reuse, (cur[live], np.broadcast_to(np.arange(n), (K, n))[live]), aw[live])
    R = c.W + c.T * c.B
    out["T2.6b"] = _min_slack("T2.6b", _rel(reuse, np.broadcast_to(R, reuse.shape), 1e-300 + 0 * reuse),
                              np.broadcast_to(nonneg, reuse.shape) & (reuse > 0))
    # charge on l: direct 2 a^2 L W * (weight at k on l) + drift 2 a^3 c L W B T * (weight at i on l) * #k in (i, i+T]
    ahead = np.minimum(c.T[None, :], (K - 1) - steps)                  # number of k in [i+1, i+T], k <= K-1
    drift = np.zeros((K + Tmax, n))
    wk = bw * ahead[..., None]
    np.add.at(drift, (idx[used], cols[used]), wk[used])
    np.add.at(drift, (cur[live], np.broadcast_to(np.arange(n), (K, n))[live]), (aw * ahead)[live])
    a1 = result.alpha
    total = (2 * a1**2 * problems.L * c.W * reuse
             + 2 * a1**3 * (problems.L + problems.mu * (1 / theta - 1)) * problems.L * c.W * c.B * c.T * drift)
    e_tot = numpy_function(E_TOTAL, _ARGS)(mu=problems.mu, L=problems.L, alpha=a1, s_lo=c.s_lo, B=c.B, W=c.W,
                                           T=c.T, theta=theta)
    out["T2.6c"] = _min_slack("T2.6c", _rel(total, np.broadcast_to(e_tot, total.shape), 1e-300 + 0 * total),
                              np.broadcast_to(nonneg, total.shape) & (total > 0))

    # T2.7 the conclusion, where the hypotheses hold
    kw = dict(mu=problems.mu, L=problems.L, alpha=a1, s_lo=c.s_lo, B=c.B, W=c.W, T=c.T, theta=theta)
    phi = numpy_function(PHI, _ARGS)(**kw)
    rho = numpy_function(RHO_SQ, _ARGS)(**kw)
    extra = numpy_function(TRANSIENT_F, _ARGS)(**kw)
    hyp = nonneg & (c.s_lo > 0) & (2 * a1 * problems.mu * c.s_lo < 1) & (phi <= 1)
    kk = np.arange(K + 1)[:, None]
    with np.errstate(all="ignore"):
        env = np.where(hyp, np.where(hyp, rho, 0.5) ** kk, np.inf) * (r2[0] + extra * Fall[0])[None]
    alive = np.arange(K + 1)[:, None] <= result.nit[None, :]
    out["T2.7"] = _min_slack("T2.7", _rel(r2, env, np.broadcast_to(r2[0], r2.shape)),
                             alive & hyp[None, :] & np.isfinite(env))
    return out
