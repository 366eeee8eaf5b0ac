"""The state machine running the real dbt runner as its ECS task's container (the patched
moto server runs `python -m dbt_runner` with the task's command and environment, on the
DuckDB target, its artifacts to the same moto S3): a dbt test that fails in production stops
the models downstream of it and reaches the SNS alert by name."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runner.conftest import copy_project, land
from tests.step_function.conftest import ARTIFACTS_BUCKET, ARTIFACTS_PREFIX, Sandbox, build_sandbox
from tests.step_function.moto_harness import moto_server
from tests.step_function.test_sfn_execution import entered_states

FAILING_TEST = "test.cola.runner_rejects_every_staged_row"


@pytest.fixture(scope="module")
def runner_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A moto account whose runner task runs the runner on a copy of the dbt project with a
    test on the staging model that fails whenever anything was staged, over one landed file."""
    base = tmp_path_factory.mktemp("runner")
    project = copy_project(base)
    (project / "tests" / "runner_rejects_every_staged_row.sql").write_text(
        "select * from {{ ref('stg_factory__run_reports') }}\n"
    )
    land(base / "home")
    with moto_server(
        execute_state_machines=True, container_entrypoint=[sys.executable, "-m", "dbt_runner"]
    ) as url:
        yield build_sandbox(url, runner_environment(base, project, url))


def runner_environment(base: Path, project: Path, url: str) -> dict[str, str]:
    """The task definition's environment: as in production, but DuckDB and moto's S3."""
    return {
        "COLA_ARTIFACTS_URI": f"s3://{ARTIFACTS_BUCKET}/{ARTIFACTS_PREFIX}",
        "COLA_HOME": str(base / "home"),
        "COLA_RUNNER_WORK_DIR": str(base / "work"),
        "DBT_TARGET": "local",
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project),
        "AWS_ENDPOINT_URL": url,
    }


def test_a_failing_dbt_test_is_named_in_the_alert(runner_sandbox: Sandbox) -> None:
    machine = runner_sandbox.create_state_machine("build-failing-test")
    execution_arn = runner_sandbox.start(machine, {"dbt_command": ["build"]})

    execution = runner_sandbox.wait(execution_arn, timeout=600)

    assert execution["status"] == "FAILED", runner_sandbox.explain(execution_arn)
    history = runner_sandbox.history(execution_arn)
    assert entered_states(history)[-6:] == [
        "RunDbtBuild",
        "RunDbtBuildFailed",
        "ReadRunSummary",
        "HasRunSummary",
        "NotifyFailure",
        "BuildFailed",
    ]
    # The container exited with dbt's 1: a task failure, never retried.
    [task_failed] = [
        event["taskFailedEventDetails"] for event in history if event["type"] == "TaskFailed"
    ]
    assert task_failed["error"] == "States.TaskFailed"
    assert json.loads(task_failed["cause"])["Containers"][0]["ExitCode"] == 1

    [notification] = runner_sandbox.alerts()
    assert notification["Subject"] == "cola-analytics: dbt build FAILED"
    alert = json.loads(notification["Message"])
    run_id = execution_arn.rsplit(":", 1)[1]
    assert alert["summary"].startswith(
        f"dbt build {run_id} failed in step RunDbtBuild with States.TaskFailed: "
        f"1 failed: {FAILING_TEST} (fail); 5 models skipped"
    )
    dbt = alert["dbt"]
    assert dbt["run_id"] == run_id
    [failure] = dbt["failures"]
    assert failure["unique_id"] == FAILING_TEST
    assert failure["message"].endswith("configured to fail if != 0")
    assert "model.cola.fct_machine_daily" in dbt["skipped"]
    assert alert["artifacts"] == f"s3://{ARTIFACTS_BUCKET}/{ARTIFACTS_PREFIX}/{run_id}/"
