"""`python -m dbt_runner` end to end: DuckDB target, a few landed reports, S3 on moto."""

from __future__ import annotations

import json

from tests.runner.conftest import copy_project, land, run_runner

DOWNSTREAM_MODELS = (
    "int_run_reports_sequenced",
    "fct_machine_runs",
    "fct_machine_daily",
    "fct_report_issues",
    "dim_machines",
)


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
    summary = _summary(s3, "run-success")
    assert summary["exit_code"] == 0
    assert summary["headline"] == "no failures"
    assert summary["failures"] == summary["skipped"] == []
    assert "cola-runner INFO uploaded" in result.stderr


def test_a_failing_test_skips_downstream_models_and_is_named_in_the_summary(tmp_path, s3):
    project = copy_project(tmp_path)
    # A singular test on the staging model that fails whenever anything was staged.
    (project / "tests" / "runner_rejects_every_staged_row.sql").write_text(
        "select * from {{ ref('stg_factory__run_reports') }}\n"
    )
    land(tmp_path / "home")
    result = run_runner(tmp_path, s3, run_id="run-failing-test", project_dir=project)
    assert result.returncode == 1, result.stderr[-3000:]

    # dbt build: the failed test stops everything downstream of the model it tests.
    run_results = json.loads(s3.read("dbt-runs/run-failing-test/main/run_results.json"))
    status = {r["unique_id"]: r["status"] for r in run_results["results"]}
    failing_test = "test.cola.runner_rejects_every_staged_row"
    assert [node for node, s in status.items() if s in ("fail", "error")] == [failing_test]
    assert status["model.cola.stg_factory__run_reports"] == "success"
    downstream = [f"model.cola.{name}" for name in DOWNSTREAM_MODELS]
    assert {node: status[node] for node in downstream} == dict.fromkeys(downstream, "skipped")
    assert "dbt-runs/run-failing-test/docs/index.html" in s3.keys("dbt-runs/run-failing-test/")

    # runner.json names the failing test, dbt's message and the models not built.
    summary = _summary(s3, "run-failing-test")
    assert summary["steps"]["main"]["exit_code"] == 1
    [failure] = summary["failures"]
    assert failure["step"] == "main"
    assert failure["unique_id"] == failing_test
    assert failure["status"] == "fail"
    assert failure["message"].endswith("configured to fail if != 0")
    assert set(summary["skipped"]) == set(downstream)
    assert summary["headline"].startswith(f"1 failed: {failing_test} (fail); 5 models skipped")
    assert f"run-failing-test failed: 1 failed: {failing_test}" in result.stderr


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
    [failure] = summary["failures"]
    assert failure["unique_id"] == "source.cola.factory.run_reports"
    assert failure["step"] == "freshness" and failure["status"] == "error"
    assert "(error after 3 day)" in failure["message"]


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


def test_no_file_of_an_earlier_run_is_shipped_as_this_runs(tmp_path, s3):
    earlier = tmp_path / "work" / "main" / "target" / "run_results.json"
    earlier.parent.mkdir(parents=True)
    earlier.write_text('{"results": [{"unique_id": "test.cola.old", "status": "fail"}]}')
    result = run_runner(tmp_path, s3, run_id="run-no-project", project_dir=tmp_path / "nothing")
    assert result.returncode == 2, result.stderr[-3000:]

    assert "dbt-runs/run-no-project/main/run_results.json" not in s3.keys("dbt-runs/")
    summary = _summary(s3, "run-no-project")
    assert summary["failures"] == []
    assert "step main exited with 2 without a failed node" in summary["headline"]


def test_a_bad_environment_runs_nothing(tmp_path, s3):
    result = run_runner(tmp_path, s3, run_id="bad/run")
    assert result.returncode == 2
    assert "cannot name an S3 folder" in result.stderr
    assert not (tmp_path / "work").exists()
