"""Real buckets and queues in moto, and a poller that feeds SQS batches to the handler the way
Lambda's event source mapping does (delete what succeeded, leave failures for redrive)."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingestion_lambda import handler as handler_module

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "us-east-1"
ACCOUNT = "123456789012"
LANDING_BUCKET = "cola-landing"
RAW_BUCKET = "cola-raw"
QUARANTINE_BUCKET = "cola-quarantine"
MAX_RECEIVE_COUNT = 3


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the context object the Lambda runtime passes."""

    function_name: str = "cola-ingestion"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:cola-ingestion"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/cola-ingestion"
    log_stream_name: str = "2024/01/03/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret (moto's fake)
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "RAW_BUCKET": RAW_BUCKET,
        "QUARANTINE_BUCKET": QUARANTINE_BUCKET,
        "POWERTOOLS_SERVICE_NAME": "cola-ingestion",
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    handler_module.get_landing.cache_clear()
    yield
    handler_module.get_landing.cache_clear()


@dataclass
class Aws:
    """Handles on the moto account: the landing bucket notifies `queue` (redrive to `dlq`)."""

    s3: Any
    sqs: Any
    queue_url: str
    dlq_url: str
    queue_arn: str
    landing: str = LANDING_BUCKET
    raw: str = RAW_BUCKET
    quarantine: str = QUARANTINE_BUCKET
    max_receive_count: int = MAX_RECEIVE_COUNT

    @staticmethod
    def context() -> LambdaContext:
        return LambdaContext()

    def put(self, key: str, body: bytes, bucket: str = LANDING_BUCKET) -> dict[str, Any]:
        return self.s3.put_object(Bucket=bucket, Key=key, Body=body)

    def body(self, bucket: str, key: str, **kwargs: Any) -> bytes:
        return self.s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def receive(self, queue_url: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=queue_url or self.queue_url,
            MaxNumberOfMessages=limit,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def drain(self) -> list[dict[str, Any]]:
        """Every message now in the queue (e.g. the s3:TestEvent), removed from it."""
        messages = self.receive()
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return messages

    def sqs_event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The event Lambda builds from received SQS messages."""
        return {
            "Records": [
                {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                    "attributes": message.get("Attributes", {}),
                    "messageAttributes": message.get("MessageAttributes", {}),
                    "md5OfBody": message["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": REGION,
                }
                for message in messages
            ]
        }

    def poll(self) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One round of the event source mapping: receive, invoke, delete the successes."""
        messages = self.receive()
        if not messages:
            return messages, None
        response = handler_module.handler(self.sqs_event(messages), LambdaContext())
        failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return messages, response

    def notification_bodies(self) -> list[dict[str, Any]]:
        """The S3 notifications now queued (not the test event), removed from the queue."""
        bodies = [json.loads(message["Body"]) for message in self.drain()]
        return [body for body in bodies if "Records" in body]


@pytest.fixture
def aws(aws_env: None) -> Iterator[Aws]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        for bucket in (LANDING_BUCKET, RAW_BUCKET, QUARANTINE_BUCKET):
            s3.create_bucket(Bucket=bucket)
        dlq_url = sqs.create_queue(QueueName="cola-landing-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
        queue_url = sqs.create_queue(
            QueueName="cola-landing",
            Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(redrive)},
        )["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        s3.put_bucket_notification_configuration(
            Bucket=LANDING_BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]},
                ]
            },
        )
        yield Aws(s3=s3, sqs=sqs, queue_url=queue_url, dlq_url=dlq_url, queue_arn=queue_arn)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def fixture() -> Any:
    """`fixture("latin1.csv")` -> the file's bytes."""
    return fixture_bytes


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """The handler's structured log lines (Powertools binds its stream at import time)."""
    stream = io.StringIO()
    log_handler = handler_module.logger.registered_handler
    assert isinstance(log_handler, logging.StreamHandler)
    previous = log_handler.setStream(stream)
    yield stream
    log_handler.setStream(previous)
