r"""Report section: certificates for whole classes of rules (one LMI per vertex), at the paper's real ages.

Two kinds of independent tasks (through :mod:`memgd.proofs_check.campaigns`):

- :func:`class_cell_task`: one cell of the class grid — Theorem 2's class with the constants of the
  "sum" aggregation at kappa 1 (:math:`s_{lo} = 1`, :math:`W = 2`, :math:`B = 1`: every nonnegative
  combination of the last :math:`T + 1` gradients with :math:`s \in [1, 2]`, memory mass :math:`\le 1`),
  :math:`\mu = 1`, :math:`L = \kappa`, step a fraction of the stability limit of the class's worst
  vertex (the pure delay :math:`g_{k-T}`, Levin–May).  The certificate
  (:func:`~memgd.proofs_check.certificates.certify_class.certify_class`), re-verified here
  independently of the certifier (:func:`reverify`: one shared Finsler vector, every vertex of the
  class, the unlifted verifier inside), its lower bounds with witnesses
  (:mod:`memgd.proofs_check.lower_bounds.class_bounds`), and Theorem 2 on exactly the same set.
- :func:`class_experiment_task`: the paper's convergence experiment (digits softmax regression,
  :mod:`memgd.proofs_check.report.convergence_experiment`): full-gradient SGD_C with the critical
  rule (decay 0.7, topC 10) for the sum, mean and -mean aggregations at kappa 1 and 2, at the
  experiment's two steps; the class of the rule at the realized largest age
  (:func:`~memgd.proofs_check.certificates.rule_classes.aggregation_class`) certified side by side
  with Theorem 2, the worst vertex's exact quadratic rate and the measured rate.

Checks: every grid cell certified (a regression check on the certifier's power: the grid's classes
are stable at these steps); every certificate re-verified; none below a verified lower bound
(worst vertex, pure delay, interior points, switching; PEPit where T <= 2); the measured rate of
each experiment run not above its certified rate.  A certificate worse than Theorem 2's bound is a
finding (listed, counted), not a failed check.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.certificates.certify_class import ClassCertificate, certify_class
from memgd.proofs_check.certificates.class_model import class_model
from memgd.proofs_check.certificates.class_sdp import CLASS_RULES, ClassRules
from memgd.proofs_check.certificates.class_verify import check_lifted, cross_check
from memgd.proofs_check.certificates.rule_classes import aggregation_class
from memgd.proofs_check.certificates.sdp import to_normalized_units
from memgd.proofs_check.certificates.weight_classes import WeightClass, theorem2_class
from memgd.proofs_check.lower_bounds.class_bounds import ClassLowerBounds, class_lower_bounds, levin_may_limit
from memgd.proofs_check.report.render import Check, Section, Unavailable
from memgd.theory import exact_rate, iteration_count, rate2

RATE_TOL = 1e-9
EPSILON = 1e-6
GRID_T = (1, 2, 4, 8, 16)
GRID_KAPPA = (10.0, 100.0)
GRID_FRACTIONS = (0.25, 0.5)
SUM_CONSTANTS = (1.0, 2.0, 1.0)          # (s_lo, W, B) of "sum" at kappa 1
EXPERIMENT_AGGREGATIONS = ("sum", "mean", "min-mean", "median-mean", "max-mean")
EXPERIMENT_KAPPAS = (1.0, 2.0)


def grid_cells(quick: bool = False) -> list[tuple[int, float, float]]:
    """(T, kappa, fraction) of the class grid (``quick``: T in {1, 2}, kappa 10, fraction 0.5)."""
    if quick:
        return [(1, 10.0, 0.5), (2, 10.0, 0.5)]
    return [(T, k, f) for T in GRID_T for k in GRID_KAPPA for f in GRID_FRACTIONS]


def reverify(cert: ClassCertificate, *, seed: int = 1, n_interior: int = 8) -> str:
    """'' if the certificate's numbers prove the class claim with the sound rules, else why not.

    Independent of the rules the certifier ran with: one Finsler vector shared by every vertex, the
    class's own vertex list (lifted LMIs in float64), then the unlifted verifier at every vertex and
    at ``n_interior`` fresh interior points (:mod:`memgd.proofs_check.certificates.class_verify`)."""
    if not cert.certified:
        return "not certified"
    y = np.asarray(cert.finsler, dtype=np.float64)
    if y.ndim != 1:
        return "the certificate carries one Finsler vector per vertex: it proves the vertices, not the polytope"
    wc = cert.wclass
    model = class_model(cert.mu / cert.L, 1.0, cert.alpha * cert.L, wc.T, pairs=cert.pairs, lag=cert.lag)
    if len(cert.vertex_multipliers) != len(wc.vertices):
        return f"multipliers for {len(cert.vertex_multipliers)} vertices, the class has {len(wc.vertices)}"
    P, p, lam, nu = to_normalized_units(cert.L, cert.P, cert.p, cert.vertex_multipliers,
                                        cert.normalization_multipliers)
    why = check_lifted(model, wc.weights, cert.rho, 0.5 * (P + P.T), p, y, lam, nu)[0]
    if why:
        return f"lifted check: {why}"
    return cross_check(cert.mu, cert.L, cert.alpha, wc, cert.rho, cert.P, cert.p, cert.vertex_multipliers,
                       cert.normalization_multipliers, model.pairs, model.norm_pairs,
                       rng=np.random.default_rng(seed), n_interior=n_interior)


def theorem2_on(wclass: WeightClass, mu: float, L: float, alpha: float) -> float:
    """Theorem 2's rate on the smallest Theorem 2 class containing ``wclass`` (inf: vacuous or signed)."""
    if wclass.theorem2 is not None:
        s_lo, W, B = wclass.theorem2
    else:
        V = wclass.weights
        if not wclass.nonnegative:
            return float("inf")
        s = V.sum(axis=1)
        s_lo, W, B = float(s.min()), float(s.max()), float(V[:, 1:].sum(axis=1).max())
        if s_lo <= 0:
            return float("inf")
    return float(rate2(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=wclass.T))


