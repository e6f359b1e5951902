r"""Every certified rate between verified lower bounds: the checks that define a false certificate.

For a scenario's pattern set :math:`\Pi` at step :math:`\alpha`
(:mod:`memgd.proofs_check.lower_bounds`):

- ``quadratic``: the largest exact quadratic rate of one pattern of :math:`\Pi`, witness h;
- ``switching`` (sets of two or more patterns): :math:`\max_{w,h} \rho(A_w(h))^{1/|w|}`,
  witness the word w and h;
- ``pep``: PEPit's worst case :math:`\omega_N` over the whole class at the horizons
  :data:`~memgd.proofs_check.lower_bounds.pep.HORIZONS`, for the set's worst single
  pattern and, for sets, for the worst switching word, each kept only when primal and dual
  agree.

A certificate :math:`(\rho, c)` is **false** when :math:`\rho` is below a verified
quadratic or switching bound, or :math:`c\,\rho^{2N} < \omega_N` for a verified PEPit value
(:func:`judge`).  Both are proofs that the certificate is wrong: each bound is attained by
a function of the class and a switching sequence the certificate claims to cover.

Tightness :math:`(1 - \rho_{cert}) / (1 - \rho_{low})`, with :math:`\rho_{low}` the largest
verified bound (quadratic or switching); 1 means the certificate is as fast as the best
proven lower bound.  The PEPit per-step rate between two horizons is shown beside it as an
estimate of the class's rate, not used as a bound: where the worst roots are complex,
:math:`\omega_N` oscillates in N (e.g. pattern (0, 1), weights (1, 1), mu = 1, L = 10,
alpha = 0.095: :math:`\omega_5 = 1.42`, :math:`\omega_{10} = 1.30`, :math:`\omega_{15} = 0.59`),
and a two-horizon ratio can then land on either side of the true rate.  For a single
fixed pattern the certifier is also expected to be complete: :func:`judge` requires a
verified certificate wherever :math:`\rho_{low} < 1` (a regression check on the
certifier's power, not a theorem: it catches a proof made too weak, e.g. a dropped
interpolation pair, which stays sound and so cannot produce a false certificate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from memgd.proofs_check.certificates.certify import Certificate
from memgd.proofs_check.certificates.pattern_dependent import PatternDependentCertificate
from memgd.proofs_check.lower_bounds.pep import HORIZONS, PEPBound, pep_lower_bound
from memgd.proofs_check.lower_bounds.quadratic import QuadraticWitness, fixed_pattern_lower_bound, switching_lower_bound
from memgd.proofs_check.report import digits
from memgd.proofs_check.report.render import Check, Unavailable
from memgd.theory.pattern import Pattern

RATE_TOL = 1e-9  # a certified rate may sit this far below a bound (bisection lands at or above it)


@dataclass(frozen=True)
class LowerBounds:
    """The verified lower bounds of one (mu, L, alpha, pattern set)."""

    quadratic: QuadraticWitness             # worst single pattern of the set
    switching: QuadraticWitness | None      # None for a single pattern
    pep: tuple[PEPBound, ...]               # worst single pattern, then the worst word (sets)
    seconds: float

    @property
    def rigorous(self) -> tuple[float, str] | None:
        """(rate, description) of the largest verified bound on rho, or None."""
        cands = [(w.rate, f"{w.kind} ({w.describe()})") for w in (self.quadratic, self.switching)
                 if w is not None and w.verified]
        return max(cands) if cands else None

    @property
    def pep_rate(self) -> float | None:
        """Largest PEPit per-step rate estimate (two horizons), None if none verified."""
        rates = [b.per_step_rate for b in self.pep if b.per_step_rate is not None]
        return max(rates) if rates else None

    @property
    def best(self) -> float | None:
        """The largest verified lower bound on a certifiable rate (quadratic or switching), None if none."""
        rig = self.rigorous
        return None if rig is None else rig[0]

    def tightness(self, rho: float | None) -> float | None:
        """(1 - rho) / (1 - best), None without a certificate or when the best bound is >= 1."""
        low = self.best
        if rho is None or low is None or not low < 1.0:
            return None
        return float((1.0 - rho) / (1.0 - low))


def lower_bounds(mu: float, L: float, alpha: float, patterns: Sequence[Pattern], *,
                 horizons: Sequence[int] = HORIZONS) -> LowerBounds:
    """Quadratic, switching and PEPit lower bounds of a pattern set (PEPit skipped when ``horizons`` is empty)."""
    t0 = time.perf_counter()
    pats = tuple(patterns)
    singles = [fixed_pattern_lower_bound(mu, L, alpha, p) for p in pats]
    i0 = int(np.argmax([w.rate for w in singles]))
    quad = singles[i0]
    sw = switching_lower_bound(mu, L, alpha, pats) if len(pats) > 1 else None
    peps = []
    if horizons:
        peps.append(pep_lower_bound(mu, L, alpha, pats, (i0,), horizons))
        if sw is not None and sw.verified and len(sw.word) > 1:
            peps.append(pep_lower_bound(mu, L, alpha, pats, sw.word, horizons))
    return LowerBounds(quad, sw, tuple(peps), time.perf_counter() - t0)


def judge(name: str, cert: Certificate, bounds: LowerBounds) -> list[Check]:
    """The report's checks of one certificate against its lower bounds (empty if nothing applies)."""
    checks = []
    single = len(cert.patterns) == 1
    if cert.certified:
        for w in (bounds.quadratic, bounds.switching):
            if w is None:
                continue
            checks.append(Check(f"{name}: {w.kind} lower bound witness verified", w.verified,
                                f"{w.describe()}: recomputed rate does not match the search's"))
            if w.verified:
                checks.append(Check(f"{name}: certificate >= {w.kind} lower bound", cert.rho >= w.rate - RATE_TOL,
                                    f"certified {cert.rho:.6f} below {w.rate:.6f} ({w.describe()}): "
                                    "a false certificate"))
        for b in bounds.pep:
            if not any(v is not None for v in b.values):
                continue
            bad = b.violations(cert.rho, cert.transient)
            what = "fixed pattern" if len(b.word) == 1 else f"word {'-'.join(map(str, b.word))}"
            checks.append(Check(f"{name}: c rho^(2N) >= PEPit worst case ({what}, N in {list(b.horizons)})",
                                not bad, "; ".join(f"N={n}: PEPit {v:.4e} > c rho^(2N) = {lim:.4e}"
                                                    for n, v, lim in bad) + ": a false certificate"))
    low = bounds.best
    if single and low is not None and low < 1.0:
        checks.append(Check(f"{name}: single pattern certified where its lower bounds are below 1", cert.certified,
                            f"lower bound {low:.6f} < 1 but no certificate ({cert.reason})"))
    return checks


