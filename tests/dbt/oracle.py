"""The rules of the marts, written again in plain Python, independently of the SQL.

Given the files in the order they arrive, and when they landed, it says which runs, issues
and machine days the marts must hold. Used by the property-based tests to check the
incremental dbt models.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BRANCH_TIMEZONES = {"0001": "America/New_York", "0002": "Asia/Kolkata", "0003": "Europe/Amsterdam"}
# a report timed more than this after its file landed is a `future_time` issue, and is kept
FUTURE_TOLERANCE = timedelta(hours=24)


@dataclass(frozen=True)
class Report:
    report_id: str
    report_type: str
    at: datetime  # naive UTC
    branch_id: str
    machine_id: str


def parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def read_rows(text: str) -> tuple[list[Report | None], int]:
    """Each report line as a Report, or None when invalid; and the number of report lines."""
    rows: list[Report | None] = []
    for line in text.lstrip("\ufeff").split("\n"):
        line = line.rstrip("\r")
        fields = line.split(",")
        if not line.strip():
            continue
        is_header = len(fields) >= 2 and [f.strip().lower() for f in fields[:2]] == ["id", "type"]
        if is_header:
            continue
        if len(fields) != 5:
            rows.append(None)
            continue
        report_id, report_type, time_text, branch_id, machine_id = (f.strip() for f in fields)
        at = parse_time(time_text)
        report_type = report_type.lower()
        has_ids = bool(report_id and branch_id and machine_id)
        if not has_ids or report_type not in {"start", "stop"} or at is None:
            rows.append(None)
        else:
            rows.append(Report(report_id, report_type, at, branch_id, machine_id))
    return rows, len(rows)


@dataclass
class Expected:
    runs: dict[str, tuple]
    issue_counts: Counter
    days: dict[tuple[str, str, date], tuple[float, int, int]]


def expected_marts(
    files_in_arrival_order: list[str], landed_at: list[datetime] | None = None
) -> Expected:
    """`landed_at`: each file's landing time (naive UTC, as dbt reads it); without it, the
    files landed long after every report they hold."""
    issue_counts: Counter = Counter()
    kept: list[Report] = []
    seen_ids: set[str] = set()
    seen_instants: set[tuple] = set()
    for index, text in enumerate(files_in_arrival_order):
        rows, _ = read_rows(text)
        for report in rows:
            if report is None:
                issue_counts["invalid_row"] += 1
                continue
            if landed_at and report.at > landed_at[index] + FUTURE_TOLERANCE:
                issue_counts["future_time"] += 1
            instant = (report.branch_id, report.machine_id, report.report_type, report.at)
            if report.report_id in seen_ids or instant in seen_instants:
                issue_counts["duplicate"] += 1
            else:
                kept.append(report)
            seen_ids.add(report.report_id)
            seen_instants.add(instant)

    machines: dict[tuple[str, str], list[Report]] = {}
    for report in kept:
        machines.setdefault((report.branch_id, report.machine_id), []).append(report)

    runs: dict[str, tuple] = {}
    days: dict[tuple[str, str, date], tuple[float, int, int]] = {}
    for (branch_id, machine_id), reports in machines.items():
        reports.sort(key=lambda r: (r.at, 0 if r.report_type == "stop" else 1, r.report_id))
        machine_runs: list[tuple[datetime, datetime | None]] = []
        for index, report in enumerate(reports):
            following = reports[index + 1] if index + 1 < len(reports) else None
            previous = reports[index - 1] if index > 0 else None
            if report.report_type == "start":
                if following is None:
                    runs[report.report_id] = (branch_id, machine_id, report.at, None, None, True)
                    machine_runs.append((report.at, None))
                elif following.report_type == "stop":
                    seconds = (following.at - report.at).total_seconds()
                    runs[report.report_id] = (
                        branch_id,
                        machine_id,
                        report.at,
                        following.at,
                        seconds,
                        False,
                    )
                    machine_runs.append((report.at, following.at))
                else:
                    issue_counts["missing_stop"] += 1
            elif previous is None or previous.report_type != "start":
                issue_counts["missing_start"] += 1
        days.update(machine_days(branch_id, machine_id, reports, machine_runs))
    return Expected(runs=runs, issue_counts=issue_counts, days=days)


def machine_days(branch_id, machine_id, reports, machine_runs):
    zone = ZoneInfo(BRANCH_TIMEZONES.get(branch_id, "UTC"))

    def local_date(at: datetime) -> date:
        return at.replace(tzinfo=UTC).astimezone(zone).date()

    def utc_midnight(day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    day = local_date(reports[0].at)
    last = local_date(reports[-1].at)
    result = {}
    while day <= last:
        start, end = utc_midnight(day), utc_midnight(day + timedelta(days=1))
        uptime = sum(
            max(0.0, (min(stop, end) - max(begin, start)).total_seconds())
            for begin, stop in machine_runs
            if stop is not None
        )
        started = sum(1 for begin, _ in machine_runs if start <= begin < end)
        result[(branch_id, machine_id, day)] = (
            uptime,
            started,
            int((end - start).total_seconds()),
        )
        day += timedelta(days=1)
    return result
