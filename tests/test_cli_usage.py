"""The report's command line says no fast: usage errors before heavy imports, grids listed without
enumerating patterns, grids out of reach refused from their sizes alone (issue 19, item 5 and 6)."""

import json
import subprocess
import sys
from itertools import combinations

import pytest

from memgd.proofs_check.__main__ import main
from memgd.proofs_check.report import pattern_sets
from memgd.proofs_check.report.grid_file import parse_grid, scenarios_from_grid
from memgd.proofs_check.report.pattern_sets import MAX_AGE, AggregationPatternSet, subset_count

HEAVY = ("cvxpy", "PEPit", "sympy", "scipy.optimize", "matplotlib", "hypothesis", "memgd.theory")

# Each case is refused from the arguments alone: run in a fresh interpreter, none may import a heavy module.
USAGE_ERRORS = {
    "unknown option": (["--bogus"], "unrecognized arguments"),
    "bad choice": (["--backend", "threads"], "invalid choice"),
    "bad skip": (["--skip", "nothing"], "invalid choice"),
    "workers": (["--workers", "0"], "workers must be at least 1"),
    "scheduler without dask": (["--scheduler", "tcp://127.0.0.1:1"], "dask backend only"),
    "filter key": (["--filter", "L=100,X=3"], "unknown key 'X'"),
    "filter syntax": (["--filter", "L100"], "is not KEY=VALUE"),
    "grid missing": (["--grid", "{tmp}/missing.toml"], "cannot read it"),
    "grid toml": (["--grid", "{tmp}/broken.toml"], "not valid TOML"),
    "grid key": (["--grid", "{tmp}/badkey.toml"], "unknown key(s) Cmax"),
    "grid out of reach": (["--grid", "{tmp}/t60.toml", "--list"], "class certificates (issue 20"),
    "out not writable": (["--out", "{tmp}/a-file/sub"], "cannot write there"),
    "update-readme": (["--update-readme", "{tmp}/nope.md"], "no file"),
    "memgd verify: no module": (["memgd", "verify", "no_such_module_here:rule"], "cannot import"),
    "memgd report": (["memgd", "report", "--workers", "0"], "workers must be at least 1"),
}

_PROBE = """
import json, sys
from memgd.cli import main as memgd_main
from memgd.proofs_check.__main__ import main
codes = []
for args in json.loads(sys.argv[1]):
    try:
        codes.append(memgd_main(args[1:]) if args[0] == "memgd" else main(args))
    except SystemExit as stop:  # argparse's own errors
        codes.append(stop.code)
print(json.dumps({"codes": codes, "heavy": [m for m in json.loads(sys.argv[2]) if m in sys.modules]}))
"""


def test_usage_errors_exit_2_with_one_line_before_any_heavy_import(tmp_path):
    """What is imported when each usage error is raised, in a fresh interpreter: none of cvxpy, PEPit,
    sympy, SciPy's optimizers, matplotlib, hypothesis or the theory (machine-independent, unlike a time)."""
    (tmp_path / "broken.toml").write_text("not = [toml")
    (tmp_path / "badkey.toml").write_text("[[adversary]]\nCmax = [3]\n")
    (tmp_path / "t60.toml").write_text("[[adversary]]\nT = [60]\n")
    (tmp_path / "a-file").write_text("")
    cases = [[a.format(tmp=tmp_path) for a in args] + (["--quiet"] if args[:2] != ["memgd", "verify"] else [])
             for args, _ in USAGE_ERRORS.values()]
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(cases), json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.splitlines()[-1])
    assert found["codes"] == [2] * len(cases), dict(zip(USAGE_ERRORS, found["codes"]))
    assert found["heavy"] == []
    lines = proc.stderr.splitlines()
    assert len(lines) == len(cases), proc.stderr  # one line each
    for (name, (_, message)), line in zip(USAGE_ERRORS.items(), lines):
        assert message in line, (name, line)


def test_subset_counts_match_enumeration_and_the_documented_limits():
    """|Pi| = sum_{m<=C} binom(T, m), checked against itertools.combinations; the limits quoted in the
    grid file's docs (C = T up to T = 10, C = 2 up to T = 44, C = 1 up to T = 64) follow from it."""
    for T in range(1, 9):
        for C in range(1, T + 1):
            listed = [S for m in range(1, C + 1) for S in combinations(range(1, T + 1), m)]
            assert subset_count(T, C) == len(listed) == len(AggregationPatternSet("sum", T, C))
            assert subset_count(T, C, include_empty=True) == len(listed) + 1
    assert subset_count(60, 60) == 2**60 - 1 and subset_count(60, 2) == 60 * 61 // 2
    largest = {C: max(T for T in range(1, MAX_AGE + 1) if pattern_sets.reach_error(T, T if C == "T" else min(C, T))
                      is None) for C in (1, 2, "T")}
    assert largest == {1: 64, 2: 44, "T": 10}


