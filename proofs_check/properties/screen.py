r"""Screen a large sample of examples in a few batched engine runs, before hypothesis.

``verify_rule`` first draws ``count`` examples with NumPy from the same
:class:`~memgd.proofs_check.properties.strategies.ExampleSpace` hypothesis draws from
(family, condition number, mu, n, d, problems' seed, spectrum, step fraction, run seed), and
runs them as a few batched runs of :func:`memgd.solvers.run`: the batch axis carries the
examples' problems, each with its own step :math:`\alpha = f\,\alpha_{\max}(\mu, L)` and the
start points its own run would draw (``start_points`` of a generator seeded with its run seed).

**Grouping, not padding.**  Problems of one run must share their class and dimension, so the
examples are grouped by the class of their batch, its dimension and its other non-array
fields (in practice: family and d, 20 groups for the default space).  Padding d instead would
change the problems (a padded quadratic has another Hessian spectrum and a zero-gradient
subspace that memory never moves) and the rounding of every norm, so a padded example
would not be the example hypothesis draws.

Every group's run is judged by :func:`memgd.proofs_check.properties.judge.judge`, the function
the hypothesis path uses, and the declared patterns by
:func:`~memgd.proofs_check.properties.pattern_check.check_declared_patterns`, all vectorized
over the problems; an example fails if one of its problems does.

**Rules not vectorized over problems.**  If the rule raises in a batch where the same rule on
the example named by the error (or the group's first) alone does not, the rule cannot run
batches of unrelated problems, and every example is screened alone (the cost is
stated in :attr:`ScreenResult.mode` and :attr:`ScreenResult.seconds`).  A rule that raises
alone too has a bug, raised as the per-example path raises it.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from memgd.proofs_check.properties.judge import judge
from memgd.proofs_check.properties.pattern_check import check_declared_patterns
from memgd.proofs_check.properties.strategies import ExampleSpace, ProblemSpec
from memgd.solvers import run
from memgd.solvers.step_checks import RuleStepError
from memgd.theory.constants import alpha_max
from memgd.theory.constants2 import alpha_max2
from memgd.solvers.declarations import declared_nonnegative


def admissible_steps(combination, selection, mu, L) -> np.ndarray:
    """Largest admissible step from the declared constants (Theorem 1, 1b, or 2 for declared
    nonnegative weights), elementwise over ``mu``, ``L``; 0 where none."""
    dc = combination.declared_constants(selection.capacity)
    T = selection.max_age if selection.max_age is not None else selection.slots
    mu, L = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(L, dtype=float))
    if dc.s_lo <= 0:
        return np.zeros(mu.shape)
    kw = dict(mu=mu, L=L, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=T)
    top = np.maximum(alpha_max(**kw, theorem="1"), alpha_max(**kw, theorem="1b"))
    if declared_nonnegative(combination):
        top = np.maximum(top, alpha_max2(mu=mu, L=L, s_lo=dc.s_lo, B=dc.B, W=dc.W, T=T))
    return np.asarray(top, dtype=float)


@dataclass(frozen=True)
class Drawn:
    """The screened sample: coordinate values (count,) and the examples built from them."""

    space: ExampleSpace
    seed: int
    values: dict
    examples: list  # (spec, fraction, run_seed) per example

    @property
    def count(self) -> int:
        return len(self.examples)

    def example_values(self, j: int) -> dict:
        return self.space.values(self.values, j)


def draw(space: ExampleSpace, count: int, seed: int) -> Drawn:
    """``count`` examples of ``space``, from a generator seeded with ``seed`` (reproducible)."""
    values = space.sample(count, np.random.default_rng([seed, 23]))
    examples = [space.example(space.values(values, j)) for j in range(count)]
    return Drawn(space, seed, values, examples)


@dataclass(frozen=True)
class ScreenResult:
    """What the screen ran and found; per-example arrays are (count,) in draw order."""

    drawn: Drawn
    admissible: np.ndarray         # bool: the declared constants admit a step at this example's (mu, L)
    failed: np.ndarray             # bool: some bound failed on one of the example's problems
    a_priori_slack: np.ndarray     # nan where no bound with the declared constants applied
    a_posteriori_slack: np.ndarray
    theorem_2_slack: np.ndarray
    realized: dict                 # name -> (count,) T max, s_lo min, s_hi max, B max, W max over its problems
    runs: int                      # engine runs made
    seconds: float                 # wall time of the whole screen
    mode: str                      # "batched" or "per example"
    reason: str = ""               # why the screen ran per example
    problems: int = 0              # problems run in all
    group_sizes: tuple = field(default_factory=tuple)

    @property
    def screened(self) -> int:
        return int(self.admissible.sum())

    @property
    def failing(self) -> list[int]:
        """Indices of the failing examples, in draw order."""
        return [int(j) for j in np.flatnonzero(self.failed)]

    def describe(self) -> str:
        how = (f"{self.runs} batched runs (groups of {min(self.group_sizes, default=0)}-"
               f"{max(self.group_sizes, default=0)} examples)" if self.mode == "batched"
               else f"{self.runs} runs of one example each ({self.reason})")
        per = 1e3 * self.seconds / max(self.screened, 1)
        return (f"screened {self.screened} examples ({self.problems} problems) in {self.seconds:.2f} s, "
                f"{per:.3g} ms per example, {how}; {len(self.failing)} failing")


def concatenate(batches: list):
    """One problem batch holding every problem of ``batches`` (same class, dimension and other fields)."""
    first = batches[0]
    arrays = {f.name: np.concatenate([getattr(b, f.name) for b in batches])
              for f in dataclasses.fields(first) if isinstance(getattr(first, f.name), np.ndarray)}
    return dataclasses.replace(first, **arrays)


def group_key(batch) -> tuple:
    """Batches with equal keys concatenate: class, and every non-array field and array shape but the first axis."""
    parts = []
    for f in dataclasses.fields(batch):
        v = getattr(batch, f.name)
        parts.append((f.name, ("shape", v.shape[1:], v.dtype.str) if isinstance(v, np.ndarray) else v))
    return (type(batch).__qualname__, tuple(parts))


class _NotBatchable(Exception):
    """The rule fails on a batch of unrelated problems but not on one example alone."""


def screen(selection, combination, space: ExampleSpace, count: int, *, steps: int, seed: int,
           check_one) -> ScreenResult:
    """Draw ``count`` examples and check them all (module doc).

    ``check_one(spec, fraction, steps=, seed=)`` is the per-example check of the hypothesis path
    (:func:`memgd.proofs_check.properties.verify_rule.check_example`): it reproduces a batch's
    rule error alone, and screens every example when the rule cannot run batches.
    """
    start = time.perf_counter()
    drawn = draw(space, count, seed)
    mu = np.array([spec.mu for spec, _, _ in drawn.examples])
    L = np.array([spec.L for spec, _, _ in drawn.examples])
    top = admissible_steps(combination, selection, mu, L) if count else np.zeros(0)
    admissible = np.isfinite(top) & (top > 0)
    fraction = drawn.values["fraction"]
    out = _empty(count)
    try:
        runs, problems, sizes = _batched(selection, combination, drawn, admissible, top * fraction, steps, seed,
                                         check_one, out)
        mode, reason = "batched", ""
    except _NotBatchable as why:
        out = _empty(count)
        runs, problems, sizes = _one_by_one(drawn, admissible, steps, seed, check_one, out)
        mode, reason = "per example", str(why)
    return ScreenResult(drawn=drawn, admissible=admissible, failed=out.pop("failed"),
                        a_priori_slack=out.pop("a_priori"), a_posteriori_slack=out.pop("a_posteriori"),
                        theorem_2_slack=out.pop("theorem_2"), realized=out, runs=runs,
                        seconds=time.perf_counter() - start, mode=mode, reason=reason, problems=problems,
                        group_sizes=tuple(sizes))


def _empty(count: int) -> dict:
    nan = np.full(count, np.nan)
    return dict(failed=np.zeros(count, dtype=bool), a_priori=nan.copy(), a_posteriori=nan.copy(),
                theorem_2=nan.copy(), T=np.zeros(count, dtype=np.int64), s_lo=nan.copy(), s_hi=nan.copy(),
                B=nan.copy(), W=nan.copy())


def _groups(drawn: Drawn, admissible: np.ndarray):
    """(example indices, their batches) per group of concatenable batches, built one group at a time.

    Examples are grouped by (family, d) first (cheap, from the specs); the batches of a group are
    then split by :func:`group_key`, in case a family's batches differ in another field.
    """
    by_spec: dict = defaultdict(list)
    for j in np.flatnonzero(admissible):
        spec = drawn.examples[j][0]
        by_spec[(spec.family, spec.d)].append(int(j))
    for idx in by_spec.values():
        parts: dict = defaultdict(list)
        for j in idx:
            batch = drawn.examples[j][0].build()
            parts[group_key(batch)].append((j, batch))
        for members in parts.values():
            yield [j for j, _ in members], [batch for _, batch in members]


def _batched(selection, combination, drawn, admissible, alpha_of, steps, seed, check_one, out):
    runs = problems = 0
    sizes = []
    for g, (idx, batches) in enumerate(_groups(drawn, admissible)):
        P = concatenate(batches)
        counts = np.array([b.n for b in batches])
        owner = np.repeat(np.arange(len(idx)), counts)  # example (position in idx) of each problem
        run_seeds = [drawn.examples[j][2] ^ seed for j in idx]
        x0 = np.concatenate([b.start_points(np.random.default_rng(s)) for b, s in zip(batches, run_seeds)])
        alpha = np.repeat(alpha_of[idx], counts)
        try:
            result = run(P, selection, combination, alpha, steps, x0=x0, rng=np.random.default_rng([seed, 23, g]), tol=1e-10)
        except Exception as error:  # a rule error: reproduce it alone, or the rule cannot run batches
            i = getattr(error, "problem", None)
            j = idx[int(owner[i])] if isinstance(error, RuleStepError) and i is not None else idx[0]
            spec, fraction, run_seed = drawn.examples[j]
            check_one(spec, fraction, steps=steps, seed=run_seed ^ seed)  # raises the rule's error, if it is one
            raise _NotBatchable(f"the rule raised {type(error).__name__} on a batch of {P.n} problems and not "
                                f"on one example alone: {str(error).splitlines()[0][:200]}") from error
        runs += 1
        problems += P.n
        sizes.append(len(idx))
        patterns = check_declared_patterns(result, selection, combination)
        if patterns is not None and not patterns.holds:
            j = idx[int(owner[patterns.failure[1]])]
            spec, fraction, run_seed = drawn.examples[j]
            check_one(spec, fraction, steps=steps, seed=run_seed ^ seed)  # raises the pattern error alone
        verdict = judge(result, P, selection, combination)
        _per_example(out, np.asarray(idx), owner, verdict, result.constants)
    return runs, problems, sizes


def _segment(values: np.ndarray, owner: np.ndarray, n_examples: int, reduce) -> np.ndarray:
    """``reduce`` (an np.fmin / np.fmax / np.logical_or ufunc) of ``values`` over each example's problems."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    return reduce.reduceat(values, starts)[:n_examples]


