"""The benchmark command runs and reports; no timing is asserted (speed is measured by ``python -m memgd.benchmarks``)."""

import json
import math

from memgd.benchmarks.__main__ import BENCHMARKS, main
from memgd.benchmarks.timing import exponent, table


def test_exponent_of_a_fourfold_growth():
    assert exponent(1.0, 4.0) == 1.0
    assert math.isclose(exponent(2.0, 32.0), 2.0)
    assert math.isnan(exponent(0.0, 1.0))


def test_table_aligns_columns():
    lines = table(["a", "long name"], [[1, 0.5], [22, 1234.5]]).splitlines()
    assert len({len(line) for line in lines}) == 1


def test_every_benchmark_is_reachable_from_one_command(tmp_path, capsys):
    assert set(BENCHMARKS) == {"memory_overhead", "vectorization", "scaling", "tiny", "certificates", "runs",
                               "generation", "autolyap", "suite", "report_parallel", "dask_overhead", "grid_sample",
                               "step_checks", "screen", "class_certificates"}
    out = tmp_path / "b.json"
    results = main(["--quick", "--only", "tiny", "--json", str(out)])
    written = json.loads(out.read_text())
    assert written["tiny"]["critical_C10_us"] > 0 and "numpy" in written["machine"]
    assert results["quick"] is True
    assert "critical C=10 us/step" in capsys.readouterr().out


def test_full_record_size_formula_matches_a_real_full_run():
    import numpy as np

    from memgd.benchmarks.footprint import full_record_bytes
    from memgd.solvers import Aggregation, CriticalGradients, make_quadratics, run

    n, steps, C = 7, 150, 10
    r = run(make_quadratics(n, 4, rng=np.random.default_rng(0)), CriticalGradients(C, 0.7), Aggregation("sum"),
            0.02, steps, tol=0.0)
    kept = sum(getattr(r, f).nbytes for f in ("distances", "gaps", "s", "B", "W", "ages", "max_age"))
    assert kept == full_record_bytes(n, steps, C)


def test_footprint_child_reports_its_peak_memory():
    from memgd.benchmarks.footprint import _child

    row = _child(50, 4, 20, "summary")
    assert row.get("error") is None and row["peak_mb"] > 10 and row["all_ran"] and row["record"] == "summary"
