r"""Falsifying a rate theorem over memory patterns: :math:`r_k \le C\rho^k r_0` for every run in its class.

A rate theorem is given by two functions of the constants
:math:`(\mu, L, s_{lo}, s_{hi}, B, W, T)`: its rate :math:`\rho(\alpha)` (``inf`` where it says
nothing) and its admissibility edge (the largest step it admits), and by the signs of the
weights it admits.  Its domain is searched with :math:`\mu = 1`, :math:`\kappa = L \in [1, 10^4]`
(with mass near 1), :math:`T \in \{0, \dots, 64\}`, steps up to the edge, every pattern of the
admitted signs; each setting is a pattern, judged with its own constants (the tightest class
containing it) at a fraction of the edge.  Settings come from

- a structured adversarial grid: pure delays :math:`d_k = s\,g_{k-T}` (the Levin-May worst
  case), current plus delayed, spread weights, and for signed weights extrapolation
  :math:`(s+b)g_k - b\,g_{k-T}` and a negative current weight, over a grid of
  :math:`\kappa` (1, :math:`1 + 10^{-6}`, 1.2, 1.5, 2, ... :math:`10^4`), of T and of step fractions
  (the edge itself included);
- a hypothesis search (``derandomize``, targeted at the smallest slack) over the same domain;
- a greedy refinement of the worst settings found (random multiplicative moves of κ, of the
  weights and of the step, kept when the slack drops).

Oracles (slack in iteration-count units, :mod:`.core`):

- ``grid`` and ``search`` (the structured grid; the hypothesis search and refinement), both judged
  by ``exact``: the exact quadratic rate of the setting's pattern, maximized over a grid of h
  (:func:`grid_rates`), and for the worst settings precisely (:func:`memgd.theory.exact_rate`);
- ``switching``: the switching lower bound of the pattern with its memory weight moved to every
  other age of 1..T (same constants), at the worst settings with T <= 3
  (:func:`memgd.proofs_check.lower_bounds.quadratic.switching_lower_bound`);
- ``pepit``: PEPit's tight 5-step worst case over the whole class of functions at the worst
  settings (long profile): :math:`\omega_5 \le C^2\rho^{10}`;
- ``runs``: greedy adversarial runs (:mod:`.adversary`) on quadratic and non-quadratic
  problems, checked by the report's own comparison
  (:func:`memgd.proofs_check.properties.bound_check.check_envelope`);
- ``tight``: settings where the theorem is attained (declared with it), on which both the
  exact rate and a run must have slack 0 to within rounding: an envelope shifted by one step
  or a rate a little too small shows there even where the theorem is loose elsewhere;
- ``refusal``: inputs outside its hypotheses (a weight of a sign it does not admit, a
  non-positive sum), which must give a vacuous bound;
- ``edge``: its advertised largest step is admissible, and nothing beyond it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from memgd.proofs_check.falsification.adversary import PatternClass, adversarial_problems, extreme_patterns, greedy_run
from memgd.proofs_check.falsification.core import (
    TOL, FalsificationResult, Profile, SlackLog, rate_margin, rate_slack, wants,
)
from memgd.proofs_check.properties.bound_check import check_envelope
from memgd.proofs_check.properties.reproducible_hypothesis import seed_only_examples
from memgd.theory import exact_rate
from memgd.theory.quadratic_rate import spectral_radii
from memgd.theory.pattern import Pattern

ORACLES = ("grid", "search", "switching", "pepit", "runs", "tight", "refusal", "edge")
KAPPA_MAX = 1e4
T_MAX = 64
_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Setting:
    """A pattern with its own constants at ``frac`` times the theorem's edge, on f with L / mu = kappa."""

    kappa: float
    pattern: Pattern
    frac: float

    def describe(self, alpha: float | None = None) -> str:
        w = ", ".join(f"{x:.4g}" for x in self.pattern.weights)
        step = f", alpha={alpha:.6g}" if alpha is not None else ""
        return f"kappa={self.kappa:.6g}, ages {self.pattern.ages} weights ({w}){step} ({self.frac:.6g} of the edge)"


@dataclass(frozen=True)
class TightCase:
    """A setting where the theorem's rate equals the exact rate (and a run on h = mu follows it exactly)."""

    kappa: float
    pattern: Pattern
    frac: float
    why: str


def _constants(p: Pattern) -> dict:
    return dict(s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)


