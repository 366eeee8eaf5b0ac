"""The pipeline against its floor: full and incremental builds, as history grows, and landing.

    make bench                      # 1 M reports
    make bench N=10000000           # the full run
    .venv/bin/python benchmarks/bench_pipeline.py --reports 200000 --attempts 1 --skip-landing

1. Generates N reports (seeded) from 500 machines in 10 branches, about 100 reports per
   machine per day, as one CSV file per branch per UTC day of arrival, with 0.5 % repeated
   reports and 0.1 % invalid lines. 1 % more are kept back as the increment: 80 % of it
   continues every machine's timeline, 20 % are late reports for old days, sent with the
   new reports (in their branch's file of the increment's first day).
2. Times the floor (benchmarks/floor_query.sql: one DuckDB script over the same CSVs that
   dedupes, pairs and sums daily uptime, no framework), before and after the full build
   (this machine's speed drifts over minutes: the build is compared to their mean).
3. Times `cola ingest` + `cola build --full-refresh` (models and tests), as the CLI runs;
   then does 1-3 again with history doubled (same increment).
4. Lands the increment and times `cola ingest` + `cola build`, five times on copies of
   each full build (the median counts), the two history sizes taking turns so that both
   see the same drift of this machine's speed: the incremental time should stay about
   flat when history doubles. Then times each full build again: the incremental build is
   compared to the mean of the full builds before and after it.
5. Runs benchmarks/bench_landing.py (a 1 GiB file through the Lambda handler against a
   moto server, and through `cola ingest`): MB/s and peak RSS.
6. Prints one line per figure and writes them all to one JSON file (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

BRANCHES = 10
MACHINES_PER_BRANCH = 50
FIRST_DAY = "2024-01-01"
INCREMENT_SHARE = 0.01
LATE_SHARE_OF_INCREMENT = 0.2
INCREMENTAL_ATTEMPTS = 5
HOME = "home"  # the $COLA_HOME of every build

# One row per report: machine m of branch b sends, in cycle c, a start and then a stop
# 10-30 minutes later, then rests 3-15 minutes. All randomness is a hash of the seed and
# the report's coordinates, so the same arguments write the same files.
GENERATE_SQL = """
create or replace table timeline as
with
machines as (
    select b, m from range(1, {branches} + 1) as bs (b), range(1, {machines} + 1) as ms (m)
),
cycles as (
    select
        b, m, c,
        (600 + hash({seed}, b, m, c, 'run') % 1200)::bigint as run_seconds,
        (180 + hash({seed}, b, m, c, 'rest') % 720)::bigint as rest_seconds,
        (hash({seed}, b, m, c, 'micros') % 1000000)::bigint as run_micros
    from machines, range(0, {cycles}) as cs (c)
),
clocked as (
    select
        *,
        timestamp '{first_day}' + to_seconds((hash({seed}, b, m) % 3600)::bigint)
        + to_seconds(coalesce(sum(run_seconds + rest_seconds) over (
            partition by b, m order by c rows between unbounded preceding and 1 preceding
        ), 0)) as started_at
    from cycles
),
reports as (
    select b, m, 2 * c + k.k as n, k.k = 0 as is_start,
        case when k.k = 0 then started_at
            else started_at + to_seconds(run_seconds) + to_microseconds(run_micros) end as sent_at
    from clocked, (values (0), (1)) as k (k)
)
select
    lpad(cast(b as varchar), 4, '0') as branch_id,
    lpad(cast(m as varchar), 4, '0') as machine_id,
    n,
    md5('{seed}:' || b || ':' || m || ':' || n) as digest,
    case when is_start then 'start' else 'stop' end as report_type,
    sent_at,
    case
        when n >= {history_per_machine} then 'new'
        when hash({seed}, b, m, n, 'late') % 1000000 < {late_per_million} then 'late'
        else 'history'
    end as part,
    hash({seed}, b, m, n, 'defect') % 1000 as defect_roll
