r"""The numbers the figures draw (``python -m memgd.figures``), computed from solvers and theory.

Data flows solvers / theory -> here -> :mod:`figures`: one function per figure returns
a frozen dataclass of arrays, and the drawing code only draws them.  Conventions:

- :math:`\mu = 1`, :math:`L = 10` unless stated; rates are per iteration;
- an analytic rate (Theorem 1 / 1b, :func:`memgd.theory.best_bound`) is ``inf`` where the
  theorem is vacuous;
- a certified rate (:func:`memgd.proofs_check.certificates.certify.certify`) is ``NaN`` wherever no
  certificate was verified (or none was attempted): never an unverified number;
- empirical rates are the worst :func:`memgd.solvers.tail_rate` over a batch of generated
  problems (quadratics with spectrum in [mu, L], endpoints included, and tilted
  logistic problems), ``NaN`` where a rate could not be measured.

Certificates search upward from the exact quadratic rate (``rho_lower="quadratic"``):
that rate is attained on a quadratic of the class, so no certificate can lie below
it, and the search then costs one or two SDP solves when the certificate is tight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.report.empirical import make_problems
from memgd.proofs_check.certificates.patterns import aggregation_patterns, aggregation_weights
from memgd.solvers import (
    AgeWeights, Aggregation, CriticalGradients, Fifo, KeepOldest, ProblemBatch, RandomSubset, Scripted,
    SelectionRule, Status, make_quadratics, run, tail_rate,
)
from memgd.theory import Pattern, alpha_max, best_bound, critical_step, exact_rate, rate2

MU, L_SMOOTH = 1.0, 10.0
FAMILIES = ("quadratic", "logistic")


# ----------------------------------------------------------------------------- helpers


def _tile(problems: ProblemBatch, reps: int) -> ProblemBatch:
    """``reps`` copies of the batch, copy-major: problem ``r * n + i`` is problem i."""
    return problems.take(np.tile(np.arange(problems.n), reps))


def _batches(mu: float, L: float, n: int, d: int, seed: int, families=FAMILIES) -> dict[str, ProblemBatch]:
    rng = np.random.default_rng(seed)
    return {family: make_problems(family, mu, L, n, d, rng) for family in families}


def set_constants(patterns) -> dict[str, float]:
    """Theorem constants of a set of patterns used in any order: s_lo = min s, s_hi = max s,
    B = max B, W = max W, T = max T."""
    pats = list(patterns)
    return dict(s_lo=min(p.s for p in pats), s_hi=max(p.s for p in pats), B=max(p.B for p in pats),
                W=max(p.W for p in pats), T=max(p.T for p in pats))


def _certified_rate(mu, L, alpha, patterns, tol):
    """(rho, c, reason): the verified certificate's rate and transient, NaN when not certified."""
    cert = certify(mu, L, alpha, list(patterns), rho_lower="quadratic", tol=tol)
    if cert.certified:
        return cert.rho, cert.transient, ""
    return float("nan"), float("nan"), f"{cert.status.name.lower()}: {cert.reason}"


def _capacity(selection: SelectionRule) -> int:
    return int(selection.capacity)


def _worst_relative(distances: list[np.ndarray]) -> np.ndarray:
    """max over problems of r_k / r_0 at every k, (K+1,); NaN where every problem had stopped."""
    rel = np.concatenate([d / d[0] for d in distances], axis=1)
    return np.fmax.reduce(rel, axis=1)


# ----------------------------------------------------------------------------- figure 1


