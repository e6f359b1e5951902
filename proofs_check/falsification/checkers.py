r"""Falsifying what the checks themselves claim: the run comparison, the lower-bound searches, declared constants.

- **Run comparison** (:func:`memgd.proofs_check.properties.bound_check.check_envelope`, which
  every run check of the package uses, the critical rule's included): it must flag a run
  exactly when some :math:`r_k`, k >= 1, exceeds :math:`C\rho^k r_0` by more than its stated
  resolution.  Probes with known answers: a run of gradient descent at h = mu against its own
  rate (on the envelope at every step: no flag, exponent slack 0), a run half a step behind
  the envelope (:math:`\rho^{k-1/2}`: flagged, although it lies under :math:`\rho^{k-1}`), an
  excess of 4 resolutions at the first step only and at the last step only (flagged), an
  excess of a quarter resolution everywhere (not flagged), a transient constant used
  (1.9 and 2.1 times :math:`\rho^k` against C = 2), a vacuous rate (nothing flagged).
- **Lower-bound searches**: the switching search
  (:func:`~memgd.proofs_check.lower_bounds.quadratic.switching_lower_bound`) against an
  enumeration of every word up to length 4 on a grid of h (it must find at least as much);
  the fixed-pattern bound against :func:`memgd.theory.exact_rate`; PEPit's bound of gradient
  descent against its closed form :math:`\max(|1-\alpha\mu|, |1-\alpha L|)^{2N}`.
- **Declared constants** of the built-in combination and selection rules: engine runs (the
  rules' own selection, and the maximum-age adversary) must realize constants within the
  declared ones (the engine's own per-step check, :mod:`memgd.solvers.step_checks`, raising
  :class:`~memgd.solvers.RuleStepError` counts as a counterexample found) (:math:`s_{lo} \le s_k \le s_{hi}`, memory mass :math:`\le B`, total mass
  :math:`\le W`, ages :math:`\le` ``max_age``), and for the aggregations and fixed weights,
  whose declarations are the exact extremes over the buffer sizes, attain them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.critical_rule.certificate import envelope_violation
from memgd.proofs_check.falsification.core import FalsificationResult, Profile, SlackLog, wants
from memgd.proofs_check.properties.bound_check import check_envelope
from memgd.solvers import (
    AgeWeights, Aggregation, Fifo, FixedWeights, KeepOldest, RandomSubset, RandomWeights, RuleStepError,
    make_quadratics, run,
)
from memgd.theory import AGGREGATIONS, critical_step, exact_rate
from memgd.theory.pattern import Pattern

EPS = np.finfo(float).eps
#: the resolution the run comparison states (docs: 64 eps (||x*|| + r_0)), written here independently of its code
STATED_RESOLUTION_ULPS = 64


@dataclass(frozen=True)
class RunComparison:
    name: str = "Run check (r_k <= C rho^k r_0 at every step)"
    description: str = "the comparison every run check makes flags exactly the runs above the envelope"
    oracles: tuple[str, ...] = ("probes",)

    @staticmethod
    def probes(K: int = 40):
        """(what, distances (K+1,), rate, transient, should_flag, exponent slack expected 0)."""
        alpha, mu = 0.1, 1.0
        rho = 1 - alpha * mu
        gd = np.empty(K + 1)
        gd[0] = 1.0
        for k in range(K):                      # gradient descent on f = x^2 / 2 from x_0 = 1
            gd[k + 1] = gd[k] - alpha * mu * gd[k]
        res = STATED_RESOLUTION_ULPS * EPS      # x* = 0, r_0 = 1
        k = np.arange(K + 1)
        first, last = gd.copy(), gd.copy()
        first[1] += 4 * res
        last[K] += 4 * res
        return [
            ("gradient descent at h = mu against its own rate", gd, rho, 1.0, False, True),
            ("half a step behind the envelope (rho^(k - 1/2))", np.where(k > 0, rho ** (k - 0.5), 1.0), rho, 1.0, True,
             False),
            ("4 resolutions above at the first step only", first, rho, 1.0, True, False),
            ("4 resolutions above at the last step only", last, rho, 1.0, True, False),
            ("a quarter resolution above at every step", gd + 0.25 * res * (k > 0), rho, 1.0, False, False),
            ("1.9 rho^k against C = 2", 1.9 * rho ** k, rho, 2.0, False, False),
            ("2.1 rho^k against C = 2", np.where(k > 0, 2.1, 1.0) * rho ** k, rho, 2.0, True, False),
            ("a growing run against a vacuous bound", 2.0 ** k, np.inf, 1.0, False, False),
        ]

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        log = SlackLog(self.name)
        wrong = []
        for what, dist, rho, c, flag, tight in self.probes():
            chk = check_envelope(dist[:, None], rho, x_star=np.zeros((1, 1)), transient=c)
            got = bool(chk.violated[0])
            crit = bool(envelope_violation(dist[:, None], np.array([rho]), np.zeros((1, 1)))[0]) if c == 1.0 else got
            log.tried["probes"] = log.tried.get("probes", 0) + 1
            if got != flag or crit != flag:
                wrong.append(f"{what}: flagged {got} (critical rule's check {crit}), should be {flag}")
            if tight:
                slack = float(chk.exponent_slack[0])
                log.add("probes", slack, what)
                if not abs(slack) <= 1e-12:
                    wrong.append(f"{what}: exponent slack {slack:.3g}, should be 0 (the run follows the envelope)")
        log.verdict(f"{self.name}: flags exactly the runs above the envelope, at every step", not wrong,
                    f"{log.tried.get('probes', 0)} probes" + (f"; wrong: {'; '.join(wrong)}" if wrong else ""))
        return log.result(profile.name)


def _brute_force_switching(mu, L, alpha, patterns, max_length, n_h):
    """max over an h grid and every word up to ``max_length`` of rho(A_w)^(1/|w|), by enumeration."""
    from memgd.proofs_check.lower_bounds.quadratic import iteration_matrices

    T = max(p.T for p in patterns)
    best = 0.0
    A = iteration_matrices(alpha, np.linspace(mu, L, n_h), patterns, T)      # (H, P, m, m)
    for length in range(1, max_length + 1):
        for word in itertools.product(range(len(patterns)), repeat=length):
            M = np.broadcast_to(np.eye(T + 1), A[:, 0].shape).copy()
            for i in word:
                M = A[:, i] @ M
            best = max(best, float((np.abs(np.linalg.eigvals(M)).max(axis=-1) ** (1.0 / length)).max()))
    return best


@dataclass(frozen=True)
class LowerBoundSearch:
    name: str = "Lower-bound searches (switching, fixed pattern, PEPit)"
    description: str = "each lower bound's search finds at least what an independent computation finds"
    oracles: tuple[str, ...] = ("switching", "fixed", "pep")

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        from memgd.proofs_check.certificates.patterns import aggregation_patterns
        from memgd.proofs_check.lower_bounds.pep import pep_lower_bound
        from memgd.proofs_check.lower_bounds.quadratic import fixed_pattern_lower_bound, switching_lower_bound

        log = SlackLog(self.name)
        mu, L = 1.0, 10.0
        if wants(oracles, "switching"):
            cases = [("sum", 2, 1, 0.5), ("sum", 3, 1, 0.5)] + ([("mean", 2, 2, 0.9), ("mid", 3, 1, 0.7)]
                                                                 if profile.structured > 1 else [])
            for agg, T, C, frac in cases:
                pats = aggregation_patterns(agg, T, C)
                alpha = frac * min(critical_step(mu, L, p) for p in pats)
                found = switching_lower_bound(mu, L, alpha, pats, max_length=4)
                brute = _brute_force_switching(mu, L, alpha, pats, 4, 19)
                log.add("switching", found.rate - brute if found.verified else -math.inf,
                        f"{agg} T={T} C={C} at {frac:g} of the stability limit: search {found.rate:.8g} "
                        f"(word {found.word}), enumeration {brute:.8g}", margin=1e-12)
            log.no_violation_verdict(["switching"])
        if wants(oracles, "fixed"):
            rng = np.random.default_rng(profile.seed)
            for _ in range(6 if profile.structured <= 1 else 40):
                T = int(rng.integers(1, 4))
                p = Pattern((0, T), (float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.0, 1.0))))
                alpha = float(rng.uniform(0.1, 0.9)) * critical_step(mu, L, p)
                w = fixed_pattern_lower_bound(mu, L, alpha, p)
                ex = float(exact_rate(mu, L, alpha, p))
                log.add("fixed", w.rate - ex if w.verified else -math.inf,
                        f"{p} at alpha={alpha:.6g}: bound {w.rate:.10g}, exact {ex:.10g}", margin=1e-12)
            log.no_violation_verdict(["fixed"])
        if wants(oracles, "pep"):
            for alpha in (0.05, 0.15):
                b = pep_lower_bound(mu, L, alpha, [Pattern.plain()], (0,), (2, 4))
                closed = max(abs(1 - alpha * mu), abs(1 - alpha * L))
                for n, v in zip(b.horizons, b.values):
                    rel = (v - closed ** (2 * n)) / closed ** (2 * n) if v is not None else -math.inf
                    log.add("pep", -abs(rel), f"gradient descent, alpha={alpha:g}, N={n}: PEPit {v}, closed form "
                                              f"{closed ** (2 * n):.8g}", margin=1e-5)
            log.no_violation_verdict(["pep"])
        return log.result(profile.name)


def _builtin_rules(level: int):
    """(combination, exact: declared constants are attained under Fifo) of the built-in rules."""
    kappas = (1.0, 0.5, -0.5, 2.0) if level > 1 else (1.0, -0.5)
    out = [(Aggregation(a, k), True) for a in AGGREGATIONS for k in kappas]
    out += [(FixedWeights(1.0, (0.5, 0.25)), True), (FixedWeights(1.5, (-0.5,)), True),
            (FixedWeights(0.2, (0.5, -0.3, 0.4)), True), (AgeWeights((1.0, 0.5, -0.25)), False),
            (AgeWeights((0.3, 0.0, 0.7)), False), (RandomWeights((0.5, 1.5), (-0.2, 0.4)), False)]
    return out


def uses_every_slot(comb, capacity: int) -> bool:
    """Whether the rule weights every stored gradient (then Fifo's max_age is attained; picking aggregations
    use one)."""
    if isinstance(comb, Aggregation):
        return comb.name in ("sum", "mid", "mean") and comb.kappa != 0
    if isinstance(comb, FixedWeights):
        return len(comb.memory) >= capacity and all(w != 0 for w in comb.memory[:capacity])
    return False


@dataclass(frozen=True)
class DeclaredConstants:
    name: str = "Declared constants of the built-in rules"
    description: str = "runs realize s_k, memory mass, total mass and ages within each rule's declaration"
    oracles: tuple[str, ...] = ("runs", "attained")

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        log = SlackLog(self.name)
        rng = np.random.default_rng(profile.seed)
        P = make_quadratics(2, 3, 1.0, 10.0, rng=rng)
        not_attained = []
        for C in ((2,) if profile.structured <= 1 else (1, 2, 3, 5)):
            selections = [(Fifo(C), True), (KeepOldest(C, max_age=C + 1), False), (RandomSubset(C + 2, C), False)]
            for comb, exact in _builtin_rules(profile.structured):
                for sel, attains in selections:
                    dc_sel = comb.declared_constants(sel.capacity)
                    try:
                        res = run(P, sel, comb, 0.01, 4 * (C + 3), rng=profile.seed, tol=0.0)
                    except RuleStepError as err:   # the engine's own per-step check found the lie first
                        log.add("runs", -math.inf, f"{comb} with {sel}: {str(err).splitlines()[0]}")
                        continue
                    c = res.constants
                    realized = dict(s_lo=float(c.s_lo.min()), s_hi=float(c.s_hi.max()), B=float(c.B.max()),
                                    W=float(c.W.max()), T=float(c.T.max()))
                    scale = 1.0 + max(abs(dc_sel.s_lo), abs(dc_sel.s_hi), dc_sel.W)
                    margins = {"s_lo": (realized["s_lo"] - dc_sel.s_lo) / scale,
                               "s_hi": (dc_sel.s_hi - realized["s_hi"]) / scale,
                               "B": (dc_sel.B - realized["B"]) / scale, "W": (dc_sel.W - realized["W"]) / scale}
                    name, low = min(margins.items(), key=lambda t: t[1])
                    where = f"{comb} with {sel}: declared {dc_sel}, realized {realized}"
                    log.add("runs", low, f"{name}: {where}", margin=1e-12)
                    log.add("runs ages", float(sel.max_age - realized["T"]), where)
                    if wants(oracles, "attained") and exact and attains:
                        off = {k: v for k, v in margins.items() if abs(v) > 1e-12}
                        if uses_every_slot(comb, sel.capacity) and sel.max_age != realized["T"]:
                            off["T"] = sel.max_age - realized["T"]
                        if off:
                            not_attained.append(f"{comb} with {sel}: {off}")
        log.no_violation_verdict(["runs", "runs ages"])
        if wants(oracles, "attained"):
            log.verdict(f"{self.name}: aggregations and fixed weights attain their declarations under Fifo",
                        not not_attained, "every one attained" if not not_attained else
                        f"{len(not_attained)} not attained, e.g. {not_attained[0]}")
        return log.result(profile.name)
