r"""Checks that your f and gradient are what :func:`~memgd.solvers.problems.problem_from_functions`
is told they are: a gradient of f, of a convex f, inside the given curvature bounds.

A differentiable f is :math:`\mu`-strongly convex and L-smooth on :math:`\mathbb R^d` exactly
when, for all x, y (Nesterov, *Lectures on Convex Optimization*, 2018, §2.1: the lower
inequality is strong convexity, the upper one L-smoothness once f is convex),

.. math::

   \mu \|y - x\|^2 \le \langle \nabla f(y) - \nabla f(x),\, y - x\rangle \le L \|y - x\|^2,

that is, every **secant curvature** :math:`q(x, y) = \langle \nabla f(y) - \nabla f(x), y - x\rangle
/ \|y - x\|^2` lies in :math:`[\mu, L]`; and then, for every step a - x,

.. math::

   \tfrac\mu2 \|a - x\|^2 \le f(a) - f(x) - \langle \nabla f(x), a - x\rangle \le \tfrac L2 \|a - x\|^2 .

Subtracting the second for b from it for a gives the **gradient check** at x used here, on a
central pair :math:`a, b = x \pm h v` (unit v, :math:`h = \varepsilon^{1/3}(1 + \|x\|)`):

.. math::

   \tfrac12(\mu \|a - x\|^2 - L \|b - x\|^2) \le f(a) - f(b) - \langle \nabla f(x), a - b\rangle
   \le \tfrac12(L \|a - x\|^2 - \mu \|b - x\|^2),

which a gradient of another function (a sign, a factor, a missing term) or a kink at x breaks
by the size of the error times 2h, while a correct one meets it to rounding.

Both are measured on the points :func:`~memgd.solvers.problems.problem_from_functions` evaluates: every pair of
consecutive iterates of the x* solve (a concave f's solve climbs to its maximum; a kink shows as
a secant curvature that grows without bound as the iterates close in on it), and pairs
:math:`x \pm h v` around x0 (before the solve) and x* with v along the gradient, a random
direction and the Hessian's approximate extreme eigenvectors (:func:`ritz_directions`).  They
are necessary conditions on finitely many points: passing them does not prove the bounds,
failing them disproves them, and the error names the point and the value measured.  With
``mu=None, L=None`` (estimated constants) only convexity (:math:`q \ge 0`) is enforced, and the
curvature scale of the gradient check is the largest curvature measured there.

**Rounding.**  Every comparison allows the rounding of the arithmetic it rests on, bounded as
in Higham, *Accuracy and Stability of Numerical Algorithms* (2002), (3.4)-(3.5): a length-k
inner product errs by at most :math:`\gamma_k \sum_i |a_i b_i|`, :math:`\gamma_k = ku / (1 - ku)`,
u = eps/2.  Your f and gradient are modelled as a quadratic's,
:math:`\nabla f(x) = H (x - x^*)` and :math:`f(x) = \tfrac12 x^\top H x - (H x^*)^\top x + c` with
:math:`\|H\| \le L` and :math:`\|x^*\| \le R`: the gradient's terms total at most
:math:`S(x) = \sqrt d\,(\|\nabla f(x)\| + L(\|x\| + R))` (:math:`\||H|\|_2 \le \sqrt d \|H\|_2`;
the :math:`\|\nabla f(x)\|` term covers a bounded non-linear part), f's at most
:math:`F(x) = |f(x)| + 2\|x\| S(x)`, so a computed gradient errs by at most
:math:`\gamma_{d+8} S(x)` in norm and a computed f by :math:`\gamma_{2d+8} F(x)` (x'Hx is two
nested length-d sums; the 8 further roundings are the shift and the elementwise functions of a
non-quadratic f, exp, log1p, tanh, each accurate to an ulp or two: ``EXTRA_OPS``).  On 1,440
problems with known mu and L (quadratics with attained extreme eigenvalues, d up to 150,
condition numbers up to 1e7, x* up to 1e6 from the origin; tilted logistic and Huber; finite
sums; logistic regression with m up to 500) the largest rounding met was 13% of its allowance
in a secant curvature and 7% in the gradient check; none was refused.  :math:`R = \|x^*\|` after the solve and :math:`\|x_0\| + \|\nabla f(x_0)\|/\mu`
before it (strong convexity: :math:`\|x_0 - x^*\| \le \|\nabla f(x_0)\| / \mu`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

EPS = np.finfo(float).eps
U = EPS / 2  # unit roundoff
#: roundings allowed besides a quadratic's inner products: the shift, and elementwise functions
#: (exp, log1p, tanh, a clip) each accurate to an ulp or two in a non-quadratic f or gradient
EXTRA_OPS = 8
#: probe step factor, as for the central-difference Hessian-vector products: h = FD_STEP (1 + ||x||)
FD_STEP = EPS ** (1.0 / 3.0)


def gamma(k: int) -> float:
    r"""Higham's :math:`\gamma_k = k u / (1 - k u)`: the relative error bound of k roundings."""
    return k * U / (1 - k * U)


