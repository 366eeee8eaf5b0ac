"""`cola report`: the dashboard, one self-contained HTML file read from the marts.

Reading the warehouse happens here; turning what was read into HTML is pure
(cola.report_page, cola.report_charts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

DEFAULT_DAYS = 28


class ReportError(RuntimeError):
    """The report could not be written (no warehouse, marts not built…)."""


@dataclass(frozen=True)
class Machine:
    machine_key: str
    branch_id: str
    machine_id: str
    branch_name: str
    timezone: str
    current_state: str
    last_reported_at: datetime
    state_since: datetime


@dataclass(frozen=True)
class MachineDay:
    machine_key: str
    report_date: date
    uptime_seconds: float
    day_seconds: int
    runs_started: int
    day_end_at: datetime  # UTC

    def is_over(self, newest_report_at: datetime | None) -> bool:
        """Whether the local day had ended by the newest report (else it is still going)."""
        return newest_report_at is not None and self.day_end_at <= newest_report_at


@dataclass(frozen=True)
class Run:
    machine_key: str
    started_at: datetime
    stopped_at: datetime | None
    duration_seconds: float | None


@dataclass(frozen=True)
class Stop:
    machine_key: str
    stopped_at: datetime
    restarted_at: datetime | None  # None: still stopped at the newest report
    seconds: float


@dataclass(frozen=True)
class IssueCount:
    issue_date: date
    issue_type: str
    issues: int


@dataclass(frozen=True)
class ReportData:
    """What the dashboard shows: the last `days` local days up to the newest one."""

    first_day: date
    last_day: date
    newest_report_at: datetime | None
    generated_at: datetime
    warehouse: Path
    machines: list[Machine]
    machine_days: list[MachineDay]
    runs: list[Run]  # runs that started in the window (each machine's local days)
    stops: list[Stop]  # stops that began in the window
    issues: list[IssueCount]  # every day, not only the window
    issue_totals: dict[str, int]

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(count)]


def load(warehouse: Path, days: int = DEFAULT_DAYS, *, now: datetime | None = None) -> ReportData:
    """Read what the dashboard needs from the marts of a local warehouse."""
    if days < 1:
        raise ReportError(f"--days must be at least 1 (got {days})")
    if not warehouse.exists():
        raise ReportError(f"no warehouse at {warehouse}: run `cola run` (or `cola build`) first")
    generated_at = now or datetime.now(UTC).replace(tzinfo=None)
    connection = duckdb.connect(str(warehouse))
    try:
        try:
            return _load(connection, warehouse, days, generated_at)
        except duckdb.CatalogException as error:
            raise ReportError(
                f"the marts are missing from {warehouse} ({error}): run `cola build` first"
            ) from error
    finally:
        connection.close()


def _load(
    connection: duckdb.DuckDBPyConnection, warehouse: Path, days: int, generated_at: datetime
) -> ReportData:
    (last_day,) = connection.execute(
        "select max(report_date) from marts.fct_machine_daily"
    ).fetchone()
    machines = [
        Machine(*row)
        for row in connection.execute(
            """
            select machine_key, branch_id, machine_id, branch_name, timezone, current_state,
                last_reported_at, state_since
            from marts.dim_machines
            order by branch_id, machine_id
            """
        ).fetchall()
    ]
    issue_rows = connection.execute(
        """
        select
            coalesce(cast(reported_at as date), cast(landed_at as date)) as issue_date,
            issue_type,
            count(*) as issues
        from marts.fct_report_issues
        group by all
        order by issue_date, issue_type
        """
    ).fetchall()
    issues = [IssueCount(*row) for row in issue_rows]
    totals: dict[str, int] = {}
    for issue in issues:
        totals[issue.issue_type] = totals.get(issue.issue_type, 0) + issue.issues
    newest = max((m.last_reported_at for m in machines), default=None)
    if last_day is None:
        today = generated_at.date()
        return ReportData(
            today, today, newest, generated_at, warehouse, machines, [], [], [], issues, totals
        )
    first_day = last_day - timedelta(days=days - 1)
    window = [first_day, last_day]
    machine_days = [
        MachineDay(*row)
        for row in connection.execute(
            """
            select branch_id || ':' || machine_id, report_date, uptime_seconds, day_seconds,
                runs_started, day_end_at
            from marts.fct_machine_daily
            where report_date between ? and ?
            order by branch_id, machine_id, report_date
            """,
            window,
        ).fetchall()
    ]
    # the window in each machine's own local days (its branch's time zone)
    bounds = """
        window_bounds as (
            select branch_id, machine_id, min(day_start_at) as window_start_at,
                max(day_end_at) as window_end_at
            from marts.fct_machine_daily
            where report_date between ? and ?
            group by branch_id, machine_id
        )
    """
    runs = [
        Run(*row)
        for row in connection.execute(
            f"""
            with {bounds}
            select runs.branch_id || ':' || runs.machine_id, runs.started_at, runs.stopped_at,
                runs.duration_seconds
            from marts.fct_machine_runs as runs
            inner join window_bounds
                on runs.branch_id = window_bounds.branch_id
                and runs.machine_id = window_bounds.machine_id
            where runs.started_at >= window_bounds.window_start_at
                and runs.started_at < window_bounds.window_end_at
            order by runs.started_at
            """,
            window,
        ).fetchall()
    ]
    stops = [
        Stop(*row)
        for row in connection.execute(
            f"""
            with {bounds},
            ordered_runs as (
                select branch_id, machine_id, stopped_at,
                    lead(started_at) over (
                        partition by branch_id, machine_id order by started_at
                    ) as restarted_at
                from marts.fct_machine_runs
            )
            select ordered_runs.branch_id || ':' || ordered_runs.machine_id,
                ordered_runs.stopped_at, ordered_runs.restarted_at,
                date_diff(
                    'microsecond', ordered_runs.stopped_at,
                    coalesce(ordered_runs.restarted_at, cast(? as timestamp))
                ) / 1e6 as seconds
            from ordered_runs
            inner join window_bounds
                on ordered_runs.branch_id = window_bounds.branch_id
                and ordered_runs.machine_id = window_bounds.machine_id
            where ordered_runs.stopped_at >= window_bounds.window_start_at
                and ordered_runs.stopped_at < window_bounds.window_end_at
            order by seconds desc
            limit 10
            """,
            [*window, newest],
        ).fetchall()
    ]
    return ReportData(
        first_day, last_day, newest, generated_at, warehouse, machines, machine_days, runs,
        stops, issues, totals,
    )  # fmt: skip


def write_report(warehouse: Path, out: Path, days: int = DEFAULT_DAYS) -> Path:
    """Read the marts and write the dashboard to `out` (folders created); returns `out`."""
    from cola.report_page import render

    data = load(warehouse, days)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return out