@dataclass(frozen=True)
class RateTheorem:
    """A rate theorem to falsify (see the module doc).

    ``rate(mu, L, alpha, s_lo, s_hi, B, W, T)`` and ``edge(mu, L, s_lo, s_hi, B, W, T)`` are keyword
    functions (broadcasting in ``alpha``); ``signed``: the theorem admits weights of any sign;
    ``edge_attained``: the edge itself is admissible (else it is a supremum); ``outward``: the rate is
    rounded outward, so at the tight cases its slack must be >= 0 exactly (not only within rounding);
    ``refusals()``: probes outside the hypotheses, each (what, refused); ``tight``: attained settings.
    """

    name: str
    description: str
    rate: Callable[..., object]
    edge: Callable[..., object]
    signed: bool
    edge_attained: bool = False
    outward: bool = False
    transient: float = 1.0
    refusals: Callable[[], list[tuple[str, bool]]] = field(default=lambda: [])
    tight: tuple[TightCase, ...] = ()
    oracles: tuple[str, ...] = ORACLES

    # ------------------------------------------------------------------ evaluation of one setting

    def tops(self, settings: list[Setting]) -> np.ndarray:
        """The theorem's edge for each setting's pattern constants (one vectorized call for the new ones; cached,
        the search asks often)."""
        cache = _EDGE_CACHE.setdefault(id(self.edge), {})
        keys = [(s.kappa, _constants_key(s.pattern)) for s in settings]
        new = sorted({k for k in keys if k not in cache})
        if new:
            kap = np.array([k for k, _ in new])
            cols = np.array([c for _, c in new]).T
            top = np.atleast_1d(np.asarray(self.edge(mu=1.0, L=kap, **dict(zip(_KEYS, cols))), dtype=float))
            cache.update(zip(new, np.broadcast_to(top, kap.shape).tolist()))
        return np.array([cache[k] for k in keys])

    def top(self, kappa: float, pattern: Pattern) -> float:
        return float(self.tops([Setting(kappa, pattern, 1.0)])[0])

    def step(self, s: Setting) -> float:
        """The step of a setting (0 where the theorem admits none)."""
        top = self.top(s.kappa, s.pattern)
        return s.frac * top if top > 0 and math.isfinite(top) else 0.0

    def bound(self, kappa, alpha, constants: dict):
        return np.asarray(self.rate(mu=1.0, L=kappa, alpha=alpha, **constants), dtype=float)

    def exact_slacks(self, log: SlackLog, settings: list[Setting], *, refined: bool = False) -> list[tuple[float, Setting]]:
        """Exact-rate slack of each setting: the theorem's rates in one vectorized call, the witnesses batched by
        T: the largest root modulus over a grid of h (:func:`grid_rates`), or with ``refined``
        the maximum over h located to 1e-13 (:func:`memgd.theory.exact_rate`, for the worst settings)."""
        if not settings:
            return []
        tops = self.tops(settings)
        alphas = np.array([s.frac for s in settings]) * np.where(np.isfinite(tops) & (tops > 0), tops, 0.0)
        live = np.flatnonzero(alphas > 0)
        log.skip("exact", len(settings) - live.size)
        if live.size == 0:
            return []
        cols = np.array([_constants_key(settings[i].pattern) for i in live]).T
        rho = np.atleast_1d(self.bound(np.array([settings[i].kappa for i in live]), alphas[live],
                                       dict(zip(_KEYS, cols))))
        if refined:
            witness = np.array([float(exact_rate(1.0, settings[i].kappa, alphas[i], settings[i].pattern)) for i in live])
        else:
            witness = grid_rates([settings[i] for i in live], alphas[live])
        out = []
        for i, r, wi in zip(live, rho.tolist(), witness.tolist()):
            s, ai = settings[i], float(alphas[i])
            if not (math.isfinite(r) and r < 1):
                log.skip("exact")
                continue
            margin = rate_margin(wi, r, TOL.exact)
            if margin == math.inf:    # a witness at rounding level of 0 says nothing about the bound
                log.skip("exact")
                continue
            slack = rate_slack(wi, r)
            log.add("exact", slack, lambda s=s, a=ai, r=r, wi=wi: f"{s.describe(a)}: bound {r:.8g}, exact {wi:.8g}",
                    margin)
            out.append((slack, s))
        return out

    # ------------------------------------------------------------------ where to look

    def _random_pattern(self, rng: np.random.Generator, T: int) -> Pattern:
        if T == 0:
            return Pattern((0,), (float(rng.uniform(0.1, 2.0)),))
        m = int(rng.integers(1, min(T, 3) + 1))
        ages = tuple(sorted(rng.choice(np.arange(1, T + 1), m, replace=False).tolist()))
        if ages[-1] != T and rng.random() < 0.5:
            ages = tuple(sorted(set(ages[:-1]) | {T}))
        w = rng.uniform(0.0, 1.5, len(ages) + 1)
        if self.signed and rng.random() < 0.6:
            w = w * rng.choice([-1.0, 1.0], len(w))
            w[0] = abs(w[0]) + max(0.05, -w.sum() + 0.05)                # keep the sum positive
        if w.sum() <= 0.01:
            w[0] += 0.5
        return Pattern((0, *ages), tuple(float(x) for x in w))

    def structured(self, level: int) -> list[Setting]:
        kappas = ([1.0, 1 + 1e-6, 1.5, 2.0, 10.0, KAPPA_MAX] if level <= 1 else
                  sorted({1.0, 1 + 1e-8, 1 + 1e-6, 1 + 1e-3, 1.05, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0,
                          10.0, 20.0, 50.0, 100.0, 300.0, 1e3, 3e3, KAPPA_MAX}))
        Ts = [0, 1, 2, 3, 5, 16, T_MAX] if level <= 1 else [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, T_MAX]
        fracs = [1.0, 0.9, 0.5] if level <= 1 else [1.0, 1 - 1e-6, 0.999, 0.99, 0.9, 0.7, 0.5, 0.2, 0.05]
        out = []
        for T in Ts:
            pats = self.families(T)
            if T > 8:   # long ages: the two delay patterns at a few kappas (an exact rate costs ~T^3)
                ks, pats = ([10.0] if level <= 1 else [1.5, 10.0, 1e3, KAPPA_MAX]), pats[:2]
            else:
                ks = kappas
            for kappa in ks:
                for p in pats:
                    out.extend(Setting(kappa, p, f) for f in fracs)
        return out

    def families(self, T: int) -> list[Pattern]:
        """The structured patterns of largest age T (sum 1)."""
        if T == 0:
            return [Pattern((0,), (1.0,)), Pattern((0,), (2.0,))]
        pats = [Pattern((0, T), (0.0, 1.0)), Pattern((0, T), (0.5, 0.5)), Pattern((0, T), (0.1, 0.9))]
        if T <= 8:
            pats.append(Pattern(tuple(range(T + 1)), (1.0 / (T + 1),) * (T + 1)))
        if self.signed:
            pats += [Pattern((0, T), (1.25, -0.25)), Pattern((0, T), (3.0, -2.0)), Pattern((0, T), (-0.5, 1.5))]
        return pats

    def _hypothesis(self, log: SlackLog, profile: Profile) -> list[tuple[float, Setting]]:
        from hypothesis import HealthCheck, Phase, given, settings, strategies as st, target

        found: list[tuple[float, Setting]] = []
        sign = st.floats(-1.5, 1.5) if self.signed else st.floats(0.0, 1.5)
        t_max = 16 if profile.structured <= 1 else T_MAX   # the short profile leaves T > 16 to the grid

        @st.composite
        def setting(draw):
            if draw(st.booleans()):
                kappa = 1.0 + 10.0 ** draw(st.floats(-8.0, 0.0))
            else:
                kappa = math.exp(draw(st.floats(0.0, math.log(KAPPA_MAX))))
            T = draw(st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(0, t_max)))
            if T == 0:
                pattern = Pattern((0,), (draw(st.floats(0.05, 3.0)),))
            else:
                ages = draw(st.sets(st.integers(1, T), min_size=1, max_size=3).map(sorted))
                w = [draw(st.floats(0.0, 1.5))] + [draw(sign) for _ in ages]
                if sum(w) <= 0.02:
                    w[0] += 0.5 - sum(w)
                pattern = Pattern((0, *ages), tuple(w))
            frac = draw(st.one_of(st.sampled_from([1.0, 1 - 1e-6, 0.999]), st.floats(0.01, 1.0)))
            return Setting(min(kappa, KAPPA_MAX), pattern, frac)

        @settings(max_examples=profile.examples, derandomize=True, database=None, deadline=None,
                  phases=(Phase.generate, Phase.target), suppress_health_check=list(HealthCheck),
                  report_multiple_bugs=False)
        @given(s=setting())
        def search(s):
            got = self.exact_slacks(log, [s])
            if got:
                found.extend(got)
                target(-max(min(got[0][0], 1e6), -1e6))

        with seed_only_examples():
            search()
        return found

    def _refine(self, log: SlackLog, start: list[tuple[float, Setting]], steps: int,
                rng: np.random.Generator) -> list[tuple[float, Setting]]:
        out = list(start)
        for slack, s in sorted(start, key=lambda t: t[0])[:3]:
            best, cur = slack, s
            for _ in range(steps):
                w = np.array(cur.pattern.weights) * np.exp(rng.normal(0.0, 0.15, len(cur.pattern.weights)))
                if self.signed:
                    w = w + rng.normal(0.0, 0.05, len(w)) * np.abs(w).max()
                else:
                    w = np.abs(w)
                if w.sum() <= 0.01:
                    continue
                kappa = float(np.clip(cur.kappa * math.exp(rng.normal(0.0, 0.2)), 1.0, KAPPA_MAX))
                frac = float(min(1.0, cur.frac * math.exp(abs(rng.normal(0.0, 0.05))) if rng.random() < 0.5
                                 else cur.frac * math.exp(-abs(rng.normal(0.0, 0.05)))))
                cand = Setting(kappa, Pattern(cur.pattern.ages, tuple(float(x) for x in w)), frac)
                got = self.exact_slacks(log, [cand])
                if got and got[0][0] < best:
                    best, cur = got[0][0], cand
                    out.append(got[0])
        return out

    # ------------------------------------------------------------------ the other oracles

    def _switching(self, log: SlackLog, worst: list[Setting], budget: int, max_length: int) -> None:
        from memgd.proofs_check.lower_bounds.quadratic import switching_lower_bound

        done = 0
        for s in worst:
            p = s.pattern
            if done >= budget or p.T < 2 or p.T > 3 or s.kappa <= 1.0 or len(p.ages) != 2:
                continue
            pats = [Pattern((0, tau), p.weights) for tau in range(1, p.T + 1)]
            a = self.step(s)
            rho = float(self.bound(s.kappa, a, _constants(p))) if a > 0 else math.inf
            if not (math.isfinite(rho) and rho < 1) or grid_rates([s], np.array([a]))[0] < 1e-6:
                log.skip("switching")    # vacuous, or a rate at rounding level (the search's pruning divides by it)
                continue
            w = switching_lower_bound(1.0, s.kappa, a, pats, max_length=max_length)
            done += 1
            if not w.verified:
                log.skip("switching")
                continue
            slack = rate_slack(w.rate, rho)
            log.add("switching", slack, lambda: f"{s.describe(a)} switching ages 1..{p.T}, word {w.word}: bound "
                                                f"{rho:.8g}, switching {w.rate:.8g}",
                    rate_margin(w.rate, rho, TOL.switching))

    def _pepit(self, log: SlackLog, worst: list[Setting], budget: int, N: int = 5) -> None:
        from memgd.proofs_check.certificates.pepit_worst_case import pepit_worst_case
        from memgd.solvers import Status

        done = 0
        for s in worst:
            if done >= budget or s.pattern.T > 3 or s.kappa <= 1.0:   # PEPit's class needs mu < L
                continue
            a = self.step(s)
            rho = float(self.bound(s.kappa, a, _constants(s.pattern))) if a > 0 else math.inf
            if not (math.isfinite(rho) and 0 < rho < 1):
                continue
            res = pepit_worst_case(1.0, s.kappa, a, s.pattern, N)
            done += 1
            if res.status is not Status.CONVERGED or not res.primal > 0:
                log.skip("pepit")
                continue
            per_step = math.exp((math.log(res.primal) - 2 * math.log(self.transient)) / (2 * N))
            slack = rate_slack(per_step, rho)
            log.add("pepit", slack, lambda: f"{s.describe(a)}: bound {rho:.8g}, PEPit {N}-step worst case "
                                            f"{res.primal:.6e} (per step {per_step:.8g})",
                    TOL.pepit_relative / (2 * N * abs(math.log(rho))))

    def _runs(self, log: SlackLog, classes: list[tuple[float, PatternClass, float]], steps: int,
              oracle: str = "runs") -> list[float]:
        """Greedy adversarial runs for each (kappa, class, frac); returns the exponent slacks found."""
        slacks = []
        for kappa, cls, frac in classes:
            top = float(self.edge(mu=1.0, L=kappa, **cls.constants))
            a = frac * top
            if not (a > 0 and math.isfinite(a)):
                log.skip(oracle)
                continue
            rho = float(self.bound(kappa, a, cls.constants))
            if not (math.isfinite(rho) and rho < 1):
                log.skip(oracle)
                continue
            pats = extreme_patterns(cls) if oracle == "runs" else [Pattern((0,), (cls.s_lo,))]
            for problems in adversarial_problems(1.0, kappa):
                run = greedy_run(problems, pats, a, steps)
                chk = check_envelope(run.distances, rho, x_star=problems.x_star, transient=self.transient)
                slack = float(np.nanmin(chk.exponent_slack)) if np.isfinite(chk.exponent_slack).any() else math.inf
                # the run itself is computed in float64: where the bound is attained (gradient descent at the edge),
                # a run can exceed the exact envelope by the rounding its steps accumulate, about (k + 1) ulps times
                # the step's condition 1 + alpha L W; that is no counterexample (a rate not rounded outward shows there)
                k = np.arange(run.distances.shape[0])[:, None]
                with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
                    excess = np.log(run.distances / (self.transient * rho ** k * run.distances[0]))[1:]
                drift = 8 * (k[1:] + 1) * _EPS * (1 + a * kappa * cls.W)
                violated = bool(chk.violated.any()) and bool(np.nanmax(excess - drift) > 0)
                slacks.append(slack)
                where = (f"kappa={kappa:.6g}, class s={cls.s_lo:.4g}..{cls.s_hi:.4g} B={cls.B:.4g} W={cls.W:.4g} "
                         f"T={cls.T}, alpha={a:.6g} ({frac:.6g} of the edge), {type(problems).__name__} "
                         f"d={problems.d}: bound {rho:.8g}")
                # the report's comparison decides what is a violation; the exponent slack says how close it came
                log.add(oracle, min(slack, 0.0) if violated else slack, where, margin=-1.0 if violated else math.inf)
        return slacks

    def _edge(self, log: SlackLog, settings: list[Setting]) -> None:
        unique = list({(s.kappa, _constants_key(s.pattern)): s for s in settings}.values())
        tops = self.tops(unique)
        ok = np.isfinite(tops) & (tops > 0)
        chosen = [s for s, o in zip(unique, ok) if o]
        log.tried["edge"] = len(chosen)
        if chosen:
            top = tops[ok]
            kap = np.array([s.kappa for s in chosen])
            consts = dict(zip(_KEYS, np.array([_constants_key(s.pattern) for s in chosen]).T))
            # a supremum is approached, not attained: well inside it the rate must be finite (near it, 1 - rho
            # can fall below the rounding of 1)
            r_in = np.atleast_1d(self.bound(kap, top if self.edge_attained else top * (1 - 1e-3), consts))
            r_out = np.atleast_1d(self.bound(kap, top * (1 + 1e-9), consts))
            bad = np.flatnonzero(~(np.isfinite(r_in) & (r_in < 1)) | np.isfinite(r_out))
        else:
            bad = np.array([], dtype=int)
        detail = f"{len(chosen)} constant sets"
        if bad.size:
            i = bad[0]
            detail += (f"; {bad.size} wrong, e.g. kappa={kap[i]:.6g} {chosen[i].pattern}: rate {r_in[i]:.6g} at the "
                       f"edge {top[i]:.6g}, {r_out[i]:.6g} just beyond")
        log.verdict(f"{self.name}: its advertised largest step is admissible and the largest",
                    bad.size == 0 and len(chosen) > 0, detail)

    def _tight(self, log: SlackLog, steps: int) -> None:
        worst, lowest, details = 0.0, math.inf, []
        for case in self.tight:
            s = Setting(case.kappa, case.pattern, case.frac)
            got = self.exact_slacks(log, [s])
            exact = got[0][0] if got else math.inf
            runs = self._runs(log, [(case.kappa, PatternClass.of(case.pattern, self.signed), case.frac)],
                              min(steps, 60), oracle="tight")
            run_slack = min(runs) if runs else math.inf
            worst = max(worst, abs(exact), abs(run_slack))
            lowest = min(lowest, exact, run_slack)
            details.append(f"{case.why}: exact {exact:.3g}, run {run_slack:.3g}")
        log.verdict(f"{self.name}: attained where it is tight (slack 0 to within {TOL.tight:g})",
                    bool(self.tight) and worst <= TOL.tight, "; ".join(details) or "no tight case declared")
        if self.outward:
            log.verdict(f"{self.name}: rounded outward (slack >= 0 exactly where it is attained)",
                        bool(self.tight) and lowest >= 0, f"smallest slack at the tight cases {lowest:.3g}")

    def _refusal(self, log: SlackLog) -> None:
        probes = self.refusals()
        bad = [what for what, refused in probes if not refused]
        log.tried["refusal"] = len(probes)
        log.verdict(f"{self.name}: refuses inputs outside its hypotheses", bool(probes) and not bad,
                    f"{len(probes)} probes" + (f"; accepted: {'; '.join(bad)}" if bad else ""))

    # ------------------------------------------------------------------ the search

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        log = SlackLog(self.name)
        rng = np.random.default_rng(profile.seed)
        _EDGE_CACHE.clear()       # edges are cached within one search only (the code may change between searches)
        found: list[tuple[float, Setting]] = []
        grid = self.structured(profile.structured)
        later = any(wants(oracles, o) for o in ("search", "switching", "pepit", "runs"))
        if wants(oracles, "grid") or later:
            found = self.exact_slacks(log, grid)
        if wants(oracles, "search") or later:
            found += self._hypothesis(log, profile)
            found = self._refine(log, found, profile.refine, rng)
            found += self.exact_slacks(log, [Setting(s.kappa, self._random_pattern(rng, int(rng.integers(0, 9))),
                                                     s.frac) for _, s in found[: profile.examples]])
        ranked = [s for _, s in sorted(found, key=lambda t: t[0])]
        memory = [(sl, st) for sl, st in found if st.pattern.B > 0]
        if memory:
            sl, st = min(memory, key=lambda t: t[0])
            log.notes.append(f"smallest exact-rate slack with memory (B > 0): {sl:.4g} at {st.describe(self.step(st))}")
        if found:   # the worst settings again, with the maximum over h located precisely
            self.exact_slacks(log, ranked[:3], refined=True)
        if wants(oracles, "switching"):
            self._switching(log, ranked + [s for s in grid if s.kappa > 1], profile.switching,
                            4 if profile.structured <= 1 else 6)
        if wants(oracles, "pepit") and profile.pepit:
            self._pepit(log, ranked, profile.pepit)
        if wants(oracles, "runs"):
            picks = []
            for s in ranked[:4] + [x for x in grid if x.frac == 1.0 and x.pattern.T in (1, 3)][:: 7]:
                picks.append((s.kappa, PatternClass.of(s.pattern, self.signed), s.frac))
            self._runs(log, picks[: 4 + 2 * profile.structured], profile.run_steps)
        searched = [o for o in ("switching", "pepit", "runs") if wants(oracles, o)]
        if wants(oracles, "grid") or wants(oracles, "search"):
            searched.insert(0, "exact")   # the grid and the search both judge by the exact rate
        if searched:
            log.no_violation_verdict(searched)
        if wants(oracles, "tight"):
            self._tight(log, profile.run_steps)
        if wants(oracles, "refusal"):
            self._refusal(log)
        if wants(oracles, "edge"):
            self._edge(log, grid)
        return log.result(profile.name)


