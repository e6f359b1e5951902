"""``python -m memgd.proofs_check``: run the verification report.

Prints a table per section, writes ``report.md`` and ``report.json`` to ``--out``,
and exits 1 if any check failed (2 for bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from memgd.proofs_check.report.critical_rule import critical_rule_section
from memgd.proofs_check.report.sections import (
    counterexample_section, optimizer_section, scenario_section, stderr_progress, summary_section,
)
from memgd.proofs_check.report.convergence_experiment import convergence_section
from memgd.proofs_check.report.reference_oddities import reference_section
from memgd.proofs_check.report.boxes import weight_box_section
from memgd.proofs_check.report.render import render_text, update_readme, write_report
from memgd.proofs_check.report.scenarios import default_scenarios, quick_scenarios


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m memgd.proofs_check", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="run a small subset of the scenarios")
    parser.add_argument("--scenario", action="append", metavar="NAME",
                        help="run only this scenario (repeatable); see --list")
    parser.add_argument("--list", action="store_true", help="list the scenario names and exit")
    parser.add_argument("--out", type=Path, default=Path("memgd-report"),
                        help="folder for report.md and report.json (default: ./memgd-report)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--update-readme", type=Path, metavar="README",
                        help="also write the summary table into README's generated block (full grid only)")
    parser.add_argument("--no-counterexamples", action="store_true",
                        help="skip the counterexample searches (about a minute)")
    parser.add_argument("--no-convergence-experiment", action="store_true",
                        help="skip the paper's convergence experiment on digits (a few CPU minutes)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.update_readme and (args.quick or args.scenario):
        print("error: --update-readme needs the full default grid (no --quick, no --scenario)", file=sys.stderr)
        return 2
    if args.update_readme and not args.update_readme.is_file():
        print(f"error: --update-readme: no file {args.update_readme}", file=sys.stderr)
        return 2
    scenarios = quick_scenarios() if args.quick else default_scenarios()
    if args.list:
        print("\n".join(s.name for s in default_scenarios()))
        return 0
    if args.scenario:
        known = {s.name: s for s in default_scenarios()}
        unknown = [name for name in args.scenario if name not in known]
        if unknown:
            print(f"error: unknown scenario(s) {', '.join(unknown)}; choose from: {', '.join(known)}",
                  file=sys.stderr)
            return 2
        scenarios = [known[name] for name in args.scenario]
    progress = (lambda message: None) if args.quiet else stderr_progress
    scenario_table, evaluations = scenario_section(scenarios, progress)
    sections = [summary_section(evaluations), scenario_table]
    if not args.scenario:
        sections.append(optimizer_section(progress))
        sections.append(weight_box_section(progress))
    if not (args.quick or args.scenario):
        sections.append(reference_section(progress))
        if not args.no_convergence_experiment:
            sections.append(convergence_section(progress))
    if not (args.no_counterexamples or args.quick or args.scenario):
        sections.append(counterexample_section(progress))
    if not (args.quick or args.scenario):
        sections.append(critical_rule_section(progress))
    print(render_text(sections))
    md, js = write_report(sections, args.out)
    if args.update_readme:
        update_readme(args.update_readme, sections[0])
        print(f"summary table written into {args.update_readme}")
    failed = [c for s in sections for c in s.failed]
    print(f"report written to {md} and {js}")
    print(f"{sum(len(s.checks) for s in sections) - len(failed)} checks passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
