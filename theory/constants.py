r"""Theorem 1 / 1b constants as vectorized NumPy functions (parameters by name).

Every function is keyword-only, broadcasts its array arguments, and returns a Python
float for scalar input (an ``ndarray`` otherwise).  The numbers come from the sympy
expressions of :mod:`memgd.theory.theorem` and :mod:`memgd.theory.derived` through
:func:`memgd.theory.lambdify.numpy_function`; this module only validates inputs and marks
where a theorem says nothing:

- a rate is the root of lemma L6's characteristic equation, rounded upward
  (:func:`memgd.theory.halanay.halanay_root`), and ``inf`` wherever a hypothesis fails (never a
  number >= 1 passed off as a bound); the step hypothesis is checked with a relative margin of
  :data:`STEP_MARGIN`, so a step at its edge in floating point counts as outside (safe side);
- ``alpha_max`` is ``0.0`` when no step is admissible (the admissible set is empty);
- ``optimal_step`` is ``nan`` when no step is admissible;
- ``iteration_count`` is ``inf`` for a vacuous rate.

``theorem`` selects ``"1"`` (Theorem 1) or ``"1b"`` (variant 1b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory.derived import ALPHA_MAX_1, ALPHA_MAX_1B, ALPHA_VERTEX_1, EXCESS_1, ITERATIONS, STEP_LIMIT, rho
from memgd.theory.constants2 import iterations2, rate2, transient2
from memgd.theory.halanay import UNIT, halanay_root, optimal_root
from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_hi, s_lo
from memgd.theory.symbols import eps as EPS
from memgd.theory.theorem import THEOREM_1, THEOREM_1B, Theorem
from memgd.theory.validate import as_output, check

_STATIC = (mu, L, s_lo, s_hi, B, W, T)          # parameters without the step
_WITH_STEP = (mu, L, alpha, s_lo, s_hi, B, W, T)
#: Relative margin on the step hypothesis alpha s_hi (mu + L) <= 2: covers the rounding of the product.
STEP_MARGIN = 8 * UNIT
#: Relative margin on log(eps)/log(rho): two logarithms (a few ulps each) and a division.
LOG_MARGIN = 16 * UNIT


def _theorem(theorem: str) -> Theorem:
    if theorem == "1":
        return THEOREM_1
    if theorem == "1b":
        return THEOREM_1B
    raise ValueError(f"theorem must be '1' or '1b', got {theorem!r}")


def _hypotheses(th: Theorem, values: dict[str, np.ndarray]) -> np.ndarray:
    """Elementwise truth of ``th``'s hypotheses, on the safe side: s_lo > 0, the step hypothesis with the
    margin :data:`STEP_MARGIN`; p + q < 1 is decided by the root itself (``inf`` when it fails)."""
    v = values
    positive = v["s_lo"] > 0
    step = v["alpha"] * v["s_hi"] * (v["mu"] + v["L"]) <= 2.0 * (1.0 - STEP_MARGIN)
    return positive & step


def _root(th: Theorem, values: dict[str, np.ndarray]) -> np.ndarray:
    """The rate of ``th`` at the given step: the root of L6, rounded upward (inf where p + q >= 1)."""
    p = numpy_function(th.p, _WITH_STEP)(**values)
    q = numpy_function(th.q, _WITH_STEP)(**values)
    D = numpy_function(th.delay, _WITH_STEP)(**values)
    ok = np.isfinite(p) & (p >= 0) & (p <= 1) & np.isfinite(q) & (q >= 0)
    return np.where(ok, np.asarray(halanay_root(p=np.where(ok, p, 0.5), q=np.where(ok, q, 0.0), D=D)), np.inf)


def _static_admissible(th: Theorem, values: dict[str, np.ndarray]) -> np.ndarray:
    """Whether some alpha > 0 satisfies ``th``'s hypotheses: Theorem 1 iff s_lo > 0;
    1b iff s_lo > 0 and 2 L B < s_lo mu (lemmas 'admissible step')."""
    ok = values["s_lo"] > 0
    if th is THEOREM_1B:
        ok = ok & (2 * values["L"] * values["B"] < values["s_lo"] * values["mu"])
    return ok


def rate(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike,
         B: ArrayLike, W: ArrayLike, T: ArrayLike, theorem: str = "1") -> float | np.ndarray:
    r"""Bound rho(alpha) of the chosen theorem, rounded upward; ``inf`` where a hypothesis fails.

    Theorem 1: the root in (0, 1) of :math:`\rho^{2T+1} = p\rho^{2T} + \alpha^2L^2BWT`;
    1b: of :math:`\rho^{T+1} = p\rho^T + 2\alpha LB`; :math:`p = 1 - \alpha s_{lo}\mu` (lemma L6).
    """
    th = _theorem(theorem)
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    value = _root(th, v)
    ok = _hypotheses(th, v) & np.isfinite(value) & (value >= 0) & (value < 1)
    return as_output(np.where(ok, value, np.inf))


def window_rate(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike,
                B: ArrayLike, W: ArrayLike, T: ArrayLike, theorem: str = "1") -> float | np.ndarray:
    r"""The earlier, looser form of the rate, :math:`(p+q)^{1/(D+1)}` (a remark: it is >= :func:`rate`);
    ``inf`` where a hypothesis fails.  Kept to measure what the tight root of L6 gains."""
    th = _theorem(theorem)
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    value = numpy_function(th.window_rate, _WITH_STEP)(**v)
    ok = _hypotheses(th, v) & np.isfinite(value) & (value >= 0) & (value < 1)
    return as_output(np.where(ok, value, np.inf))


def alpha_max(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike, B: ArrayLike,
              W: ArrayLike, T: ArrayLike, theorem: str = "1") -> float | np.ndarray:
    r"""Supremum of the admissible steps; 0.0 where none is admissible.

    Theorem 1: :math:`\min(s_{lo}\mu/(L^2BWT),\ 2/((\mu+L)s_{hi}))` (the first bound
    strict, the second attained in the mathematics but admitted in floating point only up to the
    relative margin :data:`STEP_MARGIN`, the safe side; infinite first bound when :math:`BT = 0`);
    1b: :math:`2/((\mu+L)s_{hi})` when :math:`2LB < s_{lo}\mu`.
    """
    th = _theorem(theorem)
    v = check(mu=mu, L=L, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    expr = ALPHA_MAX_1 if th is THEOREM_1 else ALPHA_MAX_1B
    value = numpy_function(expr, _STATIC)(**v)
    return as_output(np.where(_static_admissible(th, v), value, 0.0))


def optimal_step(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike, B: ArrayLike,
                 W: ArrayLike, T: ArrayLike, theorem: str = "1") -> float | np.ndarray:
    r"""Step minimising the bound; ``nan`` where no step is admissible.

    Theorem 1: :math:`\min(\rho_{opt}^{2T} s_{lo}\mu/(2L^2BWT),\ 2/((\mu+L)s_{hi}))` with
    :math:`\rho_{opt} + e\rho_{opt}^{2T} = 1`, :math:`e = (s_{lo}\mu)^2/(4L^2BWT)` (lemma "optimal step
    (Theorem 1)"); 1b: :math:`2/((\mu+L)s_{hi})` (lemma "optimal step (Theorem 1b)").  The step limit is
    shrunk by :data:`STEP_MARGIN` so the returned step passes the hypothesis in floating point.
    """
    th = _theorem(theorem)
    v = check(mu=mu, L=L, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    limit = numpy_function(STEP_LIMIT, _STATIC)(**v) * (1.0 - 2 * STEP_MARGIN)
    if th is THEOREM_1:
        memory = (v["B"] * v["T"] > 0) & (v["s_lo"] > 0)
        safe = {k: np.where(memory, a, 1.0) for k, a in v.items()}
        e = numpy_function(EXCESS_1, _STATIC)(**safe)
        root = np.asarray(optimal_root(e=e, D=2 * np.asarray(safe["T"])))
        vertex = np.power(root, 2 * safe["T"]) * numpy_function(ALPHA_VERTEX_1, _STATIC)(**safe)
        value = np.where(memory, np.minimum(vertex, limit), limit)
    else:
        value = limit
    return as_output(np.where(_static_admissible(th, v), value, np.nan))


def rate_at_optimal_step(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike, B: ArrayLike,
                         W: ArrayLike, T: ArrayLike, theorem: str = "1") -> float | np.ndarray:
    r"""The bound :func:`rate` at :func:`optimal_step` (the root there, rounded upward); ``inf`` where no
    step is admissible."""
    kw = dict(mu=mu, L=L, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    step = np.asarray(optimal_step(**kw, theorem=theorem))
    ok = np.isfinite(step)
    value = np.asarray(rate(**kw, alpha=np.where(ok, step, 1.0), theorem=theorem))
    return as_output(np.where(ok, value, np.inf))


def iteration_count(*, eps: ArrayLike, rate: ArrayLike) -> float | np.ndarray:
    r"""An integer K with :math:`\rho^K \le \varepsilon`, so :math:`r_K \le \varepsilon r_0`:
    :math:`K = \lceil \log\varepsilon / \log\rho \rceil`, rounded up (the ratio is raised by
    :data:`LOG_MARGIN` first, so rounding of the logarithms can never give a K one too small; at an exact
    tie K may be one more than the smallest); 0 if :math:`\varepsilon \ge 1`, 1 if :math:`\rho = 0`,
    ``inf`` if the rate is vacuous, i.e. :math:`\rho \ge 1` or inf."""
    v = check(eps=eps)
    r_ = np.asarray(rate, dtype=np.float64)
    if np.any(np.isnan(r_)) or np.any(r_ < 0):
        raise ValueError(f"rate must be a number >= 0 (inf for vacuous), got {rate!r}")
    e, r_ = np.broadcast_arrays(v["eps"], r_)
    inside = (r_ > 0) & (r_ < 1)
    raw = numpy_function(ITERATIONS, (EPS, rho))(eps=e, rho=np.where(inside, r_, 0.5))
    k = np.where(inside, np.ceil(raw * (1.0 + LOG_MARGIN)), np.where(r_ == 0, 1.0, np.inf))
    return as_output(np.where(e >= 1, 0.0, k))


@dataclass(frozen=True)
class Bound:
    """The smallest valid bound of Theorems 1, 1b and 2 at one step (or arrays of them).

    ``theorem`` is ``"1"``, ``"1b"``, ``"2"`` or ``"none"`` (all vacuous: ``rate`` is inf).
    The conclusion is r_k <= C rho^k r_0 with ``transient`` C (1 for
    Theorems 1 and 1b; Theorem 2's constant where it is chosen).
    """

    rate: float | np.ndarray
    theorem: str | np.ndarray
    rate_1: float | np.ndarray
    rate_1b: float | np.ndarray
    rate_2: float | np.ndarray = np.inf
    transient: float | np.ndarray = 1.0

    @property
    def vacuous(self) -> bool | np.ndarray:
        return as_output(np.isinf(np.asarray(self.rate)))

    def iterations(self, eps: ArrayLike) -> float | np.ndarray:
        """K(eps) for this bound, transient included (inf where vacuous)."""
        return iterations2(eps=eps, rate=self.rate, transient=self.transient)


def best_bound(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike,
               B: ArrayLike, W: ArrayLike, T: ArrayLike, nonnegative_weights: ArrayLike = False) -> Bound:
    """The smallest valid rate of Theorem 1, variant 1b and Theorem 2, and which one it is.

    Theorem 2 applies only where ``nonnegative_weights`` is True (every weight of every
    step >= 0; then W = s_hi); the default False keeps Theorems 1 and 1b alone.
    Ties go to Theorem 1, then 1b (whose transient is 1).
    """
    kw = dict(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    r1 = np.asarray(rate(**kw, theorem="1"))
    rb = np.asarray(rate(**kw, theorem="1b"))
    kw2 = dict(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative_weights)
    r2 = np.asarray(rate2(**kw2))
    c2 = np.asarray(transient2(**kw2))
    best1 = np.minimum(r1, rb)
    best = np.minimum(best1, r2)
    use2 = r2 < best1
    which = np.where(np.isinf(best), "none", np.where(use2, "2", np.where(rb < r1, "1b", "1")))
    trans = np.where(use2, c2, 1.0)
    return Bound(as_output(best), as_output(which), as_output(r1), as_output(rb), as_output(r2), as_output(trans))
