"""``python -m memgd.figures [--out DIR] [--quick] [--only NAME]``: compute and draw the figures.

Each figure's numbers come from :mod:`memgd.proofs_check.report.figure_data`; this module only
chooses the settings (full or ``--quick``), draws, saves PNG and SVG, and prints one
progress line per figure on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from memgd.figures.axes import save
from memgd.figures.critical_map import critical_map_data, draw_critical_map
from memgd.figures.draw import draw_critical_ages, draw_distance, draw_rate_vs_memory, draw_rate_vs_step, draw_stability_map
from memgd.figures.convergence_experiment import draw_convergence_experiment
from memgd.figures.reference_oddities import draw_reference_oddities
from memgd.figures.sandwich import draw_sandwich
from memgd.proofs_check.report import figure_data as fd
from memgd.proofs_check.report.convergence_experiment import convergence_figure_data
from memgd.proofs_check.report.reference_oddities import oddity_figure_data
from memgd.proofs_check.report.sandwich_data import sandwich_vs_step_data


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
)
NAMES = tuple(s.name for s in FIGURES)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m memgd.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("memgd-figures"),
                        help="folder for the PNG and SVG files (default: ./memgd-figures)")
    parser.add_argument("--quick", action="store_true", help="coarser grids and fewer runs (about 20 s)")
    parser.add_argument("--only", action="append", metavar="NAME", choices=NAMES,
                        help=f"draw only this figure (repeatable): {', '.join(NAMES)}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    specs = [s for s in FIGURES if not args.only or s.name in args.only]
    for i, spec in enumerate(specs, 1):
        t0 = time.perf_counter()
        data = spec.compute(**(spec.quick if args.quick else {}))
        fig = spec.draw(data)
        png, svg = save(fig, args.out, spec.name)
        print(f"[{i}/{len(specs)}] {spec.name}: {time.perf_counter() - t0:.1f} s -> {png}, {svg}",
              file=sys.stderr, flush=True)
    return 0
