"""memgd.figures: draws the numbers of :mod:`memgd.proofs_check.report.figure_data` (it runs no solver itself).

``python -m memgd.figures [--out DIR] [--quick]`` writes six figures, PNG and SVG each:

1. ``distance_to_optimum``: worst distance against iterations for five selection rules,
   with the analytic and certified envelopes (:func:`draw_distance`);
2. ``rate_vs_step``: empirical, exact, certified and analytic rates of one pattern
   against the step size (:func:`draw_rate_vs_step`, the headline figure);
3. ``rate_vs_memory``: rates against the age bound T and the buffer size C
   (:func:`draw_rate_vs_memory`);
4. ``stability_map``: exact quadratic rate over (alpha L, memory weight b) with the
   Theorem 1 admissible boundary (:func:`draw_stability_map`);
5. ``critical_ages``: the critical rule's realized ages against decay, and a
   divergence where plain gradient descent converges (:func:`draw_critical_ages`);
6. ``sandwich``: certified rates between verified lower bounds (quadratic, switching,
   PEPit) and Theorem 1 against the step size (:func:`memgd.figures.sandwich.draw_sandwich`,
   data from :mod:`memgd.proofs_check.report.sandwich_data`);
7. ``selection_bias``: the critical rule's noise floor against FIFO's and SGD's under minibatch
   gradients, over decay and batch size (:func:`memgd.figures.selection_bias.draw_selection_bias`,
   data from :mod:`memgd.proofs_check.stochastic.selection_bias`).

For any memory rule, :func:`plot_rate_sweep` (over steps) and :func:`plot_memory_sweep`
(over memory sizes) compute a :class:`memgd.proofs_check.sweeps.RateSweep` and draw it
(:func:`draw_rate_sweep`), returning ``(sweep, figure)``.

Each ``draw_*(data, ax=None)`` returns a :class:`matplotlib.figure.Figure`; its
docstring holds the caption.
"""

from memgd.figures.draw import draw_critical_ages, draw_distance, draw_rate_vs_memory, draw_rate_vs_step, draw_stability_map
from memgd.figures.sweep import draw_rate_sweep, plot_memory_sweep, plot_rate_sweep

__all__ = ["draw_distance", "draw_rate_vs_step", "draw_rate_vs_memory", "draw_stability_map", "draw_critical_ages",
           "draw_rate_sweep", "plot_rate_sweep", "plot_memory_sweep"]
