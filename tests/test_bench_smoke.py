"""Every benchmark runs, at a size that takes seconds, and reports the figures its table and BENCHMARKS.md
read (the shape of its output, not its speed); BENCHMARKS.md's generated table is what the code renders."""

import json
import math

import pytest

from memgd.benchmarks import summary
from memgd.benchmarks.__main__ import BENCHMARKS, main

# figures each benchmark must report (what its table and BENCHMARKS.md's generated block read)
KEYS = {
    "memory_overhead": ["memory_ms", "plain_ms", "ratio", "target", "met"],
    "vectorization": ["engine_ms", "python_loop_ms", "speedup_vs_python", "speedup_vs_engine_n1", "met"],
    "scaling": ["times_ms", "exponents"],
    "tiny": ["critical_C10_us", "plain_us", "ratio", "met"],
    "step_checks": ["rows", "met"],
    "screen": ["rows", "count", "met"],
    "certificates": ["rows", "met"],
    "runs": ["rows", "full_arrays_gb"],
    "generation": ["quadratics_s", "tilted_s"],
    "autolyap": ["rows"],
    "suite": ["wall_s", "returncode", "counts"],
    "report_parallel": ["serial_s", "loky2_s", "ratio"],
    "dask_overhead": ["overhead_per_task_s", "median_scenario_s", "overhead_fraction"],
    "grid_sample": ["median_s", "mean_s", "estimated_serial_h"],
    "class_certificates": ["warm", "cold", "restrictions", "exponent_warm_cpu"],
}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One smoke run of every benchmark (figures to JSON, BENCHMARKS.md's block to a copy)."""
    folder = tmp_path_factory.mktemp("bench")
    out, md = folder / "b.json", folder / "BENCHMARKS.md"
    md.write_text(f"# prose\n\n{summary.BEGIN}\nold table\n{summary.END}\n\nmore prose\n")
    results = main(["--smoke", "--json", str(out), "--update", str(md)])
    return results, json.loads(out.read_text()), md


def test_every_benchmark_runs_and_reports_its_figures(smoke):
    results, written, _ = smoke
    assert set(KEYS) == set(BENCHMARKS)
    for name, keys in KEYS.items():
        assert name in written, name
        for key in keys:
            assert key in written[name], (name, key)
        load = written[name]["load"]
        assert len(load) == 2 and all(v >= 0 for v in load)
    assert written["suite"]["returncode"] == 0 and written["suite"]["counts"].get("passed", 0) > 0
    assert written["screen"]["rows"][0]["examples"] == 100 and written["screen"]["rows"][0]["failing"] == 0
    assert all(math.isfinite(r["ratio"]) and r["ratio"] > 0 for r in written["step_checks"]["rows"])
    assert written["vectorization"]["speedup_vs_python"] > 0 and written["report_parallel"]["ratio"] > 0


def test_the_generated_table_is_what_the_code_renders_from_the_same_figures(smoke, tmp_path, capsys):
    """Format, not timing: the block written equals render_block of the figures written to JSON, and
    --from-json re-renders it without running anything."""
    results, written, md = smoke
    assert summary.generated_part(md) == summary.render_block(written)
    text = md.read_text()
    assert text.startswith("# prose\n\n") and text.endswith("\n\nmore prose\n") and "old table" not in text
    rows = [line for line in summary.generated_part(md).splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 3 + 1 + 3 + 6  # header, engine ratios and loop, one screened rule, 3 checks, the rest
    again = tmp_path / "B.md"
    again.write_text(f"{summary.BEGIN}\n{summary.END}\n")
    main(["--update", str(again), "--from-json", str(md.parent / "b.json")])
    assert summary.generated_part(again) == summary.generated_part(md)
    assert summary.generated_part(md) in capsys.readouterr().out


def test_update_refuses_a_file_without_markers(tmp_path):
    path = tmp_path / "B.md"
    path.write_text("no markers here\n")
    with pytest.raises(ValueError, match="no generated block"):
        summary.update_file(path, "table")
