"""The runner image, checked statically (no Docker engine runs on these machines)."""

from __future__ import annotations

import re
import tomllib

from tests.dbt_athena.moto_athena import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "dbt_project" / "Dockerfile").read_text()
REQUIREMENTS = (REPO_ROOT / "dbt_runner" / "requirements.txt").read_text()


def _instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def test_base_image_is_a_slim_python_pinned_by_exact_tag_or_digest():
    [base] = _instructions("FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_runs_as_a_non_root_user():
    users = _instructions("USER")
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_no_secrets_in_the_image():
    for line in _instructions("ENV") + _instructions("ARG"):
        assert not re.search(r"SECRET|PASSWORD|TOKEN|ACCESS_KEY|AKIA", line, re.IGNORECASE), line
    assert not re.search(r"COPY\s+.*(\.aws|\.env|credentials)", DOCKERFILE)


def test_dbt_packages_are_pinned_and_match_the_project():
    pins = dict(re.findall(r"^([\w.-]+)==(\S+)$", REQUIREMENTS, flags=re.MULTILINE))
    lines = [line for line in REQUIREMENTS.splitlines() if line and not line.startswith("#")]
    assert len(pins) == len(lines), "every requirement is pinned with =="
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    for package in ("dbt-core", "dbt-athena"):
        assert f"{package}=={pins[package]}" in declared, package


def test_bakes_the_project_and_runs_dbt_build_by_default():
    assert "COPY dbt_project /app/dbt_project" in DOCKERFILE
    assert _instructions("ENTRYPOINT") == ['["python", "-m", "dbt_runner"]']
    assert _instructions("CMD") == ['["build"]']


def test_build_context_leaves_out_environments_and_output():
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1 :][:2] == ["!dbt_project/", "!dbt_runner/"]
    assert "dbt_project/target/" in ignored
