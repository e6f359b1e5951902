r"""Your own problem: a :class:`~memgd.solvers.problems.ProblemBatch` from your functions.

You give :math:`f` and :math:`\nabla f`, either **batched** over n problems
(``value: (n, d) -> (n,)``, ``grad: (n, d) -> (n, d)``) or for **one point**
(``value: (d,) -> float``, ``grad: (d,) -> (d,)``, then called row by row), and one
starting guess per problem.  :func:`problem_from_functions` then finds, states and
stores what the theory needs:

**x\*** by ``scipy.optimize.minimize(method="trust-ncg")`` (a trust-region Newton-CG
using Hessian-vector products) and a few plain Newton-CG steps, to ``gtol`` in the
gradient norm.  The accuracy
reached, :math:`\|\nabla f(\hat x)\|`, is stored; for a :math:`\mu`-strongly convex f,
:math:`\|\hat x - x^*\| \le \|\nabla f(\hat x)\| / \mu` (``x_star_error``), which is the
floor below which measured distances mean nothing.

**mu and L**, in order of preference:

1. *given* (``mu=``, ``L=``): bounds you know to hold on all of R^d.  For
   L2-regularized logistic regression, :math:`f(w) = \frac1m\sum_i \log(1+e^{-y_i x_i^\top w})
   + \frac\lambda2\|w\|^2`, the exact global bounds are :math:`\mu = \lambda`,
   :math:`L = \lambda + \|X\|_2^2 / (4m)` (:func:`memgd.solvers.problems.datasets.logistic_regression`
   uses them): this is the recommended way whenever such bounds are known.
2. *quadratics*: :func:`quadratic_problem` takes A and b; mu and L are A's extreme
   eigenvalues, exact.
3. *estimated* (``estimate=True``): the extreme eigenvalues of :math:`\nabla^2 f(x^*)`
   by Lanczos (``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``; the smallest as
   :math:`L - \lambda_{\max}(L I - \nabla^2 f)`), from Hessian-vector products given by
   ``hvp`` or by central differences of the gradient,
   :math:`(\nabla f(x + hv) - \nabla f(x - hv)) / (2h)`, :math:`h = \varepsilon^{1/3}(1+\|x\|)`.
   For d <= 3 the Hessian is formed from d products and its eigenvalues taken
   densely.  **These are local values**: eigenvalues at one point do not bound the
   Hessian elsewhere, so for a non-quadratic f the global mu may be smaller and L
   larger, and a theorem checked with them is not guaranteed to hold.  The batch's
   ``constants_source`` says so and every run and bound check carries it.

**Refused input** (:mod:`~memgd.solvers.problems.function_checks`): a ``ValueError`` naming the
point, the direction and the value measured when a secant curvature
:math:`\langle \nabla f(y) - \nabla f(x), y - x\rangle / \|y - x\|^2` along the x* solve or
around x0 and x* leaves [mu, L] (estimated constants: is negative), when ``grad`` disagrees with
the differences of ``value`` by more than the curvature bounds allow, or when the solve ends with
f(x*) > f(x0): a concave f, a kink, a wrong gradient or misstated constants.  Each comparison
allows the rounding of its arithmetic and no more.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np

from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.function_checks import (
    check_descent, check_path, check_point, probe_directions,
)
from memgd.solvers.problems.quadratic import QuadraticBatch
from memgd.solvers.validation import batch_array, curvature_pair, per_problem, positive

EPS = np.finfo(float).eps
#: central-difference step factor: h = FD_STEP (1 + ||x||) / ||v|| balances truncation and rounding
FD_STEP = EPS ** (1.0 / 3.0)
LOCAL_WARNING = "local: eigenvalues at one point do not bound the Hessian elsewhere for a non-quadratic f"


# -- batching ------------------------------------------------------------------------------

def detect_batched(value: Callable, grad: Callable, x0: np.ndarray) -> bool:
    """Whether ``value`` / ``grad`` take a (n, d) batch (True) or one (d,) point (False).

    Decided by the shapes they return on a two-row probe built from ``x0``; raises
    ``ValueError`` when neither form fits (then pass ``batched=`` explicitly).
    """
    probe = np.vstack([x0[0], x0[0] + 1.0])
    try:
        v, g = np.asarray(value(probe)), np.asarray(grad(probe))
        if v.shape == (2,) and g.shape == probe.shape:
            return True
    except Exception:  # a one-point function may reject a batch in any way
        pass
    try:
        v, g = np.asarray(value(probe[0])), np.asarray(grad(probe[0]))
        if v.shape == () and g.shape == probe[0].shape:
            return False
    except Exception as exc:
        raise ValueError(f"value/grad accept neither a (n, d) batch nor one (d,) point ({exc}); "
                         f"pass batched=True or batched=False") from exc
    raise ValueError("value/grad return shapes fitting neither a batch ((n,), (n, d)) nor one point "
                     "((), (d,)); pass batched=True or batched=False")


def batch_value(value: Callable) -> Callable:
    """A one-point ``value`` as a batched one, row by row."""
    return lambda X: np.array([float(value(x)) for x in X])


def batch_grad(grad: Callable) -> Callable:
    """A one-point ``grad`` as a batched one, row by row."""
    return lambda X: np.stack([np.asarray(grad(x), dtype=float) for x in X])


def batch_hvp(hvp: Callable) -> Callable:
    """A one-point ``hvp(x, v)`` as a batched one, row by row."""
    return lambda X, V: np.stack([np.asarray(hvp(x, v), dtype=float) for x, v in zip(X, V)])


def finite_difference_hvp(grad: Callable) -> Callable:
    """Batched Hessian-vector products by central differences of a batched gradient."""
    def hvp(X: np.ndarray, V: np.ndarray) -> np.ndarray:
        vn = np.linalg.norm(V, axis=1, keepdims=True)
        h = FD_STEP * (1.0 + np.linalg.norm(X, axis=1, keepdims=True)) / np.where(vn > 0, vn, 1.0)
        return (grad(X + h * V) - grad(X - h * V)) / (2 * h)
    return hvp


def _row(fn: Callable, X: np.ndarray, i: int) -> Callable:
    """Problem i's part of a batched function of one argument, other rows held at X."""
    def f(x, *extra):
        Z = X.copy()
        Z[i] = x
        args = [Z] + [np.where(np.arange(X.shape[0])[:, None] == i, e, 0.0) for e in extra]
        return fn(*args)[i]
    return f


