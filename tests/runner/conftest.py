"""The dbt runner run as the container runs it (`python -m dbt_runner`), on the DuckDB target,
with S3 on a moto server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.dbt_athena.moto_athena import REPO_ROOT, _free_port

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS_BUCKET = "cola-artifacts"


@dataclass(frozen=True)
class FakeS3:
    endpoint_url: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=ARTIFACTS_BUCKET, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=ARTIFACTS_BUCKET, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3() -> Iterator[FakeS3]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    fake = FakeS3(f"http://{host}:{port}")
    fake.client().create_bucket(
        Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    yield fake
    server.stop()


def land(home: Path, *, age_days: float = 0, fixture: str = "reports.csv") -> Path:
    """Land a fixture CSV in $COLA_HOME's raw zone as `cola ingest` would, `age_days` old."""
    landed_on = (datetime.now(UTC) - timedelta(days=age_days)).date()
    folder = home / "raw" / "run_reports" / f"ingest_date={landed_on.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    landed = folder / f"{Path(fixture).stem}__0123456789abcdef.csv"
    shutil.copy(FIXTURES / fixture, landed)
    if age_days:
        stamp = landed.stat().st_mtime - age_days * 86400
        os.utime(landed, (stamp, stamp))
    return landed


def copy_project(destination: Path) -> Path:
    project = destination / "dbt_project"
    shutil.copytree(
        REPO_ROOT / "dbt_project",
        project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    return project


def runner_env(
    tmp_path: Path,
    s3: FakeS3,
    *,
    run_id: str,
    project_dir: Path = REPO_ROOT / "dbt_project",
    artifacts_uri: str = f"s3://{ARTIFACTS_BUCKET}/dbt-runs",
) -> dict[str, str]:
    """The container's environment, on the DuckDB target: $COLA_HOME is tmp_path/home."""
    return {
        **os.environ,
        "COLA_HOME": str(tmp_path / "home"),
        "COLA_RUN_ID": run_id,
        "COLA_ARTIFACTS_URI": artifacts_uri,
        "COLA_RUNNER_WORK_DIR": str(tmp_path / "work"),
        "DBT_TARGET": "local",
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": str(project_dir),
        "AWS_ENDPOINT_URL": s3.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }


def run_runner(
    tmp_path: Path, s3: FakeS3, *args: str, run_id: str, **options: Any
) -> subprocess.CompletedProcess:
    """`python -m dbt_runner [args]` to its end."""
    return subprocess.run(
        [sys.executable, "-m", "dbt_runner", *args],
        env=runner_env(tmp_path, s3, run_id=run_id, **options),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def start_runner(
    tmp_path: Path, s3: FakeS3, *args: str, run_id: str, **options: Any
) -> subprocess.Popen:
    """`python -m dbt_runner [args]` in a process group of its own (the runner and its dbt
    processes, as in a container), not waited for; its output goes to tmp_path/runner.log."""
    with (tmp_path / "runner.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "dbt_runner", *args],
            env=runner_env(tmp_path, s3, run_id=run_id, **options),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