SANDWICH_COLUMNS = ["Lyapunov", "lower bound", "lower witness", "class rate est.", "tightness"]


def sandwich_cells(cert: Certificate | None, bounds: LowerBounds | None) -> dict:
    """The scenario-table cells: best verified bound and its witness, PEPit estimate, tightness."""
    if bounds is None:
        return dict.fromkeys(SANDWICH_COLUMNS, Unavailable("no lower bounds computed (no pattern set, or T above 3)"))
    rig = bounds.rigorous
    certified = cert is not None and cert.certified
    kind = Unavailable("no verified certificate") if not certified else (
        cert.notes[0].split(",")[0] if isinstance(cert, PatternDependentCertificate) else "common")
    none_verified = Unavailable("no lower bound verified from its witness")
    tightness = bounds.tightness(cert.rho if certified else None)
    return {"Lyapunov": kind, "lower bound": none_verified if rig is None else rig[0],
            "lower witness": none_verified if rig is None else rig[1],
            "class rate est.": bounds.pep_rate if bounds.pep_rate is not None
            else Unavailable("PEPit's primal and dual did not agree, or it was not run"),
            "tightness": tightness if tightness is not None
            else Unavailable("needs a verified certificate and a verified lower bound")}


def is_false(cert: Certificate, bounds: LowerBounds) -> bool:
    """True when a verified lower bound proves the certificate wrong (see :func:`judge`)."""
    return any(not c.passed and "false certificate" in c.detail for c in judge("", cert, bounds))


def summary_rows(judged: list[tuple[Certificate, LowerBounds]]) -> list[dict]:
    """Summary lines on certificates against lower bounds: what was compared, false ones, tightness."""
    certified = [(c, b) for c, b in judged if c.certified]
    n_quad = sum(b.quadratic.verified for _, b in certified)
    n_sw = sum(b.switching is not None and b.switching.verified for _, b in certified)
    n_pep = sum(any(v is not None for pb in b.pep for v in pb.values) for _, b in certified)
    horizons = sorted({n for _, b in certified for pb in b.pep for n in pb.horizons})
    false = sum(is_false(c, b) for c, b in certified)
    n_pd = sum(isinstance(c, PatternDependentCertificate) for c, _ in certified)
    rows = [
        {"statement": "certificates checked against verified lower bounds: exact quadratic rate / switching "
                      f"bound (sets) / PEPit worst case at N in {horizons}",
         "figure": f"{n_quad} / {n_sw} / {n_pep} of {len(certified)}"},
        {"statement": "false certificates (rate below a verified quadratic or switching bound, or c rho^(2N) "
                      "below a verified PEPit value)", "figure": str(false)},
        {"statement": "pattern sets whose reported certificate is pattern-dependent (one Lyapunov function per word "
                      "of the last 1 or 2 patterns; tried where the common one has tightness < 0.99, up to 9 LMIs)",
         "figure": f"{n_pd} of {sum(len(c.patterns) > 1 for c, _ in certified)}"},
    ]
    for label, keep in (("single patterns", lambda c: len(c.patterns) == 1),
                        ("pattern sets, T <= 3", lambda c: len(c.patterns) > 1 and c.T <= 3)):
        # intervals over each certificate's bisection resolution, printed with the digits they share (digits.py)
        t = [digits.tightness_interval(c.rho, b.best, digits.bisection_tol(b.quadratic.rate))
             for c, b in certified if keep(c) and b.tightness(c.rho) is not None]
        if t:
            rows.append({"statement": f"tightness (1 - certified) / (1 - best verified lower bound), {label}",
                         "figure": f"median {digits.figure(digits.statistic(np.median, t))}, "
                                   f"min {digits.figure(digits.statistic(min, t))} ({len(t)} certificates)"})
    return rows