def _iters(rate: float | None, transient: float = 1.0) -> float:
    if rate is None or not np.isfinite(rate):
        return float("inf")
    return float(iteration_count(eps=EPSILON / np.sqrt(transient), rate=rate))


def lower_bound_checks(name: str, cert: ClassCertificate, bounds: ClassLowerBounds) -> list[Check]:
    """The certificate against every verified lower bound (quadratic kinds, and PEPit's omega_N)."""
    out = []
    if not cert.certified:
        return out
    for b in bounds.bounds:
        out.append(Check(f"{name}: {b.kind} witness verified", b.verified, f"{b.witness}: not recomputed"))
        if b.verified:
            out.append(Check(f"{name}: certificate >= {b.kind} lower bound", cert.rho >= b.rate - RATE_TOL,
                             f"certified {cert.rho:.8f} below {b.rate:.8f} ({b.witness}): a false certificate"))
    for pb in bounds.pep:
        if any(v is not None for v in pb.values):
            bad = pb.violations(cert.rho, cert.transient)
            out.append(Check(f"{name}: c rho^(2N) >= PEPit worst case (word {pb.word})", not bad,
                             f"violations (N, omega_N, c rho^2N): {bad}"))
    return out


@dataclass(frozen=True)
class CellResult:
    T: int
    kappa: float
    fraction: float
    alpha: float
    cert: ClassCertificate
    bounds: ClassLowerBounds
    theorem2: float
    reverified: str
    seconds: float


def class_cell_task(T: int, kappa: float, fraction: float, rules: ClassRules = CLASS_RULES) -> CellResult:
    """One grid cell (module doc); ``rules``: the certifier's shared ingredients (tests break them)."""
    t0 = time.perf_counter()
    wc = theorem2_class(T, *SUM_CONSTANTS)
    alpha = fraction * levin_may_limit(kappa, T, SUM_CONSTANTS[2])
    cert = certify_class(1.0, kappa, alpha, wc, rules=rules)
    bounds = class_lower_bounds(1.0, kappa, alpha, wc, pep_horizons=(1, 2, 5), pep_max_T=2)
    return CellResult(T, kappa, fraction, alpha, cert, bounds, theorem2_on(wc, 1.0, kappa, alpha),
                      reverify(cert), time.perf_counter() - t0)


