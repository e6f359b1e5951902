r"""What the reference code's two buffer oddities change: documented rule against the reference.

The paper's reference implementation departs from its description in two ways
(docs/math/critical_rule.md, oddities 10 and 11; :mod:`memgd.solvers.optimizers`):

10. its priority list is trimmed after ``heapify`` and never re-heapified, so the
    critical test compares :math:`\|g_k\|` with list position 0, not the smallest
    priority, and ``min`` aggregations pick position 0;
11. kappa rescales the picked stored gradient *in place*, so a gradient picked m
    times enters the direction as :math:`\kappa^m g_b`: with :math:`\kappa > 1` the
    memory term explodes, with :math:`\kappa < 1` it vanishes.

For each setting (decay, topC, kappa, aggregation) the same problems (quadratics
and tilted logistic problems, mu = 1, L = 10) run gradient descent on the direction
twice from the same starts: with the documented pieces
(:class:`~memgd.solvers.CriticalGradients`, :class:`~memgd.solvers.Aggregation`) and
with the reference's (:class:`~memgd.solvers.ReferenceCriticalGradients`,
:class:`~memgd.solvers.ReferenceAggregation`).  Measured: outcome counts, median
tail rate, largest age used, the fraction of gradients the buffer stored (the
critical test's acceptance), and for picking aggregations the range of the weight
the picked stored gradient carried (:math:`\kappa` in the documented rule,
:math:`\kappa^m` in the reference).  Weight decay is 0, so the other oddities
(weight decay placement, kappa = 0) do not enter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.report.empirical import make_problems
from memgd.proofs_check.report.render import Check, Section
from memgd.solvers import (
    Aggregation, CriticalGradients, ReferenceAggregation, ReferenceCriticalGradients, RunResult, Status, run,
    tail_rate,
)

MODES = ("documented", "reference")
FAMILIES = ("quadratic", "logistic")
PICKING = ("min", "median", "max", "min-mean", "median-mean", "max-mean")


@dataclass(frozen=True)
class OddityGrid:
    """Measurements over settings; arrays are indexed [mode, setting] (mode 0 documented, 1 reference)."""

    settings: tuple[dict, ...]   # decay, top_c, kappa, aggregation
    alpha: float
    steps: int
    n_runs: int                  # problems per setting (both families)
    converged: np.ndarray        # (2, S) int
    diverged: np.ndarray         # (2, S) int
    rate: np.ndarray             # (2, S) median tail rate over runs that did not diverge (NaN if none)
    largest_age: np.ndarray      # (2, S) int
    stored: np.ndarray           # (2, S) fraction of gradients (after the buffer filled) the buffer stored
    weight_lo: np.ndarray        # (2, S) smallest weight of the picked stored gradient (NaN: not a picking aggregation)
    weight_hi: np.ndarray        # (2, S) largest such weight
    differs: np.ndarray          # (S,) int: runs whose two iterate sequences differ by > 1e-9 relative
    control_gap: float           # largest relative iterate gap of the control (critical test off, "sum", kappa 1)


def default_settings(*, decays=(0.7, 0.9, 0.99), top_cs=(3, 10), kappas=(0.5, 1.0, 2.0),
                     aggregations=("sum", "mean", "min", "median", "max")) -> tuple[dict, ...]:
    """The grid: every (aggregation, kappa, top_c, decay)."""
    return tuple(dict(decay=dc, top_c=tc, kappa=kp, aggregation=ag)
                 for ag in aggregations for kp in kappas for tc in top_cs for dc in decays)


def _pieces(setting: dict, mode: str, *, critical_test: bool = True):
    top_c, decay, agg, kappa = setting["top_c"], setting["decay"], setting["aggregation"], setting["kappa"]
    if mode == "documented":
        return CriticalGradients(top_c, decay, critical_test), Aggregation(agg, kappa)
    return ReferenceCriticalGradients(top_c, decay, critical_test), ReferenceAggregation(agg, kappa)


def _stored_fraction(res: RunResult, top_c: int) -> float:
    """Fraction of the gradients g_k (k >= top_c, while running) found in the buffer at step k + 1."""
    ages = res.trace.slot_ages  # (K, n, S), age at step k before insertion
    fresh = (ages[top_c + 1:] == 1).any(axis=2)  # g_{k-1} stored, for k - 1 >= top_c
    ran = np.arange(top_c + 1, ages.shape[0])[:, None] < res.nit[None, :]
    return float(fresh[ran].mean()) if ran.any() else float("nan")


def _picked_weights(res: RunResult, aggregation: str) -> tuple[float, float]:
    """Range over steps k >= 1 of the picked gradient's weight, recovered from s_k = a + b."""
    if aggregation not in PICKING:
        return float("nan"), float("nan")
    s = res.s[1:]
    ran = np.arange(1, res.s.shape[0])[:, None] < res.nit[None, :]
    w = (2.0 * s - 1.0) if aggregation.endswith("-mean") else (s - 1.0)
    w = w[ran & np.isfinite(w)]
    return (float(np.abs(w).min()), float(np.abs(w).max())) if w.size else (float("nan"), float("nan"))


