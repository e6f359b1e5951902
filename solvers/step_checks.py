r"""Every step of a run checks the rules: their interface and their declarations.

:func:`memgd.solvers.rule_checks.check_rules` probes the rules once, on a tiny memory,
before a run.  A rule may still break its promises later (weights that turn NaN at
step 20, an ``active`` that exceeds ``capacity`` from step 10 on, a negative weight
from a rule declaring ``nonnegative_weights``).  During :func:`memgd.solvers.run`,
at every step k and for every problem i still running (k < nit_i):

selection rule
    ``active`` is an (n, S) bool array selecting filled slots only, at most C of them;
    every used stored gradient (weight b != 0) has age :math:`\le` ``max_age`` (if
    declared); ``insert`` returns a memory of the same shapes;
combination rule
    ``weights`` returns a float array a (n,) and b (n, S), finite, b = 0 outside
    ``active``; :math:`s_k = a_k + \sum_c b_{k,c} \in [s_{lo}, s_{hi}]`,
    :math:`B_k = \sum_c |b_{k,c}| \le B`, :math:`W_k = |a_k| + B_k \le W` with the
    declared constants at C; every weight :math:`\ge 0` if the rule declares
    ``nonnegative_weights``.

The comparisons with declared constants allow the rounding of the sums:
:math:`|s_k - \hat s_k| \le S\,\varepsilon\,W_k` for a sum of S + 1 terms, and as much
again for the rule's own evaluation of the bound, so a bound :math:`\beta` is broken
when the computed value passes it by more than :math:`2(S+1)\varepsilon(W_k + |\beta|)`.
The sign is checked exactly (a weight < 0 is negative).

**Cost.**  Shapes and types are checked at every step (a few attribute reads), and so
are empty slots where ``active`` returns another array than the memory's ``filled``.  The
other values are checked on the chunks of steps the recorder
(:mod:`memgd.solvers.recording`) already buffers and reduces: it hands over s, B, W
and the ages it computed, and the checks add a few whole-chunk reductions (the count
of used slots only when ``capacity`` < S).  Where a reduction says "maybe", the
violation is located exactly, masked to the steps taken; a problem that diverged stops
the chunk at once, so a NaN weight is named at the step it appeared.

A violation raises :class:`RuleStepError` (a
:class:`~memgd.solvers.rule_checks.RuleValueError`): a rule that breaks its interface or
its declarations has a bug, which is not an outcome of the method.  The error names the
rule, the method, the step and the problem, and carries a reproducer: a few lines of
Python that import what they use and rerun the run up to that step.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np

from memgd.solvers.combination import CombinationConstants
from memgd.solvers.declarations import declared_nonnegative
from memgd.solvers.memory import MemoryState
from memgd.solvers.rule_checks import RuleCheckError, RuleValueError, _check_active, _check_memory, _check_weights, _name

EPS = np.finfo(float).eps
PROBLEMS_PLACEHOLDER = "problems = ..."


class RuleStepError(RuleValueError):
    """A rule broke its interface or a declaration at one step of a run.

    ``rule`` (its repr), ``method`` (the call), ``step`` and ``problem`` (None when the
    whole batch is concerned) locate it; ``reproducer`` reruns it.
    """

    def __init__(self, what: str, *, rule: str, method: str, step: int, problem: int | None, reproducer: str):
        self.what, self.rule, self.method, self.step, self.problem = what, rule, method, step, problem
        self.reproducer = reproducer
        super().__init__(f"{what}\nminimal reproducer:\n" + "\n".join("    " + line for line in reproducer.splitlines()))

    def with_problems(self, code: str) -> "RuleStepError":
        """The same error with the reproducer's ``problems = ...`` line replaced by ``code``."""
        lines = [code if line.startswith(PROBLEMS_PLACEHOLDER) else line for line in self.reproducer.splitlines()]
        return RuleStepError(self.what, rule=self.rule, method=self.method, step=self.step, problem=self.problem,
                             reproducer="\n".join(lines))


class RunCall(NamedTuple):
    """What a reproducer needs of one call of :func:`memgd.solvers.run` (see :func:`reproducer`)."""

    batch: str           # the problems' type and size, e.g. "QuadraticBatch with n=16, d=10"
    alpha: np.ndarray    # (n,) steps
    rng: int | dict      # the integer seed, or the generator's state at the start of the run
    x0_given: bool
    options: str         # the other non-default arguments, as ", name=value" text