@dataclass(frozen=True)
class ExperimentRun:
    aggregation: str
    kappa: float
    alpha: float
    T: int
    measured: float
    status: str
    cert: ClassCertificate | None
    reason: str
    worst_vertex: float
    theorem2: float
    reverified: str


def class_experiment_task(quick: bool = False) -> tuple[float, float, list[ExperimentRun]]:
    """(mu, L, runs): the convergence experiment's critical rule, each run's class certified at its realized T."""
    from memgd.proofs_check.report.convergence_experiment import Settings, _starts, load_digits_split, quick_settings
    from memgd.solvers import make_optimizer, run_optimizer, tail_rate
    from memgd.solvers.problems import make_softmax

    st = quick_settings() if quick else Settings()
    X_tr, _, y_tr, _ = load_digits_split(st)
    problems = make_softmax(X_tr, y_tr, l2=st.l2, n=2, classes=10)
    mu, L = float(problems.mu[0]), float(problems.L[0])
    alphas = np.array([*st.full_lrs, 1.0 / L])
    x0 = _starts(problems, st.seeds[:1], 2, X_tr.shape[1])
    aggs = ("sum", "min-mean") if quick else EXPERIMENT_AGGREGATIONS
    kappas = (1.0,) if quick else EXPERIMENT_KAPPAS
    runs = []
    for agg in aggs:
        for kap in kappas:
            opt = make_optimizer("sgd_c", kappa=kap, decay=st.decay, top_c=st.top_c, aggregation=agg)
            res = run_optimizer(problems, opt, alphas, st.full_steps, x0=x0, tol=1e-12)
            rates = tail_rate(res.distances)
            for i, a in enumerate(alphas):
                T = max(int(res.constants.T[i]), 1)
                wc = aggregation_class(agg, kap, T, st.top_c)
                low = float(np.max(np.atleast_1d(exact_rate(mu, L, float(a), list(wc.patterns())))))
                cert, reason, rev = None, "", ""
                if low >= 1.0:
                    reason = (f"not certifiable: a vertex of the class has exact quadratic rate {low:.6g} >= 1 "
                              "at this step (the class contains an unstable rule)")
                else:
                    cert = certify_class(mu, L, float(a), wc)
                    reason = cert.reason
                    rev = reverify(cert) if cert.certified else ""
                runs.append(ExperimentRun(agg, kap, float(a), T, float(rates[i]), str(int(res.status[i])), cert,
                                          reason, low, theorem2_on(wc, mu, L, float(a)), rev))
    return mu, L, runs


CELL_COLUMNS = ["T", "kappa", "alpha / limit", "alpha", "vertices", "certified", "c", "best lower bound",
                "lower witness", "tightness", "Thm 2", "K Thm 2 / K cert", "solves"]
EXPERIMENT_COLUMNS = ["aggregation", "kappa", "alpha", "realized T", "measured", "certified (class at T)",
                      "worst vertex (quadratic)", "Thm 2"]