# -- the batch -------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class FunctionBatch(ProblemBatch):
    """Problems given by (batched) value, gradient and Hessian-vector-product functions."""

    value_fn: Callable   # (n, d) -> (n,)
    grad_fn: Callable    # (n, d) -> (n, d)
    hvp_fn: Callable     # ((n, d), (n, d)) -> (n, d)
    x_star_method: str = ""

    def value(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.value_fn(x), dtype=float)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.grad_fn(x), dtype=float)

    def hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(self.hvp_fn(x, v), dtype=float)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """From d Hessian-vector products (finite differences unless an ``hvp`` was given)."""
        cols = [self.hvp(x, np.broadcast_to(e, x.shape)) for e in np.eye(self.d)]
        H = np.stack(cols, axis=2)
        return 0.5 * (H + np.swapaxes(H, 1, 2))

    def take(self, indices) -> "FunctionBatch":
        """Problems ``indices``; the batched functions are re-indexed (row by row)."""
        idx = np.asarray(indices, dtype=np.int64)
        sub = super().take(idx)
        full = self.x_star

        def lift(fn, nargs):
            def taken(*args):
                out = []
                for j, i in enumerate(idx):
                    rows = [full.copy() for _ in range(nargs)]
                    for r, a in zip(rows, args):
                        r[i] = a[j]
                    out.append(np.asarray(fn(*rows))[i])
                return np.stack(out)
            return taken

        return dataclasses.replace(sub, value_fn=lift(self.value_fn, 1), grad_fn=lift(self.grad_fn, 1),
                                   hvp_fn=lift(self.hvp_fn, 2))


# -- x* and the constants -------------------------------------------------------------------------

