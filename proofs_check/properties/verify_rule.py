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

With ``batch_size=b`` the rule is declared to run on stochastic (minibatch) gradients, and
Theorem S (docs/math/theorem_s.md) is checked too: ``stochastic_examples`` examples of seeded
copies of a least-squares finite sum, the bound checked in expectation at 99.9% confidence
(:mod:`memgd.proofs_check.stochastic.verify`); part A only if the rule is oblivious to the noise
(built-in classification, or ``noise_oblivious = True`` on both rules).

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
from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes

from memgd.proofs_check.campaigns.backends import default_workers
from memgd.proofs_check.properties.reproducible_hypothesis import seed_only_examples
from memgd.proofs_check.properties.judge import judge
from memgd.proofs_check.properties.pattern_check import check_declared_patterns
from memgd.proofs_check.properties.strategies import FAMILIES, ExampleSpace, ProblemSpec
from memgd.solvers import run
from memgd.solvers.rule_checks import check_rules
from memgd.solvers.step_checks import RuleStepError, RunCall, reproducer
from memgd.solvers.validation import integer_at_least, nonnegative
from memgd.proofs_check.properties.screen import admissible_steps, screen


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
    examples: int              # hypothesis examples checked (one run each)
    a_priori_checked: int      # examples where a bound with the declared constants applied (Theorem 1, 1b or 2)
    a_posteriori_checked: int  # examples where a bound with the realized constants applied
    smallest_slack: float      # over the screened and the hypothesis examples
    realized_ranges: dict      # over the screened and the hypothesis examples
    theorem_2_checked: int = 0  # examples on which Theorem 2 was the bound checked (a priori or a posteriori)
    screened: int = 0                  # examples screened in batched runs before hypothesis
    screened_a_priori_checked: int = 0
    screened_a_posteriori_checked: int = 0
    screened_theorem_2_checked: int = 0
    screen_seconds: float = 0.0        # wall time of the screen
    screen_mode: str = "none"          # "batched", "per example" (the rule cannot run batches) or "none"
    screen: str = ""                   # what the screen ran, its cost, and why it fell back if it did
    theorem_s_checked: int = 0  # stochastic examples on which Theorem S's bound held (batch_size given)
    theorem_s_vacuous: int = 0  # stochastic examples where Theorem S said nothing (not counted as checked)

    def __str__(self) -> str:
        text = (f"{self.examples} examples, bound checked a priori on {self.a_priori_checked} and "
                f"a posteriori on {self.a_posteriori_checked} (Theorem 2 on {self.theorem_2_checked}); "
                f"smallest slack {self.smallest_slack:.3g}; realized {self.realized_ranges}")
        if self.screened:
            text += (f"; before them {self.screen}: bound checked a priori on {self.screened_a_priori_checked} "
                     f"and a posteriori on {self.screened_a_posteriori_checked} (Theorem 2 on "
                     f"{self.screened_theorem_2_checked})")
        if self.theorem_s_checked or self.theorem_s_vacuous:
            text += (f"; Theorem S (stochastic gradients) held on {self.theorem_s_checked} examples, vacuous on "
                     f"{self.theorem_s_vacuous}")
        return text


class RuleViolation(AssertionError):
    """A property failed; ``example`` is the minimal failing example found (an :class:`Example`, or a
    :class:`memgd.proofs_check.stochastic.verify.StochasticExample` when Theorem S failed)."""

    def __init__(self, example: Example):
        self.example = example
        super().__init__("; ".join(example.problems) + "\nminimal reproducer:\n" + example.reproducer)


def _admissible_step(combination, selection, mu: float, L: float, capacity: int) -> float:
    """Largest admissible step from the declared constants (Theorem 1, 1b, or 2 for declared
    nonnegative weights); 0 if none (:func:`~memgd.proofs_check.properties.screen.admissible_steps`)."""
    return float(admissible_steps(combination, selection, mu, L))


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
    verdict = judge(result, problems, selection, combination)
    issues = [text for i in np.flatnonzero(verdict.violated) for text in verdict.issues(int(i))]
    c = result.constants  # within the declared constants: the run checked every step
    realized = dict(T=int(c.T.max()), s_lo=float(c.s_lo.min()), s_hi=float(c.s_hi.max()),
                    B=float(c.B.max()), W=float(c.W.max()))
    return Example(
        spec=spec, fraction=fraction, alpha=alpha, steps=steps, seed=seed,
        a_priori_slack=_smallest(verdict.a_priori_slack), a_posteriori_slack=_smallest(verdict.a_posteriori_slack),
        realized=realized, problems=issues, theorem_2_slack=_smallest(verdict.theorem_2_slack),
    )


