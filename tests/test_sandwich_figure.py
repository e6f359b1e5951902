"""The sandwich figure draws the computed rates, and they are right on gradient descent.

The drawn lines are compared bit for bit with the data: matplotlib keeps the arrays it is given.
"""

import numpy as np

from memgd.figures.sandwich import draw_sandwich
from memgd.proofs_check.report.sandwich_data import SandwichData, sandwich_curve
from memgd.theory import Pattern


def _artist(fig, gid):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_sandwich_of_gradient_descent_is_its_known_rate():
    mu, L = 1.0, 10.0
    curve = sandwich_curve("gd", mu, L, (Pattern.plain(),), np.array([0.3, 0.95]), horizons=(1, 2))
    alpha = curve.alpha
    assert np.allclose(alpha, np.array([0.3, 0.95]) * 2 / L, rtol=1e-9)  # GD's stability limit is 2/L
    known = np.maximum(np.abs(1 - alpha * mu), np.abs(1 - alpha * L))   # tight over the whole class
    assert np.allclose(curve.quadratic, known, rtol=1e-12) and np.allclose(curve.switching, known, rtol=1e-12)
    assert np.allclose(curve.pep, known, rtol=1e-4)
    assert np.all(curve.certified >= known - 1e-12) and np.all(curve.certified <= known + 1e-3 * (1 - known))
    assert np.all((curve.tightness > 0.99) & (curve.tightness <= 1.0 + 1e-12))
    fig = draw_sandwich(SandwichData(mu, L, (1, 2), (curve,)))
    for gid, values in (("quadratic:0", curve.quadratic), ("certified:0", curve.certified), ("pep:0", curve.pep)):
        line = _artist(fig, gid)
        assert np.array_equal(line.get_xdata(), alpha) and np.array_equal(line.get_ydata(), values)
    assert fig.axes[0].get_legend() is not None and fig.axes[0].get_title() == "gd"
