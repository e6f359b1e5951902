r"""Everything the report says about one scenario, computed once.

- the Theorem 1 / 1b bound: *a priori* from the rule's declared constants when the
  selection bounds its ages, otherwise *a posteriori* from the worst constants
  realized on the empirical runs (largest T, B, W and s_hi, smallest s_lo);
- Theorem 2's bound from the same constants, where the weights are nonnegative
  (declared by the rule a priori, measured on every run a posteriori), with its
  transient constant (docs/math/theorem2.md);
- the exact quadratic rate of the scenario's fixed pattern (when it has one);
- the certificate over the scenario's pattern set, judged against verified lower bounds
  (quadratic, switching, PEPit: :mod:`memgd.proofs_check.report.sandwich`);
- the empirical runs, and on each of them each theorem's distance bound at every iterate, with the
  rule's declared constants (a priori, when the selection declares a largest age) and with the
  constants realized on that run (a posteriori), counted per theorem (:class:`RunChecks`);
- iteration counts :math:`K(\varepsilon) = \lceil \log\varepsilon / \log\rho \rceil`
  for every rate.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.properties.bound_check import (
    THEOREM_RATES, check_theorem, declared_constants, declared_nonnegative, realized_constants, realized_nonnegative,
)
from memgd.proofs_check.certificates.certify import Certificate, certify
from memgd.proofs_check.certificates.pattern_dependent import certify_pattern_dependent
from memgd.proofs_check.certificates.pepit_worst_case import PEPitResult, pepit_worst_case
from memgd.proofs_check.properties.lemma_checks import LemmaCheck, check_lemmas
from memgd.proofs_check.properties.lemma_checks2 import check_lemmas_2
from memgd.proofs_check.report.empirical import Empirical, run_scenario
from memgd.proofs_check.report.render import Check
from memgd.proofs_check.report.sandwich import LowerBounds, judge, lower_bounds
from memgd.proofs_check.lower_bounds.pep import HORIZONS
from memgd.proofs_check.report.scenarios import Scenario
from memgd.solvers import Status, run, tail_rate
from memgd.theory import best_bound, exact_rate, iteration_count, rate2, transient2

EPSILON = 1e-6
CERTIFICATE_RELATIVE_TOL = 1e-3  # bisection resolution, relative to the distance 1 - rho to 1


@dataclass(frozen=True)
class Evaluation:
    scenario: Scenario
    empirical: Empirical
    bound_rate: float        # inf where vacuous
    bound_theorem: str       # "1", "1b" or "none"
    bound_source: str        # "a priori" or "a posteriori"
    constants: dict          # the constants the bound used
    exact_rate: float | None  # None when the rule has no fixed pattern
    lemmas: dict[str, LemmaCheck]  # smallest slack of each proof step over traced runs
    certificate: Certificate | None  # over the scenario's pattern set; None when not attempted
    worst_set_rate: float | None    # largest exact quadratic rate over the pattern set
    pepit: PEPitResult | None
    checks: list[Check]
    findings: list[str]
    lower: LowerBounds | None = None  # verified lower bounds of the pattern set; None when not computed
    #: What each theorem's run checks covered, keyed by theorem and kind of constants (declared or realized)
    run_checks: dict[tuple[str, str], "RunChecks"] = dataclasses.field(default_factory=dict)
    bound2_rate: float = float("inf")      # Theorem 2 (inf where vacuous or weights signed)
    bound2_transient: float = float("inf")  # its constant C: r_k <= C rho^k r_0

    @property
    def smallest_lemma_slack(self) -> tuple[str, float]:
        name = min((n for n, c in self.lemmas.items() if c.checked), key=lambda n: self.lemmas[n].min_slack)
        return name, self.lemmas[name].min_slack

    def iterations(self, rate: float | None, transient: float = 1.0) -> float | None:
        """K with sqrt(transient) rate^K <= EPSILON (None for no rate, inf when vacuous)."""
        if rate is None:
            return None
        if not np.isfinite(rate):
            return float("inf")
        return float(iteration_count(eps=EPSILON / np.sqrt(transient), rate=rate))

    @property
    def certified_rate(self) -> float | None:
        c = self.certificate
        return c.rho if c is not None and c.certified else None


def _constants(scenario: Scenario, emp: Empirical) -> tuple[dict, str]:
    sel = scenario.selection
    if sel.max_age is not None:
        dc = scenario.combination.declared_constants(scenario.capacity)
        return dict(T=sel.max_age, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W), "a priori"
    cs = [r.constants for r in emp.by_family.values()]
    return dict(T=int(max(c.T.max() for c in cs)), s_lo=float(min(c.s_lo.min() for c in cs)),
                s_hi=float(max(c.s_hi.max() for c in cs)), B=float(max(c.B.max() for c in cs)),
                W=float(max(c.W.max() for c in cs))), "a posteriori"


def evaluate(scenario: Scenario, *, n: int = 8, d: int = 10, seed: int = 0, certify_up_to_T: int = 3,
             pepit_steps: int | None = None, lower_bound_horizons: tuple[int, ...] = HORIZONS) -> Evaluation:
    emp = run_scenario(scenario, n=n, d=d, seed=seed)
    constants, source = _constants(scenario, emp)
    bound = best_bound(mu=scenario.mu, L=scenario.L, alpha=scenario.alpha, **constants)
    nonneg = declared_nonnegative(scenario.combination) if source == "a priori" else all(
        bool(realized_nonnegative(r).all()) for r in emp.by_family.values())
    kw2 = dict(mu=scenario.mu, L=scenario.L, alpha=scenario.alpha, s_lo=constants["s_lo"], B=constants["B"],
               W=constants["W"], T=constants["T"], nonnegative=nonneg)
    bound2, transient2_ = float(rate2(**kw2)), float(transient2(**kw2))
    pattern = scenario.pattern
    exact = None if pattern is None else float(exact_rate(scenario.mu, scenario.L, scenario.alpha, pattern))
    checks = []

    run_checks = theorem_run_checks(scenario, emp, checks)
    if exact is not None:
        quad_rate = long_quadratic_rate(scenario, emp.problems["quadratic"])
        checks.append(Check(f"{scenario.name}: measured quadratic rate <= exact rate", quad_rate <= exact + 1e-3,
                            f"measured {quad_rate:.6f}, exact {exact:.6f}"))
        if np.isfinite(bound.rate):
            checks.append(Check(f"{scenario.name}: exact rate <= Theorem bound", exact <= float(bound.rate) + 1e-12,
                                f"exact {exact:.6f} above the bound {float(bound.rate):.6f}: the theorem is wrong here"))
        if np.isfinite(bound2):
            checks.append(Check(f"{scenario.name}: exact rate <= Theorem 2 bound", exact <= bound2 + 1e-12,
                                f"exact {exact:.6f} above Theorem 2's {bound2:.6f}: the theorem is wrong here"))
    lemmas = traced_lemmas(scenario, emp)
    checks.extend(Check(f"{scenario.name}: lemma {name}", c.holds,
                        f"slack {c.min_slack:.3e} at (step, problem) {c.where}") for name, c in lemmas.items())

    cert, worst_set, findings, lower = None, None, [], None
    patterns = scenario.pattern_set
    if patterns is not None and max(p.T for p in patterns) <= certify_up_to_T:
        worst_set = max(float(exact_rate(scenario.mu, scenario.L, scenario.alpha, p)) for p in patterns)
        gap = max(1.0 - worst_set, 1e-9)
        # the bracket starts below the exact rate (so "never below it" stays a real check) and the
        # resolution is relative: near rho = 1 an absolute 1e-4 would exceed 1 - rho itself
        tol = CERTIFICATE_RELATIVE_TOL * gap
        cert = certify(scenario.mu, scenario.L, scenario.alpha, patterns, tol=tol, rho_min=max(0.0, 1.0 - 4 * gap))
        lower = lower_bounds(scenario.mu, scenario.L, scenario.alpha, patterns, horizons=lower_bound_horizons)
        checks.extend(judge(scenario.name, cert, lower))
        cert = tighter_certificate(scenario, cert, lower, tol, checks)
        if cert.certified:
            for family, result in emp.by_family.items():
                slack = certified_envelope_slack(cert, result, emp.problems[family])
                checks.append(Check(f"{scenario.name}: {family} runs under the certified envelope", slack >= 0,
                                    f"a run exceeds sqrt(c) rho^k r_0 (relative slack {slack:.3e})"))
            if np.isfinite(bound.rate) and cert.rho > float(bound.rate) + tol:
                findings.append(f"{scenario.name}: certificate {cert.rho:.6f} is worse than Theorem "
                                f"{bound.theorem}'s bound {float(bound.rate):.6f}")
            if np.isfinite(bound2) and cert.rho > bound2 + tol:
                findings.append(f"{scenario.name}: certificate {cert.rho:.6f} is worse than Theorem 2's bound "
                                f"{bound2:.6f}")
    pep = None
    if pepit_steps and scenario.pattern is not None:
        pep = pepit_worst_case(scenario.mu, scenario.L, scenario.alpha, scenario.pattern, pepit_steps)
        if pep.status is Status.CONVERGED and cert is not None and cert.certified:
            limit = float(cert.bound(pepit_steps))
            checks.append(Check(f"{scenario.name}: PEPit {pepit_steps}-step worst case <= c rho^(2N)",
                                pep.primal <= limit * (1 + 1e-6),
                                f"PEPit {pep.primal:.6e} above the certificate's {limit:.6e}"))
    return Evaluation(scenario, emp, float(bound.rate), str(bound.theorem), source, constants, exact, lemmas,
                      cert, worst_set, pep, checks, findings, lower, run_checks, bound2, transient2_)


@dataclass(frozen=True)
class RunChecks:
    """What one theorem's run checks with one kind of constants covered in one scenario (counts add up)."""

    batches: int = 0           # run batches (one per problem family)
    batches_checked: int = 0   # batches where the bound applied to at least one run (a check was made)
    runs: int = 0
    runs_checked: int = 0      # runs where the bound applied
    violations: int = 0        # runs where it failed beyond the resolution
    vacuous: tuple[tuple[str, int], ...] = ()   # (reason, runs) where the bound said nothing
    batches_failed: int = 0    # checked batches with a violation

    def __add__(self, other: "RunChecks") -> "RunChecks":
        reasons = dict(self.vacuous)
        for why, n in other.vacuous:
            reasons[why] = reasons.get(why, 0) + n
        return RunChecks(self.batches + other.batches, self.batches_checked + other.batches_checked,
                         self.runs + other.runs, self.runs_checked + other.runs_checked,
                         self.violations + other.violations, tuple(sorted(reasons.items())),
                         self.batches_failed + other.batches_failed)


