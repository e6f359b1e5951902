"""Assemble the main report (``python -m proofs_check``) from per-scenario evaluations."""

from __future__ import annotations

import sys
from collections.abc import Callable

from proofs_check.counterexamples import SEARCHES
from proofs_check.evaluate import EPSILON, Evaluation, evaluate
from proofs_check.report import Check, Section
from proofs_check.scenarios import Scenario
from solvers import Status
from theory import THEOREM_1, THEOREM_1B

SCENARIO_COLUMNS = ["scenario", "alpha", "T", "bound", "from", "exact quad", "worst empirical",
                    f"K({EPSILON:g}) bound", f"K({EPSILON:g}) exact", "largest age", "lemma slack", "outcome", "verdict"]


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
        "exact quad": ev.exact_rate, "worst empirical": emp.worst_tail_rate,
        f"K({EPSILON:g}) bound": ev.iterations(ev.bound_rate), f"K({EPSILON:g}) exact": ev.iterations(ev.exact_rate),
        "largest age": emp.max_age,
        "lemma slack": "{} {:.1e}".format(*ev.smallest_lemma_slack), "outcome": emp.outcome.name.lower(), "verdict": verdict,
    }


def scenario_section(scenarios: list[Scenario], progress: Callable[[str], None]) -> Section:
    sec = Section(
        "Scenarios: Theorem 1/1b bound, exact quadratic rate, worst measured rate "
        "(quadratic, logistic and Huber problems, 8 each, d = 10)",
        SCENARIO_COLUMNS,
        intro=[str(THEOREM_1), str(THEOREM_1B), ""],
    )
    for i, sc in enumerate(scenarios, 1):
        progress(f"[{i}/{len(scenarios)}] scenario {sc.name}")
        ev = evaluate(sc)
        sec.rows.append(scenario_row(ev))
        sec.checks.extend(ev.checks)
        if sc.expect is not None:
            sec.checks.append(Check(f"{sc.name}: outcome", ev.empirical.outcome == sc.expect,
                                    f"expected {sc.expect.name.lower()}, got {ev.empirical.outcome.name.lower()} "
                                    f"{ev.empirical.counts}"))
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


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
