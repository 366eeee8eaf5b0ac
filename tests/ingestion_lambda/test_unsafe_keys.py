"""Object keys with path tricks, through moto S3, SQS and the handler: each is quarantined
under a derived key with a reason, and nothing is ever written outside `raw/` and
`quarantine/` (the key never becomes a path)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

REPORT = b"1,start,2024-01-03T06:00:00Z,0001,0001\n"
UNSAFE_KEYS = {
    "../x.csv": "the object key has a '..' path segment",
    "run-reports/../../raw/run_reports/ingest_date=2024-01-03/x.csv": "'..' path segment",
    "..\\..\\windows\\x.csv": "the object key has a '..' path segment",
    "/etc/x.csv": "the object key is an absolute path (it starts with '/')",
    "C:\\reports\\x.csv": "the object key is an absolute path (it starts with 'C:\\\\')",
    "%2e%2e/%2e%2e/raw/x.csv": "the object key, once percent-decoded, has a '..' path segment",
    "run-reports/..%2F..%2Fquarantine%2F_manifests%2Fx.json": "once percent-decoded",
    "run-reports/a\x00b.csv": "the object key holds the control character 0x00 at character 14",
    "run-reports/" + "x" * 1100 + ".csv": "the object key is 1116 bytes long, S3 allows 1024",
}
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._=-]*$")


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def poll_all(aws: Any) -> None:
    """Run the event source mapping until the queue is empty; every message must succeed."""
    while True:
        messages, response = aws.poll()
        if not messages:
            return
        assert response == {"batchItemFailures": []}


def assert_zones_are_safe(aws: Any) -> None:
    for bucket, zone in ((aws.raw, "raw"), (aws.quarantine, "quarantine")):
        for key in aws.keys(bucket):
            segments = key.split("/")
            assert segments[0] == zone, key
            assert all(SAFE_SEGMENT.match(segment) for segment in segments), key


def test_keys_with_path_tricks_are_quarantined_under_derived_keys(aws: Any) -> None:
    aws.drain()
    for key in UNSAFE_KEYS:
        aws.put(key, REPORT)  # moto, like S3, stores these keys as they are

    poll_all(aws)

    assert aws.keys(aws.raw) == []  # a readable report, but never landed under such a key
    assert_zones_are_safe(aws)
    reasons = aws.keys(aws.quarantine, "quarantine/run_reports/")
    reasons = [key for key in reasons if key.endswith(".reason.json")]
    assert len(reasons) == len(UNSAFE_KEYS)
    seen = set()
    for reason_key in reasons:
        document = json.loads(aws.body(aws.quarantine, reason_key))
        key = document["source"]["key"]
        seen.add(key)
        assert document["file"] == f"s3://{aws.landing}/{key}"
        assert document["reason"] == "unsafe_key"
        assert UNSAFE_KEYS[key] in document["detail"]
        quarantined = document["quarantine_key"]
        assert re.fullmatch(
            rf"quarantine/run_reports/ingest_date={today()}/[A-Za-z0-9][A-Za-z0-9._-]*"
            r"__[0-9a-f]{16}(\.[A-Za-z0-9_-]{1,15})?",
            quarantined,
        )
        assert reason_key == quarantined + ".reason.json"
        assert aws.body(aws.quarantine, quarantined) == REPORT  # byte for byte, as always
        manifest_key = f"quarantine/_manifests/run_reports/{document['name']}.json"
        assert json.loads(aws.body(aws.quarantine, manifest_key)) == document
        metadata = aws.s3.head_object(Bucket=aws.quarantine, Key=quarantined)["Metadata"]
        assert metadata["source-key"] == quote(key, safe="/=:")[:1024]  # ASCII, NUL escaped
    assert seen == set(UNSAFE_KEYS)


def test_a_key_that_looks_like_a_zone_key_lands_under_its_own_derived_key(aws: Any) -> None:
    """A landing key naming a raw key is only a name: it cannot overwrite a raw file."""
    aws.drain()
    existing = f"raw/run_reports/ingest_date={today()}/x__0123456789abcdef.csv"
    aws.s3.put_object(Bucket=aws.raw, Key=existing, Body=b"earlier\n")
    aws.put(existing, REPORT)

    poll_all(aws)

    assert aws.body(aws.raw, existing) == b"earlier\n"
    landed = [key for key in aws.keys(aws.raw, "raw/run_reports/") if key != existing]
    [key] = landed
    assert key.rsplit("/", 1)[-1].startswith("x__0123456789abcdef__")
    assert aws.body(aws.raw, key) == REPORT
    assert_zones_are_safe(aws)


def test_a_forged_event_for_a_missing_object_writes_nothing(aws: Any) -> None:
    """No object, nothing to quarantine: the message fails (then goes to the DLQ)."""
    aws.drain()
    aws.put("run-reports/real.csv", REPORT)
    [body] = aws.notification_bodies()
    body["Records"][0]["s3"]["object"]["key"] = quote("../../etc/passwd")
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))

    messages, response = aws.poll()

    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert aws.keys(aws.raw) == [] and aws.keys(aws.quarantine) == []


@pytest.mark.parametrize(
    ("key", "stem"),
    [
        ("run-reports/_tmp.csv", "tmp"),
        ("run-reports/.hidden.csv", "hidden"),
        ("报告.csv", "report"),
    ],
)
def test_a_file_whose_name_athena_would_skip_lands_under_a_visible_name(
    aws: Any, key: str, stem: str
) -> None:
    """Athena, like Hive, skips files named `_…` or `.…`: the landed name never is."""
    aws.drain()
    aws.put(key, REPORT)
    poll_all(aws)
    [landed] = aws.keys(aws.raw, "raw/run_reports/")
    assert re.fullmatch(rf"{stem}__[0-9a-f]{{16}}\.csv", landed.rsplit("/", 1)[-1])