from reports
where n < {history_per_machine} + {new_per_machine};
"""

LINES_SQL = """
copy (
    with lines as (
        select
            branch_id, sent_at, n, 0 as copy,
            -- a late report arrives with the new reports, in a file of their first day
            case when part = 'late'
                then (select min(sent_at) from timeline where part = 'new')
                else sent_at end as arrived_at,
            substr(digest, 1, 8) || '-' || substr(digest, 9, 4) || '-4' || substr(digest, 14, 3)
            || '-a' || substr(digest, 18, 3) || '-' || substr(digest, 21, 12) as id,
            report_type, strftime(sent_at, '%Y-%m-%dT%H:%M:%S.%fZ') as time, machine_id, defect_roll
        from timeline where part in ({parts})
    ),
    all_lines as (
        select * exclude (defect_roll) from lines
        union all  -- 0.5 % of reports are sent twice
        select * exclude (defect_roll) replace (1 as copy) from lines where defect_roll < 5
        union all  -- 0.1 % invalid lines: a time that is not a time
        select * exclude (defect_roll) replace (2 as copy, 'soon' as time)
        from lines where defect_roll = 7
    )
    select
        id, report_type as type, time, branch_id, machine_id,
        branch_id as branch, strftime(arrived_at, '%Y-%m-%d') as day
    from all_lines
    order by branch, day, arrived_at, sent_at, n, copy
) to '{folder}' (
    format csv, header false, partition_by (branch, day), filename_pattern 'reports_{{i}}'
);
"""


def generate(folder: Path, history: int, increment: int, seed: int) -> dict[str, int]:
    """Write the history and the increment as CSV files; return their line counts."""
    machines = BRANCHES * MACHINES_PER_BRANCH
    history_per_machine = history // machines
    new_per_machine = round(increment * (1 - LATE_SHARE_OF_INCREMENT) / machines)
    late_per_million = round(1e6 * increment * LATE_SHARE_OF_INCREMENT / history)
    folder.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    connection.execute(
        GENERATE_SQL.format(
            branches=BRANCHES,
            machines=MACHINES_PER_BRANCH,
            cycles=(history_per_machine + new_per_machine) // 2 + 1,
            seed=seed,
            first_day=FIRST_DAY,
            history_per_machine=history_per_machine,
            new_per_machine=new_per_machine,
            late_per_million=late_per_million,
        )
    )
    for name, parts in {"history": "'history'", "increment": "'new', 'late'"}.items():
        connection.execute(LINES_SQL.format(parts=parts, folder=folder / name))
    counts = dict(
        connection.execute("select part, count(*) from timeline group by part").fetchall()
    )
    connection.close()
    return {
        "history_reports": counts.get("history", 0),
        "increment_reports": counts.get("new", 0) + counts.get("late", 0),
        "late_reports": counts.get("late", 0),
        "history_files": len(list((folder / "history").rglob("*.csv"))),
        "increment_files": len(list((folder / "increment").rglob("*.csv"))),
        "history_bytes": sum(p.stat().st_size for p in (folder / "history").rglob("*.csv")),
    }


def floor(reports: Path, database: Path) -> float:
    """Seconds the hand-written DuckDB script takes over the CSVs under `reports`."""
    zones = ", ".join(
        f"('{branch}', '{zone}')"
        for branch, _, zone in (
            line.split(",")
            for line in (REPO / "dbt_project/seeds/branches.csv").read_text().splitlines()[1:]
        )
    )
    script = (REPO / "benchmarks/floor_query.sql").read_text()
    script = script.replace("{reports}", f"{reports}/**/*.csv").replace("{zones}", zones)
    connection = duckdb.connect(str(database))
    started = time.perf_counter()
    connection.execute(script)
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def cola(home: Path, *args: str) -> float:
    """Seconds a `cola` command takes, run as a user runs it; fails loudly if it fails."""
    return cola_timed(home, *args)[0]


def cola_timed(home: Path, *args: str) -> tuple[float, float, float]:
    """`cola` as above: its seconds, and the CPU seconds it spent in user and in kernel
    mode. Kernel time that jumps from one run to the next is this machine, not the build:
    a process that allocates while the page cache fills the memory reclaims it itself."""
    environment = {**os.environ, "COLA_HOME": str(home), "DO_NOT_TRACK": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "cola"), *args],
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-5000:] + completed.stderr[-5000:])
        raise SystemExit(f"cola {' '.join(args)} failed ({completed.returncode})")
    return seconds, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def free_memory_mib() -> dict[str, int]:
    """The memory free and available (free plus what the page cache would give back), MiB;
    empty where the system has no /proc/meminfo (Linux has)."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return {}
    fields = dict(line.split(":", 1) for line in meminfo.read_text().splitlines())
    return {
        name: int(fields[key].split()[0]) // 1024
        for name, key in (("free", "MemFree"), ("available", "MemAvailable"))
        if key in fields
    }