@dataclass(frozen=True)
class DistanceCurve:
    """One selection rule's measured worst distance and the envelopes that apply to it."""

    label: str
    T: int | None                        # a-priori age bound; None for rules that bound no age
    C: int                               # buffer size
    measured: np.ndarray                 # (K+1,) max over problems of ||x_k - x*|| / ||x_0 - x*||
    realized_T: int                      # largest age used on the runs
    analytic_rate: float                 # Theorem 1/1b rate from the declared constants; inf if none
    analytic_theorem: str                # "1", "1b", "none" (vacuous) or "n/a" (no a-priori T)
    analytic_envelope: np.ndarray | None  # (K+1,) rho^k; None where no bound applies
    certified_rate: float                # NaN if not certified / not applicable
    certified_transient: float           # c (NaN likewise)
    certified_envelope: np.ndarray | None  # (K+1,) sqrt(c) rho^k; None likewise
    n_patterns: int                      # size of the certified pattern set (0 if none)
    note: str                            # why an envelope is missing ("" if both drawn)


@dataclass(frozen=True)
class DistanceData:
    mu: float
    L: float
    alpha: float
    kappa: float
    aggregation: str
    steps: np.ndarray                    # (K+1,) iteration index 0..K
    n_problems: int                      # per family
    families: tuple[str, ...]
    curves: tuple[DistanceCurve, ...]


def default_rules() -> tuple[tuple[str, SelectionRule], ...]:
    """The selection rules of figure 1 (label, rule)."""
    return (
        ("Fifo(1)", Fifo(1)),
        ("Fifo(3)", Fifo(3)),
        ("KeepOldest(2, max_age=3)", KeepOldest(2, max_age=3)),
        ("RandomSubset(3, 2)", RandomSubset(3, 2)),
        ("CriticalGradients(5, 0.7)", CriticalGradients(5, 0.7)),
    )


def distance_data(*, mu: float = MU, L: float = L_SMOOTH, alpha: float | None = None, steps: int = 4000,
                  n: int = 8, d: int = 10, seed: int = 0, aggregation: str = "sum", kappa: float = 1.0,
                  rules=None, cert_tol: float = 1e-6) -> DistanceData:
    r"""Figure 1: worst relative distance against iterations, with the analytic envelope
    :math:`\rho_{bound}^k` (declared constants, a priori) and the certified envelope
    :math:`\sqrt{c}\,\rho_{cert}^k` (certificate shared by every subset of ages 1..T of
    size <= C, the empty one included).

    ``alpha`` defaults to half the smallest Theorem 1 admissible step over the rules
    that bound their ages, so the theorem applies to every one of them.
    """
    rules = default_rules() if rules is None else tuple(rules)
    combination = Aggregation(aggregation, kappa)
    declared = {}
    for label, sel in rules:
        if sel.max_age is not None:
            dc = combination.declared_constants(_capacity(sel))
            declared[label] = dict(s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=sel.max_age)
    if alpha is None:
        if not declared:
            raise ValueError("alpha must be given when no rule bounds its ages")
        alpha = 0.5 * min(float(alpha_max(mu=mu, L=L, **c)) for c in declared.values())
    alpha = float(alpha)
    batches = _batches(mu, L, n, d, seed)
    k = np.arange(steps + 1)
    curves = []
    for i, (label, sel) in enumerate(rules):
        results = [run(batches[f], sel, combination, alpha, steps, rng=seed + 1 + i, tol=0.0) for f in FAMILIES]
        measured = _worst_relative([r.distances for r in results])
        realized_T = int(max(r.constants.T.max() for r in results))
        C = _capacity(sel)
        if label in declared:
            bound = best_bound(mu=mu, L=L, alpha=alpha, **declared[label])
            a_rate, a_th = float(bound.rate), str(bound.theorem)
            a_env = a_rate ** k if np.isfinite(a_rate) else None
            pats = aggregation_patterns(aggregation, sel.max_age, C, kappa, include_empty=True)
            c_rate, c_tr, reason = _certified_rate(mu, L, alpha, pats, cert_tol)
            c_env = np.sqrt(c_tr) * c_rate ** k if np.isfinite(c_rate) else None
            note = "" if a_env is not None and c_env is not None else \
                "; ".join(s for s in ("" if a_env is not None else "Theorem 1/1b vacuous",
                                      "" if c_env is not None else f"not certified ({reason})") if s)
            curves.append(DistanceCurve(label, sel.max_age, C, measured, realized_T, a_rate, a_th, a_env,
                                        c_rate, c_tr, c_env, len(pats), note))
        else:
            curves.append(DistanceCurve(label, None, C, measured, realized_T, float("inf"), "n/a", None,
                                        float("nan"), float("nan"), None, 0,
                                        "ages not bounded a priori: no envelope applies"))
    return DistanceData(mu, L, alpha, kappa, aggregation, k, n, FAMILIES, tuple(curves))


