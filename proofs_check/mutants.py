r"""Curated semantic mutations of the package, and the harness that shows each one is caught.

A *mutation* is one textual change to one source file that makes a claim of the package
wrong: a theorem's constant or exponent (including the two false Theorem 2 variants of issue
22: no factor M in the step condition, T instead of T^2), a comparison's step index or
tolerance (the run check against the bound at k - 1), a lower bound's search (the switching
search returning the single-pattern rate), a built-in rule's declared constant, the critical
rule's age bound, Theorem 1's root, signed weights admitted to Theorem 2.  Each names the
falsifier of :mod:`memgd.proofs_check.falsification` (and the oracles of it) that must catch
it: that check is part of the default test suite (short profile) and of the report (long
profile), so a caught mutation turns both red.

Two ways to apply one, from the same text (so they cannot drift apart):

- in this process (:func:`applied`): the module's source is executed again with the change, and
  every object it defines that changed is swapped, for the duration, into every loaded
  ``memgd`` module that holds it (by identity; names of numbers and strings by name).  Used by
  the tests (``tests/test_mutations.py``, one test per mutation) and by
  ``python -m memgd.proofs_check.mutants``;
- on a copy of the source tree (``--report``): the package is copied to a temporary folder, the
  file changed there, and the report run on the copy (``python -m memgd.proofs_check --quick
  --falsification short`` by default), which must exit with status 1.

Usage::

    # every mutation, in process: caught or not
    python -m memgd.proofs_check.mutants
    # what each one changes and what must catch it
    python -m memgd.proofs_check.mutants --list
    # each applied to a copy of the source, the report run on the copy
    python -m memgd.proofs_check.mutants --report
    # one mutation; the arguments after -- go to the report
    python -m memgd.proofs_check.mutants --only t2-no-M --report \
        -- --quick --falsification short --skip optimizers

Exit status 0 when every mutation is caught, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import memgd


@dataclass(frozen=True)
class Mutation:
    """``old`` (occurring exactly once in ``module``'s source) replaced by ``new``."""

    name: str
    module: str
    old: str
    new: str
    why: str
    claim: str                       # the falsifier that must catch it
    oracles: tuple[str, ...] | None  # the oracles of that falsifier that catch it (None: all)

    @property
    def path(self) -> Path:
        return Path(importlib.import_module(self.module).__file__)

    def source(self) -> tuple[str, str]:
        """(original, mutated) source; ValueError if ``old`` does not occur exactly once."""
        text = self.path.read_text()
        count = text.count(self.old)
        if count != 1:
            raise ValueError(f"mutation {self.name!r}: its text occurs {count} times in {self.path}, expected once "
                             "(the source changed: update the mutation)")
        return text, text.replace(self.old, self.new)


def M(name, module, old, new, why, claim, oracles=None) -> Mutation:
    return Mutation(name, module, old, new, why, claim, tuple(oracles) if oracles else None)


CURATED: tuple[Mutation, ...] = (
    # ---------------------------------------------------------------- Theorem 2
    M("t2-no-M", "memgd.theory.theorem2",
      "PSI = alpha * L * W * (1 + alpha * C_COEF * B * T**2 * M_WEIGHT) / lam",
      "PSI = alpha * L * W * (1 + alpha * C_COEF * B * T**2) / lam",
      "the step condition without the factor M (false: d_k = g_(k-1), kappa 1.5, rate 0.767 < exact 0.786)",
      "Theorem 2", ("grid",)),
    M("t2-T-not-T2", "memgd.theory.theorem2",
      "PSI = alpha * L * W * (1 + alpha * C_COEF * B * T**2 * M_WEIGHT) / lam",
      "PSI = alpha * L * W * (1 + alpha * C_COEF * B * T * M_WEIGHT) / lam",
      "T instead of T^2 in the step condition (false: d_k = g_(k-5) diverges where it claims 0.984)",
      "Theorem 2", ("grid",)),
    M("t2-M-exponent", "memgd.theory.theorem2",
      "M_WEIGHT = (1 - 2 * alpha * mu * s_lo) ** (-T)", "M_WEIGHT = (1 - 2 * alpha * mu * s_lo) ** (1 - T)",
      "M = (1 - 2 alpha mu s_lo)^(-(T-1)): one factor short", "Theorem 2", ("grid",)),
    M("t2-rate-10pct", "memgd.theory.theorem2",
      "RHO_SQ = 1 - alpha * mu * (s_lo", "RHO_SQ = 1 - 1.1 * alpha * mu * (s_lo",
      "the contraction 10% too fast", "Theorem 2", ("tight",)),
    M("t2-signed-admitted", "memgd.theory.constants2",
      'return np.where(nn & (v["s_lo"] > 0), best, np.inf)', 'return np.where(v["s_lo"] > 0, best, np.inf)',
      "rate2 ignores nonnegative=False: signed weights admitted to Theorem 2", "Theorem 2", ("refusal",)),
    M("t2-larger-sum", "memgd.theory.constants2",
      'top = np.where(v["s_lo"] > 0, np.minimum(v["s_lo"], (0.5 - _EPS)',
      'top = np.where(v["s_lo"] > 0, np.minimum(1.25 * v["s_lo"], (0.5 - _EPS)',
      "the best s' searched up to 1.25 s_lo instead of s_lo", "Theorem 2", ("tight",)),
    M("t2-edge-beyond", "memgd.theory.constants2",
      "    return as_output(np.where(pos, lo, 0.0))\n\n\ndef _finite_at",
      "    return as_output(np.where(pos, hi, 0.0))\n\n\ndef _finite_at",
      "alpha_max2 returns the upper end of its bracket (a step where the rate is inf)", "Theorem 2", ("edge",)),
    M("t2-rounding-inward", "memgd.theory.constants2",
      "RHO_SQ_ROUNDING = 16 * np.finfo(np.float64).eps", "RHO_SQ_ROUNDING = -16 * np.finfo(np.float64).eps",
      "rho_2^2 rounded toward the unsafe side", "Theorem 2", ("tight",)),
    # ---------------------------------------------------------------- Theorems 1 and 1b
    M("t1-root", "memgd.theory.theorem", "    delay=2 * T,\n)", "    delay=0 * T,\n)",
      "Theorem 1's Halanay root without its window (rho = p + q; false: d_k = g_(k-1) at kappa 1 converges at "
      "0.949 where it claims 0.91)", "Theorem 1", ("grid",)),
    M("t1-p-10pct", "memgd.theory.theorem", "P = 1 - alpha * s_lo * mu", "P = 1 - 1.1 * alpha * s_lo * mu",
      "the contraction of the current-gradient part 10% too fast", "Theorem 1", ("tight",)),
    M("t1-step-hypothesis", "memgd.theory.constants", "(v[\"mu\"] + v[\"L\"]) <= 2.0 * (1.0 - STEP_MARGIN)",
      "(v[\"mu\"] + v[\"L\"]) <= 4.0 * (1.0 - STEP_MARGIN)", "steps up to 4/(mu+L) admitted",
      "Theorem 1", ("refusal",)),
    # ---------------------------------------------------------------- critical rule
    M("age-off-by-one", "memgd.proofs_check.critical_rule.ages", "return np.where(holds, c + extra, np.inf)",
      "return np.where(holds, c + extra - 1, np.inf)", "the age bound one step short", "Age theorem A", ("adversary",)),
    M("age-no-top-c", "memgd.proofs_check.critical_rule.ages", "return np.where(holds, c + extra, np.inf)",
      "return np.where(holds, 1 + extra, np.inf)", "top_c replaced by 1 in the age bound", "Age theorem A",
      ("adversary",)),
    M("age-tie-floor", "memgd.proofs_check.critical_rule.ages",
      "        out[i] = _decide_exactly(float(a[i]), float(b[i]), float(k[i]), float(t[i]), lo[i], hi[i])",
      "        out[i] = lo[i]", "the plain floor of ln(kappa)/ln(r/decay) at a tie (issue 22: 5 instead of 6)",
      "Age theorem A", ("tight",)),
    M("age-transient-sign", "memgd.proofs_check.critical_rule.ages", "num = log_k - log_t", "num = log_k + log_t",
      "Theorem A' with ln(kappa c) instead of ln(kappa / c)", "Age theorem A'", ("adversary",)),
    M("floor-10pct", "memgd.proofs_check.critical_rule.ages", "lhs = 1.0 - aL * worst", "lhs = 1.0 - 0.9 * aL * worst",
      "the a priori floor condition with alpha L 10% too small", "Age theorem B (a priori floor)", ("tight",)),
    # ---------------------------------------------------------------- the run comparison
    M("run-check-off-by-one", "memgd.proofs_check.properties.bound_check",
      "transient * np.where(applies, rate, 0.0) ** k", "transient * np.where(applies, rate, 0.0) ** (k - 1)",
      "r_k compared with the bound at step k - 1", "Run check (r_k <= C rho^k r_0 at every step)", None),
    M("run-check-first-step", "memgd.proofs_check.properties.bound_check",
      "measurable = np.isfinite(r) & applies & (k >= 1)", "measurable = np.isfinite(r) & applies & (k >= 2)",
      "the first step never compared", "Run check (r_k <= C rho^k r_0 at every step)", None),
    M("run-check-tolerance", "memgd.proofs_check.properties.bound_check", "RESOLUTION_ULPS = 64",
      "RESOLUTION_ULPS = 64 * 4096", "the comparison's tolerance 4096 times its stated resolution",
      "Run check (r_k <= C rho^k r_0 at every step)", None),
    M("run-check-transient", "memgd.proofs_check.properties.bound_check",
      "envelope = np.where(applies, transient * np.where(applies, rate, 0.0) ** k, np.inf) * r0",
      "envelope = np.where(applies, 2.0 * transient * np.where(applies, rate, 0.0) ** k, np.inf) * r0",
      "the envelope doubled", "Run check (r_k <= C rho^k r_0 at every step)", None),
    # ---------------------------------------------------------------- lower bounds
    M("switching-returns-quadratic", "memgd.proofs_check.lower_bounds.quadratic",
      "    if len(pats) == 1:\n        return verify_witness(mu, L, alpha, start)",
      "    if True:\n        return verify_witness(mu, L, alpha, start)",
      "the switching search returns the best single pattern's quadratic rate",
      "Lower-bound searches (switching, fixed pattern, PEPit)", ("switching",)),
    M("fixed-pattern-wrong-h", "memgd.proofs_check.lower_bounds.quadratic",
      'QuadraticWitness("fixed pattern", float(q.rate), float(q.h_worst)',
      'QuadraticWitness("fixed pattern", float(q.rate), float(mu)',
      "the fixed-pattern bound's witness eigenvalue replaced by mu",
      "Lower-bound searches (switching, fixed pattern, PEPit)", ("fixed",)),
    # ---------------------------------------------------------------- declared constants of the built-in rules
    M("decl-aggregation-B", "memgd.solvers.combination", "mem_mass = np.where(used, half * absk, 0.0)",
      "mem_mass = np.where(used, 0.9 * half * absk, 0.0)", "aggregations declare 90% of their memory mass",
      "Declared constants of the built-in rules", ("runs",)),
    M("decl-mean-B", "memgd.solvers.combination", "mem_mass = np.where(used, m * absk / (m + 1), 0.0)",
      "mem_mass = np.where(used, m * absk / (m + 2), 0.0)", "'mean' declares m/(m+2) instead of m/(m+1)",
      "Declared constants of the built-in rules", ("runs",)),
    M("decl-fixed-signed-sum", "memgd.solvers.combination",
      "mem_sum = np.concatenate([[0.0], np.cumsum(w)])", "mem_sum = np.concatenate([[0.0], np.cumsum(np.abs(w))])",
      "fixed weights declare their sums as if every weight were positive",
      "Declared constants of the built-in rules", ("runs",)),
    M("decl-ageweights-W", "memgd.solvers.combination",
      "abs(a) + float(np.abs(w).sum()))", "abs(a) + float(w.sum()))",
      "age weights declare W from the signed sum", "Declared constants of the built-in rules", ("runs",)),
    M("decl-fifo-max-age", "memgd.solvers.selection.window",
      "    @property\n    def max_age(self) -> int:\n        return self.capacity",
      "    @property\n    def max_age(self) -> int:\n        return max(self.capacity - 1, 1)",
      "Fifo declares its largest age one short", "Declared constants of the built-in rules", ("runs",)),
)

BY_NAME = {m.name: m for m in CURATED}
_MISSING = object()
_PLAIN = (int, float, complex, str, bytes, bool, type(None))


def _loaded_memgd_modules() -> list:
    return [m for name, m in list(sys.modules.items()) if (name == "memgd" or name.startswith("memgd.")) and m]


@contextlib.contextmanager
def applied(mutation: Mutation) -> Iterator[None]:
    """Apply ``mutation`` in this process for the duration of the ``with`` block (everything is restored)."""
    mod = importlib.import_module(mutation.module)
    _, mutated = mutation.source()
    ns = {"__name__": mod.__name__, "__file__": mod.__file__, "__package__": mod.__package__, "__spec__": mod.__spec__,
          "__builtins__": __builtins__}
    exec(compile(mutated, mod.__file__, "exec"), ns)
    undo: list[tuple[object, str, object]] = []
    try:
        for name, new in ns.items():
            if name.startswith("__"):
                continue
            old = mod.__dict__.get(name, _MISSING)
            if old is _MISSING or old is new:
                continue
            plain = isinstance(old, _PLAIN)
            for other in _loaded_memgd_modules():
                for attr, value in list(vars(other).items()):
                    if value is old and (not plain or attr == name):
                        undo.append((other, attr, value))
                        setattr(other, attr, new)
        yield
    finally:
        for target, attr, value in reversed(undo):
            setattr(target, attr, value)


def caught_in_process(mutation: Mutation, profile: str = "short") -> tuple[bool, str]:
    """(caught, detail): whether the mutation's falsifier fails while it is applied."""
    from memgd.proofs_check.falsification import falsify

    with applied(mutation):
        result = falsify(mutation.claim, profile, mutation.oracles)
    failed = result.failed
    return bool(failed), "; ".join(f"{v.name} [{v.detail}]" for v in failed)[:400] or "every verdict passed"


# ---------------------------------------------------------------------------------------------- on a copy

PACKAGE_DIRS = {"memgd": "cli", "memgd.solvers": "solvers", "memgd.theory": "theory",
                "memgd.proofs_check": "proofs_check", "memgd.figures": "figures", "memgd.benchmarks": "benchmarks"}


def copy_package(dest: Path) -> Path:
    """Copy the installed memgd (its six top-level folders) into ``dest/memgd``; returns ``dest``
    (put it first on PYTHONPATH: it is then imported instead of the installation)."""
    root = dest / "memgd"
    for package, _ in PACKAGE_DIRS.items():
        src = Path(importlib.import_module(package).__file__).parent
        target = root if package == "memgd" else root / package.split(".", 1)[1]
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        if package == "memgd":
            target.mkdir(parents=True, exist_ok=True)
            for f in src.iterdir():
                if f.is_file() and f.suffix in (".py", ".typed"):
                    shutil.copy2(f, target / f.name)
        else:
            shutil.copytree(src, target, ignore=ignore)
    return dest


def copied_path(mutation: Mutation, dest: Path) -> Path:
    """Where the mutated module lives in the copy made by :func:`copy_package`."""
    parts = mutation.module.split(".")
    for package in sorted(PACKAGE_DIRS, key=len, reverse=True):
        if mutation.module.startswith(package + "."):
            rel = Path(*package.split(".")[1:], *mutation.module[len(package) + 1:].split("."))
            return dest / "memgd" / rel.with_suffix(".py")
    return dest / Path(*parts).with_suffix(".py")


def report_on_copy(mutation: Mutation | None, report_args: list[str], workdir: Path) -> tuple[int, str, float]:
    """Run the report on a copy of the package with ``mutation`` applied (None: unmutated); (exit status,
    failed checks, seconds)."""
    dest = copy_package(workdir / "src")
    if mutation is not None:
        _, mutated = mutation.source()
        copied_path(mutation, dest).write_text(mutated)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(dest), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               PYTHONDONTWRITEBYTECODE="1")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "memgd.proofs_check", *report_args, "--out", str(workdir / "out"),
                           "--quiet"], env=env, capture_output=True, text=True)
    failed = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("FAILED")]
    shutil.rmtree(dest, ignore_errors=True)
    return proc.returncode, "; ".join(failed)[:400], time.perf_counter() - start


