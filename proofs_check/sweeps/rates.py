r"""Empirical rates of any memory rule beside every bound that applies, over steps or memory sizes.

At each point of a sweep (a step size :math:`\alpha`, or a memory size m with the rules
``factory(m)``) the rule runs on a batch of problems of the class
:math:`\mathcal F_{\mu,L}` (:math:`\mu` = the smallest, L = the largest of the batch) and
the sweep records:

- **empirical**: the worst asymptotic rate over the problems
  (:func:`memgd.solvers.tail_rate`), NaN where none could be measured;
- **theorem_declared**: the best of Theorems 1, 1b and, for a rule declaring
  ``nonnegative_weights``, 2 (:func:`memgd.theory.best_bound`) with the rule's declared
  constants :math:`(s_{lo}, s_{hi}, B, W)` and its ``max_age`` as T, a priori; ``detail``
  says which theorem;
- **theorem_realized**: the same with the constants measured on each run (a posteriori,
  per problem with its own :math:`\mu, L`; Theorem 2 where the run's weights were all
  nonnegative), the worst over the problems;
- **certificate**: the rate of an SDP certificate shared by the rule's recurrent patterns
  (:func:`memgd.proofs_check.certify`; the patterns the rules declare,
  :func:`~memgd.proofs_check.sweeps.rule_patterns`, or ``patterns=``), counted only when
  verified in float64: from step T on every step lies in that set (the runs check it,
  :mod:`memgd.proofs_check.properties.pattern_check`), so :math:`r_k \le c\,\rho^k r_0`
  with a constant c covering the warm-up;
- **exact_quadratic**: the exact rate (:func:`memgd.theory.exact_rate`) of the one
  pattern the rule uses at every step from some step on, its asymptotic rate on
  quadratics of the class (and a lower bound on the class's worst case);
- **lower_bound**: reserved for lower bounds on the worst case over the class
  (docs/math/certificates.md); not computed yet, so "not available" at every point.

A bound that does not apply at a point is NaN there, with the reason in its ``notes``:
never a number that was not established (a vacuous theorem is "vacuous", not infinity).
The theorems, certificates and exact rates are statements about gradient descent, so with
another base optimizer only the empirical rate is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.properties.bound_check import declared_nonnegative, realized_nonnegative
from memgd.proofs_check.properties.pattern_check import check_declared_patterns
from memgd.proofs_check.report.empirical import make_problems
from memgd.proofs_check.sweeps.rule_patterns import RulePatterns, rule_patterns
from memgd.solvers import GradientDescent, ProblemBatch, RunResult, Status, run, tail_rate
from memgd.solvers.base_optimizers import BaseOptimizer
from memgd.solvers.rule_checks import RuleValueError, check_rules
from memgd.solvers.validation import integer_at_least, positive
from memgd.theory import Pattern, best_bound, exact_rate

BOUND_NAMES = ("theorem_declared", "theorem_realized", "certificate", "exact_quadratic", "lower_bound")
BOUND_LABELS = {
    "theorem_declared": "Theorem 1/1b/2, declared constants",
    "theorem_realized": "Theorem 1/1b/2, realized constants",
    "certificate": "certified (SDP, verified)",
    "exact_quadratic": "exact rate on quadratics",
    "lower_bound": "lower bound over the class",
}
FAMILIES = ("quadratic", "logistic")
LOWER_BOUND_NOTE = "not available: lower bounds over the class are not computed yet"


@dataclass(frozen=True)
class BoundColumn:
    """One bound at every point of a sweep: a rate, or NaN with the reason in ``notes``."""

    name: str                 # one of BOUND_NAMES
    label: str                # for legends
    values: np.ndarray        # (P,) rate; NaN where not available
    notes: tuple[str, ...]    # (P,) "" where available, else why not
    detail: tuple[str, ...] = ()  # (P,) for the theorems: "1" or "1b"; else empty

    @property
    def available(self) -> np.ndarray:
        return np.isfinite(self.values)

    @property
    def reason(self) -> str:
        """Why the bound is missing, "" if it is available at every point."""
        return "; ".join(dict.fromkeys(n for n in self.notes if n))


@dataclass(frozen=True)
class RateSweep:
    """Empirical rates and bounds at P points (see module doc)."""

    variable: str               # "alpha" or "memory"
    values: np.ndarray          # (P,) the swept values (steps, or memory sizes)
    alpha: np.ndarray           # (P,) step size at each point
    labels: tuple[str, ...]     # (P,) the rules at each point
    mu: float                   # the class: smallest mu of the problems
    L: float                    # largest L of the problems
    base: str                   # base optimizer
    empirical: np.ndarray       # (P,) worst tail rate over the problems; NaN where not measured
    diverged: np.ndarray        # (P,) number of problems that diverged
    n_problems: int             # problems per point
    steps: int
    bounds: dict = field(default_factory=dict)  # name -> BoundColumn, every name of BOUND_NAMES

    def bound(self, name: str) -> BoundColumn:
        if name not in self.bounds:
            raise ValueError(f"name must be one of {BOUND_NAMES}, got {name!r}")
        return self.bounds[name]

    def table(self) -> list[dict]:
        """One row per point: the swept value, empirical rate and every bound (None where not available)."""
        rows = []
        for i in range(self.values.size):
            row = {self.variable: float(self.values[i]), "alpha": float(self.alpha[i]), "rule": self.labels[i],
                   "empirical": _number(self.empirical[i]), "diverged": int(self.diverged[i])}
            for name in BOUND_NAMES:
                row[name] = _number(self.bounds[name].values[i])
            rows.append(row)
        return rows


def _number(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


# ----------------------------------------------------------------------------- inputs


def _problems(problems, mu, L, n, d, seed, families) -> list[ProblemBatch]:
    if problems is not None:
        if not isinstance(problems, ProblemBatch):
            raise ValueError(f"problems must be a memgd.solvers.ProblemBatch, got {type(problems).__name__}")
        return [problems]
    positive("mu", mu)
    positive("L", L)
    if L < mu:
        raise ValueError(f"L must be >= mu, got mu={mu!r}, L={L!r}")
    integer_at_least("n", n, 1)
    integer_at_least("d", d, 1)
    integer_at_least("seed", seed, 0)
    if isinstance(families, str) or not families or any(f not in ("quadratic", "logistic", "huber") for f in families):
        raise ValueError(f"families must be a non-empty tuple of names from ('quadratic', 'logistic', 'huber'), "
                         f"got {families!r}")
    rng = np.random.default_rng(seed)
    return [make_problems(f, float(mu), float(L), n, d, rng) for f in families]


def _alphas(alphas, L: float) -> np.ndarray:
    if alphas is None:
        return np.geomspace(0.01, 1.0, 10) / L
    a = np.asarray(alphas, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-d sequence of steps > 0, got shape {a.shape}")
    return np.asarray(positive("alphas", a), dtype=float)


def _class_of(batches: list[ProblemBatch]) -> tuple[float, float]:
    return (float(min(np.min(b.mu) for b in batches)), float(max(np.max(b.L) for b in batches)))


def _validated_patterns(patterns) -> tuple[Pattern, ...] | None:
    if patterns is None:
        return None
    pats = (patterns,) if isinstance(patterns, Pattern) else tuple(patterns)
    if not pats or not all(isinstance(p, Pattern) for p in pats):
        raise ValueError(f"patterns must be a Pattern or a non-empty sequence of memgd.theory.Pattern, got {patterns!r}")
    return pats


# ----------------------------------------------------------------------------- the bounds at one point


def _not_gd(base) -> str:
    return (f"not available: the theorems, certificates and exact rates are for gradient descent, "
            f"not {type(base).__name__}")


def _theorem_declared(selection, combination, mu, L, alpha) -> tuple[float, str, str]:
    if selection.max_age is None:
        return np.nan, "", "not available: the selection rule bounds no age (max_age=None)"
    dc = combination.declared_constants(int(selection.capacity))
    if not dc.s_lo > 0:
        return np.nan, "", f"not available: declared s_lo = {dc.s_lo:.4g} is not > 0"
    nonneg = declared_nonnegative(combination)
    b = best_bound(mu=mu, L=L, alpha=alpha, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=selection.max_age,
                   nonnegative_weights=nonneg)
    if not np.isfinite(b.rate):
        return np.nan, "", f"vacuous: the hypotheses of Theorem 1{', 1b and 2' if nonneg else ' and 1b'} fail at this step"
    return float(b.rate), str(b.theorem), ""


def _theorem_realized(results: list[tuple[ProblemBatch, RunResult]], alpha) -> tuple[float, str, str]:
    rates, theorems = [], []
    for problems, res in results:
        c = res.constants
        b = best_bound(mu=problems.mu, L=problems.L, alpha=alpha, s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=c.T,
                       nonnegative_weights=res.nonnegative)
        rates.append(np.broadcast_to(np.asarray(b.rate, float), c.T.shape))
        theorems.append(np.broadcast_to(np.asarray(b.theorem), c.T.shape))
    rate, theorem = np.concatenate(rates), np.concatenate(theorems)
    vacuous = int(np.sum(~np.isfinite(rate)))
    if vacuous:
        return np.nan, "", f"vacuous on {vacuous} of {rate.size} runs (realized constants)"
    i = int(np.argmax(rate))
    return float(rate[i]), str(theorem[i]), ""


def _certificate(known: RulePatterns, mu, L, alpha, tol) -> tuple[float, str]:
    if known.recurrent is None:
        return np.nan, f"not available: {known.reason}"
    if not mu < L:
        return np.nan, "not available: certificates need mu < L"
    cert = certify(mu, L, alpha, list(known.recurrent), rho_lower="quadratic", tol=tol)
    if cert.certified:
        return float(cert.rho), ""
    return np.nan, f"not certified ({cert.status.name.lower()}: {cert.reason})"


def _exact(known: RulePatterns, mu, L, alpha) -> tuple[float, str]:
    if known.steady is None:
        why = known.reason or f"the rule switches among {len(known.patterns)} patterns"
        return np.nan, f"not available: no fixed pattern ({why})"
    return float(exact_rate(mu, L, alpha, known.steady)), ""


@dataclass
class _Columns:
    """Bounds gathered point by point."""

    size: int
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in BOUND_NAMES:
            self.values[name] = np.full(self.size, np.nan)
            self.notes[name] = [""] * self.size
            self.detail[name] = [""] * self.size

    def set(self, name, i, value, note="", detail=""):
        self.values[name][i] = value
        self.notes[name][i] = note
        self.detail[name][i] = detail

    def build(self) -> dict:
        return {name: BoundColumn(name, BOUND_LABELS[name], self.values[name], tuple(self.notes[name]),
                                  tuple(self.detail[name]) if name.startswith("theorem") else ())
                for name in BOUND_NAMES}


def _fill_point(cols: _Columns, i: int, selection, combination, known: RulePatterns, base, mu, L, alpha,
                results, certificates: bool, cert_tol: float) -> None:
    cols.set("lower_bound", i, np.nan, LOWER_BOUND_NOTE)
    if not isinstance(base, GradientDescent):
        for name in ("theorem_declared", "theorem_realized", "certificate", "exact_quadratic"):
            cols.set(name, i, np.nan, _not_gd(base))
        return
    rate, theorem, note = _theorem_declared(selection, combination, mu, L, alpha)
    cols.set("theorem_declared", i, rate, note, theorem)
    rate, theorem, note = _theorem_realized(results, alpha)
    cols.set("theorem_realized", i, rate, note, theorem)
    if certificates:
        cols.set("certificate", i, *_certificate(known, mu, L, alpha, cert_tol))
    else:
        cols.set("certificate", i, np.nan, "not attempted (certificates=False)")
    cols.set("exact_quadratic", i, *_exact(known, mu, L, alpha))


def _known(selection, combination, patterns, steady) -> RulePatterns:
    if patterns is not None:
        return RulePatterns(patterns, patterns, steady,
                            "" if steady is not None else "patterns given without a steady one")
    return rule_patterns(selection, combination)


def _kept_patterns(selection, combination, result: RunResult, given) -> None:
    """A rule's declared patterns must be what its run did from step max_age on (``given`` ones are the caller's)."""
    if given is not None:
        return
    check = check_declared_patterns(result, selection, combination)
    if check is not None and not check.holds:
        raise RuleValueError(f"the rules {selection!r} + {combination!r} declare recurrent patterns their run does not "
                             f"keep (certificates and exact rates of them would not be the rule's): {check.describe()}")


def _measure(rates: list[np.ndarray]) -> float:
    r = np.concatenate(rates)
    return float(np.nanmax(r)) if np.isfinite(r).any() else np.nan


def _label(selection, combination) -> str:
    return f"{selection!r} + {combination!r}"


# ----------------------------------------------------------------------------- public


def rate_sweep(selection, combination, *, alphas=None, base: BaseOptimizer | None = None,
               problems: ProblemBatch | None = None, mu: float = 1.0, L: float = 10.0, n: int = 8, d: int = 10,
               families: Sequence[str] = FAMILIES, steps: int = 2000, seed: int = 0,
               patterns=None, steady_pattern: Pattern | None = None, certificates: bool = True,
               cert_tol: float = 1e-6) -> RateSweep:
    r"""Rates of one rule against the step size, beside every bound that applies.

    Parameters
    ----------
    selection, combination : the memory rules (any, checked by :func:`memgd.solvers.check_rules`)
    alphas : steps > 0 (default 10 geometric steps from 0.01 / L to 1 / L)
    base : base optimizer (default gradient descent; others get the empirical rate only)
    problems : a batch to run on; default ``n`` problems of each of ``families`` (quadratic,
        logistic, huber) in dimension ``d`` with spectrum in [mu, L], from ``seed``
    steps : iterations per run (>= 8); the rate is measured on the tail of the run
    patterns : the rule's patterns, for a rule :func:`rule_patterns` does not know: every
        pattern its steps use after a warm-up (``steady_pattern``: the one it uses for ever, if any)
    certificates : attempt the SDP certificate at each step (seconds per step)

    Every run uses one problem batch tiled over the steps and ``rng = seed + 1 + j``
    for the j-th batch.  ``ValueError`` for bad input, before any run.
    """
    check_rules(selection, combination)
    batches = _problems(problems, mu, L, n, d, seed, families)
    mu_c, L_c = _class_of(batches)
    a = _alphas(alphas, L_c)
    steps = integer_at_least("steps", steps, 8)
    base = GradientDescent() if base is None else base
    known = _known(selection, combination, _validated_patterns(patterns), steady_pattern)
    A = a.size
    per_point: list[list] = [[] for _ in range(A)]
    rates: list[list] = [[] for _ in range(A)]
    diverged = np.zeros(A, dtype=int)
    for j, batch in enumerate(batches):
        n_j = batch.n
        tiled = batch.take(np.tile(np.arange(n_j), A))
        res = run(tiled, selection, combination, np.repeat(a, n_j), steps, rng=seed + 1 + j, tol=1e-10, base=base)
        _kept_patterns(selection, combination, res, patterns)
        tail = tail_rate(res.distances).reshape(A, n_j)
        for i in range(A):
            idx = np.arange(i * n_j, (i + 1) * n_j)
            per_point[i].append((batch, _PointResult(res, idx)))
            rates[i].append(tail[i])
            diverged[i] += int(np.sum(res.status[idx] == Status.DIVERGED))
    cols = _Columns(A)
    for i in range(A):
        _fill_point(cols, i, selection, combination, known, base, mu_c, L_c, float(a[i]), per_point[i],
                    certificates, cert_tol)
    label = _label(selection, combination)
    return RateSweep("alpha", a, a.copy(), (label,) * A, mu_c, L_c, type(base).__name__,
                     np.array([_measure(r) for r in rates]), diverged, sum(b.n for b in batches), steps, cols.build())


def memory_sweep(factory: Callable[[int], tuple], sizes: Sequence[int], *, alpha: float,
                 base: BaseOptimizer | None = None, problems: ProblemBatch | None = None, mu: float = 1.0,
                 L: float = 10.0, n: int = 8, d: int = 10, families: Sequence[str] = FAMILIES, steps: int = 2000,
                 seed: int = 0, certificates: bool = True, cert_tol: float = 1e-6) -> RateSweep:
    r"""Rates of the rules ``factory(m)`` (a (selection, combination) pair) for each memory size m.

    Same measurements and bounds as :func:`rate_sweep`, at one step ``alpha``; every
    size runs on the same problems with the same seeds.  All sizes' rules are built and
    checked before any run.
    """
    if not callable(factory):
        raise ValueError(f"factory must be a function of the memory size returning (selection, combination), "
                         f"got {type(factory).__name__}")
    sizes = [integer_at_least("sizes", m, 0) for m in np.atleast_1d(np.asarray(sizes, dtype=object))]
    if not sizes:
        raise ValueError("sizes must hold at least one memory size (an integer >= 0)")
    batches = _problems(problems, mu, L, n, d, seed, families)
    mu_c, L_c = _class_of(batches)
    alpha = float(positive("alpha", alpha))
    steps = integer_at_least("steps", steps, 8)
    base = GradientDescent() if base is None else base
    rules = []
    for m in sizes:
        pair = factory(m)
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise ValueError(f"factory({m}) must return a (selection, combination) pair, got {type(pair).__name__}")
        check_rules(*pair)
        rules.append(pair)
    P = len(sizes)
    cols = _Columns(P)
    empirical, diverged = np.full(P, np.nan), np.zeros(P, dtype=int)
    for i, (selection, combination) in enumerate(rules):
        results, rates = [], []
        for j, batch in enumerate(batches):
            res = run(batch, selection, combination, alpha, steps, rng=seed + 1 + j, tol=1e-10, base=base)
            _kept_patterns(selection, combination, res, None)
            results.append((batch, _PointResult(res, np.arange(batch.n))))
            rates.append(tail_rate(res.distances))
            diverged[i] += int(np.sum(res.status == Status.DIVERGED))
        empirical[i] = _measure(rates)
        _fill_point(cols, i, selection, combination, rule_patterns(selection, combination), base, mu_c, L_c, alpha,
                    results, certificates, cert_tol)
    return RateSweep("memory", np.asarray(sizes, dtype=float), np.full(P, alpha),
                     tuple(_label(*r) for r in rules), mu_c, L_c, type(base).__name__, empirical, diverged,
                     sum(b.n for b in batches), steps, cols.build())


class _PointResult:
    """The realized constants of the problems ``idx`` of a tiled run, and whether their weights were all
    nonnegative (what the a-posteriori bound needs)."""

    def __init__(self, res: RunResult, idx: np.ndarray):
        c = res.constants
        self.constants = type(c)(*(v[idx] for v in c))
        self.nonnegative = realized_nonnegative(res)[idx]