def _constants_key(p: Pattern) -> tuple:
    c = _constants(p)
    return tuple(float(v) for v in c.values())


_KEYS = ("s_lo", "s_hi", "B", "W", "T")
#: edges already computed, per edge function (the same (kappa, constants) recur across the search)
_EDGE_CACHE: dict[int, dict] = {}


def grid_rates(settings: list[Setting], alphas: np.ndarray) -> np.ndarray:
    r"""Per setting, the max over a grid of :math:`h \in [1, \kappa]` (endpoints included) of the largest root
    modulus of :math:`\chi_h` (``memgd.theory.quadratic_rate.spectral_radii``) at its step: a lower bound
    on the exact rate (each value is an evaluated spectral radius).  129 points up to T = 8, fewer beyond
    (a root costs :math:`T^3`; the worst h of a delay pattern is at an endpoint).  One batched call per T."""
    out = np.empty(len(settings))
    by_T: dict[int, list[int]] = {}
    for i, s in enumerate(settings):
        by_T.setdefault(s.pattern.T, []).append(i)
    for T, idx in by_T.items():
        n_h = 129 if T <= 8 else 33 if T <= 16 else 9
        u = np.linspace(0.0, 1.0, n_h)
        kap = np.array([settings[i].kappa for i in idx])
        h = 1.0 + (kap[:, None] - 1.0) * u[None, :]
        h[:, -1] = kap
        weights = np.stack([settings[i].pattern.dense_weights(T) for i in idx])           # (P, T+1)
        rad = spectral_radii(h[:, None, :], np.asarray(alphas, dtype=float)[idx][:, None], weights)  # (P, 1, H)
        out[idx] = rad.max(axis=-1)[:, 0]
    return out
