"""The report's property section: ``verify_rule`` on the built-in rules, screen and hypothesis.

One task per rule pair (:func:`property_task`): :func:`memgd.proofs_check.verify_rule` with its
defaults (10,000 screened examples in batched runs, then 50 hypothesis examples, the same checks
through :func:`memgd.proofs_check.properties.judge.judge`), in the task's own process
(``workers=1``: the report's campaign already spreads the tasks over the cores).  A check per pair:
no bound failed on any screened or hypothesis example, and some bound was actually checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from memgd.proofs_check.properties.verify_rule import RuleViolation, verify_rule
from memgd.proofs_check.report.render import Check, Section
from memgd.solvers import (
    Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset, RandomWeights,
)

#: name -> (selection, combination): bounded ages (a priori and a posteriori checks), signed and
#: nonnegative weights (Theorem 2 where admitted), random selection and weights, the paper's rule
PAIRS = {
    "Fifo(2) + FixedWeights(1, (0.3, -0.2))": (Fifo(2), FixedWeights(1.0, (0.3, -0.2))),
    "KeepOldest(2, max_age=3) + mid": (KeepOldest(2, max_age=3), Aggregation("mid")),
    "RandomSubset(3, 2) + RandomWeights": (RandomSubset(3, 2), RandomWeights((0.5, 1.0), (-0.1, 0.3))),
    "CriticalGradients(3, 0.7) + sum": (CriticalGradients(3, 0.7), Aggregation("sum")),
}
COLUMNS = ["rule", "screened", "hypothesis examples", "a priori checked", "a posteriori checked",
           "Theorem 2 checked", "smallest slack", "result"]


def property_task(name: str) -> dict:
    """verify_rule on the pair ``name`` of :data:`PAIRS`: its report's figures, or the violation found."""
    selection, combination = PAIRS[name]
    try:
        r = verify_rule(selection, combination, workers=1)
    except RuleViolation as violation:
        return dict(name=name, violation=str(violation))
    return dict(name=name, screened=r.screened, examples=r.examples,
                a_priori=r.a_priori_checked + r.screened_a_priori_checked,
                a_posteriori=r.a_posteriori_checked + r.screened_a_posteriori_checked,
                theorem_2=r.theorem_2_checked + r.screened_theorem_2_checked, smallest_slack=r.smallest_slack,
                screen=r.screen)


def properties_section(progress: Callable[[str], None] | None = None, found: Sequence | None = None) -> Section:
    """The property table, from ``found`` (results of :func:`property_task`) or computing them here."""
    if found is None:
        found = []
        for i, name in enumerate(PAIRS, 1):
            if progress:
                progress(f"[{i}/{len(PAIRS)}] verify_rule {name}")
            found.append(property_task(name))
    sec = Section("verify_rule on the built-in rules (10,000 screened examples, then 50 hypothesis examples each)",
                  COLUMNS, intro=[
                      "Each pair is checked as a user's rule would be (memgd.proofs_check.verify_rule): Theorems 1/1b "
                      "and, for nonnegative weights, 2 at every iterate, with the declared constants (bounded ages) "
                      "and the constants measured on the run; the screen runs its examples in batched runs judged by "
                      "the same function as hypothesis's examples.", ""])
    for r in found:
        if "violation" in r:
            sec.rows.append(dict(zip(COLUMNS, [r["name"], "", "", "", "", "", "", "VIOLATION"])))
            sec.checks.append(Check(f"verify_rule {r['name']}: no bound fails", False, r["violation"][:500]))
            continue
        sec.rows.append(dict(zip(COLUMNS, [r["name"], r["screened"], r["examples"], r["a_priori"], r["a_posteriori"],
                                           r["theorem_2"], r["smallest_slack"], "held"])))
        checked = r["a_priori"] + r["a_posteriori"]
        sec.checks.append(Check(f"verify_rule {r['name']}: no bound fails on {r['screened']} screened and "
                                f"{r['examples']} hypothesis examples", checked > 0 and r["smallest_slack"] >= 0,
                                f"bounds checked on {checked} example checks; smallest slack "
                                f"{r['smallest_slack']:.3g}; {r['screen']}"))
    return sec
