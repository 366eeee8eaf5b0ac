"""A `cola build` killed part-way, then run again, ends with the marts of a clean build.

Each build here is a real process, killed with SIGKILL as soon as dbt says it starts a given
model. Left as it is, every table is either as it was before the build or as a clean build
makes it, never in between: dbt-duckdb writes each model in one transaction (cola/build.py
says how), and DuckDB opens a database as of its last commit. Running `cola build` again (at
once: the killed build left no lock behind) gives the marts and tables of a clean build of
the same raw files, on a separate home.
"""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time

import pytest

from tests.dbt.warehouse import Warehouse
from tests.reliability.conftest import TABLES, Built, clean_build, copy_home

BUILD_TIMEOUT_SECONDS = 300


def kill_when_starting(process: subprocess.Popen, model: str) -> None:
    """SIGKILL the build when its output says that dbt starts `model`."""
    starting = re.compile(rf"START sql \w+ model \w+\.{model}\b")
    watchdog = threading.Timer(BUILD_TIMEOUT_SECONDS, process.kill)
    watchdog.start()
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if starting.search(line):
                process.kill()
                break
        process.wait()
    finally:
        watchdog.cancel()
    assert process.returncode == -signal.SIGKILL, (
        f"the build ended ({process.returncode}) before starting {model}:\n" + "".join(output)
    )


def assert_tables_before_or_after(home, before: dict, after: dict) -> None:
    """Each table as the killed build found it (absent if not in `before`) or as it ends."""
    warehouse = Warehouse(home=home, incoming=home / "incoming")
    for table in TABLES:
        rows = warehouse.relation(table)
        assert rows in (before.get(table), after[table]), f"{table} is half-written"


def assert_rerun_gives_a_clean_build(cola, home, clean: Built) -> str:
    rerun = cola(home, "build", lock_wait=0, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = rerun.communicate(timeout=BUILD_TIMEOUT_SECONDS)
    assert rerun.returncode == 0, output
    warehouse = Warehouse(home=home, incoming=home / "incoming")
    assert warehouse.marts() == clean.marts
    assert {table: warehouse.relation(table) for table in TABLES} == clean.tables
    assert (
        warehouse.query(
            "select table_schema, table_name from information_schema.tables"
            " where table_name like '%dbt_tmp%' or table_name like '%dbt_backup%'"
        )
        == []
    )
    return output


@pytest.fixture(scope="module")
def half_landed(tmp_path_factory, sample) -> Built:
    """A home built on the sample's first three weeks, with its last week landed since."""
    files = sorted(sample.rglob("*.csv"), key=lambda path: path.name)
    last_week = [path for path in files if path.name[:10] >= "2024-03-25"]
    first_weeks = [path for path in files if path not in last_week]
    warehouse = Warehouse(home=tmp_path_factory.mktemp("half") / "home", incoming=sample)
    warehouse.land(*first_weeks)
    warehouse.build()
    time.sleep(1.05)  # landing times have one-second resolution
    warehouse.land(*last_week)
    return clean_build(warehouse.home, tmp_path_factory.mktemp("clean"))


@pytest.mark.parametrize("model", ["stg_factory__run_reports", "fct_machine_daily"])
def test_a_first_build_killed_part_way(cola, tmp_path, landed_sample, model):
    home = copy_home(landed_sample.home, tmp_path / "home")
    kill_when_starting(cola(home, "build", stdout=subprocess.PIPE), model)
    assert_tables_before_or_after(home, {}, landed_sample.tables)
    assert_rerun_gives_a_clean_build(cola, home, landed_sample)


@pytest.mark.parametrize(
    "model",
    [
        "stg_factory__run_reports",
        "int_run_reports_sequenced",
        "fct_machine_daily",
    ],
)
def test_an_incremental_build_killed_part_way(cola, tmp_path, half_landed, model):
    home = copy_home(half_landed.home, tmp_path / "home")
    warehouse = Warehouse(home=home, incoming=home / "incoming")
    before = {table: warehouse.relation(table) for table in TABLES}
    kill_when_starting(cola(home, "build", stdout=subprocess.PIPE), model)
    assert_tables_before_or_after(home, before, half_landed.tables)
    assert_rerun_gives_a_clean_build(cola, home, half_landed)


def test_a_full_refresh_killed_part_way(cola, tmp_path, half_landed):
    """Killed after some tables were rebuilt and before others: the next `cola build`
    finishes the full refresh (an incremental build would take every report for new)."""
    home = copy_home(half_landed.home, tmp_path / "home")
    warehouse = Warehouse(home=home, incoming=home / "incoming")
    before = {table: warehouse.relation(table) for table in TABLES}
    process = cola(home, "build", "--full-refresh", stdout=subprocess.PIPE)
    kill_when_starting(process, "int_run_reports_sequenced")
    assert_tables_before_or_after(home, before, half_landed.tables)
    output = assert_rerun_gives_a_clean_build(cola, home, half_landed)
    assert "the last full refresh did not finish" in output
    assert not (home / "full_refresh.pending").exists()
