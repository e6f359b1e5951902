"""``python -m memgd.figures [--out DIR] [--quick] [--only NAME]``: compute and draw the figures.

Each figure's numbers come from :mod:`memgd.proofs_check.report.figure_data`; this module only
chooses the settings (full or ``--quick``), draws, saves PNG and SVG, and prints one
progress line per figure on stderr.  The data of the figures are independent tasks run by
:mod:`memgd.proofs_check.campaigns` (``--backend``, ``--workers``, ``--scheduler``; on every
core by default); the drawing happens in this process.

Exit status: 0 figures written, 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from memgd.figures.axes import save
from memgd.figures.class_rate_vs_T import draw_class_rate_vs_T
from memgd.figures.critical_map import critical_map_data, draw_critical_map
from memgd.figures.draw import draw_critical_ages, draw_distance, draw_rate_vs_memory, draw_rate_vs_step, draw_stability_map
from memgd.figures.convergence_experiment import draw_convergence_experiment
from memgd.figures.reference_oddities import draw_reference_oddities
from memgd.figures.sandwich import draw_sandwich
from memgd.figures.selection_bias import draw_selection_bias
from memgd.proofs_check.report import figure_data as fd
from memgd.proofs_check.report.class_figure_data import rate_against_T_data
from memgd.proofs_check.report.convergence_experiment import convergence_figure_data
from memgd.proofs_check.report.reference_oddities import oddity_figure_data
from memgd.proofs_check.report.sandwich_data import sandwich_vs_step_data
from memgd.proofs_check.stochastic.selection_bias import selection_bias_data
from memgd.proofs_check.campaigns import Interrupted, Progress, Task, run_tasks
from memgd.proofs_check.campaigns.cli import add_arguments, config_from_args
from memgd.proofs_check.report.render import check_writable


@dataclass(frozen=True)
class FigureSpec:
    name: str                      # file stem
    compute: Callable              # keyword settings -> data
    draw: Callable                 # data -> Figure
    quick: dict = field(default_factory=dict)  # settings for --quick (the defaults otherwise)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("distance_to_optimum", fd.distance_data, draw_distance, dict(steps=1500, n=3)),
    FigureSpec("rate_vs_step", fd.rate_vs_step_data, draw_rate_vs_step, dict(n_alpha=12, n=3, steps=2000)),
    FigureSpec("rate_vs_memory", fd.rate_vs_memory_data, draw_rate_vs_memory, dict(cert_max_T=2)),
    FigureSpec("stability_map", fd.stability_map_data, draw_stability_map, dict(n_b=41, n_alpha=61, n_grid=33)),
    FigureSpec("critical_map", critical_map_data, draw_critical_map, dict(steps=300)),
    FigureSpec("critical_ages", fd.critical_ages_data, draw_critical_ages, dict(n=3, steps=1500)),
    FigureSpec("sandwich", sandwich_vs_step_data, draw_sandwich, dict(n_alpha=4)),
    FigureSpec("reference_oddities", oddity_figure_data, draw_reference_oddities,
               dict(decays=(0.7, 0.9, 0.99), n=2, steps=300)),
    FigureSpec("convergence_experiment", convergence_figure_data, draw_convergence_experiment, dict(quick=True)),
    FigureSpec("selection_bias", selection_bias_data, draw_selection_bias,
               dict(families=("least squares",), batch_sizes=(1, 4), decays=(0.7, 0.99), runs=32, steps=600)),
    FigureSpec("class_rate_vs_T", rate_against_T_data, draw_class_rate_vs_T,
               dict(Ts=(1, 2, 3, 4), decays=(0.7, 0.9), n=2, steps=600)),
)
NAMES = tuple(s.name for s in FIGURES)


def compute_figure(name: str, quick: bool) -> object:
    """The data of figure ``name`` (full or ``--quick`` settings): one campaign task."""
    spec = next(s for s in FIGURES if s.name == name)
    return spec.compute(**(spec.quick if quick else {}))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m memgd.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("memgd-figures"),
                        help="folder for the PNG and SVG files (default: ./memgd-figures)")
    parser.add_argument("--quick", action="store_true", help="coarser grids and fewer runs (about 20 s)")
    parser.add_argument("--only", action="append", metavar="NAME", choices=NAMES,
                        help=f"draw only this figure (repeatable): {', '.join(NAMES)}")
    add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_from_args(args)
        check_writable(args.out)
    except ValueError as err:
        print(f"python -m memgd.figures: error: {err}", file=sys.stderr)
        return 2
    specs = [s for s in FIGURES if not args.only or s.name in args.only]
    tasks = [Task(compute_figure, {"name": s.name, "quick": args.quick}, s.name) for s in specs]
    try:
        data = run_tasks(tasks, config, progress=Progress("quiet"))
    except Interrupted:
        print("interrupted: no figure written", file=sys.stderr)
        return 130
    for i, (spec, task) in enumerate(zip(specs, tasks), 1):
        t0 = time.perf_counter()
        result = data[task.key]
        fig = spec.draw(result.value)
        png, svg = save(fig, args.out, spec.name)
        print(f"[{i}/{len(specs)}] {spec.name}: {result.seconds + time.perf_counter() - t0:.1f} s -> {png}, {svg}",
              file=sys.stderr, flush=True)
    return 0
