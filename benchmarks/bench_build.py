"""How long the local pipeline takes: landing, a full build, and an incremental build.

Generates sample reports (branches x machines x days), lands them, runs a full dbt build,
then lands one more day of reports and runs an incremental build. Prints the figures.

    .venv/bin/python benchmarks/bench_build.py [--machines 8] [--days 90]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from cola.build import run_dbt
from cola.generate import generate
from ingestion_lambda.local import land_paths


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<42} {seconds:8.2f} s")
    return seconds


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--branches", type=int, default=3)
    options.add_argument("--machines", type=int, default=8, help="machines per branch")
    options.add_argument("--days", type=int, default=90)
    args = options.parse_args()

    root = Path(tempfile.mkdtemp(prefix="cola-bench-"))
    home = root / "home"
    first_day = date(2024, 1, 1)
    history = generate(
        root / "history",
        branches=args.branches,
        machines_per_branch=args.machines,
        days=args.days,
        first_day=first_day,
    )
    late = generate(
        root / "late",
        seed=99,
        branches=args.branches,
        machines_per_branch=args.machines,
        days=1,
        first_day=first_day + timedelta(days=args.days),
    )
    lines = sum(p.read_bytes().count(b"\n") for p in history)
    print(f"{len(history)} files, {lines} report lines, {args.branches * args.machines} machines")
    timed("land history", lambda: land_paths([root / "history"], home))
    timed("dbt build --full-refresh (models + tests)", lambda: run_dbt(home, ["build", "-q"]))
    time.sleep(1.1)
    timed(f"land one more day ({len(late)} files)", lambda: land_paths([root / "late"], home))
    timed("dbt build, incremental (models + tests)", lambda: run_dbt(home, ["build", "-q"]))
    connection = duckdb.connect(str(home / "warehouse.duckdb"))
    runs, days = connection.execute(
        "select (select count(*) from marts.fct_machine_runs),"
        " (select count(*) from marts.fct_machine_daily)"
    ).fetchone()
    connection.close()
    print(f"marts: {runs} runs, {days} machine-days; warehouse in {home}")


if __name__ == "__main__":
    main()
