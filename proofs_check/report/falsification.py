r"""Report section: each registered claim searched for a counterexample (:mod:`memgd.proofs_check.falsification`).

One campaign task per claim (:func:`falsification_task`), in the ``long`` profile (``short`` under
``--quick``).  A row per claim: settings tried per oracle, settings where the claim said nothing,
the smallest slack found (in the claim's unit: iteration-count ratio minus 1 for rates, steps for
ages), the oracle and the setting where it was found; every verdict of the search is a check.  The
seconds each search took are in the report's metadata (per section), not in its rows, so the rows
are identical whatever the backend.
"""

from __future__ import annotations

from collections.abc import Sequence

from memgd.proofs_check.falsification import REGISTRY, FalsificationResult, falsify
from memgd.proofs_check.report.render import Check, Section, Unavailable

COLUMNS = ["claim", "profile", "settings tried", "vacuous", "smallest slack", "oracle", "where", "verdicts"]
NARROW = ["claim", "settings tried", "smallest slack", "oracle", "verdicts"]


def falsification_task(name: str, profile: str) -> FalsificationResult:
    """Search the registered claim ``name`` (a campaign task; deterministic: seeded, derandomized)."""
    return falsify(name, profile)


def claim_names() -> list[str]:
    return list(REGISTRY)


def falsification_section(results: Sequence[FalsificationResult]) -> Section:
    sec = Section(
        "Falsification: each theorem and each check's claim searched for a counterexample over its declared domain",
        COLUMNS, narrow=NARROW,
        intro=["kappa in [1, 1e4] (near 1 included), ages up to 64, steps up to each theorem's own edge, every sign "
               "of weight a theorem admits (and one it does not, which must be refused).",
               "Oracles: exact quadratic rates (a grid of h, the worst settings refined), switching words, PEPit "
               "(long profile), greedy adversarial runs checked by the report's own run comparison, the proof's "
               "extremal runs for the age theorems, known answers for the checks.",
               "Slack >= 0 means the claim survived the setting; for rates it is (iterations the claim needs) / "
               "(iterations the witness needs) - 1, for ages T* minus the largest age (steps).  Verdicts: no "
               "counterexample beyond the oracle's numerical error, attained where the mathematics says it is "
               "tight, refusals, the advertised edge.", ""])
    for r in results:
        low = r.overall
        sec.rows.append({
            "claim": r.claim, "profile": r.profile,
            "settings tried": ", ".join(f"{o} {n}" for o, n in r.tried.items()),
            "vacuous": ", ".join(f"{o} {n}" for o, n in r.vacuous.items() if n) or "0",
            "smallest slack": low.slack if low is not None else Unavailable("no setting evaluated"),
            "oracle": low.oracle if low is not None else "-", "where": low.where if low is not None else "-",
            "verdicts": f"{len(r.verdicts) - len(r.failed)} of {len(r.verdicts)} passed"})
        sec.notes.extend(f"{r.claim}, {w.oracle}: smallest slack {w.slack:.4g} at {w.where}"
                         for w in r.smallest.values())
        sec.notes.extend(f"{r.claim}: {n}" for n in r.notes)
        sec.checks.extend(Check(f"falsification: {v.name}", v.passed, v.detail) for v in r.verdicts)
    return sec
