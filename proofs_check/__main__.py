"""``python -m memgd.proofs_check``: run the verification report.

Runs every scenario of the grid (or ``--quick``, ``--scenario``, ``--filter``,
``--grid FILE``) and the fixed sections as one campaign of independent tasks, on
every core by default (``--backend``, ``--workers``, ``--scheduler`` for a Dask
cluster); prints a summary per section (at most 100 columns), writes
``report.md`` and ``report.json`` to ``--out``, and stores each finished task
under ``--out``/tasks so that ``--resume`` skips it.  The numbers are the same
bit for bit whatever the backend and the number of workers.

Exit status: 0 every check passed; 1 a check failed; 2 bad usage (one line on
stderr, before any work); 130 interrupted (Ctrl-C): the finished tasks are
stored, a report marked PARTIAL is written, and ``--resume`` completes it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from memgd.proofs_check.campaigns import BackendUnavailable, Progress, ResultStore, Task
from memgd.proofs_check.campaigns.cli import add_arguments, config_from_args
from memgd.proofs_check.report.assemble import Plan, SectionBuilder, build_report
from memgd.proofs_check.report.boxes import weight_box_section
from memgd.proofs_check.report.class_certificates import add_class_summary, class_build, class_tasks
from memgd.proofs_check.report.choose import FILTER_KEYS, apply_filter, describe, parse_filter, pick
from memgd.proofs_check.report.convergence_experiment import convergence_section
from memgd.proofs_check.report.critical_rule import critical_rule_section
from memgd.proofs_check.report.grid_file import load_grid
from memgd.proofs_check.report.metadata import metadata
from memgd.proofs_check.report.reference_oddities import reference_section
from memgd.proofs_check.report.render import check_writable, render_text, update_readme, write_report
from memgd.proofs_check.report.scenarios import default_scenarios, quick_scenarios
from memgd.proofs_check.report.sections import (
    OPTIMIZER_PAIRS, SEARCHES, counterexample_section, optimizer_pair_task, optimizer_section, scenario_section,
    scenario_task, search_task, summary_section,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The report's sections, in order.  To add one: a line here.  A function
# ``my_section(progress) -> Section`` becomes ``SectionBuilder.single("name", my_section)``;
# split work gets ``tasks`` (plan -> list of Task) and ``build`` (plan, done -> Section).
SECTIONS: list[SectionBuilder] = [
    SectionBuilder("summary", "headline figures, from the scenario evaluations",
                   build=lambda plan, done: add_class_summary(summary_section(done.values("scenarios")),
                                                              done.values("class-certificates"))),
    SectionBuilder("scenarios", "per scenario: bound, certificate, exact and PEPit rates, empirical runs, checks",
                   tasks=lambda plan: [Task(scenario_task, {"scenario": s}, s.name) for s in plan.scenarios],
                   build=lambda plan, done: scenario_section(plan.scenarios, evaluations=done.values("scenarios"))[0]),
    SectionBuilder("optimizers", "memory-augmented optimizers against their plain versions",
                   tasks=lambda plan: [Task(optimizer_pair_task, {"names": p}, f"optimizers {p[0]}/{p[1]}")
                                       for p in OPTIMIZER_PAIRS],
                   build=lambda plan, done: optimizer_section(rows=[r for rows in done.values("optimizers")
                                                                     for r in rows]),
                   enabled=lambda plan: plan.full),
    SectionBuilder("class-certificates", "certificates for whole weight classes (one LMI per vertex), T up to 16, "
                   "and the convergence experiment's realized ages", tasks=class_tasks, build=class_build),
    SectionBuilder.single("weight-box", weight_box_section, enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("reference-oddities", reference_section, enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("convergence-experiment", convergence_section,
                          enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder("counterexamples", "hypothesis searches for counterexamples outside the assumptions",
                   tasks=lambda plan: [Task(search_task, {"name": s.__name__}, f"search {s.__name__}")
                                       for s in SEARCHES],
                   build=lambda plan, done: counterexample_section(found=done.values("counterexamples")),
                   enabled=lambda plan: plan.full and not plan.quick),
    SectionBuilder.single("critical-rule", critical_rule_section, enabled=lambda plan: plan.full and not plan.quick),
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
    what.add_argument("--skip", action="append", metavar="SECTION", choices=[b.name for b in SECTIONS],
                      help=f"do not run this section (repeatable): {', '.join(b.name for b in SECTIONS)}")
    out = parser.add_argument_group("output")
    out.add_argument("--out", type=Path, default=Path("memgd-report"),
                     help="folder for report.md, report.json and the stored tasks (default: ./memgd-report)")
    out.add_argument("--resume", action="store_true",
                     help="reuse the tasks stored under --out by an earlier (interrupted) run")
    out.add_argument("--quiet", action="store_true", help="no progress on stderr")
    out.add_argument("--update-readme", type=Path, metavar="README",
                     help="also write the summary table into README's generated block (full grid only)")
    add_arguments(parser)
    return parser.parse_args(argv)


def choose_scenarios(args: argparse.Namespace):
    """The scenarios the arguments select, and whether they are a fixed default set; ValueError if none."""
    if args.grid is not None:
        base = load_grid(args.grid)
    else:
        base = quick_scenarios() if args.quick and not args.scenario else default_scenarios()
    chosen = pick(base, args.scenario) if args.scenario else base
    if args.filter:
        chosen = apply_filter(chosen, parse_filter(args.filter))
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
        if args.update_readme and (args.quick or args.scenario or args.filter or args.grid):
            raise ValueError("--update-readme needs the full default grid (no --quick, --scenario, --filter, --grid)")
        if args.update_readme and not args.update_readme.is_file():
            raise ValueError(f"--update-readme: no file {args.update_readme}")
        config = config_from_args(args)
        scenarios, full = choose_scenarios(args)
        if args.list:
            print("\n".join(describe(s) for s in scenarios))
            return EXIT_OK
        check_writable(args.out)
    except ValueError as err:
        print(f"python -m memgd.proofs_check: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    skip = (set(args.skip or []) | ({"counterexamples"} if args.no_counterexamples else set())
            | ({"convergence-experiment"} if args.no_convergence_experiment else set()))
    plan = Plan(tuple(scenarios), full=full, quick=args.quick, skip=frozenset(skip))
    progress = Progress("quiet" if args.quiet else "auto", "report")
    try:
        run = build_report(SECTIONS, plan, config, store=ResultStore(args.out / "tasks"), resume=args.resume,
                           progress=progress)
    except BackendUnavailable as err:
        print(f"python -m memgd.proofs_check: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    partial = (f"interrupted after {run.done} of {run.total} tasks; the finished ones are stored: rerun the same "
               "command with --resume to complete the report") if run.interrupted else ""
    timing = {"wall_seconds": round(time.perf_counter() - start, 3), "sections": run.timing}
    meta = metadata(arguments=argv, backend=config.backend, workers=config.n_workers, scheduler=config.scheduler,
                    resumed=run.resumed, timing=timing, partial=partial)
    sections = run.sections
    print(render_text(sections))
    md, js = write_report(sections, args.out, meta)
    failed = [c for s in sections for c in s.failed]
    print(f"report written to {md} and {js}")
    print(f"{sum(len(s.checks) for s in sections) - len(failed)} checks passed, {len(failed)} failed")
    if run.interrupted:
        print(f"PARTIAL REPORT: {partial}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.update_readme:
        update_readme(args.update_readme, sections[0])
        print(f"summary table written into {args.update_readme}")
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