# ----------------------------------------------------------------------------- figure 2


REFERENCE_PATTERN = Pattern((0, 1), (1.0, 1.0))  # d_k = g_k + g_{k-1}, docs/math/certificates.md
REPORT_ALPHAS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.08)


@dataclass(frozen=True)
class RateVsStepData:
    mu: float
    L: float
    pattern: Pattern
    alpha: np.ndarray            # (A,) increasing
    empirical: np.ndarray        # (A,) worst tail rate over the problems; NaN if not measured
    exact: np.ndarray            # (A,) exact quadratic rate of the pattern
    certified: np.ndarray        # (A,) verified certificate rate; NaN where not certified
    analytic: np.ndarray         # (A,) Theorem 1/1b bound with the pattern's constants; inf where vacuous
    analytic_theorem: np.ndarray  # (A,) "1", "1b" or "none"
    alpha_fine: np.ndarray       # (F,) fine geometric grid up to the critical step, for the lines
    exact_fine: np.ndarray       # (F,) exact quadratic rate on it
    analytic_fine: np.ndarray    # (F,) analytic bound on it; inf where vacuous
    alpha_critical: float        # end of the stable interval on quadratics (exact rate = 1)
    alpha_vacuous: float         # the theorem is vacuous for every alpha >= this
    constants: dict              # s_lo, s_hi, B, W, T used by the analytic bound
    n_problems: int              # per family
    families: tuple[str, ...]
    steps: int
    certificate_notes: tuple[str, ...]  # (A,) "" or why not certified
    theorem2_fine: np.ndarray | None = None  # (F,) Theorem 2 bound (docs/math/theorem2.md); inf where it
                                             # is vacuous or the pattern has a negative weight


def scripted_rule(pattern: Pattern) -> tuple[Scripted, AgeWeights]:
    """Engine rules that apply ``pattern`` at every step from step 0 (history x_{-i} = x_0)."""
    selection = Scripted((tuple(pattern.ages[1:]),), max_age=max(pattern.T, 1))
    return selection, AgeWeights(tuple(pattern.dense_weights()))


