r"""Each step of Theorem 1's proof, evaluated on a real trajectory.

With the run's realized constants (s_lo, s_hi, B, W, T) and :math:`r_k = \|x_k - x^*\|`,
at every step k of a traced run (``run(..., trace=True)``, full gradients):

- **L1** :math:`\|x_k - \eta g_k - x^*\| \le \max(|1-\eta\mu|, |1-\eta L|)\, r_k`, with
  :math:`\eta = \alpha s_k`, wherever :math:`0 \le \eta \le 2/L`;
- **L2** :math:`d_k = s_k g_k + e_k`, :math:`e_k = \sum_c b_{k,c}(g_{k-\tau_c} - g_k)` (an identity:
  its residual relative to the terms' sizes);
- **L3** :math:`\|e_k\| \le L \sum_c |b_{k,c}|\, \|x_k - x_{k-\tau_c}\|`;
- **L4** :math:`\|x_k - x_{k-\tau}\| \le \alpha\tau \max_{k-\tau \le i < k} \|d_i\|` for every used age,
  and :math:`\|d_i\| \le W L \max_{i-T \le l \le i} r_l`;
- **L5** :math:`r_{k+1} \le p\, r_k + q \max_{k-2T \le l \le k} r_l`, :math:`p = 1 - \alpha s_{lo}\mu`,
  :math:`q = \alpha^2 L^2 B W T`, wherever :math:`s_{lo} > 0` and :math:`\alpha s_{hi} \le 2/(\mu+L)`;
- **L6** (the conclusion) is the distance bound of :mod:`memgd.proofs_check.properties.bound_check`.

History before step 0 follows the theorem: :math:`x_{-i} = x_0`, :math:`g_{-i} = g_0`.
Each slack is :math:`(\text{rhs} - \text{lhs}) / \max(r_0, |\text{lhs}|, |\text{rhs}|)`: relative to the
size of what is compared (rounding scales with it, and on a diverging run the terms grow
far beyond :math:`r_0`).  A negative slack beyond floating-point resolution
(:data:`RESOLUTION`) is a failure of the lemma.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers import RunResult

RESOLUTION = 1e-10  # relative to r_0; rounding in O(K) accumulated steps stays far below this
LEMMAS = ("L1", "L2", "L3", "L4a", "L4b", "L5")


@dataclass(frozen=True)
class LemmaCheck:
    name: str
    checked: int        # number of (step, problem) instances where the lemma's hypotheses held
    min_slack: float    # smallest relative slack (for L2: minus the relative residual); nan if none
    where: tuple[int, int] | None  # (step, problem) of the smallest slack

    @property
    def holds(self) -> bool:
        return not self.checked or self.min_slack >= -RESOLUTION


def window_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """max(values[lo..hi, j]) per entry (inclusive); 0 where the window is empty.

    ``values`` is (M, n) and non-negative; ``lo``, ``hi`` are integer arrays of a common
    shape ending in n.  A sparse table answers every query in O(1).
    """
    M = values.shape[0]
    levels = [values]
    while (1 << len(levels)) <= M:
        prev, half = levels[-1], 1 << (len(levels) - 1)
        levels.append(np.maximum(prev[:-half], prev[half:]))
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, M - 1)
    length = hi - lo + 1
    empty = length <= 0
    lo = np.where(empty, 0, lo)
    hi = np.where(empty, 0, hi)
    j = np.where(empty, 0, np.floor(np.log2(np.maximum(length, 1))).astype(int))
    cols = np.broadcast_to(np.arange(values.shape[1]), lo.shape)
    out = np.zeros(lo.shape)
    for level in np.unique(j):
        sel = (j == level) & ~empty
        if not sel.any():
            continue
        table = levels[level]
        a = table[lo[sel], cols[sel]]
        b = table[hi[sel] - (1 << level) + 1, cols[sel]]
        out[sel] = np.maximum(a, b)
    return out


def _relative(lhs: np.ndarray, rhs: np.ndarray, r0: np.ndarray) -> np.ndarray:
    return (rhs - lhs) / np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), r0)


def _min_slack(name: str, slack: np.ndarray, mask: np.ndarray) -> LemmaCheck:
    checked = int(mask.sum())
    if not checked:
        return LemmaCheck(name, 0, float("nan"), None)
    s = np.where(mask, slack, np.inf)
    flat = int(np.argmin(s))
    idx = np.unravel_index(flat, s.shape)
    return LemmaCheck(name, checked, float(s[idx]), (int(idx[0]), int(idx[-1])))


@dataclass(frozen=True)
class TracedSteps:
    """A traced run laid out for the proof-step checks: axis 0 the step k, axis 1 the problem.

    ``live`` (K, n): step k was taken; ``used`` (K, n, S): the slot entered step k's direction;
    ``src`` (K, n, S): the step k - tau whose iterate and gradient the slot holds (history = step 0);
    ``col`` (1, n, 1) indexes the problem beside ``src``.  mu, L, alpha are (1, n).
    """

    X: np.ndarray
    G: np.ndarray
    D: np.ndarray
    a: np.ndarray
    b: np.ndarray
    ages: np.ndarray
    mu: np.ndarray
    L: np.ndarray
    alpha: np.ndarray
    steps: np.ndarray
    live: np.ndarray
    used: np.ndarray
    src: np.ndarray
    col: np.ndarray


def traced_steps(result: RunResult, problems) -> TracedSteps:
    """The arrays of ``result.trace`` as :class:`TracedSteps`; ValueError without a trace."""
    tr = result.trace
    if tr is None:
        raise ValueError("result must come from run(..., trace=True)")
    b, ages = tr.b, tr.slot_ages
    K, n, _ = b.shape
    steps = np.arange(K)[:, None]
    live = steps < result.nit[None, :]
    used = live[..., None] & (ages >= 0) & (b != 0)
    src = np.maximum(steps[..., None] - np.where(used, ages, 0), 0)
    return TracedSteps(tr.iterates, tr.gradients, tr.directions, tr.a, b, ages, problems.mu[None, :],
                       problems.L[None, :], result.alpha[None, :], steps, live, used, src,
                       np.arange(n)[None, :, None])


def check_lemmas(result: RunResult, problems) -> dict[str, LemmaCheck]:
    """Smallest slack of every proof step over a traced full-gradient run."""
    ts = traced_steps(result, problems)
    X, G, D, a, ages = ts.X, ts.G, ts.D, ts.a, ts.ages
    K, n, S = ts.b.shape
    mu, L, alpha = ts.mu, ts.L, ts.alpha
    c = result.constants
    r = result.distances
    r0 = r[0][None, :]
    steps, live, used, src, col = ts.steps, ts.live, ts.used, ts.src, ts.col
    b = np.where(used, ts.b, 0.0)
    tau = np.where(used, ages, 0)
    Xk, Gk = np.nan_to_num(X[:K]), np.nan_to_num(G)
    s = np.nan_to_num(a) + b.sum(axis=2)
    rk = np.nan_to_num(r[:K])

    out = {}
    # L1: gradient-step contraction with eta = alpha s_k
    eta = alpha * s
    ok1 = live & (eta >= 0) & (eta <= 2.0 / L)
    step1 = np.linalg.norm(Xk - eta[..., None] * Gk - problems.x_star[None], axis=2)
    out["L1"] = _min_slack("L1", _relative(step1, np.maximum(abs(1 - eta * mu), abs(1 - eta * L)) * rk, r0), ok1)

    # L2: split identity
    Gpast = Gk[src, col]                                    # (K, n, S, d)
    e = np.einsum("kns,knsd->knd", b, Gpast - Gk[:, :, None, :])
    resid = np.linalg.norm(np.nan_to_num(D) - (s[..., None] * Gk + e), axis=2)
    scale = np.linalg.norm(np.nan_to_num(D), axis=2) + np.linalg.norm(s[..., None] * Gk, axis=2) \
        + np.linalg.norm(e, axis=2) + 1e-300
    out["L2"] = _min_slack("L2", -resid / scale, live)

    # L3: memory error against iterate differences
    moved = np.linalg.norm(Xk[:, :, None, :] - Xk[src, col], axis=3)   # ||x_k - x_{k-tau}||, (K, n, S)
    rhs3 = L * np.sum(np.abs(b) * moved, axis=2)
    out["L3"] = _min_slack("L3", _relative(np.linalg.norm(e, axis=2), rhs3, r0), live)

    # L4a: ||x_k - x_{k-tau}|| <= alpha tau max_{k-tau <= i < k} ||d_i||
    dnorm = np.nan_to_num(np.linalg.norm(np.nan_to_num(D), axis=2))       # (K, n)
    lo = np.broadcast_to(steps[..., None] - tau, tau.shape)
    hi = np.broadcast_to(steps[..., None] - 1, tau.shape)
    dmax = _window_max_3d(dnorm, lo, hi)
    out["L4a"] = _min_slack("L4a", _relative(moved, alpha[..., None] * tau * dmax, r0[..., None]), used)

    # L4b: ||d_i|| <= W L max_{i-T <= l <= i} r_l, with the run's T and W
    T = c.T[None, :]
    rmax_T = window_max(np.nan_to_num(r), steps - T, np.broadcast_to(steps, (K, n)))
    out["L4b"] = _min_slack("L4b", _relative(dnorm, c.W[None, :] * L * rmax_T, r0), live)

    # L5: the delayed recursion
    p = 1 - alpha * c.s_lo[None, :] * mu
    q = alpha**2 * L**2 * (c.B * c.W * c.T)[None, :]
    ok5 = live & (c.s_lo[None, :] > 0) & (alpha * c.s_hi[None, :] <= 2.0 / (mu + L))
    rmax_2T = window_max(np.nan_to_num(r), steps - 2 * T, np.broadcast_to(steps, (K, n)))
    r_next = np.nan_to_num(r[1:])
    out["L5"] = _min_slack("L5", _relative(r_next, p * rk + q * rmax_2T, r0), ok5)
    return out


def _window_max_3d(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """window_max over a trailing slot axis: lo, hi are (K, n, S)."""
    K, n, S = lo.shape
    flat_lo = lo.transpose(0, 2, 1).reshape(K * S, n)
    flat_hi = hi.transpose(0, 2, 1).reshape(K * S, n)
    return window_max(values, flat_lo, flat_hi).reshape(K, S, n).transpose(0, 2, 1)