def oddity_grid(*, settings: tuple[dict, ...] | None = None, alpha: float = 0.02, steps: int = 600, n: int = 4,
                d: int = 10, seed: int = 0, progress: Callable[[str], None] | None = None) -> OddityGrid:
    """Run every setting in both modes on the same problems and starts (module doc)."""
    settings = default_settings() if settings is None else tuple(settings)
    rng = np.random.default_rng(seed)
    batches = {f: make_problems(f, 1.0, 10.0, n, d, rng) for f in FAMILIES}
    starts = {f: batches[f].start_points(rng) for f in FAMILIES}
    S = len(settings)
    conv, div, largest = (np.zeros((2, S), int) for _ in range(3))
    rate, stored, w_lo, w_hi = (np.full((2, S), np.nan) for _ in range(4))
    differs = np.zeros(S, int)
    for j, setting in enumerate(settings):
        if progress is not None and j % 10 == 0:
            progress(f"reference oddities: setting {j + 1}/{S}")
        iterates = {}
        for m, mode in enumerate(MODES):
            results = []
            for f in FAMILIES:
                selection, combination = _pieces(setting, mode)
                results.append(run(batches[f], selection, combination, alpha, steps, x0=starts[f], tol=1e-10,
                                   trace=True))
            status = np.concatenate([r.status for r in results])
            conv[m, j] = int(np.sum(status == Status.CONVERGED))
            div[m, j] = int(np.sum(status == Status.DIVERGED))
            rates = np.concatenate([tail_rate(r.distances) for r in results])
            rates = rates[(status != Status.DIVERGED) & np.isfinite(rates)]
            rate[m, j] = float(np.median(rates)) if rates.size else np.nan
            largest[m, j] = max(int(r.constants.T.max()) for r in results)
            fractions = [_stored_fraction(r, setting["top_c"]) for r in results]
            stored[m, j] = float(np.nanmean(fractions)) if np.isfinite(fractions).any() else np.nan
            ranges = [_picked_weights(r, setting["aggregation"]) for r in results]
            lows, highs = [lo for lo, _ in ranges if np.isfinite(lo)], [hi for _, hi in ranges if np.isfinite(hi)]
            w_lo[m, j] = min(lows) if lows else np.nan
            w_hi[m, j] = max(highs) if highs else np.nan
            iterates[mode] = [r.trace.iterates for r in results]
        for a, b in zip(iterates["documented"], iterates["reference"]):
            with np.errstate(invalid="ignore"):
                gap = np.linalg.norm(a - b, axis=2) / np.maximum(1.0, np.linalg.norm(a, axis=2))
            differs[j] += int(np.sum(np.any(gap > 1e-9, axis=0) | np.any(np.isnan(a) != np.isnan(b), axis=(0, 2))))
    control = dict(decay=0.9, top_c=5, kappa=1.0, aggregation="sum")
    runs = [run(batches["quadratic"], *_pieces(control, mode, critical_test=False), alpha, steps,
                x0=starts["quadratic"], tol=0.0).x for mode in MODES]
    control_gap = float(np.max(np.linalg.norm(runs[0] - runs[1], axis=1) / np.maximum(1.0, np.linalg.norm(runs[0], axis=1))))
    return OddityGrid(settings, alpha, steps, n * len(FAMILIES), conv, div, rate, largest, stored, w_lo, w_hi,
                      differs, control_gap)


