"""Pure reading of the events the Lambda receives: S3 notifications, direct or inside SQS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event


@dataclass(frozen=True)
class ObjectCreated:
    """One `ObjectCreated:*` record; `key` is decoded (S3 and moto URL-encode it)."""

    bucket: str
    key: str
    version_id: str | None
    event_name: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class Ignored:
    """A notification that asks for no landing (the `s3:TestEvent`, a removal, ...)."""

    why: str
    bucket: str | None = None


class NotANotificationError(ValueError):
    """The message is neither an S3 notification nor an S3 test event."""


def is_sqs_event(event: Mapping[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and all(r.get("eventSource") == "aws:sqs" for r in records)


def read_notification(document: Mapping[str, Any]) -> list[ObjectCreated | Ignored]:
    """The records of an S3 event notification document (the SQS body, or the direct event)."""
    if document.get("Event") == "s3:TestEvent":
        return [Ignored("s3:TestEvent", bucket=document.get("Bucket"))]
    records = document.get("Records")
    if not isinstance(records, list) or not records:
        raise NotANotificationError(f"not an S3 event notification (keys: {sorted(document)[:10]})")
    items: list[ObjectCreated | Ignored] = []
    for number, record in enumerate(S3Event(dict(document)).records, start=1):
        if record.get("eventSource") != "aws:s3" or "s3" not in record:
            raise NotANotificationError(f"record {number}: not an S3 record")
        bucket = record.s3.bucket.name
        if not record.event_name.startswith("ObjectCreated:"):
            items.append(Ignored(f"event {record.event_name}", bucket=bucket))
            continue
        items.append(
            ObjectCreated(
                bucket=bucket,
                key=unquote_plus(record.s3.get_object.key),
                version_id=record.s3.get_object.version_id or None,
                event_name=record.event_name,
            )
        )
    return items
