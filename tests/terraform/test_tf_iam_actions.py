"""The IAM policies name every action the code actually calls, so a missing permission fails
here and not in production; no policy grants a wildcard action; and every statement of every
policy names exactly the resources listed here, the project's own, with "*" only where AWS
requires it, each time with the reason.

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
from tests.terraform.hcl_policies import (
    Statement,
    allowed_actions,
    allows,
    blocks,
    load,
    policy_documents,
    resource_types,
    role_policies,
)
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
# What an aws-sdk call needs besides its own action: every bucket is SSE-KMS.
AWS_SDK_ALSO = {"s3:GetObject": {"kms:Decrypt"}}

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
            iam_action = (
                f"{AWS_SDK_IAM_PREFIX.get(service, service)}:{action[0].upper()}{action[1:]}"
            )
            needed |= {iam_action, *AWS_SDK_ALSO.get(iam_action, ())}
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
    # The failure path reads the run's summary from the artifacts bucket, and nothing else.
    assert allows(statements, "s3:GetObject", "local.run_summary_objects")
    assert allows(statements, "kms:Decrypt", "var.data_kms_key_arn")


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


# --- every statement's resources -----------------------------------------------------------
# Every statement of every policy document in terraform/modules, by (module, document, sid):
# exactly the resources it names (as written in the HCL). A statement added, or a resource
# changed, fails test_every_statement_names_exactly_its_listed_resources until it is listed
# here, that is, reviewed. Trust policies (sts:AssumeRole, to a service) name no resource.
RESOURCES: dict[tuple[str, str, str], set[str]] = {
    # The ingestion Lambda: the landed objects, raw/ and quarantine/ in their buckets (listing
    # only so a missing object is a 404), its queue, its log group, the two keys.
    ("ingestion", "lambda", "ReadLandedFiles"): {"${var.landing_bucket_arn}/*"},
    ("ingestion", "lambda", "WriteRawAndQuarantine"): {
        "${var.raw_bucket_arn}/raw/*",
        "${var.quarantine_bucket_arn}/quarantine/*",
    },
    ("ingestion", "lambda", "MissingObjectIs404Not403"): {
        "${var.landing_bucket_arn}",
        "${var.raw_bucket_arn}",
        "${var.quarantine_bucket_arn}",
    },
    ("ingestion", "lambda", "UseBucketAndQueueKeys"): {
        "${var.data_kms_key_arn}",
        "${var.ops_kms_key_arn}",
    },
    ("ingestion", "lambda", "ConsumeIngestionQueue"): {"${aws_sqs_queue.events.arn}"},
    ("ingestion", "lambda", "WriteOwnLogs"): {"${aws_cloudwatch_log_group.lambda.arn}:*"},
    ("ingestion", "lambda", "XRayTracing"): {"*"},
    ("ingestion", "queue", "LandingBucketSendsObjectCreated"): {"${aws_sqs_queue.events.arn}"},
    # The dbt runner's task role: the project's workgroup; the Glue catalog, the project's
    # databases and their tables (module catalog's names, resolved in the native test
    # compute_runner_task); raw/ read-only; curated and Athena results (dbt-athena's data and
    # query results, whole buckets of the project); artifacts only under dbt-runs/; the data key.
    ("compute", "task", "RunQueriesInTheProjectWorkgroup"): {"${var.athena_workgroup_arn}"},
    ("compute", "task", "ManageTheProjectCatalog"): {
        "${concat([local.glue_catalog_arn], local.glue_database_arns, local.glue_table_arns)}"
    },
    ("compute", "task", "ListProjectBuckets"): {
        "${var.raw_bucket_arn}",
        "${var.curated_bucket_arn}",
        "${var.athena_results_bucket_arn}",
        "${var.artifacts_bucket_arn}",
    },
    ("compute", "task", "ReadRaw"): {"${var.raw_bucket_arn}/raw/*"},
    ("compute", "task", "ReadWriteCuratedAndAthenaResults"): {
        "${var.curated_bucket_arn}/*",
        "${var.athena_results_bucket_arn}/*",
    },
    ("compute", "task", "UploadRunArtifacts"): {"${var.artifacts_bucket_arn}/dbt-runs/*"},
    ("compute", "task", "UseTheDataKey"): {"${var.data_kms_key_arn}"},
    # The runner's execution role: its image, its log group.
    ("compute", "execution", "EcrLogin"): {"*"},
    ("compute", "execution", "PullRunnerImage"): {"${aws_ecr_repository.runner.arn}"},
    ("compute", "execution", "DecryptImageLayers"): {"${var.data_kms_key_arn}"},
    ("compute", "execution", "WriteRunnerLogs"): {"${aws_cloudwatch_log_group.runner.arn}:*"},
    # The state machine: its own executions, the runner's task family and tasks, the rule
    # runTask.sync manages, the runner's two roles, the alert topic and its key, the run
    # summaries (<artifacts prefix>/*/runner.json) and the key they are encrypted with.
    ("orchestration", "state_machine", "ConcurrencyGuardListsOwnExecutions"): {
        "${local.state_machine_arn}"
    },
    ("orchestration", "state_machine", "RunDbtRunnerTask"): {"${local.task_definition_family_arn}"},
    ("orchestration", "state_machine", "WatchAndStopDbtRunnerTask"): {"${local.cluster_task_arns}"},
    ("orchestration", "state_machine", "RunTaskSyncEventRule"): {"${local.sync_rule_arn}"},
    ("orchestration", "state_machine", "PassRunnerRoles"): {
        "${var.task_role_arn}",
        "${var.execution_role_arn}",
    },
    ("orchestration", "state_machine", "PublishAlerts"): {"${var.alerts_topic_arn}"},
    ("orchestration", "state_machine", "EncryptAlerts"): {"${var.ops_kms_key_arn}"},
    ("orchestration", "state_machine", "ReadRunSummaryForTheAlert"): {
        "${local.run_summary_objects}"
    },
    ("orchestration", "state_machine", "DecryptRunSummary"): {"${var.data_kms_key_arn}"},
    ("orchestration", "state_machine", "DeliverExecutionLogs"): {"*"},
    ("orchestration", "state_machine", "XRayTracing"): {"*"},
    # The scheduler's and the new-raw-files rule's role: this state machine only.
    ("orchestration", "start_build", "StartTheBuild"): {"${aws_sfn_state_machine.dbt_build.arn}"},
    # VPC flow logs: their log group.
    ("network", "flow_logs", "WriteFlowLogs"): {"${aws_cloudwatch_log_group.flow_logs.arn}:*"},
    # Raw replication: the raw bucket, the replica bucket, their keys.
    ("replication", "replication", "ReadSourceConfiguration"): {"${var.source_bucket_arn}"},
    ("replication", "replication", "ReadSourceVersions"): {"${var.source_bucket_arn}/*"},
    ("replication", "replication", "WriteReplicas"): {"${module.destination.arn}/*"},
    ("replication", "replication", "DecryptSource"): {"${var.source_kms_key_arn}"},
    ("replication", "replication", "EncryptReplicas"): {"${aws_kms_key.replica.arn}"},
    # Resource policies: the bucket, queue and topic they are attached to; key policies: "*".
    ("bucket", "tls_only", "DenyInsecureTransport"): {
        "${aws_s3_bucket.this.arn}",
        "${aws_s3_bucket.this.arn}/*",
    },
    ("bucket", "tls_only", "DenyTlsOlderThan12"): {
        "${aws_s3_bucket.this.arn}",
        "${aws_s3_bucket.this.arn}/*",
    },
    ("alerts", "topic", "CloudWatchAlarmsPublish"): {"${aws_sns_topic.alerts.arn}"},
    ("keys", "data", "AccountAdministersAndDelegatesThroughIam"): {"*"},
    ("keys", "ops", "AccountAdministersAndDelegatesThroughIam"): {"*"},
    ("keys", "ops", "CloudWatchLogsEncryptsProjectLogGroups"): {"*"},
    ("keys", "ops", "S3AndCloudWatchSendToEncryptedQueuesAndTopics"): {"*"},
    ("replication", "replica_key", "AccountAdministersAndDelegatesThroughIam"): {"*"},
}

# Why "*": the only statements allowed to name it. Identity policies: exactly these actions,
# which have no resource-level permissions. Key policies (None): "*" means the key itself.
XRAY_WRITE = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
WILDCARDS: dict[tuple[str, str, str], tuple[set[str] | None, str]] = {
    ("ingestion", "lambda", "XRayTracing"): (XRAY_WRITE, "X-Ray writes have no resource ARN"),
    ("compute", "execution", "EcrLogin"): (
        {"ecr:GetAuthorizationToken"},
        "an ECR login token is account-wide, not per repository",
    ),
    ("orchestration", "state_machine", "DeliverExecutionLogs"): (
        {
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
        },
        "CloudWatch Logs' vended-log delivery actions have no resource-level permissions",
    ),
    ("orchestration", "state_machine", "XRayTracing"): (
        XRAY_WRITE | {"xray:GetSamplingRules", "xray:GetSamplingTargets"},
        "X-Ray has no resource-level permissions for tracing",
    ),
    ("keys", "data", "AccountAdministersAndDelegatesThroughIam"): (None, "key policy"),
    ("keys", "ops", "AccountAdministersAndDelegatesThroughIam"): (None, "key policy"),
    ("keys", "ops", "CloudWatchLogsEncryptsProjectLogGroups"): (None, "key policy"),
    ("keys", "ops", "S3AndCloudWatchSendToEncryptedQueuesAndTopics"): (None, "key policy"),
    ("replication", "replica_key", "AccountAdministersAndDelegatesThroughIam"): (
        None,
        "key policy",
    ),
}
# Attaching policies any other way would bypass the documents checked here.
UNCHECKED_POLICY_RESOURCES = {
    "aws_iam_policy",
    "aws_iam_policy_attachment",
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policies_exclusive",
    "aws_iam_role_policy_attachments_exclusive",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
}


def all_statements() -> dict[tuple[str, str, str], Statement]:
    found: dict[tuple[str, str, str], Statement] = {}
    for module_dir in sorted((TERRAFORM_DIR / "modules").iterdir()):
        for document, statements in policy_documents(module_dir.name).items():
            for statement in statements:
                if not statement.resources:
                    # A trust policy: a service may assume the role, nothing else.
                    assert statement.actions == {"sts:AssumeRole"}, (module_dir.name, document)
                    assert statement.principals, (module_dir.name, document)
                    continue
                key = (module_dir.name, document, statement.sid)
                assert statement.sid, f"{key}: give the statement a sid"
                assert key not in found, f"{key}: two statements with one sid"
                found[key] = statement
    return found


def test_every_statement_names_exactly_its_listed_resources() -> None:
    statements = all_statements()
    actual = {key: set(statement.resources) for key, statement in statements.items()}
    unlisted = sorted(set(actual) - set(RESOURCES))
    assert not unlisted, f"statements not listed in RESOURCES: {unlisted}"
    gone = sorted(set(RESOURCES) - set(actual))
    assert not gone, f"listed statements that no longer exist: {gone}"
    changed = {key: actual[key] for key in actual if actual[key] != RESOURCES[key]}
    assert not changed, f"resources differ from RESOURCES: {changed}"


def test_a_wildcard_resource_only_where_aws_requires_it() -> None:
    statements = all_statements()
    wildcard = {key for key, statement in statements.items() if "*" in statement.resources}
    assert wildcard == set(WILDCARDS), wildcard ^ set(WILDCARDS)
    for key, (actions, reason) in WILDCARDS.items():
        statement = statements[key]
        assert statement.resources == ("*",), key
        if actions is None:
            # A key policy: attached to the key, "*" is that key; its principal says who.
            assert statement.principals and reason == "key policy", key
        else:
            assert not statement.principals, key
            assert statement.actions == actions, f"{key}: {reason}"


def test_roles_get_no_policy_but_the_documents_checked_here() -> None:
    for module_dir in sorted((TERRAFORM_DIR / "modules").iterdir()):
        module = module_dir.name
        assert not resource_types(module) & UNCHECKED_POLICY_RESOURCES, module
        documents = policy_documents(module)
        for name, policy in role_policies(module).items():
            match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", policy)
            assert match and match.group(1) in documents, f"{module}/{name}: {policy}"
        for path in sorted(module_dir.glob("*.tf")):
            for name, role in blocks(load(path), "resource", "aws_iam_role").items():
                assert not {"managed_policy_arns", "inline_policy"} & set(role), (module, name)
