"""The ``memgd`` command: one entry point for the report, the figures, the benchmarks and ``verify``.

``memgd report ...`` is ``python -m memgd.proofs_check ...``, ``memgd figures ...`` is
``python -m memgd.figures ...`` and ``memgd bench ...`` is ``python -m memgd.benchmarks ...``:
the arguments after the subcommand go to that program unchanged.  ``memgd verify MODULE:NAME``
imports ``NAME`` from ``MODULE`` (a dotted module found from the working directory, or a ``.py``
file path whose folder goes first on ``sys.path``, as for ``python FILE.py``) and property-tests it
with :func:`memgd.proofs_check.verify_rule`; ``NAME`` is a ``(selection, combination)`` pair or a
function of no arguments returning one.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path

from memgd import __version__

SUBCOMMANDS = {
    "report": "run the verification report (python -m memgd.proofs_check)",
    "figures": "draw the figures (python -m memgd.figures)",
    "bench": "run the benchmarks (python -m memgd.benchmarks)",
    "verify": "property-test a memory rule: memgd verify MODULE:NAME",
}


def _load(target: str):
    """The object ``NAME`` of ``MODULE:NAME``; ``MODULE`` may be a dotted name or a ``.py`` path."""
    module_name, sep, name = target.partition(":")
    if not sep or not module_name or not name:
        raise ValueError(f"rule must be MODULE:NAME (for example my_rules:fifo_pair), got {target!r}")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise ValueError(f"rule: no file {path}")
        folder = str(path.resolve().parent)
        if folder not in sys.path:  # as for `python FILE.py`: the file imports its sibling modules
            sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses and pickling look classes up by module name
        spec.loader.exec_module(module)
    else:
        sys.path.insert(0, str(Path.cwd()))
        module = importlib.import_module(module_name)
    if not hasattr(module, name):
        raise ValueError(f"rule: module {module_name!r} has no attribute {name!r}")
    obj = getattr(module, name)
    pair = obj() if callable(obj) else obj
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise ValueError(f"rule: {target} must be a (selection, combination) pair or a function returning one, "
                         f"got {type(pair).__name__}")
    return pair


def verify_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="memgd verify", description=SUBCOMMANDS["verify"])
    parser.add_argument("rule", metavar="MODULE:NAME")
    parser.add_argument("--max-examples", type=int, default=50, help="hypothesis examples (default 50)")
    parser.add_argument("--max-kappa", type=float, default=1e3, help="largest condition number drawn (default 1e3)")
    parser.add_argument("--screen-examples", type=int, default=10_000,
                        help="examples screened in batched runs before hypothesis's (default 10000; 0: none)")
    args = parser.parse_args(argv)
    try:
        selection, combination = _load(args.rule)
    except (ImportError, SyntaxError) as err:
        print(f"memgd verify: error: cannot import {args.rule}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    except ValueError as err:
        print(f"memgd verify: error: {err}", file=sys.stderr)
        return 2
    from memgd.proofs_check import RuleViolation, verify_rule  # heavy (hypothesis, sympy): after the usage checks
    from memgd.solvers.rule_checks import RuleCheckError

    try:
        report = verify_rule(selection, combination, max_examples=args.max_examples, max_kappa=args.max_kappa,
                             screen_examples=args.screen_examples)
    except (ValueError, RuleCheckError) as err:  # bad arguments, or a rule that breaks the interface
        print(f"memgd verify: error: {err}", file=sys.stderr)
        return 2
    except RuleViolation as violation:
        print(f"memgd verify: the rule violates the theorem:\n{violation}", file=sys.stderr)
        return 1
    print(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("--version", "-V"):
        print(f"memgd {__version__}")
        return 0
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in SUBCOMMANDS:
        lines = ["usage: memgd {report,figures,bench,verify} [ARGS ...]", "       memgd --version", ""]
        lines += [f"  {name:<8} {text}" for name, text in SUBCOMMANDS.items()]
        lines += ["", "memgd SUBCOMMAND --help shows that subcommand's options."]
        help_asked = bool(argv) and argv[0] in ("-h", "--help")
        if argv and not help_asked:
            lines.insert(0, f"memgd: error: unknown subcommand {argv[0]!r}")
        print("\n".join(lines), file=sys.stdout if help_asked else sys.stderr)
        return 0 if help_asked else 2
    command, rest = argv[0], argv[1:]
    if command == "report":
        from memgd.proofs_check.__main__ import main as report_main
        return report_main(rest)
    if command == "figures":
        from memgd.figures.cli import main as figures_main
        return figures_main(rest)
    if command == "bench":
        from memgd.benchmarks.__main__ import main as bench_main
        bench_main(rest)
        return 0
    return verify_main(rest)
