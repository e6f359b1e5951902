"""The report's command line: exit codes, outputs and argument errors."""

import json

from memgd.proofs_check.__main__ import main
from memgd.proofs_check.report.scenarios import default_scenarios


def test_single_scenario_writes_matching_markdown_and_json(tmp_path, capsys):
    code = main(["--scenario", "fifo-sum-T1", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["passed"] is True
    table = next(sec for sec in doc["sections"] if sec["title"].startswith("Scenarios"))
    row = table["rows"][0]
    assert row["scenario"] == "fifo-sum-T1"
    # fixed pattern d = g_k + g_{k-1} at alpha = 0.05 on [1, 10]: its exact quadratic rate is the larger
    # root of z^2 - 0.95 z + 0.05 (h = L), 0.894080 (docs/math/certificates.md)
    assert abs(row["exact quad"] - (0.95 + (0.95**2 - 0.2) ** 0.5) / 2) < 1e-9
    assert 0.85 < row["worst empirical"] <= row["exact quad"] + 1e-3
    # Theorem 1 is vacuous at this step: the bound is stored as null with its reason beside it
    assert row["bound"] is None and row["_reasons"]["bound"].startswith("vacuous")
    assert row["verdict"] == "ok, bound vacuous"
    assert "fifo-sum-T1" in (tmp_path / "report.md").read_text()
    assert "checks passed" in capsys.readouterr().out


def test_unknown_scenario_is_an_argument_error_not_a_traceback(tmp_path, capsys):
    assert main(["--scenario", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_unknown_scenario_suggests_the_closest_names_on_one_line(tmp_path, capsys):
    assert main(["--scenario", "fifo-sum-T2", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "closest: fifo-sum-T1" in err and "L100-critical" not in err


def test_list_names_every_scenario(capsys):
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == [s.name for s in default_scenarios()] and "critical-mean-0.99" in names and "gd" in names
    assert all(len(line) <= 100 for line in lines)
    assert "maximum-age adversary" in lines[names.index("oldest-sum-T3C2")]