def _smallest(slacks: np.ndarray | None) -> float:
    """Smallest slack over the problems where a bound applied; nan where none did."""
    if slacks is None or not np.isfinite(slacks).any():
        return float("nan")
    return float(np.nanmin(slacks))


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
                shrink_seconds: float = 20.0, screen_examples: int = 10_000,
                workers: int | None = None, batch_size: int | None = None, stochastic_examples: int = 8,
                stochastic_runs: int = 64) -> VerifyReport:
    """Check Theorems 1, 1b and (for declared nonnegative weights) 2 for a memory rule on
    drawn problems and steps: ``screen_examples`` examples screened in a few batched runs
    (:mod:`memgd.proofs_check.properties.screen`), then ``max_examples`` hypothesis examples;
    and Theorem S when ``batch_size`` is given.

    Both draw from one :class:`~memgd.proofs_check.properties.strategies.ExampleSpace` and are
    judged by one function (:func:`memgd.proofs_check.properties.judge.judge`).  Examples the
    screen finds failing are rerun alone and handed to hypothesis (replayed from its example
    database), which shrinks them to a minimal reproducer.

    ``selection`` and ``combination`` follow :class:`memgd.solvers.SelectionRule` and
    :class:`memgd.solvers.CombinationRule`, with their optional declarations
    (:mod:`memgd.solvers.declarations`).  Deterministic for a given ``seed``.
    Returns a :class:`VerifyReport`, or raises :class:`RuleViolation` with the
    smallest failing example hypothesis found within ``shrink_seconds`` of shrinking,
    :class:`~memgd.solvers.step_checks.RuleStepError` at once for a rule that breaks its
    interface or a declaration at some step (a NaN weight, more used slots than its
    capacity, a constant, age or sign it declared), or ``ValueError`` if the declared
    constants admit no step.

    ``workers`` processes run the screen's batches (default: every core for screens of at least
    :data:`PARALLEL_FROM` examples, else this process alone); the results do not depend on it.

    Before any run every argument is checked: ``max_examples`` and ``steps`` integers
    >= 1, ``screen_examples`` an integer >= 0, ``workers`` None or an integer >= 1, ``families`` a non-empty tuple of names from
    :data:`~memgd.proofs_check.properties.strategies.FAMILIES`, ``max_kappa`` >= 1,
    ``seed`` an integer >= 0, ``shrink_seconds`` >= 0 (``ValueError`` naming the
    parameter), and both rules are probed by :func:`memgd.solvers.rule_checks.check_rules`
    (``RuleInterfaceError`` / ``RuleValueError`` naming the rule and the attribute).
    """
    max_examples = integer_at_least("max_examples", max_examples, 1)
    steps = integer_at_least("steps", steps, 1)
    screen_examples = integer_at_least("screen_examples", screen_examples, 0)
    if workers is not None:
        workers = integer_at_least("workers", workers, 1)
    elif screen_examples >= PARALLEL_FROM:
        workers = default_workers()
    else:
        workers = 1
    families = _validated_families(families)
    max_kappa = _validated_max_kappa(max_kappa)
    seed = integer_at_least("seed", seed, 0)
    shrink_seconds = float(nonnegative("shrink_seconds", shrink_seconds))
    if batch_size is not None:
        batch_size = integer_at_least("batch_size", batch_size, 1)
        stochastic_examples = integer_at_least("stochastic_examples", stochastic_examples, 1)
        stochastic_runs = integer_at_least("stochastic_runs", stochastic_runs, 16)
    declared = check_rules(selection, combination)
    if not declared.s_lo > 0:
        raise ValueError(f"no step is admissible: the declared s_lo = {declared.s_lo:.4g} must be > 0 "
                         "(every step's weights must sum to a positive number)")
    space = ExampleSpace(families, max_kappa)

    def check_one(spec, fraction, *, steps, seed):
        return check_example(selection, combination, spec, fraction, steps=steps, seed=seed)

    screened = screen(selection, combination, space, screen_examples, steps=steps, seed=seed,
                      check_one=check_one, workers=workers) if screen_examples else None
    database = InMemoryExampleDatabase()
    confirmed = _confirmed_failures(screened, space, database, check_one, steps, seed) if screened else []

    seen: list[Example] = []
    failing: list[Example] = []
    first_failure_at: list[float] = []
    broken: list[RuleStepError] = []  # a rule that broke its interface: raised once hypothesis returns

    @settings(max_examples=max_examples, derandomize=False, database=database, deadline=None,
              suppress_health_check=[HealthCheck.too_slow], print_blob=False)
    @given(example=space.strategy())
    def property_holds(example):
        spec, fraction, run_seed = example
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

    # deterministic for ``seed`` (hypothesis's own @seed would also switch its example database off) and
    # replaying the screen's failures from the database (as hypothesis.find sets its key)
    property_holds._hypothesis_internal_use_seed = seed
    property_holds._hypothesis_internal_database_key = DATABASE_KEY
    try:
        with seed_only_examples():
            property_holds()
    except AssertionError:
        raise RuleViolation(failing[-1]) from None
    if broken:
        raise broken[0]
    if confirmed:  # hypothesis did not replay the screen's failure (it never does silently: say so)
        raise RuleViolation(confirmed[0])
    if not seen and not (screened and screened.screened):
        raise ValueError("no step is admissible for the declared constants at any drawn condition number")
    stochastic = []
    if batch_size is not None:
        from memgd.proofs_check.stochastic.verify import TheoremSViolation, verify_theorem_s

        def top(mu: float, L: float) -> float:
            return _admissible_step(combination, selection, mu, L, selection.capacity)

        try:
            stochastic = verify_theorem_s(selection, combination, top, batch_size=batch_size,
                                          examples=stochastic_examples, runs=stochastic_runs,
                                          max_kappa=min(max_kappa, 100.0), seed=seed, shrink_seconds=shrink_seconds)
        except TheoremSViolation as err:
            raise RuleViolation(err.example) from None
    return _report(seen, screened, stochastic)


