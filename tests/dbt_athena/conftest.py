"""Fixtures: the dbt project compiled for Athena (prod) against moto, and for DuckDB (local)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dbt_athena.moto_athena import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    VENV_BIN,
    FakeAws,
    fake_aws,
    run_with_fake_aws,
)

# What moto answers to the queries dbt runs while compiling (the staging model asks for its
# newest landing date, minus a day).
NEWEST_INGEST_DATE_FLOOR = "2024-01-03"


@dataclass(frozen=True)
class Compiled:
    """One `dbt compile` of the whole project: its manifest and compiled SQL per model."""

    target_path: Path
    manifest: dict

    def models(self) -> dict[str, dict]:
        return {
            node["name"]: node
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == "model"
        }

    def compiled_sql(self, model_name: str) -> str:
        node = self.models()[model_name]
        return (self.target_path / "compiled" / "cola" / node["original_file_path"]).read_text()


def dbt_command(*args: str, target_path: Path) -> list[str]:
    return [
        str(VENV_BIN / "dbt"),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    assert result.returncode == 0, (
        f"{what} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )


@pytest.fixture(scope="session")
def aws() -> Iterator[FakeAws]:
    with fake_aws() as fake:
        yield fake


def _compile(aws: FakeAws, work: Path, keep_as: Path) -> Compiled:
    result = run_with_fake_aws(
        dbt_command("compile", "--target", "prod", target_path=work),
        aws,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    _check(result, "dbt compile --target prod")
    shutil.copytree(work / "compiled", keep_as / "compiled")
    shutil.copy(work / "manifest.json", keep_as / "manifest.json")
    return Compiled(keep_as, json.loads((keep_as / "manifest.json").read_text()))


def _glue_type(data_type: str | None) -> str:
    return {"varchar": "string", None: "string"}.get(data_type, data_type or "string")


@pytest.fixture(scope="session")
def athena_compiled(aws: FakeAws, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Compiled]:
    """The prod target compiled twice on moto: first with no model tables in Glue (full
    builds), then with every incremental model's Iceberg table in Glue, so dbt-athena
    finds them and renders the is_incremental() branches."""
    work = tmp_path_factory.mktemp("athena_target")
    full = _compile(aws, work, tmp_path_factory.mktemp("athena_full"))
    aws.create_iceberg_tables(
        (
            node["schema"],
            node["alias"],
            {name: _glue_type(column.get("data_type")) for name, column in node["columns"].items()},
        )
        for node in full.models().values()
        if node["config"]["materialized"] == "incremental"
    )
    aws.queue_query_results(NEWEST_INGEST_DATE_FLOOR)
    incremental = _compile(aws, work, tmp_path_factory.mktemp("athena_incremental"))
    return {"full": full, "incremental": incremental}


@pytest.fixture(scope="session")
def dbt_local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for the DuckDB (local) target in a throwaway $COLA_HOME."""
    home = tmp_path_factory.mktemp("cola_home")
    env = {**os.environ, "COLA_HOME": str(home), "DBT_TARGET": "local", "DO_NOT_TRACK": "1"}
    for name in ("AWS_ENDPOINT_URL",):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def duckdb_manifest(dbt_local_env, tmp_path_factory) -> dict:
    """The manifest `dbt parse` writes for the DuckDB (local) target."""
    target_path = tmp_path_factory.mktemp("duckdb_parse")
    result = subprocess.run(
        [*dbt_command("parse", target_path=target_path), "--target", "local"],
        env=dbt_local_env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    _check(result, "dbt parse --target local")
    return json.loads((target_path / "manifest.json").read_text())