#: why a theorem's bound was vacuous on a run
SIGNED = "a weight was negative (Theorem 2 needs nonnegative weights)"
RHO_NOT_BELOW_1 = "rho >= 1 with these constants at this step (a hypothesis fails)"
NO_DECLARED_AGE = "the rule declares no largest age (checked with realized constants only)"


def theorem_run_checks(scenario: Scenario, emp: Empirical, checks: list[Check]) -> dict[tuple[str, str], RunChecks]:
    """Each theorem's distance bound on every run batch, with the rule's declared constants (where it declares
    a largest age) and with the constants realized on each run; appends a check per bound that applied."""
    out: dict[tuple[str, str], RunChecks] = {}
    declared = declared_constants(scenario.combination, scenario.selection)
    for family, result in emp.by_family.items():
        problems = emp.problems[family]
        n = int(result.alpha.size)
        sources = {"realized": (realized_constants(result), realized_nonnegative(result))}
        if declared is not None:
            sources["declared"] = (declared, np.full(n, declared_nonnegative(scenario.combination)))
        for theorem in THEOREM_RATES:
            for source in ("declared", "realized"):
                if source not in sources:
                    out[(theorem, source)] = out.get((theorem, source), RunChecks()) + RunChecks(
                        1, 0, n, 0, 0, ((NO_DECLARED_AGE, n),))
                    continue
                consts, nonneg = sources[source]
                bc = check_theorem(result, problems, theorem, consts, nonnegative=nonneg)
                applies = bc.applies
                vac = ~applies
                reasons = []
                if theorem == "2" and (vac & ~nonneg).any():
                    reasons.append((SIGNED, int((vac & ~nonneg).sum())))
                rest = int((vac & (nonneg if theorem == "2" else True)).sum())
                if rest:
                    reasons.append((RHO_NOT_BELOW_1, rest))
                bad = int((bc.violated & applies).sum())
                out[(theorem, source)] = out.get((theorem, source), RunChecks()) + RunChecks(
                    1, int(applies.any()), n, int(applies.sum()), bad, tuple(reasons), int(bad > 0))
                if applies.any():   # a vacuous bound cannot fail: no check
                    checks.append(Check(f"{scenario.name}: Theorem {theorem} bound ({source} constants) on {family} runs",
                                        bad == 0, f"{bad} of {int(applies.sum())} runs where it applies violate "
                                                  "r_k <= C rho^k r_0"))
    return out


