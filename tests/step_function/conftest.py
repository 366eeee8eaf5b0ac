"""Fixtures for executing the state machine in moto: a patched moto server that really runs
executions, and the AWS resources the rendered definition points at."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.step_function.moto_harness import (
    REGION,
    moto_client,
    moto_server,
    render_definition,
)

ARTIFACTS_BUCKET = "cola-analytics-artifacts"
ARTIFACTS_PREFIX = "dbt-runs"
FAST_RETRIES = {
    "retry_interval_seconds": 1,
    "retry_max_attempts": 2,
    "retry_max_delay_seconds": 1,
    "debounce_seconds": 1,
    "guard_settle_seconds": 0,
}


@dataclass
class Sandbox:
    """The moto account the executions run in."""

    url: str
    clients: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    alerts_queue_url: str = ""
    role_arn: str = ""

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = moto_client(self.url, service)
        return self.clients[service]

    def create_state_machine(self, name: str, **overrides: Any) -> str:
        definition = render_definition({**self.vars, **FAST_RETRIES, **overrides})
        response = self.client("stepfunctions").create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=self.role_arn
        )
        return str(response["stateMachineArn"])

    def start(self, state_machine_arn: str, payload: dict[str, Any] | None = None) -> str:
        # AWS names an execution with a UUID when no name is given; moto 5.2.5 uses "None".
        response = self.client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn,
            name=str(uuid.uuid4()),
            input=json.dumps(payload or {}),
        )
        return str(response["executionArn"])

    def wait(self, execution_arn: str, timeout: float = 60) -> dict[str, Any]:
        sfn = self.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while True:
            execution = sfn.describe_execution(executionArn=execution_arn)
            if execution["status"] != "RUNNING":
                return dict(execution)
            if time.monotonic() > deadline:
                raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")
            time.sleep(0.2)

    def explain(self, execution_arn: str) -> str:
        """The failure events of an execution, for assertion messages."""
        events = [
            {key: value for key, value in event.items() if key.endswith("EventDetails")}
            for event in self.history(execution_arn)
            if "Failed" in event["type"] or "Fail" in event["type"]
        ]
        return json.dumps(events, indent=1, default=str)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        return list(sfn.get_execution_history(executionArn=execution_arn)["events"])

    def alerts(self, wait_seconds: int = 2) -> list[dict[str, Any]]:
        """Every SNS message received by the alert topic's SQS subscriber (then deleted)."""
        sqs = self.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.alerts_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(
                QueueUrl=self.alerts_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return [json.loads(message["Body"]) for message in messages]


def build_sandbox(url: str, container_environment: Mapping[str, str] | None = None) -> Sandbox:
    """The resources the rendered definition points at, in the moto server at `url`; the
    runner's task definition has `container_environment` (for a server that runs containers)."""
    box = Sandbox(url)
    iam, sns, sqs = box.client("iam"), box.client("sns"), box.client("sqs")
    ec2, ecs, s3 = box.client("ec2"), box.client("ecs"), box.client("s3")

    box.role_arn = iam.create_role(
        RoleName="dbt-build-state-machine",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "states.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]

    topic_arn = sns.create_topic(Name="cola-analytics-alerts")["TopicArn"]
    box.alerts_queue_url = sqs.create_queue(QueueName="alerts-reader")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(
        QueueUrl=box.alerts_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    s3.create_bucket(
        Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )

    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnet_id = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.42.0.0/20", AvailabilityZone=f"{REGION}a"
    )["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(
        GroupName="dbt-runner", Description="dbt runner", VpcId=vpc_id
    )["GroupId"]

    cluster_arn = ecs.create_cluster(
        clusterName="cola-analytics", capacityProviders=["FARGATE", "FARGATE_SPOT"]
    )["cluster"]["clusterArn"]
    task_definition_arn = ecs.register_task_definition(
        family="cola-analytics-dbt-runner",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory="2048",
        containerDefinitions=[
            {
                "name": "dbt-runner",
                "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dbt-runner:test",
                "essential": True,
                "memory": 2048,
                "command": ["build"],
                "environment": [
                    {"name": name, "value": value}
                    for name, value in (container_environment or {}).items()
                ],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]

    box.vars = {
        "region": REGION,
        "alerts_topic_arn": topic_arn,
        "cluster_arn": cluster_arn,
        "task_definition_arn": task_definition_arn,
        "subnet_ids": [subnet_id],
        "security_group_ids": [group_id],
        "artifacts_uri": f"s3://{ARTIFACTS_BUCKET}/{ARTIFACTS_PREFIX}",
        "artifacts_bucket": ARTIFACTS_BUCKET,
        "artifacts_prefix": ARTIFACTS_PREFIX,
    }
    return box


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with moto_server(execute_state_machines=True) as url:
        yield build_sandbox(url)
