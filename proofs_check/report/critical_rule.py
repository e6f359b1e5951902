r"""Report section: the critical rule's age bound and its provable / measured / diverging map.

Built from :func:`memgd.proofs_check.critical_rule.critical_map`; the statement and
proof are in ``docs/math/critical_rule_ages.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from memgd.proofs_check.critical_rule import CriticalMap, critical_map
from memgd.proofs_check.report.render import Check, Section

COLUMNS = ["aggregation", "decay", "ages bounded a priori", "largest alpha L with a priori ages (kappa 10)",
           "provable cells", "largest provable alpha L (kappa 10)",
           "largest provable alpha L (kappa 100)", "smallest provable T*", "converged", "decreasing", "diverged",
           "largest age measured"]


def _largest_provable(m: CriticalMap, g: int, j: int, kappa: float, *, ages_only: bool = False):
    p = m.provable
    k = np.flatnonzero(p.kappas == kappa)
    if k.size == 0:
        return None
    which = np.isfinite(p.age_bound) if ages_only else p.provable
    cells = which[g, :, j, :, k[0]].any(axis=0)          # over top_c
    return float(p.alpha_L[cells].max()) if cells.any() else None


def map_rows(m: CriticalMap) -> list[dict]:
    """One row per (aggregation, decay), counting cells over top_c, alpha L and kappa."""
    p, rows = m.provable, []
    n_cells = len(p.top_cs) * p.alpha_L.size * p.kappas.size
    for g, agg in enumerate(p.aggregations):
        for j, decay in enumerate(p.decays):
            prov = p.provable[g, :, j]
            meas = m.measured[g, :, j]
            rows.append({
                "aggregation": agg, "decay": float(decay),
                "ages bounded a priori": f"{int(np.isfinite(p.age_bound[g, :, j]).sum())} / {n_cells}",
                "largest alpha L with a priori ages (kappa 10)": _largest_provable(m, g, j, 10.0, ages_only=True),
                "provable cells": f"{int(prov.sum())} / {n_cells}",
                "largest provable alpha L (kappa 10)": _largest_provable(m, g, j, 10.0),
                "largest provable alpha L (kappa 100)": _largest_provable(m, g, j, 100.0),
                "smallest provable T*": int(p.age_bound[g, :, j][prov].min()) if prov.any() else None,
                "converged": int((meas == 0).sum()), "decreasing": int((meas == 1).sum()),
                "diverged": int((meas == 2).sum()), "largest age measured": int(m.largest_age[g, :, j].max()),
            })
    return rows


def map_checks(m: CriticalMap) -> list[Check]:
    """The claims of the map, checked on its runs."""
    c, p = m.checks, m.provable
    prov = p.provable
    return [
        Check("age theorem: ages <= T*(run's own floor) wherever floor > decay", c.age_violations == 0
              and c.age_hypothesis_held > 0,
              f"{c.age_hypothesis_held} of {c.runs} runs satisfy the hypothesis; {c.age_violations} violations"),
        Check("age theorem A' (transients): ages <= its bound wherever it is finite", c.transient_violations == 0
              and c.transient_held > 0,
              f"{c.transient_held} of {c.runs} runs have a finite bound; {c.transient_violations} violations"),
        Check("Theorem 1/1b with realized constants bounds the distances", c.distance_violations == 0,
              f"{c.distance_certified} of {c.runs} runs have a non-vacuous bound; {c.distance_violations} violations"),
        Check("a priori floor r_{k+1} >= r r_k on runs in provable cells", c.apriori_floor_violations == 0
              and c.apriori_runs > 0, f"{c.apriori_runs} runs; {c.apriori_floor_violations} violations"),
        Check("a priori ages <= T* on runs in provable cells", c.apriori_age_violations == 0,
              f"{c.apriori_runs} runs; {c.apriori_age_violations} violations"),
        Check("a priori distances <= rho(T*)^k r_0 on runs in provable cells", c.apriori_distance_violations == 0,
              f"{c.apriori_runs} runs; {c.apriori_distance_violations} violations"),
        Check("no provable cell diverged", c.provable_but_diverged == 0, f"{c.provable_but_diverged} cells"),
        Check("floor r <= proven rate rho in every provable cell (r_k >= r^k r_0 and r_k <= rho^k r_0)",
              bool(np.all(p.floor[prov] <= p.rate[prov])), f"{int(prov.sum())} provable cells"),
    ]


def map_notes(m: CriticalMap) -> list[str]:
    """Honest sentences: how large the provable region is, per aggregation, and where the rule diverged."""
    p, c = m.provable, m.checks
    notes = [f"checked on {c.runs} engine runs: the age theorem applied (own floor > decay) to "
             f"{c.age_hypothesis_held}, ages above T* in {c.age_violations} (largest age / T* at most "
             f"{c.largest_age_fraction:.3g}; in the {c.runs - c.age_hypothesis_held} other runs no age bound is claimed, "
             f"and ages reached {c.largest_age_unclaimed}); its transient-tolerant form A' bounds the ages of "
             f"{c.transient_held} runs, exceeded in {c.transient_violations}; Theorem 1/1b with realized constants "
             f"non-vacuous on {c.distance_certified}, violated on {c.distance_violations}; {c.apriori_runs} runs in "
             f"provable cells: floor violated {c.apriori_floor_violations}, ages above the a priori T* "
             f"{c.apriori_age_violations}, distances above rho(T*)^k r_0 {c.apriori_distance_violations}"]
    n_cells = p.provable[0].size
    for g, agg in enumerate(p.aggregations):
        div = m.measured[g] == 2
        where = sorted({float(a) for a in p.alpha_L[np.nonzero(div)[2]]})
        notes.append(f'"{agg}": provable in {int(p.provable[g].sum())} of {n_cells} cells, measured converged '
                     f'in {int((m.measured[g] == 0).sum())}, diverged in {int(div.sum())}'
                     + (f" (alpha L in {', '.join(f'{a:g}' for a in where)}; plain gradient descent converges "
                        "for every alpha L < 2)" if where else ""))
    j = int(np.argmax(p.decays))
    for k, kappa in enumerate(p.kappas):
        cells = p.provable[:, :, j, :, k].any(axis=(0, 1))
        notes.append(f"decay {p.decays[j]:g}, kappa {kappa:g}: " + (
            f"provable only up to alpha L = {float(p.alpha_L[cells].max()):g}" if cells.any()
            else "provable nowhere on the grid (no a priori floor above the decay, or Theorem 1/1b vacuous at T*)"))
    return notes


def critical_rule_section(progress: Callable[[str], None], **map_settings) -> Section:
    """The critical rule's map over (aggregation, decay) rows; ``map_settings`` go to :func:`critical_map`."""
    progress("critical rule: age bound and convergence map")
    m = critical_map(progress=progress, **map_settings)
    p = m.provable
    sec = Section(
        "The paper's critical rule: when its ages are bounded, and where it provably / measurably converges",
        COLUMNS,
        intro=[
            "Age theorem: if a run's distances satisfy r_{k+1} >= r_lo r_k with r_lo > decay, every used stored "
            "gradient has age <= T* = top_c + floor(ln kappa / ln(r_lo / decay)).",
            "A priori floor: any r in (decay, 1] with r <= 1 - alpha L max_m (|a(m)| + B(m) r^(-T*(r))) is a "
            "per-step floor of every run, so T*(r) bounds the ages a priori; 'provable' = then Theorem 1/1b with "
            "T = T* gives rho < 1.",
            f"Cells per row: top_c in {list(p.top_cs)} x alpha L in {[float(a) for a in p.alpha_L]} x kappa in "
            f"{[float(k) for k in p.kappas]} (mu = 1, aggregation scale 1, replacement 'smallest').  Measured: "
            f"{m.problems_per_cell} quadratics per cell (uniform and two-point spectra, d = 10), {m.steps} steps; "
            "converged = all reached 1e-6 r_0; diverged = some blew up or ended farther than it started; "
            "decreasing = the rest.",
            "Statement and proof: docs/math/critical_rule_ages.md.", ""],
    )
    sec.rows.extend(map_rows(m))
    sec.checks.extend(map_checks(m))
    sec.notes.extend(map_notes(m))
    return sec