DEFAULT_REPORT_ARGS = ["--quick", "--falsification", "short", "--backend", "serial"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m memgd.proofs_check.mutants",
                                     description="Apply each curated mutation and show which check catches it.")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--only", action="append", metavar="NAME", help="only this mutation (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the in-process results as a Markdown table")
    parser.add_argument("--report", action="store_true",
                        help="apply each to a copy of the source and run the report there (exit 1 = caught)")
    parser.add_argument("report_args", nargs="*", help=f"report arguments after -- (default: {DEFAULT_REPORT_ARGS})")
    args = parser.parse_args(argv)
    unknown = [n for n in (args.only or []) if n not in BY_NAME]
    if unknown:
        print(f"--only: unknown mutation {unknown[0]!r}; see --list", file=sys.stderr)
        return 2
    chosen = [BY_NAME[n] for n in args.only] if args.only else list(CURATED)
    if args.list:
        for m in chosen:
            print(f"{m.name:28s} {m.module}: {m.why}\n{'':28s} caught by: {m.claim}"
                  + (f" ({', '.join(m.oracles)})" if m.oracles else ""))
        return 0
    missed = 0
    if args.report:
        report_args = args.report_args or DEFAULT_REPORT_ARGS
        with tempfile.TemporaryDirectory(prefix="memgd-mutants-") as tmp:
            status, failed, seconds = report_on_copy(None, report_args, Path(tmp) / "unmutated")
            print(f"{'(unmutated)':28s} exit {status} in {seconds:.0f} s" + (f": {failed}" if failed else ""))
            if status != 0:
                print("the unmutated report is not green: nothing can be concluded", file=sys.stderr)
                return 1
            for i, m in enumerate(chosen):
                status, failed, seconds = report_on_copy(m, report_args, Path(tmp) / f"m{i}")
                ok = status == 1
                missed += not ok
                print(f"{m.name:28s} exit {status} in {seconds:.0f} s: {'caught' if ok else 'NOT CAUGHT'}"
                      + (f" ({failed})" if failed else ""), flush=True)
    else:
        if args.markdown:
            print("| mutation | what it changes | caught by | failed verdict |\n|---|---|---|---|")
        for m in chosen:
            start = time.perf_counter()
            ok, detail = caught_in_process(m)
            missed += not ok
            if args.markdown:
                by = m.claim + (f" ({', '.join(m.oracles)})" if m.oracles else "")
                verdict = detail.split(" [", 1)[0] if ok else "NOT CAUGHT"
                print(f"| `{m.name}` | {m.why} | {by} | {verdict.replace('|', '/')} |", flush=True)
            else:
                print(f"{m.name:28s} {'caught' if ok else 'NOT CAUGHT'} by {m.claim} in "
                      f"{time.perf_counter() - start:.1f} s: {detail[:160]}", flush=True)
    print(f"{len(chosen) - missed} of {len(chosen)} mutations caught")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
