"""A short plain-text summary of the local warehouse's marts."""

from __future__ import annotations

from pathlib import Path

import duckdb


def summarize(warehouse: Path, days: int = 7) -> str:
    """Machines, runs, the last days' uptime per branch and the data-quality issue counts."""
    connection = duckdb.connect(str(warehouse))
    try:
        # one row per machine, kept up to date by the build: its runs (open ones included),
        # closed runs' uptime, and whether its last report starts a run (its one open run)
        machines, runs, hours, running = connection.execute(
            "select count(*), coalesce(sum(runs), 0),"
            " coalesce(sum(lifetime_uptime_seconds), 0) / 3600,"
            " count(*) filter (where is_running) from marts.dim_machines"
        ).fetchone()
        daily = connection.execute(
            """
            with last_days as (
                select * from marts.fct_machine_daily
                where report_date > (select max(report_date) from marts.fct_machine_daily) - ?
            )
            select
                report_date,
                branch_id,
                count(*) as machines,
                sum(uptime_seconds) / 3600 as uptime_hours,
                sum(uptime_seconds) / sum(day_seconds) as availability
            from last_days
            group by report_date, branch_id
            order by report_date, branch_id
            """,
            [days],
        ).fetchall()
        issues = connection.execute(
            "select issue_type, count(*) from marts.fct_report_issues"
            " group by issue_type order by issue_type"
        ).fetchall()
    finally:
        connection.close()

    branches = sorted({branch for _, branch, *_ in daily})
    by_day: dict = {}
    for day, branch, count, uptime, availability in daily:
        by_day.setdefault(day, {})[branch] = (count, uptime, availability)
    lines = [
        f"machines: {machines} ({running} running now)",
        f"runs: {runs} ({running} open), {hours:,.1f} machine-hours of uptime",
        f"daily uptime of the last {days} days, per branch (uptime hours / availability):",
        "  date      " + "".join(f"  {'branch ' + branch:>15}" for branch in branches)
        if daily
        else "  (no machine days yet: no valid reports)",
    ]
    for day, cells in by_day.items():
        row = "".join(
            f"  {cells[b][1]:>6.1f} h {cells[b][2]:>6.1%}" if b in cells else f"  {'-':>15}"
            for b in branches
        )
        lines.append(f"  {day}{row}")
    lines.append("data-quality issues: " + (", ".join(f"{t} {n}" for t, n in issues) or "none"))
    lines.append(f"warehouse: {warehouse}")
    return "\n".join(lines)
