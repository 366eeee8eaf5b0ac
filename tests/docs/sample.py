"""A small warehouse from generated sample reports, built in subprocesses (so the test process
never holds the DuckDB file open and `mf` can open it), and a private copy of the dbt project
(`mf` reads `<project>/target/semantic_manifest.json`, so each test run gets its own target/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cola.generate import generate
from cola.paths import DBT_PROJECT_DIR

BIN = Path(sys.executable).parent
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


@dataclass(frozen=True)
class SampleProject:
    home: Path  # COLA_HOME: raw zone and warehouse.duckdb
    project: Path  # a copy of dbt_project/, with its own target/

    @property
    def target(self) -> Path:
        return self.project / "target"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "COLA_HOME": str(self.home),
            "DO_NOT_TRACK": "1",
            "DBT_PROJECT_DIR": str(self.project),
            "DBT_PROFILES_DIR": str(self.project),
            "DBT_TARGET_PATH": str(self.target),
            "DBT_LOG_PATH": str(self.project / "logs"),
        }

    def run(self, *command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        completed = subprocess.run(
            list(command),
            cwd=self.project,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({completed.returncode}):\n"
                f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
            )
        return completed

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(str(BIN / "dbt"), *args, "--target", "local")


def build_sample(root: Path, *, days: int = 6) -> SampleProject:
    """Generate reports, land them with `cola ingest` and `dbt build` a copy of the project."""
    project = root / "dbt_project"
    project.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = DBT_PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            shutil.copy2(source, project / part)
    sample = SampleProject(home=root / "home", project=project)
    files = generate(root / "incoming", branches=2, machines_per_branch=3, days=days)
    assert files
    sample.run(str(BIN / "cola"), "ingest", str(root / "incoming"))
    sample.dbt("build")
    return sample
