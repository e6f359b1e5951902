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
    assert set(BENCHMARKS) == {"memory_overhead", "vectorization", "scaling", "tiny", "certificates", "suite",
                               "report_parallel", "dask_overhead", "grid_sample"}
    out = tmp_path / "b.json"
    results = main(["--quick", "--only", "tiny", "--json", str(out)])
    written = json.loads(out.read_text())
    assert written["tiny"]["critical_C10_us"] > 0 and "numpy" in written["machine"]
    assert results["quick"] is True
    assert "critical C=10 us/step" in capsys.readouterr().out
