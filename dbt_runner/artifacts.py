"""Which files of a run go to S3, under which keys, and the upload itself."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import boto3
from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError

# Per step, the files dbt leaves in its target path (and log path) worth keeping.
STEP_FILES = {
    "freshness": ("sources.json", "manifest.json", "run_results.json"),
    "main": ("manifest.json", "run_results.json"),
    "docs": ("index.html", "static_index.html", "catalog.json", "manifest.json"),
}
# Per step, the file whose node results name what failed (failures.py reads them).
RESULT_FILES = {"freshness": "sources.json", "main": "run_results.json"}


class UploadError(RuntimeError):
    """The artifacts could not be written to S3."""


@dataclass(frozen=True)
class Artifact:
    path: Path
    key: str


def step_artifacts(step: str, target_path: Path, log_path: Path, key_prefix: str) -> list[Artifact]:
    """The files a step produced, with their S3 keys: <prefix>/<step>/<file>."""
    found = [
        Artifact(target_path / name, f"{key_prefix}/{step}/{name}")
        for name in STEP_FILES[step]
        if (target_path / name).is_file()
    ]
    if (log_path / "dbt.log").is_file():
        found.append(Artifact(log_path / "dbt.log", f"{key_prefix}/{step}/dbt.log"))
    return found


def read_results(step: str, target_path: Path) -> dict | None:
    """The step's node results, or None when dbt wrote none (or not valid JSON)."""
    name = RESULT_FILES.get(step)
    if name is None or not (target_path / name).is_file():
        return None
    try:
        return json.loads((target_path / name).read_text())
    except ValueError:
        return None


def summary_artifact(summary: dict, work_dir: Path, key_prefix: str) -> Artifact:
    path = work_dir / "runner.json"
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return Artifact(path, f"{key_prefix}/runner.json")


def upload(artifacts: Iterable[Artifact], bucket: str, client=None) -> list[str]:
    """Upload every artifact; the first failure stops and raises UploadError naming it."""
    s3 = client or boto3.client("s3")
    uploaded = []
    for artifact in artifacts:
        content_type = mimetypes.guess_type(artifact.path.name)[0] or "text/plain"
        try:
            s3.upload_file(
                str(artifact.path), bucket, artifact.key, ExtraArgs={"ContentType": content_type}
            )
        except (Boto3Error, BotoCoreError, ClientError) as error:
            raise UploadError(
                f"could not upload {artifact.path} to s3://{bucket}/{artifact.key}: {error}"
            ) from error
        uploaded.append(artifact.key)
    return uploaded
