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

**Processes.**  The groups are independent tasks of :mod:`memgd.proofs_check.campaigns` (loky
worker processes, ``workers`` of them; each group's randomness comes from its own seed, so the
results are the same bit for bit in one process or several).  Where the rules cannot reach the
workers (a class the workers cannot import), the groups run in this process, and the screen says so.

**Rules not vectorized over problems.**  If the rule raises in a batch where the same rule on
the example named by the error (or the group's first) alone does not, the rule cannot run
batches of unrelated problems, and every example is screened alone (the cost is
stated in the result's ``mode``, ``reason`` and ``seconds``).  A rule that raises
alone too has a bug, raised as the per-example path raises it.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from memgd.proofs_check.campaigns import RunConfig, Task, run_tasks
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
        """Examples drawn."""
        return len(self.examples)

    def example_values(self, j: int) -> dict:
        """Example ``j``'s coordinate values (Python numbers)."""
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
    workers: int = 1               # processes the batched runs were spread over

    @property
    def screened(self) -> int:
        """Examples checked (those whose declared constants admit a step)."""
        return int(self.admissible.sum())

    @property
    def failing(self) -> list[int]:
        """Indices of the failing examples, in draw order."""
        return [int(j) for j in np.flatnonzero(self.failed)]

    def describe(self) -> str:
        """What ran, how long it took, in how many processes, and how many examples failed."""
        how = (f"{self.runs} batched runs (groups of {min(self.group_sizes, default=0)}-"
               f"{max(self.group_sizes, default=0)} examples) in {self.workers} process"
               f"{'es' if self.workers > 1 else ''}" + (f", {self.reason}" if self.reason else "")
               if self.mode == "batched" else f"{self.runs} runs of one example each ({self.reason})")
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
           check_one, workers: int = 1) -> ScreenResult:
    """Draw ``count`` examples and check them all (module doc).

    ``check_one(spec, fraction, steps=, seed=)`` is the per-example check of the hypothesis path
    (:func:`memgd.proofs_check.properties.verify_rule.check_example`): it reproduces a batch's
    rule error alone, and screens every example when the rule cannot run batches.  With
    ``workers`` > 1 the groups run in that many worker processes
    (:mod:`memgd.proofs_check.campaigns`, loky); the results are the same bit for bit.
    """
    start = time.perf_counter()
    drawn = draw(space, count, seed)
    mu = np.array([spec.mu for spec, _, _ in drawn.examples])
    L = np.array([spec.L for spec, _, _ in drawn.examples])
    top = admissible_steps(combination, selection, mu, L) if count else np.zeros(0)
    admissible = np.isfinite(top) & (top > 0)
    alpha = top * drawn.values["fraction"]
    out = _empty(count)
    note = ""
    try:
        runs, problems, sizes, note, used = _batched(selection, combination, drawn, admissible, alpha, steps, seed,
                                                     check_one, out, workers)
        mode, reason = "batched", ""
    except _NotBatchable as why:
        out = _empty(count)
        runs, problems, sizes = _one_by_one(drawn, admissible, steps, seed, check_one, out)
        mode, reason, used = "per example", str(why), 1
    return ScreenResult(drawn=drawn, admissible=admissible, failed=out.pop("failed"),
                        a_priori_slack=out.pop("a_priori"), a_posteriori_slack=out.pop("a_posteriori"),
                        theorem_2_slack=out.pop("theorem_2"), realized=out, runs=runs,
                        seconds=time.perf_counter() - start, mode=mode, reason=reason or note, problems=problems,
                        group_sizes=tuple(sizes), workers=used)


def _empty(count: int) -> dict:
    nan = np.full(count, np.nan)
    return dict(failed=np.zeros(count, dtype=bool), a_priori=nan.copy(), a_posteriori=nan.copy(),
                theorem_2=nan.copy(), T=np.zeros(count, dtype=np.int64), s_lo=nan.copy(), s_hi=nan.copy(),
                B=nan.copy(), W=nan.copy())


def _groups(drawn: Drawn, admissible: np.ndarray) -> list[list[int]]:
    """Example indices per (family, d), in first-drawn order (the batches of one group are split again by
    :func:`group_key` when built, in case a family's batches differ in another field)."""
    by_spec: dict = defaultdict(list)
    for j in np.flatnonzero(admissible):
        spec = drawn.examples[j][0]
        by_spec[(spec.family, spec.d)].append(int(j))
    return list(by_spec.values())


def run_group(selection, combination, specs: list, alphas: list, run_seeds: list, steps: int, rng_seed: list) -> dict:
    """Build the examples' problems, run them as one batch per :func:`group_key`, judge every problem.

    Returns per-example results (lists, in the order given), or, where the rule raised or a declared
    pattern failed, the position of the example concerned: the caller reproduces it alone.  A task
    of :mod:`memgd.proofs_check.campaigns` (picklable arguments and result; nothing raised for a
    rule's error).
    """
    parts: dict = defaultdict(list)
    for pos, spec in enumerate(specs):
        batch = spec.build()
        parts[group_key(batch)].append((pos, batch))
    out = dict(position=[], failed=[], a_priori=[], a_posteriori=[], theorem_2=[], T=[], s_lo=[], s_hi=[], B=[],
               W=[], problems=0, runs=0, error=None)
    for part, members in enumerate(parts.values()):
        positions = [pos for pos, _ in members]
        batches = [batch for _, batch in members]
        P = concatenate(batches)
        counts = np.array([b.n for b in batches])
        owner = np.repeat(np.arange(len(batches)), counts)
        x0 = np.concatenate([b.start_points(np.random.default_rng(run_seeds[pos])) for pos, b in members])
        alpha = np.repeat(np.asarray([alphas[pos] for pos in positions]), counts)
        try:
            result = run(P, selection, combination, alpha, steps, x0=x0,
                         rng=np.random.default_rng([*rng_seed, part]), tol=1e-10)
        except Exception as error:  # the caller reproduces it alone (it may be the rule's bug, or no batches)
            i = getattr(error, "problem", None)
            at = positions[int(owner[i])] if isinstance(error, RuleStepError) and i is not None else positions[0]
            out["error"] = dict(position=at, type=type(error).__name__, message=str(error).splitlines()[0][:200],
                                problems=P.n)
            return out
        patterns = check_declared_patterns(result, selection, combination)
        if patterns is not None and not patterns.holds:
            out["error"] = dict(position=positions[int(owner[patterns.failure[1]])], type="pattern",
                                message=patterns.describe(), problems=P.n)
            return out
        verdict = judge(result, P, selection, combination)
        n = len(batches)
        c = result.constants
        prior = verdict.a_priori_slack
        out["position"] += positions
        out["failed"] += _segment(verdict.violated, owner, n, np.logical_or).tolist()
        out["a_priori"] += (_segment(prior, owner, n, np.fmin) if prior is not None else np.full(n, np.nan)).tolist()
        out["a_posteriori"] += _segment(verdict.a_posteriori_slack, owner, n, np.fmin).tolist()
        out["theorem_2"] += _segment(verdict.theorem_2_slack, owner, n, np.fmin).tolist()
        out["T"] += _segment(c.T, owner, n, np.maximum).tolist()
        for key, reduce in (("s_lo", np.fmin), ("s_hi", np.fmax), ("B", np.fmax), ("W", np.fmax)):
            out[key] += _segment(getattr(c, key), owner, n, reduce).tolist()
        out["problems"] += P.n
        out["runs"] += 1
    return out


def _batched(selection, combination, drawn, admissible, alpha, steps, seed, check_one, out, workers: int):
    groups = _groups(drawn, admissible)
    tasks = [Task(run_group, dict(selection=selection, combination=combination,
                                  specs=[drawn.examples[j][0] for j in idx], alphas=[float(alpha[j]) for j in idx],
                                  run_seeds=[drawn.examples[j][2] ^ seed for j in idx], steps=steps,
                                  rng_seed=[seed, 23, g]), f"screen group {g}")
             for g, idx in enumerate(groups)]
    note, results, used = "", None, 1
    if workers > 1 and len(tasks) > 1:
        try:
            done = run_tasks(tasks, RunConfig(backend="loky", workers=workers))
            results, used = [done[t.key].value for t in tasks], workers
        except Exception as error:  # the rules could not reach the workers (not picklable, not importable there)
            note = f"in this process: the worker processes failed ({type(error).__name__}: {str(error)[:120]})"
    if results is None:
        results = (run_group(**t.params) for t in tasks)
    runs = problems = 0
    sizes = []
    for idx, found in zip(groups, results):
        if found["error"] is not None:
            why = found["error"]
            spec, fraction, run_seed = drawn.examples[idx[why["position"]]]
            check_one(spec, fraction, steps=steps, seed=run_seed ^ seed)  # raises the rule's error, if it is one
            raise _NotBatchable(f"the rule raised {why['type']} on a batch of {why['problems']} problems and not "
                                f"on one example alone: {why['message']}")
        at = np.asarray(idx)[np.asarray(found["position"], dtype=np.int64)]
        for key in ("failed", "a_priori", "a_posteriori", "theorem_2", "T", "s_lo", "s_hi", "B", "W"):
            out[key][at] = found[key]
        runs += found["runs"]
        problems += found["problems"]
        sizes.append(len(idx))
    return runs, problems, sizes, note, used


def _segment(values: np.ndarray, owner: np.ndarray, n_examples: int, reduce) -> np.ndarray:
    """``reduce`` (an np.fmin / np.fmax / np.logical_or ufunc) of ``values`` over each example's problems."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    return reduce.reduceat(values, starts)[:n_examples]


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