COLUMNS = ["aggregation", "kappa", "topC", "decay", "runs differing", "conv doc/ref", "div doc/ref",
           "rate doc", "rate ref", "largest age doc/ref", "stored doc", "stored ref", "picked weight doc",
           "picked weight ref"]


def _pair(values: np.ndarray, j: int) -> str:
    return f"{values[0, j]}/{values[1, j]}"


def _weights(grid: OddityGrid, m: int, j: int) -> str | None:
    lo, hi = grid.weight_lo[m, j], grid.weight_hi[m, j]
    return None if np.isnan(lo) else f"{lo:.3g}..{hi:.3g}"


def reference_section(progress: Callable[[str], None], *, grid: OddityGrid | None = None) -> Section:
    """The report section: documented rule against the reference's behaviour, per setting, with checks."""
    progress("reference oddities: documented rule against the reference code's buffer")
    grid = oddity_grid(progress=progress) if grid is None else grid
    sec = Section(
        f"What the reference code's buffer oddities change (SGD_C on {grid.n_runs} problems per setting, "
        f"mu = 1, L = 10, alpha = {grid.alpha:g}, {grid.steps} steps, critical test on)",
        COLUMNS,
        intro=["Oddity 10: the reference trims its heap list to the last topC entries and never re-heapifies, "
               "so its critical test and 'min' read list position 0, not the smallest priority. Oddity 11: "
               "kappa rescales the picked stored gradient in place, so it enters as kappa^m after m picks. "
               "'stored' = fraction of gradients kept by the critical test once the buffer is full; "
               "'picked weight' = range of the weight the picked stored gradient carried."],
    )
    for j, st in enumerate(grid.settings):
        sec.rows.append({
            "aggregation": st["aggregation"], "kappa": st["kappa"], "topC": st["top_c"], "decay": st["decay"],
            "runs differing": f"{grid.differs[j]}/{grid.n_runs}", "conv doc/ref": _pair(grid.converged, j),
            "div doc/ref": _pair(grid.diverged, j), "rate doc": grid.rate[0, j], "rate ref": grid.rate[1, j],
            "largest age doc/ref": _pair(grid.largest_age, j), "stored doc": grid.stored[0, j],
            "stored ref": grid.stored[1, j], "picked weight doc": _weights(grid, 0, j),
            "picked weight ref": _weights(grid, 1, j),
        })
    sec.checks.extend(oddity_checks(grid))
    sec.notes.extend(summary_notes(grid))
    return sec


def oddity_checks(grid: OddityGrid) -> list[Check]:
    """What the mechanisms imply, checked on the measurements (each could fail)."""
    checks = [Check("control: with the critical test off and aggregation 'sum', kappa = 1, the two modes give the "
                    "same iterates (the list order then matters to nothing)", grid.control_gap <= 1e-12,
                    f"largest relative gap {grid.control_gap:.2e}")]
    doc_pick = [j for j, s in enumerate(grid.settings) if s["aggregation"] in PICKING and s["kappa"] != 1.0]
    if doc_pick:
        exact = all(np.isnan(grid.weight_lo[0, j]) or
                    (np.isclose(grid.weight_lo[0, j], abs(grid.settings[j]["kappa"]), rtol=1e-12, atol=0)
                     and np.isclose(grid.weight_hi[0, j], abs(grid.settings[j]["kappa"]), rtol=1e-12, atol=0))
                    for j in doc_pick)
        checks.append(Check("documented rule: the picked gradient always carries weight kappa", exact,
                            "a documented-rule pick carried a weight other than kappa"))
        powers, compounding = True, set()
        for j in doc_pick:
            kappa = abs(grid.settings[j]["kappa"])
            for w in (grid.weight_lo[1, j], grid.weight_hi[1, j]):
                if not np.isfinite(w) or w == 0.0:  # no pick, or kappa^m underflowed to 0
                    continue
                m = np.log(w) / np.log(kappa)
                powers &= bool(abs(m - round(m)) < 1e-9 and round(m) >= 1)
                if round(m) >= 2:
                    compounding.add(grid.settings[j]["kappa"])
        checks.append(Check("reference: every picked weight is kappa^m with m >= 1 (the in-place rescaling)", powers,
                            "a reference pick carried a weight that is not a power of kappa"))
        wanted = {grid.settings[j]["kappa"] for j in doc_pick}
        checks.append(Check("reference: the picked weight compounds (some kappa^m with m >= 2) for every kappa != 1",
                            compounding == wanted, f"compounding seen for kappa in {sorted(compounding)} only"))
    return checks


