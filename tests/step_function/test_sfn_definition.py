"""The state machine definition as Terraform renders it: error handling by construction.

- every Catch leads (through the Pass state naming the failed step) to the SNS alert and
  then to the Fail state;
- every Task retries transient errors only (never States.ALL, States.TaskFailed -- a failed
  dbt model or test -- nor a timeout), with exponential backoff, a delay cap and full jitter;
- the template hard-codes no ARN, and every placeholder is one module orchestration passes.
"""

from __future__ import annotations

import re
from typing import Any

import hcl2
import pytest

from tests.step_function.moto_harness import REPO, TEMPLATE, render_definition

ORCHESTRATION = REPO / "terraform" / "modules" / "orchestration" / "main.tf"
ALERT_STATE = "NotifyFailure"
FAIL_STATE = "BuildFailed"
TRANSIENT_ERRORS = {
    # ECS capacity (Fargate/Spot "Capacity is unavailable") and ECS API errors.
    "ECS.AmazonECSException",
    "ECS.ServerException",
    "ECS.ThrottlingException",
    # Step Functions API (the concurrency guard's ListExecutions).
    "Sfn.SfnException",
    "Sfn.ThrottlingException",
    # SNS API.
    "SNS.AmazonSNSException",
    "SNS.InternalErrorException",
    "SNS.ThrottledException",
}


@pytest.fixture(scope="module")
def states() -> dict[str, dict[str, Any]]:
    return dict(render_definition()["States"])


def tasks(states: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: state for name, state in states.items() if state["Type"] == "Task"}


def test_every_catch_reaches_the_alert_then_the_fail_state(
    states: dict[str, dict[str, Any]],
) -> None:
    catchers = [
        (name, catcher) for name, state in states.items() for catcher in state.get("Catch", [])
    ]
    assert {name for name, _ in catchers} == set(tasks(states)) - {ALERT_STATE, "NotifySuccess"}
    for name, catcher in catchers:
        assert catcher["ErrorEquals"] == ["States.ALL"], name
        assert catcher["ResultPath"] == "$.failure", name
        step = states[catcher["Next"]]
        # A Pass state records which step failed, for the alert.
        assert step["Type"] == "Pass" and step["Result"] == name, name
        assert step["Next"] == ALERT_STATE, name
    alert = states[ALERT_STATE]
    assert alert["Resource"] == "arn:aws:states:::sns:publish"
    assert alert["Next"] == FAIL_STATE and states[FAIL_STATE]["Type"] == "Fail"
    assert "Catch" not in alert, "a failing alert must fail the execution (alarmed), not loop"


def test_every_task_retries_transient_errors_only(states: dict[str, dict[str, Any]]) -> None:
    for name, state in tasks(states).items():
        retriers = state.get("Retry")
        assert retriers, f"{name} has no Retry"
        for retrier in retriers:
            errors = set(retrier["ErrorEquals"])
            assert errors <= TRANSIENT_ERRORS, f"{name} retries {errors - TRANSIENT_ERRORS}"
            assert retrier["BackoffRate"] >= 1.5, name
            assert retrier["MaxAttempts"] >= 1, name
            assert retrier["JitterStrategy"] == "FULL", name
            assert retrier["MaxDelaySeconds"] >= retrier["IntervalSeconds"], name


def test_the_build_task_runs_the_runner_synchronously_on_fargate(
    states: dict[str, dict[str, Any]],
) -> None:
    build = states["RunDbtBuild"]
    assert build["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    assert build["TimeoutSeconds"] > 0
    parameters = build["Parameters"]
    assert parameters["CapacityProviderStrategy"][0]["CapacityProvider"] in {
        "FARGATE",
        "FARGATE_SPOT",
    }
    [override] = parameters["Overrides"]["ContainerOverrides"]
    assert override["Command.$"] == "$.request.dbt_command"
    assert override["Environment"] == [{"Name": "COLA_RUN_ID", "Value.$": "$.run.run_id"}]
    assert {error for retrier in build["Retry"] for error in retrier["ErrorEquals"]} >= {
        "ECS.AmazonECSException"
    }


def test_the_guard_comes_before_the_build(states: dict[str, dict[str, Any]]) -> None:
    guard = states["CheckForRunningBuild"]
    assert guard["Resource"] == "arn:aws:states:::aws-sdk:sfn:listExecutions"
    assert guard["Parameters"]["StatusFilter"] == "RUNNING"
    assert guard["Next"] == "IsOnlyBuild"
    assert states["IsOnlyBuild"]["Default"] == "SkipBuildAlreadyRunning"


def test_retry_timing_and_debounce_are_template_variables() -> None:
    fast = render_definition(
        {"retry_interval_seconds": 1, "retry_max_delay_seconds": 2, "debounce_seconds": 3}
    )["States"]
    assert {r["IntervalSeconds"] for r in fast["RunDbtBuild"]["Retry"]} == {1}
    assert {r["MaxDelaySeconds"] for r in fast["RunDbtBuild"]["Retry"]} == {2}
    assert fast["WaitForMoreFiles"]["Seconds"] == 3


def test_the_template_hard_codes_no_arn() -> None:
    text = TEMPLATE.read_text()
    arns = re.findall(r"arn:aws[a-z-]*:[^\"]*", text)
    assert all(arn.startswith("arn:aws:states:::") for arn in arns), arns


def test_orchestration_passes_every_template_variable() -> None:
    placeholders = set(re.findall(r"\$\{(?:jsonencode\()?([a-z_]+)\)?\}", TEMPLATE.read_text()))
    with ORCHESTRATION.open() as handle:
        module = hcl2.load(
            handle,
            serialization_options=hcl2.SerializationOptions(
                strip_string_quotes=True, explicit_blocks=False, with_comments=False
            ),
        )
    [local_blocks] = [block for block in module["locals"] if "definition" in block]
    text = str(local_blocks["definition"])
    passed = set(re.findall(r"\b([a-z_]+)\s*[:=]", text.split(",", 1)[1]))
    assert placeholders <= passed, placeholders - passed