PATTERN_DEPENDENT_MAX_EDGES = 9  # |Pi|^(order+1) LMIs; 27 (3 patterns of T = 3, order 2) take ~35 s on a busy core
PATTERN_DEPENDENT_BELOW_TIGHTNESS = 0.99


def tighter_certificate(scenario: Scenario, cert: Certificate, lower: LowerBounds, tol: float,
                        checks: list[Check]) -> Certificate:
    """The smallest verified rate among the common certificate and pattern-dependent ones.

    While the best certificate so far has tightness below :data:`PATTERN_DEPENDENT_BELOW_TIGHTNESS`,
    tries De Bruijn graphs of order 1, 2, ... (:func:`certify_pattern_dependent`) as long as the
    graph has at most :data:`PATTERN_DEPENDENT_MAX_EDGES` edges, each searching between the best
    verified lower bound and the best rate so far; the judge checks of every certificate kept
    are appended to ``checks``.
    """
    pats = scenario.pattern_set
    order = 1
    while len(pats) > 1 and len(pats) ** (order + 1) <= PATTERN_DEPENDENT_MAX_EDGES:
        t = lower.tightness(cert.rho if cert.certified else None)
        if t is None or t >= PATTERN_DEPENDENT_BELOW_TIGHTNESS or not lower.best < cert.rho - tol:
            break
        pd = certify_pattern_dependent(scenario.mu, scenario.L, scenario.alpha, pats, tol=tol,
                                       rho_lower=lower.best, rho_max=cert.rho - tol, order=order)
        if pd.certified:
            checks.extend(judge(f"{scenario.name} (pattern-dependent, order {order})", pd, lower))
            cert = pd
        order += 1
    return cert


