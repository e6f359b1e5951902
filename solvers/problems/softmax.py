r"""Multinomial logistic (softmax) regression with an L2 penalty, on a data set.

With rows :math:`a_i \in \mathbb{R}^p` (a last entry 1 carries the bias), labels
:math:`y_i \in \{0..C-1\}` and weights :math:`W \in \mathbb{R}^{p \times C}`
(``x = W.ravel()``, row-major),

.. math::

    F(W) = \frac1m \sum_{i=1}^m \Big(\log\sum_c e^{a_i^\top W_c} - a_i^\top W_{y_i}\Big)
           + \frac\lambda2 \|W\|_F^2 .

Its Hessian is :math:`\frac1m\sum_i (\operatorname{diag}(\pi_i) - \pi_i\pi_i^\top) \otimes
a_i a_i^\top + \lambda I` with :math:`\pi_i` the softmax probabilities.

- **mu = lambda, exact**: the cross-entropy is unchanged along :math:`W \to W + v 1^\top`
  (every class logit shifts by :math:`a_i^\top v`), so its Hessian is singular at every
  point and the smallest eigenvalue of :math:`\nabla^2 F` is exactly :math:`\lambda`.
- **L is an upper bound**: :math:`v^\top(\operatorname{diag}(\pi) - \pi\pi^\top)v` is the
  variance of :math:`v_c` under :math:`c \sim \pi`, at most
  :math:`(\max_c v_c - \min_c v_c)^2/4 \le \|v\|^2/2` (Popoviciu's inequality), so
  :math:`\|\operatorname{diag}(\pi) - \pi\pi^\top\|_2 \le \tfrac12` and
  :math:`L = \lambda + \|A\|_2^2 / (2m)` with A the (m, p) data matrix.
- **x*** is computed by damped Newton's method to a gradient norm of about 1e-13
  (F is strongly convex, so it exists and is unique); f* = F(x*).

Minibatch gradients average the cross-entropy gradient over ``batch_size`` rows drawn
without replacement per problem and step (as :class:`FiniteSumBatch`), plus the full
:math:`\lambda W` (torch's weight decay on every step).  The problems of a batch may
share one data set (the arrays are then broadcast views, not copies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import softmax

from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.validation import integer_at_least, positive


@dataclass(frozen=True, kw_only=True)
class SoftmaxBatch(ProblemBatch):
    features: np.ndarray  # (n, m, p) rows a_i, last column 1 (bias)
    labels: np.ndarray    # (n, m) int64 classes
    l2: np.ndarray        # (n,) lambda
    classes: int

    @property
    def m(self) -> int:
        return self.features.shape[1]

    def _weights(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], self.features.shape[2], self.classes)

    def _ce_grad(self, x: np.ndarray, A: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean cross-entropy gradient over the rows A (n, b, p) with labels y (n, b), flattened."""
        P = softmax(np.matmul(A, self._weights(x)), axis=2)
        np.put_along_axis(P, y[:, :, None], np.take_along_axis(P, y[:, :, None], axis=2) - 1.0, axis=2)
        return (np.matmul(np.swapaxes(A, 1, 2), P) / A.shape[1]).reshape(x.shape)

    def _logits(self, x: np.ndarray) -> np.ndarray:
        """(n, m, C) logits; one (m, p) @ (p, n C) product when the problems share their data."""
        W = self._weights(x)
        if self.features.strides[0] == 0 and x.shape[0] == self.n:
            n, p, C = W.shape
            Z = self.features[0] @ np.swapaxes(W, 0, 1).reshape(p, n * C)
            return np.swapaxes(Z.reshape(-1, n, C), 0, 1)
        return np.matmul(self.features, W)

    def value(self, x: np.ndarray) -> np.ndarray:
        Z = self._logits(x)
        top = Z.max(axis=2, keepdims=True)
        lse = top[:, :, 0] + np.log(np.exp(Z - top).sum(axis=2))
        picked = np.take_along_axis(Z, self.labels[:, :, None], axis=2)[:, :, 0]
        return (lse - picked).mean(axis=1) + 0.5 * self.l2 * np.einsum("ni,ni->n", x, x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        P = softmax(self._logits(x), axis=2)
        np.put_along_axis(P, self.labels[:, :, None], np.take_along_axis(P, self.labels[:, :, None], axis=2) - 1.0,
                          axis=2)
        if self.features.strides[0] == 0:
            n, m, C = P.shape
            G = self.features[0].T @ np.swapaxes(P, 0, 1).reshape(m, n * C)  # (p, n C)
            G = np.swapaxes(G.reshape(-1, n, C), 0, 1)
        else:
            G = np.matmul(np.swapaxes(self.features, 1, 2), P)
        return (G / self.m).reshape(x.shape) + self.l2[:, None] * x

    def minibatch_grad(self, x: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Cross-entropy gradient over ``batch_size`` rows drawn without replacement, plus lambda x."""
        batch_size = integer_at_least("batch_size", batch_size, 1)
        if batch_size > self.m:
            raise ValueError(f"batch_size must be in [1, {self.m}], got {batch_size}")
        idx = np.argsort(rng.random((self.n, self.m)), axis=1)[:, :batch_size]
        rows = np.arange(self.n)[:, None]
        return self._ce_grad(x, self.features[rows, idx], self.labels[rows, idx]) + self.l2[:, None] * x

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """(1/m) [sum_c e_c e_c^T (x) A^T diag(pi_c) A - Z^T Z] + lambda I, with Z_m = pi_m (x) a_m."""
        A = self.features
        n, m, p = A.shape
        C = self.classes
        P = softmax(np.matmul(A, self._weights(x)), axis=2)  # (n, m, C)
        H = np.zeros((n, p, C, p, C))
        blocks = np.matmul(np.swapaxes(A[:, None] * np.swapaxes(P, 1, 2)[..., None], 2, 3), A[:, None])  # (n,C,p,p)
        for c in range(C):
            H[:, :, c, :, c] = blocks[:, c]
        Z = (A[:, :, :, None] * P[:, :, None, :]).reshape(n, m, p * C)
        H = H.reshape(n, p * C, p * C) - np.matmul(np.swapaxes(Z, 1, 2), Z)
        return H / m + self.l2[:, None, None] * np.eye(p * C)

    def accuracy(self, x: np.ndarray, features: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Fraction of rows of another data set (``features`` (r, p - 1) without the bias) classified right."""
        A = np.concatenate([features, np.ones((features.shape[0], 1))], axis=1)
        predicted = np.argmax(np.einsum("rp,npc->nrc", A, self._weights(x)), axis=2)
        return (predicted == np.asarray(labels)[None, :]).mean(axis=1)


def _newton_minimizer(batch: SoftmaxBatch, *, tol: float = 1e-13, max_iter: int = 100) -> np.ndarray:
    """x* of one problem (n = 1) by damped Newton with backtracking on F."""
    x = np.zeros((1, batch.d))
    for _ in range(max_iter):
        g = batch.grad(x)
        if np.linalg.norm(g) <= tol:
            return x
        step = np.linalg.solve(batch.hessian(x)[0], g[0])[None, :]
        t, f0, slope = 1.0, batch.value(x)[0], float(g[0] @ step[0])
        # backtrack only far from x*: near it (squared Newton decrement below 1e-10) the full step is
        # quadratically convergent and F's decrease is below its rounding, so the test would stall
        while slope > 1e-10 and t > 1e-12 and batch.value(x - t * step)[0] > f0 - 0.25 * t * slope:
            t *= 0.5
        x = x - t * step
    if np.linalg.norm(batch.grad(x)) > 1e-10:
        raise RuntimeError("Newton's method did not reach the minimizer of the softmax problem")
    return x


def make_softmax(features, labels, *, l2: float = 0.01, n: int = 1, classes: int | None = None) -> SoftmaxBatch:
    """``n`` copies of the softmax-regression problem on one data set (see module doc).

    ``features`` (m, p0) real rows (a bias column is appended), ``labels`` (m,)
    integers in ``0..classes-1`` (default: ``max(labels) + 1``), ``l2`` > 0.
    """
    A0 = np.asarray(features, dtype=float)
    if A0.ndim != 2 or A0.shape[0] < 1 or not np.all(np.isfinite(A0)):
        raise ValueError(f"features must be a finite 2-d array of rows, got shape {A0.shape}")
    y = np.asarray(labels)
    if y.shape != (A0.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(f"labels must be {A0.shape[0]} non-negative integers, got shape {y.shape}, dtype {y.dtype}")
    C = int(y.max()) + 1 if classes is None else integer_at_least("classes", classes, 2)
    if C < 2 or y.max() >= C:
        raise ValueError(f"classes must be >= 2 and exceed every label, got {C}")
    lam = float(positive("l2", l2))
    n = integer_at_least("n", n, 1)
    A = np.concatenate([A0, np.ones((A0.shape[0], 1))], axis=1)
    m, p = A.shape
    L = lam + 0.5 * np.linalg.norm(A, 2) ** 2 / m

    def batch(count, x_star, f_star):
        return SoftmaxBatch(x_star=x_star, f_star=f_star, mu=np.full(count, lam), L=np.full(count, L),
                            mu_exact=True, L_exact=False, features=np.broadcast_to(A, (count, m, p)),
                            labels=np.broadcast_to(y.astype(np.int64), (count, m)), l2=np.full(count, lam),
                            classes=C)

    one = batch(1, np.zeros((1, p * C)), np.zeros(1))
    x_star = _newton_minimizer(one)
    f_star = one.value(x_star)
    return batch(n, np.repeat(x_star, n, axis=0), np.repeat(f_star, n))