#: screens of this many examples or more use every core by default (smaller ones are not worth starting processes)
PARALLEL_FROM = 2000

#: the test's database key; the screen's failing examples are stored under its ``.secondary`` key, which
#: hypothesis replays and then shrinks (entries of the primary key count as already shrunk: not shrunk again)
DATABASE_KEY = b"memgd.verify_rule.screen"


def _confirmed_failures(screened, space, database, check_one, steps: int, seed: int, most: int = 8) -> list[Example]:
    """Rerun the screen's first failing examples alone; store those that fail alone too where hypothesis
    replays them first (its example database), and return them.

    A failure seen only in the batched run (a rule whose weights depend on the other problems of the
    batch, or whose random draws differ there) is raised at once with the batch's description.
    """
    found = []
    for j in screened.failing[:most]:
        spec, fraction, run_seed = screened.drawn.examples[j]
        example = check_one(spec, fraction, steps=steps, seed=run_seed ^ seed)
        if example is not None and example.problems:
            found.append(example)
            database.save(DATABASE_KEY + b".secondary", choices_to_bytes(space.choices(screened.drawn.example_values(j))))
    if screened.failing and not found:
        j = screened.failing[0]
        spec, fraction, run_seed = screened.drawn.examples[j]
        raise RuleViolation(Example(
            spec=spec, fraction=fraction, alpha=float("nan"), steps=steps, seed=run_seed ^ seed,
            a_priori_slack=float(screened.a_priori_slack[j]), a_posteriori_slack=float(screened.a_posteriori_slack[j]),
            realized={k: screened.realized[k][j] for k in ("T", "s_lo", "s_hi", "B", "W")},
            problems=[f"a bound failed on this example inside the screen's batched run (example {j} of "
                      f"screen(seed={screened.drawn.seed}, count={screened.drawn.count})) but not when it runs alone: "
                      "the rule's weights depend on the other problems of a batch, or on random draws that differ "
                      "there"]))
    return found


def _report(seen: list[Example], screened, stochastic=()) -> VerifyReport:
    slacks = [s for e in seen for s in (e.a_posteriori_slack, e.a_priori_slack, e.theorem_2_slack)]
    keys = ("T", "s_lo", "s_hi", "B", "W")
    lows = {k: [e.realized[k] for e in seen] for k in keys}
    highs = {k: [e.realized[k] for e in seen] for k in keys}
    extra = {}
    if screened is not None and screened.screened:
        ok = screened.admissible
        for values in (screened.a_posteriori_slack, screened.a_priori_slack, screened.theorem_2_slack):
            finite = values[ok & np.isfinite(values)]
            if finite.size:
                slacks.append(float(finite.min()))
        for k in keys:
            lows[k].append(float(screened.realized[k][ok].min()) if k != "T" else int(screened.realized[k][ok].min()))
            highs[k].append(float(screened.realized[k][ok].max()) if k != "T" else int(screened.realized[k][ok].max()))
        extra = dict(screened=screened.screened,
                     screened_a_priori_checked=int(np.isfinite(screened.a_priori_slack[ok]).sum()),
                     screened_a_posteriori_checked=int(np.isfinite(screened.a_posteriori_slack[ok]).sum()),
                     screened_theorem_2_checked=int(np.isfinite(screened.theorem_2_slack[ok]).sum()),
                     screen_seconds=screened.seconds, screen_mode=screened.mode, screen=screened.describe())
    if stochastic:
        extra.update(theorem_s_checked=sum(ex.check.status == "held" for ex in stochastic),
                     theorem_s_vacuous=sum(ex.check.status == "vacuous" for ex in stochastic))
    slacks = [s for s in slacks if np.isfinite(s)]
    return VerifyReport(
        examples=len(seen),
        a_priori_checked=sum(np.isfinite(e.a_priori_slack) for e in seen),
        a_posteriori_checked=sum(np.isfinite(e.a_posteriori_slack) for e in seen),
        smallest_slack=min(slacks) if slacks else float("nan"),
        realized_ranges={k: (min(lows[k]), max(highs[k])) for k in keys if lows[k]},
        theorem_2_checked=sum(np.isfinite(e.theorem_2_slack) for e in seen),
        **extra,
    )
