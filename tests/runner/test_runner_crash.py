"""A build killed part-way leaves nothing the next build cannot repair.

ECS kills a task that outlives its stop timeout (Fargate Spot interruption, StopTask, the
state machine's timeout) with SIGKILL: no handler runs, no artifact is uploaded. Here the real
`python -m dbt_runner` and its dbt process get SIGKILL (their whole process group, as in a
container) once dbt has built the staging model; the runner is then run again, and its marts
and relations must equal those of a clean build of the same raw files.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import duckdb

from tests.runner.conftest import FakeS3, copy_project, land, run_runner, start_runner

MAIN_STEP = re.compile(r"cola-runner INFO step main: dbt build")
STAGED = re.compile(r"OK created sql incremental model staging\.stg_factory__run_reports")


def living_members(process_group: int) -> set[int]:
    """Processes of a group with a thread that has not exited. (The leader of a
    multi-threaded process is a zombie before its last thread, which may hold files, is.)"""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...; comm may contain spaces, so split after ")".
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue
        if int(group) == process_group and state != "Z":
            members.add(int(stat.parent.parent.parent.name))
    return members


def logged(path: Path, pattern: re.Pattern) -> bool:
    return path.is_file() and bool(pattern.search(path.read_text(errors="replace")))


def kill_once_staged(tmp_path: Path, s3: FakeS3, project: Path, run_id: str) -> None:
    """Start the runner; SIGKILL it and its dbt process once dbt has built staging."""
    runner = start_runner(tmp_path, s3, run_id=run_id, project_dir=project)
    runner_log = tmp_path / "runner.log"
    dbt_log = tmp_path / "work" / "main" / "logs" / "dbt.log"
    deadline = time.monotonic() + 240
    try:
        # The runner empties work/main before it logs the step, so dbt.log is this run's.
        while not (logged(runner_log, MAIN_STEP) and logged(dbt_log, STAGED)):
            assert runner.poll() is None, runner_log.read_text()[-3000:]
            assert time.monotonic() < deadline, "dbt did not build the staging model in time"
            time.sleep(0.02)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
        runner.wait(timeout=30)
    assert runner.returncode == -signal.SIGKILL
    # The whole group dies, as in a container: no dbt process of this run outlives it.
    dead_by = time.monotonic() + 30
    while living_members(runner.pid):
        assert time.monotonic() < dead_by, f"still running: {living_members(runner.pid)}"
        time.sleep(0.05)
    # Killed mid-build: dbt never wrote the build's results.
    assert not (tmp_path / "work" / "main" / "target" / "run_results.json").exists()


def warehouse(home: Path) -> dict[str, list[tuple]]:
    """Every relation of the warehouse by name; for the marts, their rows without build
    metadata (columns starting with `_`), floats rounded, sorted."""
    connection = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        found = {}
        for schema, name in connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall():
            rows = []
            if schema == "marts":
                columns = [
                    column
                    for column in connection.sql(f"select * from {schema}.{name} limit 0").columns
                    if not column.startswith("_")
                ]
                rows = [
                    tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                    for row in connection.execute(
                        f"select {', '.join(columns)} from {schema}.{name} order by all"
                    ).fetchall()
                ]
            found[f"{schema}.{name}"] = rows
        return found
    finally:
        connection.close()


def assert_recovers(tmp_path: Path, s3: FakeS3, project: Path) -> None:
    """Run again; then the warehouse equals that of a clean build of a copy of the same raw
    files (modification times, hence landing times, kept): the same relations (no temporary
    or backup table of the killed build left for readers) and the same marts."""
    completed = run_runner(tmp_path, s3, run_id="after-the-kill", project_dir=project)
    assert completed.returncode == 0, completed.stderr[-3000:]

    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / "home" / "raw", clean / "home" / "raw")
    completed = run_runner(clean, s3, run_id="clean-build", project_dir=project)
    assert completed.returncode == 0, completed.stderr[-3000:]

    recovered, expected = warehouse(tmp_path / "home"), warehouse(clean / "home")
    assert sorted(recovered) == sorted(expected)
    assert recovered == expected


def test_a_first_build_killed_midway_is_completed_by_the_next(tmp_path, s3):
    project = copy_project(tmp_path)
    land(tmp_path / "home")
    land(tmp_path / "home", fixture="reports_later.csv")

    kill_once_staged(tmp_path, s3, project, "killed-first-build")
    assert "marts.fct_machine_daily" not in warehouse(tmp_path / "home")

    assert_recovers(tmp_path, s3, project)


def test_an_incremental_build_killed_midway_is_completed_by_the_next(tmp_path, s3):
    project = copy_project(tmp_path)
    home = tmp_path / "home"
    land(home)
    first = run_runner(tmp_path, s3, run_id="first-build", project_dir=project)
    assert first.returncode == 0, first.stderr[-3000:]
    before = warehouse(home)
    time.sleep(1.05)  # landing times have one-second resolution
    land(home, fixture="reports_later.csv")

    kill_once_staged(tmp_path, s3, project, "killed-incremental-build")
    # The new reports are staged, but no mart shows them yet.
    connection = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        [(staged,)] = connection.execute(
            "select count(*) from staging.stg_factory__run_reports"
            " where source_file like 'reports_later%'"
        ).fetchall()
    finally:
        connection.close()
    assert staged == 3
    assert warehouse(home) == before

    assert_recovers(tmp_path, s3, project)
