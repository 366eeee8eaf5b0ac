"""`terraform test` (native, every AWS call mocked) over tests/terraform/native/*.tftest.hcl.

Terraform only runs test files inside the configuration's folder, so they run from a copy of
terraform/ (with step_function/ beside it) into which the test files are copied."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.terraform import tf_harness
from tests.terraform.conftest import TIMINGS

NATIVE_TESTS = Path(__file__).resolve().parent / "native"


def test_terraform_test_passes(tmp_path: Path, cli_config: Path, lambda_zip: Path) -> None:
    files = sorted(NATIVE_TESTS.glob("*.tftest.hcl"))
    assert files, "no native Terraform tests found"
    root = tf_harness.copy_stack(tmp_path)
    shutil.copytree(NATIVE_TESTS / "mocks", root / "tests" / "mocks")
    for path in files:
        shutil.copy2(path, root / "tests" / path.name)
    env = tf_harness.terraform_env(cli_config)
    tf_harness.run(["init", "-backend=false", "-input=false"], root, env)

    result = tf_harness.run(
        ["test", "-no-color", f"-var=lambda_zip_path={lambda_zip}"], root, env, timeout=300
    )

    TIMINGS["terraform test"] = result.seconds
    runs = sum(len(re.findall(r'^run "', path.read_text(), re.MULTILINE)) for path in files)
    summary = re.search(r"Success! (\d+) passed, 0 failed\.", result.stdout)
    if summary is None or int(summary.group(1)) != runs:
        pytest.fail(f"expected {runs} passing runs:\n{result.stdout}")