def model_timings(home: Path) -> dict[str, float]:
    """Seconds per dbt node in the last build, from run_results.json, slowest first."""
    target = REPO / "dbt_project" / os.environ.get("DBT_TARGET_PATH", "target")
    results = json.loads((target / "run_results.json").read_text())
    timings = {result["unique_id"]: result["execution_time"] for result in results["results"]}
    return dict(sorted(timings.items(), key=lambda item: -item[1])[:8])


# What an incremental build reads of the history on Athena (see the README's performance
# section): the hashes of staging's ids and instants (for repeated ones) and the timeline
# (the stretch around new reports, found per machine), as zstd parquet.
STATE_COLUMNS = {
    "staging.stg_factory__run_reports": "report_id_hash, instant_hash, is_valid",
    "intermediate.int_run_reports_sequenced": "*",
}


def state_bytes_per_report(home: Path, folder: Path) -> float:
    """Bytes per kept report of history that an incremental build scans on Athena,
    estimated from the local tables written as zstd parquet (as the Iceberg tables are)."""
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    total = 0
    for table, columns in STATE_COLUMNS.items():
        out = folder / f"{table}.parquet"
        connection.execute(
            f"copy (select {columns} from {table}) to '{out}' (format parquet, compression zstd)"
        )
        total += out.stat().st_size
    reports = connection.execute(
        "select count(*) from intermediate.int_run_reports_sequenced"
    ).fetchone()[0]
    connection.close()
    return total / reports


def say(figures: dict, key: str, value: float | int, unit: str = "") -> None:
    figures[key] = round(value, 3) if isinstance(value, float) else value
    print(f"{key:<44} {figures[key]:>14}{(' ' + unit) if unit else ''}", flush=True)