def rate_vs_step_data(*, mu: float = MU, L: float = L_SMOOTH, pattern: Pattern = REFERENCE_PATTERN,
                      n_alpha: int = 25, alpha_min: float = 1e-3, extra_alphas=REPORT_ALPHAS,
                      n: int = 8, d: int = 10, steps: int = 3000, seed: int = 0,
                      cert_tol: float = 1e-6, n_fine: int = 600) -> RateVsStepData:
    r"""Figure 2: rate of one fixed pattern against the step, four ways.

    The runs use :func:`scripted_rule`, so every step (the first included) is exactly
    the pattern and the analytic bound uses the pattern's own constants.  The alphas
    are a geometric grid from ``alpha_min`` to 0.995 of the critical step, plus
    ``extra_alphas`` below it.  All alphas run in one batched run (problems tiled).
    The exact rate and the analytic bound are also given on a fine grid of
    ``n_fine`` steps from ``alpha_min`` to the critical step (they are cheap), so
    their curves show the kinks the coarse grid would cut.
    """
    a_c = critical_step(mu, L, pattern)
    grid = np.geomspace(alpha_min, 0.995 * a_c, n_alpha)
    alphas = np.unique(np.concatenate([grid, [a for a in extra_alphas if alpha_min <= a < a_c]]))
    A = alphas.size
    selection, combination = scripted_rule(pattern)
    worst = np.full(A, -np.inf)
    batches = _batches(mu, L, n, d, seed)
    for j, family in enumerate(FAMILIES):
        tiled = _tile(batches[family], A)
        res = run(tiled, selection, combination, np.repeat(alphas, n), steps, rng=seed + 1 + j, tol=1e-10)
        rates = tail_rate(res.distances).reshape(A, n)
        worst = np.fmax(worst, np.fmax.reduce(rates, axis=1))
    empirical = np.where(np.isfinite(worst), worst, np.nan)
    exact = np.asarray(exact_rate(mu, L, alphas, pattern))
    consts = set_constants([pattern])
    bound = best_bound(mu=mu, L=L, alpha=alphas, **consts)
    certified, notes = np.full(A, np.nan), []
    for i, a in enumerate(alphas):
        certified[i], _, why = _certified_rate(mu, L, float(a), [pattern], cert_tol)
        notes.append(why)
    a_vac = max(float(alpha_max(mu=mu, L=L, **consts, theorem=t)) for t in ("1", "1b"))
    fine = np.unique(np.concatenate([np.geomspace(alpha_min, a_c, n_fine), alphas]))
    exact_fine = np.asarray(exact_rate(mu, L, fine, pattern))
    analytic_fine = np.asarray(best_bound(mu=mu, L=L, alpha=fine, **consts).rate, float)
    theorem2_fine = np.asarray(rate2(mu=mu, L=L, alpha=fine, s_lo=consts["s_lo"], B=consts["B"], W=consts["W"],
                                     T=consts["T"], nonnegative=all(w >= 0 for w in pattern.weights)), float)
    return RateVsStepData(mu, L, pattern, alphas, empirical, exact, certified, np.asarray(bound.rate, float),
                          np.asarray(bound.theorem), fine, exact_fine, analytic_fine, a_c, a_vac, consts, n,
                          FAMILIES, steps, tuple(notes), theorem2_fine)


# ----------------------------------------------------------------------------- figure 3


@dataclass(frozen=True)
class MemorySweep:
    """Rates at one step while the age bound T or the buffer size C varies."""

    alpha: float
    variable: str                # "T" or "C"
    T: np.ndarray                # (n,) age bound of each point
    C: np.ndarray                # (n,) buffer size of each point
    adversary: np.ndarray        # (n,) exact rate of the maximum-age pattern (ages T-C+1..T)
    worst_subset: np.ndarray     # (n,) max exact rate over every subset of 1..T of size 1..C
    certified: np.ndarray        # (n,) certificate shared by those subsets; NaN if not certified / not tried
    attempted: np.ndarray        # (n,) bool: a certificate was attempted (T <= cert_max_T)
    analytic: np.ndarray         # (n,) Theorem 1/1b with the subsets' constants; inf where vacuous

    @property
    def values(self) -> np.ndarray:
        return self.T if self.variable == "T" else self.C


@dataclass(frozen=True)
class RateVsMemoryData:
    mu: float
    L: float
    aggregation: str
    kappa: float
    cert_max_T: int
    sweeps: tuple[MemorySweep, ...]  # per alpha: (by T, by C)


def adversary_pattern(aggregation: str, T: int, C: int, kappa: float = 1.0) -> Pattern:
    """The maximum-age adversary (:class:`memgd.solvers.KeepOldest` with max_age=T): ages T-C+1..T."""
    ages = tuple(range(T - C + 1, T + 1))
    return Pattern((0,) + ages, aggregation_weights(aggregation, kappa)(ages))


def _memory_point(mu, L, alpha, aggregation, kappa, T, C, cert_max_T, cert_tol):
    pats = aggregation_patterns(aggregation, T, C, kappa)
    adv = float(exact_rate(mu, L, alpha, adversary_pattern(aggregation, T, C, kappa)))
    worst = float(np.max(exact_rate(mu, L, alpha, list(pats))))
    attempted = T <= cert_max_T
    cert = _certified_rate(mu, L, alpha, pats, cert_tol)[0] if attempted else float("nan")
    analytic = float(best_bound(mu=mu, L=L, alpha=alpha, **set_constants(pats)).rate)
    return adv, worst, cert, attempted, analytic


