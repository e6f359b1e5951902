r"""Theorem S's proof steps (:data:`memgd.theory.lemmas_s.LEMMAS_S`) on traced minibatch runs.

From a traced run (``run(..., trace=True, batch_size=b)``) of ``runs`` copies of one problem, with the
exact gradients :math:`g(x_k)` recomputed at every iterate, the noise :math:`\xi_k = \hat g_k - g(x_k)`,
the sources :math:`i = \max(k - \text{age}, 0)` of the used slots, the current weight :math:`c_k` (history
slots at step 0 hold the same sample) and the memory noise :math:`M_k = \sum_{i<k} w\,\xi_i`:

**pathwise** (every step of every run; a relative slack below ``-RESOLUTION`` fails):

- S.1 the split :math:`d_k = \bar d_k + c_k\xi_k + M_k` (the engine's direction, its stored gradients);
- S.4 the exact-gradient part, Theorem 2's T2.4 with :math:`\alpha^2(1+\beta)`;
- S.5 the drift with the noisy steps, :math:`\alpha c\sum_{a\ge1} w\|x_k - x_i\|^2 \le \alpha^3cBT\sum_{i=k-T}^{k-1}\|d_i\|^2`;
- S.B2 :math:`\|M_k\|^2 \le B^2\sum_{t=k-T}^{k-1}\|\xi_t\|^2`;
- S.A2 :math:`|\langle\xi_t, \bar d_l - \bar d_l^{(t)}\rangle| \le LW_l\|\xi_t\|\max_{t<m\le l}\|x_m - x_t\|` for every
  sample t and later step l within T;
- the noise model, :math:`E\|\xi(x_k)\|^2 \le \sigma^2 + \zeta^2 r_k^2`, exactly at every iterate (the
  variance from the problem's components, :func:`~memgd.proofs_check.stochastic.noise.noise_variance`);

**in expectation** (a two-sided test over the runs at the stated confidence: each run's average over its
steps is one sample, so the samples are independent): the means that the proof takes to be zero,

- S.2 :math:`E[c_k\langle\xi_k, u_k\rangle]` and :math:`E\langle\xi_k, \bar d_k + M_k\rangle` (any predictable rule);
- S.A1 :math:`E\big[\sum_{t<k}\omega_{k,t}\langle\xi_t, u_t\rangle\big]` (oblivious rules only: a rule that
  keeps samples by their noise makes it nonzero, and the check fails).

A check with ``checked = 0`` (say, S.A2 without memory) was not made and counts as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from memgd.proofs_check.properties.lemma_checks import LemmaCheck, _min_slack, traced_steps
from memgd.proofs_check.stochastic.noise import noise_models, noise_variance

RESOLUTION = 1e-10
STEPS_S = ("S.1", "S.4", "S.5", "S.B2", "S.A2", "noise model", "S.2", "S.2 direction", "S.A1")


@dataclass(frozen=True)
class MeanZeroCheck:
    """A mean the proof takes to be zero, estimated over independent runs."""

    name: str
    mean: float       # relative to the scale of the terms
    se: float
    z: float          # the two-sided critical value used
    runs: int

    @property
    def holds(self) -> bool:
        return abs(self.mean) <= self.z * self.se

    @property
    def checked(self) -> int:
        return self.runs


def _rel(lhs, rhs, scale):
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return (rhs - lhs) / np.maximum(np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), scale), 1e-300)


def _mean_zero(name: str, per_step: np.ndarray, scale: float, z: float) -> MeanZeroCheck:
    per_run = per_step.mean(axis=0) / scale
    n = per_run.size
    return MeanZeroCheck(name, float(per_run.mean()), float(per_run.std(ddof=1) / np.sqrt(n)), z, n)


def check_steps_s(result, problems, *, batch_size: int, lam: float = 0.5, theta: float = 0.5, beta: float = 1.0,
                  confidence: float = 0.999, oblivious: bool = True) -> dict:
    """Every step of Theorem S's proof on a traced minibatch run of copies of one problem (module doc)."""
    if not 0.0 < lam <= 1.0 or not 0.0 < theta <= 1.0:
        raise ValueError(f"lam and theta must be in (0, 1], got {lam!r}, {theta!r}")
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta!r}")
    ts = traced_steps(result, problems)
    X, Gn, D, a, b, ages = ts.X, ts.G, ts.D, ts.a, ts.b, ts.ages
    K, n, S = b.shape
    mu, L, alpha = ts.mu, ts.L, ts.alpha
    live, used, src, col, steps = ts.live, ts.used, ts.src, ts.col, ts.steps
    Xs = np.nan_to_num(X)
    Gx = np.stack([problems.grad(Xs[k]) for k in range(K)])               # exact gradients g(x_k)
    xi = np.nan_to_num(Gn) - Gx
    w = np.where(used, b, 0.0)
    aw = np.where(live, np.nan_to_num(a), 0.0)
    is_cur = used & (src == steps[..., None])                             # history slots at step 0
    is_mem = used & (src < steps[..., None])
    c = aw + np.where(is_cur, w, 0.0).sum(axis=2)
    xs = problems.x_star[None]
    u = Xs[:K] - xs
    r2 = np.sum((Xs - xs) ** 2, axis=2)
    scale = r2[0][None, :]
    out: dict = {}

    g_src, xi_src = Gx[src, col], xi[src, col]                          # (K, n, S, d)
    dbar = aw[..., None] * Gx + np.einsum("kns,knsd->knd", w, g_src)
    M = np.einsum("kns,knsd->knd", np.where(is_mem, w, 0.0), xi_src)
    noise = c[..., None] * xi + M
    resid = np.linalg.norm(np.nan_to_num(D) - dbar - noise, axis=2)
    size = np.linalg.norm(np.nan_to_num(D), axis=2) + np.linalg.norm(dbar, axis=2) + np.linalg.norm(noise, axis=2)
    out["S.1"] = _min_slack("S.1", -resid / np.maximum(size, 1e-300), live)

    # S.4: Theorem 2's one step on the exact gradients, with alpha^2 (1 + beta)
    s = aw + w.sum(axis=2)
    bk = np.where(used & (ages >= 1), w, 0.0).sum(axis=2)
    Gk = aw * np.sum(Gx**2, axis=2) + np.sum(w * np.sum(g_src**2, axis=3), axis=2)
    dist2 = np.sum((Xs[:K, :, None] - Xs[src, col]) ** 2, axis=3)
    cc = L + (1 - lam) * mu * (1 / theta - 1)
    lhs4 = r2[:K] - 2 * alpha * np.einsum("knd,knd->kn", dbar, u) + alpha**2 * (1 + beta) * np.sum(dbar**2, axis=2)
    rhs4 = ((1 - alpha * mu * (s + (1 - lam) * (s - theta * bk))) * r2[:K] - (alpha * lam / L - alpha**2 * (1 + beta) * s) * Gk
            + alpha * cc * np.sum(w * dist2, axis=2))
    nonneg = np.all((aw >= 0) | ~live, axis=0) & np.all((w >= 0) | ~used, axis=(0, 2))
    out["S.4"] = _min_slack("S.4", _rel(lhs4, rhs4, scale), live & nonneg[None, :])

    # S.5: drift with the noisy steps (realized B, T)
    cst = result.constants
    B, T = cst.B[None, :], cst.T[None, :]
    step2 = alpha**2 * np.sum(np.nan_to_num(D) ** 2, axis=2)             # ||x_{i+1} - x_i||^2
    cum = np.vstack([np.zeros((1, n)), np.cumsum(step2, axis=0)])
    lo = np.maximum(steps - T, 0).astype(int)
    cols = np.arange(n)[None]
    window = cum[np.broadcast_to(steps, lo.shape), cols] - cum[lo, cols]
    mem_w = np.where(is_mem, w, 0.0)
    out["S.5"] = _min_slack("S.5", _rel(alpha * cc * np.sum(mem_w * dist2, axis=2), alpha * cc * B * T * window, scale),
                            live & nonneg[None, :])

    # S.B2: ||M_k||^2 <= B^2 sum_{t=k-T}^{k-1} ||xi_t||^2
    xi2 = np.sum(xi**2, axis=2)
    cumx = np.vstack([np.zeros((1, n)), np.cumsum(xi2, axis=0)])
    win_x = cumx[np.broadcast_to(steps, lo.shape), cols] - cumx[lo, cols]
    noise_scale = np.maximum(xi2.mean(axis=0), 1e-300)[None, :]
    out["S.B2"] = _min_slack("S.B2", _rel(np.sum(M**2, axis=2), B**2 * win_x, noise_scale), live & nonneg[None, :])

    # S.A2: for each step l and sample t = l - j (1 <= j <= T - 1), |<xi_t, dbar_l - dbar_l^(t)>| <= L W_l ||xi_t|| Delta
    Wl = np.abs(aw) + np.abs(w).sum(axis=2)
    Tmax = int(cst.T.max())
    slack_a2, mask_a2 = [], []
    for j in range(1, max(Tmax, 1)):
        t_idx = steps[:, 0] - j
        ok_t = t_idx >= 0
        t_c = np.maximum(t_idx, 0)
        later = (src > t_c[:, None, None]) & used
        diff = aw[..., None] * (Gx - Gx[t_c]) + np.einsum("kns,knsd->knd", np.where(later, w, 0.0),
                                                           g_src - Gx[t_c][:, :, None, :])
        lhs = np.abs(np.einsum("knd,knd->kn", xi[t_c], diff))
        moves = np.stack([np.linalg.norm(Xs[np.minimum(t_c + m, K)] - Xs[t_c], axis=2) for m in range(1, j + 1)])
        rhs = L * Wl * np.linalg.norm(xi[t_c], axis=2) * moves.max(axis=0)
        slack_a2.append(_rel(lhs, rhs, noise_scale * scale))
        mask_a2.append(live & ok_t[:, None] & nonneg[None, :] & (j < cst.T[None, :]))
    out["S.A2"] = (_min_slack("S.A2", np.concatenate(slack_a2), np.concatenate(mask_a2)) if slack_a2
                   else LemmaCheck("S.A2", 0, float("nan"), None))

    # the noise model at every iterate: exact variance <= sigma2 + zeta2 r_k^2, for each model
    var = np.stack([noise_variance(problems, Xs[k], batch_size) for k in range(K)])
    slack_n = []
    for model in noise_models(problems, batch_size):
        slack_n.append(_rel(var, model.sigma2[None, :] + model.zeta2[None, :] * r2[:K], noise_scale))
    out["noise model"] = _min_slack("noise model", np.min(slack_n, axis=0), live)

    # in expectation
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    cross_scale = float(np.sqrt(scale.mean() * noise_scale.mean()))
    out["S.2"] = _mean_zero("S.2", c * np.einsum("knd,knd->kn", xi, u), cross_scale, z)
    out["S.2 direction"] = _mean_zero("S.2 direction", np.einsum("knd,knd->kn", xi, dbar + M),
                                      float(np.sqrt(noise_scale.mean()) * np.sqrt(np.mean(Gk))) + 1e-300, z)
    if oblivious:
        u_src = (Xs[src, col] - xs[:, :, None])
        own = np.einsum("kns,kns->kn", mem_w, np.einsum("knsd,knsd->kns", xi_src, u_src))
        out["S.A1"] = _mean_zero("S.A1", own, cross_scale, z)
    return out