def minimizer_paths(value: Callable, grad: Callable, hvp: Callable, x0: np.ndarray, *,
                    gtol: float = 1e-12, maxiter: int = 1000) -> list[np.ndarray]:
    """Minimize each problem with ``scipy.optimize.minimize(method="trust-ncg")`` from ``x0``,
    then polish by up to 8 Newton steps (``scipy.sparse.linalg.cg`` on the Hessian-vector
    products) while the gradient norm decreases.

    The polish matters near the minimizer, where decreases of f fall below its rounding
    and a trust region stops accepting steps.  Returns each problem's accepted iterates,
    (k_i, d) from ``x0[i]`` to its minimizer (the last row).
    """
    from scipy.optimize import minimize
    from scipy.sparse.linalg import LinearOperator, cg

    n, d = x0.shape
    x_star = x0.copy()
    paths = []
    for i in range(n):
        f, g, hp = _row(value, x_star, i), _row(grad, x_star, i), _row(hvp, x_star, i)
        path = [x0[i].copy()]

        def accept(xk, path=path):  # trust-ncg reports every iteration, rejected steps too
            if not np.array_equal(xk, path[-1]):
                path.append(np.array(xk, dtype=float))

        x = minimize(f, x0[i], jac=g, hessp=hp, method="trust-ncg", options=dict(gtol=gtol, maxiter=maxiter),
                     callback=accept).x
        accept(x)
        gx = g(x)
        for _ in range(8):
            if np.linalg.norm(gx) <= gtol:
                break
            op = LinearOperator((d, d), matvec=lambda v, xi=x: hp(xi, np.ravel(v)), dtype=float)
            step, _info = cg(op, -gx, rtol=1e-14, atol=0.0, maxiter=10 * d)
            g_new = g(x + step)
            if not np.linalg.norm(g_new) < np.linalg.norm(gx):
                break
            x, gx = x + step, g_new
            path.append(x)
        x_star[i] = x
        paths.append(np.array(path))
    return paths


def solve_accuracy(g_star: np.ndarray, gtol: float) -> tuple[np.ndarray, str]:
    """The gradient norms reached at the minimizers (n,) from the gradients there, and a sentence
    stating the method and the accuracy."""
    gnorm = np.linalg.norm(g_star, axis=1)
    method = (f"scipy.optimize.minimize(method='trust-ncg', gtol={gtol:g}) and Newton-CG polish per problem: "
              f"||grad f(x*)|| <= {gnorm.max():.2e}")
    return gnorm, method


def solve_minimizers(value: Callable, grad: Callable, hvp: Callable, x0: np.ndarray, *,
                     gtol: float = 1e-12, maxiter: int = 1000) -> tuple[np.ndarray, np.ndarray, str]:
    """The minimizers (n, d) found by :func:`minimizer_paths`, the gradient norms reached (n,),
    and a sentence stating the method and the accuracy."""
    x_star = np.stack([p[-1] for p in minimizer_paths(value, grad, hvp, x0, gtol=gtol, maxiter=maxiter)])
    return (x_star, *solve_accuracy(np.asarray(grad(x_star), dtype=float), gtol))