def summary_notes(grid: OddityGrid) -> list[str]:
    """Plain-language conclusions for a user of the paper's optimizers."""
    s = grid.settings
    n_set = len(s)
    changed = int(np.sum(grid.differs > 0))
    outcome = [j for j in range(n_set) if (grid.diverged[0, j] > 0) != (grid.diverged[1, j] > 0)]
    notes = [f"{changed} of {n_set} settings give different iterates in the two modes; in {len(outcome)} the "
             "outcome (some run diverging or not) changes."]
    k1 = [j for j in range(n_set) if s[j]["kappa"] == 1.0]
    if k1:
        moved = [j for j in k1 if grid.differs[j] > 0]
        gap = np.nanmax(np.abs(grid.rate[0, moved] - grid.rate[1, moved])) if moved else 0.0
        flips = sum(1 for j in k1 if (grid.diverged[0, j] > 0) != (grid.diverged[1, j] > 0))
        notes.append(f"kappa = 1 (only oddity 10 acts): {len(moved)} of {len(k1)} settings change (at high decay "
                     f"or with 'min'); median rates move by at most {gap:.2g}; the outcome changes in {flips}.")
    vanish = [j for j in range(n_set) if s[j]["kappa"] < 1.0 and s[j]["aggregation"] in PICKING
              and grid.weight_lo[1, j] < 1e-6]
    if vanish:
        notes.append(f"kappa < 1 with picking aggregations: in {len(vanish)} settings the reference's picked weight "
                     "fell below 1e-6 (kappa^m vanishing: at high decay new gradients stop beating the stored "
                     "priorities, the buffer freezes and the same gradient is picked again and again), so the method "
                     "degenerates to plain gradient descent (rate 1 - alpha mu).")
    picks = [j for j in range(n_set) if s[j]["aggregation"] in PICKING and s[j]["kappa"] != 1.0]
    if picks:
        hi = np.nanmax(grid.weight_hi[1, picks])
        lo = np.nanmin(grid.weight_lo[1, picks])
        notes.append(f"picking aggregations with kappa != 1 (oddity 11): the reference's picked gradient carried "
                     f"weights from {lo:.3g} to {hi:.3g} (documented: kappa itself). Results of SGD_C / SGDM_C with "
                     "min/median/max aggregations and kappa != 1 depend on this behaviour; 'sum' and 'mean' with "
                     "kappa = 1 (the defaults) only through oddity 10.")
    return notes


FIGURE_DECAYS = (0.5, 0.7, 0.9, 0.95, 0.99)


def oddity_figure_data(*, decays=FIGURE_DECAYS, top_c: int = 5, kappas=(0.5, 1.0, 2.0),
                       aggregations=("sum", "min", "max"), n: int = 4, steps: int = 600, seed: int = 0) -> OddityGrid:
    """The figure's grid: every (aggregation, kappa, decay) at one top_c (figure ``reference_oddities``)."""
    settings = default_settings(decays=decays, top_cs=(top_c,), kappas=kappas, aggregations=aggregations)
    return oddity_grid(settings=settings, n=n, steps=steps, seed=seed)
