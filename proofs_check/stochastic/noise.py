r"""Noise models of minibatch gradients: :math:`E[\|\xi(x)\|^2] \le \sigma^2 + \zeta^2\|x - x^\star\|^2`.

A minibatch of ``b`` of the ``m`` components, drawn without replacement, averages
:math:`v_i(x) = \nabla f_i(x)`; its noise :math:`\xi(x) = \frac1b\sum_{i \in S} v_i(x) - \bar v(x)` has

.. math:: E\|\xi(x)\|^2 = c_b\,\frac1m\sum_{i=1}^m \|v_i(x) - \bar v(x)\|^2, \qquad c_b = \frac{m - b}{b(m - 1)} \le \frac1b

(:func:`noise_variance`, exact).  Theorem S needs a pair :math:`(\sigma^2, \zeta^2)` bounding it at every x;
any valid pair gives a valid bound, so the functions here return a few (:class:`NoiseModel`, arrays over
the batch) and the checks take the best bound among them:

- **least squares** (:class:`~memgd.solvers.FiniteSumBatch`): :math:`v_i - \bar v = E_i u - H_i\delta_i`,
  :math:`u = x - x^\star`, so the variance is the quadratic :math:`c_b(u^\top P u - 2u^\top h + q_0)`,
  :math:`P = \frac1m\sum E_i^\top E_i`, :math:`h = \frac1m\sum E_i^\top H_i\delta_i`, :math:`q_0 = \frac1m\sum\|H_i\delta_i\|^2`;
  for :math:`z > \lambda_{max}(P)` it is at most :math:`c_b\big(q_0 + h^\top(zI - P)^{-1}h\big) + c_b z\|u\|^2` (the
  maximum over u of the difference), exactly;
- **softmax / logistic** (:class:`~memgd.solvers.problems.softmax.SoftmaxBatch`): the cross-entropy gradient of row
  i moves by at most :math:`L_i\|u\|`, :math:`L_i = \|a_i\|^2/2`, so :math:`\sigma^2 = c_b(1+\epsilon)V^\star`,
  :math:`\zeta^2 = c_b(1 + 1/\epsilon)\frac1m\sum L_i^2` with :math:`V^\star` the exact variance at x*; and the uniform
  :math:`\sigma^2 = 2c_b\frac1m\sum\|a_i\|^2` (:math:`\|\pi - e_y\|^2 \le 2`), :math:`\zeta = 0`.

:func:`two_point_problems` builds the one-dimensional family of the selection-bias lower bound: curvature
mu, a batch of one component whose noise is :math:`+\mu h` with probability 1/m and :math:`-\mu h/(m-1)` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers import FiniteSumBatch
from memgd.solvers.problems.softmax import SoftmaxBatch
from memgd.solvers.validation import integer_at_least, positive


@dataclass(frozen=True)
class NoiseModel:
    """E||xi(x)||^2 <= sigma2 + zeta2 ||x - x*||^2 for every x; arrays over the problems of a batch."""

    sigma2: np.ndarray
    zeta2: np.ndarray
    how: str


def minibatch_factor(m: int, b: int) -> float:
    """c_b = (m - b) / (b (m - 1)): the variance of a mean of b of m components drawn without replacement,
    relative to the components' own variance (1 for b = 1, 0 for the full batch)."""
    m = integer_at_least("m", m, 2)
    b = integer_at_least("batch_size", b, 1)
    if b > m:
        raise ValueError(f"batch_size must be in [1, {m}], got {b}")
    return (m - b) / (b * (m - 1))


def _components(problems, x: np.ndarray) -> np.ndarray:
    """(n, m, d) component gradients v_i(x) (for softmax, the cross-entropy part; lambda x is common)."""
    if isinstance(problems, FiniteSumBatch):
        return np.einsum("nmij,nmj->nmi", problems.H, x[:, None, :] - problems.centers)
    if isinstance(problems, SoftmaxBatch):
        n, m, p = problems.features.shape
        C = problems.classes
        W = x.reshape(n, p, C)
        Z = np.einsum("nmp,npc->nmc", problems.features, W)
        Z = np.exp(Z - Z.max(axis=2, keepdims=True))
        P = Z / Z.sum(axis=2, keepdims=True)
        P[np.arange(n)[:, None], np.arange(m)[None, :], problems.labels] -= 1.0
        return np.einsum("nmp,nmc->nmpc", problems.features, P).reshape(n, m, p * C)
    raise ValueError(f"problems must be a FiniteSumBatch or a SoftmaxBatch (minibatch gradients), got "
                     f"{type(problems).__name__}")