def certified_envelope_slack(cert: Certificate, result, problems) -> float:
    """Smallest (sqrt(c) rho^k r_0 - r_k) / r_0 over recorded steps, allowing rounding of r_k.

    Runs stay under the envelope whenever every step's pattern lies in the certified set
    (the maximum-age adversary's patterns do, including its first steps)."""
    r = result.distances
    k = np.arange(r.shape[0])[:, None]
    envelope = np.sqrt(cert.transient) * cert.rho ** k * r[0]
    resolution = 64 * np.finfo(float).eps * (np.linalg.norm(problems.x_star, axis=1) + r[0])
    slack = np.where(np.isfinite(r), (envelope + resolution - r) / r[0], np.inf)
    return float(slack.min())


def long_quadratic_rate(scenario: Scenario, problems, steps: int = 3000) -> float:
    """Worst asymptotic rate on the scenario's quadratics, measured over a long window.

    The quadratics are moved so that x* = 0: with no rounding floor near x*, the
    distance decays over thousands of steps (to ~1e-280) and the envelope rate is
    measured far from the transient, where beating between modes of nearly equal
    rates no longer moves the estimate (short windows overstate it by up to 3e-3).
    """
    centred = dataclasses.replace(problems, x_star=np.zeros_like(problems.x_star), f_star=np.zeros(problems.n))
    result = run(centred, scenario.selection, scenario.combination, scenario.alpha, steps, rng=0, tol=0.0)
    rates = tail_rate(result.distances, floor=1e-280)
    return float(np.nanmax(rates)) if np.isfinite(rates).any() else float("nan")


def traced_lemmas(scenario: Scenario, emp: Empirical, *, families=("quadratic", "logistic"), n: int = 4,
                  max_steps: int = 2000, seed: int = 1) -> dict[str, LemmaCheck]:
    """Lemma L1-L5 and T2.1-T2.7 slacks on traced runs of the first ``n`` problems of each family, merged."""
    merged: dict[str, LemmaCheck] = {}
    for family in families:
        problems = emp.problems[family]
        first = problems.take(np.arange(min(n, problems.n)))
        result = run(first, scenario.selection, scenario.combination, scenario.alpha,
                     min(scenario.steps, max_steps), rng=seed, tol=1e-10, trace=True)
        for name, c in {**check_lemmas(result, first), **check_lemmas_2(result, first)}.items():
            old = merged.get(name)
            if old is None or (c.checked and (not old.checked or c.min_slack < old.min_slack)):
                merged[name] = LemmaCheck(name, c.checked + (old.checked if old else 0), c.min_slack, c.where)
            else:
                merged[name] = LemmaCheck(name, old.checked + c.checked, old.min_slack, old.where)
    return merged
