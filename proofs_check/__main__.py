"""``python -m memgd.proofs_check``: run the verification report.

Runs every scenario of the grid (or ``--quick``, ``--scenario``, ``--filter``,
``--grid FILE``) and the fixed sections as one campaign of independent tasks, on
every core by default (``--backend``, ``--workers``, ``--scheduler`` for a Dask
cluster); prints a summary per section (fitted to the terminal's width), writes
``report.md`` and ``report.json`` to ``--out``, and stores each finished task
under ``--out``/tasks so that ``--resume`` skips it.  On one machine the numbers are
the same bit for bit whatever the backend and the number of workers.

Exit status: 0 every check passed; 1 a check failed; 2 bad usage (one line on
stderr, before any work: argument errors before any heavy import, a grid out of
reach refused from its sizes alone); 130 interrupted (Ctrl-C): the finished tasks are
stored, a report marked PARTIAL is written, and ``--resume`` completes it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Only light modules here (argparse, numpy, joblib's names): every usage error is found before
# the sections' heavy imports (cvxpy, PEPit, sympy, matplotlib; tests/test_cli_usage.py checks it).
# A section is therefore named by its "module:function" path, imported when it runs.
from memgd.proofs_check.campaigns import (
    BackendUnavailable, OutputLocked, Progress, ResultStore, StaleResults, Task, output_lock,
)
from memgd.proofs_check.campaigns.cli import add_arguments, config_from_args
from memgd.proofs_check.report.assemble import Plan, SectionBuilder, build_report
from memgd.proofs_check.report.choose import FILTER_KEYS, apply_filter, describe, parse_filter, pick
from memgd.proofs_check.report.grid_file import Grid, read_grid
from memgd.proofs_check.report.render import check_writable, render_text, terminal_width, write_report

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _scenario_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.sections import scenario_task
    return [Task(scenario_task, {"scenario": s}, s.name) for s in plan.scenarios]


def _scenario_table(plan, done):
    from memgd.proofs_check.report.sections import scenario_section
    return scenario_section(plan.scenarios, evaluations=done.values("scenarios"))[0]


def _summary(plan, done):
    from memgd.proofs_check.report.sections import summary_section
    from memgd.proofs_check.report.theorem_s import theorem_s_rows
    from memgd.proofs_check.report.class_certificates import add_class_summary
    return add_class_summary(summary_section(done.values("scenarios"),
                                             theorem_s_rows(done.values("theorem-s"), done.values("selection-bias"))),
                             done.values("class-certificates"))


def _optimizer_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.sections import OPTIMIZER_PAIRS, optimizer_pair_task
    return [Task(optimizer_pair_task, {"names": p}, f"optimizers {p[0]}/{p[1]}") for p in OPTIMIZER_PAIRS]


def _optimizer_table(plan, done):
    from memgd.proofs_check.report.sections import optimizer_section
    return optimizer_section(rows=[r for rows in done.values("optimizers") for r in rows])


def _class_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.class_certificates import class_tasks
    return class_tasks(plan)


def _class_table(plan, done):
    from memgd.proofs_check.report.class_certificates import class_build
    return class_build(plan, done)


def _search_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.sections import SEARCHES, search_task
    return [Task(search_task, {"name": s.__name__}, f"search {s.__name__}") for s in SEARCHES]


def _search_table(plan, done):
    from memgd.proofs_check.report.sections import counterexample_section
    return counterexample_section(found=done.values("counterexamples"))


def _falsification_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.falsification import claim_names, falsification_task
    return [Task(falsification_task, {"name": n, "profile": plan.falsification}, f"falsify {n}")
            for n in claim_names()]


def _falsification_table(plan, done):
    from memgd.proofs_check.report.falsification import falsification_section
    return falsification_section(done.values("falsification"))


def _theorem_s_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.theorem_s import theorem_s_tasks
    return theorem_s_tasks(plan)


def _theorem_s_table(plan, done):
    from memgd.proofs_check.report.theorem_s import theorem_s_section
    return theorem_s_section(done.values("theorem-s"))


def _selection_bias_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.theorem_s import selection_bias_tasks
    return selection_bias_tasks(plan)


def _selection_bias_table(plan, done):
    from memgd.proofs_check.report.theorem_s import selection_bias_section
    return selection_bias_section(done.values("selection-bias"))


def _property_tasks(plan: Plan) -> list[Task]:
    from memgd.proofs_check.report.properties import PAIRS, property_task
    return [Task(property_task, {"name": n}, f"verify_rule {n}") for n in PAIRS]


def _property_table(plan, done):
    from memgd.proofs_check.report.properties import properties_section
    return properties_section(found=done.values("properties"))


# The report's sections, in order.  To add one: a line here.  A function
# ``my_section(progress) -> Section`` becomes ``SectionBuilder.single("name", "module:my_section")``
# (a path, so that its module is imported only when the section runs); split work gets ``tasks``
# (plan -> list of Task) and ``build`` (plan, done -> Section).
SECTIONS: list[SectionBuilder] = [
    SectionBuilder("summary", "headline figures, from the scenario evaluations", build=_summary,
                   reads=("scenarios", "theorem-s", "selection-bias", "class-certificates")),
    SectionBuilder("scenarios", "per scenario: bound, certificate, exact and PEPit rates, empirical runs, checks",
                   tasks=_scenario_tasks, build=_scenario_table),
    SectionBuilder("optimizers", "memory-augmented optimizers against their plain versions",
                   tasks=_optimizer_tasks, build=_optimizer_table, enabled=lambda plan: plan.full),
    SectionBuilder("class-certificates", "certificates for whole weight classes (one LMI per vertex), T up to 16, "
                   "and the convergence experiment's realized ages", tasks=_class_tasks, build=_class_table,
                   enabled=lambda plan: plan.full),
    SectionBuilder.single("weight-box", "memgd.proofs_check.report.boxes:weight_box_section",
                          enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("reference-oddities", "memgd.proofs_check.report.reference_oddities:reference_section",
                          enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("convergence-experiment",
                          "memgd.proofs_check.report.convergence_experiment:convergence_section",
                          enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder("counterexamples", "hypothesis searches for counterexamples outside the assumptions",
                   tasks=_search_tasks, build=_search_table, enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("critical-rule", "memgd.proofs_check.report.critical_rule:critical_rule_section",
                          enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder("falsification", "each theorem and check searched for a counterexample (--falsification: "
                   "long with the full default grid, otherwise only when asked)",
                   tasks=_falsification_tasks, build=_falsification_table),
    SectionBuilder("theorem-s", "Theorem S (stochastic gradients) in expectation over seeded runs, and its proof steps",
                   tasks=_theorem_s_tasks, build=_theorem_s_table, enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder("selection-bias", "the critical rule's noise floor against FIFO and SGD at equal step",
                   tasks=_selection_bias_tasks, build=_selection_bias_table,
                   enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder("properties", "verify_rule (screen, then hypothesis) on the built-in rules",
                   tasks=_property_tasks, build=_property_table, enabled=lambda plan: plan.full and not plan.quick),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="python -m memgd.proofs_check", description=__doc__.split("\n\n")[1].replace("``", ""),
                     epilog="exit status: 0 every check passed, 1 a check failed, 2 bad usage, "
                            "130 interrupted (partial report written; rerun with --resume)",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_argument_group("what to run")
    what.add_argument("--quick", action="store_true", help="a small subset of the scenarios (seconds)")
    what.add_argument("--scenario", action="append", metavar="NAME",
                      help="run only this scenario (repeatable); see --list")
    what.add_argument("--filter", metavar="KEY=VALUE,...",
                      help=f"run only the scenarios matching every KEY=VALUE (keys: {', '.join(FILTER_KEYS)}; "
                           "example: --filter L=100,T=3)")
    what.add_argument("--grid", type=Path, metavar="FILE",
                      help="run the scenarios of a TOML grid file (example: examples/grid-large.toml)")
    what.add_argument("--list", action="store_true",
                      help="list the chosen scenarios, one line each, and exit")
    what.add_argument("--no-counterexamples", action="store_true",
                      help="skip the counterexample searches (about a minute); same as --skip counterexamples")
    what.add_argument("--no-convergence-experiment", action="store_true",
                      help="skip the paper's convergence experiment on digits (a few CPU minutes); "
                           "same as --skip convergence-experiment")
    what.add_argument("--falsification", choices=["short", "long", "skip"], default=None,
                      help="profile of the falsification section: long (the default for the full default grid), "
                           "short (seconds per claim), skip (the default with --quick, --scenario, --filter, --grid)")
    what.add_argument("--skip", action="append", metavar="SECTION", choices=[b.name for b in SECTIONS],
                      help=f"do not run this section (repeatable): {', '.join(b.name for b in SECTIONS)}")
    out = parser.add_argument_group("output")
    out.add_argument("--out", type=Path, default=Path("memgd-report"),
                     help="folder for report.md, report.json and the stored tasks (default: ./memgd-report)")
    out.add_argument("--resume", action="store_true",
                     help="reuse the tasks stored under --out by an earlier (interrupted) run; refused if some "
                          "were computed by other code (an edited memgd source, rule module or library version)")
    out.add_argument("--allow-stale", action="store_true",
                     help="with --resume: reuse tasks stored by other code anyway (counted as stale in the "
                          "report's metadata)")
    out.add_argument("--quiet", action="store_true", help="no progress on stderr")
    out.add_argument("--update-readme", type=Path, metavar="README",
                     help="also write the summary table into README's generated block (full grid only)")
    add_arguments(parser)
    return parser.parse_args(argv)


def check_arguments(args: argparse.Namespace):
    """Every check the arguments allow on their own, before any heavy import or scenario is built:
    (run configuration, parsed filter or None, checked grid or None); ValueError (one line) on bad usage."""
    if args.update_readme and (args.quick or args.scenario or args.filter or args.grid):
        raise ValueError("--update-readme needs the full default grid (no --quick, --scenario, --filter, --grid)")
    if args.update_readme and not args.update_readme.is_file():
        raise ValueError(f"--update-readme: no file {args.update_readme}")
    if args.allow_stale and not args.resume:
        raise ValueError("--allow-stale goes with --resume")
    config = config_from_args(args)
    wanted = parse_filter(args.filter) if args.filter else None
    grid = read_grid(args.grid) if args.grid is not None else None  # refuses a grid out of reach
    if not args.list:
        check_writable(args.out)
    return config, wanted, grid


def choose_scenarios(args: argparse.Namespace, grid: Grid | None = None, wanted: dict | None = None):
    """The scenarios the arguments select, and whether they are a fixed default set; ValueError if none.

    Building them imports the theory (their steps come from its formulas); nothing is computed
    per pattern (docs/running.md, "Grids")."""
    if args.grid is not None:
        base = (grid or read_grid(args.grid)).scenarios()
    else:
        from memgd.proofs_check.report.scenarios import default_scenarios, quick_scenarios
        base = quick_scenarios() if args.quick and not args.scenario else default_scenarios()
    chosen = pick(base, args.scenario) if args.scenario else base
    if args.filter:
        chosen = apply_filter(chosen, wanted if wanted is not None else parse_filter(args.filter))
        if not chosen:
            raise ValueError(f"--filter {args.filter}: no scenario matches")
    return chosen, not (args.scenario or args.filter or args.grid)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the output was piped into a program that stopped reading (head)
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK


def _main(argv: list[str]) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        config, wanted, grid = check_arguments(args)
        scenarios, full = choose_scenarios(args, grid, wanted)
    except ValueError as err:
        print(f"python -m memgd.proofs_check: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    width = terminal_width()
    if args.list:
        print("\n".join(describe(s, width) for s in scenarios))
        return EXIT_OK
    skip = (set(args.skip or []) | ({"counterexamples"} if args.no_counterexamples else set())
            | ({"convergence-experiment"} if args.no_convergence_experiment else set()))
    falsification = args.falsification or ("long" if full and not args.quick else "skip")
    if falsification == "skip":
        skip.add("falsification")
    plan = Plan(tuple(scenarios), full=full, quick=args.quick, skip=frozenset(skip),
                falsification=falsification if falsification != "skip" else "long")
    progress = Progress("quiet" if args.quiet else "auto", "report")
    try:
        with output_lock(args.out):
            return _run_and_write(args, argv, plan, config, progress, start, width)
    except (BackendUnavailable, OutputLocked) as err:
        print(f"python -m memgd.proofs_check: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StaleResults as err:
        print(f"python -m memgd.proofs_check: error: --resume: {err}; rerun without --resume to recompute them, "
              "or add --allow-stale to reuse them anyway", file=sys.stderr)
        return EXIT_USAGE


def _run_and_write(args: argparse.Namespace, argv: list[str], plan: Plan, config, progress: Progress,
                   start: float, width: int) -> int:
    """Run the report's campaign (holding the output folder's lock), print and write it; the exit status."""
    from memgd.proofs_check.report.metadata import metadata

    run = build_report(SECTIONS, plan, config, store=ResultStore(args.out / "tasks"), resume=args.resume,
                       allow_stale=args.allow_stale, progress=progress)
    partial = (f"interrupted after {run.done} of {run.total} tasks; the finished ones are stored: rerun the same "
               "command with --resume to complete the report") if run.interrupted else ""
    timing = {"wall_seconds": round(time.perf_counter() - start, 3), "sections": run.timing}
    meta = metadata(arguments=argv, backend=config.backend, workers=config.n_workers, scheduler=config.scheduler,
                    resumed=run.resumed, timing=timing, partial=partial, stale=run.stale, stale_codes=run.stale_codes)
    sections = run.sections
    print(render_text(sections, width))
    md, js = write_report(sections, args.out, meta)
    failed = [c for s in sections for c in s.failed]
    print(f"report written to {md} and {js}")
    print(f"{sum(len(s.checks) for s in sections) - len(failed)} checks passed, {len(failed)} failed")
    if run.interrupted:
        print(f"PARTIAL REPORT: {partial}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.update_readme:
        from memgd.proofs_check.report.render import update_readme

        update_readme(args.update_readme, sections[0])
        print(f"summary table written into {args.update_readme}")
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
