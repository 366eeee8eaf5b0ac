"""Running Terraform offline in the tests: a CLI config pointing at the local provider mirror
(found by terraform/scripts/cli-config.sh), and a copy of terraform/ wired to a moto server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.step_function.moto_harness import REPO, require_tool

TERRAFORM_DIR = REPO / "terraform"
STEP_FUNCTION_DIR = REPO / "step_function"

# Services the stack calls, each pointed at the moto server.
MOTO_ENDPOINTS = (
    "athena",
    "cloudwatch",
    "cloudwatchlogs",
    "ec2",
    "ecr",
    "ecs",
    "events",
    "glue",
    "iam",
    "kms",
    "lambda",
    "s3",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "sts",
)


@dataclass
class Timed:
    stdout: str
    stderr: str
    seconds: float


def terraform_env(cli_config: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "CHECKPOINT_DISABLE": "1"}
    env["TF_IN_AUTOMATION"] = "1"
    env.pop("AWS_ENDPOINT_URL", None)
    env.update(extra or {})
    return env


def write_cli_config(out: Path) -> Path:
    """The CLI config for the local provider mirror (fails clearly when there is none)."""
    require_tool("terraform", "Terraform 1.11+ checks the infrastructure")
    completed = subprocess.run(
        [str(TERRAFORM_DIR / "scripts" / "cli-config.sh"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"no Terraform provider mirror: {completed.stderr}")
    return out


def run(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 600) -> Timed:
    started = time.monotonic()
    completed = subprocess.run(
        ["terraform", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed after {seconds:.0f} s:\n"
            f"{completed.stdout[-5000:]}\n{completed.stderr[-5000:]}"
        )
    return Timed(completed.stdout, completed.stderr, seconds)


def copy_stack(destination: Path) -> Path:
    """terraform/ and step_function/ side by side (the root reads ../step_function), without
    local state or provider caches; returns the copied terraform root."""
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", "terraform.tfvars")
    shutil.copytree(TERRAFORM_DIR, destination / "terraform", ignore=ignore)
    (destination / "step_function").mkdir()
    shutil.copy2(STEP_FUNCTION_DIR / "dbt_build.asl.json", destination / "step_function")
    return destination / "terraform"


def moto_provider_override(endpoint: str) -> str:
    """An override file: both AWS providers talk to the moto server with fake credentials."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in MOTO_ENDPOINTS)
    block = f"""
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true
  max_retries                 = 2

  endpoints {{
{endpoints}
  }}
"""
    return (
        "# Written by tests/terraform: the stack against moto_server.\n"
        f'provider "aws" {{{block}}}\n\n'
        f'provider "aws" {{\n  alias = "replica"{block}}}\n'
    )
