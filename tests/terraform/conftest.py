"""Fixtures for the Terraform tests: a CLI config for the local provider mirror, a built Lambda
zip, and the whole stack applied to a moto server (destroyed at the end of the module)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.step_function.moto_harness import REGION, REPO, moto_client, moto_server
from tests.terraform import tf_harness

TIMINGS: dict[str, float] = {}
SLOWEST: list[str] = []


def _slowest(log: str, count: int = 5) -> list[str]:
    """The resources that took longest to create, from terraform apply's log."""
    found = re.findall(r"^(\S+): Creation complete after (?:(\d+)m)?(\d+)s", log, re.MULTILINE)
    by_time = sorted(((int(m or 0) * 60 + int(s), name) for name, m, s in found), reverse=True)
    return [f"{name} {seconds} s" for seconds, name in by_time[:count]]


@pytest.fixture(scope="session")
def cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tf_harness.write_cli_config(tmp_path_factory.mktemp("terraform") / "cli.tfrc")


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real deployment zip, built as `make package` builds it."""
    out = tmp_path_factory.mktemp("dist") / "ingestion_lambda.zip"
    subprocess.run(
        [sys.executable, "-m", "ingestion_lambda.package", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


@dataclass
class Stack:
    """The stack as applied to moto: its outputs and clients for the moto account."""

    url: str
    outputs: dict[str, Any]
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = moto_client(self.url, service)
        return self.clients[service]


def _publish_powertools_layer(url: str) -> str:
    """moto only attaches layers it knows: stand in for the AWS-managed Powertools layer."""
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("python/README.txt", "stand-in for AWSLambdaPowertoolsPythonV3\n")
    response = moto_client(url, "lambda").publish_layer_version(
        LayerName="AWSLambdaPowertoolsPythonV3-python312-x86_64",
        Content={"ZipFile": content.getvalue()},
        CompatibleRuntimes=["python3.12"],
    )
    return str(response["LayerVersionArn"])


@pytest.fixture(scope="module")
def moto_stack(
    tmp_path_factory: pytest.TempPathFactory, cli_config: Path, lambda_zip: Path
) -> Iterator[Stack]:
    """terraform apply of the root module against moto; terraform destroy afterwards.

    Lifecycle configurations are off here (manage_lifecycle=false): moto takes ~55 s for each
    of the six. The DLQ's redrive allow policy is off too (restrict_dlq_sources=false): moto
    does not implement it and the provider waits on it for minutes. Everything else in the
    configuration is applied.
    """
    with moto_server() as url:
        root = tf_harness.copy_stack(tmp_path_factory.mktemp("stack"))
        (root / "moto_override.tf").write_text(tf_harness.moto_provider_override(url))
        variables = {
            "name_prefix": "cola-test",
            "region": REGION,
            "lambda_zip_path": str(lambda_zip),
            "powertools_layer_arn": _publish_powertools_layer(url),
            "manage_lifecycle": False,
            "restrict_dlq_sources": False,
            "force_destroy": True,
        }
        (root / "moto.auto.tfvars.json").write_text(json.dumps(variables))
        env = tf_harness.terraform_env(cli_config)

        TIMINGS["init"] = tf_harness.run(["init", "-input=false"], root, env).seconds
        applied = tf_harness.run(
            ["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20"],
            root,
            env,
            timeout=900,
        )
        TIMINGS["apply"] = applied.seconds
        SLOWEST.extend(_slowest(applied.stdout))
        outputs = json.loads(tf_harness.run(["output", "-json"], root, env).stdout)
        stack = Stack(url, {name: value["value"] for name, value in outputs.items()})
        try:
            yield stack
        finally:
            destroyed = tf_harness.run(
                ["destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=20"],
                root,
                env,
                timeout=900,
            )
            TIMINGS["destroy"] = destroyed.seconds
            left = tf_harness.run(["state", "list"], root, env).stdout.split()
            assert left == [], f"destroy left {left}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TIMINGS:
        timings = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in TIMINGS.items())
        terminalreporter.write_line(f"terraform against moto: {timings}")
    if SLOWEST:
        terminalreporter.write_line(f"slowest to create in moto: {', '.join(SLOWEST)}")


os.environ.setdefault("CHECKPOINT_DISABLE", "1")
