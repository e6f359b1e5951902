"""The "what the reference's buffer oddities change" section and figure, on a small grid."""

import numpy as np
import pytest

from memgd.figures.reference_oddities import draw_reference_oddities
from memgd.proofs_check.report.reference_oddities import (
    default_settings, oddity_checks, oddity_grid, reference_section,
)


@pytest.fixture(scope="module")
def grid():
    settings = default_settings(decays=(0.7, 0.99), top_cs=(3,), kappas=(0.5, 1.0, 2.0), aggregations=("sum", "min"))
    return oddity_grid(settings=settings, n=2, steps=250)


def test_section_rows_and_checks_pass(grid):
    sec = reference_section(lambda message: None, grid=grid)
    assert len(sec.rows) == len(grid.settings) == 12
    assert sec.checks and not sec.failed, [c.detail for c in sec.failed]
    assert any("kappa^m" in note or "picked gradient carried" in note for note in sec.notes)


def test_measured_weights_show_kappa_power_compounding(grid):
    for j, s in enumerate(grid.settings):
        if s["aggregation"] != "min" or s["kappa"] == 1.0:
            assert np.isnan(grid.weight_lo[0, j]) or s["kappa"] == 1.0
            continue
        assert grid.weight_lo[0, j] == grid.weight_hi[0, j] == s["kappa"]  # documented: kappa itself
        if s["kappa"] == 2.0:
            assert grid.weight_hi[1, j] >= 4.0  # picked twice or more: 2^m, m >= 2
        else:
            assert grid.weight_lo[1, j] <= 0.25


def test_checks_catch_a_reference_without_in_place_rescaling(grid):
    """Overwrite the reference's weights with the documented ones: the compounding check must fail."""
    fake = grid.__class__(**{**grid.__dict__, "weight_lo": grid.weight_lo[[0, 0]], "weight_hi": grid.weight_hi[[0, 0]]})
    failed = [c.name for c in oddity_checks(fake) if not c.passed]
    assert any("compounds" in name for name in failed)


def test_figure_draws_both_modes(grid):
    fig = draw_reference_oddities(grid)
    gids = {line.get_gid() for ax in fig.axes for line in ax.get_lines()}
    assert {"rate:sum:documented", "rate:sum:reference", "weight:min:2:reference", "weight:min:0.5:documented"} <= gids