def _norm(X: np.ndarray) -> np.ndarray:
    return np.linalg.norm(X, axis=-1)


def _dot(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", X, Y)


def gradient_rounding(gnorm: np.ndarray, xnorm: np.ndarray, d: int, L: np.ndarray, R: np.ndarray) -> np.ndarray:
    r"""Bound on the error of a computed gradient of norm ``gnorm`` at a point of norm ``xnorm``:
    :math:`\gamma_{d+8} S(x)` (module doc)."""
    return gamma(d + EXTRA_OPS) * np.sqrt(d) * (gnorm + L * (xnorm + R))


def value_rounding(f: np.ndarray, g: np.ndarray, x: np.ndarray, L: np.ndarray, R: np.ndarray) -> np.ndarray:
    r"""Bound on the error of a computed f at x (rows), g the gradient there:
    :math:`\gamma_{2d+8} F(x)` (module doc)."""
    d = x.shape[-1]
    S = np.sqrt(d) * (_norm(g) + L * (_norm(x) + R))
    return gamma(2 * d + EXTRA_OPS) * (np.abs(f) + 2 * _norm(x) * S)


def secant_curvature(xa: np.ndarray, xb: np.ndarray, ga: np.ndarray, gb: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Secant curvatures q = <ga - gb, xa - xb> / ||xa - xb||^2 of the rows (NaN where xa == xb),
    with ||xa - xb|| and ||ga - gb|| for :func:`secant_rounding`."""
    s, y = xa - xb, ga - gb
    ss = _dot(s, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(ss > 0, _dot(y, s) / np.where(ss > 0, ss, 1.0), np.nan)
    return q, np.sqrt(ss), _norm(y)


def secant_rounding(q: np.ndarray, snorm: np.ndarray, ynorm: np.ndarray, err_a: np.ndarray, err_b: np.ndarray,
                    d: int) -> np.ndarray:
    r"""Bound on the rounding of a computed secant curvature q (NaN where snorm = 0).

    The gradients' errors err_a + err_b move the numerator by at most (err_a + err_b) ||s||,
    i.e. q by (err_a + err_b) / ||s||; forming s (one subtraction), the length-d inner products
    and the quotient add :math:`\gamma_{d+3}` relative to their terms, 2 (||y|| / ||s|| + |q|).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        tol = (err_a + err_b) / snorm + gamma(d + 3) * 2 * (ynorm / snorm + np.abs(q))
    return np.where(snorm > 0, tol, np.nan)


def _first(bad: np.ndarray) -> int:
    return int(np.flatnonzero(bad)[0])


def refuse_curvature(q: np.ndarray, tol: np.ndarray, mu: np.ndarray, L: np.ndarray | None, where: str) -> None:
    """ValueError when a secant curvature (rows: problems) lies below mu or above L beyond its
    rounding bound; ``L=None``: no upper bound (estimated constants)."""
    with np.errstate(invalid="ignore"):
        low = q < mu - tol
        high = np.zeros_like(low) if L is None else q > L + tol
    if np.any(low):
        i = _first(low)
        what = ("negative: f is not convex (concave along this direction)" if q[i] < 0 else
                f"below the given mu = {mu[i]:.6g}: f is not mu-strongly convex (mu too large)")
        raise ValueError(f"problem_from_functions: problem {i}: the secant curvature <g(y) - g(x), y - x> / "
                         f"||y - x||^2 is {q[i]:.6g} {where}, {what} (rounding allowance {tol[i]:.2g})")
    if np.any(high):
        i = _first(high)
        raise ValueError(f"problem_from_functions: problem {i}: the secant curvature <g(y) - g(x), y - x> / "
                         f"||y - x||^2 is {q[i]:.6g} {where}, above the given L = {L[i]:.6g}: the gradient is "
                         f"not L-Lipschitz (L too small, or a kink: f not differentiable there) "
                         f"(rounding allowance {tol[i]:.2g})")


def refuse_gradient(x: np.ndarray, gx, a, b, fa, fb, ga, gb, mu, L, R, where: str) -> None:
    """ValueError when f(a) - f(b) - <g(x), a - b> leaves the interval the curvature bounds allow
    (module doc), widened by the rounding of every term."""
    ra, rb = _dot(a - x, a - x), _dot(b - x, b - x)
    D = (fa - fb) - _dot(gx, a - b)
    lo, hi = 0.5 * (mu * ra - L * rb), 0.5 * (L * ra - mu * rb)
    d = x.shape[-1]
    ab = _norm(a - b)
    # f(a), f(b) and g(x) as computed (module doc), the inner product <g, a - b> and the two
    # subtractions forming D, the squared norms ra, rb in the interval's ends
    tol = (value_rounding(fa, ga, a, L, R) + value_rounding(fb, gb, b, L, R)
           + ab * (gradient_rounding(_norm(gx), _norm(x), d, L, R) + gamma(d + 2) * _norm(gx))
           + U * (np.abs(fa) + np.abs(fb) + np.abs(D)) + gamma(d + 2) * L * (ra + rb))
    bad = (D < lo - tol) | (D > hi + tol) | ~np.isfinite(D)
    if np.any(bad):
        i = _first(bad)
        h = 0.5 * ab[i]
        raise ValueError(f"problem_from_functions: problem {i}: grad is not the gradient of value {where}: "
                         f"f(x + h v) - f(x - h v) - <grad(x), 2 h v> = {D[i]:.3g} "
                         f"with h = {h:.2g}, outside [{lo[i]:.3g}, {hi[i]:.3g}] (the most the curvature "
                         f"bounds allow, rounding allowance {tol[i]:.2g}): a wrong gradient, or a kink at x")


def unit_directions(gx: np.ndarray, rng: np.random.Generator,
                    *extra: tuple[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """Probe directions per problem: the gradient's (a random one where it vanishes), a random
    one, and any ``extra`` (label, (n, d) directions); every row normalized."""
    n, d = gx.shape
    rand = rng.standard_normal((2, n, d))
    gn = _norm(gx)[:, None]
    along_g = np.where(gn > 0, gx / np.where(gn > 0, gn, 1.0), rand[1])
    out = [("the gradient's direction (random where grad vanishes)", along_g), ("a random direction", rand[0])]
    out += [(label, v) for label, v in extra]
    return [(label, v / _norm(v)[:, None]) for label, v in out]


def ritz_directions(hvp: Callable, x: np.ndarray, rng: np.random.Generator, steps: int = 12
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Approximate bottom and top eigenvectors of the Hessian at each row of ``x``: Ritz vectors
    of a ``min(d, steps)``-dimensional Krylov space from a random start (Lanczos with full
    reorthogonalization, all problems at once: one batched ``hvp`` call per step).

    Only the probe directions come from here; the curvature along them is measured by secants.
    """
    n, d = x.shape
    k = min(d, steps)
    Q, W = np.zeros((n, k, d)), np.zeros((n, k, d))

    def orthogonalize(v, j):  # classical Gram-Schmidt twice: orthonormal to rounding
        for _ in range(2):
            v = v - np.einsum("nk,nkd->nd", np.einsum("nkd,nd->nk", Q[:, :j], v), Q[:, :j])
        return v

    v = rng.standard_normal((n, d))
    for j in range(k):
        before = _norm(v)
        v = orthogonalize(v, j)
        stuck = ~(_norm(v) > 1e-8 * before)  # the Krylov space is invariant: go on from a random vector
        if np.any(stuck):
            v[stuck] = orthogonalize(rng.standard_normal((n, d)), j)[stuck]
        Q[:, j] = v / _norm(v)[:, None]
        W[:, j] = np.asarray(hvp(x, Q[:, j]), dtype=float)
        v = W[:, j].copy()
    T = np.einsum("nid,njd->nij", Q, W)
    _, Y = np.linalg.eigh(0.5 * (T + np.swapaxes(T, 1, 2)))
    return np.einsum("nk,nkd->nd", Y[:, :, 0], Q), np.einsum("nk,nkd->nd", Y[:, :, -1], Q)


def probe_directions(hvp: Callable, x: np.ndarray, gx: np.ndarray, rng: np.random.Generator,
                     eigenvectors: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[str, np.ndarray]]:
    """The probe directions at x (rows): :func:`unit_directions` with the Hessian's bottom and top
    eigenvectors (``eigenvectors``, or approximate ones from :func:`ritz_directions`)."""
    v_mu, v_L = ritz_directions(hvp, x, rng) if eigenvectors is None else eigenvectors
    return unit_directions(gx, rng, ("the Hessian's approximate top eigenvector", v_L),
                           ("the Hessian's approximate bottom eigenvector", v_mu))


def check_point(value: Callable, grad: Callable, x: np.ndarray, fx: np.ndarray, gx: np.ndarray,
                directions: list[tuple[str, np.ndarray]], mu: np.ndarray | None, L: np.ndarray | None,
                R: np.ndarray, name: str) -> None:
    """The secant curvature and the gradient check on the pair x +- h v for each direction v;
    ``name`` names the point x in errors.

    ``mu, L``: the given bounds, or None for estimated constants (convexity only; the scale of
    the gradient check and of the rounding is then the largest curvature measured here).
    """
    h = (FD_STEP * (1.0 + _norm(x)))[:, None]
    pairs = []
    for label, v in directions:
        a, b = x + h * v, x - h * v
        fa, fb = np.asarray(value(a), dtype=float), np.asarray(value(b), dtype=float)
        ga, gb = np.asarray(grad(a), dtype=float), np.asarray(grad(b), dtype=float)
        if not (np.all(np.isfinite(fa)) and np.all(np.isfinite(fb))
                and np.all(np.isfinite(ga)) and np.all(np.isfinite(gb))):
            raise ValueError(f"problem_from_functions: value or grad is not finite near {name} ({label})")
        pairs.append((label, a, b, fa, fb, ga, gb))
    d = x.shape[-1]
    secants = [secant_curvature(a, b, ga, gb) for _, a, b, _, _, ga, gb in pairs]
    # estimated constants: the largest curvature seen here sets the scale
    scale = np.nanmax(np.abs([q for q, _, _ in secants]), axis=0) if L is None else L
    lower = np.zeros(x.shape[0]) if mu is None else mu
    for (label, a, b, fa, fb, ga, gb), (q, sn, yn) in zip(pairs, secants):
        tol = secant_rounding(q, sn, yn, gradient_rounding(_norm(ga), _norm(a), d, scale, R),
                              gradient_rounding(_norm(gb), _norm(b), d, scale, R), d)
        refuse_curvature(q, tol, lower, L, f"between {name} - h v and {name} + h v (v: {label})")
        refuse_gradient(x, gx, a, b, fa, fb, ga, gb, lower, scale, R, f"at {name} (v: {label})")


def check_path(grad: Callable, paths: list[np.ndarray], mu: np.ndarray | None, L: np.ndarray | None,
               R: np.ndarray) -> None:
    """The secant curvature between consecutive iterates of each problem's solve (``paths[i]``:
    (k_i, d), from x0 to x*, the shorter ones held at their end); one batched gradient call per
    step index, keeping only per-step norms (memory O(n d + n k))."""
    n, d = len(paths), paths[0].shape[1]
    K = max(len(p) for p in paths)

    def at(k: int) -> np.ndarray:
        return np.stack([p[min(k, len(p) - 1)] for p in paths])

    x_prev = at(0)
    g_prev = np.asarray(grad(x_prev), dtype=float)
    steps = []  # per step: q, ||s||, ||y||, and the gradient and point norms at both ends
    for k in range(1, K):
        x_k = at(k)
        g_k = np.asarray(grad(x_k), dtype=float)
        if not np.all(np.isfinite(g_k)):
            raise ValueError(f"problem_from_functions: grad is not finite at iterate {k} of the x* solve")
        q, sn, yn = secant_curvature(x_k, x_prev, g_k, g_prev)
        steps.append((q, sn, yn, _norm(g_k), _norm(x_k), _norm(g_prev), _norm(x_prev)))
        x_prev, g_prev = x_k, g_k
    if not steps:
        return
    q, sn, yn, ga, xa, gb, xb = (np.array(column) for column in zip(*steps))  # each (K - 1, n)
    scale = np.nanmax(np.abs(np.nan_to_num(q)), axis=0) if L is None else L  # estimated: the largest seen
    tol = secant_rounding(q, sn, yn, gradient_rounding(ga, xa, d, scale, R), gradient_rounding(gb, xb, d, scale, R), d)
    lower = np.zeros(n) if mu is None else mu
    for k in range(K - 1):  # the first offending step, in the solver's order
        refuse_curvature(q[k], tol[k], lower, L, f"between iterates {k} and {k + 1} of the x* solve")


def check_descent(f0: np.ndarray, f_star: np.ndarray, g0, gs, x0, x_star, L, R) -> None:
    """ValueError unless f(x*) <= f(x0) up to the rounding of the two values."""
    tol = value_rounding(f0, g0, x0, L, R) + value_rounding(f_star, gs, x_star, L, R)
    bad = ~(f_star <= f0 + tol)
    if np.any(bad):
        i = _first(bad)
        raise ValueError(f"problem_from_functions: problem {i}: the solve ended at f(x*) = {f_star[i]:.6g} > "
                         f"f(x0) = {f0[i]:.6g}: f is not convex (x* is a stationary point that is not a "
                         f"minimum, e.g. a concave f's maximum)")
