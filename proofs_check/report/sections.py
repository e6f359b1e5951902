"""Assemble the main report (``python -m memgd.proofs_check``) from per-scenario evaluations.

The independent pieces of work are plain top-level functions (:func:`scenario_task`,
:func:`search_task`, :func:`optimizer_pair_task`), so the campaign layer
(:mod:`memgd.proofs_check.campaigns`) can run them anywhere; each section function
takes their results (computing them in this process when they are not given).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence

from memgd.proofs_check.properties.counterexamples import SEARCHES
from memgd.proofs_check.properties.bound_check import THEOREM_RATES
from memgd.proofs_check.report import digits
from memgd.proofs_check.report.evaluate import EPSILON, Evaluation, RunChecks, evaluate
from memgd.proofs_check.report.render import Check, Section, Unavailable
from memgd.proofs_check.report.sandwich import SANDWICH_COLUMNS, sandwich_cells, summary_rows
from memgd.proofs_check.report.scenarios import Scenario
import numpy as np

from memgd.solvers import PLAIN, Status, compare_optimizers, make_quadratics
from memgd.theory import THEOREM_1, THEOREM_1B, THEOREM_2
from memgd.proofs_check.report.theorem2_summary import theorem2_rows

SCENARIO_COLUMNS = ["scenario", "alpha", "T", "bound", "from", "Thm 2", "certified", "exact quad", "worst of set",
                    "PEPit", *SANDWICH_COLUMNS,
                    "worst empirical", f"K({EPSILON:g}) bound", f"K({EPSILON:g}) Thm 2", f"K({EPSILON:g}) cert",
                    f"K({EPSILON:g}) exact",
                    "largest age", "tightest lemma", "lemma slack", "outcome", "verdict"]
# the terminal's columns by priority (a narrow terminal drops the last first; shown in table order)
SCENARIO_NARROW = ["scenario", "verdict", "bound", "certified", "Thm 2", "exact quad", "worst empirical"]
PEPIT_STEPS = 10


def scenario_task(scenario: Scenario) -> Evaluation:
    """:func:`evaluate` as the report runs it (PEPit on named scenarios), without the run arrays.

    The runs' distance arrays and problem batches (about 4 MB per scenario) are dropped:
    every figure of the report has been computed from them by then.  A grid scenario's step and
    stability limit (one critical step per pattern) are computed here, in the task, and travel
    back cached on the scenario for the summary."""
    _ = (scenario.alpha, scenario.stability_limit)  # lazy values: computed in this task
    ev = evaluate(scenario, pepit_steps=PEPIT_STEPS if scenario.expect is not None else None)
    return dataclasses.replace(ev, empirical=dataclasses.replace(ev.empirical, by_family={}, problems={}))


def scenario_row(ev: Evaluation) -> dict:
    sc, emp = ev.scenario, ev.empirical
    failed = [c for c in ev.checks if not c.passed]
    if failed:
        verdict = "FAIL"
    elif sc.expect is None:
        verdict = {"converged": "ok", "diverged": "finding (diverged)"}.get(emp.outcome.name.lower(), "ok (slow)")
    elif sc.expect != Status.CONVERGED:
        verdict = f"finding ({sc.expect.name.lower()})"
    elif ev.bound_theorem == "none":
        verdict = "ok, bound vacuous"
    else:
        verdict = "ok"
    return {
        "scenario": sc.name, "alpha": sc.alpha, "T": ev.constants["T"],
        "bound": _finite_or(ev.bound_rate, "vacuous: the hypotheses of Theorems 1 and 1b fail at this step"),
        "from": f"Thm {ev.bound_theorem}, {ev.bound_source}"
        if ev.bound_theorem != "none" else f"vacuous, {ev.bound_source}",
        "Thm 2": _finite_or(ev.bound2_rate, "vacuous: Theorem 2's hypotheses fail here, or a weight is negative"),
        "certified": _certified_cell(ev),
        "exact quad": ev.exact_rate if ev.exact_rate is not None else Unavailable("the rule has no fixed pattern"),
        "worst of set": ev.worst_set_rate if ev.worst_set_rate is not None
        else Unavailable("no certificate attempted (no pattern set, or T above 3)"),
        "PEPit": _pepit_cell(ev),
        **sandwich_cells(ev.certificate, ev.lower),
        "worst empirical": emp.worst_tail_rate,
        f"K({EPSILON:g}) bound": ev.iterations(ev.bound_rate),
        f"K({EPSILON:g}) Thm 2": _iterations2(ev),
        f"K({EPSILON:g}) cert": ev.iterations(ev.certified_rate, ev.certificate.transient)
        if ev.certified_rate is not None else Unavailable("no certified rate"),
        f"K({EPSILON:g}) exact": ev.iterations(ev.exact_rate),
        "largest age": emp.max_age,
        "tightest lemma": ev.smallest_lemma_slack[0], "lemma slack": ev.smallest_lemma_slack[1], "outcome": emp.outcome.name.lower(), "verdict": verdict,
    }


def _finite_or(value: float, reason: str):
    """The number, or :class:`Unavailable` with ``reason`` where it is infinite (a vacuous bound)."""
    return value if np.isfinite(value) else Unavailable(reason, "vacuous")


def _iterations2(ev: Evaluation) -> float:
    """K with C rho_2^K <= EPSILON for Theorem 2 (inf where vacuous)."""
    return ev.iterations(ev.bound2_rate, ev.bound2_transient**2) if np.isfinite(ev.bound2_rate) else float("inf")


def _certified_cell(ev: Evaluation):
    if ev.certificate is None:
        return Unavailable("no certificate attempted (no pattern set, or T above 3)")
    if not ev.certificate.certified:
        return Unavailable("no certificate below 1 was found and verified in float64", "not certified")
    return ev.certificate.rho


def _pepit_cell(ev: Evaluation):
    if ev.pepit is None:
        return Unavailable("PEPit not run (grid scenario, or no fixed pattern)")
    if ev.pepit.status is not Status.CONVERGED:
        return Unavailable(f"PEPit status {ev.pepit.status.name.lower()}")
    return ev.pepit.rate


def scenario_section(scenarios: list[Scenario], progress: Callable[[str], None] | None = None,
                     evaluations: Sequence[Evaluation] | None = None) -> tuple[Section, list[Evaluation]]:
    """The scenario table; ``evaluations`` (from :func:`scenario_task`, in any subset) or computed here."""
    sec = Section(
        "Scenarios: Theorem 1/1b bound, SDP certificate over the rule's pattern set, exact quadratic rate, "
        f"PEPit {PEPIT_STEPS}-step rate, worst measured rate (quadratic, logistic and Huber problems, 8 each, d = 10)",
        SCENARIO_COLUMNS, narrow=SCENARIO_NARROW,
        intro=[str(THEOREM_1), str(THEOREM_1B), str(THEOREM_2), "",
               "certified: verified in float64 (||x_k - x*|| <= sqrt(c) rho^k ||x_0 - x*|| for every rule whose "
               "per-step pattern lies in the set); 'worst of set': largest exact quadratic rate over the set; "
               f"K: iterations to reach {EPSILON:g} r_0 under each rate.", ""],
    )
    if evaluations is None:
        evaluations = []
        for i, sc in enumerate(scenarios, 1):
            if progress:
                progress(f"[{i}/{len(scenarios)}] scenario {sc.name}")
            evaluations.append(scenario_task(sc))
    evals = list(evaluations)
    for ev in evals:
        sc = ev.scenario
        sec.notes.extend(f"finding: {f}" for f in ev.findings)
        sec.rows.append(scenario_row(ev))
        sec.checks.extend(ev.checks)
        if sc.expect is not None:
            sec.checks.append(Check(f"{sc.name}: outcome", ev.empirical.outcome == sc.expect,
                                    f"expected {sc.expect.name.lower()}, got {ev.empirical.outcome.name.lower()} "
                                    f"{ev.empirical.counts}"))
    return sec, evals


def summary_section(evals: list[Evaluation], extra_rows: Sequence[dict] = ()) -> Section:
    """The headline sentences, with the figures computed from the evaluations (and ``extra_rows`` from other
    sections, placed before the findings line)."""
    sec = Section("Summary", ["statement", "figure"])
    sec.rows.extend(run_check_rows(evals))
    certs = [ev for ev in evals if ev.certificate is not None]
    certified = [ev for ev in certs if ev.certified_rate is not None]
    sec.rows.append({"statement": "certificates verified in float64 / attempted",
                     "figure": f"{len(certified)} / {len(certs)}"})
    sec.rows.extend(summary_rows([(ev.certificate, ev.lower) for ev in certs if ev.lower is not None]))
    grid = [ev for ev in evals if ev.scenario.stability_limit is not None]
    if grid:
        fractions = sorted({round(ev.scenario.alpha / ev.scenario.stability_limit, 3) for ev in grid
                            if not ev.scenario.name.endswith(("-thm", "-thm2"))})
        for f in fractions:
            at = [ev for ev in grid if not ev.scenario.name.endswith(("-thm", "-thm2"))
                  and round(ev.scenario.alpha / ev.scenario.stability_limit, 3) == f]
            vac = sum(not np.isfinite(ev.bound_rate) for ev in at)
            sec.rows.append({"statement": f"grid scenarios at {f:g} x the stability limit where Theorem 1/1b is vacuous",
                             "figure": f"{vac} of {len(at)}"})
        ratios = [ev.scenario.alpha / ev.scenario.stability_limit for ev in grid if np.isfinite(ev.bound_rate)]
        if ratios:
            sec.rows.append({"statement": "largest step with a non-vacuous Theorem 1/1b bound, as a fraction of the quadratic "
                                          "stability limit", "figure": f"{max(ratios):.3g}"})
    best = [ev for ev in grid if ev.scenario.name.endswith("-thm") and ev.certified_rate is not None]
    if best:
        # certificates' figures as intervals over their bisection's resolution, printed with the digits
        # every value in them shares (digits.py); iterations at the certified rate, transient left out
        factors = [digits.ratio(ev.iterations(ev.bound_rate), digits.certified_iterations(ev)) for ev in best]
        exact = [ev.iterations(ev.bound_rate) / ev.iterations(ev.exact_rate) for ev in best]
        sec.rows.append({"statement": "at the theorem's own best step, iterations it needs / at the certified rate "
                                      "(digits: docs/running.md)", "figure": digits.spread(factors)})
        sec.rows.append({"statement": "at the theorem's own best step, iterations it needs / exact quadratic",
                         "figure": f"median {np.median(exact):.3g}, range {min(exact):.3g} to {max(exact):.3g}"})
        fastest: dict[str, tuple[float, float]] = {}
        for ev in grid:
            if ev.certified_rate is not None:
                key = ev.scenario.name.rsplit("-", 1)[0]
                k = digits.certified_iterations(ev)
                old = fastest.get(key, (np.inf, np.inf))
                fastest[key] = (min(old[0], k[0]), min(old[1], k[1]))
        vs_best = [digits.ratio(ev.iterations(ev.bound_rate), fastest[ev.scenario.name.rsplit("-", 1)[0]])
                   for ev in best]
        sec.rows.append({"statement": "theorem at its best step / certified rate at the best certified grid step "
                                      "(iterations)", "figure": digits.spread(vs_best)})
    sec.rows.extend(theorem2_rows(evals))
    sec.rows.extend(extra_rows)
    findings = [f for ev in evals for f in ev.findings]
    sec.rows.append({"statement": "certificates worse than the theorem's bound (findings)", "figure": str(len(findings))})
    return sec



def run_check_rows(evals: list[Evaluation]) -> list[dict]:
    """Per theorem: run batches and runs its distance bound was checked on, with the declared and with the
    realized constants, how many held, and on how many runs it was vacuous, and why."""
    rows = []
    for theorem in THEOREM_RATES:
        parts, vacuous = [], []
        for source in ("declared", "realized"):
            rc = sum((ev.run_checks.get((theorem, source), RunChecks()) for ev in evals), RunChecks())
            held = rc.batches_checked - rc.batches_failed
            parts.append(f"{source}: held on {held} of {rc.batches_checked} batches checked ({rc.runs_checked} runs)")
            if rc.runs > rc.runs_checked:
                why = "; ".join(f"{n} {reason}" for reason, n in rc.vacuous)
                vacuous.append(f"{source}: vacuous on {rc.runs - rc.runs_checked} of {rc.runs} runs "
                               f"({rc.batches - rc.batches_checked} of {rc.batches} batches entirely): {why}")
        rows.append({"statement": f"Theorem {theorem} distance bound r_k <= C rho^k r_0 on every run, with the rule's "
                                  "declared and with the run's realized constants (a vacuous bound is not a check)",
                     "figure": "; ".join(parts + vacuous)})
    return rows


def search_task(name: str):
    """Run the counterexample search ``name`` (one of ``SEARCHES``; derandomized, so always the same)."""
    return {s.__name__: s for s in SEARCHES}[name]()


def counterexample_section(progress: Callable[[str], None] | None = None, found: Sequence | None = None) -> Section:
    """The counterexample table, from ``found`` (results of :func:`search_task`) or searching here."""
    sec = Section("Counterexamples outside the assumptions (hypothesis search, shrunk to minimal parameters)",
                  ["case", "what", "minimal parameters", "outcome", "broken assumptions"],
                  narrow=["case", "minimal parameters", "broken assumptions"])
    if found is None:
        found = []
        for i, search in enumerate(SEARCHES, 1):
            if progress:
                progress(f"[{i}/{len(SEARCHES)}] counterexample search {search.__name__}")
            found.append(search())
    for ce in found:
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in ce.parameters.items())
        sec.rows.append({"case": ce.label, "what": ce.title, "minimal parameters": params, "outcome": ce.outcome,
                         "broken assumptions": ", ".join(v.code for v in ce.broken)})
        sec.notes.extend(f"({ce.label}) {v.code}: {v.message}" for v in ce.broken)
        sec.checks.append(Check(f"counterexample {ce.label} names a broken assumption", bool(ce.broken),
                                "the example breaks no assumption: the theorem would be wrong"))
    return sec


OPTIMIZER_PAIRS = tuple((plain, memory) for memory, plain in PLAIN.items())


def optimizer_pair_task(names: tuple[str, ...]) -> list:
    """Comparison rows of ``names`` on the section's 16 quadratics (generated from seed 0 in every task)."""
    problems = make_quadratics(16, 10, 1.0, 10.0, rng=np.random.default_rng(0))
    return compare_optimizers(problems, list(names), steps=3000)


