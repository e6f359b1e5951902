"""Assemble the main report (``python -m proofs_check``) from the scenario checks."""

from __future__ import annotations

import sys
from collections.abc import Callable

from proofs_check.empirical import run_scenario
from proofs_check.report import Check, Section
from proofs_check.scenarios import Scenario


def empirical_section(scenarios: list[Scenario], progress: Callable[[str], None]) -> Section:
    sec = Section(
        "Empirical rates on generated problems (quadratic, logistic, Huber; 8 each, d = 10)",
        ["scenario", "alpha", "worst rate", "worst envelope", "largest age", "outcome", "expected", "note"],
    )
    for i, sc in enumerate(scenarios, 1):
        progress(f"[{i}/{len(scenarios)}] {sc.name}: running")
        emp = run_scenario(sc)
        sec.rows.append({
            "scenario": sc.name, "alpha": sc.alpha, "worst rate": emp.worst_tail_rate,
            "worst envelope": emp.worst_envelope_rate, "largest age": emp.max_age,
            "outcome": emp.outcome.name.lower(), "expected": sc.expect.name.lower(), "note": sc.note,
        })
        sec.checks.append(Check(
            f"{sc.name}: outcome", emp.outcome == sc.expect,
            f"expected {sc.expect.name.lower()}, got {emp.outcome.name.lower()} {emp.counts}",
        ))
    return sec


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
