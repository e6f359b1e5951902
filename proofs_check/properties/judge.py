r"""Which distance bounds apply to a run, and whether they hold: the one place ``verify_rule`` decides it.

For every problem i of a run of a (selection, combination) pair (:func:`judge`):

1. *a posteriori*: :math:`r_k \le C\rho^k r_0` with the constants measured on the run
   (:func:`~memgd.proofs_check.properties.bound_check.check_realized`), Theorems 1 / 1b alone,
   and again with Theorem 2 admitted where the run's weights were all nonnegative;
2. *a priori* (only for a selection that declares ``max_age``): the same with the rule's
   declared constants (:func:`~memgd.proofs_check.properties.bound_check.check_declared`),
   Theorem 2 admitted when the combination declares ``nonnegative_weights``.

A check with Theorem 2 admitted is counted as a Theorem 2 check only where Theorem 2 gave the
bound; its failures elsewhere are those of Theorems 1 / 1b, already reported by the first check.
Every quantity is an (n,) array over the run's problems, so one batched run of many examples
(:mod:`memgd.proofs_check.properties.screen`) is judged by the same code as one example.  A
theorem added to the checks here is checked by both paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.properties.bound_check import (
    BoundCheck, check_envelope, declared_nonnegative, realized_nonnegative,
)
from memgd.theory import constants as theory_constants

#: the checks, in the order their failures are reported: (name, theorem 2 admitted, a priori)
CHECKS = (("a posteriori", False, False), ("a priori", False, True),
          ("a posteriori", True, False), ("a priori", True, True))


@dataclass(frozen=True)
class Judgement:
    """The checks of one run (module doc); every array is (n,) over its problems."""

    checks: tuple[tuple[str, bool, BoundCheck | None], ...]  # (label, theorem 2 admitted, check or None)

    def _bad(self, theorem_2: bool, chk: BoundCheck) -> np.ndarray:
        return chk.violated & (chk.theorem == "2") if theorem_2 else chk.violated

    @property
    def violated(self) -> np.ndarray:
        """Problems on which some bound that applies failed beyond the resolution."""
        out = None
        for _, t2, chk in self.checks:
            if chk is not None:
                bad = self._bad(t2, chk)
                out = bad if out is None else out | bad
        return out

    def issues(self, i: int) -> list[str]:
        """What failed on problem i, in words (empty when every bound held)."""
        found = []
        for label, t2, chk in self.checks:
            if chk is not None and self._bad(t2, chk)[i]:
                theorem = "2" if t2 else chk.theorem[i]
                found.append(f"{label} bound (Theorem {theorem}, rho = {chk.rate[i]:.6g}) fails on problem {i} "
                             f"at step {chk.worst_step[i]}: slack {chk.min_slack[i]:.3g}")
        return found

    def _slack(self, a_priori: bool) -> np.ndarray:
        """Smallest slack where a bound with the declared (or realized) constants applied, nan where none did."""
        out = None
        for (_, _, prior), (_, _, chk) in zip(CHECKS, self.checks):
            if prior == a_priori and chk is not None:
                s = np.where(chk.applies, chk.min_slack, np.nan)
                out = s if out is None else np.fmin(out, s)
        return out

    @property
    def a_priori_slack(self) -> np.ndarray | None:
        """Per problem, the smallest slack with the declared constants, nan where vacuous; None if the rule
        bounds no age."""
        return self._slack(True)

    @property
    def a_posteriori_slack(self) -> np.ndarray:
        return self._slack(False)

    @property
    def theorem_2_slack(self) -> np.ndarray:
        """Per problem, the smallest slack where Theorem 2 gave the bound, nan where it never did."""
        out = None
        for _, t2, chk in self.checks:
            if t2 and chk is not None:
                s = np.where(chk.theorem == "2", chk.min_slack, np.nan)
                out = s if out is None else np.fmin(out, s)
        return out


def _subset(value, rows):
    return value[rows] if np.ndim(value) else value


def theorem_rates(mu, L, alpha, constants: dict, nonnegative) -> dict[str, np.ndarray]:
    """Each theorem's rate, (n,): Theorems 1 and 1b everywhere, Theorem 2 where ``nonnegative``
    (``inf`` elsewhere: it says nothing for signed weights), each evaluated once.

    ``constants`` (s_lo, s_hi, B, W, T) are scalars (declared) or (n,) arrays (realized); rows
    with equal (mu, L, alpha) and constants are evaluated once.
    """
    mu, L, alpha = np.broadcast_arrays(np.asarray(mu, float), np.asarray(L, float), np.asarray(alpha, float))
    n = mu.shape[0]
    columns = [mu, L, alpha] + [np.broadcast_to(np.asarray(v, float), (n,)) for v in constants.values()]
    nn = np.broadcast_to(np.asarray(nonnegative, dtype=bool), (n,))
    table, inverse = np.unique(np.stack(columns + [nn.astype(float)], axis=1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    kw = dict(zip(["mu", "L", "alpha", *constants], table[:, :-1].T))
    keep = table[:, -1] > 0
    # the functions best_bound itself calls, looked up when called (a patched theorem is patched here too)
    rate, rate2 = theory_constants.rate, theory_constants.rate2
    out = {name: np.asarray(rate(**kw, theorem=name), dtype=float) for name in ("1", "1b")}
    r2 = np.full(table.shape[0], np.inf)
    rows = np.flatnonzero(keep)
    if rows.size:
        sub = {k: v[rows] for k, v in kw.items() if k != "s_hi"}
        r2[rows] = rate2(**sub, nonnegative=True)
    out["2"] = r2
    return {name: np.asarray(r)[inverse] for name, r in out.items()}


def best_of(rates: dict[str, np.ndarray], theorem_2: bool) -> tuple[np.ndarray, np.ndarray]:
    """(rate, theorem) of the smallest valid bound, as :func:`memgd.theory.best_bound` chooses it (ties go
    to Theorem 1, then 1b, then 2); Theorem 2 only with ``theorem_2``.  Every transient is 1 here
    (Theorems 1, 1b; and 2, whose constant is 1 where its rate is finite)."""
    r1, rb = rates["1"], rates["1b"]
    best = np.minimum(r1, rb)
    which = np.where(rb < r1, "1b", "1")
    if theorem_2:
        use2 = rates["2"] < best
        best = np.where(use2, rates["2"], best)
        which = np.where(use2, "2", which)
    return best, np.where(np.isinf(best), "none", which)


def judge(result, problems, selection, combination) -> Judgement:
    """Every check of the module doc on ``result`` (a run of ``problems`` with these rules).

    Each theorem's rate is computed once per set of constants (:func:`theorem_rates`) and every
    comparison is :func:`~memgd.proofs_check.properties.bound_check.check_envelope`.
    """
    notes = dict(x_star=problems.x_star, x_star_error=getattr(problems, "x_star_error", 0.0),
                 constants_source=getattr(problems, "constants_source", "construction"))
    sets = {False: (realized_constants(result), realized_nonnegative(result)),
            True: (declared_constants(combination, selection), declared_nonnegative(combination))}
    rates = {prior: None if consts is None else theorem_rates(problems.mu, problems.L, result.alpha, consts, nn)
             for prior, (consts, nn) in sets.items()}
    checks = []
    for label, theorem_2, a_priori in CHECKS:
        found = rates[a_priori]
        chk = None
        if found is not None:
            best, which = best_of(found, theorem_2)
            chk = check_envelope(result.distances, best, theorem=which, **notes)
        checks.append((label, theorem_2, chk))
    return Judgement(tuple(checks))


def realized_constants(result) -> dict:
    """The (n,) constants measured on the run (as :func:`~memgd.proofs_check.properties.bound_check.check_realized`)."""
    c = result.constants
    return dict(s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=c.T)


def declared_constants(combination, selection) -> dict | None:
    """The rule's declared constants (as :func:`~memgd.proofs_check.properties.bound_check.check_declared`);
    None when the selection bounds no age."""
    if selection.max_age is None:
        return None
    dc = combination.declared_constants(selection.capacity)
    return dict(s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=selection.max_age)