def optimizer_section(progress: Callable[[str], None] | None = None, rows: Sequence | None = None) -> Section:
    """Each memory-augmented ("_C") optimizer beside its plain version (issue 3's comparison).

    ``rows``: the results of :func:`optimizer_pair_task` over ``OPTIMIZER_PAIRS`` (computed here if None)."""
    if rows is None:
        if progress:
            progress("optimizer comparison")
        rows = [r for pair in OPTIMIZER_PAIRS for r in optimizer_pair_task(pair)]
    sec = Section(
        "Memory-augmented optimizers against their plain versions "
        "(16 quadratics, mu = 1, L = 10, d = 10, 3000 steps, each pair at the plain optimizer's default step)",
        ["optimizer", "alpha", "theorem covers it", "converged", "max_steps", "diverged",
         "iterations to 1e-8 r_0 (median)", "floor reached (median r/r_0)", "largest age"],
        narrow=["optimizer", "alpha", "theorem covers it", "converged", "diverged",
                "iterations to 1e-8 r_0 (median)"],
    )
    for row in rows:
        sec.rows.append({"optimizer": row.name, "alpha": row.alpha, "theorem covers it": row.covered,
                         "converged": row.converged, "max_steps": row.max_steps, "diverged": row.diverged,
                         "iterations to 1e-8 r_0 (median)": row.iterations, "floor reached (median r/r_0)": row.floor,
                         "largest age": row.max_age})
    sec.notes.append("Theorem 1 covers gradient descent on the combined direction (sgd_c); momentum, Adam, "
                     "RMSprop and Adagrad consume the direction through their own state and are not covered.")
    return sec


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