def extreme_curvature(hvp: Callable, x: np.ndarray, *, tol: float = 1e-10, rng: np.random.Generator | int = 0
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    r"""Smallest and largest Hessian eigenvalue at each row of ``x`` (n, d), by Lanczos, and their
    unit eigenvectors.

    ``scipy.sparse.linalg.eigsh(k=1, which="LA", tol=tol)`` on the operator
    :math:`v \mapsto \nabla^2 f(x_i) v`, then on :math:`L I - \nabla^2 f(x_i)` for the
    smallest; dense eigenvalues of the d-product Hessian when d <= 3.  Returns
    ``(mu, L, v_mu, v_L, method)``; the values are those of the Hessian at ``x`` only.
    """
    from scipy.sparse.linalg import LinearOperator, eigsh

    rng = np.random.default_rng(rng)
    n, d = x.shape
    mu, L = np.empty(n), np.empty(n)
    v_mu, v_L = np.empty((n, d)), np.empty((n, d))
    for i in range(n):
        prod = _row(hvp, x, i)
        if d <= 3:
            H = np.stack([prod(x[i], e) for e in np.eye(d)], axis=1)
            eig, vec = np.linalg.eigh(0.5 * (H + H.T))
            mu[i], L[i], v_mu[i], v_L[i] = eig[0], eig[-1], vec[:, 0], vec[:, -1]
            continue
        op = LinearOperator((d, d), matvec=lambda v, p=prod, xi=x[i]: p(xi, np.ravel(v)), dtype=float)
        top, vec = eigsh(op, k=1, which="LA", tol=tol, v0=rng.standard_normal(d))
        L[i], v_L[i] = top[0], vec[:, 0]
        shifted = LinearOperator((d, d), matvec=lambda v, o=op, top=L[i]: top * np.ravel(v) - o.matvec(v),
                                 dtype=float)
        gap, vec = eigsh(shifted, k=1, which="LA", tol=tol, v0=rng.standard_normal(d))
        mu[i], v_mu[i] = L[i] - gap[0], vec[:, 0]
    method = "dense eigenvalues of the Hessian from d products" if d <= 3 else f"Lanczos (eigsh, tol {tol:g})"
    return mu, L, v_mu, v_L, method


def estimate_curvature(hvp: Callable, x: np.ndarray, *, tol: float = 1e-10,
                       rng: np.random.Generator | int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """Smallest and largest Hessian eigenvalue at each row of ``x`` (n, d) (:func:`extreme_curvature`):
    ``(mu, L, method)``, the values of the Hessian at ``x`` only."""
    mu, L, _, _, method = extreme_curvature(hvp, x, tol=tol, rng=rng)
    return mu, L, method


# -- builders -----------------------------------------------------------------------------------

def problem_from_functions(
    value: Callable,
    grad: Callable,
    x0,
    *,
    mu=None,
    L=None,
    estimate: bool = False,
    hvp: Callable | None = None,
    batched: bool | None = None,
    gtol: float = 1e-12,
    tol: float = 1e-10,
    constants_source: str = "given",
) -> FunctionBatch:
    r"""A batch of problems from your f and gradient (see the module doc).

    Parameters
    ----------
    value, grad : f and its gradient, batched ((n, d) -> (n,), (n, d) -> (n, d)) or for one
        point ((d,) -> float, (d,) -> (d,)); ``batched`` says which (None: detected by the
        shapes returned on a probe)
    x0 : (d,) or (n, d) starting guesses for the minimizer, one per problem
    mu, L : known bounds 0 < mu <= L (scalars or (n,)) holding on all of R^d; or
    estimate : True to estimate them at x* (local values, flagged) instead
    hvp : Hessian-vector product ``hvp(x, v)`` in the same form as ``grad``; default central
        differences of ``grad``
    gtol : gradient-norm target of the x* solve
    tol : Lanczos tolerance when estimating
    constants_source : how given mu, L were obtained, shown with every result (default "given")

    Raises
    ------
    ValueError
        for bad arguments, before any work; and for f and grad that contradict strong convexity,
        smoothness, the given mu and L or each other (module doc), naming what was measured where.
    """
    x0 = np.atleast_2d(np.asarray(x0, dtype=float))
    if x0.ndim != 2 or x0.shape[1] < 1 or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a finite (d,) or (n, d) array with d >= 1, got shape {x0.shape}")
    n = x0.shape[0]
    gtol = float(positive("gtol", gtol))
    tol = float(positive("tol", tol))
    if estimate == (mu is not None or L is not None):
        raise ValueError("give both mu and L (known bounds), or estimate=True, not both and not neither")
    if not estimate and (mu is None or L is None):
        raise ValueError("mu and L must both be given (or pass estimate=True)")
    if batched is None:
        batched = detect_batched(value, grad, x0)
    if batched:
        value_b, grad_b = value, grad
        hvp_b = hvp
    else:
        value_b, grad_b = batch_value(value), batch_grad(grad)
        hvp_b = batch_hvp(hvp) if hvp is not None else None
    hvp_source = "user hvp" if hvp is not None else "HVP by central differences of the gradient"
    if hvp_b is None:
        hvp_b = finite_difference_hvp(grad_b)
    mu_a = L_a = None  # given bounds, checked below; None: estimated at x* after the solve
    if not estimate:
        mu_a, L_a = curvature_pair(per_problem("mu", mu, n), per_problem("L", L, n))
    rng = np.random.default_rng(0)  # the probe directions
    f0, g0 = np.asarray(value_b(x0), dtype=float), np.asarray(grad_b(x0), dtype=float)
    if not (np.all(np.isfinite(f0)) and np.all(np.isfinite(g0))):
        raise ValueError("value and grad must be finite at x0")
    # before the solve, around x0: grad is f's gradient and the curvature lies in [mu, L]
    # (estimated constants: f is convex there); R0 bounds ||x*|| by strong convexity
    R0 = np.linalg.norm(x0, axis=1) + (0.0 if estimate else np.linalg.norm(g0, axis=1) / mu_a)
    check_point(value_b, grad_b, x0, f0, g0, probe_directions(hvp_b, x0, g0, rng), mu_a, L_a, R0, "x0")
    paths = minimizer_paths(value_b, grad_b, hvp_b, x0, gtol=gtol)
    x_star = np.stack([p[-1] for p in paths])
    f_star, g_star = np.asarray(value_b(x_star), dtype=float), np.asarray(grad_b(x_star), dtype=float)
    gnorm, method = solve_accuracy(g_star, gtol)
    eigenvectors = None
    if estimate:
        mu_x, L_x, v_mu, v_L, how = extreme_curvature(hvp_b, x_star, tol=tol)
        if np.any(~np.isfinite(mu_x)) or np.any(mu_x <= 0):
            raise ValueError(f"the estimated Hessian at x* is not positive definite (smallest eigenvalue "
                             f"{mu_x.min():.3g}): f is not strongly convex there")
        constants_source = f"estimated ({how} at x*, {hvp_source}; {LOCAL_WARNING})"
        eigenvectors = (v_mu, v_L)
    # after it: f decreased, and the curvature along every step of the solve and around x*
    # lies in [mu, L] (estimated constants: f is convex there)
    R = np.linalg.norm(x_star, axis=1)
    check_descent(f0, f_star, g0, g_star, x0, x_star, L_x if estimate else L_a, R)
    check_path(grad_b, paths, mu_a, L_a, R)
    check_point(value_b, grad_b, x_star, f_star, g_star, probe_directions(hvp_b, x_star, g_star, rng, eigenvectors),
                mu_a, L_a, R, "x*")
    if estimate:
        mu_a, L_a = mu_x, L_x
    return FunctionBatch(
        x_star=x_star, f_star=f_star, mu=mu_a, L=L_a, mu_exact=False, L_exact=False,
        constants_source=constants_source, x_star_error=gnorm / mu_a,
        value_fn=value_b, grad_fn=grad_b, hvp_fn=hvp_b, x_star_method=method,
    )


def quadratic_problem(A, b=None, c=0.0) -> QuadraticBatch:
    r""":math:`f(x) = \tfrac12 x^\top A x - b^\top x + c` with A symmetric positive definite,
    (d, d) or (n, d, d); b (d,) or (n, d) (default 0).

    mu and L are A's extreme eigenvalues (exact); :math:`x^* = A^{-1} b` by a linear
    solve and :math:`f^* = c - \tfrac12 b^\top x^*`.  The batch represents f around this
    x* (to the rounding of the solve, about cond(A) eps).
    """
    A = np.asarray(A, dtype=float)
    A = A[None] if A.ndim == 2 else A
    if A.ndim != 3 or A.shape[1] != A.shape[2] or not np.all(np.isfinite(A)):
        raise ValueError(f"A must be a finite (d, d) or (n, d, d) array, got shape {A.shape}")
    if not np.array_equal(A, np.swapaxes(A, 1, 2)):
        raise ValueError("A must be symmetric")
    n, d, _ = A.shape
    b = np.zeros((n, d)) if b is None else batch_array("b", np.broadcast_to(np.asarray(b, dtype=float), (n, d)),
                                                      (n, d))
    eig = np.linalg.eigvalsh(A)
    if np.any(eig[:, 0] <= 0):
        raise ValueError(f"A must be positive definite, smallest eigenvalue {eig[:, 0].min():.3g}")
    x_star = np.linalg.solve(A, b[..., None])[..., 0]
    f_star = per_problem("c", c, n) - 0.5 * np.einsum("ni,ni->n", b, x_star)
    return QuadraticBatch(x_star=x_star, f_star=f_star, mu=eig[:, 0].copy(), L=eig[:, -1].copy(), A=A.copy(),
                          eigenvalues=eig, constants_source="exact (eigenvalues of A)")
