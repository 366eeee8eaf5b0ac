"""Run the dbt project on the local DuckDB warehouse."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cola.paths import DBT_PROJECT_DIR, raw_files


class BuildError(RuntimeError):
    """dbt could not build the warehouse."""


def run_dbt(home: Path, args: Sequence[str]) -> None:
    """Run a dbt command in-process on the local target, with $COLA_HOME set to `home`."""
    from dbt.cli.main import dbtRunner

    os.environ["COLA_HOME"] = str(home)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    home.mkdir(parents=True, exist_ok=True)
    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target",
            "local",
        ]
    )
    if result.exception is not None:
        raise BuildError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        raise BuildError(f"dbt {args[0]} finished with errors or failing tests (see above)")


def build(home: Path, *, full_refresh: bool = False) -> None:
    """`dbt build` on the local warehouse ($COLA_HOME/warehouse.duckdb)."""
    if not raw_files(home):
        raise BuildError(
            f"no reports have been landed in {home / 'raw'} yet: run `cola ingest PATH` first"
        )
    run_dbt(home, ["build", *(["--full-refresh"] if full_refresh else [])])
