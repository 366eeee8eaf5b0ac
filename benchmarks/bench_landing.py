"""Benchmark the landing of one large CSV: through the Lambda handler against a moto server,
and locally through `land_paths`. Prints MB/s and peak memory.

    .venv/bin/python benchmarks/bench_landing.py            # 1 GiB
    .venv/bin/python benchmarks/bench_landing.py --mib 256

Each landing runs in a fresh child process so its memory is its own: "peak RSS" is the whole
process (Python, boto3, Powertools: what Lambda reports as Max Memory Used), "growth" is the
peak during the call above the RSS before it, "traced" is tracemalloc's peak for the call.
The moto server runs in another process; in-process moto would hold the object itself.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
PART_BYTES = 64 * MIB
LINE = b"123456,start,2024-01-03T06:00:00Z,0001,0001\n"
KEY = "run-reports/year=2024/month=01/day=03/bench-0b7e1f0a.csv"
BUCKETS = {"RAW_BUCKET": "bench-raw", "QUARANTINE_BUCKET": "bench-quarantine"}


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss: int
    rss_growth: int
    traced_peak: int
    outcome: str


def _block(size: int) -> bytes:
    return (LINE * (size // len(LINE) + 1))[:size]


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _measure(call: Callable[[], str]) -> Measure:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = _status("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    outcome = call()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = _status("VmHWM")
    return Measure(seconds, peak, peak - before, traced_peak, outcome)


def _land_in_lambda(endpoint: str, size: int) -> Measure:
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_SERVICE_NAME="cola-ingestion-bench",
        LOG_LEVEL="WARNING",
        **BUCKETS,
    )
    from ingestion_lambda import handler

    handler.get_landing()  # the client is built at cold start, once per container
    event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventName": "ObjectCreated:CompleteMultipartUpload",
                "s3": {
                    "bucket": {"name": "bench-landing"},
                    "object": {"key": KEY, "size": size},
                },
            }
        ]
    }
    context = _Context()
    return _measure(lambda: handler.handler(event, context)["results"][0]["outcome"])


def _land_locally(path: str, home: str) -> Measure:
    from ingestion_lambda.local import land_paths

    return _measure(lambda: land_paths([Path(path)], Path(home))[0].outcome)


class _Context:
    function_name = "cola-ingestion"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cola-ingestion"
    aws_request_id = "bench"


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return server, endpoint
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("moto server did not start")


def _upload(endpoint: str, size: int) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    for bucket in ("bench-landing", *BUCKETS.values()):
        s3.create_bucket(Bucket=bucket)
    upload = s3.create_multipart_upload(Bucket="bench-landing", Key=KEY, ContentType="text/csv")
    parts, offset, number = [], 0, 1
    while offset < size:
        body = _block(min(PART_BYTES, size - offset))
        etag = s3.upload_part(
            Bucket="bench-landing",
            Key=KEY,
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=body,
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
        offset, number = offset + len(body), number + 1
    s3.complete_multipart_upload(
        Bucket="bench-landing",
        Key=KEY,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
    )


def _write_file(path: Path, size: int) -> None:
    block = _block(8 * MIB)
    with path.open("wb") as file:
        written = 0
        while written < size:
            written += file.write(block[: size - written])


def _report(label: str, size: int, measure: Measure) -> dict[str, float | str]:
    print(
        f"{label:<28} {measure.outcome:<8} {size / measure.seconds / 1e6:8.1f} MB/s "
        f"({measure.seconds:6.2f} s)  peak RSS {measure.peak_rss / MIB:6.1f} MiB  "
        f"growth {measure.rss_growth / MIB:5.1f} MiB  traced {measure.traced_peak / MIB:5.1f} MiB"
    )
    return {
        "outcome": measure.outcome,
        "seconds": round(measure.seconds, 3),
        "mb_per_second": round(size / measure.seconds / 1e6, 1),
        "peak_rss_mib": round(measure.peak_rss / MIB, 1),
        "rss_growth_mib": round(measure.rss_growth / MIB, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float | str]]:
    """Land one file both ways; print a line each and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB (default 1024)")
    args = parser.parse_args(argv)
    size = args.mib * MIB
    spawn: Any = get_context("spawn")
    print(f"landing one {args.mib} MiB CSV ({size} bytes)")

    server, endpoint = _start_moto()
    try:
        started = time.perf_counter()
        _upload(endpoint, size)
        print(f"(upload to moto: {time.perf_counter() - started:.1f} s, not measured)")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            figures = {
                "lambda_handler": _report(
                    "lambda handler (moto S3)",
                    size,
                    pool.submit(_land_in_lambda, endpoint, size).result(),
                )
            }
    finally:
        server.terminate()
        server.wait(timeout=30)

    with tempfile.TemporaryDirectory(prefix="bench-landing-") as folder:
        source = Path(folder) / "inbox" / "bench.csv"
        source.parent.mkdir()
        _write_file(source, size)
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            measure = pool.submit(_land_locally, str(source), str(Path(folder) / "home")).result()
        figures["cola_ingest"] = _report("local land_paths (cola ingest)", size, measure)
    return figures


if __name__ == "__main__":
    main()
