r"""Finite sums of quadratics, for stochastic (minibatch) gradients.

.. math::

    f(x) = \frac1m \sum_{i=1}^m f_i(x), \qquad
    f_i(x) = \tfrac12 (x - c_i)^\top H_i (x - c_i) - \text{const},

with :math:`H_i = A + E_i`, :math:`\sum_i E_i = 0` and :math:`\|E_i\| \le \tfrac12 \mu`,
so the average Hessian is exactly :math:`A` (spectrum in [mu, L], endpoints
present: mu and L exact; in dimension 1 bounds, as for the quadratics) and every
:math:`H_i \succ 0`.

- **interpolating** (``interpolating=True``): :math:`c_i = x^*` for all i, so every
  component is minimized at :math:`x^*` and SGD with a constant step converges
  linearly;
- **general**: :math:`c_i = x^* + \delta_i` with :math:`\sum_i H_i \delta_i = 0`,
  so :math:`x^*` is still the exact minimizer of f but the minibatch gradient at
  :math:`x^*` has nonzero variance (a noise floor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.spectra import attained, orthogonal_bases, spectrum
from memgd.solvers.validation import curvature_pair, integer_at_least, per_problem, positive


@dataclass(frozen=True, kw_only=True)
class FiniteSumBatch(ProblemBatch):
    H: np.ndarray        # (n, m, d, d) component Hessians
    centers: np.ndarray  # (n, m, d) component centres c_i
    interpolating: bool

    @property
    def m(self) -> int:
        return self.H.shape[1]

    def _component_grads(self, x: np.ndarray, H: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.matmul(H, (x[:, None, :] - c)[..., None])[..., 0]

    def value(self, x: np.ndarray) -> np.ndarray:
        e = x[:, None, :] - self.centers
        quad = 0.5 * np.einsum("nmi,nmi->nm", e, self._component_grads(x, self.H, self.centers))
        return quad.mean(axis=1) - self._offset + self.f_star

    @property
    def _offset(self) -> np.ndarray:
        e = self.x_star[:, None, :] - self.centers
        return (0.5 * np.einsum("nmi,nmi->nm", e, self._component_grads(self.x_star, self.H, self.centers))).mean(axis=1)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self._component_grads(x, self.H, self.centers).mean(axis=1)

    def minibatch_grad(self, x: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Average of ``batch_size`` component gradients drawn without replacement, per problem."""
        batch_size = integer_at_least("batch_size", batch_size, 1)
        if batch_size > self.m:
            raise ValueError(f"batch_size must be in [1, {self.m}], got {batch_size}")
        idx = np.argsort(rng.random((self.n, self.m)), axis=1)[:, :batch_size]  # (n, b)
        rows = np.arange(self.n)[:, None]
        return self._component_grads(x, self.H[rows, idx], self.centers[rows, idx]).mean(axis=1)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.H.mean(axis=1), (x.shape[0], self.d, self.d))


def make_finite_sums(
    n: int,
    d: int,
    m: int = 8,
    mu=1.0,
    L=10.0,
    *,
    interpolating: bool = True,
    spectrum_kind: str = "uniform",
    spread: float = 1.0,
    rng: np.random.Generator,
) -> FiniteSumBatch:
    """``n`` finite sums of ``m`` quadratic components in dimension ``d`` (see module doc)."""
    n = integer_at_least("n", n, 1)
    d = integer_at_least("d", d, 1)
    m = integer_at_least("m", m, 2)
    mu_a, L_a = curvature_pair(per_problem("mu", mu, n), per_problem("L", L, n))
    spread = float(positive("spread", spread))
    lam = spectrum(spectrum_kind, mu_a, L_a, d, rng)
    mu_exact, L_exact = attained(lam, mu_a, L_a)
    Q = orthogonal_bases(n, d, rng)
    A = np.matmul(Q * lam[:, None, :], np.swapaxes(Q, 1, 2))
    E = rng.standard_normal((n, m, d, d))
    E = 0.5 * (E + np.swapaxes(E, 2, 3))
    E -= E.mean(axis=1, keepdims=True)
    size = np.linalg.norm(E, ord=2, axis=(2, 3)).max(axis=1)  # (n,)
    E *= (0.5 * mu_a / size)[:, None, None, None]
    H = A[:, None] + E
    H = 0.5 * (H + np.swapaxes(H, 2, 3))
    x_star = rng.standard_normal((n, d))
    if interpolating:
        centers = np.repeat(x_star[:, None, :], m, axis=1)
    else:
        delta = spread * rng.standard_normal((n, m, d))
        # make sum_i H_i delta_i = 0 by solving for the last offset
        residual = np.einsum("nmij,nmj->ni", H[:, :-1], delta[:, :-1])
        delta[:, -1] = -np.linalg.solve(H[:, -1], residual[..., None])[..., 0]
        centers = x_star[:, None, :] + delta
    f_star = rng.standard_normal(n)
    return FiniteSumBatch(
        x_star=x_star, f_star=f_star, mu=mu_a, L=L_a, mu_exact=mu_exact, L_exact=L_exact,
        H=H, centers=centers, interpolating=interpolating,
    )
