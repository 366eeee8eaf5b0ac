"""Run the dbt project on the local DuckDB warehouse.

A build killed at any moment (even by SIGKILL) leaves no half-written model: dbt-duckdb
writes each model in one DuckDB transaction, and DuckDB recovers a database to its last
commit. A table or view is created under a temporary name and renamed over the old one
before COMMIT; an incremental model builds its new rows into a connection-local temporary
table, then (except staging, which only ever adds rows) deletes the rows they replace,
inserts them, and COMMITs once. A rerun picks
up where the killed build stopped: each incremental model reads what its inputs wrote after
its own last build (`_built_at`). A full refresh rewrites every model with a new
`_built_at`: stopped part-way, it would leave models that take all their inputs for new
rows, so until a full refresh finishes, every build is one. tests/reliability/
test_build_crash.py kills real builds.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cola.lock import warehouse_lock
from cola.paths import DBT_PROJECT_DIR, raw_files

FULL_REFRESH_PENDING = "full_refresh.pending"


class BuildError(RuntimeError):
    """dbt could not build the warehouse."""


def run_dbt(home: Path, args: Sequence[str]) -> None:
    """Run a dbt command in-process on the local target, with $COLA_HOME set to `home`,
    holding the warehouse lock (cola.lock) from before dbt opens the warehouse until it
    has closed it.

    Of dbt's artifacts only run_results.json is written (target/, what ran and how long
    it took): the manifest, which dbt would write twice per run, comes from `dbt parse`
    or `make docs` when wanted."""
    dbtRunner = _import_dbt_runner()
    os.environ["COLA_HOME"] = str(home)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    with warehouse_lock(home, f"dbt {args[0]}"):
        try:
            result = dbtRunner().invoke(
                [
                    *args,
                    "--no-write-json",
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target",
                    "local",
                ]
            )
        finally:
            _close_warehouse()
    if hasattr(result.result, "write"):
        target = DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
        result.result.write(str(target / "run_results.json"))
    if result.exception is not None:
        raise BuildError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        raise BuildError(f"dbt {args[0]} finished with errors or failing tests (see above)")


def _import_dbt_runner() -> type:
    """dbt's runner class. The first import loads all of dbt and generates serializers for
    hundreds of classes (about 2 s); Python's cycle collector would walk that growing heap
    again and again meanwhile (0.2 s), and in every collection of the build after it. None
    of it is garbage, so the import runs without collections, and what it loaded is set
    aside from the collector (gc.freeze)."""
    if "dbt.cli.main" not in sys.modules:
        gc.disable()
        try:
            import dbt.cli.main  # noqa: F401
        finally:
            gc.freeze()
            gc.enable()
    return sys.modules["dbt.cli.main"].dbtRunner


def _close_warehouse() -> None:
    """dbt-duckdb keeps the database file open (and locked by DuckDB) after dbt returns:
    close it, so that whoever takes the warehouse lock next can open it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:  # dbt never opened the warehouse
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()


def build(home: Path, *, full_refresh: bool = False) -> None:
    """`dbt build` on the local warehouse ($COLA_HOME/warehouse.duckdb): the models and
    their data tests. Unit tests check the SQL against fixed inputs, not the data, so
    (as dbt advises for builds of data) they are left to `make test` and `dbt build`."""
    if not raw_files(home):
        raise BuildError(
            f"no reports have been landed in {home / 'raw'} yet: run `cola ingest PATH` first"
        )
    pending = home / FULL_REFRESH_PENDING
    with warehouse_lock(home, "cola build"):
        if pending.exists() and not full_refresh:
            print(f"the last full refresh did not finish ({pending}): refreshing fully again")
            full_refresh = True
        if full_refresh:
            pending.touch()
        run_dbt(
            home,
            [
                "build",
                "--exclude-resource-type",
                "unit_test",
                *(["--full-refresh"] if full_refresh else []),
            ],
        )
        pending.unlink(missing_ok=True)
