"""The benchmark runs end to end on a small history, and its figures are what it says they
are. Its timings are not checked here: `make bench` prints them (README, Performance)."""

from __future__ import annotations

import importlib.util
import json
import statistics
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pipeline.py"
REPORTS = 50_000  # the least for which 1 % more is a new report or more per machine


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_pipeline", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, float]:
    scratch = tmp_path_factory.mktemp("bench")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(scratch / "dbt-target"))
        patch.setenv("DBT_LOG_PATH", str(scratch / "dbt-logs"))
        out = scratch / "figures.json"
        bench = _bench_module()
        assert (
            bench.main([f"--reports={REPORTS}", "--attempts=2", "--skip-landing", f"--json={out}"])
            == 0
        )
    return json.loads(out.read_text()), bench.INCREMENT_SHARE


def test_the_history_doubles_and_the_increment_holds_late_reports(figures) -> None:
    result, share = figures
    history, doubled = result["history"], result["doubled_history"]
    machines = result["machines"]
    # whole reports per machine: the history is N rounded down to a multiple of 500
    assert REPORTS - machines <= history["history_reports"] <= REPORTS
    assert 2 * REPORTS - machines <= doubled["history_reports"] <= 2 * REPORTS
    assert result["increment"] == round(REPORTS * share)
    for size in (history, doubled):
        assert size["late_reports"] > 0  # late reports for old days are part of each increment
        assert size["increment_reports"] == pytest.approx(result["increment"], rel=0.25)
        assert size["history_files"] > 0 and size["increment_files"] > 0


def test_each_ratio_is_the_figures_it_names(figures) -> None:
    result, _ = figures
    for size in (result["history"], result["doubled_history"]):
        # the figures are printed and stored to the millisecond
        assert size["floor_seconds"] == pytest.approx(
            statistics.mean(size["floor_runs_seconds"]), abs=1e-3
        )
        assert size["full_build_to_floor"] == pytest.approx(
            size["full_build_seconds"] / size["floor_seconds"], rel=1e-2
        )
        assert result["incremental_attempts"] == 2
        runs = size["incremental_build_runs_seconds"]
        assert len(runs) == 2 and len(size["incremental_build_runs_cpu_user_kernel_seconds"]) == 2
        assert size["incremental_build_seconds"] == pytest.approx(statistics.median(runs), abs=1e-3)
        assert size["incremental_build_to_full_build"] == pytest.approx(
            size["incremental_build_seconds"] / size["full_build_mean_seconds"], rel=1e-2
        )
        assert size["full_build_slowest_nodes"] and size["incremental_build_slowest_nodes"]
    growth = (
        result["doubled_history"]["incremental_build_seconds"]
        / result["history"]["incremental_build_seconds"]
    )
    assert result["incremental_build_growth_when_history_doubles"] == pytest.approx(
        growth, rel=1e-2
    )
