"""S3 storage details the handler tests do not reach: multipart copy, pinned reads."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ingestion_lambda.storage import S3Object, S3Storage

MIB = 1024 * 1024


def test_objects_above_the_copy_limit_are_copied_in_parts(aws: Any) -> None:
    body = (b"1,start,2024-01-03T06:00:00Z,0001,0001\n" * (11 * MIB // 39 + 1))[: 11 * MIB + 7]
    aws.put("run-reports/big.csv", body)
    source = S3Object(aws.s3, aws.landing, "run-reports/big.csv")
    storage = S3Storage(aws.s3, aws.raw, copy_object_max_bytes=5 * MIB, copy_part_min_bytes=5 * MIB)

    storage.put_copy(source, "raw/big.csv", {"source-key": "run-reports/big.csv"})

    copied = aws.s3.get_object(Bucket=aws.raw, Key="raw/big.csv")
    assert hashlib.sha256(copied["Body"].read()).digest() == hashlib.sha256(body).digest()
    assert copied["Metadata"] == {"source-key": "run-reports/big.csv"}
    assert copied["ETag"].endswith('-3"')  # three parts: 5 + 5 + 1 MiB
    assert aws.s3.list_multipart_uploads(Bucket=aws.raw).get("Uploads", []) == []


def test_reads_are_pinned_to_the_object_that_was_described(aws: Any) -> None:
    aws.put("run-reports/a.csv", b"first\n")
    source = S3Object(aws.s3, aws.landing, "run-reports/a.csv")
    described = source.describe()
    aws.put("run-reports/a.csv", b"overwritten\n")

    with pytest.raises(ClientError, match=r"PreconditionFailed|412"):
        b"".join(source.chunks())
    assert described.identity.endswith("#" + hashlib.md5(b"first\n").hexdigest())


def test_copies_carry_the_landing_metadata_but_not_the_source_tags(aws: Any) -> None:
    aws.s3.put_object(
        Bucket=aws.landing, Key="run-reports/t.csv", Body=b"1,start\n", Tagging="team=ops"
    )
    source = S3Object(aws.s3, aws.landing, "run-reports/t.csv")

    S3Storage(aws.s3, aws.raw).put_copy(source, "raw/t.csv", {"landed-at": "now"})

    assert aws.s3.get_object_tagging(Bucket=aws.raw, Key="raw/t.csv")["TagSet"] == []
    assert aws.s3.head_object(Bucket=aws.raw, Key="raw/t.csv")["Metadata"] == {"landed-at": "now"}


def test_a_json_document_is_found_by_its_exact_key_only(aws: Any) -> None:
    storage = S3Storage(aws.s3, aws.raw)
    aws.s3.put_object(Bucket=aws.raw, Key="raw/_manifests/run_reports/a.json.bak", Body=b"{}")
    assert storage.get_json("raw/_manifests/run_reports/a.json") is None

    storage.put_json("raw/_manifests/run_reports/a.json", {"raw_key": "raw/x.csv"})
    assert storage.get_json("raw/_manifests/run_reports/a.json") == {"raw_key": "raw/x.csv"}
