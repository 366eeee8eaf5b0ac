"""The state machine definition as Terraform renders it: error handling by construction.

- every Catch leads (through the Pass state naming the failed step, then the read of the
  runner's summary, which cannot stop the alert) to the SNS alert and then to the Fail state;
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
SUMMARY_STATE = "ReadRunSummary"
NO_SUMMARY_STATE = "NoRunSummary"
TRANSIENT_ERRORS = {
    # ECS capacity (Fargate/Spot "Capacity is unavailable") and ECS API errors.
    "ECS.AmazonECSException",
    "ECS.ServerException",
    "ECS.ThrottlingException",
    # Step Functions API (the concurrency guard's ListExecutions).
    "Sfn.SfnException",
    "Sfn.ThrottlingException",
    # S3 API (the runner summary the alert quotes): 5xx and SlowDown.
    "S3.S3Exception",
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
        if name == SUMMARY_STATE:
            continue  # the failure path itself: next test
        assert catcher["ResultPath"] == "$.failure", name
        step = states[catcher["Next"]]
        # A Pass state records which step failed, for the alert.
        assert step["Type"] == "Pass" and step["Result"] == name, name
        assert step["Next"] == SUMMARY_STATE, name
    alert = states[ALERT_STATE]
    assert alert["Resource"] == "arn:aws:states:::sns:publish"
    assert alert["Next"] == FAIL_STATE and states[FAIL_STATE]["Type"] == "Fail"
    assert "Catch" not in alert, "a failing alert must fail the execution (alarmed), not loop"


def test_the_alert_quotes_the_runner_summary_or_says_there_is_none(
    states: dict[str, dict[str, Any]],
) -> None:
    read = states[SUMMARY_STATE]
    assert read["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    # Where the runner writes it: <artifacts prefix>/<run id>/runner.json.
    assert read["Parameters"]["Bucket"] == "cola-analytics-artifacts-123456789012-eu-central-1"
    assert read["Parameters"]["Key.$"] == ("States.Format('dbt-runs/{}/runner.json', $.run.run_id)")
    assert read["ResultSelector"] == {"content.$": "States.StringToJson($.Body)"}
    # Any error, and a summary without a headline, end in the fixed NoRunSummary: the alert
    # only reads $.runner_summary.content.headline once it is known to be there.
    [catcher] = read["Catch"]
    assert catcher["Next"] == NO_SUMMARY_STATE
    assert catcher["ResultPath"] == read["ResultPath"] == "$.runner_summary"
    check = states[read["Next"]]
    [choice] = check["Choices"]
    assert choice == {
        "Variable": "$.runner_summary.content.headline",
        "IsPresent": True,
        "Next": ALERT_STATE,
    }
    assert check["Default"] == NO_SUMMARY_STATE
    missing = states[NO_SUMMARY_STATE]
    assert missing["Type"] == "Pass" and missing["ResultPath"] == "$.runner_summary"
    assert isinstance(missing["Result"]["content"]["headline"], str)
    assert missing["Next"] == ALERT_STATE
    message = states[ALERT_STATE]["Parameters"]["Message"]
    assert message["dbt.$"] == "$.runner_summary.content"
    assert "$.runner_summary.content.headline" in message["summary.$"]
    # Retried briefly: a missing summary may read as a 403, and the alert waits for it.
    [retrier] = read["Retry"]
    assert retrier["MaxAttempts"] * retrier["MaxDelaySeconds"] <= 10


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
    # Executions started together wait until they list each other (eventual consistency).
    settle = states[states["DescribeRun"]["Next"]]
    assert settle["Type"] == "Wait" and settle["Seconds"] == 10
    assert settle["Next"] == "CheckForRunningBuild"
    guard = states["CheckForRunningBuild"]
    assert guard["Resource"] == "arn:aws:states:::aws-sdk:sfn:listExecutions"
    assert guard["Parameters"]["StatusFilter"] == "RUNNING"
    assert guard["Next"] == "IsOnlyBuild"
    assert states["IsOnlyBuild"]["Default"] == "SkipBuildAlreadyRunning"


def test_retry_timing_and_debounce_are_template_variables() -> None:
    fast = render_definition(
        {
            "retry_interval_seconds": 1,
            "retry_max_delay_seconds": 2,
            "debounce_seconds": 3,
            "guard_settle_seconds": 0,
        }
    )["States"]
    assert {r["IntervalSeconds"] for r in fast["RunDbtBuild"]["Retry"]} == {1}
    assert {r["MaxDelaySeconds"] for r in fast["RunDbtBuild"]["Retry"]} == {2}
    assert fast["WaitForMoreFiles"]["Seconds"] == 3
    assert fast["LetConcurrentStartsSettle"]["Seconds"] == 0


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