def class_section(cells: list[CellResult], experiment: tuple | None = None, *, experiment_note: str = "") -> Section:
    """The section (grid table, experiment table in the notes' rows, checks, findings)."""
    sec = Section(
        "Class certificates: one Lyapunov function for every rule of a weight polytope (one LMI per vertex, "
        "shared Finsler vector), Theorem 2's class with the 'sum' constants (s_lo = 1, W = 2, B = 1), mu = 1",
        CELL_COLUMNS, narrow=["T", "kappa", "alpha / limit", "certified", "best lower bound", "tightness", "Thm 2",
                              "solves"],
        intro=["vertices: 2 + 2T (g_k, 2 g_k, g_k + g_(k-j), g_(k-j)); limit: stability step of the pure delay "
               "g_(k-T) (Levin-May); certified: verified in float64 at every vertex and re-verified independently "
               "(one shared Finsler vector, unlifted verifier at the vertices and inside); lower bounds: worst vertex, "
               "pure delay, interior points, switching (PEPit for T <= 2); K: iterations to 1e-6 r_0."])
    findings = []
    for r in cells:
        name = f"class T={r.T} kappa={r.kappa:g} {r.fraction:g}lim"
        c = r.cert
        best = r.bounds.best
        tight = r.bounds.tightness(c.rho)
        k_cert = _iters(c.rho, c.transient or 1.0) if c.certified else float("inf")
        sec.rows.append({
            "T": r.T, "kappa": r.kappa, "alpha / limit": r.fraction, "alpha": r.alpha, "vertices": c.n_vertices,
            "certified": c.rho if c.certified else Unavailable(c.reason or "not certified", "not certified"),
            "c": c.transient, "best lower bound": best.rate if best else Unavailable("no verified lower bound"),
            "lower witness": f"{best.kind}: {best.witness}" if best else Unavailable("no verified lower bound"),
            "tightness": tight if tight is not None else Unavailable("no certificate or no lower bound below 1"),
            "Thm 2": r.theorem2 if np.isfinite(r.theorem2) else Unavailable("Theorem 2 vacuous at this step", "vacuous"),
            "K Thm 2 / K cert": _iters(r.theorem2) / k_cert if c.certified and np.isfinite(r.theorem2)
            else Unavailable("Theorem 2 vacuous or no certificate"),
            "solves": c.n_solves})
        sec.checks.append(Check(f"{name}: certified", c.certified, f"not certified: {c.reason}"))
        if c.certified:
            sec.checks.append(Check(f"{name}: re-verified independently", r.reverified == "", r.reverified))
            if np.isfinite(r.theorem2) and c.rho > r.theorem2 + RATE_TOL:
                findings.append(f"{name}: certificate {c.rho:.8f} worse than Theorem 2's {r.theorem2:.8f} "
                                "on Theorem 2's own class")
        sec.checks.extend(lower_bound_checks(name, c, r.bounds))
    if experiment is not None:
        mu, L, runs = experiment
        sec.notes.append(f"The paper's convergence experiment (digits softmax regression, mu = {mu:g}, L <= {L:.4g}, "
                         "full-gradient SGD_C, critical rule decay 0.7, topC 10): the class of each run's rule at its "
                         "realized largest age T, certified; columns: " + ", ".join(EXPERIMENT_COLUMNS))
        for run in runs:
            c = run.cert
            cell = (f"{c.rho:.8f}" if c is not None and c.certified else f"not certified ({run.reason})")
            sec.notes.append(
                f"  {run.aggregation}, kappa {run.kappa:g}, alpha {run.alpha:.4g}, realized T = {run.T}: measured "
                f"{run.measured:.8f}; class certificate {cell}; worst vertex {run.worst_vertex:.8f}; Theorem 2 "
                + (f"{run.theorem2:.8f}" if np.isfinite(run.theorem2) else "vacuous"))
            name = f"experiment {run.aggregation} kappa {run.kappa:g} alpha {run.alpha:.4g}"
            if c is not None and c.certified:
                sec.checks.append(Check(f"{name}: re-verified independently", run.reverified == "", run.reverified))
                sec.checks.append(Check(f"{name}: measured rate <= certified rate of its class",
                                        run.measured <= c.rho + 1e-9,
                                        f"measured {run.measured:.8f} > certified {c.rho:.8f}"))
                sec.checks.append(Check(f"{name}: certificate >= worst vertex quadratic rate",
                                        c.rho >= run.worst_vertex - RATE_TOL,
                                        f"certified {c.rho:.8f} below {run.worst_vertex:.8f}: a false certificate"))
                if np.isfinite(run.theorem2) and c.rho > run.theorem2 + RATE_TOL:
                    findings.append(f"{name}: certificate {c.rho:.8f} worse than Theorem 2's {run.theorem2:.8f}")
    elif experiment_note:
        sec.notes.append(experiment_note)
    sec.notes.extend(f"finding: {f}" for f in findings)
    return sec


