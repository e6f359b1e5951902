r"""Falsifying the critical rule's age theorems A, A' and B (docs/math/critical_rule_ages.md).

**Theorems A and A'.**  The rule's buffer depends on the run only through the gradient norms,
so the search drives the engine's own :class:`~memgd.solvers.CriticalGradients` with chosen
norms (one-dimensional gradients), within what the hypotheses allow: :math:`\mu r_j \le
\|g_j\| \le L r_j` and :math:`r_j \ge c\,\gamma^{j-b} r_b` (:math:`c = 1`, :math:`\gamma = r_{lo}`:
Theorem A).  The *adversary* keeps the first gradient as long as possible: :math:`\|g_0\| = L
r_0`, then :math:`r_j = c\gamma^j r_0` and :math:`\|g_j\| = \mu r_j`, so the key ratio
:math:`q_j/q_0 = (c/\kappa)(\gamma/\delta)^j` is as small as the hypotheses allow.  It attains
the bound exactly: :math:`g_0` is used up to age :math:`T^*` (the proof's :math:`\tau_0 + C - 1`),
so the slack (:math:`T^*` minus the largest age, in steps) must be 0 on it, and an off-by-one
or a dropped term of :func:`~memgd.proofs_check.critical_rule.age_bound` shows.  Random norm
sequences within the hypotheses must have slack >= 0.  Settings: :math:`\kappa \in [1, 10^4]`
(near 1 included), decay in (0, 1), :math:`\gamma/\delta \in (1.02, 20]`, C in 1..10, c in (0, 1],
exact ties :math:`(\gamma/\delta)^n = \kappa` built from exactly representable numbers.

**Theorem B.**  Its a priori floor :math:`r` (:func:`~memgd.proofs_check.critical_rule.contraction_floor`)
must hold on every run of the rule on the class: engine runs of the rule with each aggregation
on the quadratic with one eigenvalue L (every gradient as large as allowed), on two-point
spectra and on non-quadratic problems must keep :math:`r_{k+1} \ge r\,r_k` and ages
:math:`\le T^*(r)`.  Slack: :math:`(\hat r_{lo} - r)/(1 - r)`.  It is attained up to the
floor's grid at :math:`\kappa = 1` with ``"sum"`` and C = 1 (:math:`d_k = g_k + g_{k-1}` on
:math:`h = L`: the run's ratio tends to the larger root of :math:`x^2 - (1 - \alpha L)x + \alpha L`,
the exact floor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.critical_rule import age_bound, contraction_floor
from memgd.proofs_check.critical_rule.certificate import prefix_max_age, step_floor
from memgd.proofs_check.falsification.core import FalsificationResult, Profile, SlackLog, wants
from memgd.solvers import Aggregation, CriticalGradients, QuadraticBatch, make_quadratics, make_tilted, run
from memgd.theory import AGGREGATIONS

#: smallest gradient norm a run of the search may reach (the engine's norms square the entries)
NORM_FLOOR = 1e-140


def largest_ages(norms: np.ndarray, top_c: int, decay: float) -> np.ndarray:
    """Largest age the engine's critical rule uses at any step, fed the gradient norms ``norms`` (K, n)."""
    K, n = norms.shape
    rule = CriticalGradients(top_c, decay)
    mem = rule.init(np.zeros((n, 1)))
    rng = np.random.default_rng(0)
    largest = np.zeros(n, dtype=np.int64)
    for k in range(K):
        used = rule.active(mem, k, rng)
        ages = np.where(used, mem.ages(k), 0)
        largest = np.maximum(largest, ages.max(axis=1, initial=0))
        mem = rule.insert(mem, norms[k][:, None], k, rng)
    return largest


def adversary_norms(kappa: np.ndarray, gamma: np.ndarray, c: np.ndarray, steps: int) -> np.ndarray:
    """(steps, n) norms: ||g_0|| = L r_0 = kappa (mu = 1, r_0 = 1), ||g_j|| = r_j = c gamma^j for j >= 1."""
    j = np.arange(steps, dtype=np.float64)[:, None]
    norms = c * gamma ** j
    norms[0] = kappa
    return norms


