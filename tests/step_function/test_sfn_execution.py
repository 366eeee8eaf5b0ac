"""The dbt build workflow executed by moto's Step Functions interpreter (patched, see
patched_moto_server.py): the success path, the failure path that ends in the SNS alert and a
Fail state, the concurrency guard, and the optional success summary.

moto never runs the container here, so every task succeeds; the failure path here is the
runner task failing to start (its cluster is gone), which AWS reports as
ECS.ClusterNotFoundException: not transient, so not retried, and there is no runner summary.
test_sfn_runner.py runs the real runner as the task's container, for a failing dbt test.
"""

from __future__ import annotations

import json
from typing import Any

from tests.step_function.conftest import Sandbox


def entered_states(history: list[dict[str, Any]]) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history
        if "stateEnteredEventDetails" in event
    ]


def run_task_calls(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        json.loads(event["taskScheduledEventDetails"]["parameters"])
        for event in history
        if event["type"] == "TaskScheduled"
        and event["taskScheduledEventDetails"]["resource"] == "runTask.sync"
    ]


def test_success_runs_the_runner_with_the_run_id_and_command(sandbox: Sandbox) -> None:
    machine = sandbox.create_state_machine("build-success")
    execution_arn = sandbox.start(machine, {"dbt_command": ["build", "--select", "marts"]})

    execution = sandbox.wait(execution_arn)

    assert execution["status"] == "SUCCEEDED", sandbox.explain(execution_arn)
    history = sandbox.history(execution_arn)
    states = entered_states(history)
    assert states[-1] == "BuildSucceeded"
    assert "NotifyFailure" not in states and "NotifySuccess" not in states
    [call] = run_task_calls(history)
    [override] = call["Overrides"]["ContainerOverrides"]
    assert override["Name"] == "dbt-runner"
    assert override["Command"] == ["build", "--select", "marts"]
    run_id = execution_arn.rsplit(":", 1)[1]
    assert override["Environment"] == [{"Name": "COLA_RUN_ID", "Value": run_id}]
    assert call["CapacityProviderStrategy"][0]["CapacityProvider"] == "FARGATE_SPOT"
    assert call["Cluster"] == sandbox.vars["cluster_arn"]
    # The task really ran in moto's ECS, as the state machine asked.
    ecs = sandbox.client("ecs")
    task_arn = next(
        json.loads(event["taskSucceededEventDetails"]["output"])["TaskArn"]
        for event in history
        if event["type"] == "TaskSucceeded"
        and event["taskSucceededEventDetails"]["resource"] == "runTask.sync"
    )
    tasks = ecs.describe_tasks(cluster=sandbox.vars["cluster_arn"], tasks=[task_arn])
    commands = [task["overrides"]["containerOverrides"][0]["command"] for task in tasks["tasks"]]
    assert ["build", "--select", "marts"] in commands
    assert sandbox.alerts(wait_seconds=0) == []


def test_without_input_the_default_command_runs(sandbox: Sandbox) -> None:
    machine = sandbox.create_state_machine("build-defaults")
    execution_arn = sandbox.start(machine)

    assert sandbox.wait(execution_arn)["status"] == "SUCCEEDED"
    [call] = run_task_calls(sandbox.history(execution_arn))
    assert call["Overrides"]["ContainerOverrides"][0]["Command"] == ["build"]


def test_failure_publishes_an_actionable_alert_and_fails(sandbox: Sandbox) -> None:
    missing_cluster = sandbox.vars["cluster_arn"].replace("cola-analytics", "no-such-cluster")
    machine = sandbox.create_state_machine("build-failure", cluster_arn=missing_cluster)
    execution_arn = sandbox.start(machine, {"dbt_command": ["build"]})

    execution = sandbox.wait(execution_arn)

    assert execution["status"] == "FAILED"
    history = sandbox.history(execution_arn)
    assert entered_states(history)[-5:] == [
        "RunDbtBuildFailed",
        "ReadRunSummary",
        "NoRunSummary",
        "NotifyFailure",
        "BuildFailed",
    ]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    assert failed["executionFailedEventDetails"]["error"] == "DbtBuildFailed"
    # Not a transient error: tried once, never retried.
    assert len(run_task_calls(history)) == 1

    [notification] = sandbox.alerts()
    assert notification["Subject"] == "cola-analytics: dbt build FAILED"
    alert = json.loads(notification["Message"])
    run_id = execution_arn.rsplit(":", 1)[1]
    assert alert["execution"] == execution_arn
    assert alert["failed_step"] == "RunDbtBuild"
    assert alert["error"] == "ECS.ClusterNotFoundException"
    assert alert["cause"]
    assert alert["artifacts"] == f"{sandbox.vars['artifacts_uri']}/{run_id}/"
    assert run_id in alert["summary"] and "RunDbtBuild" in alert["summary"]
    # The runner never started: no runner.json (S3.NoSuchKeyException), and the alert says so.
    [read_failed] = [
        event["taskFailedEventDetails"]
        for event in history
        if event["type"] == "TaskFailed"
        and event["taskFailedEventDetails"]["resource"] == "getObject"
    ]
    assert read_failed["error"] == "S3.NoSuchKeyException"
    assert alert["dbt"]["headline"].startswith("the runner left no summary (runner.json)")
    assert alert["summary"].endswith(alert["dbt"]["headline"])
    assert execution_arn in alert["console"]
    assert alert["runner_logs"] and "start-execution" in alert["next_steps"]


def test_a_second_build_is_refused_while_one_runs(sandbox: Sandbox) -> None:
    machine = sandbox.create_state_machine("build-guard", debounce_seconds=4)
    first = sandbox.start(machine, {"trigger": "new_raw_files"})
    # The first execution waits in its debounce window: it is RUNNING.
    assert sandbox.client("stepfunctions").describe_execution(executionArn=first)["status"] == (
        "RUNNING"
    )
    second = sandbox.start(machine, {"trigger": "on_demand"})

    second_result = sandbox.wait(second)
    first_result = sandbox.wait(first)

    assert second_result["status"] == "SUCCEEDED"
    second_states = entered_states(sandbox.history(second))
    assert second_states[-1] == "SkipBuildAlreadyRunning"
    assert "RunDbtBuild" not in second_states
    assert first_result["status"] == "SUCCEEDED"
    first_states = entered_states(sandbox.history(first))
    assert first_states[first_states.index("WaitForMoreFiles") + 1] == "RunDbtBuild"
    assert first_states[-1] == "BuildSucceeded"
    assert sandbox.alerts(wait_seconds=0) == []


def test_success_summary_is_published_only_when_enabled(sandbox: Sandbox) -> None:
    machine = sandbox.create_state_machine("build-notify", notify_on_success=True)
    execution_arn = sandbox.start(machine)

    assert sandbox.wait(execution_arn)["status"] == "SUCCEEDED"
    [notification] = sandbox.alerts()
    assert notification["Subject"] == "cola-analytics: dbt build succeeded"
    summary = json.loads(notification["Message"])
    assert summary["execution"] == execution_arn
