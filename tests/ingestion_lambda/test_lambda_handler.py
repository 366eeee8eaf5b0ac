"""The Lambda against moto: S3 notifications delivered by moto to a real SQS queue, the handler
invoked with the events Lambda builds from them (see conftest's `Aws.poll`)."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from ingestion_lambda import handler as handler_module
from ingestion_lambda import landing
from ingestion_lambda.events import ObjectCreated
from ingestion_lambda.handler import handler
from ingestion_lambda.landing import SourceNotFoundError

SITE_KEY = (
    "run-reports/site_id=0001/machine_id=0001/year=2023/month=12/day=31/"
    "6f1c2d3e-8a9b-4c5d-9e0f-1a2b3c4d5e6f.csv"
)
DAY_KEY = "run-reports/year=2024/month=01/day=03/0b7e1f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b.csv"


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def outcomes(stream: io.StringIO) -> list[str]:
    return [line["landing"]["outcome"] for line in log_lines(stream) if "landing" in line]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def expected_name(aws: Any, key: str) -> str:
    etag = aws.s3.head_object(Bucket=aws.landing, Key=key)["ETag"]
    identity = landing.s3_identity(aws.landing, key, None, etag)
    return landing.landing_name(key.rsplit("/", 1)[-1], identity)


def manifest(aws: Any, name: str) -> dict[str, Any]:
    return json.loads(aws.body(aws.raw, f"raw/_manifests/run_reports/{name}.json"))


def test_an_object_created_notification_lands_the_object(aws: Any, fixture: Any) -> None:
    body = fixture("reports_2024-01-03.csv")
    aws.put(SITE_KEY, body)

    messages, response = aws.poll()

    assert response == {"batchItemFailures": []}
    assert len(messages) == 2  # the s3:TestEvent sent when notifications were set up, and ours
    name = expected_name(aws, SITE_KEY)
    raw_key = f"raw/run_reports/ingest_date={today()}/{name}.csv"
    assert aws.keys(aws.raw) == [f"raw/_manifests/run_reports/{name}.json", raw_key]
    assert aws.body(aws.raw, raw_key) == body
    etag = aws.s3.head_object(Bucket=aws.landing, Key=SITE_KEY)["ETag"].strip('"')
    document = manifest(aws, name)
    assert document == {
        "name": name,
        "identity": f"s3://{aws.landing}/{SITE_KEY}#{etag}",
        "source": {"bucket": aws.landing, "key": SITE_KEY, "version_id": None, "etag": etag},
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "raw_key": raw_key,
        "landed_at": document["landed_at"],
    }
    assert document["landed_at"].startswith(today()) and document["landed_at"].endswith("Z")
    assert aws.s3.head_object(Bucket=aws.raw, Key=raw_key)["Metadata"] == {
        "source-bucket": aws.landing,
        "source-key": SITE_KEY,
        "source-etag": etag,
        "landed-at": document["landed_at"],
    }
    assert aws.receive() == []  # everything succeeded, so the poller deleted everything
    assert aws.keys(aws.quarantine) == []


def test_the_s3_test_event_is_ignored_and_logged(aws: Any, logs: io.StringIO) -> None:
    [message] = aws.receive()
    assert json.loads(message["Body"])["Event"] == "s3:TestEvent"

    response = handler(aws.sqs_event([message]), aws.context())

    assert response == {"batchItemFailures": []}
    assert aws.keys(aws.raw) == [] and aws.keys(aws.quarantine) == []
    [line] = [line for line in log_lines(logs) if line["message"] == "notification ignored"]
    assert line["why"] == "s3:TestEvent" and line["bucket"] == aws.landing
    assert line["function_name"] == "cola-ingestion"  # the Lambda context is injected


def test_a_batch_of_messages_lands_every_object(aws: Any, fixture: Any, logs: io.StringIO) -> None:
    aws.drain()
    keys = [SITE_KEY, DAY_KEY, "run-reports/year=2024/month=01/day=04/third.csv"]
    for key in keys:
        aws.put(key, fixture("reports_2024-01-03.csv"))

    messages, response = aws.poll()

    assert len(messages) == 3 and response == {"batchItemFailures": []}
    assert outcomes(logs) == ["landed"] * 3
    assert len(aws.keys(aws.raw, "raw/run_reports/")) == 3
    assert len(aws.keys(aws.raw, "raw/_manifests/")) == 3


def test_a_direct_s3_event_with_many_records(aws: Any, fixture: Any) -> None:
    for key in (SITE_KEY, DAY_KEY):
        aws.put(key, fixture("bom_crlf_header.csv"))
    records = [record for body in aws.notification_bodies() for record in body["Records"]]

    response = handler({"Records": records}, aws.context())

    assert [r["outcome"] for r in response["results"]] == ["landed", "landed"]
    for result in response["results"]:
        assert aws.body(aws.raw, result["key"]) == fixture("bom_crlf_header.csv")


@pytest.mark.parametrize(
    "key",
    [
        "run-reports/year=2024/month=01/day=03/with space.csv",
        "run-reports/year=2024/month=01/day=03/a+b=c.csv",
        "run-reports/Zürich/Kühler 报告 🥤.csv",
        "run-reports/100%25/literal%2Bplus.csv",
    ],
    ids=["space", "plus", "unicode", "percent"],
)
def test_url_encoded_keys_are_decoded(aws: Any, fixture: Any, key: str) -> None:
    aws.drain()
    aws.put(key, fixture("unicode_text.csv"))
    [message] = aws.receive()
    assert json.loads(message["Body"])["Records"][0]["s3"]["object"]["key"] != key  # encoded

    response = handler(aws.sqs_event([message]), aws.context())

    assert response == {"batchItemFailures": []}
    document = manifest(aws, expected_name(aws, key))
    assert document["source"]["key"] == key
    assert aws.body(aws.raw, document["raw_key"]) == fixture("unicode_text.csv")
    metadata = aws.s3.head_object(Bucket=aws.raw, Key=document["raw_key"])["Metadata"]
    assert metadata["source-key"].isascii() and unquote(metadata["source-key"]) == key


def test_redelivery_three_times_lands_once_and_rewrites_nothing(
    aws: Any, fixture: Any, logs: io.StringIO
) -> None:
    aws.s3.put_bucket_versioning(Bucket=aws.raw, VersioningConfiguration={"Status": "Enabled"})
    aws.drain()
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    [body] = aws.notification_bodies()

    for _ in range(3):
        aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))
        messages, response = aws.poll()
        assert len(messages) == 1 and response == {"batchItemFailures": []}

    assert outcomes(logs) == ["landed", "already_landed", "already_landed"]
    assert len(aws.keys(aws.raw, "raw/run_reports/")) == 1
    versions = aws.s3.list_object_versions(Bucket=aws.raw)["Versions"]
    assert sorted(v["Key"] for v in versions) == aws.keys(aws.raw)  # each written once


def test_redelivery_days_later_returns_the_first_key(aws: Any, fixture: Any) -> None:
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    item = ObjectCreated(aws.landing, DAY_KEY, None, "ObjectCreated:Put")
    first_day = datetime(2024, 1, 3, 23, 59, tzinfo=UTC)
    service = handler_module.get_landing()

    first = service.land(item, now=first_day)
    later = service.land(item, now=first_day + timedelta(days=5))

    assert first.outcome == "landed" and "ingest_date=2024-01-03" in first.key
    assert later.outcome == "already_landed" and later.key == first.key
    assert aws.keys(aws.raw, "raw/run_reports/") == [first.key]


def test_unreadable_files_are_quarantined_and_originals_untouched(aws: Any, fixture: Any) -> None:
    aws.drain()
    files = {
        "run-reports/day=03/dump.bin": b"\x00\x01\x02binary\x00",
        "run-reports/day=03/empty.csv": fixture("empty.csv"),
        "run-reports/day=03/latin1.csv": fixture("latin1.csv"),
        "run-reports/day=03/whitespace.csv": fixture("whitespace_only.csv"),
    }
    for key, body in files.items():
        aws.put(key, body)
    etags = {key: aws.s3.head_object(Bucket=aws.landing, Key=key)["ETag"] for key in files}

    messages, response = aws.poll()

    assert len(messages) == 4 and response == {"batchItemFailures": []}
    assert aws.keys(aws.raw) == []
    reasons = {}
    for key, body in files.items():
        name = expected_name(aws, key)
        suffix = "." + key.rsplit(".", 1)[-1]
        quarantined = f"quarantine/run_reports/ingest_date={today()}/{name}{suffix}"
        assert aws.body(aws.quarantine, quarantined) == body
        document = json.loads(aws.body(aws.quarantine, quarantined + ".reason.json"))
        assert document["source"]["key"] == key and document["quarantine_key"] == quarantined
        reasons[key.rsplit("/", 1)[-1]] = (document["reason"], document["detail"])
        assert aws.body(aws.landing, key) == body
        assert aws.s3.head_object(Bucket=aws.landing, Key=key)["ETag"] == etags[key]
    assert reasons == {
        "dump.bin": ("binary", "NUL byte at byte offset 0 (line 1, column 1)"),
        "empty.csv": ("empty", "no data: zero bytes"),
        "latin1.csv": (
            "not_utf8",
            "not UTF-8 at byte offset 31 (line 1, column 32): byte 0xfc (invalid start byte); "
            "save the file as UTF-8",
        ),
        "whitespace.csv": ("empty", "no data: only whitespace in 7 bytes"),
    }


def test_quarantine_is_idempotent(aws: Any, fixture: Any) -> None:
    aws.s3.put_bucket_versioning(
        Bucket=aws.quarantine, VersioningConfiguration={"Status": "Enabled"}
    )
    aws.drain()
    aws.put("run-reports/latin1.csv", fixture("latin1.csv"))
    [body] = aws.notification_bodies()

    results = [handler(body, aws.context())["results"][0] for _ in range(3)]

    assert {(r["outcome"], r["reason"], r["key"]) for r in results} == {
        ("quarantined", "not_utf8", results[0]["key"])
    }
    assert [r["is_repeat"] for r in results] == [False, True, True]
    versions = aws.s3.list_object_versions(Bucket=aws.quarantine)["Versions"]
    assert len(versions) == 3  # the file, its reason, its manifest: each written once


def test_a_missing_object_is_a_batch_item_failure_not_a_quarantine(
    aws: Any, fixture: Any, logs: io.StringIO
) -> None:
    aws.drain()
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    aws.s3.delete_object(Bucket=aws.landing, Key=DAY_KEY)

    messages, response = aws.poll()

    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert aws.keys(aws.raw) == [] and aws.keys(aws.quarantine) == []
    [error] = [line for line in log_lines(logs) if line["message"] == "landing failed"]
    assert error["source_uri"] == f"s3://{aws.landing}/{DAY_KEY}"
    assert "SourceNotFoundError" in error["exception_name"]


def test_a_missing_object_raises_a_clear_error_on_a_direct_event(aws: Any, fixture: Any) -> None:
    aws.drain()
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    aws.s3.delete_object(Bucket=aws.landing, Key=DAY_KEY)
    [body] = aws.notification_bodies()

    with pytest.raises(SourceNotFoundError, match="source object not found") as raised:
        handler(body, aws.context())
    assert f"s3://{aws.landing}/{DAY_KEY}" in str(raised.value)


def test_a_record_that_keeps_failing_ends_in_the_dlq(aws: Any, fixture: Any) -> None:
    aws.drain()
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    aws.s3.delete_object(Bucket=aws.landing, Key=DAY_KEY)

    failures = 0
    for _ in range(aws.max_receive_count + 2):
        _, response = aws.poll()
        failures += len(response["batchItemFailures"]) if response else 0

    assert failures == aws.max_receive_count
    assert aws.receive() == []
    [dead] = aws.receive(aws.dlq_url)
    [record] = json.loads(dead["Body"])["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    assert unquote(record["s3"]["object"]["key"]) == DAY_KEY


def test_only_the_failed_record_of_a_batch_is_reported(aws: Any, fixture: Any) -> None:
    aws.drain()
    aws.put("run-reports/a.csv", fixture("reports_2024-01-03.csv"))
    aws.put("run-reports/gone.csv", fixture("reports_2024-01-03.csv"))
    aws.put("run-reports/c.csv", fixture("latin1.csv"))
    aws.s3.delete_object(Bucket=aws.landing, Key="run-reports/gone.csv")

    messages, response = aws.poll()

    assert response is not None and len(messages) == 3
    [gone] = [m["MessageId"] for m in messages if "gone.csv" in m["Body"]]
    assert response["batchItemFailures"] == [{"itemIdentifier": gone}]
    assert len(aws.keys(aws.raw, "raw/run_reports/")) == 1
    assert len(aws.keys(aws.quarantine, "quarantine/run_reports/")) == 2  # file + reason
    [left] = aws.receive()
    assert left["MessageId"] == gone


def test_a_message_that_is_not_a_notification_fails(aws: Any) -> None:
    aws.drain()
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps({"hello": "world"}))
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody="not json")
    messages, response = aws.poll()
    assert response is not None
    assert len(response["batchItemFailures"]) == len(messages) == 2


def test_a_versioned_object_lands_the_notified_version(aws: Any) -> None:
    aws.s3.put_bucket_versioning(Bucket=aws.landing, VersioningConfiguration={"Status": "Enabled"})
    aws.drain()
    first_content = b"1,start,2024-01-03T06:00:00Z,1,1\n"
    v1 = aws.put(DAY_KEY, first_content)["VersionId"]
    aws.put(DAY_KEY, first_content + b"2,stop,2024-01-03T07:00:00Z,1,1\n")
    event = aws.notification_bodies()[0]
    event["Records"][0]["s3"]["object"]["versionId"] = v1  # S3 sends it for versioned buckets

    [result] = handler(event, aws.context())["results"]

    assert aws.body(aws.raw, result["key"]) == first_content
    identity = f"s3://{aws.landing}/{DAY_KEY}?versionId={v1}"
    assert result["name"] == landing.landing_name(DAY_KEY.rsplit("/", 1)[-1], identity)
    assert manifest(aws, result["name"])["source"]["version_id"] == v1
    metadata = aws.s3.head_object(Bucket=aws.raw, Key=result["key"])["Metadata"]
    assert metadata["source-version-id"] == v1


def test_an_overwritten_object_is_a_new_landing(aws: Any, fixture: Any) -> None:
    aws.drain()
    aws.put(DAY_KEY, fixture("reports_2024-01-03.csv"))
    [first] = handler(aws.notification_bodies()[0], aws.context())["results"]
    aws.put(DAY_KEY, fixture("bom_crlf_header.csv"))
    [second] = handler(aws.notification_bodies()[0], aws.context())["results"]

    assert (first["outcome"], second["outcome"]) == ("landed", "landed")
    assert first["key"] != second["key"]
    assert aws.body(aws.raw, second["key"]) == fixture("bom_crlf_header.csv")


def test_raw_and_quarantine_may_share_a_bucket(
    aws: Any, fixture: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUARANTINE_BUCKET", aws.raw)
    handler_module.get_landing.cache_clear()
    aws.drain()
    aws.put("run-reports/good.csv", fixture("reports_2024-01-03.csv"))
    aws.put("run-reports/bad.csv", fixture("latin1.csv"))

    _, response = aws.poll()

    assert response == {"batchItemFailures": []}
    assert {key.split("/", 1)[0] for key in aws.keys(aws.raw)} == {"raw", "quarantine"}
