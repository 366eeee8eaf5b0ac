"""Run dbt for one ECS task and ship its artifacts to S3.

    python -m dbt_runner [dbt arguments...]      (no arguments: `build`)

Steps, each a `dbt` process whose output goes straight to the container log:
1. `dbt source freshness` on the raw source (its sources.json is an artifact);
2. the task's command: `dbt build` unless the container override gives another;
3. `dbt docs generate --static` (the docs site: index.html, static_index.html, catalog.json).
Every step runs even when an earlier one fails, so a failed build still ships its
run_results.json. Artifacts go to $COLA_ARTIFACTS_URI/<$COLA_RUN_ID>/<step>/, with
runner.json beside them: commands, exit codes, timings, and what failed (`headline`,
`failures`: the failed tests, models and freshness checks with dbt's message, `skipped`: the
models not built because of them). On a failed build the state machine reads runner.json
and puts it into the SNS alert. Each step starts from an empty <work dir>/<step>/, so no
file of an earlier run is ever shipped as this run's.

Exit code: the command's (dbt: 1 = a model or test failed, 2 = dbt could not run); when it
succeeded, a failing freshness check's, then the docs'; 3 when the artifacts could not be
uploaded after dbt succeeded; 2 for a bad environment (nothing runs).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbt_runner.artifacts import (
    UploadError,
    read_results,
    step_artifacts,
    summary_artifact,
    upload,
)
from dbt_runner.failures import failure_summary
from dbt_runner.settings import Settings, SettingsError, settings_from_env

EXIT_BAD_SETTINGS = 2
EXIT_UPLOAD_FAILED = 3

log = logging.getLogger("cola-runner")


@dataclass(frozen=True)
class StepResult:
    step: str
    command: tuple[str, ...]
    exit_code: int
    seconds: float


def _dbt_executable() -> list[str]:
    return [sys.executable, "-m", "dbt.cli.main"]


def run_step(step: str, command: Sequence[str], settings: Settings, env: Mapping[str, str]):
    """Run one dbt command with its own (emptied) target and log paths; returns (result,
    paths)."""
    shutil.rmtree(settings.work_dir / step, ignore_errors=True)
    target_path = settings.work_dir / step / "target"
    log_path = settings.work_dir / step / "logs"
    full_command = (
        *command,
        "--project-dir", str(settings.project_dir),
        "--profiles-dir", str(settings.profiles_dir),
        "--target-path", str(target_path),
        "--log-path", str(log_path),
    )  # fmt: skip
    log.info("step %s: dbt %s", step, " ".join(command))
    started = time.monotonic()
    try:
        exit_code = subprocess.run(
            [*_dbt_executable(), *full_command], env=dict(env), check=False
        ).returncode
    except OSError as error:
        log.error("step %s: dbt could not start: %s", step, error)
        exit_code = 2
    result = StepResult(step, tuple(command), exit_code, round(time.monotonic() - started, 3))
    log.info("step %s: exit code %s after %.1f s", step, exit_code, result.seconds)
    return result, target_path, log_path


def final_exit_code(results: Mapping[str, StepResult]) -> int:
    for step in ("main", "freshness", "docs"):
        if step in results and results[step].exit_code != 0:
            return results[step].exit_code
    return 0


def run(settings: Settings, env: Mapping[str, str], s3_client=None) -> int:
    env = {
        **env,
        "DBT_TARGET": settings.dbt_target,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PARTIAL_PARSE": "false",
    }
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    log.info(
        "run %s: dbt %s on target %s; artifacts to %s",
        settings.run_id, " ".join(settings.dbt_command), settings.dbt_target,
        settings.artifacts_uri,
    )  # fmt: skip
    steps = {
        "freshness": ("source", "freshness"),
        "main": settings.dbt_command,
        "docs": ("docs", "generate", "--static"),
    }
    results: dict[str, StepResult] = {}
    node_results = {}
    artifacts = []
    for step, command in steps.items():
        result, target_path, log_path = run_step(step, command, settings, env)
        results[step] = result
        node_results[step] = read_results(step, target_path)
        artifacts += step_artifacts(step, target_path, log_path, settings.run_key_prefix)

    exit_code = final_exit_code(results)
    summary = {
        "run_id": settings.run_id,
        "target": settings.dbt_target,
        "exit_code": exit_code,
        "steps": {
            step: {"command": list(r.command), "exit_code": r.exit_code, "seconds": r.seconds}
            for step, r in results.items()
        },
        **failure_summary(node_results, {step: r.exit_code for step, r in results.items()}),
    }
    if exit_code:
        log.error("run %s failed: %s", settings.run_id, summary["headline"])
    artifacts.append(summary_artifact(summary, settings.work_dir, settings.run_key_prefix))
    try:
        keys = upload(artifacts, settings.artifacts_bucket, client=s3_client)
    except UploadError as error:
        log.error("%s", error)
        log.error("artifacts NOT uploaded; dbt exit code was %s", exit_code)
        return exit_code or EXIT_UPLOAD_FAILED
    log.info("uploaded %d artifacts to %s", len(keys), settings.artifacts_uri)
    log.info("run %s finished with exit code %s", settings.run_id, exit_code)
    return exit_code


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    env = dict(os.environ if env is None else env)
    try:
        settings = settings_from_env(env, sys.argv[1:] if argv is None else argv)
    except SettingsError as error:
        log.error("%s", error)
        return EXIT_BAD_SETTINGS
    return run(settings, env)


if __name__ == "__main__":
    sys.exit(main())
