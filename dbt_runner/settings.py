"""What a run is told by its environment: pure parsing and validation, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_COMMAND = ("build",)
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:=+-]{0,254}$")


class SettingsError(ValueError):
    """The environment does not describe a run this runner can do."""


@dataclass(frozen=True)
class Settings:
    run_id: str
    artifacts_bucket: str
    artifacts_prefix: str
    dbt_command: tuple[str, ...]
    dbt_target: str
    project_dir: Path
    profiles_dir: Path
    work_dir: Path

    @property
    def artifacts_uri(self) -> str:
        """Where this run's artifacts go: s3://<bucket>/<prefix>/<run id>/."""
        return f"s3://{self.artifacts_bucket}/{self.run_key_prefix}/"

    @property
    def run_key_prefix(self) -> str:
        return "/".join(part for part in (self.artifacts_prefix, self.run_id) if part)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` as ("bucket", "some/prefix")."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise SettingsError(f"COLA_ARTIFACTS_URI must look like s3://bucket/prefix, not {uri!r}")
    return parsed.netloc, parsed.path.strip("/")


def settings_from_env(
    env: Mapping[str, str], argv: Sequence[str], *, now: datetime | None = None
) -> Settings:
    """Settings from the task's environment and its command (the dbt arguments)."""
    artifacts_uri = env.get("COLA_ARTIFACTS_URI", "").strip()
    if not artifacts_uri:
        raise SettingsError("COLA_ARTIFACTS_URI is not set (s3://<artifacts bucket>/dbt-runs)")
    bucket, prefix = parse_s3_uri(artifacts_uri)

    run_id = env.get("COLA_RUN_ID", "").strip()
    if not run_id:
        run_id = "manual-" + (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if not RUN_ID_PATTERN.fullmatch(run_id) or ".." in run_id:
        raise SettingsError(
            f"COLA_RUN_ID {run_id!r} cannot name an S3 folder: use letters, digits and . _ : = + -"
        )

    command = tuple(argv) or DEFAULT_COMMAND
    if command[0].startswith("-"):
        raise SettingsError(f"the command must start with a dbt subcommand, not {command[0]!r}")

    project_dir = Path(env.get("DBT_PROJECT_DIR", "/app/dbt_project"))
    return Settings(
        run_id=run_id,
        artifacts_bucket=bucket,
        artifacts_prefix=prefix,
        dbt_command=command,
        dbt_target=env.get("DBT_TARGET", "prod"),
        project_dir=project_dir,
        profiles_dir=Path(env.get("DBT_PROFILES_DIR", str(project_dir))),
        work_dir=Path(env.get("COLA_RUNNER_WORK_DIR", "/tmp/cola-dbt-run")),
    )
