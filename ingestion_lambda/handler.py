"""AWS Lambda entrypoint: `ingestion_lambda.handler.handler`.

Triggered by S3 `ObjectCreated` notifications, either directly or through SQS (so a DLQ and
redrive exist). Each object is landed by the same code as the local CLI (`lander.land`):
server-side copies, the file streamed once in chunks for the readability check.

Environment: RAW_BUCKET, QUARANTINE_BUCKET (may be equal), POWERTOOLS_SERVICE_NAME, LOG_LEVEL.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from ingestion_lambda.events import Ignored, ObjectCreated, is_sqs_event, read_notification
from ingestion_lambda.lander import land
from ingestion_lambda.landing import LandingResult
from ingestion_lambda.storage import S3Object, S3Storage

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class S3Landing:
    """The landing wired to S3: one client, the raw and quarantine buckets."""

    client: Any
    raw: S3Storage
    quarantine: S3Storage

    def land(self, item: ObjectCreated, now: datetime) -> LandingResult:
        source = S3Object(self.client, item.bucket, item.key, item.version_id)
        return land(source, self.raw, self.quarantine, now=now)


@functools.cache
def get_landing() -> S3Landing:
    """Built once per container from the environment (tests call `get_landing.cache_clear()`)."""
    client = boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    return S3Landing(
        client=client,
        raw=S3Storage(client, os.environ["RAW_BUCKET"]),
        quarantine=S3Storage(client, os.environ["QUARANTINE_BUCKET"]),
    )


def land_notification(document: Mapping[str, Any]) -> list[LandingResult]:
    """Land every object of one S3 notification. Every record is tried; then, if any failed,
    the failure is raised (landing is idempotent, so a retry of the rest changes nothing)."""
    results: list[LandingResult] = []
    errors: list[Exception] = []
    for item in read_notification(document):
        if isinstance(item, Ignored):
            logger.info("notification ignored", extra={"why": item.why, "bucket": item.bucket})
            continue
        try:
            result = get_landing().land(item, now=datetime.now(UTC))
        except Exception as error:
            logger.exception("landing failed", extra={"source_uri": item.uri})
            errors.append(error)
            continue
        logger.info(f"{result.outcome}: {result.source}", extra={"landing": result.as_dict()})
        results.append(result)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ExceptionGroup(f"landing failed for {len(errors)} objects", errors)
    return results


def _sqs_record(record: SQSRecord) -> list[dict[str, Any]]:
    return [result.as_dict() for result in land_notification(record.json_body)]


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch: returns `batchItemFailures` (only failed messages are retried, then DLQ).
    Direct S3 event: returns the results, or raises so that the async retry takes over."""
    if is_sqs_event(event):
        return process_partial_response(
            event=event, record_handler=_sqs_record, processor=processor, context=context
        )
    return {"results": [result.as_dict() for result in land_notification(event)]}
