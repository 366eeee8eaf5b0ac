"""`python -m dbt_runner` end to end: DuckDB target, a few landed reports, S3 on moto."""

from __future__ import annotations

import json

from tests.runner.conftest import copy_project, land, run_runner


def _summary(s3, run_id):
    return json.loads(s3.read(f"dbt-runs/{run_id}/runner.json"))


def test_a_successful_run_uploads_results_freshness_and_docs(tmp_path, s3):
    land(tmp_path / "home")
    result = run_runner(tmp_path, s3, run_id="run-success")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    keys = s3.keys("dbt-runs/run-success/")
    for key in (
        "main/manifest.json",
        "main/run_results.json",
        "freshness/sources.json",
        "docs/index.html",
        "docs/static_index.html",
        "docs/catalog.json",
        "runner.json",
    ):
        assert f"dbt-runs/run-success/{key}" in keys, keys
    run_results = json.loads(s3.read("dbt-runs/run-success/main/run_results.json"))
    assert run_results["args"]["which"] == "build"
    assert {r["status"] for r in run_results["results"]} <= {"success", "pass", "no-op"}
    sources = json.loads(s3.read("dbt-runs/run-success/freshness/sources.json"))
    assert [r["status"] for r in sources["results"]] == ["pass"]
    assert _summary(s3, "run-success")["exit_code"] == 0
    assert "cola-runner INFO uploaded" in result.stderr


def test_a_failing_dbt_test_fails_the_task_and_still_uploads(tmp_path, s3):
    project = copy_project(tmp_path)
    (project / "tests" / "runner_always_fails.sql").write_text("select 1 as failure\n")
    land(tmp_path / "home")
    result = run_runner(tmp_path, s3, run_id="run-failing-test", project_dir=project)
    assert result.returncode == 1, result.stderr[-3000:]

    run_results = json.loads(s3.read("dbt-runs/run-failing-test/main/run_results.json"))
    failed = [r["unique_id"] for r in run_results["results"] if r["status"] == "fail"]
    assert failed == ["test.cola.runner_always_fails"]
    assert "dbt-runs/run-failing-test/docs/index.html" in s3.keys("dbt-runs/run-failing-test/")
    assert _summary(s3, "run-failing-test")["steps"]["main"]["exit_code"] == 1


def test_stale_raw_data_fails_the_task_through_source_freshness(tmp_path, s3):
    land(tmp_path / "home", age_days=4)  # error_after: 3 days
    result = run_runner(tmp_path, s3, "run", "--select", "staging", run_id="run-stale")
    assert result.returncode == 1, result.stderr[-3000:]
    summary = _summary(s3, "run-stale")
    assert summary["steps"]["main"] == {
        "command": ["run", "--select", "staging"],
        "exit_code": 0,
        "seconds": summary["steps"]["main"]["seconds"],
    }
    assert summary["steps"]["freshness"]["exit_code"] == 1
    sources = json.loads(s3.read("dbt-runs/run-stale/freshness/sources.json"))
    assert [r["status"] for r in sources["results"]] == ["error"]


def test_an_s3_upload_error_is_reported_and_fails_the_task(tmp_path, s3):
    land(tmp_path / "home")
    result = run_runner(
        tmp_path, s3, run_id="run-no-bucket", artifacts_uri="s3://no-such-bucket/dbt-runs"
    )
    assert result.returncode == 3
    assert "could not upload" in result.stderr
    assert "s3://no-such-bucket/dbt-runs/run-no-bucket/" in result.stderr
    assert "NoSuchBucket" in result.stderr
    assert "artifacts NOT uploaded; dbt exit code was 0" in result.stderr


def test_a_bad_environment_runs_nothing(tmp_path, s3):
    result = run_runner(tmp_path, s3, run_id="bad/run")
    assert result.returncode == 2
    assert "cannot name an S3 folder" in result.stderr
    assert not (tmp_path / "work").exists()
