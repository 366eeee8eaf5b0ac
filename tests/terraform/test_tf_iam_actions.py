"""The IAM policies name every action the code actually calls, so a missing permission fails
here and not in production; and no policy grants a wildcard action.

- the ingestion Lambda: every boto3 S3 call in ingestion_lambda/*.py, mapped to IAM actions,
  plus what the SQS event source mapping and logging need;
- the state machine: every Resource of the rendered definition, mapped to the actions
  Step Functions performs for it (runTask.sync also manages an EventBridge rule);
- the dbt runner: every Glue call in the installed dbt-athena adapter, the Athena query API,
  the Glue/S3 actions Athena performs with the caller's credentials for dbt's DDL, and the
  artifact uploads of dbt_runner/*.py.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from botocore.session import get_session

from tests.step_function.moto_harness import REPO, render_definition
from tests.terraform.hcl_policies import Statement, allowed_actions, allows, policy_documents
from tests.terraform.tf_harness import TERRAFORM_DIR

# boto3 S3 client method -> IAM actions it needs (HeadObject is s3:GetObject; copies read the
# source and write the target; the Lambda pins object versions, hence GetObjectVersion).
S3_METHOD_ACTIONS = {
    "head_object": {"s3:GetObject", "s3:GetObjectVersion"},
    "get_object": {"s3:GetObject", "s3:GetObjectVersion"},
    "put_object": {"s3:PutObject"},
    "copy_object": {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"},
    "create_multipart_upload": {"s3:PutObject"},
    "upload_part": {"s3:PutObject"},
    "upload_part_copy": {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"},
    "complete_multipart_upload": {"s3:PutObject"},
    "abort_multipart_upload": {"s3:AbortMultipartUpload"},
    "list_objects_v2": {"s3:ListBucket"},
    "list_objects": {"s3:ListBucket"},
    "delete_object": {"s3:DeleteObject"},
    "upload_file": {"s3:PutObject"},
    "upload_fileobj": {"s3:PutObject"},
    "download_file": {"s3:GetObject"},
    "download_fileobj": {"s3:GetObject"},
}

# Step Functions integration -> what Step Functions calls with the state machine's role.
SFN_RESOURCE_ACTIONS = {
    "arn:aws:states:::ecs:runTask.sync": {
        "ecs:RunTask",
        "ecs:StopTask",
        "ecs:DescribeTasks",
        "events:PutTargets",
        "events:PutRule",
        "events:DescribeRule",
        "iam:PassRole",
    },
    "arn:aws:states:::sns:publish": {"sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"},
}
AWS_SDK_IAM_PREFIX = {"sfn": "states"}

# Athena runs dbt's DDL (CREATE TABLE [AS], DROP, ALTER ... ADD PARTITION, CREATE SCHEMA) with
# the caller's credentials: these Glue and S3 actions, beyond the adapter's own boto3 calls.
ATHENA_ON_BEHALF = {
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:CreateDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:DeleteTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchCreatePartition",
    "glue:BatchDeletePartition",
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
}
# The runner's Athena calls: dbt-athena's SQL path (the contract's list). The adapter's Spark
# session/calculation calls serve Python models only, which this project does not use.
RUNNER_ATHENA = {
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "athena:GetWorkGroup",
}


def pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def lambda_s3_calls() -> set[str]:
    s3_methods = {
        re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        for name in get_session().get_service_model("s3").operation_names
    } | {"upload_file", "upload_fileobj", "download_file", "download_fileobj"}
    calls: set[str] = set()
    for path in sorted((REPO / "ingestion_lambda").glob("*.py")):
        text = path.read_text()
        services = set(re.findall(r"boto3\.client\(\s*[\"'](\w+)[\"']", text))
        assert services <= {"s3"}, f"{path.name} calls {services - {'s3'}}: map them here"
        calls |= {m for m in re.findall(r"\bclient\.(\w+)\(", text) if m in s3_methods}
    return calls


def test_no_policy_allows_a_wildcard_action() -> None:
    for module_dir in sorted((TERRAFORM_DIR / "modules").iterdir()):
        for name, statements in policy_documents(module_dir.name).items():
            for action in allowed_actions(statements):
                assert "*" not in action, f"{module_dir.name}/{name} allows {action}"


def test_the_lambda_may_make_every_call_its_code_makes() -> None:
    calls = lambda_s3_calls()
    assert {"get_object", "put_object"} <= calls, calls  # the scan sees the code
    unmapped = calls - set(S3_METHOD_ACTIONS)
    assert not unmapped, f"map these S3 calls to IAM actions: {unmapped}"
    needed = set().union(*(S3_METHOD_ACTIONS[call] for call in calls))
    statements = policy_documents("ingestion")["lambda"]

    # Reads of the landed file, from the landing bucket.
    for action in needed & {"s3:GetObject", "s3:GetObjectVersion"}:
        assert allows(statements, action, "var.landing_bucket_arn}/*"), action
    # Writes and manifest reads, in raw and quarantine.
    for action in needed - {"s3:GetObjectVersion", "s3:ListBucket"}:
        assert allows(statements, action, "var.raw_bucket_arn}/raw/*"), action
        assert allows(statements, action, "var.quarantine_bucket_arn}/quarantine/*"), action
    # A missing manifest must be a 404, not a 403.
    assert allows(statements, "s3:ListBucket", "var.raw_bucket_arn")
    assert allows(statements, "s3:ListBucket", "var.quarantine_bucket_arn")
    # The SQS event source mapping, the encrypted buckets and queue, the logs.
    assert {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    } <= allowed_actions(statements)


def state_machine_needs() -> set[str]:
    definition = render_definition()
    needed: set[str] = set()
    for state in definition["States"].values():
        resource = state.get("Resource")
        if resource is None:
            continue
        sdk = re.fullmatch(r"arn:aws:states:::aws-sdk:(\w+):(\w+)", resource)
        if sdk:
            service, action = sdk.groups()
            needed.add(
                f"{AWS_SDK_IAM_PREFIX.get(service, service)}:{action[0].upper()}{action[1:]}"
            )
            continue
        assert resource in SFN_RESOURCE_ACTIONS, f"map {resource} to IAM actions"
        needed |= SFN_RESOURCE_ACTIONS[resource]
    return needed


def test_the_state_machine_may_do_what_its_definition_does() -> None:
    needed = state_machine_needs()
    assert {"states:ListExecutions", "ecs:RunTask", "sns:Publish"} <= needed
    statements = policy_documents("orchestration")["state_machine"]
    missing = needed - allowed_actions(statements)
    assert not missing, f"the state machine's role lacks {missing}"
    assert allows(statements, "iam:PassRole", "var.task_role_arn")
    assert allows(statements, "iam:PassRole", "var.execution_role_arn")
    assert allows(statements, "sns:Publish", "var.alerts_topic_arn")


def dbt_athena_glue_calls() -> set[str]:
    spec = importlib.util.find_spec("dbt.adapters.athena")
    if spec is None or spec.submodule_search_locations is None:
        pytest.fail("dbt-athena is not installed (pip install -e '.[dev]')", pytrace=False)
    calls: set[str] = set()
    for location in spec.submodule_search_locations:
        for path in Path(location).rglob("*.py"):
            text = path.read_text()
            calls |= set(re.findall(r"glue_client\.(\w+)\(", text))
            calls |= set(re.findall(r"glue_client\.get_paginator\(\s*[\"'](\w+)[\"']", text))
    calls.discard("get_paginator")
    return {f"glue:{pascal(call)}" for call in calls}


def test_the_runner_may_make_every_call_dbt_athena_makes() -> None:
    glue_calls = dbt_athena_glue_calls()
    assert {"glue:GetTable", "glue:GetPartitions"} <= glue_calls, glue_calls
    statements = policy_documents("compute")["task"]
    granted = allowed_actions(statements)
    missing = (glue_calls | ATHENA_ON_BEHALF | RUNNER_ATHENA) - granted
    assert not missing, f"the runner's task role lacks {missing}"
    for action in RUNNER_ATHENA:
        assert allows(statements, action, "var.athena_workgroup_arn"), action
    assert allows(statements, "s3:GetObject", "var.raw_bucket_arn}/raw/*")
    assert allows(statements, "s3:PutObject", "var.artifacts_bucket_arn}/dbt-runs/*")
    assert not allows(statements, "s3:PutObject", "var.raw_bucket_arn"), "raw is read-only"


def test_the_runner_may_upload_what_dbt_runner_uploads() -> None:
    calls: set[str] = set()
    for path in sorted((REPO / "dbt_runner").glob("*.py")):
        calls |= {m for m in re.findall(r"\bs3\.(\w+)\(", path.read_text())}
    assert calls, "the scan found no S3 call in dbt_runner/"
    unmapped = calls - set(S3_METHOD_ACTIONS)
    assert not unmapped, f"map these S3 calls to IAM actions: {unmapped}"
    statements = policy_documents("compute")["task"]
    for action in set().union(*(S3_METHOD_ACTIONS[call] for call in calls)):
        assert allows(statements, action, "var.artifacts_bucket_arn}/dbt-runs/*"), action


def test_the_runner_execution_role_can_pull_and_log() -> None:
    statements: list[Statement] = policy_documents("compute")["execution"]
    assert {
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    } <= allowed_actions(statements)
