"""Shared by tests/step_function and tests/terraform: the tools these tests need, a patched
moto server on a free 127.0.0.1 port, and the state machine definition rendered by Terraform.

A missing tool fails the tests when CI=true and skips them elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
STEP_FUNCTION_DIR = REPO / "step_function"
TEMPLATE = STEP_FUNCTION_DIR / "dbt_build.asl.json"
EXAMPLE_VARS = STEP_FUNCTION_DIR / "example_vars.json"
PATCHED_SERVER = Path(__file__).resolve().parent / "patched_moto_server.py"
REGION = "eu-central-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def moto_client(url: str, service: str) -> Any:
    """A boto3 client for the moto server at `url`, with the fake account's credentials."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def require_tool(name: str, why: str) -> str:
    """The tool's path; without it: a failure in CI, a skip elsewhere."""
    path = shutil.which(name)
    if path:
        return path
    message = f"'{name}' is required ({why}) but is not on PATH"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(
    *, execute_state_machines: bool = False, container_entrypoint: Sequence[str] = ()
) -> Iterator[str]:
    """A patched moto server (see patched_moto_server.py) on a free port; yields its URL.
    With a container_entrypoint, ecs:runTask.sync runs the task's container locally."""
    port = free_port()
    env = {**os.environ, **FAKE_CREDENTIALS, "MOTO_PORT": str(port)}
    env.pop("AWS_ENDPOINT_URL", None)
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    if container_entrypoint:
        env["PATCHED_MOTO_CONTAINER_ENTRYPOINT"] = json.dumps(list(container_entrypoint))
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finally)
    process = subprocess.Popen(
        [sys.executable, str(PATCHED_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).close()
                break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    message = f"moto server did not start:\n{log.read().decode()}"
                    raise RuntimeError(message) from error
                time.sleep(0.2)
        if execute_state_machines:
            request = urllib.request.Request(
                f"{url}/moto-api/config",
                data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
                method="POST",
            )
            urllib.request.urlopen(request, timeout=5).close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def render_definition(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ASL template rendered by Terraform's templatefile (as module orchestration does),
    with step_function/example_vars.json updated by `overrides`."""
    require_tool("terraform", "renders the state machine definition")
    variables = {**json.loads(EXAMPLE_VARS.read_text()), **(overrides or {})}
    with tempfile.TemporaryDirectory() as tmp:
        vars_file = Path(tmp) / "vars.json"
        vars_file.write_text(json.dumps(variables))
        expression = f'templatefile("{TEMPLATE}", jsondecode(file("{vars_file}")))'
        completed = subprocess.run(
            ["terraform", f"-chdir={tmp}", "console"],
            input=expression,
            capture_output=True,
            text=True,
            env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
            check=False,
        )
    if completed.returncode != 0:
        raise AssertionError(f"terraform console failed:\n{completed.stderr}")
    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "<<EOT" and lines[-1] == "EOT", completed.stdout[:200]
    return json.loads("\n".join(lines[1:-1]))