def _per_example(out, idx, owner, verdict, constants) -> None:
    n = len(idx)
    prior = verdict.a_priori_slack
    out["failed"][idx] = _segment(verdict.violated, owner, n, np.logical_or)
    if prior is not None:
        out["a_priori"][idx] = _segment(prior, owner, n, np.fmin)
    out["a_posteriori"][idx] = _segment(verdict.a_posteriori_slack, owner, n, np.fmin)
    out["theorem_2"][idx] = _segment(verdict.theorem_2_slack, owner, n, np.fmin)
    out["T"][idx] = _segment(constants.T, owner, n, np.maximum)
    out["s_lo"][idx] = _segment(constants.s_lo, owner, n, np.fmin)
    out["s_hi"][idx] = _segment(constants.s_hi, owner, n, np.fmax)
    out["B"][idx] = _segment(constants.B, owner, n, np.fmax)
    out["W"][idx] = _segment(constants.W, owner, n, np.fmax)


def _one_by_one(drawn, admissible, steps, seed, check_one, out):
    runs = problems = 0
    for j in np.flatnonzero(admissible):
        spec, fraction, run_seed = drawn.examples[j]
        example = check_one(spec, fraction, steps=steps, seed=run_seed ^ seed)
        if example is None:
            continue
        runs += 1
        problems += spec.n
        out["failed"][j] = bool(example.problems)
        out["a_priori"][j] = example.a_priori_slack
        out["a_posteriori"][j] = example.a_posteriori_slack
        out["theorem_2"][j] = example.theorem_2_slack
        for k in ("T", "s_lo", "s_hi", "B", "W"):
            out[k][j] = example.realized[k]
    return runs, problems, [1] * runs