def test_a_grid_with_T_60_lists_without_enumerating_a_pattern(tmp_path, capsys, monkeypatch):
    """Listing builds every scenario (names, steps, notes) yet computes nothing per pattern: the
    enumeration and the per-pattern critical step are made to fail, and are never reached."""
    import sys

    import memgd.proofs_check.certificates.patterns as patterns
    import memgd.proofs_check.report.grid_file  # noqa: F401  (listing's modules, loaded so their names are patched)
    import memgd.proofs_check.report.scenarios  # noqa: F401
    import memgd.theory

    def forbidden(*args, **kwargs):
        raise AssertionError("per-pattern work while listing")

    # patched in every loaded module that holds them, and restored after: a module imported during the test
    # would otherwise keep the forbidden function for the rest of the session
    for module in [m for name, m in list(sys.modules.items()) if name.startswith("memgd")]:
        for name, real in (("aggregation_patterns", patterns.aggregation_patterns),
                           ("critical_step", memgd.theory.critical_step)):
            if getattr(module, name, None) is real:
                monkeypatch.setattr(module, name, forbidden)
    grid = tmp_path / "t60.toml"
    grid.write_text("[[adversary]]\nL = [10, 100]\nT = [60]\nC = [1]\n")
    assert main(["--grid", str(grid), "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    # per (L, aggregation): Theorem 1's and Theorem 2's best steps where they exist, and 0.5, 0.9 x the limit
    assert len(names) == len(set(names)) and {n.rsplit("-", 1)[1] for n in names} <= {"thm", "thm2", "0.5lim",
                                                                                        "0.9lim"}
    assert sum(n.endswith("-0.5lim") for n in names) == 2 * 3 and all("-T60-C1-" in n for n in names)
    assert any("alpha=0.5 x lim" in line for line in lines)
    # the same scenarios, made usable: their pattern sets know their size without listing them
    scenarios = scenarios_from_grid(grid.read_text())
    assert {len(s.pattern_set) for s in scenarios} == {60}


def test_a_grid_out_of_reach_is_refused_with_one_line_naming_the_sizes(tmp_path, capsys):
    grid = tmp_path / "big.toml"
    grid.write_text("[[adversary]]\nT = [3, 60]\n")  # C defaults to [1, 2, "T"]: 2^60 - 1 subsets at T = 60
    assert main(["--grid", str(grid), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[[adversary]] #1" in err and "T = 60 with C = 60" in err
    assert f"{2**60 - 1:,} patterns" in err and "class certificates (issue 20" in err
    assert not (tmp_path / "out").exists()  # refused before any work
    for text, message in [("[[adversary]]\nT = [65]\nC = [1]", "T = 65"),
                          ("[[adversary]]\nT = [45]\nC = [2]", "1,035 patterns"),
                          ("[[adversary]]\nT = [11]\nC = ['T']", "2,047 patterns"),
                          ("[[adversary]]\nT = [1]\nC = [2]", "no C is <= any T"),
                          ("[[adversary]]\nC = [0]", "C must be an integer >= 1")]:
        with pytest.raises(ValueError, match=None) as info:
            parse_grid(text, "g.toml")
        assert message in str(info.value) and "\n" not in str(info.value), text
    assert len(parse_grid("[[adversary]]\nT = [44]\nC = [2]\n[[adversary]]\nT = [10]\nC = ['T']\n").tables) == 2  # at the limits


def test_a_pattern_set_out_of_reach_refuses_to_enumerate():
    big = AggregationPatternSet("mean", 60, 60)
    assert len(big) == 2**60 - 1 and big.max_age == 60
    with pytest.raises(ValueError, match="out of reach"):
        iter(big)
    small = AggregationPatternSet("mean", 3, 2)
    from memgd.proofs_check.certificates.patterns import aggregation_patterns

    assert tuple(small) == aggregation_patterns("mean", 3, 2) and small[0] == aggregation_patterns("mean", 3, 2)[0]


def test_lazy_steps_equal_the_eager_formulas():
    """A grid scenario's step at a fraction of the limit is fraction x min over its patterns of the
    critical step, and its "thm2" step is theorem2_step, computed when first asked for."""
    from memgd.proofs_check.certificates.patterns import aggregation_patterns
    from memgd.proofs_check.report.scenarios import grid_scenarios, theorem2_step
    from memgd.solvers import Aggregation
    from memgd.theory import critical_step

    scenarios = {s.name: s for s in grid_scenarios(L_values=(10.0,), ages=(3,), aggregations=("mean",),
                                                  fractions=(0.5,), capacities=(2,))}
    assert set(scenarios) == {"L10-T3-C2-mean-thm", "L10-T3-C2-mean-thm2", "L10-T3-C2-mean-0.5lim"}
    limit = min(critical_step(1.0, 10.0, p) for p in aggregation_patterns("mean", 3, 2))
    lim = scenarios["L10-T3-C2-mean-0.5lim"]
    assert "alpha" not in vars(lim) and lim.alpha == 0.5 * limit and lim.stability_limit == limit
    assert scenarios["L10-T3-C2-mean-thm2"].alpha == theorem2_step(Aggregation("mean"), 1.0, 10.0, 3, 2)
