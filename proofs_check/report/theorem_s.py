r"""Report section: Theorem S (stochastic gradients) in expectation over seeded runs, its proof steps, and
the critical rule's selection bias (docs/math/theorem_s.md).

Tasks (one per family, run by the campaign layer):

- :func:`theorem_s_task`: for each rule (SGD, FIFO, the worst oblivious reuse, the critical rule, a
  rule that keeps samples by their noise), step and batch size of the family's grid, ``runs`` seeded
  copies of one problem, Theorem S's bound against the mean of :math:`r_k^2` at 8 checkpoints
  (:func:`memgd.proofs_check.stochastic.check_theorem_s`, confidence 99.9% per batch); the proof steps on
  traced runs (:func:`memgd.proofs_check.stochastic.steps.check_steps_s`); and two controls that must fail:
  the noise-keeping rule declared oblivious against part A's bound, and S.A1 on the noise-adaptive rules;
- :func:`selection_bias_task`: the floors of SGD, FIFO and the critical rule at equal step
  (:mod:`memgd.proofs_check.stochastic.selection_bias`).

Counts: a batch is *held*, *violated* or *vacuous* (no admissible parameter point, or a floor at or above
:math:`r_0^2`); a vacuous batch is never counted as held.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.campaigns import Task
from memgd.proofs_check.report.render import Check, Section, Unavailable
from memgd.proofs_check.stochastic import BlockReuse, NoiseAligned, check_theorem_s, is_oblivious, run_copies
from memgd.proofs_check.stochastic.problems import RADIUS, RELAXATIONS, STEPS, family_problem
from memgd.proofs_check.stochastic.selection_bias import floor_measurements
from memgd.proofs_check.stochastic.steps import check_steps_s
from memgd.solvers import Aggregation, CriticalGradients, Fifo

CONFIDENCE = 0.999
#: alpha L of the traced runs of the proof steps (large enough that a noise-adaptive rule's S.A1 mean shows).
TRACED_STEP = 0.05
COLUMNS = ["family", "rule", "part", "alpha L", "batch", "runs", "steps", "status", "upper conf. / bound",
           "floor: theorem", "floor: measured", "theorem / measured", "T", "constants"]
NARROW = ["family", "rule", "alpha L", "batch", "status", "floor: theorem", "floor: measured", "theorem / measured"]
BIAS_COLUMNS = ["family", "batch", "rule", "largest age", "floor", "/ FIFO", "/ SGD", "bias part"]


def _rules(family: str):
    return [("SGD", Fifo(0)), ("FIFO(2)", Fifo(2)), ("reuse(3)", BlockReuse(3)),
            ("critical(2, 0.7)", CriticalGradients(2, 0.7)), ("noise-aligned(3)", NoiseAligned(3))]


def _grid(family: str, quick: bool):
    steps = STEPS[family][:1] if quick else STEPS[family]
    sizes = (1,) if family == "two-point" else ((4,) if quick else (1, 4))
    return steps, sizes


def theorem_s_task(family: str, quick: bool = False) -> dict:
    """Theorem S on one family: the Monte Carlo batches, the controls and the traced proof steps."""
    problem = family_problem(family)
    mu, L = float(problem.mu[0]), float(problem.L[0])
    runs = 64 if quick else (96 if family == "logistic" else 128)
    steps_alpha, sizes = _grid(family, quick)
    checks, controls, traced = [], [], []
    for aL in steps_alpha:
        alpha = aL / L
        steps = int(np.ceil(RELAXATIONS[family] / (alpha * mu)))
        for b in sizes:
            for name, sel in _rules(family):
                batch, result = run_copies(problem, sel, Aggregation("sum"), alpha, steps, runs=runs, batch_size=b,
                                           radius=RADIUS[family])
                checks.append(check_theorem_s(problem, sel, Aggregation("sum"), alpha, steps, batch_size=b,
                                              confidence=CONFIDENCE, label=name, result=result, batch=batch))
                if name == "noise-aligned(3)" and family == "two-point" and aL == min(steps_alpha):
                    controls.append(check_theorem_s(problem, sel, Aggregation("sum"), alpha, steps, batch_size=b,
                                                    confidence=CONFIDENCE, label=name + ", declared oblivious",
                                                    oblivious=True, result=result, batch=batch))
    alpha = TRACED_STEP / L
    for name, sel in _rules(family):
        if name == "SGD":
            continue
        batch, result = run_copies(problem, sel, Aggregation("sum"), alpha, 300, runs=128, batch_size=sizes[0], seed=7,
                                   trace=True)
        obl = is_oblivious(sel, Aggregation("sum"))
        traced.append((name, obl, check_steps_s(result, batch, batch_size=sizes[0], confidence=CONFIDENCE)))
    return {"family": family, "checks": checks, "controls": controls, "traced": traced}


def selection_bias_task(family: str, quick: bool = False) -> dict:
    """The floors of SGD, FIFO(2) and the critical rule at decays 0.7 and 0.99, equal step alpha L = 0.1."""
    return {"family": family, "floors": floor_measurements(family, batch_sizes=(4,) if quick else (1, 4),
                                                           decays=(0.7, 0.99), runs=48 if quick else (64 if family == "logistic" else 96),
                                                           steps=1200)}


def theorem_s_tasks(plan) -> list[Task]:
    families = ("least squares",) if plan.quick else ("least squares", "logistic", "two-point")
    return [Task(theorem_s_task, {"family": f, "quick": plan.quick}, f"Theorem S, {f}") for f in families]


def selection_bias_tasks(plan) -> list[Task]:
    families = ("least squares",) if plan.quick else ("least squares", "logistic")
    return [Task(selection_bias_task, {"family": f, "quick": plan.quick}, f"selection bias, {f}") for f in families]


def _row(family: str, c) -> dict:
    vac = c.status == "vacuous"
    return {
        "family": family, "rule": c.label, "part": c.part, "alpha L": None, "batch": c.batch_size, "runs": c.runs,
        "steps": c.steps, "status": c.status,
        "upper conf. / bound": c.worst_margin if np.isfinite(c.worst_margin) else Unavailable("the bound is infinite"),
        "floor: theorem": c.floor_theorem if np.isfinite(c.floor_theorem)
        else Unavailable("no admissible parameter point: the theorem says nothing", "vacuous"),
        "floor: measured": c.floor_measured,
        "theorem / measured": c.floor_ratio if np.isfinite(c.floor_ratio) else Unavailable("vacuous"),
        "T": c.constants.get("T"), "constants": c.constants_source,
    }


def _batches(values) -> list[tuple[str, object]]:
    return [(v["family"], c) for v in values for c in v["checks"]]


def _bias_ratios(bias_values) -> dict[float, list[float]]:
    ratios: dict[float, list[float]] = {}
    for v in bias_values:
        floors = v["floors"]
        for f in floors:
            if np.isfinite(f.decay):
                fifo = next(g for g in floors if g.rule.startswith("FIFO") and g.batch_size == f.batch_size)
                ratios.setdefault(f.decay, []).append(f.floor / fifo.floor)
    return ratios


def theorem_s_rows(values, bias_values=()) -> list[dict]:
    """Summary lines (the report's summary section, hence the README's generated block)."""
    batches = _batches(values)
    if not batches:
        return []
    held = [c for _, c in batches if c.status == "held"]
    vac = [c for _, c in batches if c.status == "vacuous"]
    viol = [c for _, c in batches if c.status == "violated"]
    rows = [{"statement": f"Theorem S (stochastic gradients) held in expectation on every non-vacuous batch "
                          f"(confidence {CONFIDENCE:.1%} per batch, one-sided, 8 checkpoints)",
             "figure": f"{len(held)} of {len(held) + len(viol)} batches ({sum(c.runs for c in held)} runs); "
                       f"vacuous on {len(vac)} of {len(batches)}"}]
    oblivious = [c.floor_ratio for _, c in batches if c.status == "held" and c.part == "A+B"]
    adaptive = [c.floor_ratio for _, c in batches if c.status == "held" and c.part == "B"]
    for label, ratios in (("oblivious selection (part A)", oblivious), ("noise-adaptive selection (part B)", adaptive)):
        if ratios:
            rows.append({"statement": f"Theorem S floor / measured floor, {label}",
                         "figure": f"median {np.median(ratios):.3g}, range {min(ratios):.3g} to {max(ratios):.3g} "
                                   f"({len(ratios)} batches)"})
    ratios = _bias_ratios(bias_values)
    for decay in sorted(ratios):
        rows.append({"statement": f"critical rule's noise floor / FIFO's at equal step, decay {decay:g}",
                     "figure": f"{min(ratios[decay]):.3g} to {max(ratios[decay]):.3g} (least squares and logistic, "
                               f"batch sizes 1 and 4)"})
    return rows


def theorem_s_section(values) -> Section:
    """The section, from the finished tasks (a dict per family, a list of floors per selection-bias family)."""
    sec = Section("Theorem S: stochastic gradients, stored, reused and selected (expectation over seeded runs; "
                  "docs/math/theorem_s.md)", COLUMNS, narrow=NARROW,
                  intro=["Part A (the schedule ignores the noise) and part B (any selection decided before the step's "
                         "sample, e.g. the critical rule) bound E r_k^2 <= rho^k r_0^2 + F.  Each batch: copies of one "
                         "problem run with their own minibatches; 'violated' = the sample mean exceeds the bound by more "
                         f"than z standard errors at some checkpoint (z for {CONFIDENCE:.1%}, Bonferroni); 'vacuous' = "
                         "no admissible parameter point or a floor >= r_0^2 (not counted as held).  Floors: theorem's "
                         "against the mean of r_k^2 over the last quarter of the steps.  Constants: realized on the runs "
                         "(a posteriori), with the age bound T declared where the rule has one.", ""])
    for v in values:
        fam = v["family"]
        problem = family_problem(fam)
        for c in v["checks"]:
            row = _row(fam, c)
            row["alpha L"] = round(c.alpha * float(problem.L[0]), 6)
            sec.rows.append(row)
            sec.checks.append(Check(f"Theorem S, {fam}, {c.label}, alpha L = {row['alpha L']:g}, b = {c.batch_size}",
                                    c.status != "violated",
                                    f"the mean of r_k^2 exceeds the bound beyond {c.z:.2f} standard errors "
                                    f"(upper confidence / bound {c.worst_margin:.3g})"))
        for c in v["controls"]:
            sec.checks.append(Check(f"control: {fam}, {c.label}: part A's bound is violated (the check can fail)",
                                    c.status == "violated", f"status {c.status}: a selection that keeps noise pointing "
                                    "one way went undetected"))
            sec.notes.append(f"control ({fam}): {c.label}: part A's bound {c.status} (upper confidence / bound "
                             f"{c.worst_margin:.3g}); part B, which covers it, held")
        for name, obl, steps in v["traced"]:
            for key, chk in steps.items():
                if key == "S.A1" and not obl:
                    sec.checks.append(Check(f"control: {fam}, {name}: S.A1's mean zero fails for a noise-adaptive "
                                            "selection", not chk.holds, f"mean {chk.mean:.3g} +- {chk.se:.2g}"))
                    continue
                if not chk.checked:
                    continue
                sec.checks.append(Check(f"Theorem S step {key}, {fam}, {name}", chk.holds,
                                        f"{getattr(chk, 'min_slack', getattr(chk, 'mean', float('nan'))):.3g}"))
    sec.notes.extend(f"{r['statement']}: {r['figure']}" for r in theorem_s_rows(values))
    return sec


def selection_bias_section(bias_values) -> Section:
    """The floors of the critical rule, FIFO and SGD at equal step (the finding of docs/math/theorem_s.md)."""
    sec = Section("Selection bias: the critical rule's noise floor against FIFO and SGD at equal step "
                  "(alpha L = 0.1, sum aggregation, 2 stored gradients; mean r_k^2 over the last third of the steps)",
                  BIAS_COLUMNS,
                  intro=["'bias part': the share of the floor that is a shift of the mean iterate, ||mean x_K - x*||^2 "
                         "(minus its sampling variance), which a selection keeping noise pointing one way creates.  "
                         "'SGD' at the same alpha; the memory rules have s = 2, so SGD at 2 alpha is their "
                         "effective-step reference.", ""])
    for v in bias_values:
        fam, floors = v["family"], v["floors"]
        for f in floors:
            sgd = next(g for g in floors if g.rule == "SGD" and g.batch_size == f.batch_size)
            fifo = next(g for g in floors if g.rule.startswith("FIFO") and g.batch_size == f.batch_size)
            sec.rows.append({"family": fam, "batch": f.batch_size, "rule": f.rule, "largest age": f.max_age,
                             "floor": f.floor, "/ FIFO": f.floor / fifo.floor, "/ SGD": f.floor / sgd.floor,
                             "bias part": f.bias / f.floor})
        for b in sorted({f.batch_size for f in floors}):
            fifo = next(g for g in floors if g.rule.startswith("FIFO") and g.batch_size == b)
            sgd2 = next(g for g in floors if g.rule == "SGD, step 2 alpha" and g.batch_size == b)
            sec.notes.append(f"{fam}, b = {b}: FIFO's floor is {fifo.floor / sgd2.floor:.3g} x SGD's at twice the step "
                             "(an oblivious rule with s = 2 behaves like SGD at the step alpha s)")
    for decay, r in sorted(_bias_ratios(bias_values).items()):
        sec.notes.append(f"decay {decay:g}: critical floor / FIFO floor from {min(r):.3g} to {max(r):.3g}")
    return sec
