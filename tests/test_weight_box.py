"""Weight boxes: one certificate for every weight vector in a box, checked inside the box and against lower bounds."""

from __future__ import annotations


import numpy as np
import pytest

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.certificates.weight_box import WeightBox, certify_box, check_box
from memgd.proofs_check.report.sandwich import judge, lower_bounds
from memgd.theory import Pattern, exact_rate

MU, L, ALPHA = 1.0, 10.0, 0.05
BOX = WeightBox((0, 1, 2), (0.8, 0.2, 0.1), (1.0, 0.5, 0.3))


@pytest.fixture(scope="module")
def box_cert():
    c = certify_box(MU, L, ALPHA, BOX, tol=1e-5)
    assert c.certified, c.reason
    return c


def test_degenerate_box_is_the_single_pattern_certificate():
    box = WeightBox((0, 1), (1.0, 1.0), (1.0, 1.0))
    c = certify_box(MU, L, ALPHA, box, tol=1e-5)
    single = certify(MU, L, ALPHA, Pattern((0, 1), (1.0, 1.0)), tol=1e-5)
    assert c.certified and len(box.vertices()) == 1
    assert c.rho == pytest.approx(single.rho, abs=2e-5)


def test_box_certificate_holds_inside_the_box_and_above_its_lower_bounds(box_cert):
    rng = np.random.default_rng(3)
    inside = [Pattern(BOX.ages, tuple(w)) for w in BOX.sample(rng, 300)]
    assert box_cert.rho >= max(exact_rate(MU, L, ALPHA, inside)) - 1e-12
    # the unlifted float64 verifier accepts the certificate at fresh interior weights (interpolated multipliers)
    assert check_box(MU, L, ALPHA, BOX, box_cert.T, box_cert.rho, box_cert.P, box_cert.p, box_cert.vertex_multipliers,
                     box_cert.finsler, box_cert.normalization_multipliers, rng=rng, n_interior=50) == ""
    pats = box_cert.patterns + tuple(inside[:4])
    bounds = lower_bounds(MU, L, ALPHA, pats, horizons=(1, 2, 5))
    checks = judge("box", box_cert, bounds)
    assert checks and all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


def test_box_verification_fails_without_the_finsler_term_or_below_the_rate(box_cert):
    c = box_cert
    args = (MU, L, ALPHA, BOX, c.T)
    tail = (c.P, c.p, c.vertex_multipliers)
    rng = np.random.default_rng(0)
    assert "lifted decrease" in check_box(*args, c.rho, *tail, np.zeros_like(c.finsler), c.normalization_multipliers,
                                          rng=rng)
    assert check_box(*args, c.rho - 1e-3, *tail, c.finsler, c.normalization_multipliers, rng=rng) != ""


def test_bad_box_raises():
    with pytest.raises(ValueError):
        WeightBox((0, 1), (1.0, 0.6), (1.0, 0.5))
    with pytest.raises(ValueError):
        certify_box(MU, L, -1.0, BOX)
