"""A corpus of bad input files, landed through the Lambda handler (moto S3, notifications
through a real SQS queue) and through the local `land_paths`.

For each file: what the user sees. A file that cannot be read as UTF-8 text is quarantined
whole, its reason document naming the file and the problem; any other file lands byte for
byte (its row-level problems are dbt's `invalid_row` issues). Then the whole corpus is
reconciled: every file in exactly one zone, with its manifest, nothing lost; and the whole
batch delivered again changes nothing. The corpus is generated here (nothing large is
committed)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingestion_lambda.local import land_paths
from tests.ingestion_lambda import conftest as lambda_conftest

aws_env = lambda_conftest.aws_env  # the moto account of the Lambda tests
aws = lambda_conftest.aws

PREFIX = "run-reports/corpus/"
NOW = datetime(2024, 1, 3, 10, 0, tzinfo=UTC)
HEADER = b"id,type,time,branch_id,machine_id\n"
ROW_1 = b"063fb882-8641-43e1-9c2e-58bdb6dc696f,start,2024-01-03T10:15:00.123456+00:00,0001,0001\n"
ROW_2 = b"164fb882-8641-43e1-9c2e-58bdb6dc696f,stop,2024-01-03T11:15:00+00:00,0001,0001\n"
TEXT = (HEADER + ROW_1 + ROW_2).decode()
TEN_MIB = 10 * 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@dataclass(frozen=True)
class Case:
    """One file of the corpus: `name` is its file name (locally) and the end of its key."""

    name: str
    body: bytes
    reason: str | None = None  # None: landed to raw byte for byte
    detail: str = ""


def corpus() -> list[Case]:
    latin1 = ROW_1 + "2,start,2024-01-03T06:00:00Z,Zürich,Kühler\n".encode("latin-1")
    with_nul = ROW_1 + ROW_2.replace(b",stop,", b",st\x00op,")
    return [
        Case("empty.csv", b"", "empty", "no data: zero bytes"),
        Case("header_only.csv", HEADER),
        Case(
            "machine_dump.csv",
            bytes(range(256)) * 4,
            "binary",
            "NUL byte at byte offset 0 (line 1, column 1)",
        ),
        Case(
            "photo.csv",
            PNG,
            "binary",
            "a PNG image: the file starts with the bytes 89 50 4e 47 0d 0a 1a 0a",
        ),
        Case(
            "reports.csv.gz",
            gzip.compress(HEADER + ROW_1 + ROW_2, mtime=0),
            "binary",
            "gzip-compressed: the file starts with the bytes 1f 8b",
        ),
        Case(
            "utf16_bom.csv",
            TEXT.encode("utf-16"),
            "not_utf8",
            "UTF-16 text, not UTF-8: it starts with a UTF-16/32 little-endian byte order mark "
            "(ff fe); save the file as UTF-8",
        ),
        Case(
            "utf16le_no_bom.csv",
            TEXT.encode("utf-16-le"),
            "not_utf8",
            "UTF-16 text, not UTF-8: no byte order mark, but every second byte of the first 8 "
            "is NUL (little-endian); save the file as UTF-8",
        ),
        Case(
            "utf16be_no_bom.csv",
            TEXT.encode("utf-16-be"),
            "not_utf8",
            "UTF-16 text, not UTF-8: no byte order mark, but every second byte of the first 8 "
            "is NUL (big-endian); save the file as UTF-8",
        ),
        Case(
            "latin1_accents.csv",
            latin1,
            "not_utf8",
            f"not UTF-8 at byte offset {len(ROW_1) + 30} (line 2, column 31): byte 0xfc "
            "(invalid start byte); save the file as UTF-8",
        ),
        Case(
            "nul_in_line_2.csv",
            with_nul,
            "binary",
            f"NUL byte at byte offset {len(ROW_1) + 39} (line 2, column 40)",
        ),
        Case("one_10mib_line_no_newline.csv", ROW_1[:-1] + b"," + b"9" * TEN_MIB),
        Case(
            "semicolons.csv",
            HEADER.replace(b",", b";") + ROW_1.replace(b",", b";") + ROW_2.replace(b",", b";"),
        ),
        Case(
            "quoted_fields.csv",
            b'"063fb882,x",start,"2024-01-03T10:15:00Z","00\n01",0001\n' + ROW_2,
        ),
        Case("trailing_garbage.csv", ROW_1 + ROW_2 + b"\x1b[0m### end of transmission ###"),
        Case("truncated_last_line.csv", ROW_1 + ROW_2[:40]),
        Case("Zürich Kühler+1 (copy) 报告.csv", ROW_1 + ROW_2),  # URL-encoded in the event
        Case("batch%2B1 a+b.csv", ROW_1),  # a literal %2B in the key must survive decoding
    ]


CORPUS = corpus()


# --- through the Lambda -----------------------------------------------------------------------


def notifications(aws: Any) -> list[dict[str, Any]]:
    """Every S3 notification now queued (ten at most per receive), removed from the queue."""
    bodies: list[dict[str, Any]] = []
    while batch := aws.notification_bodies():
        bodies += batch
    return bodies


def deliver(aws: Any, bodies: list[dict[str, Any]]) -> None:
    """Send notifications to the queue and run the event source mapping until it is empty."""
    for body in bodies:
        aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(body))
    while True:
        messages, response = aws.poll()
        if not messages:
            return
        assert response == {"batchItemFailures": []}


def documents(aws: Any, bucket: str, prefix: str) -> dict[str, dict[str, Any]]:
    """The JSON documents under `prefix`, by key."""
    return {key: json.loads(aws.body(bucket, key)) for key in aws.keys(bucket, prefix)}


def reconcile_s3(aws: Any) -> dict[str, dict[str, Any]]:
    """Every object of the landing bucket is in exactly one zone, with its manifest (and in
    quarantine its reason), and nothing else is in the zones. Returns manifests by source key."""
    landed = aws.keys(aws.landing)
    raw_manifests = documents(aws, aws.raw, "raw/_manifests/run_reports/")
    quarantine_manifests = documents(aws, aws.quarantine, "quarantine/_manifests/run_reports/")
    raw_files = aws.keys(aws.raw, "raw/run_reports/")
    quarantine_objects = aws.keys(aws.quarantine, "quarantine/run_reports/")
    quarantined = [key for key in quarantine_objects if not key.endswith(".reason.json")]

    assert len(landed) == len(raw_files) + len(quarantined)
    assert sorted(m["raw_key"] for m in raw_manifests.values()) == raw_files
    assert sorted(m["quarantine_key"] for m in quarantine_manifests.values()) == quarantined
    assert sorted(quarantine_objects) == sorted(
        [*quarantined, *(key + ".reason.json" for key in quarantined)]
    )
    assert aws.keys(aws.raw) == sorted([*raw_files, *raw_manifests])
    assert aws.keys(aws.quarantine) == sorted([*quarantine_objects, *quarantine_manifests])
    manifests = [*raw_manifests.values(), *quarantine_manifests.values()]
    sources = Counter(m["source"]["key"] for m in manifests)
    assert sources == Counter(landed)  # each landed object exactly once
    return {m["source"]["key"]: m for m in manifests}


def test_the_corpus_through_the_lambda(aws: Any) -> None:
    aws.drain()
    for case in CORPUS:
        aws.put(PREFIX + case.name, case.body)
    bodies = notifications(aws)
    assert len(bodies) == len(CORPUS)

    deliver(aws, bodies)

    manifests = reconcile_s3(aws)
    for case in CORPUS:
        key = PREFIX + case.name
        manifest = manifests[key]
        if case.reason is None:
            assert "raw_key" in manifest, case.name
            assert aws.body(aws.raw, manifest["raw_key"]) == case.body, case.name
            continue
        assert (manifest["reason"], manifest["detail"]) == (case.reason, case.detail), case.name
        assert manifest["file"] == f"s3://{aws.landing}/{key}"
        quarantined = manifest["quarantine_key"]
        assert aws.body(aws.quarantine, quarantined) == case.body, case.name
        reason = json.loads(aws.body(aws.quarantine, quarantined + ".reason.json"))
        assert reason == manifest

    # The whole batch again (SQS redelivery, a replay from the DLQ): the zones do not change.
    before = {bucket: aws.keys(bucket) for bucket in (aws.raw, aws.quarantine)}
    etags = {key: aws.s3.head_object(Bucket=aws.raw, Key=key)["ETag"] for key in before[aws.raw]}
    deliver(aws, bodies)
    assert {bucket: aws.keys(bucket) for bucket in (aws.raw, aws.quarantine)} == before
    assert {key: aws.s3.head_object(Bucket=aws.raw, Key=key)["ETag"] for key in etags} == etags
    reconcile_s3(aws)


# --- through `cola ingest` (land_paths) -----------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for case in CORPUS:
        (folder / case.name).write_bytes(case.body)
    yield folder


def reconcile_local(home: Path, sources: list[Path]) -> dict[str, dict[str, Any]]:
    """The same reconciliation on the local zones. Returns manifests by source path."""
    files = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file())
    raw_files = [f for f in files if f.startswith("raw/run_reports/")]
    quarantine_objects = [f for f in files if f.startswith("quarantine/run_reports/")]
    quarantined = [f for f in quarantine_objects if not f.endswith(".reason.json")]
    raw_manifests = [json.loads((home / f).read_text()) for f in files if "raw/_manifests/" in f]
    quarantine_manifests = [
        json.loads((home / f).read_text()) for f in files if "quarantine/_manifests/" in f
    ]

    assert len(sources) == len(raw_files) + len(quarantined)
    assert sorted(m["raw_key"] for m in raw_manifests) == raw_files
    assert sorted(m["quarantine_key"] for m in quarantine_manifests) == quarantined
    assert sorted(quarantine_objects) == sorted(
        [*quarantined, *(key + ".reason.json" for key in quarantined)]
    )
    assert len(files) == len(raw_files) * 2 + len(quarantined) * 3  # nothing else, no temp files
    manifests = [*raw_manifests, *quarantine_manifests]
    assert Counter(m["source"]["path"] for m in manifests) == Counter(map(str, sources))
    return {m["source"]["path"]: m for m in manifests}


def test_the_corpus_through_land_paths(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    sources = sorted(path.resolve() for path in inbox.iterdir())

    results = land_paths(sources, home, clock=lambda: NOW)

    manifests = reconcile_local(home, sources)
    by_name = {Path(result.source).name: result for result in results}
    for case in CORPUS:
        result, path = by_name[case.name], inbox.resolve() / case.name
        manifest = manifests[str(path)]
        assert (result.reason, result.detail or "") == (case.reason, case.detail), case.name
        if case.reason is None:
            assert result.outcome == "landed" and result.key == manifest["raw_key"]
            assert (home / result.key).read_bytes() == case.body, case.name
            continue
        assert result.outcome == "quarantined" and result.key == manifest["quarantine_key"]
        assert (manifest["reason"], manifest["detail"]) == (case.reason, case.detail)
        assert manifest["file"] == str(path)
        assert (home / result.key).read_bytes() == case.body, case.name
        assert json.loads((home / (result.key + ".reason.json")).read_text()) == manifest

    again = land_paths(sources, home, clock=lambda: NOW)
    assert all(result.is_repeat for result in again)
    assert reconcile_local(home, sources) == manifests