def rate_vs_memory_data(*, mu: float = MU, L: float = L_SMOOTH, alphas=(0.05, 0.001), T_max: int = 6,
                        C_for_T: int = 1, T_for_C: int = 6, aggregation: str = "sum", kappa: float = 1.0,
                        cert_max_T: int = 3, cert_tol: float = 1e-6) -> RateVsMemoryData:
    """Figure 3: for each alpha, one sweep over T = 1..T_max (C = C_for_T) and one over
    C = 1..T_for_C (T = T_for_C).  Certificates only for T <= ``cert_max_T``."""
    sweeps = []
    for alpha in alphas:
        for variable, Ts, Cs in (("T", range(1, T_max + 1), [C_for_T] * T_max),
                                 ("C", [T_for_C] * T_for_C, range(1, T_for_C + 1))):
            Ts, Cs = np.array(list(Ts)), np.array(list(Cs))
            cols = list(zip(*(_memory_point(mu, L, float(alpha), aggregation, kappa, int(T), int(C),
                                            cert_max_T, cert_tol) for T, C in zip(Ts, Cs))))
            sweeps.append(MemorySweep(float(alpha), variable, Ts, Cs, np.array(cols[0]), np.array(cols[1]),
                                      np.array(cols[2]), np.array(cols[3], dtype=bool), np.array(cols[4])))
    return RateVsMemoryData(mu, L, aggregation, kappa, cert_max_T, tuple(sweeps))


# ----------------------------------------------------------------------------- figure 4


@dataclass(frozen=True)
class StabilityPanel:
    T: int
    alpha_L: np.ndarray              # (A,) alpha * L
    b: np.ndarray                    # (M,) memory mass B = b
    rate: np.ndarray                 # (M, A) exact quadratic rate of d = g_k + b mean(g_{k-1..k-T})
    admissible_alpha_L: np.ndarray   # (M,) L * sup of the steps where Theorem 1 or 1b applies (0: none)


@dataclass(frozen=True)
class StabilityMapData:
    mu: float
    L: float
    clip: tuple[float, float]        # colour range the figure uses for the rate
    panels: tuple[StabilityPanel, ...]


def mean_memory_pattern(T: int, b: float) -> Pattern:
    """d_k = g_k + b * mean(g_{k-1}, ..., g_{k-T}): s = 1 + b, B = |b|, W = 1 + |b|."""
    return Pattern(tuple(range(T + 1)), (1.0,) + (b / T,) * T)


def stability_map_data(*, mu: float = MU, L: float = L_SMOOTH, Ts=(1, 2, 3), n_b: int = 81, n_alpha: int = 121,
                       alpha_L_range=(0.01, 2.5), b_max: float = 2.0, n_grid: int = 65,
                       clip=(0.5, 1.2)) -> StabilityMapData:
    """Figure 4: exact rate over (alpha L, b) on a geometric alpha grid, and the Theorem
    1 / 1b admissible boundary for each b (constants of the pattern itself)."""
    aL = np.geomspace(alpha_L_range[0], alpha_L_range[1], n_alpha)
    b = np.linspace(0.0, b_max, n_b)
    panels = []
    for T in Ts:
        rate = np.asarray(exact_rate(mu, L, aL / L, [mean_memory_pattern(T, v) for v in b], n_grid=n_grid))
        consts = dict(s_lo=1.0 + b, s_hi=1.0 + b, B=np.abs(b), W=1.0 + np.abs(b), T=float(T))
        adm = np.maximum(*(np.asarray(alpha_max(mu=mu, L=L, **consts, theorem=t)) for t in ("1", "1b")))
        panels.append(StabilityPanel(int(T), aL, b, rate, L * adm))
    return StabilityMapData(mu, L, tuple(clip), tuple(panels))


# ----------------------------------------------------------------------------- figure 5


