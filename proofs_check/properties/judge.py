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
    THEOREM_RATES, BoundCheck, check_envelope, declared_constants, declared_nonnegative, realized_nonnegative,
)

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


def theorem_rates(mu, L, alpha, constants: dict, nonnegative) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each theorem's (rate, transient C), (n,) each, from the package's registry
    (:data:`~memgd.proofs_check.properties.bound_check.THEOREM_RATES`: a theorem added there is checked
    here, by the screen and by hypothesis's examples alike).

    ``constants`` (s_lo, s_hi, B, W, T) are scalars (declared) or (n,) arrays (realized).  Each theorem
    is evaluated once per distinct row of (mu, L, alpha, constants, nonnegative), and Theorem 2 only on
    rows with ``nonnegative`` (it says nothing for signed weights: ``inf`` there, by its definition).
    """
    mu, L, alpha = np.broadcast_arrays(np.asarray(mu, float), np.asarray(L, float), np.asarray(alpha, float))
    n = mu.shape[0]
    nn = np.broadcast_to(np.asarray(nonnegative, dtype=bool), (n,))
    columns = [mu, L, alpha] + [np.broadcast_to(np.asarray(v, float), (n,)) for v in constants.values()]
    table, inverse = np.unique(np.stack(columns + [nn.astype(float)], axis=1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    kw = dict(zip(["mu", "L", "alpha", *constants], table[:, :-1].T))
    keep = table[:, -1] > 0
    out = {}
    for name, rate_of in THEOREM_RATES.items():
        rows = np.flatnonzero(keep) if name == "2" else np.arange(table.shape[0])
        rho, c = np.full(table.shape[0], np.inf), np.full(table.shape[0], np.inf)
        if rows.size:
            got_rho, got_c = rate_of(**{k: v[rows] for k, v in kw.items()}, nonnegative=keep[rows])
            rho[rows] = np.broadcast_to(np.asarray(got_rho, dtype=float), rows.shape)
            c[rows] = np.broadcast_to(np.asarray(got_c, dtype=float), rows.shape)
        out[name] = (rho[inverse], c[inverse])
    return out


def best_of(rates: dict, theorem_2: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rate, theorem, transient) of the smallest valid bound among the theorems (Theorem 2 only with
    ``theorem_2``), as :func:`memgd.theory.best_bound` chooses: ties go to the theorem registered first
    (1, then 1b, then 2); ``theorem`` is "none" where every rate is inf."""
    best = None
    for name, (rho, c) in rates.items():
        if name == "2" and not theorem_2:
            continue
        if best is None:
            best, which, transient = rho, np.full(rho.shape, name, dtype=object), c
            continue
        better = rho < best
        best = np.where(better, rho, best)
        which = np.where(better, name, which)
        transient = np.where(better, c, transient)
    which = np.where(np.isinf(best), "none", which).astype(str)
    return best, which, np.where(np.isinf(best), 1.0, transient)


def judge(result, problems, selection, combination) -> Judgement:
    """Every check of the module doc on ``result`` (a run of ``problems`` with these rules).

    Each theorem's rate is computed once per set of constants (:func:`theorem_rates`) and every
    comparison is :func:`~memgd.proofs_check.properties.bound_check.check_envelope`.
    """
    notes = dict(x_star=problems.x_star, x_star_error=getattr(problems, "x_star_error", 0.0),
                 constants_source=getattr(problems, "constants_source", "construction"))
    c = result.constants  # as check_realized reads them
    sets = {False: (dict(s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=c.T), realized_nonnegative(result)),
            True: (declared_constants(combination, selection), declared_nonnegative(combination))}
    rates = {prior: None if consts is None else theorem_rates(problems.mu, problems.L, result.alpha, consts, nn)
             for prior, (consts, nn) in sets.items()}
    checks = []
    for label, theorem_2, a_priori in CHECKS:
        found = rates[a_priori]
        chk = None
        if found is not None:
            best, which, transient = best_of(found, theorem_2)
            chk = check_envelope(result.distances, best, transient=transient, theorem=which, **notes)
        checks.append((label, theorem_2, chk))
    return Judgement(tuple(checks))
