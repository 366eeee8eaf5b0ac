"""Redelivery, retries and crashes on the landing side, against moto S3 and SQS.

The design, made explicit here:
- one source object (bucket, key, version or ETag) is one raw object, however often its
  notification is delivered, on whatever day;
- the same bytes under another key are another source: another raw object (a repeated report
  is then a `duplicate` in dbt, which keeps the first);
- the manifest is written before the copy, so a Lambda that dies anywhere in a landing is
  finished by the retry, under the first attempt's key: never two copies, never a copy
  without its manifest.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ingestion_lambda import handler as handler_module
from ingestion_lambda.events import ObjectCreated

REPORT = b"1,start,2024-01-03T06:00:00Z,0001,0001\n2,stop,2024-01-03T07:00:00Z,0001,0001\n"
LATIN1 = "1,start,2024-01-03T06:00:00Z,Zürich,0001\n".encode("latin-1")
DAY_1 = datetime(2024, 1, 3, 23, 59, 59, tzinfo=UTC)


class LambdaCrash(Exception):
    """The Lambda dies (timeout, out of memory) after S3 performed a request."""


class CrashOnce:
    """Fault injection on the handler's real boto3 client: once S3 (moto) has performed
    `operation` on a key containing `marker`, raise as if the Lambda died right there."""

    def __init__(self, client: Any, operation: str, marker: str) -> None:
        self.marker = marker
        self.crashed = False
        client.meta.events.register(f"provide-client-params.s3.{operation}", self._note)
        client.meta.events.register(f"after-call.s3.{operation}", self._crash)

    def _note(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["crash_key"] = params.get("Key", "")

    def _crash(self, context: dict[str, Any], **_: Any) -> None:
        if not self.crashed and self.marker in context.get("crash_key", ""):
            self.crashed = True
            raise LambdaCrash(f"died after {context['crash_key']}")


@pytest.fixture
def versioned(aws: Any) -> Iterator[Any]:
    """Versioned zones: every write is a version, so rewrites can be counted."""
    for bucket in (aws.raw, aws.quarantine):
        aws.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    aws.drain()
    yield aws


def writes(aws: Any, bucket: str) -> list[str]:
    """Every version ever written to `bucket`, by key."""
    versions = aws.s3.list_object_versions(Bucket=bucket).get("Versions", [])
    return sorted(version["Key"] for version in versions)


def snapshot(aws: Any) -> dict[str, tuple[str, str]]:
    """Both zones: key -> (ETag, version id)."""
    return {
        f"{bucket}/{key}": (head["ETag"], head["VersionId"])
        for bucket in (aws.raw, aws.quarantine)
        for key in aws.keys(bucket)
        for head in [aws.s3.head_object(Bucket=bucket, Key=key)]
    }


def poll_until_empty(aws: Any) -> list[dict[str, Any]]:
    responses = []
    while True:
        messages, response = aws.poll()
        if not messages:
            return responses
        responses.append(response)


def test_the_same_object_delivered_three_times_is_one_raw_object(versioned: Any) -> None:
    aws = versioned
    aws.put("run-reports/a.csv", REPORT)
    [body] = aws.notification_bodies()

    for _ in range(3):
        aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))
    poll_until_empty(aws)

    [raw_key] = aws.keys(aws.raw, "raw/run_reports/")
    assert aws.body(aws.raw, raw_key) == REPORT
    assert writes(aws, aws.raw) == aws.keys(aws.raw)  # the copy and manifest, once each


def test_the_same_content_under_three_keys_is_three_raw_objects(versioned: Any) -> None:
    aws = versioned
    for key in ("run-reports/a.csv", "run-reports/copy/a.csv", "resent/a (1).csv"):
        aws.put(key, REPORT)

    poll_until_empty(aws)

    raw_keys = aws.keys(aws.raw, "raw/run_reports/")
    assert len(raw_keys) == 3 and len(aws.keys(aws.raw, "raw/_manifests/")) == 3
    assert {aws.body(aws.raw, key) for key in raw_keys} == {REPORT}  # rows: dbt's duplicates


def test_a_whole_batch_delivered_twice_leaves_the_zones_as_they_were(versioned: Any) -> None:
    aws = versioned
    for number in range(4):
        aws.put(f"run-reports/good-{number}.csv", REPORT)
    aws.put("run-reports/latin1.csv", LATIN1)
    aws.put("run-reports/empty.csv", b"")
    bodies = aws.notification_bodies()
    for body in bodies:
        aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))
    poll_until_empty(aws)
    before = snapshot(aws)
    assert len(before) == 4 * 2 + 2 * 3  # copy + manifest; copy + reason + manifest

    for body in bodies:
        aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))
    responses = poll_until_empty(aws)

    assert all(response == {"batchItemFailures": []} for response in responses)
    assert snapshot(aws) == before
    every_write = writes(aws, aws.raw) + writes(aws, aws.quarantine)
    assert sorted(every_write) == sorted(key.split("/", 1)[1] for key in before)


@pytest.mark.parametrize(
    ("operation", "marker"),
    [("PutObject", "raw/_manifests/"), ("CopyObject", "raw/run_reports/")],
    ids=["after-the-manifest", "after-the-copy"],
)
def test_a_retry_after_a_crash_leaves_exactly_one_raw_object(
    versioned: Any, operation: str, marker: str
) -> None:
    aws = versioned
    crash = CrashOnce(handler_module.get_landing().client, operation, marker)
    aws.put("run-reports/a.csv", REPORT)

    _, first = aws.poll()  # the invocation dies: SQS keeps the message
    assert crash.crashed and first is not None and len(first["batchItemFailures"]) == 1
    _, retry = aws.poll()  # Lambda's retry of the same message

    assert retry == {"batchItemFailures": []}
    [raw_key] = aws.keys(aws.raw, "raw/run_reports/")
    assert aws.body(aws.raw, raw_key) == REPORT
    [manifest_key] = aws.keys(aws.raw, "raw/_manifests/")
    assert json.loads(aws.body(aws.raw, manifest_key))["raw_key"] == raw_key
    assert writes(aws, aws.raw) == [manifest_key, raw_key]  # nothing written twice
    assert aws.receive() == [] and aws.receive(aws.dlq_url) == []


def test_a_retry_days_after_a_crash_finishes_under_the_first_key(versioned: Any) -> None:
    aws = versioned
    CrashOnce(handler_module.get_landing().client, "PutObject", "raw/_manifests/")
    aws.put("run-reports/a.csv", REPORT)
    item = ObjectCreated(aws.landing, "run-reports/a.csv", None, "ObjectCreated:Put")
    service = handler_module.get_landing()

    with pytest.raises(LambdaCrash):
        service.land(item, now=DAY_1)
    result = service.land(item, now=DAY_1 + timedelta(days=3))  # redriven from the DLQ
    again = service.land(item, now=DAY_1 + timedelta(days=4))

    assert (result.outcome, again.outcome) == ("landed", "already_landed")
    assert aws.keys(aws.raw, "raw/run_reports/") == [result.key] == [again.key]
    assert "ingest_date=2024-01-03/" in result.key
    assert aws.body(aws.raw, result.key) == REPORT


@pytest.mark.parametrize(
    ("operation", "marker"),
    [
        ("PutObject", "quarantine/_manifests/"),
        ("CopyObject", "quarantine/run_reports/"),
        ("PutObject", ".reason.json"),
    ],
    ids=["after-the-manifest", "after-the-copy", "after-the-reason"],
)
def test_a_retry_after_a_crash_while_quarantining_completes_it(
    versioned: Any, operation: str, marker: str
) -> None:
    aws = versioned
    CrashOnce(handler_module.get_landing().client, operation, marker)
    aws.put("run-reports/latin1.csv", LATIN1)

    aws.poll()
    _, retry = aws.poll()

    assert retry == {"batchItemFailures": []}
    keys = aws.keys(aws.quarantine)
    [quarantined] = [key for key in keys if key.endswith(".csv")]
    assert keys == sorted(
        [
            quarantined,
            quarantined + ".reason.json",
            f"quarantine/_manifests/run_reports/{quarantined.rsplit('/', 1)[-1][:-4]}.json",
        ]
    )
    assert aws.body(aws.quarantine, quarantined) == LATIN1
    reason = json.loads(aws.body(aws.quarantine, quarantined + ".reason.json"))
    assert reason["reason"] == "not_utf8" and reason["quarantine_key"] == quarantined
    assert writes(aws, aws.quarantine) == keys
    assert aws.keys(aws.raw) == []


def test_the_handler_logs_the_crash_and_the_completion(versioned: Any, logs: io.StringIO) -> None:
    aws = versioned
    CrashOnce(handler_module.get_landing().client, "PutObject", "raw/_manifests/")
    aws.put("run-reports/a.csv", REPORT)

    aws.poll()
    aws.poll()

    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.strip()]
    failed = [line for line in lines if line["message"] == "landing failed"]
    assert [line["source_uri"] for line in failed] == [f"s3://{aws.landing}/run-reports/a.csv"]
    assert [line["landing"]["outcome"] for line in lines if "landing" in line] == ["landed"]
