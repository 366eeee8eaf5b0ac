"""The Lambda never holds the file: land a 256 MiB object and measure the handler's peak memory.

moto runs as a server in another process, so only the handler's own allocations are measured
(in-process moto would keep the whole object in this process's memory)."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from ingestion_lambda import handler as handler_module

MIB = 1024 * 1024
FILE_BYTES = 256 * MIB
PART_BYTES = 16 * MIB
TRACED_PEAK_LIMIT = 32 * MIB  # 1 MiB chunks: a few MiB expected; holding the file = 256 MiB
RSS_GROWTH_LIMIT = 100 * MIB
KEY = "run-reports/year=2024/month=01/day=03/big-0b7e1f0a.csv"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _csv_part(size: int) -> bytes:
    line = b"123456,start,2024-01-03T06:00:00Z,0001,0001\n"
    return (line * (size // len(line) + 1))[:size]


def _upload(s3: Any, bucket: str, key: str) -> str:
    """A FILE_BYTES object in PART_BYTES parts (one part held at a time); returns its sha256."""
    part = _csv_part(PART_BYTES)
    digest = hashlib.sha256()
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/csv")
    parts = []
    for number in range(1, FILE_BYTES // PART_BYTES + 1):
        response = s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=part
        )
        parts.append({"PartNumber": number, "ETag": response["ETag"]})
        digest.update(part)
    s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    return digest.hexdigest()


def _rss_bytes(field: str) -> int | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return None


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def test_a_large_file_lands_in_bounded_memory(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    handler_module.get_landing.cache_clear()
    s3 = boto3.client("s3", region_name="us-east-1")
    for bucket in ("cola-landing", os.environ["RAW_BUCKET"], os.environ["QUARANTINE_BUCKET"]):
        s3.create_bucket(Bucket=bucket)
    sha256 = _upload(s3, "cola-landing", KEY)
    etag = s3.head_object(Bucket="cola-landing", Key=KEY)["ETag"].strip('"')
    event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2024-01-03T10:00:00.000Z",
                "eventName": "ObjectCreated:CompleteMultipartUpload",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "run-reports",
                    "bucket": {"name": "cola-landing", "arn": "arn:aws:s3:::cola-landing"},
                    "object": {"key": KEY, "size": FILE_BYTES, "eTag": etag},
                },
            }
        ]
    }
    handler_module.get_landing()  # the client is built once per container, not per file
    gc.collect()

    can_reset_rss = _reset_peak_rss()
    rss_before = _rss_bytes("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    response = handler_module.handler(event, _context())
    seconds = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = _rss_bytes("VmHWM")

    [result] = response["results"]
    assert result["outcome"] == "landed"
    manifest_key = f"raw/_manifests/run_reports/{result['name']}.json"
    manifest = json.loads(
        s3.get_object(Bucket=os.environ["RAW_BUCKET"], Key=manifest_key)["Body"].read()
    )
    assert manifest["sha256"] == sha256 and manifest["size"] == FILE_BYTES
    head = s3.head_object(Bucket=os.environ["RAW_BUCKET"], Key=result["key"])
    assert head["ContentLength"] == FILE_BYTES

    mib = FILE_BYTES // MIB
    print(f"\nlanded {mib} MiB in {seconds:.2f} s, traced peak {traced_peak / MIB:.1f} MiB")
    assert traced_peak < TRACED_PEAK_LIMIT
    if can_reset_rss and rss_before is not None and rss_peak is not None:
        print(f"RSS peak growth during the call: {(rss_peak - rss_before) / MIB:.1f} MiB")
        assert rss_peak - rss_before < RSS_GROWTH_LIMIT


def _context() -> Any:
    return SimpleNamespace(
        function_name="cola-ingestion",
        function_version="$LATEST",
        memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:cola-ingestion",
        aws_request_id="6f1c2d3e-8a9b-4c5d-9e0f-1a2b3c4d5e6f",
    )
