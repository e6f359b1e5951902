r"""``verify_rule``: run Theorems 1 and 2's properties against a user's own memory rule.

For each example hypothesis draws a problem batch (any family, condition number
up to ``max_kappa``) and a step :math:`\alpha = f\,\alpha_{\max}` with
:math:`f \in (0, 1)`, where :math:`\alpha_{\max}` comes from the rule's declared
constants (:meth:`declared_constants` of the combination and ``max_age`` of the
selection).  One run is then checked three ways:

1. *a priori*: :math:`r_k \le \rho^k r_0` with the declared constants (rules that
   bound their ages);
2. *a posteriori*: the same with the constants measured on the run, wherever
   Theorem 1 or 1b applies to them;
3. *declarations*: the run itself checks at every step that the rule keeps its
   interface and its declarations (constants, ``max_age``, ``nonnegative_weights``;
   :mod:`memgd.solvers.step_checks`), and the steps from ``max_age`` on are compared
   with the declared recurrent patterns, if any
   (:mod:`memgd.proofs_check.properties.pattern_check`).

Checks 1 and 2 are made twice: with Theorems 1 / 1b alone, and with Theorem 2
admitted (docs/math/theorem2.md) where the weights are nonnegative (declared by the
rule's ``nonnegative_weights`` for 1, measured on the run for 2); :math:`\alpha_{\max}`
is the largest of the theorems' admissible steps, so Theorem 2's own range of steps is
exercised.

A rule that breaks its interface or a declaration has a bug, whatever the theorem says:
that is raised at once, on the first example where it shows, as
:class:`~memgd.solvers.step_checks.RuleStepError` naming the rule, the method, the step and
the problem, with a reproducer (no shrinking).  A failure of the bound is shrunk by
hypothesis to a minimal example and raised as :class:`RuleViolation`, whose
``reproducer`` regenerates it exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import time

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from memgd.proofs_check.properties.bound_check import check_declared, check_realized, declared_nonnegative
from memgd.proofs_check.properties.pattern_check import check_declared_patterns
from memgd.proofs_check.properties.strategies import FAMILIES, ProblemSpec, problem_specs, step_fractions
from memgd.solvers import run
from memgd.solvers.rule_checks import check_rules
from memgd.solvers.step_checks import RuleStepError, RunCall, reproducer
from memgd.solvers.validation import integer_at_least, nonnegative
from memgd.theory.constants import alpha_max
from memgd.theory.constants2 import alpha_max2


@dataclass(frozen=True)
class Example:
    """One checked example and what it showed."""

    spec: ProblemSpec
    fraction: float
    alpha: float
    steps: int
    seed: int
    a_priori_slack: float      # nan when the rule declares no age bound, or Theorems 1, 1b (and 2) are vacuous
    a_posteriori_slack: float  # nan when the realized constants make Theorems 1, 1b and 2 vacuous
    realized: dict
    problems: list[str] = field(default_factory=list)  # what went wrong, empty when all held
    theorem_2_slack: float = float("nan")  # smallest slack where Theorem 2 was the bound checked (nan: never)

    @property
    def reproducer(self) -> str:
        s = self.spec
        return (f"problems = ProblemSpec{tuple(asdict(s).values())!r}.build()\n"
                f"result = run(problems, selection, combination, alpha={self.alpha!r}, steps={self.steps}, "
                f"rng={self.seed}, tol=1e-10)")


@dataclass(frozen=True)
class VerifyReport:
    examples: int
    a_priori_checked: int      # examples where a bound with the declared constants applied (Theorem 1, 1b or 2)
    a_posteriori_checked: int  # examples where a bound with the realized constants applied
    smallest_slack: float
    realized_ranges: dict
    theorem_2_checked: int = 0  # examples on which Theorem 2 was the bound checked (a priori or a posteriori)

    def __str__(self) -> str:
        return (f"{self.examples} examples, bound checked a priori on {self.a_priori_checked} and "
                f"a posteriori on {self.a_posteriori_checked} (Theorem 2 on {self.theorem_2_checked}); "
                f"smallest slack {self.smallest_slack:.3g}; realized {self.realized_ranges}")


class RuleViolation(AssertionError):
    """A property failed; ``example`` is the minimal failing example found."""

    def __init__(self, example: Example):
        self.example = example
        super().__init__("; ".join(example.problems) + "\nminimal reproducer:\n" + example.reproducer)


def _admissible_step(combination, selection, mu: float, L: float, capacity: int) -> float:
    """Largest admissible step from the declared constants (Theorem 1, 1b, or 2 for declared
    nonnegative weights); 0 if none."""
    dc = combination.declared_constants(capacity)
    T = selection.max_age if selection.max_age is not None else selection.slots
    kw = dict(mu=mu, L=L, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=T)
    if dc.s_lo <= 0:
        return 0.0
    top2 = alpha_max2(mu=mu, L=L, s_lo=dc.s_lo, B=dc.B, W=dc.W, T=T) if declared_nonnegative(combination) else 0.0
    return float(max(alpha_max(**kw, theorem="1"), alpha_max(**kw, theorem="1b"), top2))


def check_example(selection, combination, spec: ProblemSpec, fraction: float, *, steps: int = 300,
                  seed: int = 0) -> Example | None:
    """Run one example and check it; None when no step is admissible for the declared constants."""
    capacity = selection.capacity
    top = _admissible_step(combination, selection, spec.mu, spec.L, capacity)
    if not np.isfinite(top) or top <= 0:
        return None
    alpha = fraction * top
    problems = spec.build()
    try:
        result = run(problems, selection, combination, alpha, steps, rng=seed, tol=1e-10)
    except RuleStepError as error:
        raise error.with_problems(_problems_code(spec)) from None
    _check_patterns(result, selection, combination, spec, alpha, seed)
    issues = []
    post = check_realized(result, problems)
    if post.any_violation:
        i = int(np.argmax(post.violated))
        issues.append(f"a posteriori bound (Theorem {post.theorem[i]}, rho = {post.rate[i]:.6g}) fails on problem {i} "
                      f"at step {post.worst_step[i]}: slack {post.min_slack[i]:.3g}")
    prior = check_declared(result, problems, combination, selection)
    if prior is not None and prior.any_violation:
        i = int(np.argmax(prior.violated))
        issues.append(f"a priori bound (Theorem {prior.theorem[i]}, rho = {prior.rate[i]:.6g}) fails on problem {i} "
                      f"at step {prior.worst_step[i]}: slack {prior.min_slack[i]:.3g}")
    post2 = check_realized(result, problems, theorem_2=True)
    prior2 = check_declared(result, problems, combination, selection, theorem_2=True)
    slack2 = []
    for label, chk in (("a posteriori", post2), ("a priori", prior2)):
        if chk is None:
            continue
        is2 = chk.theorem == "2"
        if is2.any():
            slack2.append(float(np.nanmin(np.where(is2, chk.min_slack, np.nan))))
        bad = chk.violated & is2
        if bad.any():
            i = int(np.argmax(bad))
            issues.append(f"{label} bound (Theorem 2, rho = {chk.rate[i]:.6g}) fails on problem {i} "
                          f"at step {chk.worst_step[i]}: slack {chk.min_slack[i]:.3g}")
    c = result.constants  # within the declared constants: the run checked every step
    realized = dict(T=int(c.T.max()), s_lo=float(c.s_lo.min()), s_hi=float(c.s_hi.max()),
                    B=float(c.B.max()), W=float(c.W.max()))
    return Example(
        spec=spec, fraction=fraction, alpha=alpha, steps=steps, seed=seed,
        a_priori_slack=_smallest_slack(prior, prior2), a_posteriori_slack=_smallest_slack(post, post2),
        realized=realized, problems=issues, theorem_2_slack=min(slack2) if slack2 else float("nan"),
    )


def _smallest_slack(*checks) -> float:
    """Smallest slack over the problems where one of the checks' bounds applied (Theorem 1/1b alone, or with
    Theorem 2 admitted); nan where none did."""
    slacks = [float(np.nanmin(c.min_slack)) for c in checks if c is not None and c.applies.any()]
    return min(slacks) if slacks else float("nan")


def _problems_code(spec: ProblemSpec) -> str:
    return f"from memgd.proofs_check.properties.strategies import ProblemSpec\nproblems = {spec!r}.build()"


def _check_patterns(result, selection, combination, spec: ProblemSpec, alpha: float, seed: int) -> None:
    """Raise :class:`RuleStepError` if a step from max_age on is none of the declared recurrent patterns."""
    check = check_declared_patterns(result, selection, combination)
    if check is None or check.holds:
        return
    k, i = check.failure[:2]
    call = RunCall(f"batch {spec!r}", np.full(spec.n, alpha), seed, False, "")
    code = reproducer(selection, combination, call, k, i, then=(
        "from memgd.proofs_check.properties.pattern_check import check_declared_patterns",
        "print(check_declared_patterns(result, selection, combination).describe())"))
    error = RuleStepError(f"the rules {selection!r} + {combination!r} declare recurrent patterns their run does not "
                          f"keep: {check.describe()}", rule=f"{selection!r} + {combination!r}",
                          method="recurrent_ages/weights_for_ages", step=k, problem=i, reproducer=code)
    raise error.with_problems(_problems_code(spec))


def _validated_families(families) -> tuple[str, ...]:
    allowed = f"a non-empty tuple of names from {FAMILIES}"
    if isinstance(families, str):
        raise ValueError(f"families must be {allowed} (a tuple, not a string), got {families!r}")
    try:
        names = tuple(families)
    except TypeError:
        raise ValueError(f"families must be {allowed}, got {families!r}") from None
    unknown = [f for f in names if f not in FAMILIES]
    if not names or unknown:
        raise ValueError(f"families must be {allowed}, got {families!r}"
                         + (f" (unknown: {', '.join(map(repr, unknown))})" if unknown else ""))
    return names


def _validated_max_kappa(max_kappa) -> float:
    try:
        value = float(max_kappa)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(max_kappa, bool) or not (np.isfinite(value) and value >= 1.0):
        raise ValueError(f"max_kappa is the largest condition number L / mu drawn and must be a finite number "
                         f">= 1, got {max_kappa!r}")
    return value


def _fail(example: Example) -> None:
    """Raise the property's failure from one place, so hypothesis sees one bug (it tells bugs
    apart by the line that raised), however the shrink budget ends."""
    raise AssertionError("; ".join(example.problems))


def verify_rule(selection, combination, *, max_examples: int = 50, steps: int = 300,
                families=FAMILIES, max_kappa: float = 1e3, seed: int = 0,
                shrink_seconds: float = 20.0) -> VerifyReport:
    """Check Theorems 1, 1b and (for declared nonnegative weights) 2 for a memory rule on
    hypothesis-drawn problems and steps.

    ``selection`` and ``combination`` follow :class:`memgd.solvers.SelectionRule` and
    :class:`memgd.solvers.CombinationRule`, with their optional declarations
    (:mod:`memgd.solvers.declarations`).  Deterministic for a given ``seed``.
    Returns a :class:`VerifyReport`, or raises :class:`RuleViolation` with the
    smallest failing example hypothesis found within ``shrink_seconds`` of shrinking,
    :class:`~memgd.solvers.step_checks.RuleStepError` at once for a rule that breaks its
    interface or a declaration at some step (a NaN weight, more used slots than its
    capacity, a constant, age or sign it declared), or ``ValueError`` if the declared
    constants admit no step.

    Before any run every argument is checked: ``max_examples`` and ``steps`` integers
    >= 1, ``families`` a non-empty tuple of names from
    :data:`~memgd.proofs_check.properties.strategies.FAMILIES`, ``max_kappa`` >= 1,
    ``seed`` an integer >= 0, ``shrink_seconds`` >= 0 (``ValueError`` naming the
    parameter), and both rules are probed by :func:`memgd.solvers.rule_checks.check_rules`
    (``RuleInterfaceError`` / ``RuleValueError`` naming the rule and the attribute).
    """
    max_examples = integer_at_least("max_examples", max_examples, 1)
    steps = integer_at_least("steps", steps, 1)
    families = _validated_families(families)
    max_kappa = _validated_max_kappa(max_kappa)
    seed = integer_at_least("seed", seed, 0)
    shrink_seconds = float(nonnegative("shrink_seconds", shrink_seconds))
    declared = check_rules(selection, combination)
    if not declared.s_lo > 0:
        raise ValueError(f"no step is admissible: the declared s_lo = {declared.s_lo:.4g} must be > 0 "
                         "(every step's weights must sum to a positive number)")
    seen: list[Example] = []
    failing: list[Example] = []
    first_failure_at: list[float] = []
    broken: list[RuleStepError] = []  # a rule that broke its interface: raised once hypothesis returns

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow], print_blob=False)
    @given(spec=problem_specs(families=families, max_kappa=max_kappa), fraction=step_fractions(),
           run_seed=st.integers(0, 2**31 - 1))
    def property_holds(spec, fraction, run_seed):
        if broken:
            return  # no more work: the rule is broken, whatever the theorem says
        key = (spec, fraction, run_seed)
        if first_failure_at and time.monotonic() - first_failure_at[0] > shrink_seconds:
            # shrink budget spent: only examples already seen failing fail again, so the
            # smallest one found so far is what hypothesis replays and reports
            known = [e for e in failing if (e.spec, e.fraction, e.seed ^ seed) == key]
            if known:
                failing.append(known[0])  # the example hypothesis reports is the last one failing
                _fail(known[0])
            return
        try:
            example = check_example(selection, combination, spec, fraction, steps=steps, seed=run_seed ^ seed)
        except RuleStepError as error:
            broken.append(error)
            return
        if example is None:
            reject()  # the memory term admits no step at this condition number
        seen.append(example)
        if example.problems:
            failing.append(example)
            first_failure_at[:] = first_failure_at or [time.monotonic()]
            _fail(example)

    try:
        property_holds()
    except AssertionError:
        raise RuleViolation(failing[-1]) from None
    if broken:
        raise broken[0]
    if not seen:
        raise ValueError("no step is admissible for the declared constants at any drawn condition number")
    slacks = [e.a_posteriori_slack for e in seen] + [e.a_priori_slack for e in seen] + [
        e.theorem_2_slack for e in seen]
    slacks = [s for s in slacks if np.isfinite(s)]
    keys = ("T", "s_lo", "s_hi", "B", "W")
    ranges = {k: (min(e.realized[k] for e in seen), max(e.realized[k] for e in seen)) for k in keys}
    return VerifyReport(
        examples=len(seen),
        a_priori_checked=sum(np.isfinite(e.a_priori_slack) for e in seen),
        a_posteriori_checked=sum(np.isfinite(e.a_posteriori_slack) for e in seen),
        smallest_slack=min(slacks) if slacks else float("nan"),
        realized_ranges=ranges,
        theorem_2_checked=sum(np.isfinite(e.theorem_2_slack) for e in seen),
    )