def _constructor(rule) -> tuple[str, tuple[str, str] | None]:
    """(code that builds the rule, (module, name) to import, or None where it cannot be imported)."""
    cls = type(rule)
    text = repr(rule)
    if text.startswith("<") and " object at 0x" in text:
        text = f"{cls.__qualname__}()"  # the best guess; the comment says so
    module, name = cls.__module__, cls.__qualname__.split(".")[0]
    if module in ("__main__", "builtins") or "<" in cls.__qualname__:
        return text, None
    if module.startswith("memgd.solvers.") and getattr(sys.modules.get("memgd.solvers"), name, None) is cls:
        module = "memgd.solvers"  # a shipped rule: import it from the package
    return text, (module, name)


def reproducer(selection, combination, call: RunCall, step: int, problem: int | None, *,
               then: tuple[str, ...] = ()) -> str:
    """Python lines that rerun ``call`` up to ``step`` (steps = step + 1), importing what they use.

    With ``then``, the run's result is kept as ``result`` (and the rules as ``selection`` and
    ``combination``) and these lines follow: for checks made after the run.
    """
    sel, sel_import = _constructor(selection)
    comb, comb_import = _constructor(combination)
    imports: dict[str, list[str]] = {"memgd.solvers": ["run"]}
    for found in (sel_import, comb_import):
        if found is not None and found[1] not in imports.setdefault(found[0], []):
            imports[found[0]].append(found[1])
    lines = [f"from {module} import {', '.join(names)}" for module, names in imports.items()]
    for rule, imported in ((selection, sel_import), (combination, comb_import)):
        if imported is None:
            lines.append(f"# {type(rule).__qualname__} is defined in your script: define or import it here")
    uses_numpy = False
    lines.append(f"{PROBLEMS_PLACEHOLDER}  # the {call.batch} given to run(): build it as you did")
    if call.x0_given:
        lines.append("x0 = ...  # the starting points you gave")
    alpha = call.alpha
    if alpha.size and np.all(alpha == alpha[0]):
        alpha_code = repr(float(alpha[0]))
    elif alpha.size <= 32:
        uses_numpy = True
        alpha_code = f"np.array({alpha.tolist()!r})"
    else:
        lines.append("alpha = ...  # the (n,) steps you gave")
        alpha_code = "alpha"
    if isinstance(call.rng, dict):
        uses_numpy = True
        lines.append(f"rng = np.random.Generator(np.random.{call.rng['bit_generator']}())")
        lines.append(f"rng.bit_generator.state = {call.rng!r}  # the generator's state when the run started")
        rng_code = "rng"
    else:
        rng_code = repr(call.rng)
    x0 = ", x0=x0" if call.x0_given else ""
    where = f"step {step}" + ("" if problem is None else f", problem {problem}")
    arguments = f"alpha={alpha_code}, steps={step + 1}{x0}, rng={rng_code}{call.options}"
    if then:
        lines.append(f"selection, combination = {sel}, {comb}")
        lines.append(f"result = run(problems, selection, combination, {arguments})")
        lines.extend(then)
        lines[-1] += f"  # {where}"
    else:
        lines.append(f"run(problems, {sel}, {comb}, {arguments})  # raises at {where}")
    if uses_numpy:
        lines.insert(0, "import numpy as np")
    return "\n".join(lines)


def _first(a: float, b: np.ndarray, bad) -> str:
    """``a = value`` if ``bad(a)``, else ``b = value on slot c`` for the first slot c where ``bad`` holds."""
    if bad(np.asarray(a)):
        return f"a = {float(a)!r}"
    c = int(np.argmax(bad(b)))
    return f"b = {float(b[c])!r} on slot {c}"


def _caught(check) -> RuleCheckError | None:
    """The error ``check()`` raises, if any (raised again outside the handler, without a chained context)."""
    try:
        check()
    except RuleCheckError as error:
        return error
    return None


_BOOL, _F64 = np.dtype(bool), np.dtype(np.float64)


def step_types_ok(used, a, b, n: int, shape: tuple[int, int]) -> bool:
    """The cheap part of a step's check: ``active`` an (n, S) bool array, ``weights`` float64 arrays
    (n,) and (n, S).  False sends the step to :meth:`StepAudit.step_types` (which also accepts other
    float types)."""
    try:
        return (used.dtype is _BOOL and a.dtype is _F64 and b.dtype is _F64
                and used.shape == shape and b.shape == shape and a.shape == (n,))
    except AttributeError:  # not an array at all
        return False