@dataclass(frozen=True)
class CounterexampleRun:
    """Counterexample (c) of :mod:`memgd.proofs_check.properties.counterexamples` and plain GD at the same step."""

    alpha: float
    L: float
    top_c: int
    decay: float
    aggregation: str
    memory: np.ndarray       # (K+1,) r_k / r_0 of the critical rule (NaN after it stopped)
    gd: np.ndarray           # (K+1,) r_k / r_0 of plain gradient descent (NaN after it stopped)
    memory_status: Status
    gd_status: Status
    memory_nit: int
    gd_nit: int
    memory_T: int            # largest age the critical rule used
    gd_rate: float           # max(|1 - alpha mu|, |1 - alpha L|) on this quadratic's [mu, L]


@dataclass(frozen=True)
class CriticalAgesData:
    mu: float
    L: float
    alpha: float
    top_c: int
    kappa: float
    decays: np.ndarray               # (D,)
    aggregations: tuple[str, ...]    # (G,)
    largest_age: np.ndarray          # (G, D) largest age used in any step of any run
    median_age: np.ndarray           # (G, D) median age of the used stored gradients, all steps and runs
    diverged: np.ndarray             # (G, D) number of runs that diverged
    n_runs: int
    steps: int
    counterexample: CounterexampleRun


DECAYS = (0.3, 0.5, 0.7, 0.9, 0.95, 0.99)


def counterexample_run(*, steps: int = 3000) -> CounterexampleRun:
    """CriticalGradients(2, 0.99), "mean", alpha = 0.5 on the kappa = 1 quadratic of
    tests/test_counterexamples.py, and plain GD (Fifo(0)) at the same step."""
    P = make_quadratics(1, 4, 1.0, 1.0, rng=np.random.default_rng(0))
    alpha, top_c, decay = 0.5, 2, 0.99
    mem = run(P, CriticalGradients(top_c, decay), Aggregation("mean"), alpha, steps)
    gd = run(P, Fifo(0), Aggregation("sum"), alpha, steps)
    mu_, L_ = float(P.mu[0]), float(P.L[0])
    return CounterexampleRun(alpha, L_, top_c, decay, "mean", mem.relative_distances[:, 0],
                             gd.relative_distances[:, 0], Status(int(mem.status[0])), Status(int(gd.status[0])),
                             int(mem.nit[0]), int(gd.nit[0]), int(mem.constants.T[0]),
                             max(abs(1 - alpha * mu_), abs(1 - alpha * L_)))


def critical_ages_data(*, mu: float = MU, L: float = L_SMOOTH, alpha: float = 0.05, top_c: int = 5,
                       kappa: float = 1.0, decays=DECAYS, aggregations=("sum", "mean"), n: int = 8, d: int = 10,
                       steps: int = 3000, seed: int = 0, counterexample_steps: int = 3000) -> CriticalAgesData:
    """Figure 5: realized ages of the critical rule against decay (docs/math/critical_rule.md
    prototype setting: lr 0.05, topC 5, kappa 1), and counterexample (c)."""
    batches = _batches(mu, L, n, d, seed)
    G, D = len(aggregations), len(decays)
    largest, median, diverged = np.zeros((G, D), int), np.full((G, D), np.nan), np.zeros((G, D), int)
    for g, agg in enumerate(aggregations):
        for j, decay in enumerate(decays):
            ages, top = [], 0
            for f, family in enumerate(FAMILIES):
                res = run(batches[family], CriticalGradients(top_c, decay), Aggregation(agg, kappa), alpha, steps,
                          rng=seed + 1 + f)
                used = res.ages[res.ages >= 1]
                ages.append(used)
                top = max(top, int(res.constants.T.max()))
                diverged[g, j] += int(np.sum(res.status == Status.DIVERGED))
            used = np.concatenate(ages)
            largest[g, j] = top
            if used.size:
                median[g, j] = float(np.median(used))
    return CriticalAgesData(mu, L, alpha, top_c, kappa, np.asarray(decays, float), tuple(aggregations), largest,
                            median, diverged, n * len(FAMILIES), steps,
                            counterexample_run(steps=counterexample_steps))