def class_summary_rows(cells: list[CellResult], experiment: tuple | None = None) -> list[dict]:
    """Lines for the report's summary (and the README's generated block)."""
    if not cells:
        return []
    ok = [r for r in cells if r.cert.certified and r.reverified == ""]
    rows = [{"statement": "class certificates (one LMI per vertex of Theorem 2's class, 'sum' constants) verified "
                          "in float64 and re-verified / attempted", "figure": f"{len(ok)} / {len(cells)}"}]
    if ok:
        top = max(r.T for r in ok)
        solves = [r.cert.n_solves for r in ok if r.T == top]
        rows.append({"statement": "largest age T certified for a whole class, and its cost (Clarabel solves per "
                                  "certificate; wall seconds are in report.json's section timing; BENCHMARKS.md "
                                  "times T = 16 and 32)",
                     "figure": f"T = {top}: {min(solves)} to {max(solves)} solves ({len(solves)} certificates, "
                               f"{2 + 2 * top} vertices each)"})
        tights = [t for t in (r.bounds.tightness(r.cert.rho) for r in ok) if t is not None]
        if tights:
            rows.append({"statement": "class certificates: tightness (1 - certified) / (1 - best verified lower bound)",
                         "figure": f"median {np.median(tights):.3g}, min {min(tights):.3g} ({len(tights)} certificates)"})
        ratios = [_iters(r.theorem2) / _iters(r.cert.rho, r.cert.transient) for r in ok if np.isfinite(r.theorem2)]
        rows.append({"statement": "class grid: Theorem 2 on the same class, iterations it needs / the certificate's",
                     "figure": (f"median {np.median(ratios):.3g}, range {min(ratios):.3g} to {max(ratios):.3g} "
                                f"({len(ratios)} cells; vacuous in {len(ok) - len(ratios)})") if ratios
                     else f"vacuous in all {len(ok)} cells"})
    if experiment is not None:
        _, _, runs = experiment
        cert = [r for r in runs if r.cert is not None and r.cert.certified and r.reverified == ""]
        rows.append({"statement": "paper's convergence experiment: runs whose rule's class is certified at the "
                                  "realized T (critical rule, sum / mean / -mean, kappa 1 and 2, two steps)",
                     "figure": f"{len(cert)} of {len(runs)} (realized T {min(r.T for r in runs)} to "
                               f"{max(r.T for r in runs)})"})
    return rows


def experiment_task(quick: bool = False):
    """:func:`class_experiment_task`, or the reason it cannot run (scikit-learn missing)."""
    try:
        return class_experiment_task(quick)
    except ImportError as err:
        return f"the convergence experiment's class certificates: not available ({err})"


def class_tasks(plan) -> list:
    """The campaign tasks of the section: the grid cells, and the experiment on the full default report."""
    from memgd.proofs_check.campaigns import Task

    tasks = [Task(class_cell_task, {"T": T, "kappa": k, "fraction": f}, f"class T={T} kappa={k:g} {f:g}lim")
             for T, k, f in grid_cells(plan.quick)]
    if plan.full and not plan.quick:
        tasks.append(Task(experiment_task, {"quick": False}, "class certificates of the convergence experiment"))
    return tasks


def _split(values: list) -> tuple[list[CellResult], tuple | None, str]:
    cells = [v for v in values if isinstance(v, CellResult)]
    exp = next((v for v in values if isinstance(v, tuple)), None)
    note = next((v for v in values if isinstance(v, str)), "")
    return cells, exp, note


def class_build(plan, done) -> Section:
    cells, exp, note = _split(done.values("class-certificates"))
    return class_section(cells, exp, experiment_note=note)


def add_class_summary(section: Section, values: list) -> Section:
    """Append the class-certificate lines to the report's summary section (returns it)."""
    cells, exp, _ = _split(values)
    section.rows.extend(class_summary_rows(cells, exp))
    return section