def full_run(root: Path, history: int, increment: int, seed: int, label: str) -> dict:
    """Generate, floor and full build for one history size; keeps the built warehouse
    (`built-<label>`) and the increment's files for the incremental builds."""
    figures: dict = {}
    data = root / f"data-{label}"
    home = root / HOME
    started = time.perf_counter()
    counts = generate(data, history, increment, seed)
    print(f"[{label}] generated in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
    figures.update(counts)
    reports = counts["history_reports"]

    floor_database = root / f"floor-{label}.duckdb"
    floors = [floor(data / "history", floor_database)]
    say(figures, "full_ingest_seconds", cola(home, "ingest", str(data / "history")), "s")
    say(figures, "full_build_seconds", cola(home, "build", "--full-refresh"), "s")
    figures["full_build_slowest_nodes"] = model_timings(home)
    # the floor again, after the build: this machine's speed drifts over minutes, and the
    # mean of the floor timed on either side of the build is what the build is compared to
    floor_database.unlink()
    floors.append(floor(data / "history", floor_database))
    floor_database.unlink()
    figures["floor_runs_seconds"] = [round(seconds, 3) for seconds in floors]
    say(figures, "floor_seconds", statistics.mean(floors), "s")
    full = figures["full_ingest_seconds"] + figures["full_build_seconds"]
    say(figures, "full_reports_per_second", reports / full)
    say(figures, "full_build_to_floor", figures["full_build_seconds"] / figures["floor_seconds"])
    say(figures, "raw_bytes_per_report", counts["history_bytes"] / reports, "B")
    say(figures, "athena_state_bytes_per_report", state_bytes_per_report(home, root), "B")
    say(figures, "full_ingest_and_build_to_floor", full / figures["floor_seconds"])
    shutil.rmtree(data / "history")
    home.rename(root / f"built-{label}")
    return figures


def incremental_runs(root: Path, runs: dict[str, dict], attempts: int) -> None:
    """Land the increment on a copy of each fully built warehouse and build it `attempts`
    times per history size, the sizes taking turns: this machine's speed drifts over
    minutes, and taking turns gives both sizes the same drift. The median counts.
    Then each full build is timed again, and the incremental build is compared to the mean
    of the full builds timed before and after it, as the full build is to the floor.
    Every build runs in the same $COLA_HOME, as a user's do: dbt parses the project again
    when an environment variable it reads changes."""
    home = root / HOME
    ingests: dict[str, list[float]] = {label: [] for label in runs}
    builds: dict[str, list[float]] = {label: [] for label in runs}
    cpu: dict[str, list[list[float]]] = {label: [] for label in runs}
    for attempt in range(attempts):
        for label, figures in runs.items():
            _restore(root / f"built-{label}", home)
            ingests[label].append(cola(home, "ingest", str(root / f"data-{label}" / "increment")))
            seconds, user, kernel = cola_timed(home, "build")
            builds[label].append(seconds)
            cpu[label].append([round(user, 2), round(kernel, 2)])
            if attempt == 0:
                figures["incremental_build_slowest_nodes"] = model_timings(home)
            print(
                f"[{label}] incremental build {attempt + 1}: {seconds:.2f} s"
                f" (CPU {user:.2f} s user, {kernel:.2f} s kernel)",
                flush=True,
            )
    for label, figures in runs.items():
        _restore(root / f"built-{label}", home)
        again = cola(home, "build", "--full-refresh")
        print(f"[{label}] full build again: {again:.2f} s", flush=True)
        shutil.rmtree(root / f"built-{label}")
        shutil.rmtree(root / f"data-{label}")
        full_builds = [figures["full_build_seconds"], again]
        figures["full_build_runs_seconds"] = [round(s, 3) for s in full_builds]
        figures["incremental_build_runs_seconds"] = [round(s, 3) for s in builds[label]]
        figures["incremental_build_runs_cpu_user_kernel_seconds"] = cpu[label]
        runs_text = ", ".join(f"{seconds:.2f}" for seconds in builds[label])
        print(f"[{label}] incremental builds: {runs_text} s", flush=True)
        say(figures, "incremental_ingest_seconds", statistics.median(ingests[label]), "s")
        say(figures, "incremental_build_seconds", statistics.median(builds[label]), "s")
        say(figures, "full_build_mean_seconds", statistics.mean(full_builds), "s")
        say(
            figures,
            "incremental_build_to_full_build",
            figures["incremental_build_seconds"] / figures["full_build_mean_seconds"],
        )
        incremental = figures["incremental_ingest_seconds"] + figures["incremental_build_seconds"]
        full = figures["full_ingest_seconds"] + figures["full_build_mean_seconds"]
        say(figures, "incremental_ingest_and_build_to_full", incremental / full)


def _restore(built: Path, home: Path) -> None:
    """A fresh copy of a fully built warehouse, in the one $COLA_HOME."""
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(built, home)
    os.sync()  # the copy's writes reach the disk before the clock starts
    time.sleep(1.1)  # local landing times have one-second resolution


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000, help="history size N")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--landing-mib", type=int, default=1024)
    parser.add_argument("--skip-landing", action="store_true")
    parser.add_argument(
        "--attempts",
        type=int,
        default=INCREMENTAL_ATTEMPTS,
        help="incremental builds per history size (the median counts)",
    )
    parser.add_argument("--json", type=Path, help="where to write the figures")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    increment = round(args.reports * INCREMENT_SHARE)
    root = Path(tempfile.mkdtemp(prefix="cola-bench-"))
    figures: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "reports": args.reports,
        "increment": increment,
        "machines": BRANCHES * MACHINES_PER_BRANCH,
        "branches": BRANCHES,
        "incremental_attempts": args.attempts,
        "memory_at_start_mib": free_memory_mib(),
    }
    memory = figures["memory_at_start_mib"]
    print(
        f"bench: N={args.reports}, increment {increment}, work folder {root}, memory free"
        f" {memory.get('free')} MiB ({memory.get('available')} MiB available)",
        flush=True,
    )
    try:
        figures["history"] = full_run(root, args.reports, increment, args.seed, "N")
        figures["doubled_history"] = full_run(
            root, 2 * args.reports, increment, args.seed + 1, "2N"
        )
        incremental_runs(
            root, {"N": figures["history"], "2N": figures["doubled_history"]}, args.attempts
        )
        say(
            figures,
            "incremental_build_growth_when_history_doubles",
            figures["doubled_history"]["incremental_build_seconds"]
            / figures["history"]["incremental_build_seconds"],
        )
        if not args.skip_landing:
            from bench_landing import main as bench_landing

            figures["landing"] = bench_landing([f"--mib={args.landing_mib}"])
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    out = args.json or REPO / ".cola" / "bench" / f"bench-{args.reports}-{figures['when']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
