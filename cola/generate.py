"""Realistic sample reports: several branches and machines over weeks, with a few defects.

Each machine alternates runs and stops. Reports are written as the machines send them:
one file per machine per day, no header, times with the branch's UTC offset. A seeded
random generator makes the same files for the same arguments. Defects are sprinkled in
at low rates: repeated reports, lost stops and starts, unreadable rows, and files with a
header line, a byte-order mark or Windows line endings.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BRANCH_TIMEZONES = {
    "0001": "America/New_York",
    "0002": "Asia/Kolkata",
    "0003": "Europe/Amsterdam",
}


@dataclass(frozen=True)
class DefectRates:
    duplicate: float = 0.01
    lost_stop: float = 0.004
    lost_start: float = 0.004
    invalid_row: float = 0.004
    header: float = 0.05
    bom: float = 0.03
    crlf: float = 0.1


@dataclass(frozen=True)
class Report:
    report_id: str
    report_type: str
    at: datetime
    branch_id: str
    machine_id: str


def _report_ids(rng: random.Random):
    while True:
        yield str(uuid.UUID(int=rng.getrandbits(128), version=4))


def machine_reports(
    rng: random.Random, branch_id: str, machine_id: str, start: datetime, end: datetime
) -> list[Report]:
    """A machine's start/stop reports from `start` to `end`: runs of 20 min to 9 h."""
    ids = _report_ids(rng)
    reports: list[Report] = []
    at = start + timedelta(minutes=rng.randint(0, 180))
    while at < end:
        run = timedelta(minutes=rng.randint(20, 540), microseconds=rng.randint(0, 999_999))
        reports.append(Report(next(ids), "start", at, branch_id, machine_id))
        at += run
        if at >= end:
            break  # the machine is still running: an open run
        reports.append(Report(next(ids), "stop", at, branch_id, machine_id))
        at += timedelta(minutes=rng.randint(5, 240))
    return reports


def format_time(at: datetime, timezone: str) -> str:
    """ISO-8601 with the branch's UTC offset, microseconds when there are any."""
    return at.astimezone(ZoneInfo(timezone)).isoformat()


def report_line(report: Report, timezone: str) -> str:
    return ",".join(
        [
            report.report_id,
            report.report_type,
            format_time(report.at, timezone),
            report.branch_id,
            report.machine_id,
        ]
    )


def invalid_line(rng: random.Random, report: Report, timezone: str) -> str:
    """A row that breaks one of the row rules."""
    kind = rng.choice(["time", "type", "fields", "machine"])
    fields = report_line(report, timezone).split(",")
    if kind == "time":
        fields[2] = fields[2][:10] + " at noon"
    elif kind == "type":
        fields[1] = "pause"
    elif kind == "fields":
        fields = fields[:4]
    else:
        fields[4] = " "
    return ",".join(fields)


def day_files(
    rng: random.Random, reports: list[Report], timezone: str, rates: DefectRates
) -> dict[date, list[str]]:
    """The machine's lines, grouped by the local day they happened, with defects applied."""
    ids = _report_ids(rng)
    files: dict[date, list[str]] = {}
    for report in reports:
        lines = files.setdefault(report.at.astimezone(ZoneInfo(timezone)).date(), [])
        roll = rng.random()
        if report.report_type == "stop" and roll < rates.lost_stop:
            continue
        if report.report_type == "start" and roll < rates.lost_start:
            continue
        if rng.random() < rates.invalid_row:
            lines.append(invalid_line(rng, Report(next(ids), *_fields(report)), timezone))
        lines.append(report_line(report, timezone))
        if rng.random() < rates.duplicate:
            lines.append(report_line(report, timezone))
    return files


def _fields(report: Report) -> tuple[str, datetime, str, str]:
    return report.report_type, report.at, report.branch_id, report.machine_id


def write_file(path: Path, lines: list[str], rng: random.Random, rates: DefectRates) -> None:
    if rng.random() < rates.header:
        lines = ["id,type,time,branch_id,machine_id", *lines]
    newline = "\r\n" if rng.random() < rates.crlf else "\n"
    text = newline.join(lines) + newline
    prefix = b"\xef\xbb\xbf" if rng.random() < rates.bom else b""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(prefix + text.encode("utf-8"))


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    branches: int = 3,
    machines_per_branch: int = 4,
    days: int = 28,
    first_day: date = date(2024, 3, 4),
    rates: DefectRates | None = None,
) -> list[Path]:
    """Write sample report files under out_dir; return their paths."""
    rates = rates or DefectRates()
    rng = random.Random(seed)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=days)
    written: list[Path] = []
    branch_ids = sorted(BRANCH_TIMEZONES)[:branches] + [
        f"{n:04d}" for n in range(len(BRANCH_TIMEZONES) + 1, branches + 1)
    ]
    for branch_id in branch_ids:
        timezone = BRANCH_TIMEZONES.get(branch_id, "UTC")
        for machine in range(1, machines_per_branch + 1):
            machine_id = f"{machine:04d}"
            reports = machine_reports(rng, branch_id, machine_id, start, end)
            for day, lines in sorted(day_files(rng, reports, timezone, rates).items()):
                if not lines:
                    continue
                file_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                path = (
                    out_dir
                    / f"branch_id={branch_id}"
                    / f"machine_id={machine_id}"
                    / f"{day.isoformat()}-{file_id}.csv"
                )
                write_file(path, lines, rng, rates)
                written.append(path)
    return written
