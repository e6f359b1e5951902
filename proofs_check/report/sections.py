"""Assemble the main report (``python -m memgd.proofs_check``) from per-scenario evaluations."""

from __future__ import annotations

import sys
from collections.abc import Callable

from memgd.proofs_check.properties.counterexamples import SEARCHES
from memgd.proofs_check.report.evaluate import EPSILON, Evaluation, evaluate
from memgd.proofs_check.report.render import Check, Section
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
                    "largest age", "lemma slack", "outcome", "verdict"]
PEPIT_STEPS = 10


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
        "bound": ev.bound_rate, "from": f"Thm {ev.bound_theorem}, {ev.bound_source}"
        if ev.bound_theorem != "none" else f"vacuous, {ev.bound_source}",
        "Thm 2": ev.bound2_rate,
        "certified": _certified_cell(ev), "exact quad": ev.exact_rate, "worst of set": ev.worst_set_rate,
        "PEPit": ev.pepit.rate if ev.pepit is not None and ev.pepit.status is Status.CONVERGED else None,
        **sandwich_cells(ev.certificate, ev.lower),
        "worst empirical": emp.worst_tail_rate,
        f"K({EPSILON:g}) bound": ev.iterations(ev.bound_rate),
        f"K({EPSILON:g}) Thm 2": _iterations2(ev),
        f"K({EPSILON:g}) cert": ev.iterations(ev.certified_rate, ev.certificate.transient)
        if ev.certified_rate is not None else None,
        f"K({EPSILON:g}) exact": ev.iterations(ev.exact_rate),
        "largest age": emp.max_age,
        "lemma slack": "{} {:.1e}".format(*ev.smallest_lemma_slack), "outcome": emp.outcome.name.lower(), "verdict": verdict,
    }


def _iterations2(ev: Evaluation) -> float:
    """K with C rho_2^K <= EPSILON for Theorem 2 (inf where vacuous)."""
    return ev.iterations(ev.bound2_rate, ev.bound2_transient**2) if np.isfinite(ev.bound2_rate) else float("inf")


def _certified_cell(ev: Evaluation):
    if ev.certificate is None:
        return None
    return ev.certificate.rho if ev.certificate.certified else "not certified"


def scenario_section(scenarios: list[Scenario], progress: Callable[[str], None]) -> tuple[Section, list[Evaluation]]:
    sec = Section(
        "Scenarios: Theorem 1/1b bound, SDP certificate over the rule's pattern set, exact quadratic rate, "
        f"PEPit {PEPIT_STEPS}-step rate, worst measured rate (quadratic, logistic and Huber problems, 8 each, d = 10)",
        SCENARIO_COLUMNS,
        intro=[str(THEOREM_1), str(THEOREM_1B), str(THEOREM_2), "",
               "certified: verified in float64 (||x_k - x*|| <= sqrt(c) rho^k ||x_0 - x*|| for every rule whose "
               "per-step pattern lies in the set); 'worst of set': largest exact quadratic rate over the set; "
               f"K: iterations to reach {EPSILON:g} r_0 under each rate.", ""],
    )
    evals = []
    for i, sc in enumerate(scenarios, 1):
        progress(f"[{i}/{len(scenarios)}] scenario {sc.name}")
        ev = evaluate(sc, pepit_steps=PEPIT_STEPS if sc.expect is not None else None)
        evals.append(ev)
        sec.notes.extend(f"finding: {f}" for f in ev.findings)
        sec.rows.append(scenario_row(ev))
        sec.checks.extend(ev.checks)
        if sc.expect is not None:
            sec.checks.append(Check(f"{sc.name}: outcome", ev.empirical.outcome == sc.expect,
                                    f"expected {sc.expect.name.lower()}, got {ev.empirical.outcome.name.lower()} "
                                    f"{ev.empirical.counts}"))
    lb = [ev.lower.seconds for ev in evals if ev.lower is not None]
    if lb:
        sec.notes.append(f"lower bounds (quadratic, switching, PEPit) of {len(lb)} pattern sets took {sum(lb):.0f} s "
                         "of the scenario loop")
    return sec, evals