class StepAudit:
    """The per-step checks of one run (module doc): called by the run and by the recorder's chunks.

    ``nit`` is the run's array of steps taken, updated in place as problems stop: step k
    of problem i is checked iff k < nit_i.
    """

    def __init__(self, selection, combination, declared: CombinationConstants, nit: np.ndarray, call: RunCall):
        self.selection, self.combination, self.call = selection, combination, call
        self.capacity = int(selection.capacity)
        self.max_age = selection.max_age
        self.nonnegative = declared_nonnegative(combination)
        self.declared = declared
        self.nit = nit
        self.slots = None
        self.tol = 0.0
        self.count_slots = False

    def memory(self, n: int, S: int, d: int) -> None:
        """The memory's size, once known (first step)."""
        self.n, self.slots, self.d = n, S, d
        self.tol = 2 * (S + 1) * EPS
        self.count_slots = self.capacity < S
        lo, hi, B_d, W_d = self.declared
        # the bounds with the smallest tolerance (the declared value's share): sufficient for the exact test
        self.fast_bounds = (lo - self.tol * abs(lo), hi + self.tol * abs(hi), B_d * (1 + self.tol), W_d * (1 + self.tol))

    # -- errors ----------------------------------------------------------------------------

    def fail(self, kind: str, method: str, step: int, problem: int | None, detail: str) -> None:
        """Raise :class:`RuleStepError` for ``kind`` ("selection" or "combination") rule's ``method``."""
        rule = self.selection if kind == "selection" else self.combination
        where = f"step {step}" + ("" if problem is None else f", problem {problem}")
        self._raise(f"{kind} rule {_name(rule)}: {method} at {where}: {detail}", rule, method, step, problem)

    def _raise(self, what: str, rule, method: str, step: int, problem: int | None) -> None:
        raise RuleStepError(what, rule=_name(rule), method=method.split("(")[0], step=step, problem=problem,
                            reproducer=reproducer(self.selection, self.combination, self.call, step, problem))

    def _reraise(self, rule, error: RuleCheckError, step: int, method: str) -> None:
        self._raise(f"{error} (at step {step} of the run)", rule, method, step, None)

    # -- every step: types and shapes ---------------------------------------------------------

    def step_types(self, k: int, used, a, b, mem: MemoryState) -> None:
        """Raise for a wrong ``active`` or ``weights`` output at step k (called when :func:`step_types_ok` fails)."""
        for rule, method, check in ((self.selection, "active", lambda: _check_active(self.selection, used, mem, k,
                                                                                      self.capacity)),
                                    (self.combination, "weights", lambda: _check_weights(self.combination, (a, b),
                                                                                         mem, used, k))):
            error = _caught(check)
            if error is not None:
                self._reraise(rule, error, k, method)

    def empty_slots(self, k: int, used, filled, running) -> None:
        """Raise if ``active`` selected an empty slot of a problem taking step k (``running``)."""
        bad = (used & ~filled).any(axis=1) & running
        if bad.any():
            i = int(np.argmax(bad))
            self.fail("selection", f"active(mem, k={k}, rng)", k, i,
                      f"selects an empty slot (slot {int(np.argmax(used[i] & ~filled[i]))}); "
                      "it must select filled slots only")

    def memory_returned(self, k: int, mem, call: str = "insert") -> None:
        """A memory returned by ``init`` or ``insert`` has the run's shapes and dtypes."""
        method = "init(g0)" if call == "init" else f"insert(mem, g, k={k}, rng)"
        error = _caught(lambda: _check_memory(self.selection, method, mem, self.n, self.slots, self.d))
        if error is not None:
            self._reraise(self.selection, error, k, method)

    # -- a chunk of steps: values and declarations ----------------------------------------

    def __call__(self, k0: int, a, b, used, nonzero, ages, s, B, W) -> None:
        """Check steps k0 .. k0+m-1; arrays (m, n) or (m, n, S) as the recorder computed them
        (``nonzero`` = b != 0, ``ages`` -1 where a slot is unused).

        A few whole-chunk reductions decide "all fine" (each a sufficient condition of the exact
        per-step test; a NaN fails every comparison, and W finite implies s and B finite); where
        one fails, :meth:`_locate` makes the exact test on the steps taken.
        """
        s_lo, s_hi, B_max, W_max = self.fast_bounds
        ok = (
            W.max() <= W_max and (W_max < np.inf or bool(np.isfinite(W).all()))
            and s.min() >= s_lo and s.max() <= s_hi and B.max() <= B_max
            and not (nonzero > used).any()
            and (not self.count_slots or self._counts(used).max() <= self.capacity)
            and (not self.nonnegative or (a.min() >= 0 and b.min(initial=0.0) >= 0))
            and (self.max_age is None or ages.max(initial=-1) <= self.max_age)
        )
        if not ok:
            self._locate(k0, a, b, used, nonzero, ages, s, B, W)

    def _counts(self, used) -> np.ndarray:
        """Used slots per step and problem, (m, n) (a sum of bytes: faster than a bool reduction)."""
        if used.shape[2] < 256:
            return np.einsum("ijk->ij", used.view(np.uint8))
        return np.count_nonzero(used, axis=2)

    def _locate(self, k0, a, b, used, nonzero, ages, s, B, W) -> None:
        """Find the earliest violation among the steps taken and raise it (nothing if none)."""
        m = a.shape[0]
        taken = (k0 + np.arange(m))[:, None] < self.nit[None, :]
        lo, hi, B_d, W_d = self.declared
        tol = self.tol * (np.where(np.isfinite(W), W, 0.0))
        count = self._counts(used)
        oldest = ages.max(axis=2, initial=-1)
        finite_a = np.isfinite(a)
        finite_b = np.isfinite(b).all(axis=2)
        finite = finite_a & finite_b
        no_check = np.zeros(taken.shape, dtype=bool)
        declared = f"declared_constants(capacity={self.capacity})"
        # (kind, what is compared, bad (m, n), detail(j, i)), in the order they are reported at one step;
        # the declared constants are compared only where the weights are finite (else that is the error)
        checks = [
            ("selection", "active", count > self.capacity,
             lambda j, i: f"selects {int(count[j, i])} slots, more than its capacity = {self.capacity}"),
            ("selection", "active, max_age", no_check if self.max_age is None else oldest > self.max_age,
             lambda j, i: f"uses a stored gradient of age {int(oldest[j, i])}, older than its declared "
                          f"max_age = {self.max_age}"),
            ("combination", "weights", (nonzero & ~used).any(axis=2),
             lambda j, i: f"returned a nonzero b on slot {int(np.argmax(nonzero[j, i] & ~used[j, i]))}, which is "
                          "not active; b must be zero outside the used slots"),
            ("combination", "weights", ~finite,
             lambda j, i: f"returned a non-finite weight ({_first(a[j, i], b[j, i], lambda v: ~np.isfinite(v))})"),
            ("combination", "weights, nonnegative_weights",
             ((a < 0) | (b < 0).any(axis=2)) if self.nonnegative else no_check,
             lambda j, i: f"returned a negative weight ({_first(a[j, i], b[j, i], lambda v: v < 0)}), but the rule "
                          "declares nonnegative_weights = True"),
            ("combination", f"weights, {declared}", finite & (s < lo - self.tol * abs(lo) - tol),
             lambda j, i: f"s = a + sum(b) = {float(s[j, i])!r} is below the declared s_lo = {lo!r}"),
            ("combination", f"weights, {declared}", finite & (s > hi + self.tol * abs(hi) + tol),
             lambda j, i: f"s = a + sum(b) = {float(s[j, i])!r} is above the declared s_hi = {hi!r}"),
            ("combination", f"weights, {declared}", finite & (B > B_d + self.tol * B_d + tol),
             lambda j, i: f"the memory mass sum(|b|) = {float(B[j, i])!r} exceeds the declared B = {B_d!r}"),
            ("combination", f"weights, {declared}", finite & (W > W_d + self.tol * W_d + tol),
             lambda j, i: f"the total mass |a| + sum(|b|) = {float(W[j, i])!r} exceeds the declared W = {W_d!r}"),
        ]
        first = None
        for kind, compared, bad, detail in checks:
            hits = np.argwhere(bad & taken)
            if hits.size:
                j, i = (int(v) for v in hits[0])  # argwhere is row-major: earliest step, then lowest problem
                if first is None or j < first[0]:
                    first = (j, i, kind, compared, detail)
        if first is None:
            return
        j, i, kind, compared, detail = first
        k = k0 + j
        call = f"active(mem, k={k}, rng)" if kind == "selection" else f"weights(g, mem, active, k={k}, rng)"
        extra = compared.split(", ", 1)[1] if ", " in compared else ""
        self.fail(kind, call + (f" (checked against {extra})" if extra else ""), k, i, detail(j, i))
