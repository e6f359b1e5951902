r"""Real data as problems: L2-regularized logistic regression.

For features :math:`X \in \mathbb{R}^{m \times p}` (one row per sample) and labels
:math:`y_i \in \{-1, +1\}`, problem j of the batch is

.. math::

    \begin{aligned}
    f_j(w) &= \frac1m \sum_{i=1}^m \log\bigl(1 + e^{-y_i x_i^\top w}\bigr) + \frac{\lambda_j}{2}\|w\|^2, \\
    \nabla^2 f_j(w) &= \frac1m X^\top \operatorname{diag}\bigl(\sigma(z)(1-\sigma(z))\bigr) X + \lambda_j I,
    \end{aligned}

with :math:`z_i = y_i x_i^\top w` and :math:`0 < \sigma(1-\sigma) \le 1/4`.  Hence the
**exact global bounds** :math:`\mu_j = \lambda_j` (the infimum, approached as
:math:`\|w\| \to \infty`, not attained when X has full column rank) and
:math:`L_j = \lambda_j + \|X\|_2^2 / (4m)` (attained at :math:`w = 0`), valid on all of
R^p, so the theorems apply to them without estimation.

x* is found by ``scipy.optimize.minimize(method="trust-ncg")`` with the exact Hessian-vector
product, to a stated gradient norm; :math:`\|\hat w - w^*\| \le \|\nabla f(\hat w)\| / \lambda`.

:func:`breast_cancer` loads scikit-learn's Wisconsin breast-cancer data (569 samples,
30 features), an optional dependency: ``pip install 'memgd[examples]'``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from memgd.solvers.lazy import expit
from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.user import solve_minimizers
from memgd.solvers.validation import positive

EXTRA = "examples"


@dataclass(frozen=True, kw_only=True)
class LogisticRegressionBatch(ProblemBatch):
    """n L2-regularized logistic regressions on one data set, one lambda each (module doc)."""

    X: np.ndarray    # (m, p) features (shared by the batch; standardized, intercept column last if added)
    y: np.ndarray    # (m,) labels in {-1, +1}
    lam: np.ndarray  # (n,) regularization
    x_star_method: str = ""

    def _margins(self, w: np.ndarray) -> np.ndarray:
        return (w @ self.X.T) * self.y  # (n, m)

    def value(self, w: np.ndarray) -> np.ndarray:
        loss = np.logaddexp(0.0, -self._margins(w)).mean(axis=1)
        return loss + 0.5 * self.lam * np.einsum("ni,ni->n", w, w)

    def grad(self, w: np.ndarray) -> np.ndarray:
        coef = -expit(-self._margins(w)) * self.y / self.X.shape[0]  # (n, m)
        return coef @ self.X + self.lam[:, None] * w

    def _curvature(self, w: np.ndarray) -> np.ndarray:
        s = expit(self._margins(w))
        return s * (1.0 - s) / self.X.shape[0]  # (n, m)

    def hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (self._curvature(w) * (v @ self.X.T)) @ self.X + self.lam[:, None] * v

    def hessian(self, w: np.ndarray) -> np.ndarray:
        XtD = self.X.T[None] * self._curvature(w)[:, None, :]
        return XtD @ self.X + self.lam[:, None, None] * np.eye(self.d)

    def take(self, indices) -> "LogisticRegressionBatch":
        """Problems ``indices`` (X and y are shared and stay whole)."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.ndim != 1 or idx.size == 0 or idx.min() < -self.n or idx.max() >= self.n:
            raise ValueError(f"indices must be a non-empty 1-d array of problem indices in [0, {self.n}), "
                             f"got {indices!r}")
        return dataclasses.replace(self, x_star=self.x_star[idx], f_star=self.f_star[idx], mu=self.mu[idx],
                                   L=self.L[idx], lam=self.lam[idx], x_star_error=self.x_star_error[idx])


def standardize(X: np.ndarray) -> np.ndarray:
    """Each column to mean 0 and standard deviation 1; constant columns are refused."""
    sd = X.std(axis=0)
    if np.any(sd == 0):
        raise ValueError(f"X has constant columns {np.flatnonzero(sd == 0).tolist()}: drop them before standardizing")
    return (X - X.mean(axis=0)) / sd


def signed_labels(y) -> np.ndarray:
    """Two-class labels as -1 / +1 (the smaller class value becomes -1)."""
    y = np.asarray(y)
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(f"y must have exactly two classes, got {classes.size}: {classes[:5].tolist()}")
    return np.where(y == classes[1], 1.0, -1.0)


def logistic_regression(X, y, lam=1e-2, *, standardized: bool = True, intercept: bool = True,
                        gtol: float = 1e-12) -> LogisticRegressionBatch:
    r"""L2-regularized logistic regression on (X, y), one problem per value of ``lam``.

    ``X`` (m, p) finite, ``y`` two classes, ``lam`` > 0 scalar or (n,).  With
    ``standardized`` the columns are standardized first; with ``intercept`` a column of
    ones is appended (its weight is regularized like the others, which keeps f strongly
    convex).  mu = lambda and L = lambda + ||X||_2^2 / (4m) are exact global bounds
    (module doc); x* is solved to ``gtol`` in the gradient norm.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite (m, p) array with m >= 2, got shape {X.shape}")
    y = signed_labels(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one label per row of X ({X.shape[0]}), got shape {y.shape}")
    lam = np.atleast_1d(positive("lam", lam)).astype(float).ravel()
    if standardized:
        X = standardize(X)
    if intercept:
        X = np.hstack([X, np.ones((X.shape[0], 1))])
    m, p = X.shape
    n = lam.size
    L = lam + np.linalg.norm(X, 2) ** 2 / (4 * m)
    draft = LogisticRegressionBatch(x_star=np.zeros((n, p)), f_star=np.zeros(n), mu=lam.copy(), L=L,
                                    X=X, y=y, lam=lam)
    x_star, gnorm, method = solve_minimizers(draft.value, draft.grad, draft.hvp, np.zeros((n, p)), gtol=gtol)
    return dataclasses.replace(
        draft, x_star=x_star, f_star=draft.value(x_star), x_star_error=gnorm / lam, x_star_method=method,
        mu_exact=False, L_exact=True,
        constants_source="global bounds: mu = lambda, L = lambda + ||X||_2^2 / (4 m) (exact for logistic regression)",
    )


def load_sklearn_dataset(name: str):
    """``sklearn.datasets.load_<name>()``, or an ImportError naming the extra to install."""
    try:
        import sklearn.datasets
    except ImportError as exc:
        raise ImportError(f"the {name!r} data set needs scikit-learn, an optional dependency of memgd: "
                          f"pip install 'memgd[{EXTRA}]'") from exc
    return getattr(sklearn.datasets, f"load_{name}")()


def breast_cancer(lam=1e-2, *, gtol: float = 1e-12) -> LogisticRegressionBatch:
    """Logistic regression on scikit-learn's breast-cancer data (569 x 30, standardized, with
    an intercept): d = 31, one problem per ``lam`` (needs ``memgd[examples]``)."""
    data = load_sklearn_dataset("breast_cancer")
    return logistic_regression(data.data, data.target, lam, gtol=gtol)
