r"""Batches of strongly convex quadratics with a prescribed spectrum.

.. math::

    f_i(x) = \tfrac12 (x - x_i^*)^\top A_i (x - x_i^*) + f_i^*,
    \qquad A_i = Q_i \operatorname{diag}(\lambda_i) Q_i^\top,

with eigenvalues :math:`\lambda_i \subset [\mu_i, L_i]` containing both endpoints,
so ``mu`` and ``L`` are exact.  In dimension 1 the one eigenvalue is drawn in
[mu, L] by the spectrum's law: ``mu`` and ``L`` are then bounds, and the flags
``mu_exact`` / ``L_exact`` say whether they are attained.  The gradient of the whole batch is one batched
matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.spectra import attained, resolve_basis, rotated_spectrum, spectrum
from memgd.solvers.validation import curvature_pair, integer_at_least, per_problem


@dataclass(frozen=True, kw_only=True)
class QuadraticBatch(ProblemBatch):
    A: np.ndarray            # (n, d, d) symmetric positive definite
    eigenvalues: np.ndarray  # (n, d)

    def value(self, x: np.ndarray) -> np.ndarray:
        return self.value_from_grad(x, self.grad(x))

    def value_from_grad(self, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        """f(x) = 1/2 <x - x*, A (x - x*)> + f* with A (x - x*) = ``g`` given (no second matvec)."""
        e = x - self.x_star
        return 0.5 * np.einsum("ni,ni->n", e, g) + self.f_star

    def grad(self, x: np.ndarray) -> np.ndarray:
        return np.matmul(self.A, (x - self.x_star)[:, :, None])[:, :, 0]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.A, (x.shape[0],) + self.A.shape[1:])


def make_quadratics(
    n: int,
    d: int,
    mu=1.0,
    L=10.0,
    *,
    spectrum_kind: str = "uniform",
    rng: np.random.Generator,
    diagonal: bool = False,
    basis: str = "auto",
) -> QuadraticBatch:
    """``n`` random quadratics in dimension ``d`` with spectra in [mu, L] (endpoints included).

    ``mu`` and ``L`` are scalars or (n,) arrays.  ``diagonal=True`` skips the random
    rotation (A is diagonal), which is handy for teaching and for checking.  ``basis``
    chooses the eigenvectors (:func:`~memgd.solvers.problems.spectra.rotated_spectrum`):
    ``"haar"`` (O(d^3) per problem), ``"dct"`` (a structured random basis, O(d^2 log d)),
    or ``"auto"``: Haar for d <= 256, the structured basis above (16 problems with
    d = 2000 then take seconds instead of minutes).
    """
    n = integer_at_least("n", n, 1)
    d = integer_at_least("d", d, 1)
    mu_a, L_a = curvature_pair(per_problem("mu", mu, n), per_problem("L", L, n))
    lam = spectrum(spectrum_kind, mu_a, L_a, d, rng)
    mu_exact, L_exact = attained(lam, mu_a, L_a)
    basis = resolve_basis(basis, d)
    if diagonal:
        A = lam[:, :, None] * np.eye(d)
    else:
        A = rotated_spectrum(lam, rng, basis)
    x_star = rng.standard_normal((n, d))
    f_star = rng.standard_normal(n)
    return QuadraticBatch(x_star=x_star, f_star=f_star, mu=mu_a, L=L_a, A=A, eigenvalues=lam,
                          mu_exact=mu_exact, L_exact=L_exact)
