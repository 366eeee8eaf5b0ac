"""Reading S3 notifications (pure): the shapes S3 documents, decoded keys, the test event."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion_lambda.events import (
    Ignored,
    NotANotificationError,
    ObjectCreated,
    is_sqs_event,
    read_notification,
)


def s3_record(key: str, event_name: str = "ObjectCreated:Put", **object_fields: Any) -> dict:
    """A record as in the S3 docs' "Event message structure" (version 2.1)."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-west-1",
        "eventTime": "2024-01-03T10:00:00.000Z",
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.7"},
        "responseElements": {
            "x-amz-request-id": "C3D13FE58DE4C810",  # pragma: allowlist secret (AWS docs)
            "x-amz-id-2": "FMyU",
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "run-reports",
            "bucket": {
                "name": "cola-landing",
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": "arn:aws:s3:::cola-landing",
            },
            "object": {
                "key": key,
                "size": 154,
                "eTag": "d41d8cd98f00b204e9800998ecf8427e",  # pragma: allowlist secret
                "sequencer": "0055AED6DCD90281E5",  # pragma: allowlist secret
                **object_fields,
            },
        },
    }


def test_records_are_read_with_decoded_keys_and_versions() -> None:
    event = {
        "Records": [
            s3_record("run-reports/year%3D2024/with+space+%2B+plus.csv", versionId="v1"),
            s3_record("run-reports%2FZ%C3%BCrich%2F%E6%8A%A5%E5%91%8A.csv"),
        ]
    }
    put = "ObjectCreated:Put"
    assert read_notification(event) == [
        ObjectCreated("cola-landing", "run-reports/year=2024/with space + plus.csv", "v1", put),
        ObjectCreated("cola-landing", "run-reports/Zürich/报告.csv", None, put),
    ]


def test_the_test_event_and_other_event_types_are_ignored() -> None:
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2024-01-03T10:00:00.000Z",
        "Bucket": "cola-landing",
        "RequestId": "5582815E1AEA5ADF",
        # pragma: allowlist nextline secret (the example of the AWS docs)
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    assert read_notification(test_event) == [Ignored("s3:TestEvent", bucket="cola-landing")]
    removed = {"Records": [s3_record("a.csv", "ObjectRemoved:Delete")]}
    assert read_notification(removed) == [
        Ignored("event ObjectRemoved:Delete", bucket="cola-landing")
    ]


@pytest.mark.parametrize(
    "document",
    [{}, {"hello": "world"}, {"Records": []}, {"Records": [{"eventSource": "aws:sqs"}]}],
)
def test_anything_else_is_an_error(document: dict) -> None:
    with pytest.raises(NotANotificationError):
        read_notification(document)


def test_sqs_events_are_told_from_s3_events() -> None:
    assert is_sqs_event({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
    assert not is_sqs_event({"Records": [s3_record("a.csv")]})
    assert not is_sqs_event({"Service": "Amazon S3", "Event": "s3:TestEvent"})


@pytest.mark.parametrize(
    ("encoded", "key"),
    [
        ("a%2Bb+c.csv", "a+b c.csv"),  # a literal `+` is %2B, a space is `+`
        ("lit%252Bplus.csv", "lit%2Bplus.csv"),  # a key holding the text `%2B`
        ("..%2Fx.csv", "../x.csv"),
        ("..%5Cx.csv", "..\\x.csv"),
        ("%2Fetc%2Fx.csv", "/etc/x.csv"),
        ("%252e%252e%2Fx.csv", "%2e%2e/x.csv"),  # decoded once: the key's own `%` stay
        ("a%00b.csv", "a\x00b.csv"),
    ],
)
def test_keys_are_decoded_exactly_once(encoded: str, key: str) -> None:
    """As moto and S3 encode them (checked against moto's notifications)."""
    [item] = read_notification({"Records": [s3_record(encoded)]})
    assert isinstance(item, ObjectCreated) and item.key == key