def random_norms(kappa: np.ndarray, gamma: np.ndarray, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Norms of a run with r_{j+1} / r_j in [gamma, 1.3 gamma] and ||g_j|| anywhere in [r_j, kappa r_j]."""
    n = kappa.shape[0]
    ratios = gamma * (1.0 + 0.3 * rng.random((steps, n)) ** 3)
    r = np.cumprod(np.vstack([np.ones((1, n)), ratios[:-1]]), axis=0)
    return r * np.exp(rng.random((steps, n)) * np.log(kappa))


@dataclass(frozen=True)
class AgeTheorem:
    """Theorem A (``transient=False``: c = 1) or A' (c in (0, 1]) on the engine's rule."""

    transient: bool
    name: str = ""
    description: str = ""
    oracles: tuple[str, ...] = ("adversary", "random", "tight", "refusal")

    def _settings(self, profile: Profile, rng: np.random.Generator):
        n = 300 if profile.structured <= 1 else 4000
        near = rng.random(n) < 0.3
        kappa = np.where(near, 1.0 + 10.0 ** rng.uniform(-8, 0, n), np.exp(rng.uniform(0, np.log(1e4), n)))
        decay = rng.uniform(0.05, 0.99, n)
        ratio = np.exp(rng.uniform(np.log(1.02), np.log(20.0), n))
        gamma = decay * ratio
        c = rng.uniform(0.01, 1.0, n) if self.transient else np.ones(n)
        top_c = rng.integers(1, 11, n)
        return kappa, decay, gamma, c, top_c

    def _ties(self):
        """Exact ties (gamma / decay)^n = kappa / c with exactly representable numbers, and the issue's case;
        top_c = 1 (with more slots two stored entries can tie too, and the engine then evicts the first slot,
        not necessarily the younger entry: the bound holds, but is not attained)."""
        rows = [(243.0, 0.25, 0.75, 1.0, 1)]
        for ratio in (1.5, 2.0, 3.0, 5.0):
            for decay in (0.5, 0.25, 0.125):
                for n in (1, 2, 4, 7):
                    for c in ((1.0,) if not self.transient else (1.0, 0.5, 0.25)):
                        kappa = ratio**n * c
                        if 1.0 <= kappa <= 1e4 and ratio * decay <= 4:
                            rows.append((kappa, decay, ratio * decay, c, 1))
        return [np.array(x) for x in zip(*rows)]

    def _check(self, log: SlackLog, oracle: str, kappa, decay, gamma, c, top_c, norms_of) -> np.ndarray:
        """Slack T* - largest age per setting (grouped by (top_c, decay)); logged; returns the slacks."""
        T = age_bound(decay=decay, r_lo=gamma, kappa=kappa, top_c=top_c, transient=c)
        # the engine measures a gradient's norm from its squared entries: below about 1e-154 it reads 0 and
        # the gradient is never stored, so settings whose run would fall there are left out (counted as
        # vacuous): the package certifies ages only above 1e-8 r_0 (critical_rule.certificate.FLOOR) anyway
        low = c * np.minimum(gamma, 1.0) ** (np.where(np.isfinite(T), T, 0) + top_c + 3)
        representable = low >= NORM_FLOOR
        log.skip(oracle, int((np.isfinite(T) & ~representable).sum()))
        T = np.where(representable, T, np.inf)
        slack = np.full(kappa.shape, np.inf)
        for key in sorted({(int(t), float(d)) for t, d in zip(top_c, decay)}):
            sel = (top_c == key[0]) & (decay == key[1]) & np.isfinite(T)
            if not sel.any():
                continue
            steps = int(min(T[sel].max(), 5000)) + key[0] + 3
            ages = largest_ages(norms_of(sel, steps), key[0], key[1])
            slack[sel] = T[sel] - ages
        for i in np.flatnonzero(np.isfinite(slack)):
            log.add(oracle, float(slack[i]), lambda i=i: f"kappa={kappa[i]:.8g}, decay={decay[i]:.6g}, "
                    f"{'gamma' if self.transient else 'r_lo'}={gamma[i]:.8g}, c={c[i]:.4g}, top_c={top_c[i]}: "
                    f"T* = {T[i]:g}, largest age {T[i] - slack[i]:g}")
        return slack

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        log = SlackLog(self.name)
        rng = np.random.default_rng(profile.seed + (7 if self.transient else 3))
        kappa, decay, gamma, c, top_c = self._settings(profile, rng)
        adv = None
        if wants(oracles, "adversary"):
            adv = self._check(log, "adversary", kappa, decay, gamma, c, top_c,
                              lambda sel, steps: adversary_norms(kappa[sel], gamma[sel], c[sel], steps).copy())
        if wants(oracles, "random"):
            # random runs satisfy Theorem A's hypothesis with c = 1 (per-step ratios >= gamma)
            self._check(log, "random", kappa, decay, gamma, np.ones_like(c), top_c,
                        lambda sel, steps: random_norms(kappa[sel], gamma[sel], steps, rng))
        searched = [o for o in ("adversary", "random") if wants(oracles, o)]
        if searched:
            log.no_violation_verdict(searched)
        if adv is not None:
            live = np.isfinite(adv)
            above = np.flatnonzero(live & (adv != 0))
            log.verdict(f"{self.name}: the proof's extremal run attains the bound in every setting",
                        live.any() and above.size == 0,
                        f"{int(live.sum())} settings" + (f"; {above.size} not attained, e.g. slack {adv[above[0]]:g} at "
                                                         f"kappa={kappa[above[0]]:.8g}, decay={decay[above[0]]:.6g}, "
                                                         f"gamma={gamma[above[0]]:.8g}" if above.size else ""))
        if wants(oracles, "tight"):
            k, d, g, cc, tc = self._ties()
            s = self._check(log, "tight", k, d, g, cc, tc,
                            lambda sel, steps: adversary_norms(k[sel], g[sel], cc[sel], steps).copy())
            bad = np.flatnonzero(s != 0)
            log.verdict(f"{self.name}: attained exactly at {len(s)} exact ties (gamma/decay)^n = kappa/c",
                        bad.size == 0, f"{len(s)} ties" + (f"; slack {s[bad[0]]:g} at kappa={k[bad[0]]:g}, "
                                                           f"decay={d[bad[0]]:g}, gamma={g[bad[0]]:g}, c={cc[bad[0]]:g}"
                                                           if bad.size else ""))
        if wants(oracles, "refusal"):
            probes = [("gamma <= decay claims nothing", np.isinf(age_bound(decay=0.5, r_lo=0.5, kappa=10.0, top_c=2))),
                      ("gamma < decay claims nothing", np.isinf(age_bound(decay=0.9, r_lo=0.5, kappa=10.0, top_c=2))),
                      ("c = 0 claims nothing",
                       np.isinf(age_bound(decay=0.5, r_lo=0.9, kappa=10.0, top_c=2, transient=0.0)))]
            for kw, what in ((dict(decay=0.5, r_lo=0.9, kappa=0.5, top_c=2), "kappa"),
                             (dict(decay=1.0, r_lo=0.9, kappa=10.0, top_c=2), "decay"),
                             (dict(decay=0.5, r_lo=0.9, kappa=10.0, top_c=0), "top_c")):
                try:
                    age_bound(**kw)
                    probes.append((f"bad {what} raises", False))
                except ValueError as err:
                    probes.append((f"bad {what} raises", what in str(err)))
            bad = [w for w, ok in probes if not ok]
            log.tried["refusal"] = len(probes)
            log.verdict(f"{self.name}: claims nothing outside its hypotheses", not bad,
                        f"{len(probes)} probes" + (f"; accepted: {'; '.join(bad)}" if bad else ""))
        return log.result(profile.name)


@dataclass(frozen=True)
class FloorTheorem:
    """Theorem B: the a priori floor r and ages <= T*(r) on every run of the rule."""

    name: str = "Age theorem B (a priori floor)"
    description: str = ("engine runs of the critical rule (every aggregation) on h = L quadratics, two-point spectra "
                        "and non-quadratic problems keep r_{k+1} >= r r_k and ages <= T*(r)")
    oracles: tuple[str, ...] = ("runs", "tight")

    def _cells(self, profile: Profile):
        aggs = AGGREGATIONS if profile.structured > 1 else ("sum", "mean", "max", "mid")
        top_cs = (1, 2, 5) if profile.structured > 1 else (1, 3)
        decays = (0.3, 0.5, 0.7, 0.9, 0.99) if profile.structured > 1 else (0.5, 0.9)
        aLs = (1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1) if profile.structured > 1 else (1e-3, 0.01, 0.03)
        kappas = (1.0, 1 + 1e-6, 1.5, 10.0, 100.0) if profile.structured > 1 else (1.0, 1.5, 10.0)
        return aggs, top_cs, decays, aLs, kappas

    @staticmethod
    def _problems(kappas: np.ndarray, seed: int):
        """Per kappa (one entry per cell): a quadratic with the single eigenvalue L and one with spectrum
        {mu, L} (d = 4, one batch), and where kappa > 1 a Huber and a logistic problem (one batch each).
        Returns [(batch, cell index of each problem)]."""
        rng = np.random.default_rng(seed)
        n = kappas.size
        eig = np.vstack([np.repeat(kappas[:, None], 4, axis=1), np.stack([np.ones(n), kappas] * 2, axis=1)])
        cells = np.concatenate([np.arange(n), np.arange(n)])
        keep = np.concatenate([np.ones(n, dtype=bool), kappas > 1.0])          # {mu, L} = {L} when kappa = 1
        eig, cells = eig[keep], cells[keep]
        quad = QuadraticBatch(x_star=rng.standard_normal((cells.size, 4)), f_star=np.zeros(cells.size),
                              mu=np.ones(cells.size), L=eig.max(axis=1), A=eig[:, :, None] * np.eye(4),
                              eigenvalues=eig, mu_exact=False)
        out = [(quad, cells)]
        tilted = np.flatnonzero(kappas > 1.0)
        if tilted.size:
            out += [(make_tilted(tilted.size, 4, 1.0, kappas[tilted], family=f, rng=rng), tilted)
                    for f in ("huber", "logistic")]
        return out

    def _block(self, log: SlackLog, oracle: str, agg: str, top_c: int, decay: float, aLs, kappas,
               steps: int, seed: int) -> np.ndarray:
        """Every (alpha L, kappa) cell of one (aggregation, top_c, decay), one engine run per problem family;
        returns the smallest floor slack per cell (inf where no floor is claimed)."""
        aL, kap = np.meshgrid(np.asarray(aLs, float), np.asarray(kappas, float), indexing="ij")
        aL, kap = aL.ravel(), kap.ravel()
        r, T = contraction_floor(alpha_L=aL, decay=decay, kappa=kap, top_c=top_c, aggregation=agg)
        worst = np.full(aL.size, np.inf)
        live = np.flatnonzero(np.isfinite(T))
        log.skip(oracle, aL.size - live.size)
        if live.size == 0:
            return worst
        for P, cell in self._problems(kap[live], seed):
            idx = live[cell]
            res = run(P, CriticalGradients(top_c, decay), Aggregation(agg), aL[idx] / kap[idx], steps, tol=0.0,
                      rng=seed)
            own = step_floor(res.distances)
            ages = prefix_max_age(res.ages, res.distances)
            for i, c in enumerate(idx):
                if not math.isfinite(own[i]):
                    continue
                floor_slack = (own[i] - r[c]) / (1.0 - r[c])
                where = (f"{agg}, top_c={top_c}, decay={decay:g}, alpha L={aL[c]:g}, kappa={kap[c]:.8g}, "
                         f"{type(P).__name__}: floor r={r[c]:.8g}, T*={T[c]:g}; run's own floor {own[i]:.8g}, "
                         f"largest age {ages[i]:g}")
                log.add(oracle, float(floor_slack), where, margin=1e-12 / (1.0 - r[c]))
                log.add(f"{oracle} ages", float(T[c] - ages[i]), where)
                worst[c] = min(worst[c], floor_slack)
        return worst

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult:
        log = SlackLog(self.name)
        steps = 200 if profile.structured <= 1 else 600
        if wants(oracles, "runs"):
            aggs, top_cs, decays, aLs, kappas = self._cells(profile)
            for agg in aggs:
                for top_c in top_cs:
                    for decay in decays:
                        self._block(log, "runs", agg, top_c, decay, aLs, kappas, steps, profile.seed)
            log.no_violation_verdict(["runs", "runs ages"])
        if wants(oracles, "tight"):
            details, ok = [], True
            for decay, aL in ((0.5, 0.01), (0.3, 0.03), (0.9, 0.003)):
                worst = float(self._block(log, "tight", "sum", 1, decay, [aL], [1.0], 400, profile.seed)[0])
                r, _ = contraction_floor(alpha_L=aL, decay=decay, kappa=1.0, top_c=1, aggregation="sum")
                spacing = 2 * (1 - decay) / 2000 / (1 - float(r))     # two cells of contraction_floor's grid
                good = -1e-9 <= worst <= spacing
                ok &= good
                details.append(f"decay {decay:g}, alpha L {aL:g}: slack {worst:.3g} (grid allows {spacing:.3g})")
            log.verdict(f"{self.name}: attained at kappa = 1, 'sum', C = 1 to within two grid cells", ok,
                        "; ".join(details))
        return log.result(profile.name)