def summary_section(evals: list[Evaluation]) -> Section:
    """The headline sentences, with the figures computed from the evaluations."""
    sec = Section("Summary", ["statement", "figure"])
    bound_checks = [c for ev in evals for c in ev.checks if "a posteriori bound" in c.name]
    runs = [r for ev in evals for r in ev.bound_runs.values()]
    sec.rows.append({"statement": "Theorem 1/1b distance bound held on every run batch where it applies "
                                  "(rho < 1 on a run's realized constants; a vacuous bound is not counted)",
                     "figure": f"{sum(c.passed for c in bound_checks)} of {len(bound_checks)} run batches "
                               f"({sum(a for a, _ in runs)} runs); vacuous on all runs of "
                               f"{sum(a == 0 for a, _ in runs)} of {len(runs)} batches"})
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
        factors = [ev.iterations(ev.bound_rate) / ev.iterations(ev.certified_rate, ev.certificate.transient)
                   for ev in best]
        exact = [ev.iterations(ev.bound_rate) / ev.iterations(ev.exact_rate) for ev in best]
        sec.rows.append({"statement": "at the theorem's own best step, iterations it needs / the certificate's",
                         "figure": f"median {np.median(factors):.3g}, range {min(factors):.3g} to {max(factors):.3g}"})
        sec.rows.append({"statement": "at the theorem's own best step, iterations it needs / exact quadratic",
                         "figure": f"median {np.median(exact):.3g}, range {min(exact):.3g} to {max(exact):.3g}"})
        fastest = {}
        for ev in grid:
            if ev.certified_rate is not None:
                key = ev.scenario.name.rsplit("-", 1)[0]
                k = ev.iterations(ev.certified_rate, ev.certificate.transient)
                fastest[key] = min(fastest.get(key, np.inf), k)
        vs_best = [ev.iterations(ev.bound_rate) / fastest[ev.scenario.name.rsplit("-", 1)[0]] for ev in best]
        sec.rows.append({"statement": "theorem at its best step / certificate at the best certified grid step",
                         "figure": f"median {np.median(vs_best):.3g}, range {min(vs_best):.3g} to {max(vs_best):.3g}"})
    sec.rows.extend(theorem2_rows(evals))
    findings = [f for ev in evals for f in ev.findings]
    sec.rows.append({"statement": "certificates worse than the theorem's bound (findings)", "figure": str(len(findings))})
    return sec



def counterexample_section(progress: Callable[[str], None]) -> Section:
    sec = Section("Counterexamples outside the assumptions (hypothesis search, shrunk to minimal parameters)",
                  ["case", "what", "minimal parameters", "outcome", "broken assumptions"])
    for i, search in enumerate(SEARCHES, 1):
        progress(f"[{i}/{len(SEARCHES)}] counterexample search {search.__name__}")
        ce = search()
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in ce.parameters.items())
        sec.rows.append({"case": ce.label, "what": ce.title, "minimal parameters": params, "outcome": ce.outcome,
                         "broken assumptions": ", ".join(v.code for v in ce.broken)})
        sec.notes.extend(f"({ce.label}) {v.code}: {v.message}" for v in ce.broken)
        sec.checks.append(Check(f"counterexample {ce.label} names a broken assumption", bool(ce.broken),
                                "the example breaks no assumption: the theorem would be wrong"))
    return sec


def optimizer_section(progress: Callable[[str], None]) -> Section:
    """Each memory-augmented ("_C") optimizer beside its plain version (issue 3's comparison)."""
    progress("optimizer comparison")
    problems = make_quadratics(16, 10, 1.0, 10.0, rng=np.random.default_rng(0))
    names = [n for pair in PLAIN.items() for n in (pair[1], pair[0])]
    sec = Section(
        "Memory-augmented optimizers against their plain versions "
        "(16 quadratics, mu = 1, L = 10, d = 10, 3000 steps, each pair at the plain optimizer's default step)",
        ["optimizer", "alpha", "theorem covers it", "converged", "max_steps", "diverged",
         "iterations to 1e-8 r_0 (median)", "floor reached (median r/r_0)", "largest age"],
    )
    for row in compare_optimizers(problems, names, steps=3000):
        sec.rows.append({"optimizer": row.name, "alpha": row.alpha, "theorem covers it": row.covered,
                         "converged": row.converged, "max_steps": row.max_steps, "diverged": row.diverged,
                         "iterations to 1e-8 r_0 (median)": row.iterations, "floor reached (median r/r_0)": row.floor,
                         "largest age": row.max_age})
    sec.notes.append("Theorem 1 covers gradient descent on the combined direction (sgd_c); momentum, Adam, "
                     "RMSprop and Adagrad consume the direction through their own state and are not covered.")
    return sec


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
