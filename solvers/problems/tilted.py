r"""Non-quadratic problems with an exact minimizer, built by tilting.

For a convex :math:`h` with :math:`\mu I \preceq \nabla^2 h \preceq L I`,

.. math::

    f(x) = h(x) - \langle \nabla h(x^*), x \rangle

has the same Hessian as :math:`h` and :math:`\nabla f(x^*) = 0`, so :math:`x^*` is
its exact minimizer, for any chosen :math:`x^*`.  Two families:

- **logistic**: :math:`h(x) = \tfrac{\mu}{2}\|x\|^2 + \sum_i \operatorname{softplus}(r_i^\top x)`,
  Hessian :math:`\mu I + R^\top \operatorname{diag}(\sigma'(Rx)) R` with
  :math:`0 < \sigma' \le 1/4`, equality at 0;
- **huber**: :math:`h(x) = \tfrac{\mu}{2}\|x\|^2 + \sum_i \operatorname{huber}_\delta(r_i^\top x)`,
  generalized Hessian :math:`\mu I + R^\top \operatorname{diag}(1\{|Rx| < \delta\}) R`
  (f is C^{1,1}, not C^2).

In both, ``R`` has ``m = max(1, d // 2)`` rows scaled so that the Hessian at
``x = 0`` has top eigenvalue exactly ``L``; for ``d >= 2``, ``m < d`` and its null
space gives eigenvalue ``mu`` at every point.  Hence **mu and L are exact**
(attained), not only bounds.  In dimension 1 (``m = d = 1``) the Hessian is
:math:`\mu + r^2 \phi''(rx)`: L is attained at 0; for huber mu is attained where
:math:`|rx| \ge \delta`, for logistic it is only the infimum (``mu_exact=False``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.lazy import expit
from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.spectra import orthonormal_columns, resolve_basis
from memgd.solvers.validation import curvature_pair, integer_at_least, one_of, per_problem, positive

TILTED_FAMILIES = ("logistic", "huber")


@dataclass(frozen=True, kw_only=True)
class TiltedBatch(ProblemBatch):
    family: str
    R: np.ndarray       # (n, m, d) linear forms
    tilt: np.ndarray    # (n, d) grad h(x*), subtracted so that grad f(x*) = 0
    delta: float = 1.0  # Huber threshold

    def _forms(self, x: np.ndarray) -> np.ndarray:
        return np.matmul(self.R, x[:, :, None])[:, :, 0]  # (n, m)

    def _h(self, x: np.ndarray) -> np.ndarray:
        t = self._forms(x)
        if self.family == "logistic":
            penalty = np.logaddexp(0.0, t)
        else:
            a = np.abs(t)
            penalty = np.where(a <= self.delta, 0.5 * t * t, self.delta * (a - 0.5 * self.delta))
        return 0.5 * self.mu * np.einsum("ni,ni->n", x, x) + penalty.sum(axis=1)

    def _grad_h(self, x: np.ndarray) -> np.ndarray:
        t = self._forms(x)
        slope = expit(t) if self.family == "logistic" else np.clip(t, -self.delta, self.delta)
        return self.mu[:, None] * x + np.matmul(np.swapaxes(self.R, 1, 2), slope[:, :, None])[:, :, 0]

    def value(self, x: np.ndarray) -> np.ndarray:
        return self._h(x) - np.einsum("ni,ni->n", self.tilt, x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self._grad_h(x) - self.tilt

    def hessian(self, x: np.ndarray) -> np.ndarray:
        t = self._forms(x)
        if self.family == "logistic":
            s = expit(t)
            curv = s * (1.0 - s)
        else:
            curv = (np.abs(t) < self.delta).astype(float)
        RtD = np.swapaxes(self.R, 1, 2) * curv[:, None, :]
        return self.mu[:, None, None] * np.eye(self.d) + np.matmul(RtD, self.R)


def make_tilted(
    n: int,
    d: int,
    mu=1.0,
    L=10.0,
    *,
    family: str = "logistic",
    rng: np.random.Generator,
    delta: float = 1.0,
    scale: float = 1.0,
    basis: str = "auto",
) -> TiltedBatch:
    r"""``n`` tilted problems of the named family with exact mu, L and x*.

    ``scale`` sets the spread of x* (which controls how far from the quadratic
    regime around 0 the minimizer sits); ``delta`` is the Huber threshold.
    ``basis="haar"``: R Gaussian, its top squared singular value by a dense eigensolver
    (O(d^3)); ``basis="dct"``: :math:`R = \operatorname{diag}(\sigma) V^\top` with V the
    first m columns of a structured random orthogonal matrix
    (:func:`~memgd.solvers.problems.spectra.orthonormal_columns`) and
    :math:`\sigma_j^2` uniform on (0, 1] with the largest exactly 1, so the top
    eigenvalue is known without a solve (O(d^2 log d)); ``"auto"``: Haar for d <= 256.
    """
    n = integer_at_least("n", n, 1)
    d = integer_at_least("d", d, 1)
    one_of("family", family, TILTED_FAMILIES)
    mu_a, L_a = curvature_pair(per_problem("mu", mu, n), per_problem("L", L, n))
    delta = float(positive("delta", delta))
    m = max(1, d // 2)
    if resolve_basis(basis, d) == "haar":
        R = rng.standard_normal((n, m, d))
        top = np.linalg.eigvalsh(np.matmul(np.swapaxes(R, 1, 2), R))[:, -1]  # lambda_max(R'R)
    else:
        sq = rng.random((n, m))
        sq[:, 0] = 1.0  # sigma^2 in (0, 1], largest exactly 1: lambda_max(R'R) = 1
        R = np.swapaxes(orthonormal_columns(n, d, m, rng, "dct") * np.sqrt(sq)[:, None, :], 1, 2).copy()
        top = np.ones(n)
    peak = 0.25 if family == "logistic" else 1.0  # sup of the penalty's second derivative
    R *= np.sqrt((L_a - mu_a) / (peak * top))[:, None, None]
    x_star = float(positive("scale", scale)) * rng.standard_normal((n, d))
    draft = TiltedBatch(
        x_star=x_star, f_star=np.zeros(n), mu=mu_a, L=L_a,
        family=family, R=R, tilt=np.zeros((n, d)), delta=delta,
    )
    tilt = draft._grad_h(x_star)
    exact = TiltedBatch(
        x_star=x_star, f_star=np.zeros(n), mu=mu_a, L=L_a,
        family=family, R=R, tilt=tilt, delta=delta,
    )
    return TiltedBatch(
        x_star=x_star, f_star=exact.value(x_star), mu=mu_a, L=L_a,
        family=family, R=R, tilt=tilt, delta=delta,
        mu_exact=m < d or family == "huber" or bool(np.all(mu_a == L_a)),
    )