def noise_variance(problems, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Exact E||xi(x)||^2 of the engine's minibatch gradient at the points x (n, d), per problem."""
    v = _components(problems, np.asarray(x, dtype=float))
    m = v.shape[1]
    dev = v - v.mean(axis=1, keepdims=True)
    return minibatch_factor(m, batch_size) * np.einsum("nmi,nmi->n", dev, dev) / m


def finite_sum_noise_models(problems: FiniteSumBatch, batch_size: int,
                            factors=(1.05, 1.5, 3.0)) -> list[NoiseModel]:
    """Exact (sigma2, zeta2) pairs of a least-squares finite sum, zeta2 = c_b z for z = factor x lambda_max(P)."""
    n, m, d, _ = problems.H.shape
    c_b = minibatch_factor(m, batch_size)
    A = problems.H.mean(axis=1)
    E = problems.H - A[:, None]
    v = np.einsum("nmij,nmj->nmi", problems.H, problems.centers - problems.x_star[:, None])
    P = np.einsum("nmji,nmjk->nik", E, E) / m
    h = np.einsum("nmji,nmj->ni", E, v) / m
    q0 = np.einsum("nmi,nmi->n", v, v) / m
    top = np.linalg.eigvalsh(P)[:, -1]
    out = []
    for f in factors:
        z = np.maximum(f * top, 1e-300)
        extra = np.einsum("ni,ni->n", h, np.linalg.solve(z[:, None, None] * np.eye(d) - P, h[..., None])[..., 0])
        # outward: the solve's rounding is far below this relative margin
        out.append(NoiseModel(c_b * (q0 + extra) * (1 + 1e-9), c_b * z * (1 + 1e-9),
                              f"least squares, exact, z = {f:g} lambda_max(P)"))
    return out


def softmax_noise_models(problems: SoftmaxBatch, batch_size: int, epsilons=(0.25, 1.0, 4.0)) -> list[NoiseModel]:
    """(sigma2, zeta2) pairs of a softmax problem: variance at x* plus a Lipschitz growth, and a uniform bound."""
    n, m, p = problems.features.shape
    c_b = minibatch_factor(m, batch_size)
    row_sq = np.einsum("nmp,nmp->nm", problems.features, problems.features)
    lips_sq = (0.5 * row_sq) ** 2
    v_star = noise_variance(problems, problems.x_star, batch_size) / c_b if c_b > 0 else np.zeros(n)
    out = [NoiseModel(c_b * 2.0 * row_sq.mean(axis=1) * (1 + 1e-9), np.zeros(n), "softmax, uniform (||pi - e_y||^2 <= 2)")]
    for e in epsilons:
        out.append(NoiseModel(c_b * (1 + e) * v_star * (1 + 1e-9), c_b * (1 + 1 / e) * lips_sq.mean(axis=1) * (1 + 1e-9),
                              f"softmax, variance at x* and Lipschitz growth, epsilon = {e:g}"))
    return out


def noise_models(problems, batch_size: int) -> list[NoiseModel]:
    """The noise models of a finite-sum or softmax batch (ValueError otherwise)."""
    if isinstance(problems, FiniteSumBatch):
        return finite_sum_noise_models(problems, batch_size)
    if isinstance(problems, SoftmaxBatch):
        return softmax_noise_models(problems, batch_size)
    raise ValueError(f"problems must be a FiniteSumBatch or a SoftmaxBatch (minibatch gradients), got "
                     f"{type(problems).__name__}")


def two_point_problems(n: int, *, mu: float = 1.0, m: int = 5, h: float = 1.0, L: float | None = None) -> FiniteSumBatch:
    r"""n copies of the one-dimensional selection-bias family: :math:`f_i(x) = \frac\mu2(x - \delta_i)^2`,
    :math:`\delta_1 = -h`, :math:`\delta_i = h/(m-1)` otherwise (mean zero, x* = 0).  With a batch of one, the noise
    is :math:`\mu h` with probability 1/m and :math:`-\mu h/(m-1)` otherwise: variance
    :math:`\sigma^2 = \mu^2h^2/(m-1)`.  ``L`` (default mu) is the smoothness constant the problems declare."""
    n = integer_at_least("n", n, 1)
    m = integer_at_least("m", m, 2)
    mu = float(positive("mu", mu))
    h = float(positive("h", h))
    L = mu if L is None else float(L)
    if not L >= mu:
        raise ValueError(f"L must be >= mu = {mu}, got {L}")
    delta = np.full(m, h / (m - 1))
    delta[0] = -h
    zeros = np.zeros((n, 1))
    return FiniteSumBatch(x_star=zeros, f_star=np.zeros(n), mu=np.full(n, mu), L=np.full(n, L),
                          L_exact=L == mu, H=np.full((n, m, 1, 1), mu),
                          centers=zeros[:, None, :] + delta[None, :, None], interpolating=False)
