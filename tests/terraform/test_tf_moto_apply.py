"""`terraform apply` of the root module against moto_server, a smoke test over what it
created, then `terraform destroy` (fixture moto_stack in conftest.py).

The state machine is applied too: the test harness answers the two Step Functions calls
stock moto lacks (ValidateStateMachineDefinition, ListStateMachineVersions; see
tests/step_function/patched_moto_server.py). Lifecycle configurations are off
(manage_lifecycle=false) to keep the apply fast.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.step_function.moto_harness import REGION
from tests.terraform.conftest import Stack

REPORTS = (
    "7a1c3d2e-0000-4000-8000-000000000001,start,2026-11-27T06:00:00Z,0001,0001\n"
    "7a1c3d2e-0000-4000-8000-000000000002,stop,2026-11-27T07:30:00Z,0001,0001\n"
)


@dataclass
class FakeContext:
    """The fields Powertools reads from a Lambda context."""

    function_name: str = "cola-test-ingestion"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:cola-test-ingestion"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event the SQS event source mapping hands the Lambda."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def test_a_landed_csv_reaches_raw_through_the_queue_and_the_handler(
    moto_stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    buckets = moto_stack.outputs["bucket_names"]
    s3, sqs = moto_stack.client("s3"), moto_stack.client("sqs")
    queue_url = moto_stack.outputs["ingestion_queue_url"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    key = f"branch-0001/machine-0001/reports-{uuid.uuid4().hex[:8]}.csv"

    s3.put_object(Bucket=buckets["landing"], Key=key, Body=REPORTS.encode())

    # S3 -> SQS is wired: the ObjectCreated notification is in the queue.
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=5
    ).get("Messages", [])
    created = [m for m in messages if "ObjectCreated" in m["Body"]]
    assert created, [m["Body"][:200] for m in messages]

    # The handler, run in-process on that event with the Lambda's environment.
    lambda_config = moto_stack.client("lambda").get_function_configuration(
        FunctionName=moto_stack.outputs["ingestion_function_name"]
    )
    for name, value in lambda_config["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_stack.url)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    from ingestion_lambda import handler as lambda_handler

    lambda_handler.get_landing.cache_clear()
    try:
        response = lambda_handler.handler(sqs_event(created, queue_arn), FakeContext())
    finally:
        lambda_handler.get_landing.cache_clear()

    assert response == {"batchItemFailures": []}
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    raw_keys = [
        item["Key"] for item in s3.list_objects_v2(Bucket=buckets["raw"]).get("Contents", [])
    ]
    landed = [k for k in raw_keys if k.startswith(f"raw/run_reports/ingest_date={today}/")]
    assert len(landed) == 1, raw_keys
    assert s3.get_object(Bucket=buckets["raw"], Key=landed[0])["Body"].read() == REPORTS.encode()
    assert any(k.startswith("raw/_manifests/run_reports/") for k in raw_keys), raw_keys
    # Encrypted with the project's key, as the bucket's default says.
    head = s3.head_object(Bucket=buckets["raw"], Key=landed[0])
    assert head["ServerSideEncryption"] == "aws:kms"


def test_the_glue_table_reads_raw_with_projection(moto_stack: Stack) -> None:
    glue = moto_stack.client("glue")
    raw_bucket = moto_stack.outputs["bucket_names"]["raw"]
    databases = {db["Name"] for db in glue.get_databases()["DatabaseList"]}
    assert {"raw", "staging", "intermediate", "marts", "seeds"} <= databases

    table = glue.get_table(DatabaseName="raw", Name="run_reports")["Table"]
    descriptor = table["StorageDescriptor"]
    assert [c["Name"] for c in descriptor["Columns"]] == [
        "id",
        "type",
        "time",
        "branch_id",
        "machine_id",
        "extra_fields",
    ]
    assert {c["Type"] for c in descriptor["Columns"]} == {"string"}
    assert descriptor["Location"] == f"s3://{raw_bucket}/raw/run_reports/"
    serde = descriptor["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.RegexSerDe"
    assert serde["Parameters"]["input.regex"].startswith("^([^,]*)(?:,([^,]*))?")
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("ingest_date", "string")]
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.ingest_date.format"] == "yyyy-MM-dd"
    assert parameters["projection.ingest_date.range"].endswith(",NOW")
    assert parameters["storage.location.template"] == (
        f"s3://{raw_bucket}/raw/run_reports/ingest_date=${{ingest_date}}/"
    )


def test_queue_topic_cluster_task_definition_and_state_machine_exist_as_wired(
    moto_stack: Stack,
) -> None:
    outputs = moto_stack.outputs
    sqs = moto_stack.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=outputs["ingestion_queue_url"], AttributeNames=["All"]
    )["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 5
    assert redrive["deadLetterTargetArn"].endswith(":cola-test-ingestion-dlq")
    assert attributes["KmsMasterKeyId"].startswith("arn:aws:kms:")

    topic = moto_stack.client("sns").get_topic_attributes(TopicArn=outputs["alerts_topic_arn"])
    assert topic["Attributes"]["KmsMasterKeyId"].startswith("arn:aws:kms:")

    ecs = moto_stack.client("ecs")
    [cluster] = ecs.describe_clusters(clusters=[outputs["ecs_cluster_arn"]])["clusters"]
    assert cluster["status"] == "ACTIVE"
    task_definition = ecs.describe_task_definition(
        taskDefinition=outputs["runner_task_definition_arn"]
    )["taskDefinition"]
    [container] = task_definition["containerDefinitions"]
    assert container["name"] == "dbt-runner"
    assert container["image"].startswith(outputs["runner_repository_url"])
    environment = {item["name"]: item["value"] for item in container["environment"]}
    assert environment["DBT_TARGET"] == "prod"
    assert environment["COLA_ATHENA_WORKGROUP"] == outputs["athena_workgroup"]
    assert environment["COLA_ARTIFACTS_URI"] == (
        f"s3://{outputs['bucket_names']['artifacts']}/dbt-runs"
    )
    assert task_definition["requiresCompatibilities"] == ["FARGATE"]

    sfn = moto_stack.client("stepfunctions")
    machine = sfn.describe_state_machine(stateMachineArn=outputs["state_machine_arn"])
    definition = json.loads(machine["definition"])
    build = definition["States"]["RunDbtBuild"]["Parameters"]
    assert build["Cluster"] == outputs["ecs_cluster_arn"]
    assert build["TaskDefinition"] == outputs["runner_task_definition_arn"]
    assert (
        definition["States"]["NotifyFailure"]["Parameters"]["TopicArn"]
        == (outputs["alerts_topic_arn"])
    )

    schedule = moto_stack.client("scheduler").get_schedule(Name="cola-test-dbt-build")
    assert schedule["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert schedule["Target"]["Arn"] == outputs["state_machine_arn"]
    assert json.loads(schedule["Target"]["Input"])["trigger"] == "schedule"

    workgroup = moto_stack.client("athena").get_work_group(WorkGroup=outputs["athena_workgroup"])
    configuration = workgroup["WorkGroup"]["Configuration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
