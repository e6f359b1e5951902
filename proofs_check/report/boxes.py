"""Report section: certificates for every weight vector in a box, checked inside the box and against lower bounds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from memgd.proofs_check.certificates.weight_box import WeightBox, certify_box
from memgd.proofs_check.report.render import Check, Section, Unavailable
from memgd.proofs_check.report.sandwich import judge, lower_bounds
from memgd.theory import Pattern, exact_rate

BOXES = (  # (box, alpha) on mu = 1, L = 10
    (WeightBox((0, 1), (0.9, 0.4), (1.1, 0.6)), 0.05),
    (WeightBox((0, 1, 2), (0.8, 0.2, 0.1), (1.0, 0.5, 0.3)), 0.05),
    (WeightBox((0, 1, 3), (0.5, 0.1, 0.1), (1.0, 0.4, 0.4)), 0.08),
)
N_INSIDE = 200


def weight_box_section(progress: Callable[[str], None], mu: float = 1.0, L: float = 10.0, seed: int = 0) -> Section:
    """One row per box: the box certificate, the worst quadratic rate of random interior weights, the lower bounds."""
    sec = Section(
        "Weight boxes: one certificate for every weight vector in the box (vertices of the lifted LMI), "
        f"mu = {mu:g}, L = {L:g}",
        ["ages", "weights from", "weights to", "alpha", "certified", "c", "worst quad inside", "lower bound",
         "lower witness"],
        narrow=["ages", "certified", "lower bound", "alpha", "weights from", "weights to"],  # by priority
        intro=["certified: verified at every vertex (lifted LMI) and, by the unlifted verifier, at 20 random interior "
               f"weights; 'worst quad inside': largest exact quadratic rate over {N_INSIDE} random interior weights; "
               "lower bound: quadratic / switching over the vertices and 4 interior patterns, plus PEPit checks."],
    )
    rng = np.random.default_rng(seed)
    for i, (box, alpha) in enumerate(BOXES, 1):
        progress(f"[{i}/{len(BOXES)}] weight box {box.ages}")
        cert = certify_box(mu, L, alpha, box, tol=1e-4, seed=seed)
        inside = [Pattern(box.ages, tuple(w)) for w in box.sample(rng, N_INSIDE)]
        worst_inside = float(np.max(exact_rate(mu, L, alpha, inside)))
        bounds = lower_bounds(mu, L, alpha, box.vertices() + tuple(inside[:4]))
        rig = bounds.rigorous
        sec.rows.append({"ages": str(box.ages), "weights from": str(box.lower), "weights to": str(box.upper),
                         "alpha": alpha, "certified": cert.rho if cert.certified
                         else Unavailable("no certificate below 1 was verified at every vertex", "not certified"),
                         "c": cert.transient, "worst quad inside": worst_inside,
                         "lower bound": Unavailable("no lower bound verified from its witness") if rig is None else rig[0],
                         "lower witness": Unavailable("no lower bound verified") if rig is None else rig[1]})
        name = f"box {box.ages} {box.lower}-{box.upper}"
        if cert.certified:
            sec.checks.append(Check(f"{name}: certificate >= quadratic rate of random interior weights",
                                    cert.rho >= worst_inside - 1e-9,
                                    f"certified {cert.rho:.6f} below {worst_inside:.6f}: a false certificate"))
            sec.checks.extend(judge(name, cert, bounds))
    return sec
